"""Appointments money, the gaps a tester found (issue 18, session 7), against the fake Stripe:
every refund says the Stripe processing fee of the original charge that it does not give
back, read from the charge's balance transaction (and says nothing when Stripe did not tell
it); a fixed deposit above the service's price is refused by `paydesk policies set`; a fee
changed far above the visit's price is refused with the cap said.

Drives build/tools/pay_driver for the use cases and ./paydesk for the commands.
"""
import os
import sqlite3
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import test_packages as packages  # noqa: E402
import test_policies as base  # noqa: E402


class MoneyGapsTest(base.PoliciesTest):
    """PoliciesTest's fake, store and helpers; its own tests run in their module."""

    def paid_by_card(self, price=4500):
        cid, _cus = self.client_with_card()
        appt = self.drive("book", str(cid), str(price), "eur")["subject"]
        paid = self.drive("card", str(appt["id"]))["subject"]
        return appt, paid["attempts"][0]["payment_intent_id"]

    # -- 1. the fee a refund does not give back ------------------------------------------------

    def test_appointment_refund_says_the_fee_stripe_keeps(self):
        appt, pi = self.paid_by_card()
        out = self.drive("refund", str(appt["id"]), "--amount", "2000")
        # 45.00 EUR charged: 2.9 % + 0.30 = 1.61 EUR, kept by Stripe whatever is refunded
        self.assertIn("Refunded 20.00 EUR", out["result"]["message"])
        self.assertIn("Stripe keeps its fee of 1.61 EUR on this payment",
                      out["result"]["message"])
        txn = self.fake.api("GET", "/v1/payment_intents/%s" % pi,
                            {"expand[]": "latest_charge.balance_transaction"}).json()
        self.assertEqual(txn["latest_charge"]["balance_transaction"]["fee"], 161)

    def test_cancel_by_the_policy_says_the_fee_stripe_keeps(self):
        appt = self.booked_with_policy(*base.SALON)
        aid = str(appt["id"])
        self.drive("card", aid, "--amount", "900")
        out = self.drive("cancel-policy", aid, "48")
        self.assertIn("9.00 EUR refunded", out["result"]["message"])
        # 9.00 EUR charged: 0.26 + 0.30
        self.assertIn("Stripe keeps its fee of 0.56 EUR on this payment",
                      out["result"]["message"])

    def test_history_refund_says_the_fee_stripe_keeps(self):
        appt, pi = self.paid_by_card()
        out = self.drive("history-refund", str(appt["id"]), pi, "--amount", "4500")
        self.assertIn("Refunded 45.00 EUR", out["result"]["message"])
        self.assertIn("Stripe keeps its fee of 1.61 EUR on this payment",
                      out["result"]["message"])

    def test_a_fee_stripe_did_not_tell_is_not_claimed(self):
        appt, _ = self.paid_by_card()
        # the refund is made; reading the payment back afterwards gets no answer
        self.fake.add_fault("error", method="GET", path_prefix="/v1/payment_intents/",
                            status=500)
        self.addCleanup(self.fake.clear_faults)
        out = self.drive("refund", str(appt["id"]), "--amount", "2000")
        self.assertIn("Refunded 20.00 EUR", out["result"]["message"])
        self.assertNotIn("fee", out["result"]["message"])
        self.assertEqual(len(self.refunds_sent()), 1)

    # -- 4. a fixed deposit above the price ----------------------------------------------------

    def test_fixed_deposit_above_the_service_price_is_refused(self):
        self.drive("book", str(self.client_with_card()[0]), "4500", "eur")
        out = self.paydesk("policies", "set", "Haircut 4500", "--as", "Alex", "--deposit", "60",
                           "--deposit-required", pin="2468", expect=2)
        self.assertIn("a deposit of 60.00 EUR is more than the price of Haircut 4500 "
                      "(45.00 EUR)", out)
        self.assertEqual(self.audit("policy.set"), [])
        out = self.paydesk("policies", "set", "Haircut 4500", "--as", "Alex", "--deposit", "45",
                           pin="2468")
        self.assertIn("Deposit 45.00 EUR at booking", out)

    # -- 3. a fee changed far above the price --------------------------------------------------

    def test_fee_changed_far_above_the_price_is_refused_with_the_cap(self):
        self.drive("policy", "50%", "0", "24", "eur")
        cid, _cus = self.client_with_card()
        appt = self.drive("book", str(cid), "4000", "eur")["subject"]
        start = int(time.time()) - 3 * 86400
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE appointments SET starts_at = ?, ends_at = ? WHERE id = ?",
                        (start, start + 900, appt["id"]))
        con.close()
        fee = self.drive("no-show", str(appt["id"]))["subject"]
        self.assertEqual(fee["amount"], 2000)
        out = self.drive("fee-amount", str(fee["id"]), "4000,00", "--reason", "typo", expect=1)
        self.assertIn("at most 40.00 EUR", out["error"])
        self.assertIn("the visit's price", out["error"])
        self.assertEqual(self.drive("fee", str(fee["id"]))["subject"]["amount"], 2000)
        self.assertEqual(self.audit("fee.amount"), [])
        out = self.drive("fee-amount", str(fee["id"]), "40", "--reason", "whole visit")
        self.assertEqual(out["subject"]["amount"], 4000)

    # -- 7. the fees list keeps its columns with accents ---------------------------------------

    def test_fees_list_columns_hold_with_accented_names(self):
        self.drive("policy", "50%", "0", "24", "eur")
        start = int(time.time()) - 3 * 86400
        for name in ("Zoë Saldaña", "Amy Pond"):
            c = self.drive("client", name, name.split()[0].lower() + "@example.com")["subject"]
            appt = self.drive("book", str(c["id"]), "4000", "eur")["subject"]
            con = sqlite3.connect(self.db)
            with con:
                con.execute("UPDATE appointments SET starts_at = ?, ends_at = ? WHERE id = ?",
                            (start, start + 900, appt["id"]))
            con.close()
            self.drive("no-show", str(appt["id"]))
        out = self.paydesk("fees", "--as", "Alex", pin="2468")
        rows = [line for line in out.splitlines() if "no-show" in line]
        self.assertEqual(len(rows), 2, out)
        # the same display column for what follows the names (one code point = one column)
        self.assertEqual(rows[0].index("no-show"), rows[1].index("no-show"), out)
        self.assertEqual(rows[0].index("20.00 EUR"), rows[1].index("20.00 EUR"), out)


