"""A booking with a required deposit, end to end in tmux at 80x24 (issue 18): an admin sets
the service's policy with `paydesk policies`, the desk books a client and is shown the policy
and what it asks before booking; the client accepts at the desk; the deposit is asked for with
its amount prefilled; left unpaid the booking stays awaiting payment, and p asks for the
deposit again; paid in cash it is confirmed and reads "deposit 5.00 · 20.00 due"."""
import os
import unittest

from deskcase import DeskCase, add_service_and_staff, fill_booking, new_client, open_desk
from tmuxharness import Terminal, paydesk_bin


class PolicyDeposit(DeskCase):
    KEY = "rk_test_51PolicyDepositEndToEndKey00000"
    PUBLISHABLE = "pk_test_51PolicyDepositEndToEndKey00000"
    PASSPHRASE = "policy deposit passphrase"

    def test_booking_with_a_required_deposit(self):
        self.setup_stripe()
        self.fake.clear_requests()  # setup's probes
        t = open_desk(self)
        new_client(t)
        t.wait_for("client added: Zoë Martin")
        add_service_and_staff(t, "25")

        # The admin sets the policy headless while the desk is open (the passphrase is the
        # admin's proof here).
        set_ = self.paydesk("policies", "set", "Haircut", "--deposit", "20%",
                            "--deposit-required", "--window", "24", "--late-fee", "50%",
                            "--late", "keep-deposit")
        self.assertEqual(set_.returncode, 0, set_.stdout + set_.stderr)

        fill_booking(t, "martin", "Zoë Martin")
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
        # found by the tester: the title read "Haircut 5.00 USD · deposit …", as if
        # 5.00 were the price; it says what is due and the deposit apart
        screen = t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD · deposit 5.00 USD")
        self.assertNotIn("Haircut 5.00 USD", screen)
        rows = self.query("SELECT how, text FROM policy_acceptances")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], "desk")
        self.assertIn("Deposit 5.00 USD at booking (required)", rows[0][1])

        # Not paid now: the booking waits for its deposit; p asks for it again.
        t.send("Escape")
        t.wait_for(r"awaiting\s", regex=True)
        self.assertEqual(self.query("SELECT state FROM appointments"), [("awaiting_payment",)])
        t.send("p")
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD · deposit 5.00 USD")
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

    def test_admin_sets_a_policy_on_the_services_list(self):
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        t.send("2")
        t.wait_for("Clients · Services · Staff")
        t.send("v")
        t.wait_for("No services yet")
        t.send("n")
        t.type("Colour")
        t.send("Tab")
        t.type("90")
        t.send("Tab")
        t.type("120")
        t.send("Tab", "C-u")
        t.type("EUR")
        t.send("C-s")
        t.wait_for("service added: Colour")
        t.wait_for("Policy: none (nothing asked; cancelling refunds) · P sets one")
        t.send("P")
        t.wait_for("Booking policy · Colour (follows the default now)")
        t.send("C-u")
        t.type("30%")
        t.send("Tab", "Space")  # required: yes
        t.send("Tab", "Space")  # hold a card: yes
        t.send("Tab", "C-u")
        t.type("48")
        t.send("Tab", "C-u")
        t.type("150%")
        t.send("Tab")
        t.wait_for("at most 100%")
        t.send("BTab", "C-u")
        t.type("50%")
        t.send("Tab", "C-u")
        t.type("60")
        t.send("Tab", "Tab", "Tab", "Space")  # late: keep-deposit
        t.send("C-s")
        screen = t.wait_for("Save the booking policy?")
        if os.environ.get("SHOW_SCREENS"):
            print(screen)
        self.assertIn("Deposit 36.00 EUR at booking (required)", screen)
        t.send("y")
        t.wait_for("booking policy of Colour saved")
        t.wait_for("Policy: deposit 30 % required · card held · cancel 48 h before")
        self.assertEqual(self.query("SELECT count(*) FROM audit_log WHERE action = 'policy.set'"),
                         [(1,)])
        out = self.paydesk("policies")
        self.assertIn("Colour: deposit 30 % required · card held · cancel 48 h before: refund"
                      " · late: fee 50 %, keep-deposit · no-show: fee 60.00 EUR", out.stdout)


if __name__ == "__main__":
    unittest.main()
