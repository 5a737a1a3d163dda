"""A booking with a required deposit, end to end in tmux at 80x24 (issue 18): an admin sets
the service's policy with `paydesk policies`, the desk books a client and is shown the policy
and what it asks before booking; the client accepts at the desk; the deposit is asked for with
its amount prefilled; left unpaid the booking stays awaiting payment, and p asks for the
deposit again; paid in cash it is confirmed and reads "deposit 5.00 · 20.00 due"."""
import os
import sqlite3
import subprocess
import sys
import unittest

from tmuxharness import Home, Terminal, paydesk_bin

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))

from fakeclient import FakeStripe  # noqa: E402

KEY = "rk_test_51PolicyDepositEndToEndKey00000"
PUBLISHABLE = "pk_test_51PolicyDepositEndToEndKey00000"
PLATFORM = "acct_1FakePlatform000"
PASSPHRASE = "policy deposit passphrase"


class PolicyDeposit(unittest.TestCase):
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
        self.env = {**self.home.env, "PAYDESK_TIMEZONE": "UTC",
                    "PAYDESK_API_BASE": self.fake.base_url, "PAYDESK_PASSPHRASE": PASSPHRASE}

    def paydesk(self, *args, input=None):
        return subprocess.run([paydesk_bin(), *args], input=input, text=True,
                              capture_output=True, env={**os.environ, **self.env})

    def query(self, sql):
        con = sqlite3.connect(self.home.db)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def test_booking_with_a_required_deposit(self):
        setup = self.paydesk("setup", "--account", PLATFORM, "--publishable", PUBLISHABLE,
                             input=KEY + "\n")
        self.assertEqual(setup.returncode, 0, setup.stdout + setup.stderr)
        self.fake.clear_requests()  # setup's probes
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        t.send("2")
        t.wait_for("Clients · Services · Staff")
        t.send("n")
        t.wait_for("New client")
        t.type("Zoë Martin")
        t.send("C-s")
        t.wait_for("client added: Zoë Martin")
        t.send("v")
        t.wait_for("No services yet")
        t.send("n")
        t.type("Haircut")
        t.send("Tab")
        t.type("60")
        t.send("Tab")
        t.type("25")
        t.send("C-s")
        t.wait_for("service added: Haircut")
        t.send("v")
        t.wait_for("No staff yet")
        t.send("n")
        t.type("Alice")
        t.send("Tab")
        t.type("mon-sun 08:00-20:00")
        t.send("C-s")
        t.wait_for("staff member added: Alice")

        # The admin sets the policy headless while the desk is open (the passphrase is the
        # admin's proof here).
        set_ = self.paydesk("policies", "set", "Haircut", "--deposit", "20%",
                            "--deposit-required", "--window", "24", "--late-fee", "50%",
                            "--late", "keep-deposit")
        self.assertEqual(set_.returncode, 0, set_.stdout + set_.stderr)

        t.send("1")
        t.wait_for("Day agenda")
        t.send("n")
        t.wait_for("Book an appointment")
        t.type("martin")
        t.wait_for("> Zoë Martin")
        t.send("Tab", "Tab", "Tab")
        t.send("C-u")
        t.type("2030-01-07")
        t.send("Tab")
        t.type("10:00")
        # The form shows the policy and what it asks, and how it is accepted.
        screen = t.wait_for("Booking policy: asks deposit 5.00 USD required")
        if os.environ.get("SHOW_SCREENS"):
            print(screen)
        self.assertIn("accepted at the desk", screen)
        t.send("C-p")
        t.wait_for("accepted by phone")
        t.send("C-p")
        t.wait_for("accepted at the desk")
        t.send("C-s")
        screen = t.wait_for("The client accepts it at the desk")
        if os.environ.get("SHOW_SCREENS"):
            print(screen)
        self.assertIn("Asks: deposit 5.00 USD required", screen)
        self.assertIn("Deposit 5.00 USD at booking (required)", screen)
        self.assertEqual(self.query("SELECT count(*) FROM appointments"), [(0,)])
        t.send("y")
        screen = t.wait_for("Take payment · Zoë Martin · Haircut 5.00 USD")
        self.assertIn("deposit required", screen)
        rows = self.query("SELECT how, text FROM policy_acceptances")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], "desk")
        self.assertIn("Deposit 5.00 USD at booking (required)", rows[0][1])

        # Not paid now: the booking waits for its deposit; p asks for it again.
        t.send("Escape")
        t.wait_for(r"awaiting\s", regex=True)
        self.assertEqual(self.query("SELECT state FROM appointments"), [("awaiting_payment",)])
        t.send("p")
        t.wait_for("Take payment · Zoë Martin · Haircut 5.00 USD")
        t.send("Enter")  # the deposit as prefilled
        t.send("Space", "Space", "Space")
        t.wait_for("< cash >")
        t.send("Enter", "Enter")
        t.wait_for("Take this payment?")
        t.send("y")
        t.wait_for("Took 5.00 USD in cash")
        screen = t.wait_for("deposit 5.00 · 20.00 due")
        if os.environ.get("SHOW_SCREENS"):
            print(screen)
        self.assertRegex(screen, r"confirmed")
        self.assertEqual(self.query("SELECT state, deposit FROM appointments"),
                         [("confirmed", 500)])
        self.assertEqual(self.fake.requests(method="POST", path_prefix="/v1/payment_intents"),
                         [])


if __name__ == "__main__":
    unittest.main()
