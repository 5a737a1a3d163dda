"""Stripe's dispute test card (pm_card_createDispute, 4000000000000259): the payment succeeds, then
its charge is disputed as fraudulent (charge.disputed, event charge.dispute.created)."""
from fakecase import FakeStripeCase

T0 = 1700000000
DISPUTE_FIELDS = {"id", "object", "amount", "balance_transactions", "charge", "created", "currency",
                  "evidence", "evidence_details", "is_charge_refundable", "livemode", "metadata",
                  "payment_intent", "reason", "status"}


class DisputeCardTest(FakeStripeCase):
    def disputes(self):
        return self.ok("GET", "/v1/events",
                       {"type": "charge.dispute.created", "limit": 100})["data"]

    def fetch_as_sync(self, pi_id):
        return self.ok("GET", "/v1/payment_intents/" + pi_id,
                       {"expand": ["latest_charge.balance_transaction"]})

    def test_confirm_with_dispute_card_succeeds_then_is_disputed(self):
        self.fake.set_clock(T0)
        pi = self.ok("POST", "/v1/payment_intents", {"amount": 7500, "currency": "usd",
                                                      "payment_method": "pm_card_createDispute"})
        self.assertEqual(pi["status"], "requires_confirmation")
        self.assertEqual(self.disputes(), [])             # nothing until the money moves
        pi = self.ok("POST", "/v1/payment_intents/%s/confirm" % pi["id"])
        self.assertEqual((pi["status"], pi["amount_received"]), ("succeeded", 7500))

        again = self.fetch_as_sync(pi["id"])
        charge = again["latest_charge"]
        self.assertTrue(charge["disputed"])
        self.assertEqual((charge["status"], charge["paid"], charge["captured"], charge["refunded"]),
                         ("succeeded", True, True, False))
        card = charge["payment_method_details"]["card"]
        self.assertEqual((card["brand"], card["last4"]), ("visa", "0259"))
        self.assertEqual(charge["balance_transaction"]["amount"], 7500)   # funds not withdrawn

        events = self.disputes()
        self.assertEqual(len(events), 1)
        evt = events[0]
        self.assertEqual((evt["created"], evt["livemode"]), (T0, False))
        self.assertNotIn("previous_attributes", evt["data"])
        dp = evt["data"]["object"]
        self.assertEqual(set(dp), DISPUTE_FIELDS)
        self.assertTrue(dp["id"].startswith("dp_"), dp["id"])
        self.assertEqual(
            (dp["object"], dp["amount"], dp["currency"], dp["charge"], dp["payment_intent"],
             dp["reason"], dp["status"], dp["created"], dp["livemode"], dp["metadata"],
             dp["is_charge_refundable"],
             [(t["type"], t["amount"], t["source"]) for t in dp["balance_transactions"]]),
            ("dispute", 7500, "usd", charge["id"], pi["id"], "fraudulent", "needs_response", T0,
             False, {}, False, [("adjustment", -7500, dp["id"])]))
        self.assertEqual((dp["evidence_details"]["has_evidence"],
                          dp["evidence_details"]["submission_count"]), (False, 0))
        self.assertTrue(all(v is None for v in dp["evidence"].values()))
        # stored, listed and retrieved like Stripe's
        self.assertEqual(self.fake.object(dp["id"])["charge"], charge["id"])
        self.assertEqual(self.ok("GET", "/v1/disputes/" + dp["id"]), dp)
        self.assertEqual(self.ok("GET", "/v1/disputes")["data"], [dp])
        self.assertEqual(self.ok("GET", "/v1/disputes", {"payment_intent": pi["id"]})["data"],
                         [dp])
        self.assertEqual(self.ok("GET", "/v1/disputes", {"charge": "ch_other"})["data"], [])
        self.assertEqual(self.error(404, "GET", "/v1/disputes/dp_nope")["code"],
                         "resource_missing")

        # The order a feed reader sees (newest first): the dispute after the payment succeeded.
        types = [e["type"] for e in self.ok("GET", "/v1/events",
                                            {"types": ["charge.*", "payment_intent.*"]})["data"]]
        self.assertEqual(types[:2], ["charge.dispute.created", "payment_intent.succeeded"])

    def test_normal_card_is_not_disputed(self):
        pi = self.pay(pm="pm_card_visa").json()
        self.assertEqual(pi["status"], "succeeded")
        self.assertFalse(self.fetch_as_sync(pi["id"])["latest_charge"]["disputed"])
        self.assertEqual(self.disputes(), [])
        self.assertNotIn("dispute", self.fake.counts())

    def test_manual_capture_is_disputed_once_captured(self):
        pi = self.pay(amount=8000, pm="pm_card_createDispute", capture_method="manual").json()
        self.assertEqual(pi["status"], "requires_capture")
        self.assertFalse(self.fetch_as_sync(pi["id"])["latest_charge"]["disputed"])
        self.assertEqual(self.disputes(), [])
        self.ok("POST", "/v1/payment_intents/%s/capture" % pi["id"], {"amount_to_capture": 6000})
        self.assertTrue(self.fetch_as_sync(pi["id"])["latest_charge"]["disputed"])
        [evt] = self.disputes()
        self.assertEqual((evt["data"]["object"]["amount"], evt["data"]["object"]["payment_intent"]),
                         (6000, pi["id"]))

    def test_token_and_charge_search(self):
        pm = self.ok("POST", "/v1/payment_methods",
                     {"type": "card", "card": {"token": "tok_createDispute"}})
        self.assertEqual(pm["card"]["last4"], "0259")
        pi = self.pay(pm=pm["id"]).json()
        self.pay(pm="pm_card_visa")
        found = self.ok("GET", "/v1/charges/search", {"query": 'disputed:"true"'})["data"]
        self.assertEqual([c["payment_intent"] for c in found], [pi["id"]])
        # Stripe has no Visa-prefixed alias for this card
        self.assertEqual(self.pay(pm="pm_card_visa_createDispute").status, 400)


class DisputeDecisionTest(FakeStripeCase):
    def test_lost_and_won_disputes_close_with_an_event(self):
        self.fake.set_clock(T0)
        lost = self.pay(amount=3000, pm="pm_card_createDispute").json()
        won = self.pay(amount=2000, pm="pm_card_createDispute").json()
        dps = {d["payment_intent"]: d for d in self.ok("GET", "/v1/disputes")["data"]}
        self.fake.advance_clock(3600)
        self.assertEqual(self.fake.control("POST", "/disputes/%s/close" % dps[lost["id"]]["id"],
                                           {"status": "lost"})["status"], "lost")
        self.fake.control("POST", "/disputes/%s/close" % dps[won["id"]]["id"], {"status": "won"})
        self.assertEqual(self.ok("GET", "/v1/disputes/" + dps[lost["id"]]["id"])["status"], "lost")
        closed = self.ok("GET", "/v1/events", {"type": "charge.dispute.closed"})["data"]
        self.assertEqual([(e["data"]["object"]["payment_intent"], e["data"]["object"]["status"],
                           e["data"]["previous_attributes"]) for e in closed],
                         [(won["id"], "won", {"status": "needs_response"}),
                          (lost["id"], "lost", {"status": "needs_response"})])
        # the charge stays disputed, as on Stripe, whatever the outcome
        ch = self.ok("GET", "/v1/charges/" + won["latest_charge"])
        self.assertTrue(ch["disputed"])
