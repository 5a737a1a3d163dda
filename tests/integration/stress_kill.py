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
is left starting / unknown, and no payment intent exists without an attempt.

Subscription creates (the real `paydesk subscriptions subscribe`, killed at a
random point, sometimes under a fault: an unreadable 200, a dropped answer, a
500), then a person retrying the same command, `paydesk recover` twice, and
the command once more; refunds (pay_driver `refund`, killed, `recover`). In a
third of the runs the weekend passes first: the outbox is 60 h older and the
fake's clock 60 h on, past Stripe's idempotency window. Checked: executions at
the fake per Idempotency-Key (objects carrying it in metadata) and per
intended action (one subscription per client, one refund per payment) at most
1; every open row resolved; nothing lost (every object at the fake is in the
store)."""
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


# -- subscriptions and refunds ------------------------------------------------------------------

SUBS_KEY = "rk_test_51" + "stresssubscriptions".ljust(24, "0")
SUBS_ACCOUNT = "acct_1FakePlatform000"
SUBS_PASS = "stress passphrase"
SUB_PATH = "/v1/subscriptions"
REFUND_PATH = "/v1/refunds"
MARKER = "paydesk_idempotency_key"
WEEKEND = 60 * 3600
FAULTS = (None, None, "malformed_json", "drop", "error")


def new_totals():
    return dict(runs=0, kills=0, faults=0, weekends=0, keys=0, max_per_key=0, actions=0,
                max_per_action=0, lost=0, left_open=0)


def sql(db, query, *args):
    con = sqlite3.connect(db)
    try:
        rows = con.execute(query, args).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def count_executions(objects, totals, problems, what):
    """Executions per Idempotency-Key: the objects at the fake carrying each key."""
    per_key = {}
    for o in objects:
        key = (o.get("metadata") or {}).get(MARKER)
        if not key:
            problems.append("%s %s carries no %s" % (what, o["id"], MARKER))
            continue
        per_key[key] = per_key.get(key, 0) + 1
    totals["keys"] += len(per_key)
    totals["max_per_key"] = max([totals["max_per_key"]] + list(per_key.values()))
    if any(n > 1 for n in per_key.values()):
        problems.append("%s: one Idempotency-Key executed %d times" % (what, max(per_key.values())))
    totals["actions"] += 1
    totals["max_per_action"] = max(totals["max_per_action"], len(objects))
    if len(objects) > 1:
        problems.append("%s: %d made for one intended action" % (what, len(objects)))


def maybe_fault(fake, rng, path, totals):
    kind = rng.choice(FAULTS)
    if kind == "error":
        fake.add_fault("error", method="POST", path_prefix=path, status=500, execute=False,
                       count=1)
    elif kind:
        fake.add_fault(kind, method="POST", path_prefix=path, count=1)
    totals["faults"] += kind is not None


def kill_at_random(cmd, env, rng, latency, upto, totals, db=None, path=None):
    """Run cmd, SIGKILL it after a random delay within upto s + two latencies; with db,
    four times in five once the outbox holds the row of path (then within two latencies
    + 0.3 s: around the call), and count the kills by what that row said at the moment."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if db and rng.random() < 0.8:
        deadline = time.monotonic() + 20
        while (time.monotonic() < deadline and proc.poll() is None and
               not any(r["path"] == path for r in outbox_rows(db))):
            time.sleep(0.01)
        upto = 0.3
    time.sleep(rng.uniform(0, upto + 2 * latency / 1000.0))
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    totals["runs"] += 1
    totals["kills"] += killed
    if killed and db:
        states = [r["state"] for r in outbox_rows(db) if r["path"] == path]
        at = states[-1] if states else "unsent"
        totals.setdefault("killed_at", {})
        totals["killed_at"][at] = totals["killed_at"].get(at, 0) + 1


def weekend_passes(fake, db, rng, totals):
    """In a third of the runs: the outbox 60 h old, the fake's clock 60 h on."""
    if rng.random() >= 1 / 3:
        return
    sql(db, "UPDATE outbox SET created_at = created_at - ?, updated_at = updated_at - ?",
        WEEKEND, WEEKEND)
    fake.advance_clock(WEEKEND)
    totals["weekends"] += 1


def open_rows_of(db, totals, problems):
    open_rows = [r for r in outbox_rows(db) if r["state"] not in RESOLVED]
    if open_rows:
        totals["left_open"] += len(open_rows)
        problems.append("rows left open: %r" % [(r["id"], r["path"], r["state"])
                                                for r in open_rows])


