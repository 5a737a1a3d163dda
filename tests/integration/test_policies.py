"""Booking policies (issue 18) against the fake Stripe: an admin sets a service's policy with
`paydesk policies`, the booking applies it (acceptance recorded, a required deposit keeps it
awaiting payment until paid, the deposit then the rest), and cancelling applies its money
rule in time and late. Checks what the store recorded, what `paydesk agenda` prints and what
the fake Stripe received (refunds, PaymentIntent metadata, the pay link's custom_text).

Drives build/tools/pay_driver for the payment use cases and ./paydesk for the commands.
"""
import datetime
import os
import sqlite3
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from drivercase import DeskUserCase  # noqa: E402

SALON = ["--deposit", "20%", "--deposit-required", "--hold-card", "--window", "24",
         "--late-fee", "50%", "--no-show-fee", "45", "--in-time", "refund",
         "--late", "keep-deposit"]


class PoliciesTest(DeskUserCase):
    prefix = "paydesk-policy-"

    # -- helpers -------------------------------------------------------------------------------

    def booked_with_policy(self, *terms, price=4500):
        """A client with a saved card booked for a service of price EUR under terms, the
        policy accepted at the desk."""
        cid, _ = self.client_with_card()
        first = self.drive("book", str(cid), str(price), "eur")["subject"]
        out = self.paydesk("policies", "set", "Haircut %d" % price, "--as", "Alex", *terms,
                           pin="2468")
        self.assertIn("Haircut %d: deposit" % price, out)
        accepted = self.drive("accept", str(first["id"]), "desk")["subject"]
        return accepted

    def audit(self, action):
        con = sqlite3.connect(self.db)
        try:
            return [r[0] for r in con.execute(
                "SELECT detail FROM audit_log WHERE action = ? ORDER BY id", (action,))]
        finally:
            con.close()

    def refunds_sent(self):
        return [(r["params"].get("payment_intent"), r["params"].get("amount"))
                for r in self.fake.requests(method="POST", path_prefix="/v1/refunds")]

    def agenda(self, appt):
        con = sqlite3.connect(self.db)
        try:
            start = con.execute("SELECT starts_at FROM appointments WHERE id = ?",
                                (appt,)).fetchone()[0]
        finally:
            con.close()
        day = datetime.datetime.fromtimestamp(start, datetime.timezone.utc).strftime("%Y-%m-%d")
        return self.paydesk("agenda", "--date", day)

    # -- setting policies ----------------------------------------------------------------------

    def test_only_an_admin_sets_a_policy_and_bad_terms_say_what_to_type(self):
        self.drive("book", str(self.client_with_card()[0]), "4500", "eur")
        out = self.paydesk("policies", "set", "Haircut 4500", *SALON, expect=2)
        self.assertIn("prove you are an admin", out)
        out = self.paydesk("policies", "set", "Haircut 4500", "--as", "Alex", "--deposit",
                           "150%", pin="2468", expect=2)
        self.assertIn("at most 100%", out)
        out = self.paydesk("policies", "set", "Haircut 4500", "--window", "1000", expect=2)
        self.assertIn("--window takes a whole number from 0 to 720", out)
        out = self.paydesk("policies", "set", "Colour", "--as", "Alex", "--window", "2",
                           pin="2468", expect=1)
        self.assertIn("no service is called", out)
        self.assertIn("no booking policies", self.paydesk("policies"))
        self.assertEqual(self.audit("policy.set"), [])
        out = self.paydesk("policies", "set", "Haircut 4500", "--as", "Alex", *SALON,
                           pin="2468")
        self.assertIn("Deposit 9.00 EUR at booking (required)", out)
        listed = self.paydesk("policies", "list")
        self.assertIn("Haircut 4500: deposit 20 % required · card held · cancel 24 h before",
                      listed)
        # set changes only what is given
        self.paydesk("policies", "set", "Haircut 4500", "--as", "Alex", "--window", "48",
                     pin="2468")
        self.assertIn("cancel 48 h before: refund · late: fee 50 %, keep-deposit",
                      self.paydesk("policies"))
        self.assertEqual(len(self.audit("policy.set")), 2)
        self.paydesk("policies", "remove", "Haircut 4500", "--as", "Alex", pin="2468")
        self.assertIn("no booking policies", self.paydesk("policies"))
        self.assertEqual(len(self.audit("policy.remove")), 1)

    # -- booking: deposit, then the rest -------------------------------------------------------

    def test_required_deposit_then_the_rest(self):
        appt = self.booked_with_policy(*SALON)
        aid = str(appt["id"])
        self.assertEqual(appt["state"], "awaiting_payment")
        self.assertEqual(appt["asked"], "deposit 9.00 EUR required · card to hold")
        self.assertEqual(appt["card"], "card held")
        accepted = self.audit("policy.accept")
        self.assertEqual(len(accepted), 1)
        self.assertIn("accepted desk", accepted[0])
        self.assertIn("Deposit 9.00 EUR at booking (required)", accepted[0])
        self.assertIn("deposit 9.00 EUR required by the booking policy",
                      self.audit("payment.required")[-1])

        # Less than the deposit: still awaiting payment.
        part = self.drive("card", aid, "--amount", "500")["subject"]
        self.assertEqual(part["state"], "awaiting_payment")
        dep = self.drive("card", aid, "--amount", "400")["subject"]
        self.assertEqual(dep["state"], "confirmed")
        self.assertEqual(dep["deposit"], 900)
        shown = self.agenda(appt["id"])
        self.assertIn("deposit 9.00 · 36.00 due · card held", shown)

        # The PaymentIntents carry the appointment, the client and the policy's version.
        version = self.paydesk("policies").split("(version ")[1].split(")")[0]
        pis = [r["params"] for r in self.fake.requests(method="POST",
                                                        path_prefix="/v1/payment_intents")
               if "amount" in r["params"]]
        self.assertEqual(len(pis), 2)
        for p in pis:
            self.assertEqual(p["metadata"]["appointment_id"], aid)
            self.assertEqual(p["metadata"]["policy_version"], version)
            self.assertIn("client_id", p["metadata"])

        # The rest by pay link: the page shows the policy the client accepted.
        link = self.drive("link", aid)
        sessions = self.fake.requests(method="POST", path_prefix="/v1/checkout/sessions")
        params = sessions[-1]["params"]
        self.assertIn("Deposit 9.00 EUR at booking (required)",
                      params["custom_text"]["submit"]["message"])
        self.assertEqual(params["payment_intent_data"]["metadata"]["policy_version"], version)
        self.assertEqual(params["line_items"]["0"]["price_data"]["unit_amount"], "3600")
        cs = link["result"]["object_id"]
        got = self.fake.api("GET", "/v1/checkout/sessions/" + cs).json()
        self.assertIn("Deposit 9.00 EUR", got["custom_text"]["submit"]["message"])
        self.fake.control("POST", "/checkout/sessions/%s/complete" % cs,
                          {"payment_method": "pm_card_visa"})
        paid = self.drive("link-check", aid)["subject"]
        self.assertEqual(paid["payment"], "paid")
        self.assertEqual(paid["deposit"], 0)

    def test_card_needed_until_saved_and_the_link_carries_the_policy(self):
        c = self.drive("client", "Rory Williams", "rory@example.com")["subject"]
        self.drive("sync", str(c["id"]))
        first = self.drive("book", str(c["id"]), "4500", "eur")["subject"]
        self.paydesk("policies", "set", "Haircut 4500", "--as", "Alex", "--hold-card",
                     "--no-show-fee", "45", pin="2468")
        appt = self.drive("accept", str(first["id"]), "phone")["subject"]
        self.assertEqual(appt["card"], "card needed")
        self.assertEqual(appt["state"], "booked")  # nothing required up front
        self.assertIn("card needed", self.agenda(first["id"]))
        self.assertIn("accepted phone", self.audit("policy.accept")[-1])
        out = self.drive("save-card", str(c["id"]))
        sessions = self.fake.requests(method="POST", path_prefix="/v1/checkout/sessions")
        params = sessions[-1]["params"]
        self.assertEqual(params["mode"], "setup")
        self.assertIn("A card is held on file for fees",
                      params["custom_text"]["submit"]["message"])
        self.assertEqual(params["setup_intent_data"]["metadata"]["appointment_id"],
                         str(first["id"]))
        cs = out["result"]["object_id"]
        self.fake.control("POST", "/checkout/sessions/%s/complete" % cs,
                          {"payment_method": "pm_card_visa"})
        self.drive("save-card-check", str(c["id"]))
        self.assertIn("card held", self.agenda(first["id"]))

    # -- cancelling ----------------------------------------------------------------------------

    def test_in_time_cancel_refunds_per_policy(self):
        appt = self.booked_with_policy(*SALON)
        aid = str(appt["id"])
        pi = self.drive("card", aid, "--amount", "900")["subject"]["attempts"][0][
            "payment_intent_id"]
        plan = self.drive("cancel-plan", aid, "48")["subject"]["plan"]
        self.assertEqual((plan["late"], plan["refund"], plan["kept"], plan["fee_due"]),
                         (False, 900, 0, 0))
        self.assertEqual(self.refunds_sent(), [])  # a plan moves nothing
        out = self.drive("cancel-policy", aid, "48")
        self.assertEqual(out["subject"]["state"], "cancelled")
        self.assertEqual(out["subject"]["payment"], "refunded")
        self.assertIn("in time by the booking policy (refund): 9.00 EUR refunded, 0.00 EUR kept",
                      out["result"]["message"])
        self.assertEqual(self.refunds_sent(), [(pi, "900")])
        self.assertTrue(self.audit("payment.refund"))

    def test_in_time_cancel_keeping_the_deposit_refunds_the_rest(self):
        terms = list(SALON)
        terms[terms.index("--in-time") + 1] = "keep-deposit"
        appt = self.booked_with_policy(*terms)
        aid = str(appt["id"])
        pi = self.drive("card", aid)["subject"]["attempts"][0]["payment_intent_id"]
        out = self.drive("cancel-policy", aid, "30")
        self.assertEqual(out["subject"]["plan"]["refund"], 3600)
        self.assertEqual(out["subject"]["plan"]["kept"], 900)
        self.assertEqual(self.refunds_sent(), [(pi, "3600")])
        self.assertEqual(out["subject"]["state"], "cancelled")
        self.assertIn("9.00 EUR kept", self.audit("booking.keep")[-1])

    def test_late_cancel_keeps_the_deposit_and_leaves_the_fee_due(self):
        appt = self.booked_with_policy(*SALON)
        aid = str(appt["id"])
        self.drive("card", aid, "--amount", "900")
        out = self.drive("cancel-policy", aid, "2")
        plan = out["subject"]["plan"]
        self.assertEqual((plan["late"], plan["rule"], plan["refund"], plan["kept"]),
                         (True, "keep-deposit", 0, 900))
        self.assertEqual((plan["fee"], plan["fee_due"]), (2250, 1350))
        self.assertEqual(self.refunds_sent(), [])
        self.assertEqual(out["subject"]["state"], "cancelled")
        self.assertEqual(out["subject"]["payment"], "paid")
        self.assertIn("9.00 EUR kept", self.audit("booking.keep")[-1])


if __name__ == "__main__":
    unittest.main()
