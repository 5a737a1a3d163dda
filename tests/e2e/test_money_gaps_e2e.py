"""Appointments money, the gaps a tester found (issue 18, session 7), at 80x24 in tmux:

- a deposit typed below the one the booking policy requires is warned about in the confirm
  (what is required, what was typed);
- cancelling by the policy a visit paid in cash refunds the cash at the desk (recorded, the
  till counts it) instead of "at most 0.00 can be refunded";
- a card refund's confirm says to which card it goes and the fee Stripe keeps (once the
  billing history knows it), and so does the refund once made;
- the Appointments footer shows F fees, Z close and % price, and ends in "?: keys" as other
  screens do; the day close form keeps the typed count and comment when the desk goes back
  after an error and returns."""
import os
import time
import unittest

from tmuxharness import Terminal, paydesk_bin

import test_desk_tenders_e2e as tenders
import test_fees_e2e as fees
import test_policies_e2e as policies
from deskcase import PLATFORM


def fits(test, screen):
    for line in screen.splitlines():
        test.assertLessEqual(len(line), 80, line)


class DepositAndCash(policies.PolicyDeposit):
    """PolicyDeposit's fake and home; its own tests run in their module."""

    book_walk_in = tenders.DeskTenders.book_walk_in

    def test_short_deposit_warned_then_cash_refunded_in_cash_by_the_policy(self):
        setup = self.paydesk("setup", "--account", PLATFORM, "--publishable",
                             self.PUBLISHABLE, input=self.KEY + "\n")
        self.assertEqual(setup.returncode, 0, setup.stdout + setup.stderr)
        set_ = self.paydesk("policies", "set", "default", "--deposit", "10",
                            "--deposit-required", "--window", "24", "--in-time", "refund",
                            "--currency", "usd")
        self.assertEqual(set_.returncode, 0, set_.stdout + set_.stderr)
        t = self.book_walk_in()
        t.wait_for("The client accepts it at the desk")
        t.send("y")
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD · deposit 10.00 USD")
        self.fake.clear_requests()

        # 4.00 typed where 10.00 is required: said before y, with both amounts.
        t.send("C-u")
        t.type("4")
        t.send("Enter", "Space", "Space", "Space")
        t.wait_for("< cash >")
        t.send("Enter", "Enter")
        screen = t.wait_for("Take this payment?")
        if os.environ.get("SHOW_SCREENS"):
            print(screen)
        self.assertIn("Below the deposit: the booking policy requires 10.00 USD,", screen)
        self.assertIn("4.00 USD typed.", screen)
        self.assertIn("The booking stays awaiting payment until 10.00 USD is paid.", screen)
        fits(self, screen)
        t.send("y")
        t.wait_for("Took 4.00 USD in cash")
        t.send("p")  # the rest of the deposit, prefilled
        t.wait_for("Take payment · Zoë Martin · Haircut 21.00 USD · deposit 6.00 USD")
        t.send("Enter", "Space", "Space", "Space")
        t.wait_for("< cash >")
        t.send("Enter", "Enter")
        screen = t.wait_for("Take this payment?")
        self.assertNotIn("Below the deposit", screen)  # 4.00 + 6.00 makes the deposit
        t.send("y")
        t.wait_for("Took 6.00 USD in cash")
        t.wait_for(r"confirmed\s", regex=True)

        # Cancelled in time: the policy refunds it all, in cash, at the desk.
        t.send("c")
        screen = t.wait_for("Refund by the policy and cancel?")
        if os.environ.get("SHOW_SCREENS"):
            print(screen)
        self.assertIn("By the booking policy (refund): refund 10.00 USD", screen)
        self.assertIn("10.00 USD back in cash at the desk (from the till).", screen)
        self.assertNotIn("at most 0.00", screen)
        fits(self, screen)
        t.send("y")
        screen = t.wait_for("Refunded 10.00 USD in cash at the desk")
        t.wait_for(r"cancelled\s", regex=True)
        self.assertEqual(self.fake.requests(method="POST"), [])
        self.assertEqual(self.query("SELECT state FROM appointments"), [("cancelled",)])
        self.assertEqual(self.query("SELECT method, amount, refunded FROM appointment_payments"
                                    " ORDER BY id"),
                         [("cash", 400, 400), ("cash", 600, 600)])
        takings = self.paydesk("takings")
        self.assertRegex(takings.stdout, r"cash +USD +10\.00 +10\.00 +0\.00")

    def test_refund_of_a_visit_paid_from_a_package_says_where_it_goes(self):
        setup = self.paydesk("setup", "--account", PLATFORM, "--publishable",
                             self.PUBLISHABLE, input=self.KEY + "\n")
        self.assertEqual(setup.returncode, 0, setup.stdout + setup.stderr)
        t = self.book_walk_in()
        t.wait_for(r"10:00-11:00.*Zoë Martin", regex=True)
        for args in (("define", "--name", "2 haircuts", "--visits", "2", "--service",
                      "Haircut", "--price", "45"),
                     ("sell", "2 haircuts", "--client", "1", "--tender", "cash", "--yes"),
                     ("draw", "--appointment", "1")):
            out = self.paydesk("packages", *args)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.fake.clear_requests()
        t.send("r")
        screen = t.wait_for("Refund · Zoë Martin")
        self.assertIn("paid from a package: a refund gives the visit back to it, no money",
                      screen)
        fits(self, screen)
        t.send("Enter", "Enter", "Enter")
        screen = t.wait_for("Refund?")
        if os.environ.get("SHOW_SCREENS"):
            print(screen)
        self.assertIn("Paid 25.00 USD from the client's package or credit: it goes", screen)
        self.assertNotIn("Reason:", screen)  # no money goes back, so no reason is sent
        self.assertIn("y: give it back", screen)
        fits(self, screen)
        t.send("y")
        screen = t.wait_for("Gave 1 visit back to 2 haircuts")
        self.assertIn("no money moved, unpaid again", screen)
        self.assertNotIn("(none)", screen)
        self.assertEqual(self.fake.requests(method="POST"), [])

    def test_refund_of_a_visit_after_its_package_was_refunded_gives_the_money_back(self):
        """Tester: the package refunded (35.00 of 70.00), then r on the visit paid from it
        said "no money moved" and the client lost 35.00. Its share goes back in cash."""
        setup = self.paydesk("setup", "--account", PLATFORM, "--publishable",
                             self.PUBLISHABLE, input=self.KEY + "\n")
        self.assertEqual(setup.returncode, 0, setup.stdout + setup.stderr)
        t = self.book_walk_in()
        t.wait_for(r"10:00-11:00.*Zoë Martin", regex=True)
        for args in (("define", "--name", "2 cuts", "--visits", "2", "--service",
                      "Haircut", "--price", "70"),
                     ("sell", "2 cuts", "--client", "1", "--tender", "cash", "--yes"),
                     ("draw", "--appointment", "1"), ("refund", "1", "--yes")):
            out = self.paydesk("packages", *args)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.fake.clear_requests()
        t.send("r")
        screen = t.wait_for("Refund · Zoë Martin")
        self.assertIn("2 cuts was refunded: 35.00 USD goes back at the desk", screen)
        fits(self, screen)
        t.send("Enter", "Enter", "Enter")
        screen = t.wait_for("Refund?")
        self.assertIn("35.00 USD goes back at the desk", screen)
        self.assertNotIn("no money moves", screen)
        fits(self, screen)
        t.send("y")
        screen = t.wait_for("35.00 USD back in cash for 1 visit of 2 cuts; unpaid again.")
        out = self.paydesk("packages", "client", "1")
        self.assertIn("refunded 70.00 USD", out.stdout)
        self.assertEqual(self.fake.requests(method="POST"), [])

    def test_footer_keys_and_day_close_keeps_what_was_typed(self):
        t = self.book_walk_in()
        screen = t.wait_for(r"10:00-11:00.*Zoë Martin", regex=True)
        rows = screen.splitlines()
        fits(self, screen)
        footer = [r for r in rows if "n book" in r or "h/l day" in r]
        self.assertEqual(len(footer), 2, screen)
        self.assertIn("% price", footer[0])
        self.assertIn("F fees", footer[1])
        self.assertIn("Z close", footer[1])
        self.assertTrue(footer[1].rstrip().endswith("?: keys"), footer[1])

        t.send("t")
        t.send("Z")
        t.wait_for("Day close · ")
        t.type("24,5x")
        t.send("Tab")
        t.type("till short, see note")
        t.send("C-s")
        t.wait_for("'24,5x' is not an amount")
        t.send("Escape")  # back to the agenda, to look something up
        t.wait_for("Day agenda")
        t.send("Z")
        screen = t.wait_for("Day close · ")
        self.assertIn("till short, see note", screen)
        self.assertIn("24,5x", screen)