class SubsDesk:
    """A paydesk home set up once (vault, Stripe key, billing on), copied for each run."""

    def __init__(self, fake, paydesk, workdir):
        self.fake, self.paydesk, self.workdir = fake, paydesk, workdir
        self.template = os.path.join(workdir, "template.db")
        fake.reset()
        fake.add_key(SUBS_KEY, default="write", account=SUBS_ACCOUNT)
        self.home(self.template)
        out = self.run("setup", "--account", SUBS_ACCOUNT, "--publishable",
                       "pk_test_51StressPublishable000000", "--bill-with-stripe", "on",
                       stdin=SUBS_KEY + "\n")
        if out.returncode != 0:
            raise RuntimeError("setup: %s %s" % (out.stdout, out.stderr))
        started = time.monotonic()
        out = self.run("plans", "create", "--name", "Membership", "--amount", "49")
        self.one_command = time.monotonic() - started  # unlock + a few calls
        if out.returncode != 0:
            raise RuntimeError("plans create: %s %s" % (out.stdout, out.stderr))
        self.plan = sql(self.template, "SELECT id FROM plans")[0][0]

    def home(self, db):
        self.db = db
        for suffix in ("", "-wal", "-shm"):
            if db != self.template and os.path.exists(db + suffix):
                os.unlink(db + suffix)
        if db != self.template:
            shutil.copy(self.template, db)
        self.env = dict(os.environ, HOME=self.workdir, PAYDESK_API_BASE=self.fake.base_url,
                        PAYDESK_PASSPHRASE=SUBS_PASS, LANG="C.UTF-8", LC_ALL="C.UTF-8")

    def cmd(self, *args):
        return [self.paydesk, "--db", self.db] + list(args)

    def run(self, *args, stdin=""):
        return subprocess.run(self.cmd(*args), input=stdin, env=self.env, capture_output=True,
                              text=True, timeout=120)


def subscription_run(desk, rng, totals, problems, n):
    fake = desk.fake
    desk.home(os.path.join(desk.workdir, "subs.db"))
    plan = desk.plan
    cus = fake.api("POST", "/v1/customers", {"name": "Client %d" % n}, key=SUBS_KEY).json()
    fake.api("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": cus["id"]},
             key=SUBS_KEY)
    t = int(time.time())
    sql(desk.db, "INSERT INTO clients (name, email, bill_with_stripe, stripe_customer_id,"
        " created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?)", "Client %d" % n,
        "client%d@example.com" % n, cus["id"], t, t)
    client = sql(desk.db, "SELECT id FROM clients WHERE stripe_customer_id = ?", cus["id"])[0][0]
    subscribe = ("subscriptions", "subscribe", "--client", str(client), "--plan", str(plan))
    latency = rng.randint(40, 250)
    fake.add_fault("latency", method="POST", path_prefix=SUB_PATH, ms=latency)
    maybe_fault(fake, rng, SUB_PATH, totals)
    kill_at_random(desk.cmd(*subscribe), desk.env, rng, latency, 1.3 * desk.one_command, totals,
                   desk.db, SUB_PATH)
    fake.clear_faults()
    time.sleep(latency / 1000.0 + 0.05)  # the fake finishes what it received
    desk.run(*subscribe)  # the person tries again at once
    weekend_passes(fake, desk.db, rng, totals)
    for attempt in range(2):
        out = desk.run("recover")
        if out.returncode != 0:
            problems.append("recover %d exited %d: %s %s" % (attempt + 1, out.returncode,
                                                             out.stdout, out.stderr))
    desk.run(*subscribe)  # and once more, after recovery
    subs = fake.api("GET", SUB_PATH, {"customer": cus["id"], "status": "all"},
                    key=SUBS_KEY).json()["data"]
    count_executions(subs, totals, problems, "subscription")
    if len(subs) != 1:
        problems.append("%d subscriptions at the fake after the runs, 1 wanted" % len(subs))
    stored = {r[0] for r in sql(desk.db, "SELECT stripe_id FROM subscriptions")}
    lost = [s["id"] for s in subs if s["id"] not in stored]
    totals["lost"] += len(lost)
    if lost:
        problems.append("at the fake, not in the store: %s" % lost)
    open_rows_of(desk.db, totals, problems)


