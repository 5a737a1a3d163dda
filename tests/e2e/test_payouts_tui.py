"""The Payouts view at 80x24: P on History lists the payouts synced from the fake Stripe
(automatic, manual, instant), Enter shows a payout's transactions adding up and, on one, the
client behind it; m shows the month reconciled; ? lists the keys; Esc goes back."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from fakeclient import FakeStripe  # noqa: E402
import test_payouts_sync as cli_payouts  # noqa: E402  (its scenario; the module, not its tests)
from tmuxharness import Terminal, paydesk_bin  # noqa: E402


class PayoutsView(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    setUp = cli_payouts.PayoutsTest.setUp
    paydesk = cli_payouts.PayoutsTest.paydesk
    ok = cli_payouts.PayoutsTest.ok
    pay = cli_payouts.PayoutsTest.pay
    month_of_payments = cli_payouts.PayoutsTest.month_of_payments

    def test_payouts_to_transactions_to_client_and_month_at_80x24(self):
        auto, manual, instant = self.month_of_payments()
        self.assertEqual(self.paydesk("sync").returncode, 0)
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
               "PAYDESK_TIMEZONE": "UTC"}
        with Terminal([paydesk_bin(), "--screen", "history"], 80, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.send("Escape")  # browsing needs no key
            # the dialog gone first: an Escape followed at once by P reads as Alt-P
            t.wait_gone("Vault locked")
            t.wait_for("synced 20", timeout=15)
            t.send("P")
            shown = t.wait_for("Payouts · 3")
            lines = shown.splitlines()
            rows = [ln for ln in lines if "2026-11-" in ln]
            self.assertEqual(len(rows), 3, shown)
            # newest first: the instant one, then the manual, then the automatic
            self.assertIn(cli_payouts.money(instant["amount"]) + " USD", rows[0])
            self.assertIn("instant", rows[0])
            self.assertIn("manual", rows[1])
            self.assertIn("automatic", rows[2])
            self.assertIn("paid", rows[2])
            self.assertTrue(all(r.rstrip().endswith("adds up") for r in rows), shown)
            self.assertTrue(all(len(ln) <= 80 for ln in lines))

            t.send("G", "Enter")             # the automatic payout's transactions
            shown = t.wait_for("Payout " + auto["id"])
            self.assertIn("adds up, difference 0.00", shown)
            self.assertIn("dispute", shown)
            self.assertIn("refund", shown)
            self.assertIn("Ada Lovelace", shown)
            t.send("Enter")                  # what is behind the first one
            shown = t.wait_for(r"Behind it: (pi|re)_", regex=True)
            self.assertIn("client Ada Lovelace", shown)
            t.send("Escape", "Escape")
            t.wait_for("Payouts · 3")

            t.send("m")
            shown = t.wait_for("Month 2026-11")
            self.assertRegex(shown, r"Check\s+0\.00\n")
            self.assertIn("Reconciled: net = paid out + still in balance", shown)
            self.assertRegex(shown, r"Refunds\s+-5\.00")
            self.assertRegex(shown, r"Disputes\s+-75\.00")
            t.send("Left")
            t.wait_for("No money moved")
            t.send("Escape")

            t.send("?")
            shown = t.wait_for("the month's reconciliation")
            self.assertIn("transactions", shown)
            t.send("Escape")
            t.send("Escape")                 # back to History
            t.wait_gone("Payouts · 3")
            t.send("?")
            t.wait_for("Keys — ? or Esc to close")
            for _ in range(12):  # History's keys fill more than a screen: scroll to P
                if "payouts: what reached the bank" in t.screen():
                    break
                t.send("j")
            t.wait_for("payouts: what reached the bank")
            t.send("Escape")
            t.send("q")
            self.assertEqual(t.exit_status(), 0)


if __name__ == "__main__":
    unittest.main()