class RefundFee(fees.FeesQueue):
    """FeesQueue's fake, home and seeding; its own tests run in their module."""

    def test_card_refund_says_the_card_and_the_fee_stripe_keeps(self):
        appt, day = self.seed()
        paid = self.drive("card", str(appt["id"]))
        self.assertEqual(paid["payment"], "paid")
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        # The History tab syncs Stripe's billing history: the charge's fee with it.
        t.send("4")
        t.wait_for("Amy Pond", timeout=20)
        t.wait_gone("Syncing", timeout=20)
        t.send("1")
        t.send("J")
        t.type(day.isoformat())
        t.send("Enter")
        t.wait_for("Amy Pond")
        t.send("r")
        t.wait_for("Refund · Amy Pond")
        t.send("Enter", "Enter", "Enter")
        screen = t.wait_for("Refund?")
        if os.environ.get("SHOW_SCREENS"):
            print(screen)
        # 40.00 USD charged: 2.9 % + 0.30 = 1.46 USD, not given back by the refund
        self.assertIn("40.00 USD back to Visa \u20224242 through Stripe.", screen)
        self.assertIn("Stripe keeps its fee of 1.46 USD on this payment.", screen)
        fits(self, screen)
        t.send("y")
        screen = t.wait_for("Refunded 40.00 USD", timeout=20)
        self.assertIn("fee of 1.46 USD", screen)
        refunds = [r for r in self.fake.requests(method="POST", path_prefix="/v1/refunds")
                   if r["path"] == "/v1/refunds"]
        self.assertEqual([int(r["params"]["amount"]) for r in refunds], [4000])
        t.send("q")
        time.sleep(0.3)
        if "y/n" in t.screen() or "still running" in t.screen():
            t.send("y")

    def test_history_refund_says_the_card_and_the_fee_stripe_keeps(self):
        appt, _ = self.seed()
        self.drive("card", str(appt["id"]))
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        t.send("4")
        t.wait_for("Amy Pond", timeout=20)
        t.wait_gone("Syncing", timeout=20)
        t.send("r")
        t.wait_for("empty refunds all of it")
        t.send("Enter")
        screen = t.wait_for("Refund this payment?")
        if os.environ.get("SHOW_SCREENS"):
            print(screen)
        self.assertIn("The money goes back to Visa \u20224242.", screen)
        self.assertIn("Stripe keeps its fee of 1.46 USD on this payment.", screen)
        fits(self, screen)
        t.send("y")
        screen = t.wait_for("Refunded 40.00 USD to Amy Pond", timeout=20)
        if os.environ.get("SHOW_SCREENS"):
            print(screen)
        self.assertIn("fee of 1.46 USD", screen)
        fits(self, screen)


for _base, _cls in ((policies.PolicyDeposit, DepositAndCash), (fees.FeesQueue, RefundFee)):
    for _name in list(vars(_base)):
        if _name.startswith("test_"):
            setattr(_cls, _name, None)
del _base, _cls  # not test cases of this module


if __name__ == "__main__":
    unittest.main()
