#!/usr/bin/env python3
"""SIGKILL at random points of a payment, then recovery (`make stress`).

Each seeded run: a fresh database, the fake Stripe holding every payment
intent call for a random latency L; stripe_driver `pay --confirm` is killed
after a random delay in [0, 2L] (create, then confirm: two calls of L each),
the fake finishes whatever it had received, then `stripe_driver recover`
(twice: the second must find nothing). Checked after every run:
  - every outbox row is resolved (done or failed; none pending/sent/unknown);
  - no double charge: the fake holds at most one payment intent and one
    charge, and exactly one charge iff the outbox records the confirm done;
  - nothing lost: every payment intent at the fake is the object_id of a
    done outbox row; all calls to one path share one idempotency key.
Prints: runs, kills, charges expected vs found, records lost.

The same for appointment payments (pay_driver `card`, then its `recover`:
outbox recovery and payments_recover): after each run the appointment shows
paid and confirmed exactly when the fake holds a succeeded charge, no attempt
is left starting / unknown, and no payment intent exists without an attempt."""
import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402

PI_PATH = "/v1/payment_intents"
RESOLVED = {"done", "failed"}


def driver_path(tools_dir=None):
    tools = tools_dir or os.environ.get("PAYDESK_TOOLS_DIR", os.path.join(ROOT, "build", "tools"))
    return os.path.join(tools, "stripe_driver")


def outbox_rows(db):
    if not os.path.exists(db):
        return []
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM outbox ORDER BY id")]
    except sqlite3.OperationalError:  # killed before the schema was created
        return []
    finally:
        con.close()