def refund_run(fake, pay_driver, workdir, rng, totals, problems):
    db = os.path.join(workdir, "refund.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    fake.reset()
    env = dict(os.environ, PAYDESK_TEST_STRIPE_KEY=DEFAULT_KEY)
    base = [pay_driver, "--api-base", fake.base_url, "--db", db, "--user", "sam"]

    def drive(*args):
        p = subprocess.run(base + list(args), env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("pay_driver %s: %s %s" % (args[0], p.stdout, p.stderr))
        return json.loads(p.stdout.strip().splitlines()[-1])["subject"]

    drive("settings", "bill_with_stripe", "on")
    cid = drive("client", "Amy Pond", "amy@example.com")["id"]
    cus = drive("sync", str(cid))["customer"]
    fake.api("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": cus})
    drive("cards", str(cid))
    appt = drive("book", str(cid), "4000", "usd")["id"]
    pi = drive("card", str(appt))["payment_intent_id"]
    latency = rng.randint(40, 250)
    fake.add_fault("latency", method="POST", path_prefix=REFUND_PATH, ms=latency)
    maybe_fault(fake, rng, REFUND_PATH, totals)
    kill_at_random(base + ["--amount", "1500", "refund", str(appt)], env, rng, latency, 0.15,
                   totals, db, REFUND_PATH)
    fake.clear_faults()
    time.sleep(latency / 1000.0 + 0.05)
    weekend_passes(fake, db, rng, totals)
    for _ in range(2):
        shown = drive("recover", str(appt))
    refunds = fake.api("GET", REFUND_PATH, {"payment_intent": pi}).json()["data"]
    count_executions(refunds, totals, problems, "refund")
    done = {r[0] for r in sql(db, "SELECT object_id FROM outbox WHERE path = ? AND state ="
                              " 'done'", REFUND_PATH)}
    lost = [r["id"] for r in refunds if r["id"] not in done]
    refunded = sum(r["amount"] for r in refunds)
    stored = sum(a.get("refunded", 0) for a in shown["attempts"])
    if lost or stored != refunded:
        totals["lost"] += max(len(lost), 1)
        problems.append("refunds at the fake %s (%d) vs the store %d, not recorded: %s"
                        % ([r["id"] for r in refunds], refunded, stored, lost))
    open_rows_of(db, totals, problems)


def stress_kind(kind, runs, seed, tool, quiet=False):
    """Kill subscription creates (tool: paydesk) or refunds (tool: pay_driver) `runs`
    times; returns (totals, problems)."""
    rng = random.Random(seed)
    fake = FakeStripe().start()
    workdir = tempfile.mkdtemp(prefix="paydesk-stress-")
    totals = new_totals()
    problems = []
    try:
        desk = SubsDesk(fake, tool, workdir) if kind == "subscriptions" else None
        for i in range(runs):
            before = len(problems)
            if desk:
                subscription_run(desk, rng, totals, problems, i + 1)
            else:
                refund_run(fake, tool, workdir, rng, totals, problems)
            if len(problems) > before and not quiet:
                print("%s run %d: %s" % (kind, i + 1, "; ".join(problems[before:])), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        fake.stop()
    return totals, problems


def kind_summary(kind, t):
    return ("%s: runs %d, kills %d, faults %d, weekends %d; executions per idempotency key max "
            "%d (%d keys), per intended action max %d (%d actions); records lost %d; rows left "
            "open %d" % (kind, t["runs"], t["kills"], t["faults"], t["weekends"],
                         t["max_per_key"], t["keys"], t["max_per_action"], t["actions"],
                         t["lost"], t["left_open"])
            + "; kills by the call's outbox row: %s" % ", ".join(
                "%s %d" % kv for kv in sorted(t.get("killed_at", {}).items())))


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
    ap.add_argument("--subscription-runs", type=int, help="default: --runs")
    ap.add_argument("--refund-runs", type=int, help="default: --runs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", help="paydesk, for the subscription runs")
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
    paydesk = os.path.abspath(args.bin or os.path.join(ROOT, "paydesk"))
    for kind, runs, tool in (("subscriptions", args.subscription_runs, paydesk),
                             ("refunds", args.refund_runs, pay_driver_path(args.tools_dir))):
        runs = args.runs if runs is None else runs
        if not runs:
            continue
        start = time.monotonic()
        t3, p3 = stress_kind(kind, runs, args.seed, tool)
        print(kind_summary(kind, t3) + " (%.0fs)" % (time.monotonic() - start), flush=True)
        problems += p3
    if problems:
        print("stress: %d problem(s)" % len(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
