"""Payouts: the automatic schedule sweeps what is available into a payout whose balance
transactions (`?payout=`) add up to it; manual and instant payouts draw on the available
balance; disputes and adjustments move the balance too."""
from fakecase import FakeStripeCase

T0 = 1700000000
DAY = 86400


class PayoutsTest(FakeStripeCase):
    def paid(self, amount):
        r = self.pay(amount)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def txns(self, **params):
        out, after = [], None
        while True:
            q = dict(params, limit=2)
            if after:
                q["starting_after"] = after
            page = self.ok("GET", "/v1/balance_transactions", q)
            out += page["data"]
            if not page["has_more"]:
                return out
            after = page["data"][-1]["id"]

    def test_automatic_payout_lists_its_transactions_summing_to_it(self):
        self.fake.set_clock(T0)
        pi1, pi2 = self.paid(5000), self.paid(2000)
        self.ok("POST", "/v1/refunds", {"payment_intent": pi2["id"], "amount": 500})
        self.fake.set_clock(T0 + 3 * DAY)
        self.paid(900)      # not available yet: stays for the next payout
        run = self.fake.control("POST", "/payouts/run", {})
        self.assertEqual(len(run["payouts"]), 1)
        po = run["payouts"][0]
        # 5000 - 175 fee, 2000 - 88 fee, -500 refund
        self.assertEqual((po["amount"], po["automatic"], po["method"], po["status"],
                          po["arrival_date"]), (4825 + 1912 - 500, True, "standard", "pending",
                                                T0 + 5 * DAY))
        txns = self.txns(payout=po["id"])
        self.assertEqual(sorted(t["type"] for t in txns), ["charge", "charge", "payout", "refund"])
        self.assertEqual(sum(t["net"] for t in txns), 0)
        self.assertEqual(self.ok("GET", "/v1/payouts/" + po["id"]), po)
        self.assertEqual(self.ok("GET", "/v1/payouts")["data"], [po])
        self.assertEqual(self.ok("GET", "/v1/payouts", {"created": {"gt": T0 + 3 * DAY}})["data"],
                         [])
        moved = self.fake.control("POST", "/payouts/%s/status" % po["id"],
                                  {"status": "paid"})
        self.assertEqual(moved["status"], "paid")
        # nothing available left to pay out
        self.assertEqual(self.fake.control("POST", "/payouts/run", {})["payouts"], [])

    def test_manual_and_instant_payouts_draw_on_the_available_balance(self):
        self.fake.set_clock(T0)
        self.paid(10000)                                   # net 9680
        self.fake.set_clock(T0 + 3 * DAY)
        err = self.error(400, "POST", "/v1/payouts", {"amount": 9681, "currency": "usd"})
        self.assertEqual((err["code"], err["param"]), ("balance_insufficient", "amount"))
        po = self.ok("POST", "/v1/payouts", {"amount": 4000, "currency": "usd",
                                              "method": "instant"})
        self.assertEqual((po["automatic"], po["method"], po["arrival_date"]),
                         (False, "instant", T0 + 3 * DAY))
        own = self.txns(payout=po["id"])                   # Stripe: automatic payouts only
        self.assertEqual([(t["type"], t["amount"], t["fee"]) for t in own],
                         [("payout", -4000, 60)])
        err = self.error(400, "POST", "/v1/payouts", {"amount": 100, "currency": "usd",
                                                       "speed": "fast"})
        self.assertIn("speed", err["message"])
        err = self.error(400, "POST", "/v1/payouts", {"amount": 100, "currency": "usd",
                                                       "method": "slow"})
        self.assertEqual(err["param"], "method")

    def test_a_dispute_withdraws_the_amount_and_fee_and_a_won_one_returns_the_amount(self):
        self.fake.set_clock(T0)
        self.ok("POST", "/v1/payment_intents", {"amount": 7500, "currency": "usd",
                                                "payment_method": "pm_card_createDispute",
                                                "confirm": True})
        dp = self.ok("GET", "/v1/disputes")["data"][0]
        self.assertEqual([(t["type"], t["reporting_category"], t["amount"], t["fee"], t["source"])
                          for t in dp["balance_transactions"]],
                         [("adjustment", "dispute", -7500, 1500, dp["id"])])
        self.fake.control("POST", "/disputes/%s/close" % dp["id"], {"status": "won"})
        back = self.txns(source=dp["id"])
        self.assertEqual(sorted(t["net"] for t in back), [-9000, 7500])
        adj = self.fake.control("POST", "/balance/adjustments",
                                {"amount": -250, "currency": "usd"})
        self.assertEqual((adj["type"], adj["net"], adj["source"]), ("adjustment", -250, None))
        self.fake.set_clock(T0 + 3 * DAY)
        po = self.fake.control("POST", "/payouts/run", {})["payouts"][0]
        self.assertEqual(po["amount"], 7500 - 7500 - 1500 + 7500 - 250 - 248)

    def test_a_restricted_key_needs_payouts_read(self):
        self.fake.add_key("rk_test_nopayouts", permissions={"balance_transactions": "read"})
        r = self.api("GET", "/v1/payouts", key="rk_test_nopayouts")
        self.assertEqual(r.status, 403)
        self.assertIn("rak_payout_read", r.json()["error"]["message"])