def one_run(fake, driver, workdir, rng, totals, problems):
    db = os.path.join(workdir, "run.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    fake.reset()
    latency = rng.randint(40, 250)
    fake.add_fault("latency", method="POST", path_prefix=PI_PATH, ms=latency)
    env = dict(os.environ, PAYDESK_TEST_STRIPE_KEY=DEFAULT_KEY)
    base = [driver, "--api-base", fake.base_url, "--db", db, "--sleep-scale", "0.01",
            "--max-retries", "2", "--timeout", "10"]
    proc = subprocess.Popen(base + ["pay", "--confirm", "pm_card_visa"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0, 2 * latency / 1000.0 + 0.3))  # + start-up time
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    totals["runs"] += 1
    totals["kills"] += killed
    fake.clear_faults()
    time.sleep(latency / 1000.0 + 0.05)  # the fake finishes what it received

    resolved = []
    for attempt in range(2):
        p = subprocess.run(base + ["recover"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        lines = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
        got = lines[0]["resolved"] if lines and "resolved" in lines[0] else None
        if p.returncode != 0 or got is None:
            problems.append("recover failed (rc %d): %s %s" % (p.returncode, p.stdout,
                                                              p.stderr))
            return
        if attempt == 0:
            resolved = got
        elif got:
            problems.append("a second recover still resolved %r" % got)
    totals["resolved"] += len(resolved)

    rows = outbox_rows(db)
    counts = fake.counts()
    open_rows = [r for r in rows if r["state"] not in RESOLVED]
    if open_rows:
        problems.append("rows left open: %r" % [(r["id"], r["state"]) for r in open_rows])
    confirm_done = [r for r in rows if r["path"].endswith("/confirm") and r["state"] == "done"]
    expected = len(confirm_done)
    totals["charges_expected"] += expected
    totals["charges_found"] += counts["charge"]
    if counts["charge"] != expected or counts["charge"] > 1:
        problems.append("charges: expected %d, the fake holds %d (rows %r)"
                        % (expected, counts["charge"], [(r["path"], r["state"]) for r in rows]))
    if counts["payment_intent"] > 1:
        problems.append("double payment intent: %d" % counts["payment_intent"])
    posts = fake.requests(method="POST", path_prefix=PI_PATH)
    lost = 0
    creates = [r for r in rows if r["path"] == PI_PATH]
    if counts["payment_intent"] and not any(r["state"] == "done" and r["object_id"]
                                            for r in creates):
        lost += 1
        problems.append("a payment intent exists at the fake but no outbox row records it")
    totals["lost"] += lost
    by_path = {}
    for r in posts:
        by_path.setdefault(r["path"], set()).add(r["idempotency_key"])
    for path, keys in by_path.items():
        if len(keys) != 1:
            problems.append("%s sent with %d idempotency keys" % (path, len(keys)))


def pay_driver_path(tools_dir=None):
    return os.path.join(os.path.dirname(driver_path(tools_dir)), "pay_driver")


def appointment_run(fake, pay_driver, workdir, rng, totals, problems):
    db = os.path.join(workdir, "appt.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    fake.reset()
    env = dict(os.environ, PAYDESK_TEST_STRIPE_KEY=DEFAULT_KEY)
    base = [pay_driver, "--api-base", fake.base_url, "--db", db, "--user", "sam"]

    def drive(*args, whole=False):
        p = subprocess.run(base + list(args), env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("pay_driver %s: %s %s" % (args[0], p.stdout, p.stderr))
        out = json.loads(p.stdout.strip().splitlines()[-1])
        return out if whole else out["subject"]

    drive("settings", "bill_with_stripe", "on")
    cid = drive("client", "Amy Pond", "amy@example.com")["id"]
    cus = drive("sync", str(cid))["customer"]
    fake.api("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": cus})
    drive("cards", str(cid))
    appt = drive("book", str(cid), "4000", "usd")["id"]
    latency = rng.randint(40, 250)
    fake.add_fault("latency", method="POST", path_prefix=PI_PATH, ms=latency)
    proc = subprocess.Popen(base + ["card", str(appt)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0, 2 * latency / 1000.0 + 0.15))
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    totals["runs"] += 1
    totals["kills"] += killed
    fake.clear_faults()
    time.sleep(latency / 1000.0 + 0.05)
    first = drive("recover", str(appt), whole=True)
    shown = first["subject"]
    m = re.search(r"(\d+) payments recorded", json.dumps(first))
    totals["resolved"] += int(m.group(1)) if m else 0
    again = drive("recover", str(appt))
    if again != shown:
        problems.append("a second recovery changed the appointment")
    open_rows = [a for a in shown["attempts"] if a["status"] in ("starting", "unknown")]
    if open_rows:
        problems.append("attempts left open: %r" % open_rows)
    counts = fake.counts()
    paid_at_fake = False
    pi_id = shown["payment_intent_id"]
    if pi_id:
        paid_at_fake = fake.api("GET", PI_PATH + "/" + pi_id).json().get("status") == "succeeded"
    totals["charges_expected"] += paid_at_fake
    totals["charges_found"] += counts.get("charge", 0)
    if counts.get("charge", 0) > 1:
        problems.append("double charge: %d" % counts["charge"])
    if paid_at_fake != (shown["payment"] == "paid" and shown["state"] == "confirmed"):
        totals["lost"] += 1
        problems.append("appointment shows %s/%s but the fake says %s"
                        % (shown["state"], shown["payment"],
                           "paid" if paid_at_fake else "not paid"))
    if counts.get("payment_intent", 0) and not shown["attempts"]:
        totals["lost"] += 1
        problems.append("a payment intent exists at the fake but no attempt records it")


def stress_appointments(runs, seed, pay_driver, fake=None, quiet=False):
    """Kill appointment card payments `runs` times; returns (totals, problems)."""
    rng = random.Random(seed)
    own = fake is None
    if own:
        fake = FakeStripe().start()
    workdir = tempfile.mkdtemp(prefix="paydesk-stress-")
    totals = dict(runs=0, kills=0, resolved=0, charges_expected=0, charges_found=0, lost=0)
    problems = []
    try:
        for i in range(runs):
            before = len(problems)
            appointment_run(fake, pay_driver, workdir, rng, totals, problems)
            if len(problems) > before and not quiet:
                print("appointment run %d: %s" % (i + 1, "; ".join(problems[before:])),
                      flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if own:
            fake.stop()
    return totals, problems


def stress(runs, seed, driver, fake=None, quiet=False):
    """Run the scenario `runs` times; returns (totals, problems)."""
    rng = random.Random(seed)
    own = fake is None
    if own:
        fake = FakeStripe().start()
    workdir = tempfile.mkdtemp(prefix="paydesk-stress-")
    totals = dict(runs=0, kills=0, resolved=0, charges_expected=0, charges_found=0, lost=0)
    problems = []
    try:
        for i in range(runs):
            before = len(problems)
            one_run(fake, driver, workdir, rng, totals, problems)
            if len(problems) > before and not quiet:
                print("run %d: %s" % (i + 1, "; ".join(problems[before:])), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if own:
            fake.stop()
    return totals, problems


def summary(t):
    return ("runs %d, kills %d, rows resolved by recover %d, charges expected %d found %d, "
            "records lost %d" % (t["runs"], t["kills"], t["resolved"], t["charges_expected"],
                                 t["charges_found"], t["lost"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--appointment-runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", help="unused; for symmetry with the other runners")
    ap.add_argument("--tools-dir")
    args = ap.parse_args()
    driver = driver_path(args.tools_dir)
    if not os.access(driver, os.X_OK):
        print("stress: %s not built (make build)" % driver, file=sys.stderr)
        return 1
    start = time.monotonic()
    totals, problems = stress(args.runs, args.seed, driver)
    print(summary(totals) + " (%.0fs, seed %d)" % (time.monotonic() - start, args.seed))
    if args.appointment_runs:
        start = time.monotonic()
        t2, p2 = stress_appointments(args.appointment_runs, args.seed,
                                     pay_driver_path(args.tools_dir))
        print("appointments: " + summary(t2).replace("records lost", "appointments wrong")
              .replace("rows resolved by recover", "payments recorded by recover")
              + " (%.0fs)" % (time.monotonic() - start))
        problems += p2
    if problems:
        print("stress: %d problem(s)" % len(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
