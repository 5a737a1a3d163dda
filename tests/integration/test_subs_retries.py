"""No money movement runs twice, even when a person retries (issue 16):
a subscribe whose outcome is unknown (a malformed 200, a kill, Stripe down)
is said to be unknown, is finished by `paydesk recover` into the local store,
and a second subscribe of the same client to the same plan is refused unless
asked for with --second; a row older than Stripe's 24 h idempotency window is
settled by looking the object up, not by a re-send (a weekend on the fake's
clock: one subscription, one refund). Cancel and pause work with billing off."""
import os
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import test_recover as recover_base  # noqa: E402
import test_subscriptions as subs_base  # noqa: E402
from tmuxharness import Terminal, paydesk_bin  # noqa: E402

WEEKEND = 60 * 3600


def _only_new_tests(cls, base):
    """cls inherits base's set-up and helpers, not its tests (run in their own file)."""
    for name in dir(base):
        if name.startswith("test_") and name not in cls.__dict__:
            setattr(cls, name, None)
    return cls


class SubscribeRetryTest(subs_base.SubscriptionsTest):

    def fake_subs(self, customer):
        return self.api("GET", "/v1/subscriptions", {"customer": customer,
                                                     "status": "all"})["data"]

    def customer(self, cid):
        return self.sql("SELECT stripe_customer_id FROM clients WHERE id = ?", cid)[0][0]

    def outbox(self):
        return self.sql("SELECT state FROM outbox WHERE path = '/v1/subscriptions' ORDER BY id")

    def subscribe_killed(self, cid, plan):
        """subscribe, SIGKILLed while Stripe holds the create: the row stays 'sent'."""
        self.fake.add_fault("latency", method="POST", path_prefix="/v1/subscriptions",
                            ms=1500, count=1)
        proc = subprocess.Popen([paydesk_bin(), "subscriptions", "subscribe", "--client",
                                 str(cid), "--plan", str(plan)], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.outbox() != [("sent",)]:
            time.sleep(0.02)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.assertEqual(self.outbox(), [("sent",)])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not self.fake_subs(self.customer(cid)):
            time.sleep(0.05)
        self.assertEqual(len(self.fake_subs(self.customer(cid))), 1)

    def test_malformed_200_is_resolved_in_the_same_call(self):
        plan = self.plan()
        cid, _ = self.client("Ada Brown")
        self.fake.add_fault("malformed_json", method="POST", path_prefix="/v1/subscriptions",
                            count=1)
        out = self.subscribe(cid, plan, check=None)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("active", out.stdout)
        self.assertEqual(self.outbox(), [("done",)])
        self.assertEqual(len(self.fake_subs(self.customer(cid))), 1)
        [s] = self.subs()
        self.assertEqual(s["status"], "active")

    def test_unknown_outcome_is_said_and_recover_finishes_it(self):
        plan = self.plan()
        cid, _ = self.client("Ben Carter")
        self.fake.add_fault("error", method="POST", path_prefix="/v1/subscriptions",
                            status=500, execute=False, should_retry=False)
        out = self.subscribe(cid, plan, check=None)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("outcome unknown", out.stderr)
        self.assertIn("paydesk recover", out.stderr)
        self.assertIn("nothing will be charged twice", out.stderr)
        self.assertEqual(self.outbox(), [("unknown",)])
        # Retrying by hand is refused while that one is open.
        out = self.subscribe(cid, plan, check=None)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("paydesk recover", out.stderr)
        self.fake.clear_faults()
        out = self.paydesk("recover")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(len(self.fake_subs(self.customer(cid))), 1)
        [s] = self.subs()
        self.assertEqual(s["client_id"], cid)
        self.assertIn("subscription.create", self.audit())

    def test_killed_subscribe_recorded_by_recover_and_not_made_twice(self):
        plan = self.plan()
        cid, _ = self.client("Cara Diaz")
        self.subscribe_killed(cid, plan)
        out = self.subscribe(cid, plan, check=None)  # the desk retries by hand
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("paydesk recover", out.stderr)
        self.assertEqual(len(self.fake_subs(self.customer(cid))), 1)
        out = self.paydesk("recover")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        [s] = self.subs()
        self.assertEqual((s["client_id"], s["status"]), (cid, "active"))
        self.assertIn("subscription.create", self.audit())
        # Now stored: a second one needs --second.
        out = self.subscribe(cid, plan, check=None)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("--second", out.stderr)
        self.assertEqual(len(self.fake_subs(self.customer(cid))), 1)
        self.subscribe(cid, plan, "--second", check=0)
        self.assertEqual(len(self.fake_subs(self.customer(cid))), 2)

    def test_tui_start_records_the_killed_subscribe(self):
        """The desk's own start-up recovery writes the subscription into the
        screen's copy and says so."""
        plan = self.plan()
        cid, _ = self.client("Gus Hale")
        self.subscribe_killed(cid, plan)
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin(), "--screen", "subscriptions"], 100, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.type(subs_base.PASS)
            t.send("Enter")
            t.wait_for("1 subscription recorded", timeout=30)
            t.send("q")
            time.sleep(0.5)
            if "Quit paydesk?" in t.screen():  # the tab's own sync may still run
                t.send("y")
            self.assertEqual(t.exit_status(), 0)
        [s] = self.subs()
        self.assertEqual((s["client_id"], s["status"]), (cid, "active"))
        self.assertEqual(len(self.fake_subs(self.customer(cid))), 1)

    def test_weekend_old_row_is_looked_up_not_resent(self):
        plan = self.plan()
        cid, _ = self.client("Dan Evans")
        self.subscribe_killed(cid, plan)
        # Monday: the row is 60 h old here, and Stripe has forgotten its key.
        self.sql("UPDATE outbox SET created_at = created_at - ?, updated_at = updated_at - ?",
                 WEEKEND, WEEKEND)
        self.fake.advance_clock(WEEKEND)
        out = self.paydesk("recover")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(len(self.fake_subs(self.customer(cid))), 1)
        self.assertEqual(self.outbox(), [("done",)])
        [s] = self.subs()
        self.assertEqual(s["client_id"], cid)

    def test_cancel_and_pause_allowed_with_billing_off(self):
        plan = self.plan()
        cid, _ = self.client("Eve Fox")
        self.subscribe(cid, plan)
        [s] = self.subs()
        self.sql("UPDATE settings SET value = 'off' WHERE key = 'bill_with_stripe'")
        self.paydesk("subscriptions", "pause", str(s["id"]), check=0)
        self.assertTrue(self.sub(s["id"])["paused"])
        self.paydesk("subscriptions", "cancel", str(s["id"]), check=0)
        self.assertEqual(self.sub(s["id"])["status"], "canceled")
        self.assertEqual(self.api("GET", f"/v1/subscriptions/{s['stripe_id']}")["status"],
                         "canceled")


