"""Appointments money (issue 18): discounts and price changes, tips (typed at the desk per
tender, and added by the client on the reader), Stripe receipt emails sent and re-sent, and
the desk's text receipt — checked on both sides: what the store and the audit log recorded and
what the fake Stripe received.

Drives build/tools/pay_driver (PAYDESK_TOOLS_DIR) against the fake Stripe.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import test_payments_desk as base  # noqa: E402


class AppointmentMoneyTest(base.PaymentsTest):
    """Reuses PaymentsTest's fake, store and helpers; its own tests are not re-run here."""

    def audit_rows(self, action):
        con = sqlite3.connect(self.db)
        try:
            return con.execute("SELECT actor, detail, amount FROM audit_log WHERE action = ?"
                               " ORDER BY id", (action,)).fetchall()
        finally:
            con.close()

    def pi_posts(self):
        return [r for r in self.fake.requests(method="POST", path_prefix="/v1/payment_intents")
                if r["path"] == "/v1/payment_intents"]

    # -- discounts -----------------------------------------------------------------------------

    def test_discount_percent_applied_shown_and_audited(self):
        cid, _ = self.client_with_card()
        appt = self.book(cid, price=4000)
        out = self.drive("discount", str(appt["id"]), "10%", "loyalty")
        self.assertEqual(out["subject"]["amount"], 3600)
        self.assertEqual(out["subject"]["price_text"],
                         "price 40.00 \u00b7 discount 10 % (loyalty) \u00b7 36.00 due")
        self.assertIn("36.00 USD due", out["result"]["message"])
        rows = self.audit_rows("appointment.discount")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], "sam")
        self.assertIn("discount 10 % (loyalty)", rows[0][1])
        self.assertIn("40.00 \u2192 36.00", rows[0][1])
        self.assertEqual(rows[0][2], 3600)
        # A second discount replaces the first (from the booked price), it does not stack.
        out = self.drive("discount", str(appt["id"]), "5.00", "voucher")
        self.assertEqual(out["subject"]["amount"], 3500)
        # The card is charged the discounted price.
        paid = self.drive("card", str(appt["id"]))
        self.assertEqual(paid["subject"]["payment"], "paid")
        self.assertEqual(self.pi_posts()[-1]["params"]["amount"], "3500")

    def test_discount_below_zero_or_without_reason_is_refused_and_nothing_changes(self):
        cid, _ = self.client_with_card()
        appt = self.book(cid, price=4000)
        out = self.drive("discount", str(appt["id"]), "50.00", "friend", expect=1)
        self.assertIn("below zero", out["error"])
        self.assertIn("at most 40.00 off", out["error"])
        out = self.drive("discount", str(appt["id"]), "10%", "", expect=1)
        self.assertIn("reason", out["error"])
        out = self.drive("discount", str(appt["id"]), "120%", "x", expect=1)
        self.assertIn("1 to 100", out["error"])
        self.assertEqual(out["subject"]["amount"], 4000)
        self.assertEqual(out["subject"]["price_text"], "")
        self.assertEqual(self.audit_rows("appointment.discount"), [])
        # the whole price off is allowed: 0 due, never below
        out = self.drive("discount", str(appt["id"]), "100%", "birthday")
        self.assertEqual(out["subject"]["amount"], 0)

    def test_discount_after_paying_offers_the_difference_back(self):
        cid, _ = self.client_with_card()
        appt = self.book(cid, price=4000)
        self.drive("card", str(appt["id"]))
        out = self.drive("discount", str(appt["id"]), "10%", "complaint")
        self.assertIn("4.00 USD is due back", out["result"]["message"])
        self.assertEqual(out["subject"]["payment"], "paid")
        # the refund itself is the usual flow, for what is due back
        self.fake.clear_requests()
        refunded = self.drive("refund", str(appt["id"]), "--amount", "400")
        self.assertEqual(refunded["subject"]["payment"], "partially_refunded")
        self.assertEqual(self.fake.requests(method="POST", path_prefix="/v1/refunds")[0]
                         ["params"]["amount"], "400")

    def test_staff_discount_held_to_the_refund_limit(self):
        cid, _ = self.client_with_card()
        appt = self.book(cid, price=4000)
        con = sqlite3.connect(self.db)
        con.execute("INSERT INTO refund_limits (currency, per_payment, per_day, set_by, updated_at)"
                    " VALUES ('usd', 500, NULL, 'admin', 0)")
        con.commit()
        con.close()
        out = self.drive("discount", str(appt["id"]), "25%", "regular", role="staff",
                         expect=1)
        self.assertIn("at most 5.00 USD off", out["error"])
        self.drive("discount", str(appt["id"]), "10%", "regular", role="staff")
        # successive changes count together against the booked price: 4.00 off, then a
        # new price of 34.00 (6.00 off the booked 40.00) is beyond the 5.00 limit
        out = self.drive("discount", str(appt["id"]), "=34.00", "regular", role="staff",
                         expect=1)
        self.assertIn("at most 5.00 USD off", out["error"])
        self.drive("discount", str(appt["id"]), "=34.00", "regular")  # an admin may

    # -- tips ----------------------------------------------------------------------------------

    def test_tip_on_the_saved_card_one_intent_with_metadata_and_receipt(self):
        cid, cus = self.client_with_card()
        appt = self.book(cid, price=4000)
        out = self.drive("card", str(appt["id"]), "--tip", "500")
        self.assertEqual(out["subject"]["payment"], "paid")
        self.assertIn("+ tip 5.00 USD", out["result"]["message"])
        posts = self.pi_posts()
        self.assertEqual(len(posts), 1)  # one PaymentIntent for price + tip
        params = posts[0]["params"]
        self.assertEqual(params["amount"], "4500")
        self.assertEqual(params["metadata"]["tip_amount"], "500")
        self.assertEqual(params["metadata"]["appointment_id"], str(appt["id"]))
        self.assertEqual(params["metadata"]["client_id"], str(cid))
        self.assertEqual(params["receipt_email"], "amy@example.com")
        money = self.drive("money", str(appt["id"]))["subject"]
        self.assertEqual(money["tips"], 500)
        self.assertEqual(money["attempts"][0]["amount"], 4000)  # the price, kept apart
        self.assertEqual(self.pi(money["payment_intent_id"])["amount"], 4500)

    def test_tip_on_a_pay_link_is_its_own_line(self):
        cid, _ = self.client_with_card(pm=None)
        appt = self.book(cid, price=4000)
        link = self.drive("link", str(appt["id"]), "--tip", "300")
        self.assertIn("+ tip 3.00 USD", link["result"]["message"])
        cs = self.fake.requests(method="POST", path_prefix="/v1/checkout/sessions")[0]["params"]
        items = cs["line_items"]
        self.assertEqual(items["0"]["price_data"]["unit_amount"] if isinstance(items, dict)
                         else items[0]["price_data"]["unit_amount"], "4000")
        tip_line = items["1"] if isinstance(items, dict) else items[1]
        self.assertEqual(tip_line["price_data"]["unit_amount"], "300")
        self.assertEqual(tip_line["price_data"]["product_data"]["name"], "Tip")
        self.assertEqual(cs["payment_intent_data"]["metadata"]["tip_amount"], "300")
        self.assertEqual(cs["payment_intent_data"]["receipt_email"], "amy@example.com")
        self.fake.control("POST", "/checkout/sessions/%s/complete" % link["result"]["object_id"],
                          {"payment_method": "pm_card_visa"})
        paid = self.drive("link-check", str(appt["id"]))["subject"]
        self.assertEqual(paid["payment"], "paid")
        self.assertEqual(self.drive("money", str(appt["id"]))["subject"]["tips"], 300)

    def test_tip_in_cash_kept_apart_and_on_the_printed_receipt(self):
        cid, _ = self.client_with_card(pm=None)
        appt = self.book(cid, price=4000)
        self.fake.clear_requests()
        out = self.drive("desk-take", str(appt["id"]), "cash", "--tip", "250")
        self.assertEqual(out["subject"]["payment"], "paid")
        self.assertIn("Took 40.00 USD + tip 2.50 USD in cash", out["result"]["message"])
        self.assertEqual(out["subject"]["tips"], 250)
        self.assertEqual(self.fake.requests(), [])  # cash: no Stripe call
        text = self.drive("receipt-text", str(appt["id"]))["subject"]
        self.assertIn("Paid (cash)", text)
        self.assertRegex(text, r"Tip for Alex +2\.50 USD")
        self.assertRegex(text, r"Total paid +42\.50 USD")
        self.assertRegex(text, r"Still due +0\.00 USD")
        rows = self.audit_rows("payment.desk")
        self.assertIn("tip 2.50 USD", rows[-1][1])

    def cli(self, *args, expect=0):
        env = {**os.environ, "LANG": "C.UTF-8", "XDG_CONFIG_HOME": self.dir,
               "XDG_DATA_HOME": self.dir}
        proc = subprocess.run([base.PAYDESK, "--db", self.db, *args], capture_output=True,
                              text=True, env=env, timeout=60)
        self.assertEqual(proc.returncode, expect, proc.stdout + proc.stderr)
        return proc.stdout + proc.stderr

    def test_tips_per_staff_in_takings_and_cash_receipt_printed(self):
        cid, _ = self.client_with_card()
        first = self.book(cid, price=4000)
        self.drive("desk-take", str(first["id"]), "cash", "--tip", "250")
        second = self.drive("book", str(cid), "3000", "usd")["subject"]
        self.drive("discount", str(second["id"]), "10%", "loyalty")
        self.drive("card", str(second["id"]), "--tip", "400")
        out = self.cli("takings")
        self.assertRegex(out, r"cash +USD +42\.50 +0\.00 +42\.50")  # the drawer: price + tip
        self.assertIn("Tips (in the figures above), per staff member:", out)
        self.assertRegex(out, r"Alex +USD +6\.50 +2")
        self.assertRegex(out, r"All tips +USD +6\.50")
        receipt = self.cli("receipt", str(second["id"]))
        self.assertRegex(receipt, r"discount 10 % \(loyalty\) +-3\.00 USD")
        self.assertRegex(receipt, r"Price +27\.00 USD")
        self.assertRegex(receipt, r"Paid \(card\) +27\.00 USD")
        self.assertRegex(receipt, r"Tip for Alex +4\.00 USD")
        self.assertRegex(receipt, r"Total paid +31\.00 USD")
        path = os.path.join(self.dir, "receipt.txt")
        self.assertIn("receipt written to", self.cli("receipt", str(first["id"]), "--out", path))
        with open(path, encoding="utf-8") as f:
            self.assertRegex(f.read(), r"Tip for Alex +2\.50 USD")
        self.assertIn("no such appointment", self.cli("receipt", "999", expect=2))
        self.assertIn("a number", self.cli("receipt", "x1", expect=2))

    def test_tip_refused_below_zero(self):
        cid, _ = self.client_with_card(pm=None)
        appt = self.book(cid, price=4000)
        out = self.drive("desk-take", str(appt["id"]), "cash", "--tip", "-5", expect=1)
        self.assertIn("tip", out["error"])
        self.assertEqual(out["subject"]["payment"], "none")

    def test_tip_added_on_the_reader_is_read_back(self):
        rid = self.reader()
        cid, _ = self.client_with_card(pm=None)
        appt = self.book(cid, price=4000)
        self.drive("reader", str(appt["id"]))
        ppi = self.fake.requests(method="POST", path_prefix="/v1/terminal/readers")[-1]["params"]
        self.assertEqual(ppi["process_config"]["tipping"]["amount_eligible"], "4000")
        self.fake.api("POST", "/v1/test_helpers/terminal/readers/%s/present_payment_method" % rid,
                      {"amount_tip": "600"})
        out = self.drive("reader-check", str(appt["id"]))
        self.assertEqual(out["subject"]["payment"], "paid")
        self.assertIn("+ tip 6.00 USD on the reader", out["result"]["message"])
        money = self.drive("money", str(appt["id"]))["subject"]
        self.assertEqual(money["tips"], 600)
        self.assertEqual(money["attempts"][0]["amount"], 4000)
        pi = self.pi(money["payment_intent_id"])
        self.assertEqual(pi["amount"], 4600)
        self.assertEqual(pi["amount_details"]["tip"]["amount"], 600)

    def test_reader_tips_off_skips_the_tip_screen(self):
        rid = self.reader()
        self.drive("settings", "tips.on_reader", "off")
        cid, _ = self.client_with_card(pm=None)
        appt = self.book(cid, price=4000)
        self.drive("reader", str(appt["id"]))
        ppi = self.fake.requests(method="POST", path_prefix="/v1/terminal/readers")[-1]["params"]
        self.assertEqual(ppi["process_config"]["skip_tipping"], "true")
        r = self.fake.api("POST",
                          "/v1/test_helpers/terminal/readers/%s/present_payment_method" % rid,
                          {"amount_tip": "600"})
        self.assertEqual(r.status, 400)  # the fake refuses a tip the reader never offered

    # -- receipts ------------------------------------------------------------------------------

    def test_receipt_email_sent_then_sent_again(self):
        cid, _ = self.client_with_card()
        appt = self.book(cid, price=4000)
        paid = self.drive("card", str(appt["id"]))["subject"]
        self.assertEqual(self.pi_posts()[0]["params"]["receipt_email"], "amy@example.com")
        pi = self.pi(paid["payment_intent_id"])
        self.assertEqual(pi["receipt_email"], "amy@example.com")
        self.fake.clear_requests()
        out = self.drive("receipt-resend", str(appt["id"]))
        self.assertIn("emails the receipt again to amy@example.com", out["result"]["message"])
        upd = self.fake.requests(method="POST", path_prefix="/v1/charges/")
        self.assertEqual(len(upd), 1)
        self.assertEqual(upd[0]["path"], "/v1/charges/" + pi["latest_charge"])
        self.assertEqual(upd[0]["params"], {"receipt_email": "amy@example.com"})
        rows = self.audit_rows("receipt.email")
        self.assertEqual(len(rows), 1)
        self.assertIn("amy@example.com", rows[0][1])
        # from History: by the charge id, to the row's email
        out = self.drive("receipt-resend-payment", "0", pi["latest_charge"], "amy@example.com")
        self.assertEqual(len(self.fake.requests(method="POST", path_prefix="/v1/charges/")), 2)

    def test_receipts_setting_off_sends_no_receipt_email(self):
        self.drive("settings", "receipts.email", "off")
        cid, _ = self.client_with_card()
        appt = self.book(cid, price=4000)
        self.drive("card", str(appt["id"]))
        self.assertNotIn("receipt_email", self.pi_posts()[0]["params"])

    def test_receipt_resend_refused_for_cash_and_without_email(self):
        cid, _ = self.client_with_card(pm=None)
        appt = self.book(cid, price=4000)
        self.drive("desk-take", str(appt["id"]), "cash")
        out = self.drive("receipt-resend", str(appt["id"]), expect=1)
        self.assertIn("no card payment", out["error"])
        self.assertIn("paydesk receipt", out["error"])
        out = self.drive("receipt-resend-payment", "0", "ch_123", "", expect=1)
        self.assertIn("no email address", out["error"])


# PaymentsTest's own tests run in their module; not again under this name.
for _name in list(vars(base.PaymentsTest)):
    if _name.startswith("test_"):
        setattr(AppointmentMoneyTest, _name, None)


if __name__ == "__main__":
    unittest.main()
