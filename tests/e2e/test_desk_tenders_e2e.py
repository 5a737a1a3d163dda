"""Desk tenders end to end in tmux at 80x24: a walk-in pays 25.00 in cash (no Stripe call
reaches the fake Stripe), the booking reads paid, 5.00 is refunded in cash (recorded, not
sent to Stripe), the History tab shows both as desk records with their tender and keeps
them apart from Stripe's money in its totals, the audit log names who did it, and
`paydesk takings` gives the day's figures per tender."""
import os
import unittest

from deskcase import (PLATFORM, DeskCase, add_service_and_staff, fill_booking,  # noqa: F401
                      new_client, open_desk)

# (other e2e files use these and book_walk_in)
KEY = "rk_test_51DeskTendersEndToEndKey000000"
PUBLISHABLE = "pk_test_51DeskTendersEndToEndKey000000"
PASSPHRASE = "desk tenders passphrase"


class DeskTenders(DeskCase):
    KEY, PUBLISHABLE, PASSPHRASE = KEY, PUBLISHABLE, PASSPHRASE

    def book_walk_in(self):
        """A client not billed through Stripe, a 25.00 service, a staff member and a
        booking, all in the terminal: returns it at the payment step."""
        t = open_desk(self)
        new_client(t)
        t.wait_for("client added: Zoë Martin")
        add_service_and_staff(t, "25")
        fill_booking(t, "martin", "Zoë Martin")
        t.send("C-s")
        return t

    def test_cash_payment_and_cash_refund_without_stripe(self):
        self.setup_stripe("--payment-at-booking", "optional")
        t = self.book_walk_in()
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD")
        self.fake.clear_requests()  # setup's probes and anything before the payment
        t.send("Enter")  # the amount as due
        t.send("Space", "Space", "Space")
        t.wait_for("< cash >")
        t.send("Enter")
        t.wait_for("desk tenders: cheque no., voucher code")  # the note's hint
        t.send("Enter")
        screen = t.wait_for("Take this payment?")
        self.assertIn("Tender: cash. Recorded at the desk, no Stripe call.", screen)
        t.wait_for("25.00 USD")
        t.send("y")
        t.wait_for("Took 25.00 USD in cash (paid).")
        t.wait_for(r"confirmed\s+paid", regex=True)
        self.assertEqual(self.fake.requests(), [])

        # 5.00 back in cash: recorded, nothing sent to Stripe.
        t.send("r")
        t.wait_for("Refund · Zoë Martin · Haircut 25.00 USD")
        t.wait_for("in cash at the desk (not sent to Stripe)")
        t.send("C-u")
        t.type("5")
        t.send("Enter", "Enter")
        t.type("change from the till")
        t.send("Enter")
        t.wait_for("Refund?")
        t.wait_for("5.00 USD")
        t.send("y")
        t.wait_for("Refunded 5.00 USD in cash at the desk")
        t.wait_for(r"confirmed\s+part", regex=True)
        self.assertEqual(self.fake.requests(), [])

        # History: both records, the tender shown, the totals apart from Stripe's.
        t.send("4")
        screen = t.wait_for(r"25\.00 usd.*Zoë Martin\s+cash", regex=True)
        self.assertRegex(screen, r"-5\.00 usd.*Zoë Martin\s+cash")
        self.assertRegex(screen, r"USD\s+2\s+25\.00\s+5\.00\s+desk tenders, no Stripe")
        # the tab's own sync reads Stripe's (empty) lists: let it finish first
        t.wait_gone("Syncing", timeout=20)
        # the day's cash-up: today's records, the desk's money per tender
        t.send("F")
        t.wait_for("Filters")
        t.send("Right")
        t.wait_for("< today >")
        t.send("Enter")
        t.wait_gone("Filters")
        screen = t.wait_for("desk by tender: cash 20.00 USD")
        self.assertRegex(screen, r"USD\s+2\s+25\.00\s+5\.00\s+desk tenders, no Stripe")
        # the History tab's refund is Stripe's: desk money goes back from its appointment
        t.send("r")
        t.wait_for("desk money: refund it from its appointment (Appointments, r)")
        t.send("q")
        if "still running" in t.screen():
            t.send("y")
        t.exit_status()
        for (path,) in [(r["path"],) for r in self.fake.requests(method="POST")]:
            self.assertNotRegex(path, r"payment_intents|refunds|charges")

        rows = self.query("SELECT actor, action, amount FROM audit_log"
                          " WHERE action LIKE 'payment.desk%' ORDER BY id")
        self.assertEqual(rows, [("Alex", "payment.desk", 2500),
                                ("Alex", "payment.desk_refund", 500)])
        takings = self.paydesk("takings")
        self.assertEqual(takings.returncode, 0, takings.stderr)
        self.assertRegex(takings.stdout, r"cash\s+USD\s+25\.00\s+5\.00\s+20\.00")
        self.assertNotRegex(takings.stdout.split("TENDER")[1], r"Stripe\s+USD")  # no card money
        # Stripe's part is the history as last synced, and says so.
        self.assertRegex(takings.stdout, r"as of its last sync \((never|\d{4}-\d\d-\d\d \d\d:\d\d)\)")
        out = os.path.join(self.home.path, "history.csv")
        export = self.paydesk("export", "--format", "csv", "--output", out)
        self.assertEqual(export.returncode, 0, export.stderr)
        with open(out, encoding="utf-8") as f:
            csv = f.read()
        self.assertRegex(csv, r"desk,desk_\d+,25\.00,usd,partially_refunded,Zoë Martin,,"
                              r"Haircut · by Alex,cash")
        self.assertRegex(csv, r"desk_refund,deskre_\d+_500,-5\.00,usd,succeeded,Zoë Martin,,"
                              r"Haircut · by Alex · change from the till,cash")

    def test_a_desk_without_stripe_takes_a_cheque(self):
        # No Stripe account connected at all: the desk still takes money.
        t = self.book_walk_in()
        t.wait_for(r"10:00.*Zoë Martin.*booked", regex=True)
        t.send("p")
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD")
        # A tired "0", or a cleared field, is not "all that is due" (it took 25.00).
        for typed in ("0", ""):
            t.send("C-u")
            if typed:
                t.type(typed)
            t.send("C-s")
            t.wait_for("Amount: type an amount above 0")
            self.assertNotIn("Take this payment?", t.screen())
        t.send("C-u")
        t.type("10")
        t.send("Enter", "Space", "Space", "Space", "Space")
        t.wait_for("< cheque >")
        t.send("Enter")
        t.type("cheque 004512")
        t.send("Enter")
        t.wait_for("Take this payment?")
        t.wait_for("10.00 USD")
        t.send("y")
        t.wait_for("Took 10.00 USD by cheque (deposit 10.00 · 15.00 due).")
        t.wait_for(r"confirmed\s+15\.00 due", regex=True)
        t.send("q")
        t.exit_status()
        self.assertEqual(self.query("SELECT method, amount, note, actor FROM"
                                    " appointment_payments"),
                         [("cheque", 1000, "cheque 004512", "Alex")])
        takings = self.paydesk("takings")
        self.assertRegex(takings.stdout, r"cheque\s+USD\s+10\.00\s+0\.00\s+10\.00")


if __name__ == "__main__":
    unittest.main()