_only_new_tests(SubscribeRetryTest, subs_base.SubscriptionsTest)


class RefundWeekendTest(recover_base.RecoverAppointmentTest):

    def refund_states(self):
        return [r[0] for r in self.sql_rows(
            "SELECT state FROM outbox WHERE path = '/v1/refunds' ORDER BY id")]

    def sql_rows(self, q, *args):
        import sqlite3
        con = sqlite3.connect(self.home.db)
        try:
            rows = con.execute(q, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def test_weekend_old_refund_is_looked_up_not_resent(self):
        appt = self.booked_with_card("pm_card_visa")
        self.drive("card", str(appt["id"]))
        self.fake.add_fault("latency", method="POST", path_prefix="/v1/refunds", ms=1500,
                            count=1)
        env = dict(self.env, PAYDESK_TEST_STRIPE_KEY=recover_base.DEFAULT_KEY)
        proc = subprocess.Popen([recover_base.PAY_DRIVER, "--api-base", self.fake.base_url,
                                 "--db", self.home.db, "--user", "sam", "--amount", "1500",
                                 "refund", str(appt["id"])], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.refund_states() != ["sent"]:
            time.sleep(0.02)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.assertEqual(self.refund_states(), ["sent"])
        time.sleep(1.5)  # the fake finishes the refund it received
        self.assertEqual(self.fake.counts()["refund"], 1)
        self.sql_rows("UPDATE outbox SET created_at = created_at - ?, updated_at = updated_at - ?",
                      WEEKEND, WEEKEND)
        self.fake.advance_clock(WEEKEND)
        out = subprocess.run([paydesk_bin(), "recover"], text=True, capture_output=True,
                             env=self.env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(self.fake.counts()["refund"], 1)
        self.assertEqual(self.refund_states(), ["done"])
        shown = self.drive("show", str(appt["id"]))["subject"]
        self.assertEqual(shown["payment"], "partially_refunded")


_only_new_tests(RefundWeekendTest, recover_base.RecoverAppointmentTest)


if __name__ == "__main__":
    unittest.main()
