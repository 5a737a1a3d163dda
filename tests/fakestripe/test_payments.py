"""PaymentIntent lifecycle, test cards, charges, refunds, balance transactions, events."""
from fakecase import FakeStripeCase

DECLINES = [
    ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
    ("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
    ("pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card"),
    ("pm_card_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
    ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"),
    ("pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error"),
]


class PaymentIntentTest(FakeStripeCase):
    def test_successful_cards(self):
        for pm, brand, last4 in (("pm_card_visa", "visa", "4242"),
                                 ("pm_card_mastercard", "mastercard", "4444"),
                                 ("pm_card_amex", "amex", "0005")):
            pi = self.pay(pm=pm, expand=["latest_charge", "payment_method"]).json()
            self.assertEqual(pi["status"], "succeeded")
            self.assertEqual(pi["amount_received"], 5000)
            self.assertTrue(pi["payment_method"]["id"].startswith("pm_"))
            self.assertNotEqual(pi["payment_method"]["id"], pm)
            card = pi["latest_charge"]["payment_method_details"]["card"]
            self.assertEqual((card["brand"], card["last4"]), (brand, last4))
            self.assertEqual(pi["payment_method"]["card"]["last4"], last4)

    def test_declines(self):
        for pm, code, decline_code in DECLINES:
            r = self.pay(pm=pm)
            self.assertEqual(r.status, 402, pm)
            err = r.json()["error"]
            self.assertEqual((err["type"], err["code"], err["decline_code"]),
                             ("card_error", code, decline_code), pm)
            pi = err["payment_intent"]
            self.assertEqual(pi["status"], "requires_payment_method")
            self.assertEqual(pi["last_payment_error"]["decline_code"], decline_code)
            charge = self.ok("GET", "/v1/charges/" + err["charge"])
            self.assertEqual(charge["status"], "failed")
            self.assertEqual(charge["failure_code"], code)
            self.assertIsNone(charge["balance_transaction"])

    def test_authentication_required_on_and_off_session(self):
        on = self.pay(pm="pm_card_authenticationRequired").json()
        self.assertEqual(on["status"], "requires_action")
        self.assertEqual(on["next_action"]["type"], "use_stripe_sdk")
        self.assertIsNone(on["latest_charge"])
        done = self.fake.authenticate(on["id"])
        self.assertEqual(done["status"], "succeeded")

        cus = self.ok("POST", "/v1/customers", {"payment_method": "pm_card_authenticationRequired"})
        pm = self.ok("GET", "/v1/customers/%s/payment_methods" % cus["id"])["data"][0]["id"]
        r = self.pay(pm=pm, customer=cus["id"], off_session=True)
        self.assertEqual(r.status, 402)
        err = r.json()["error"]
        self.assertEqual(err["code"], "authentication_required")
        self.assertEqual(err["decline_code"], "authentication_required")
        self.assertEqual(err["payment_intent"]["status"], "requires_payment_method")
        self.assertEqual(err["payment_intent"]["last_payment_error"]["code"],
                         "authentication_required")

    def test_lifecycle_create_then_confirm(self):
        pi = self.ok("POST", "/v1/payment_intents", {"amount": 1500, "currency": "gbp"})
        self.assertEqual(pi["status"], "requires_payment_method")
        self.assertEqual(pi["payment_method_types"], ["card"])
        err = self.error(400, "POST", "/v1/payment_intents/%s/confirm" % pi["id"])
        self.assertEqual(err["code"], "payment_intent_unexpected_state")
        pi = self.ok("POST", "/v1/payment_intents/" + pi["id"], {"payment_method": "pm_card_visa"})
        self.assertEqual(pi["status"], "requires_confirmation")
        pi = self.ok("POST", "/v1/payment_intents/%s/confirm" % pi["id"])
        self.assertEqual(pi["status"], "succeeded")
        self.assertTrue(pi["latest_charge"].startswith("ch_"))
        err = self.error(400, "POST", "/v1/payment_intents/%s/cancel" % pi["id"])
        self.assertEqual(err["code"], "payment_intent_unexpected_state")

    def test_manual_capture_partial(self):
        pi = self.pay(amount=8000, capture_method="manual").json()
        self.assertEqual(pi["status"], "requires_capture")
        self.assertEqual(pi["amount_capturable"], 8000)
        charge = self.ok("GET", "/v1/charges/" + pi["latest_charge"])
        self.assertFalse(charge["captured"])
        self.assertEqual(self.fake.counts()["balance_transaction"], 0)
        self.error(400, "POST", "/v1/payment_intents/%s/capture" % pi["id"],
                   {"amount_to_capture": 9000})
        pi = self.ok("POST", "/v1/payment_intents/%s/capture" % pi["id"],
                     {"amount_to_capture": 6000, "expand": ["latest_charge.balance_transaction"]})
        self.assertEqual((pi["status"], pi["amount_received"]), ("succeeded", 6000))
        self.assertEqual(pi["latest_charge"]["amount_captured"], 6000)
        self.assertEqual(pi["latest_charge"]["balance_transaction"]["amount"], 6000)

    def test_cancel(self):
        pi = self.ok("POST", "/v1/payment_intents", {"amount": 1500, "currency": "usd"})
        pi = self.ok("POST", "/v1/payment_intents/%s/cancel" % pi["id"],
                     {"cancellation_reason": "requested_by_customer"})
        self.assertEqual(pi["status"], "canceled")
        self.assertEqual(pi["cancellation_reason"], "requested_by_customer")
        held = self.pay(capture_method="manual").json()
        held = self.ok("POST", "/v1/payment_intents/%s/cancel" % held["id"])
        self.assertEqual(held["status"], "canceled")
        self.assertEqual(self.fake.counts()["balance_transaction"], 0)

    def test_amount_too_small_and_unknown_customer(self):
        err = self.error(400, "POST", "/v1/payment_intents", {"amount": 20, "currency": "gbp"})
        self.assertEqual(err["code"], "amount_too_small")
        err = self.error(400, "POST", "/v1/payment_intents",
                         {"amount": 500, "currency": "usd", "customer": "cus_nope"})
        self.assertEqual((err["param"], err["code"]), ("customer", "resource_missing"))

    def test_balance_transaction_fee_and_net(self):
        for amount, fee in ((5000, 175), (1000, 59), (1234, 66), (100000, 2930)):
            pi = self.pay(amount=amount, expand=["latest_charge.balance_transaction"]).json()
            txn = pi["latest_charge"]["balance_transaction"]
            self.assertEqual((txn["amount"], txn["fee"], txn["net"]), (amount, fee, amount - fee))
            self.assertEqual(txn["type"], "charge")
            self.assertEqual(txn["fee_details"][0]["type"], "stripe_fee")
            self.assertEqual(txn["source"], pi["latest_charge"]["id"])


class RefundTest(FakeStripeCase):
    def test_partial_then_full_then_over_refund(self):
        pi = self.pay(amount=5000).json()
        r1 = self.ok("POST", "/v1/refunds", {"payment_intent": pi["id"], "amount": 2000})
        self.assertEqual((r1["amount"], r1["status"]), (2000, "succeeded"))
        charge = self.ok("GET", "/v1/charges/" + pi["latest_charge"])
        self.assertEqual((charge["amount_refunded"], charge["refunded"]), (2000, False))
        err = self.error(400, "POST", "/v1/refunds", {"charge": charge["id"], "amount": 3001})
        self.assertEqual((err["param"], err["code"]), ("amount", "amount_too_large"))
        r2 = self.ok("POST", "/v1/refunds", {"charge": charge["id"]})
        self.assertEqual(r2["amount"], 3000)
        charge = self.ok("GET", "/v1/charges/" + charge["id"], {"expand": ["refunds"]})
        self.assertEqual((charge["amount_refunded"], charge["refunded"]), (5000, True))
        self.assertEqual([r["id"] for r in charge["refunds"]["data"]], [r2["id"], r1["id"]])
        err = self.error(400, "POST", "/v1/refunds", {"payment_intent": pi["id"], "amount": 1})
        self.assertEqual(err["code"], "charge_already_refunded")
        txn = self.ok("GET", "/v1/refunds/" + r2["id"], {"expand": ["balance_transaction"]})
        self.assertEqual(txn["balance_transaction"]["amount"], -3000)
        self.assertEqual(txn["balance_transaction"]["type"], "refund")
        listed = self.ok("GET", "/v1/refunds", {"payment_intent": pi["id"]})["data"]
        self.assertEqual(len(listed), 2)
        txns = self.ok("GET", "/v1/balance_transactions", {"type": "refund"})["data"]
        self.assertEqual(sorted(t["amount"] for t in txns), [-3000, -2000])

    def test_refund_needs_a_successful_charge(self):
        pi = self.ok("POST", "/v1/payment_intents", {"amount": 500, "currency": "usd"})
        err = self.error(400, "POST", "/v1/refunds", {"payment_intent": pi["id"]})
        self.assertEqual(err["param"], "payment_intent")


class EventTest(FakeStripeCase):
    def types(self, **params):
        return [e["type"] for e in self.ok("GET", "/v1/events", dict(params, limit=100))["data"]]

    def test_events_for_a_payment_and_refund(self):
        cus = self.ok("POST", "/v1/customers", {"email": "a@example.com"})
        self.ok("POST", "/v1/customers/" + cus["id"], {"name": "Amy"})
        pi = self.pay(customer=cus["id"]).json()
        self.pay(pm="pm_card_chargeDeclined")
        self.ok("POST", "/v1/refunds", {"payment_intent": pi["id"]})
        got = self.types()
        for t in ("customer.created", "customer.updated", "payment_intent.created",
                  "payment_intent.succeeded", "charge.succeeded", "charge.failed",
                  "payment_intent.payment_failed", "charge.refunded"):
            self.assertIn(t, got)
        self.assertEqual(self.types(type="charge.*"), ["charge.refunded", "charge.failed",
                                                       "charge.succeeded"])
        self.assertEqual(set(self.types(types=["customer.created", "customer.updated"])),
                         {"customer.created", "customer.updated"})
        upd = self.ok("GET", "/v1/events", {"type": "customer.updated"})["data"][0]
        self.assertEqual(upd["data"]["previous_attributes"], {"name": None})
        self.assertEqual(upd["data"]["object"]["name"], "Amy")
        succeeded = self.ok("GET", "/v1/events", {"type": "payment_intent.succeeded"})["data"][0]
        self.assertEqual(succeeded["data"]["object"]["id"], pi["id"])
        self.assertEqual(succeeded["request"]["id"][:4], "req_")
        self.assertEqual(self.ok("GET", "/v1/events/" + succeeded["id"])["id"], succeeded["id"])
