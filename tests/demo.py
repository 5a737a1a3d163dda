#!/usr/bin/env python3
"""`make demo`: paydesk in training mode. Starts the local fake Stripe with
sample data, connects a throwaway paydesk database to it (test mode, a demo
restricted key), opens paydesk, and cleans everything up on quit. Nothing
here can reach real Stripe or charge anyone."""
import argparse
import concurrent.futures
import csv
import datetime
import json
import os
import sqlite3
import time
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))

from fakeclient import FakeStripe  # noqa: E402

DEMO_PASSPHRASE = "training mode passphrase"
DEMO_ADMIN, DEMO_ADMIN_PIN = "Demo admin", "1357"
DEMO_STAFF, DEMO_STAFF_PIN = "Sam", "2468"
DEMO_KEY = "rk_test_51TrainingModeDemoKey0000000"
DEMO_PUBLISHABLE = "pk_test_51TrainingModeDemoKey0000000"
PLATFORM = "acct_1FakePlatform000"


SERVICES = [("Haircut", 45, 4500), ("Colour", 90, 9500), ("Massage", 60, 7000),
            ("Consultation", 30, 2500)]
# Open every day, so whatever day someone tries the demo, the agenda has work.
STAFF = [("Maya", " ".join(["09:00-18:00"] * 7)),
         ("Leo", "- " + " ".join(["10:00-19:00"] * 6)),
         ("Room 2", " ".join(["09:00-19:00"] * 7))]


def import_clients(args, env, home, seed):
    """The seed's customers as the desk's clients, through `paydesk clients
    import` (no Stripe needed: it runs while the fake Stripe starts)."""
    with open(seed) as f:
        customers = json.load(f).get("customers", [])
    clients_csv = os.path.join(home, "clients.csv")
    with open(clients_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "email", "phone", "notes"])
        for i, c in enumerate(customers):
            w.writerow([c["name"], c["email"], f"+1 555 01{i:02d}", "training client"])
    run_step([args.bin, "clients", "import", clients_csv], env, "import the sample clients")


def seed_desk(db_path, fake):
    """A week of the desk's own data: the clients linked to their Stripe
    customers, services, staff and appointments, written straight into the
    throwaway database (there is no headless booking command yet)."""
    listed = fake.api("GET", "/v1/customers", {"limit": 100}, key=DEMO_KEY).json()["data"]
    by_email = {c["email"].lower(): c["id"] for c in listed if c.get("email")}
    now = int(time.time())
    db = sqlite3.connect(db_path)
    with db:
        for email, cus in by_email.items():
            db.execute("UPDATE clients SET stripe_customer_id = ?, bill_with_stripe = 1 "
                       "WHERE lower(email) = ?", (cus, email))
        for name, minutes, price in SERVICES:
            db.execute("INSERT INTO services (name, duration_min, price, currency, created_at, "
                       "updated_at) VALUES (?, ?, ?, 'usd', ?, ?)", (name, minutes, price, now, now))
        for name, hours in STAFF:
            db.execute("INSERT INTO staff (name, hours, created_at, updated_at) VALUES (?, ?, ?, ?)",
                       (name, " ".join(hours.split()), now, now))
        clients = [r[0] for r in db.execute("SELECT id FROM clients ORDER BY id")]
        services = list(db.execute("SELECT id, duration_min, price FROM services ORDER BY id"))
        staff = [r[0] for r in db.execute("SELECT id FROM staff ORDER BY id")]
        today = datetime.date.today()
        n = 0
        for day in range(-3, 4):
            date = today + datetime.timedelta(days=day)
            for s_i, staff_id in enumerate(staff):
                if s_i == 1 and date.weekday() == 0:
                    continue  # Leo does not work on Mondays
                for slot in range(3):
                    hour = 10 + slot * 2 + (s_i % 2)
                    start = int(time.mktime(datetime.datetime(date.year, date.month, date.day,
                                                              hour, 0).timetuple()))
                    service_id, minutes, price = services[(n + s_i) % len(services)]
                    state = ("completed" if day < 0 else "confirmed" if day == 0 else "booked")
                    if day < 0 and n % 11 == 0:
                        state = "no_show"
                    db.execute("INSERT INTO appointments (client_id, service_id, staff_id, "
                               "starts_at, ends_at, state, amount, currency, created_at, "
                               "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'usd', ?, ?)",
                               (clients[n % len(clients)], service_id, staff_id, start,
                                start + minutes * 60, state, price, now, now))
                    n += 1
    db.close()


def run_step(argv, env, what, stdin=None):
    out = subprocess.run(argv, input=stdin, text=True, capture_output=True, env=env)
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        sys.exit(f"demo: could not {what}")
    return out


def enrol_desk(args, env):
    """The throwaway desk is enrolled: its key file (in the demo's home)
    unlocks the vault, so paydesk never asks for, or is given, the passphrase."""
    run_step([args.bin, "desk", "enrol", "--name", "training desk"],
             {**env, "PAYDESK_PASSPHRASE": DEMO_PASSPHRASE}, "enrol the training desk")


