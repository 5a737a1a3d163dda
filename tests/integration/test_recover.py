"""A payment left in flight by a crash is finished at the next start: by
`paydesk recover`, and by the TUI once the vault is unlocked, which tells
the desk what it resolved. Exactly one charge either way."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402
from tmuxharness import Home, Terminal, paydesk_bin  # noqa: E402

TOOLS = os.environ.get("PAYDESK_TOOLS_DIR", os.path.join(ROOT, "build", "tools"))
DRIVER = os.path.join(TOOLS, "stripe_driver")
PAY_DRIVER = os.path.join(TOOLS, "pay_driver")
PASS = "recover test passphrase"


class RecoverTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**os.environ, **self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
                    "PAYDESK_PASSPHRASE": PASS}
        out = subprocess.run([paydesk_bin(), "setup", "--account", "acct_1FakePlatform000",
                              "--allow-secret-key"], input=DEFAULT_KEY + "\n", text=True,
                             capture_output=True, env=self.env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)

    def crash_during_confirm(self):
        """A payment whose confirm reached Stripe, but paydesk died before it
        recorded the answer: its outbox row stays 'sent'."""
        self.fake.add_fault("latency", method="POST", path_prefix="/v1/payment_intents/",
                            ms=1500, count=1)
        env = dict(self.env, PAYDESK_TEST_STRIPE_KEY=DEFAULT_KEY)
        proc = subprocess.Popen([DRIVER, "--api-base", self.fake.base_url, "--db", self.home.db,
                                 "--log", self.home.log, "pay", "--confirm", "pm_card_visa"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.states() != ["done", "sent"]:
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.fake.counts().get("charge", 0) < 1:
            time.sleep(0.05)
        self.assertEqual(self.states(), ["done", "sent"])
        self.assertEqual(self.fake.counts()["charge"], 1)

    def states(self):
        db = sqlite3.connect(self.home.db)
        rows = [r[0] for r in db.execute("SELECT state FROM outbox ORDER BY id")]
        db.close()
        return rows

    def test_paydesk_recover(self):
        self.crash_during_confirm()
        out = subprocess.run([paydesk_bin(), "recover"], text=True, capture_output=True,
                             env=self.env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("1 call looked at, 0 still open", out.stdout)
        self.assertEqual(self.states(), ["done", "done"])
        self.assertEqual(self.fake.counts()["charge"], 1)  # replayed, not charged again

    def test_recover_waits_while_another_desk_is_open(self):
        """What is in flight may be another running desk's own: recovery leaves it
        alone until paydesk is the only one on the database."""
        self.crash_during_confirm()
        env = {k: v for k, v in self.env.items() if k != "PAYDESK_PASSPHRASE"}
        with Terminal([paydesk_bin()], 80, 24, env=env) as t:  # another desk, still locked
            t.wait_for("Vault locked")
            out = subprocess.run([paydesk_bin(), "recover"], text=True, capture_output=True,
                                 env=self.env, timeout=60)
            self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
            self.assertIn("another paydesk is using this database", out.stderr)
            self.assertEqual(self.states(), ["done", "sent"])  # untouched
            t.send("Escape")
            t.send("q")
            self.assertEqual(t.exit_status(), 0)
        out = subprocess.run([paydesk_bin(), "recover"], text=True, capture_output=True,
                             env=self.env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(self.states(), ["done", "done"])
        self.assertEqual(self.fake.counts()["charge"], 1)

    def test_tui_finishes_it_after_unlock(self):
        self.crash_during_confirm()
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin()], 80, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.type(PASS)
            t.send("Enter")
            t.wait_for("finished 1 interrupted call", timeout=20)
            t.send("q")
            self.assertEqual(t.exit_status(), 0)
        self.assertEqual(self.states(), ["done", "done"])
        self.assertEqual(self.fake.counts()["charge"], 1)


class RecoverAppointmentTest(RecoverTest):
    """The appointment a crashed payment was for ends up as if the payment had
    finished normally: what `paydesk agenda` and the store show after recovery."""
    # The set-up is shared; the outbox-only cases above are not run twice.
    test_paydesk_recover = None
    test_tui_finishes_it_after_unlock = None

    def drive(self, *args, expect=0):
        env = dict(self.env, PAYDESK_TEST_STRIPE_KEY=DEFAULT_KEY)
        out = subprocess.run([PAY_DRIVER, "--api-base", self.fake.base_url, "--db", self.home.db,
                              "--log", self.home.log, "--user", "sam"] + list(args),
                             env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, expect, out.stdout + out.stderr)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def booked_with_card(self, pm):
        self.drive("settings", "bill_with_stripe", "on")
        cid = self.drive("client", "Amy Pond", "amy@example.com")["subject"]["id"]
        cus = self.drive("sync", str(cid))["subject"]["customer"]
        r = self.fake.api("POST", "/v1/payment_methods/%s/attach" % pm, {"customer": cus})
        self.assertEqual(r.status, 200, r.json())
        self.drive("cards", str(cid))
        return self.drive("book", str(cid), "4000", "usd")["subject"]

    def pay_and_kill(self, appt, slow_path, states):
        """Start the card payment with slow_path held by the fake, SIGKILL it
        once the outbox shows states (the call under way)."""
        self.fake.add_fault("latency", method="POST", path_prefix=slow_path, ms=1500, count=1)
        env = dict(self.env, PAYDESK_TEST_STRIPE_KEY=DEFAULT_KEY)
        proc = subprocess.Popen([PAY_DRIVER, "--api-base", self.fake.base_url, "--db",
                                 self.home.db, "--log", self.home.log, "--user", "sam", "card",
                                 str(appt["id"])], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.pi_states() != states:
            time.sleep(0.02)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.assertEqual(self.pi_states(), states)
        time.sleep(1.5)  # the fake finishes what it received
        stored = self.drive("show", str(appt["id"]))["subject"]
        self.assertEqual(stored["payment"], "pending")  # what the crash left

    def pi_states(self):
        db = sqlite3.connect(self.home.db)
        rows = [r[0] for r in db.execute(
            "SELECT state FROM outbox WHERE path LIKE '/v1/payment_intents%' ORDER BY id")]
        db.close()
        return rows

    def recover(self):
        out = subprocess.run([paydesk_bin(), "recover"], text=True, capture_output=True,
                             env=self.env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("1 appointment payment recorded, 0 still open", out.stdout)
        return out.stdout

    def agenda_row(self):
        day = time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400))
        out = subprocess.run([paydesk_bin(), "agenda", "--date", day], text=True,
                             capture_output=True, env=self.env, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        rows = [line for line in out.stdout.splitlines() if "Amy Pond" in line]
        self.assertEqual(len(rows), 1, out.stdout)
        return rows[0]

    def attempts(self):
        db = sqlite3.connect(self.home.db)
        rows = db.execute("SELECT status, payment_intent_id, message FROM appointment_payments"
                          " ORDER BY id").fetchall()
        audit = [r[0] for r in db.execute("SELECT action || '|' || actor FROM audit_log"
                                         " WHERE action LIKE 'payment.card.%'")]
        db.close()
        return rows, audit

    def test_paid_in_flight_shows_paid_and_confirmed(self):
        appt = self.booked_with_card("pm_card_visa")
        self.pay_and_kill(appt, "/v1/payment_intents/", ["done", "sent"])
        self.recover()
        self.assertEqual(self.fake.counts()["charge"], 1)
        shown = self.drive("show", str(appt["id"]))["subject"]
        self.assertEqual((shown["state"], shown["payment"]), ("confirmed", "paid"))
        self.assertTrue(shown["payment_intent_id"].startswith("pi_"))
        row = self.agenda_row()
        self.assertIn("paid", row)
        self.assertIn("confirmed", row)
        attempts, audit = self.attempts()
        self.assertEqual(attempts[0][0], "succeeded")
        self.assertIn("finished after paydesk restarted", attempts[0][2])
        self.assertEqual(audit, ["payment.card.succeeded|sam"])  # in the name of who started it
        # A second start finds nothing more to do and changes nothing.
        again = subprocess.run([paydesk_bin(), "recover"], text=True, capture_output=True,
                               env=self.env, timeout=60)
        self.assertEqual(again.returncode, 0)
        self.assertNotIn("appointment payment", again.stdout)

    def test_declined_in_flight_shows_failed_and_unpaid(self):
        appt = self.booked_with_card("pm_card_chargeDeclinedInsufficientFunds")
        self.pay_and_kill(appt, "/v1/payment_intents/", ["done", "sent"])
        self.recover()
        shown = self.drive("show", str(appt["id"]))["subject"]
        pi = self.fake.api("GET", "/v1/payment_intents/" + shown["payment_intent_id"]).json()
        self.assertNotEqual(pi["status"], "succeeded")
        self.assertEqual((shown["state"], shown["payment"]), ("booked", "failed"))
        self.assertIn("failed", self.agenda_row())
        attempts, audit = self.attempts()
        self.assertEqual(attempts[0][0], "failed")
        self.assertIn("insufficient funds", attempts[0][2])
        self.assertEqual(audit, ["payment.card.failed|sam"])
        # The desk can take it again (nothing is left "under way").
        self.drive("link", str(appt["id"]))

    def test_killed_before_confirm_is_recorded_as_not_charged(self):
        appt = self.booked_with_card("pm_card_visa")
        self.pay_and_kill(appt, "/v1/payment_intents", ["sent"])
        self.recover()
        self.assertEqual(self.fake.counts().get("charge", 0), 0)
        shown = self.drive("show", str(appt["id"]))["subject"]
        self.assertEqual((shown["state"], shown["payment"]), ("booked", "failed"))
        self.assertIn("failed", self.agenda_row())
        attempts, _ = self.attempts()
        self.assertIn("Not charged", attempts[0][2])

    def test_tui_shows_the_recovered_payment(self):
        appt = self.booked_with_card("pm_card_visa")
        self.pay_and_kill(appt, "/v1/payment_intents/", ["done", "sent"])
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin()], 80, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.type(PASS)
            t.send("Enter")
            t.wait_for("finished 1 interrupted call", timeout=20)
            t.send("l")  # the agenda of tomorrow, where it was booked
            t.wait_for("Amy Pond")
            screen = t.wait_for("paid")
            self.assertIn("Amy Pond", screen)
            t.send("q")
            self.assertEqual(t.exit_status(), 0)
        self.assertEqual(self.fake.counts()["charge"], 1)


if __name__ == "__main__":
    unittest.main()
