"""Appointments money end to end in tmux at 80x24: the desk gives a walk-in 10 % off for
loyalty (% on the agenda, confirmed), the detail line reads "price 25.00 · discount 10 %
(loyalty) · 22.50 due", a price below zero is refused at the prompt, the client pays the
22.50 in cash with a 3.00 tip typed in the pay form's Tip field, the audit log holds both,
and `paydesk takings` credits the tip to the staff member."""
import os
import sqlite3
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import test_desk_tenders_e2e as tenders  # noqa: E402


class AppointmentMoney(tenders.DeskTenders):
    """DeskTenders' fake, home and booking walk; its own tests run in their module."""

    def test_discount_then_cash_with_a_tip(self):
        setup = self.paydesk("setup", "--account", tenders.PLATFORM, "--publishable",
                             tenders.PUBLISHABLE, "--payment-at-booking", "optional",
                             input=tenders.KEY + "\n")
        self.assertEqual(setup.returncode, 0, setup.stdout + setup.stderr)
        t = self.book_walk_in()
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD")
        t.send("Escape")
        t.wait_for("Day agenda")

        # Below zero: said at the prompt, nothing written.
        t.send("%")
        t.wait_for("Price change and why:   10% loyalty \u00b7 5.00 voucher \u00b7 =45.00 extras")
        t.type("30.00 friend")
        t.send("Enter")
        t.wait_for("below zero: at most 25.00 USD off")
        t.send("C-u")
        t.type("10% loyalty")
        t.send("Enter")
        screen = t.wait_for("Change the price?")
        self.assertIn("Price 25.00 USD \u2192 22.50 USD: discount 10 % (loyalty).", screen)
        t.send("y")
        t.wait_for("Price now 22.50 (discount 10 %, loyalty): 22.50 USD due.")
        t.wait_for("price 25.00 \u00b7 discount 10 % (loyalty) \u00b7 22.50 due")

        # Cash with a tip typed in the form's last field.
        self.fake.clear_requests()
        t.send("p")
        t.wait_for("Take payment · Zoë Martin · Haircut 22.50 USD")
        t.send("Enter")  # the amount as due
        t.send("Space", "Space", "Space")
        t.wait_for("< cash >")
        t.send("Tab", "Tab")
        t.wait_for("for the staff member, kept apart from the price")
        t.type("3")
        t.send("Enter")
        screen = t.wait_for("Take this payment?")
        self.assertIn("Tip 3.00 USD, kept apart from the price.", screen)
        t.wait_for("25.50 USD")  # what the client hands over
        t.send("y")
        t.wait_for("Took 22.50 USD + tip 3.00 USD in cash (paid).")
        t.wait_for(r"confirmed\s+paid", regex=True)
        self.assertEqual(self.fake.requests(), [])
        for line in t.screen().splitlines():
            self.assertLessEqual(len(line), 80)

        con = sqlite3.connect(self.home.db)
        try:
            actions = [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY id")]
            tips = con.execute("SELECT amount, tip FROM appointment_payments").fetchall()
        finally:
            con.close()
        self.assertIn("appointment.discount", actions)
        self.assertEqual(tips, [(2250, 300)])

        # Taken today (the visit is in 2030): the drawer holds price and tip, the tip is
        # credited to Alice.
        takings = self.paydesk("takings")
        self.assertEqual(takings.returncode, 0, takings.stderr)
        self.assertRegex(takings.stdout, r"cash +USD +25\.50 +0\.00 +25\.50")
        self.assertRegex(takings.stdout, r"Alice +USD +3\.00 +1")
        self.assertRegex(takings.stdout, r"All tips +USD +3\.00")


for _name in list(vars(tenders.DeskTenders)):
    if _name.startswith("test_"):
        setattr(AppointmentMoney, _name, None)


if __name__ == "__main__":
    unittest.main()
