"""paydesk's Stripe client, outbox and workers against the fake Stripe server.

Drives build/tools/stripe_driver (PAYDESK_TOOLS_DIR) and checks both sides: what the
driver's outbox recorded and what the fake saw (request log, object counts). Retry waits
are scaled down with --sleep-scale; the waits the policy asked for are still checked.
"""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402

TOOLS = os.environ.get("PAYDESK_TOOLS_DIR", os.path.join(ROOT, "build", "tools"))
DRIVER = os.path.join(TOOLS, "stripe_driver")
PI_PATH = "/v1/payment_intents"


class StripeOutboxTest(unittest.TestCase):
    fake = None

    @classmethod
    def setUpClass(cls):
        if not os.access(DRIVER, os.X_OK):
            raise unittest.SkipTest("stripe_driver not built (%s)" % DRIVER)
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        if cls.fake:
            cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.dir = tempfile.mkdtemp(prefix="paydesk-it-")
        self.db = os.path.join(self.dir, "paydesk.db")
        self.log = os.path.join(self.dir, "paydesk.log")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers -------------------------------------------------------------------------------

    def argv(self, *args, scale="0.01"):
        return [DRIVER, "--api-base", self.fake.base_url, "--db", self.db, "--log", self.log,
                "--sleep-scale", scale, "--max-retries", "3"] + list(args)

    def env(self):
        return dict(os.environ, PAYDESK_TEST_STRIPE_KEY=DEFAULT_KEY)

    def drive(self, *args, expect=0):
        """Run the driver; returns (step objects, waits asked for)."""
        proc = subprocess.run(self.argv(*args), env=self.env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(proc.returncode, expect, proc.stdout + proc.stderr)
        lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        self.assertIn("waits_asked", lines[-1])
        return lines[:-1], lines[-1]["waits_asked"]

    def outbox(self):
        con = sqlite3.connect(self.db)
        con.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in con.execute("SELECT * FROM outbox ORDER BY id")]
        finally:
            con.close()

    def row_state(self, row_id):
        """State of an outbox row, or None while the driver is still creating the store."""
        if not os.path.exists(self.db):
            return None
        try:
            rows = self.outbox()
        except sqlite3.Error:  # schema not migrated yet, or the write lock is held
            return None
        return next((r["state"] for r in rows if r["id"] == row_id), None)

    def posts(self, path_prefix=PI_PATH):
        return self.fake.requests(method="POST", path_prefix=path_prefix)

    def wait_until(self, what, predicate, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = predicate()
            if value:
                return value
            time.sleep(0.02)
        self.fail("timed out waiting for " + what)

    # -- the happy path ------------------------------------------------------------------------

    def test_payment_with_confirm_headers_and_encoding(self):
        steps, waits = self.drive("pay", "--amount", "4000", "--currency", "gbp",
                                  "--confirm", "pm_card_visa")
        self.assertEqual([s["step"] for s in steps], ["create", "confirm"])
        for s in steps:
            self.assertEqual(s["outbox"]["state"], "done")
            self.assertEqual(s["attempts"], 1)
            self.assertTrue(s["request_id"].startswith("req_"))
        pi = steps[0]["outbox"]["object_id"]
        self.assertTrue(pi.startswith("pi_"))
        self.assertEqual(steps[1]["outbox"]["object_status"], "succeeded")
        self.assertEqual(waits, [])

        reqs = self.posts()
        self.assertEqual(len(reqs), 2)
        rows = self.outbox()
        for req, row in zip(reqs, rows):
            h = {k.lower(): v for k, v in req["headers"].items()}
            self.assertEqual(h["stripe-version"], "2022-11-15")
            self.assertTrue(h["user-agent"].startswith("paydesk/"))
            self.assertEqual(h["content-type"], "application/x-www-form-urlencoded")
            self.assertEqual(req["auth"]["scheme"], "Bearer")
            self.assertEqual(req["idempotency_key"], row["idempotency_key"])
            self.assertEqual(req["request_id"], row["request_id"])
        create = reqs[0]["params"]
        self.assertEqual(create["amount"], "4000")
        self.assertEqual(create["description"], "Haircut & wash = 1 visit")
        self.assertEqual(create["metadata"], {"appointment_id": "A-1"})
        self.assertEqual(reqs[1]["path"], "%s/%s/confirm" % (PI_PATH, pi))
        self.assertEqual(rows[0]["params"], reqs[0]["raw_body"])

        counts = self.fake.counts()
        self.assertEqual((counts["payment_intent"], counts["charge"]), (1, 1))
        # The key never lands in the store or the log.
        for path in (self.db, self.log, self.db + "-wal"):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    self.assertNotIn(DEFAULT_KEY.encode(), f.read(), path)

    # -- lost answers and crashes --------------------------------------------------------------

    def test_lost_response_is_retried_with_the_same_key(self):
        self.fake.add_fault("drop", method="POST", path_prefix=PI_PATH, count=1)
        steps, waits = self.drive("pay")
        step = steps[0]
        self.assertEqual(step["outbox"]["state"], "done")
        self.assertEqual(step["attempts"], 2)
        self.assertTrue(step["replayed"])
        self.assertEqual(len(waits), 1)

        reqs = self.posts()
        self.assertEqual(len(reqs), 2)
        self.assertEqual(reqs[0]["fault"], "drop")
        self.assertEqual({r["idempotency_key"] for r in reqs}, {step["idempotency_key"]})
        self.assertTrue(reqs[1]["replayed"])
        self.assertEqual(self.fake.counts()["payment_intent"], 1)
        pi = step["outbox"]["object_id"]
        self.assertTrue(pi.startswith("pi_"))
        self.assertEqual(self.fake.object(pi)["id"], pi)
        self.assertEqual(self.outbox()[0]["object_id"], pi)

    def test_sigkill_between_send_and_record_is_recovered(self):
        # The confirm sits 1.5 s at the fake; paydesk dies while waiting for it.
        self.fake.add_fault("latency", method="POST", path_prefix=PI_PATH + "/", ms=1500,
                            count=1)
        proc = subprocess.Popen(self.argv("pay", "--confirm", "pm_card_visa"), env=self.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.wait_until("the confirm to be marked sent", lambda: self.row_state(2) == "sent")
            time.sleep(0.3)  # the request is on the wire well before the fake answers
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=5)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        # The fake finished the confirm (one charge); paydesk never recorded it.
        self.wait_until("the fake to execute the confirm",
                        lambda: len(self.posts(PI_PATH + "/")) == 1)
        self.assertEqual(self.fake.counts()["charge"], 1)
        rows = self.outbox()
        self.assertEqual([r["state"] for r in rows], ["done", "sent"])
        self.assertIsNone(rows[1]["object_id"])

        steps, _ = self.drive("recover")
        resolved = steps[0]["resolved"]
        self.assertEqual(len(resolved), 1)
        self.assertEqual(resolved[0]["id"], 2)
        self.assertEqual((resolved[0]["before"], resolved[0]["after"]), ("sent", "done"))
        self.assertEqual(resolved[0]["object_id"], rows[0]["object_id"])
        self.assertIn("succeeded", resolved[0]["message"])

        confirms = self.posts(PI_PATH + "/")
        self.assertEqual(len(confirms), 2)
        self.assertEqual(confirms[0]["idempotency_key"], confirms[1]["idempotency_key"])
        self.assertEqual(confirms[0]["idempotency_key"], rows[1]["idempotency_key"])
        self.assertTrue(confirms[1]["replayed"])
        counts = self.fake.counts()
        self.assertEqual((counts["payment_intent"], counts["charge"]), (1, 1))
        row = self.outbox()[1]
        self.assertEqual((row["state"], row["object_status"]), ("done", "succeeded"))
        # Nothing left open: a second start resolves nothing.
        steps, _ = self.drive("recover")
        self.assertEqual(steps[0]["resolved"], [])

    # -- retries -------------------------------------------------------------------------------

    def test_429_retried_after_retry_after(self):
        self.fake.add_fault("rate_limit", method="POST", path_prefix=PI_PATH, count=2,
                            retry_after=1)
        steps, waits = self.drive("pay")
        self.assertEqual(steps[0]["outbox"]["state"], "done")
        self.assertEqual(steps[0]["attempts"], 3)
        self.assertEqual(steps[0]["outbox"]["attempts"], 3)
        self.assertEqual(len(waits), 2)
        for w in waits:
            self.assertGreaterEqual(w, 1.0)  # Retry-After: 1 honoured
            self.assertLessEqual(w, 8.0)
        reqs = self.posts()
        self.assertEqual([r["status"] for r in reqs], [429, 429, 200])
        self.assertEqual(len({r["idempotency_key"] for r in reqs}), 1)
        self.assertEqual(self.fake.counts()["payment_intent"], 1)

    def test_503_retried_with_backoff(self):
        self.fake.add_fault("error", status=503, method="POST", path_prefix=PI_PATH, count=2)
        steps, waits = self.drive("pay")
        self.assertEqual(steps[0]["outbox"]["state"], "done")
        reqs = self.posts()
        self.assertEqual([r["status"] for r in reqs], [503, 503, 200])
        self.assertEqual(len({r["idempotency_key"] for r in reqs}), 1)
        self.assertEqual(len(waits), 2)
        self.assertTrue(0.5 <= waits[0] <= 0.5 + 1e-9, waits)  # first retry: the base
        self.assertTrue(0.5 <= waits[1] <= 1.0, waits)         # then doubled, jittered

    def test_retries_are_bounded(self):
        self.fake.add_fault("error", status=503, method="POST", path_prefix=PI_PATH)
        steps, waits = self.drive("pay", expect=2)
        step = steps[0]
        self.assertEqual(step["attempts"], 4)  # 1 + --max-retries 3
        self.assertEqual(len(waits), 3)
        self.assertEqual(len(self.posts()), 4)
        # A 5xx leaves the outcome open: the row waits for recovery, not "failed".
        self.assertEqual(step["outbox"]["state"], "unknown")
        self.fake.clear_faults()
        steps, _ = self.drive("recover")
        self.assertEqual(steps[0]["resolved"][0]["after"], "done")
        self.assertEqual(self.fake.counts()["payment_intent"], 1)

    def test_should_retry_false_is_obeyed(self):
        self.fake.add_fault("error", status=500, should_retry=False, method="POST",
                            path_prefix=PI_PATH, count=1)
        steps, waits = self.drive("pay", expect=2)
        self.assertEqual(steps[0]["attempts"], 1)
        self.assertEqual(waits, [])
        self.assertEqual(len(self.posts()), 1)

    def test_decline_is_not_retried_and_reported(self):
        steps, waits = self.drive("pay", "--confirm", "pm_card_visa_chargeDeclined", expect=2)
        confirm = steps[1]
        self.assertEqual(confirm["http_status"], 402)
        self.assertEqual(confirm["attempts"], 1)
        self.assertEqual(waits, [])
        self.assertEqual(confirm["error"]["type"], "card_error")
        self.assertEqual(confirm["error"]["code"], "card_declined")
        self.assertEqual(confirm["error"]["decline_code"], "generic_decline")
        self.assertTrue(confirm["error"]["request_id"].startswith("req_"))
        self.assertIn("generic_decline", confirm["message"])
        self.assertEqual(confirm["outbox"]["state"], "failed")
        self.assertEqual(confirm["outbox"]["decline_code"], "generic_decline")
        self.assertEqual(len(self.posts(PI_PATH + "/")), 1)
        # Declines are final: recovery leaves them alone.
        steps, _ = self.drive("recover")
        self.assertEqual(steps[0]["resolved"], [])

    # -- broken answers ------------------------------------------------------------------------

    def test_malformed_json_is_read_again(self):
        """An unreadable 200 is asked for again at once (bounded); only one that stays
        unreadable is an error."""
        self.fake.add_fault("malformed_json", method="GET", path_prefix="/v1/balance", count=1)
        steps, _ = self.drive("get", "/v1/balance")
        self.assertEqual((steps[0]["outcome"], steps[0]["attempts"]), ("ok", 2))
        self.fake.add_fault("malformed_json", method="GET", path_prefix="/v1/balance")
        steps, _ = self.drive("get", "/v1/balance", expect=1)
        self.assertEqual(steps[0]["outcome"], "bad_body")
        self.assertIn("not a JSON object", steps[0]["message"])
        self.assertEqual(steps[0]["attempts"], 4)
        self.assertTrue(steps[0]["request_id"].startswith("req_"))

    def test_malformed_json_on_a_payment_is_resolved_in_the_same_call(self):
        """The create ran; its answer was unreadable: the same key gets Stripe's stored
        answer now, so the payment is not left for the next start."""
        self.fake.add_fault("malformed_json", method="POST", path_prefix=PI_PATH, count=1)
        steps, _ = self.drive("pay")
        self.assertEqual(steps[0]["outbox"]["state"], "done")
        self.assertEqual(steps[0]["attempts"], 2)
        self.assertTrue(steps[0]["replayed"])
        self.assertEqual(self.fake.counts()["payment_intent"], 1)
        self.assertEqual(self.fake.object(steps[0]["outbox"]["object_id"])["amount"], 500)

    def test_truncated_body_is_retried(self):
        self.fake.add_fault("truncated", method="POST", path_prefix=PI_PATH, count=1)
        steps, _ = self.drive("pay")
        self.assertEqual(steps[0]["outbox"]["state"], "done")
        self.assertEqual(steps[0]["attempts"], 2)
        self.assertEqual(self.fake.counts()["payment_intent"], 1)

    # -- workers -------------------------------------------------------------------------------

    def test_interactive_job_overtakes_slow_background_job(self):
        self.fake.add_fault("latency", method="GET", path_prefix="/v1/balance", ms=5000)
        steps, _ = self.drive("lanes", "--slow", "/v1/balance")
        out = steps[0]
        order = out["completions"]
        self.assertEqual(out["pending_before"], 3)
        self.assertEqual(order[0]["id"], out["pay_id"])
        self.assertEqual((order[0]["lane"], order[0]["status"]), ("interactive", "done"))
        self.assertEqual(out["pending_after_pay"], 3)  # background work still waiting
        background = order[1:]
        self.assertEqual(len(background), 3)
        self.assertEqual({b["status"] for b in background}, {"cancelled"})
        self.assertEqual(self.fake.counts()["payment_intent"], 1)
        # Only one slow request reached the fake: the queued ones were removed.
        self.wait_until("the slow request to finish at the fake",
                        lambda: len(self.fake.requests(method="GET")) >= 1, timeout=10)
        self.assertEqual(len(self.fake.requests(method="GET")), 1)

    def test_cancel_after_send_is_reconciled_not_forgotten(self):
        self.fake.add_fault("latency", method="POST", path_prefix=PI_PATH, ms=1500, count=1)
        steps, _ = self.drive("cancel-pay")
        out = steps[0]
        self.assertEqual(out["cancel_rc"], 0)
        self.assertEqual(out["completions"][0]["status"], "reconcile")
        row = self.outbox()[0]
        self.assertEqual(row["state"], "unknown")  # open, waiting to be resolved
        self.assertIsNone(row["object_id"])
        # The fake still runs the request it received; resolving finds that payment.
        self.wait_until("the fake to execute the payment", lambda: len(self.posts()) == 1)
        steps, _ = self.drive("recover")
        res = steps[0]["resolved"][0]
        self.assertEqual((res["before"], res["after"]), ("unknown", "done"))
        self.assertEqual(self.fake.counts()["payment_intent"], 1)
        reqs = self.posts()
        self.assertEqual(len({r["idempotency_key"] for r in reqs}), 1)
        self.assertTrue(reqs[1]["replayed"])


if __name__ == "__main__":
    unittest.main()
