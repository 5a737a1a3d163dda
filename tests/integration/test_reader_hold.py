"""A card held on the reader (issue 18: "a card to hold the booking, saved through a
SetupIntent: a save-card link or QR, or the reader"), against the fake Stripe: the booking's
SetupIntent is handed to the desk's reader with process_setup_intent; the client taps a card
(the test helper present_payment_method), and the booking reads "card held" with the card's
brand and last4; a declined card and a cancel from the desk hold nothing. Checks what the
desk is told, what the store and audit log hold and what Stripe received.

Drives build/tools/pay_driver for the use cases, as test_policies.py does."""
import datetime
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from drivercase import DeskUserCase  # noqa: E402


class ReaderHoldTest(DeskUserCase):
    prefix = "paydesk-hold-"

    def setUp(self):
        super().setUp()
        r = self.fake.api("POST", "/v1/terminal/readers", {"registration_code": "simulated-wpe",
                                                           "label": "Front counter"})
        self.reader = r.json()["id"]
        # the booking: a client with a Stripe customer and no card, a policy holding one
        c = self.drive("client", "Rory Williams", "rory@example.com")["subject"]
        self.client = c["id"]
        self.customer = self.drive("sync", str(c["id"]))["subject"]["customer"]
        first = self.drive("book", str(c["id"]), "4500", "eur")["subject"]
        self.paydesk("policies", "set", "Haircut 4500", "--as", "Alex", "--hold-card",
                     "--no-show-fee", "45", pin="2468")
        self.appt = self.drive("accept", str(first["id"]), "desk")["subject"]
        self.assertEqual(self.appt["card"], "card needed")

    # -- helpers -------------------------------------------------------------------------------

    def audit(self, action):
        return [r[0] for r in self.sql("SELECT detail FROM audit_log WHERE action = ? ORDER BY id",
                                       (action,))]

    def starts_at(self):
        return self.sql("SELECT starts_at FROM appointments WHERE id = ?",
                        (self.appt["id"],))[0][0]

    def agenda(self):
        start = self.starts_at()
        day = datetime.datetime.fromtimestamp(start, datetime.timezone.utc).strftime("%Y-%m-%d")
        return self.paydesk("agenda", "--date", day)

    def tap(self, number=None):
        body = {"card_present": {"number": number}} if number else {}
        r = self.fake.api("POST", "/v1/test_helpers/terminal/readers/%s/present_payment_method"
                          % self.reader, body)
        self.assertEqual(r.status, 200, r.json())

    def start(self):
        out = self.drive("reader-hold", str(self.client))
        self.assertIn("the client taps or inserts the card", out["result"]["message"])
        self.assertFalse(out["result"]["done"])
        si = out["result"]["object_id"]
        created = self.fake.requests(method="POST", path_prefix="/v1/setup_intents")[-1]
        self.assertEqual(created["params"]["customer"], self.customer)
        self.assertEqual(created["params"]["payment_method_types"], ["card_present"])
        self.assertEqual(created["params"]["usage"], "off_session")
        md = created["params"]["metadata"]
        self.assertEqual((md["client_id"], md["appointment_id"]),
                         (str(self.client), str(self.appt["id"])))
        self.assertIn("policy_version", md)
        self.assertTrue(created["headers"].get("Idempotency-Key"))
        process = self.fake.requests(
            method="POST", path_prefix="/v1/terminal/readers/%s/process_setup_intent"
            % self.reader)[-1]
        self.assertEqual(process["params"],
                         {"setup_intent": si, "customer_consent_collected": "true"})
        return si

    # -- the three ends ------------------------------------------------------------------------

    def test_card_tapped_on_the_reader_holds_the_booking(self):
        si = self.start()
        waiting = self.drive("reader-hold-check", str(self.client))
        self.assertFalse(waiting["result"]["done"])
        self.assertIn("waiting for the card", waiting["result"]["message"])
        self.tap("5555555555554444")
        done = self.drive("reader-hold-check", str(self.client))
        self.assertTrue(done["result"]["done"])
        self.assertIn("Card held: mastercard ending 4444", done["result"]["message"])
        self.assertEqual([(c["brand"], c["last4"]) for c in done["subject"]["cards"]],
                         [("mastercard", "4444")])
        self.assertIn("card held", self.agenda())
        self.assertEqual(self.sql("SELECT status, brand, last4, setup_intent_id FROM reader_holds"),
                         [("complete", "mastercard", "4444", si)])
        self.assertEqual(len(self.audit("customer.reader_hold")), 1)
        self.assertIn("Rory Williams", self.audit("customer.reader_hold.succeeded")[0])
        # a second check changes nothing and writes no second entry
        again = self.drive("reader-hold-check", str(self.client))
        self.assertIn("Card held", again["result"]["message"])
        self.assertEqual(len(self.audit("customer.reader_hold.succeeded")), 1)
        # The card held is what a no-show fee is charged on, off-session, days later.
        gen = done["subject"]["cards"][0]["id"]
        start = self.starts_at()
        self.sql("UPDATE appointments SET starts_at = ?, ends_at = ? WHERE id = ?",
                 (start - 3 * 86400, start - 3 * 86400 + 900, self.appt["id"]))
        fee = self.drive("no-show", str(self.appt["id"]))["subject"]
        charged = self.drive("fee-charge", str(fee["id"]))
        self.assertEqual(charged["subject"]["state"], "charged", charged)
        pi = self.fake.requests(method="POST", path_prefix="/v1/payment_intents")[-1]
        self.assertEqual((pi["params"]["payment_method"], pi["params"]["off_session"]),
                         (gen, "true"))

    def test_declined_card_holds_nothing_and_says_why(self):
        self.start()
        self.tap("4000000000000002")
        out = self.drive("reader-hold-check", str(self.client))
        self.assertTrue(out["result"]["done"])
        self.assertTrue(out["result"]["offer_link"])
        self.assertIn("No card held", out["result"]["message"])
        self.assertIn("declined", out["result"]["message"])
        self.assertEqual(out["subject"]["cards"], [])
        self.assertIn("card needed", self.agenda())
        self.assertEqual(self.sql("SELECT status FROM reader_holds"), [("failed",)])
        self.assertEqual(len(self.audit("customer.reader_hold.failed")), 1)
        # the desk tries again on the same reader: a new SetupIntent, and this card holds
        self.start()
        self.tap()
        self.assertIn("Card held: visa ending 4242",
                      self.drive("reader-hold-check", str(self.client))["result"]["message"])

    def test_cancel_on_the_reader_from_the_desk(self):
        si = self.start()
        # a second start while the reader waits sends nothing new
        again = self.drive("reader-hold", str(self.client))
        self.assertIn("still waiting", again["result"]["message"])
        self.assertEqual(len(self.fake.requests(method="POST",
                                                path_prefix="/v1/setup_intents")), 1)
        out = self.drive("reader-hold-cancel", str(self.client))
        self.assertTrue(out["result"]["done"])
        self.assertIn("cancelled from the desk", out["result"]["message"])
        self.assertIsNone(self.fake.api("GET", "/v1/terminal/readers/" + self.reader)
                          .json()["action"])
        self.assertEqual(self.fake.api("GET", "/v1/setup_intents/" + si).json()["status"],
                         "canceled")
        self.assertEqual(self.sql("SELECT status FROM reader_holds"), [("cancelled",)])
        self.assertEqual(len(self.audit("customer.reader_hold.cancelled")), 1)
        self.assertIn("card needed", self.agenda())
        self.drive("reader-hold-cancel", str(self.client), expect=1)  # nothing waits now


if __name__ == "__main__":
    unittest.main()