for _name in list(vars(base.PoliciesTest)):
    if _name.startswith("test_"):
        setattr(MoneyGapsTest, _name, None)


class PackageRefundWordsTest(packages.PackagesTest):
    """6. A visit paid from a package: what its refund does is said, not "(none)"; a
    package with nothing left to refund says so instead of offering 0.00."""

    def test_visit_refund_says_it_goes_back_to_the_package(self):
        pkg = self.define_visits(name="2 haircuts", visits="2", price="70")
        amy = self.client("Amy Pond")
        self.paydesk("packages", "sell", str(pkg), "--client", str(amy), "--tender", "cash",
                     "--yes", check=0)
        a1 = self.book(amy)
        self.paydesk("packages", "draw", "--appointment", str(a1), check=0)
        out = self.paydesk("packages", "undraw", "--appointment", str(a1), check=0)
        self.assertIn("Gave 1 visit back to 2 haircuts", out.stdout)
        self.assertNotIn("(none)", out.stdout)
        self.assertIn("no money moved, unpaid again", out.stdout)

    def test_a_used_up_package_has_nothing_to_refund(self):
        pkg = self.define_visits(name="1 haircut", visits="1", price="35")
        amy = self.client("Amy Pond")
        self.paydesk("packages", "sell", str(pkg), "--client", str(amy), "--tender", "cash",
                     "--yes", check=0)
        sale = self.sql("SELECT id FROM client_packages")[0][0]
        self.paydesk("packages", "draw", "--appointment", str(self.book(amy)), check=0)
        out = self.paydesk("packages", "refund", str(sale), check=2)
        self.assertNotIn("0.00", out.stdout + out.stderr)
        self.assertIn("nothing to refund: 1 haircut is used up", out.stderr)
        listed = self.paydesk("packages", "client", str(amy), check=0).stdout
        self.assertIn("refund now: nothing", listed)
        self.assertNotIn("refund now 0.00", listed)


for _name in list(vars(packages.PackagesTest)):
    if _name.startswith("test_"):
        setattr(PackageRefundWordsTest, _name, None)


if __name__ == "__main__":
    unittest.main()