def add_users(args, env):
    """A demo admin (signed in at start) and a staff member whose PIN the lock
    screen shows, so a newcomer is never stuck at a prompt. No Stripe needed:
    this runs while the fake Stripe starts; the two steps after the admin
    each prove the admin by PIN, side by side."""
    as_admin = {**env, "PAYDESK_PIN": DEMO_ADMIN_PIN}
    run_step([args.bin, "users", "add", "--name", DEMO_ADMIN, "--role", "admin"], as_admin,
             "create the demo users", DEMO_ADMIN_PIN + "\n")
    steps = [([args.bin, "users", "add", "--name", DEMO_STAFF, "--role", "staff", "--as",
               DEMO_ADMIN], DEMO_STAFF_PIN + "\n"),
             ([args.bin, "users", "lock-hint", f"Training mode: staff {DEMO_STAFF}, PIN "
               f"{DEMO_STAFF_PIN} · admin '{DEMO_ADMIN}', PIN {DEMO_ADMIN_PIN}", "--as",
               DEMO_ADMIN], "\n")]
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(steps)) as pool:
        for f in [pool.submit(run_step, argv, as_admin, "create the demo users", stdin)
                  for argv, stdin in steps]:
            f.result()


def register_reader(args, env):
    """Stripe's simulated reader, this desk's: a reader payment can be tried
    end to end (t taps a test card while the payment view waits)."""
    run_step([args.bin, "readers", "register", "--code", "simulated-wpe", "--label",
              "Training reader", "--as", DEMO_ADMIN], {**env, "PAYDESK_PIN": DEMO_ADMIN_PIN},
             "register the simulated card reader")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "paydesk"))
    ap.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    # tests: each page of balance transactions takes this long at the fake, so
    # the background sync can be watched while the desk is in use
    ap.add_argument("--slow-sync-ms", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()

    seeds = os.path.join(ROOT, "tests", "fakestripe", "seeds")
    seed = os.path.join(seeds, "training.json")
    if not os.path.exists(seed):
        seed = os.path.join(seeds, "sample.json")
    home = tempfile.mkdtemp(prefix="paydesk-demo-")
    env = dict(os.environ)
    env.update({
        "XDG_DATA_HOME": os.path.join(home, "data"),
        "XDG_STATE_HOME": os.path.join(home, "state"),
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
    })
    # The History tab's sync starts as soon as paydesk opens, in the
    # background, as a business would have it: the desk is on screen at once.
    conf_dir = os.path.join(env["XDG_CONFIG_HOME"], "paydesk")
    os.makedirs(conf_dir, mode=0o700)
    with open(os.path.join(conf_dir, "config"), "w") as f:
        f.write("[history]\nsync_at_start = on\n")
    for name in ("PAYDESK_PASSPHRASE", "PAYDESK_NEW_PASSPHRASE", "PAYDESK_PIN",
                 "PAYDESK_VAULT_KDF"):
        env.pop(name, None)  # the trainee's own shell must not reach the demo
    # The fake's own messages (a client that hung up mid-answer prints a
    # traceback) go to a file: on the terminal they drew over paydesk's screen.
    fake_log = open(os.path.join(home, "fake-stripe.log"), "w")
    extra = []
    if args.slow_sync_ms:
        extra = ["--fault", json.dumps({"kind": "latency", "ms": args.slow_sync_ms,
                                         "method": "GET",
                                         "path_prefix": "/v1/balance_transactions"})]
    fake = FakeStripe(seed_file=seed, stderr=fake_log, extra_args=extra)
    # Each step starts as soon as what it needs is there: the users and the
    # clients while the fake Stripe starts; then the connection; then the
    # desk's enrolment (then its reader) beside the week's appointments.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=4)
    try:
        started = pool.submit(fake.start)
        local = [pool.submit(add_users, args, dict(env)),
                 pool.submit(import_clients, args, dict(env), home, seed)]
        started.result()
        env["PAYDESK_API_BASE"] = fake.base_url
        print(f"paydesk training mode: fake Stripe at {fake.base_url} ({os.path.basename(seed)}),"
              f" throwaway data in {home}")
        # A throwaway vault whose passphrase is written in this file: it is
        # made at libsodium's floor (64 MiB, the cost of a PIN), not the
        # 256 MiB a real vault costs per guess (on a busy machine its two
        # derivations took 20 s of the demo's start).
        run_step([args.bin, "setup", "--account", PLATFORM, "--publishable", DEMO_PUBLISHABLE,
                  "--bill-with-stripe", "on", "--payment-at-booking", "optional"],
                 {**env, "PAYDESK_PASSPHRASE": DEMO_PASSPHRASE, "PAYDESK_VAULT_KDF": "interactive"},
                 "connect paydesk to the fake Stripe", DEMO_KEY + "\n")
        db_path = os.path.join(env["XDG_DATA_HOME"], "paydesk", "paydesk.db")
        booked = pool.submit(seed_desk, db_path, fake)
        enrol_desk(args, dict(env))
        for f in local:
            f.result()
        register_reader(args, dict(env))  # with the desk's key: after the enrolment
        booked.result()
        print("paydesk training mode: the sample billing history syncs in the background "
              "(the History tab shows how far it has come)")
        env.update({"PAYDESK_SIGN_IN": DEMO_ADMIN, "PAYDESK_PIN": DEMO_ADMIN_PIN})
        status = subprocess.call([args.bin], env=env)
    finally:
        pool.shutdown(wait=True)
        fake.stop()
        fake_log.close()
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
