"""Products, prices, subscriptions, invoices and test clocks (renewals paid and failed)."""
from fakecase import FakeStripeCase

T0 = 1700000000          # 2023-11-14 22:13:20 UTC
DAY = 86400


class BillingCase(FakeStripeCase):
    def setUp(self):
        super().setUp()
        self.fake.set_clock(T0)

    def price(self, amount=3000, interval="month", count=1, name="Monthly membership"):
        prod = self.ok("POST", "/v1/products", {"name": name, "metadata": {"classes": "8"}})
        return self.ok("POST", "/v1/prices", {"currency": "usd", "unit_amount": amount,
                                              "product": prod["id"],
                                              "recurring": {"interval": interval,
                                                            "interval_count": count}})

    def customer(self, pm="pm_card_visa", clock=None):
        params = {"email": "amy@example.com", "name": "Amy"}
        if clock:
            params["test_clock"] = clock
        if pm:
            params["payment_method"] = pm
        cus = self.ok("POST", "/v1/customers", params)
        if pm:
            pm_id = self.ok("GET", "/v1/customers/%s/payment_methods" % cus["id"])["data"][0]["id"]
            cus = self.ok("POST", "/v1/customers/" + cus["id"],
                          {"invoice_settings": {"default_payment_method": pm_id}})
        return cus

    def clock(self):
        return self.ok("POST", "/v1/test_helpers/test_clocks", {"frozen_time": T0, "name": "c"})

    def advance(self, clock, to):
        r = self.ok("POST", "/v1/test_helpers/test_clocks/%s/advance" % clock["id"],
                    {"frozen_time": to})
        self.assertEqual(r["status"], "advancing")
        got = self.ok("GET", "/v1/test_helpers/test_clocks/" + clock["id"])
        self.assertEqual((got["status"], got["frozen_time"]), ("ready", to))

    def sub(self, sub_id, **params):
        return self.ok("GET", "/v1/subscriptions/" + sub_id, params)


class CatalogTest(BillingCase):
    def test_products_and_prices(self):
        prod = self.ok("POST", "/v1/products", {"name": "Mailbox rental — yearly",
                                                "metadata": {"features": "mail,parcel"},
                                                "default_price_data": {
                                                    "currency": "usd", "unit_amount": 12000,
                                                    "recurring": {"interval": "year"}}})
        self.assertTrue(prod["default_price"].startswith("price_"))
        self.ok("POST", "/v1/prices", {"currency": "usd", "unit_amount": 1500,
                                       "product": prod["id"]})
        prices = self.ok("GET", "/v1/prices", {"product": prod["id"]})["data"]
        self.assertEqual(sorted(p["type"] for p in prices), ["one_time", "recurring"])
        yearly = [p for p in prices if p["type"] == "recurring"][0]
        self.assertEqual(yearly["recurring"]["interval"], "year")
        self.assertEqual(len(self.ok("GET", "/v1/prices", {"recurring": {"interval": "year"}})
                             ["data"]), 1)
        upd = self.ok("POST", "/v1/prices/" + yearly["id"], {"active": False,
                                                             "metadata": {"v": "2"}})
        self.assertEqual((upd["active"], upd["metadata"]), (False, {"v": "2"}))
        self.assertEqual(len(self.ok("GET", "/v1/prices", {"active": True})["data"]), 1)
        err = self.error(400, "DELETE", "/v1/products/" + prod["id"])
        self.assertIn("prices", err["message"])
        arch = self.ok("POST", "/v1/products/" + prod["id"], {"active": False,
                                                              "metadata": {"features": ""}})
        self.assertEqual((arch["active"], arch["metadata"]), (False, {}))
        self.assertEqual(self.ok("GET", "/v1/products", {"active": True})["data"], [])
        bare = self.ok("POST", "/v1/products", {"name": "Gift card"})
        self.assertTrue(self.ok("DELETE", "/v1/products/" + bare["id"])["deleted"])
        types = [e["type"] for e in self.ok("GET", "/v1/events", {"limit": 100})["data"]]
        for t in ("product.created", "price.created", "price.updated", "product.updated",
                  "product.deleted"):
            self.assertIn(t, types)

    def test_price_validation(self):
        prod = self.ok("POST", "/v1/products", {"name": "X"})
        err = self.error(400, "POST", "/v1/prices", {"currency": "usd", "unit_amount": 100})
        self.assertEqual(err["param"], "product")
        err = self.error(400, "POST", "/v1/prices", {"currency": "usd", "product": prod["id"]})
        self.assertEqual(err["param"], "unit_amount")
        err = self.error(400, "POST", "/v1/prices", {"currency": "usd", "unit_amount": 100,
                                                     "product": prod["id"],
                                                     "recurring": {"interval": "month",
                                                                   "interval_count": 13}})
        self.assertEqual(err["param"], "recurring[interval_count]")
        err = self.error(400, "POST", "/v1/prices", {"currency": "usd", "unit_amount": 1,
                                                     "product": prod["id"],
                                                     "recurring": {"interval": "fortnight"}})
        self.assertEqual(err["param"], "recurring[interval]")


class SubscriptionTest(BillingCase):
    def test_create_active_pays_first_invoice(self):
        price = self.price()
        cus = self.customer()
        sub = self.ok("POST", "/v1/subscriptions", {
            "customer": cus["id"], "items": [{"price": price["id"], "quantity": 2}],
            "expand": ["latest_invoice.payment_intent"]})
        self.assertEqual(sub["status"], "active")
        self.assertEqual(sub["current_period_start"], T0)
        self.assertEqual(sub["current_period_end"], T0 + 30 * DAY)   # Nov 14 -> Dec 14
        inv = sub["latest_invoice"]
        self.assertEqual((inv["status"], inv["amount_paid"], inv["billing_reason"]),
                         ("paid", 6000, "subscription_create"))
        self.assertEqual(inv["lines"]["data"][0]["description"],
                         "2 × Monthly membership (at $30.00 / month)")
        self.assertEqual(inv["payment_intent"]["status"], "succeeded")
        self.assertEqual(inv["payment_intent"]["invoice"], inv["id"])
        # billing history: the payment shows up in PI and charge lists with invoice set
        pis = self.ok("GET", "/v1/payment_intents", {"customer": cus["id"]})["data"]
        self.assertEqual([p["invoice"] for p in pis], [inv["id"]])
        charges = self.ok("GET", "/v1/charges", {"customer": cus["id"]})["data"]
        self.assertEqual(charges[0]["invoice"], inv["id"])
        self.assertTrue(inv["number"].endswith("-0001"))

    def test_no_payment_method_and_payment_behaviours(self):
        price = self.price()
        bare = self.customer(pm=None)
        err = self.error(400, "POST", "/v1/subscriptions",
                         {"customer": bare["id"], "items": [{"price": price["id"]}]})
        self.assertIn("no attached payment source", err["message"])
        sub = self.ok("POST", "/v1/subscriptions", {
            "customer": bare["id"], "items": [{"price": price["id"]}],
            "payment_behavior": "default_incomplete", "expand": ["latest_invoice.payment_intent"]})
        self.assertEqual(sub["status"], "incomplete")
        pi = sub["latest_invoice"]["payment_intent"]
        self.assertEqual(pi["status"], "requires_payment_method")
        # the client pays the first invoice's PaymentIntent -> the subscription activates
        self.ok("POST", "/v1/payment_intents/%s/confirm" % pi["id"],
                {"payment_method": "pm_card_visa"})
        self.assertEqual(self.sub(sub["id"])["status"], "active")

        declined = self.customer(pm="pm_card_chargeCustomerFail")
        sub = self.ok("POST", "/v1/subscriptions", {"customer": declined["id"],
                                                    "items": [{"price": price["id"]}]})
        self.assertEqual(sub["status"], "incomplete")
        err = self.error(402, "POST", "/v1/subscriptions", {
            "customer": declined["id"], "items": [{"price": price["id"]}],
            "payment_behavior": "error_if_incomplete"})
        self.assertEqual(err["code"], "card_declined")
        self.fake.advance_clock(23 * 3600)
        sub = self.sub(sub["id"], expand=["latest_invoice"])
        self.assertEqual(sub["status"], "incomplete_expired")
        self.assertEqual(sub["latest_invoice"]["status"], "void")

    def test_validation(self):
        price = self.price()
        cus = self.customer()
        one_time = self.ok("POST", "/v1/prices", {"currency": "usd", "unit_amount": 500,
                                                  "product": price["product"]})
        err = self.error(400, "POST", "/v1/subscriptions",
                         {"customer": cus["id"], "items": [{"price": one_time["id"]}]})
        self.assertEqual(err["param"], "items[0][price]")
        err = self.error(400, "POST", "/v1/subscriptions", {"customer": cus["id"]})
        self.assertEqual(err["param"], "items")
        err = self.error(400, "POST", "/v1/subscriptions", {
            "customer": cus["id"], "items": [{"price": price["id"]}],
            "collection_method": "send_invoice"})
        self.assertEqual(err["param"], "days_until_due")
        err = self.error(400, "POST", "/v1/subscriptions", {
            "customer": cus["id"], "items": [{"price": price["id"]}], "trial_end": T0 - 5})
        self.assertEqual(err["param"], "trial_end")
        err = self.error(400, "POST", "/v1/subscriptions", {
            "customer": cus["id"], "items": [{"price": price["id"]}],
            "default_payment_method": "pm_card_visa"})
        self.assertEqual(err["param"], "default_payment_method")

    def test_trial_then_renewals_paid_with_test_clock(self):
        price = self.price()
        clock = self.clock()
        cus = self.customer(clock=clock["id"])
        sub = self.ok("POST", "/v1/subscriptions", {
            "customer": cus["id"], "items": [{"price": price["id"]}], "trial_period_days": 14})
        self.assertEqual((sub["status"], sub["trial_end"]), ("trialing", T0 + 14 * DAY))
        self.assertEqual(sub["test_clock"], clock["id"])
        # clock subscriptions are hidden from the unfiltered list, as on Stripe
        self.assertEqual(self.ok("GET", "/v1/subscriptions")["data"], [])
        self.assertEqual(len(self.ok("GET", "/v1/subscriptions",
                                     {"test_clock": clock["id"]})["data"]), 1)
        self.advance(clock, T0 + 15 * DAY)
        sub = self.sub(sub["id"])
        self.assertEqual(sub["status"], "active")
        self.assertEqual(sub["current_period_start"], T0 + 14 * DAY)
        self.advance(clock, T0 + 14 * DAY + 70 * DAY)
        invs = self.ok("GET", "/v1/invoices", {"subscription": sub["id"]})["data"]
        self.assertEqual([i["status"] for i in invs], ["paid"] * 4)
        self.assertEqual([i["amount_paid"] for i in invs], [3000, 3000, 3000, 0])
        self.assertEqual(invs[-1]["billing_reason"], "subscription_create")
        self.assertEqual(invs[0]["billing_reason"], "subscription_cycle")
        self.assertEqual(invs[0]["created"], invs[0]["period_start"])
        types = [e["type"] for e in self.ok("GET", "/v1/events", {"limit": 100})["data"]]
        self.assertIn("customer.subscription.trial_will_end", types)
        self.assertEqual(types.count("invoice.paid"), 4)

    def test_renewal_failure_past_due_then_retries_exhausted(self):
        price = self.price()
        clock = self.clock()
        cus = self.customer(clock=clock["id"])
        sub = self.ok("POST", "/v1/subscriptions", {"customer": cus["id"],
                                                    "items": [{"price": price["id"]}]})
        self.assertEqual(sub["status"], "active")
        # the card on file starts failing
        bad = self.ok("POST", "/v1/payment_methods/pm_card_chargeCustomerFail/attach",
                      {"customer": cus["id"]})
        self.ok("POST", "/v1/customers/" + cus["id"],
                {"invoice_settings": {"default_payment_method": bad["id"]}})
        renew = sub["current_period_end"]
        self.advance(clock, renew + 60)
        sub = self.sub(sub["id"], expand=["latest_invoice"])
        self.assertEqual(sub["status"], "past_due")
        inv = sub["latest_invoice"]
        self.assertEqual((inv["status"], inv["attempt_count"]), ("open", 1))
        self.assertEqual(inv["next_payment_attempt"], renew + 3 * DAY)
        failed = self.ok("GET", "/v1/events", {"type": "invoice.payment_failed"})["data"]
        self.assertEqual(len(failed), 1)
        upd = self.ok("GET", "/v1/events", {"type": "customer.subscription.updated"})["data"][0]
        self.assertEqual(upd["data"]["previous_attributes"]["status"], "active")
        self.assertEqual(self.ok("GET", "/v1/invoices", {"status": "open"})["data"][0]["id"],
                         inv["id"])
        self.advance(clock, renew + 8 * DAY)
        sub = self.sub(sub["id"], expand=["latest_invoice"])
        self.assertEqual(sub["status"], "canceled")
        self.assertEqual(sub["latest_invoice"]["attempt_count"], 4)
        self.assertIsNone(sub["latest_invoice"]["next_payment_attempt"])
        self.assertIn("customer.subscription.deleted",
                      [e["type"] for e in self.ok("GET", "/v1/events", {"limit": 100})["data"]])

    def test_past_due_recovers_when_card_updated_and_invoice_paid(self):
        self.fake.control("POST", "/billing", {"after_retries": "unpaid", "retry_days": [2]})
        price = self.price()
        clock = self.clock()
        cus = self.customer(pm="pm_card_chargeCustomerFail", clock=clock["id"])
        sub = self.ok("POST", "/v1/subscriptions", {
            "customer": cus["id"], "items": [{"price": price["id"]}], "trial_period_days": 7})
        self.advance(clock, T0 + 10 * DAY)
        sub = self.sub(sub["id"], expand=["latest_invoice"])
        self.assertEqual(sub["status"], "unpaid")
        inv = sub["latest_invoice"]
        paid = self.ok("POST", "/v1/invoices/%s/pay" % inv["id"],
                       {"payment_method": "pm_card_visa"})
        self.assertEqual(paid["status"], "paid")
        self.assertEqual(self.sub(sub["id"])["status"], "active")

    def test_cancel_at_period_end_undo_and_delete(self):
        price = self.price()
        clock = self.clock()
        cus = self.customer(clock=clock["id"])
        sub = self.ok("POST", "/v1/subscriptions", {"customer": cus["id"],
                                                    "items": [{"price": price["id"]}]})
        s = self.ok("POST", "/v1/subscriptions/" + sub["id"], {"cancel_at_period_end": True})
        self.assertEqual((s["cancel_at_period_end"], s["cancel_at"]),
                         (True, sub["current_period_end"]))
        s = self.ok("POST", "/v1/subscriptions/" + sub["id"], {"cancel_at_period_end": False})
        self.assertEqual((s["cancel_at_period_end"], s["cancel_at"]), (False, None))
        self.ok("POST", "/v1/subscriptions/" + sub["id"], {"cancel_at_period_end": True})
        self.advance(clock, sub["current_period_end"] + 1)
        s = self.sub(sub["id"])
        self.assertEqual((s["status"], s["ended_at"]), ("canceled", sub["current_period_end"]))
        self.assertEqual(self.ok("GET", "/v1/subscriptions", {"customer": cus["id"]})["data"], [])
        self.assertEqual(len(self.ok("GET", "/v1/subscriptions", {"customer": cus["id"],
                                                                  "status": "canceled"})["data"]),
                         1)
        other = self.ok("POST", "/v1/subscriptions", {"customer": cus["id"],
                                                      "items": [{"price": price["id"]}]})
        gone = self.ok("DELETE", "/v1/subscriptions/" + other["id"])
        self.assertEqual(gone["status"], "canceled")
        self.assertEqual(gone["cancellation_details"]["reason"], "cancellation_requested")

    def test_pause_collection_and_resume(self):
        price = self.price()
        clock = self.clock()
        cus = self.customer(clock=clock["id"])
        sub = self.ok("POST", "/v1/subscriptions", {"customer": cus["id"],
                                                    "items": [{"price": price["id"]}]})
        self.ok("POST", "/v1/subscriptions/" + sub["id"],
                {"pause_collection": {"behavior": "void"}})
        self.advance(clock, sub["current_period_end"] + 60)
        s = self.sub(sub["id"], expand=["latest_invoice"])
        self.assertEqual((s["status"], s["latest_invoice"]["status"]), ("active", "void"))
        self.ok("POST", "/v1/subscriptions/" + sub["id"], {"pause_collection": ""})
        self.advance(clock, s["current_period_end"] + 60)
        s = self.sub(sub["id"], expand=["latest_invoice"])
        self.assertEqual(s["latest_invoice"]["status"], "paid")
        # trial ending without a payment method and end_behavior=pause -> paused, then resume
        bare = self.customer(pm=None, clock=clock["id"])
        t = self.ok("POST", "/v1/subscriptions", {
            "customer": bare["id"], "items": [{"price": price["id"]}], "trial_period_days": 3,
            "trial_settings": {"end_behavior": {"missing_payment_method": "pause"}}})
        self.advance(clock, s["current_period_end"] + 4 * DAY)
        self.assertEqual(self.sub(t["id"])["status"], "paused")
        pm = self.ok("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": bare["id"]})
        self.ok("POST", "/v1/subscriptions/" + t["id"], {"default_payment_method": pm["id"]})
        r = self.ok("POST", "/v1/subscriptions/%s/resume" % t["id"],
                    {"expand": ["latest_invoice"]})
        self.assertEqual((r["status"], r["latest_invoice"]["status"]), ("active", "paid"))

    def test_plan_change_prorations_and_upcoming_preview(self):
        basic = self.price(3000)
        plus = self.price(6000, name="Plus membership")
        clock = self.clock()
        cus = self.customer(clock=clock["id"])
        sub = self.ok("POST", "/v1/subscriptions", {"customer": cus["id"],
                                                    "items": [{"price": basic["id"]}]})
        item = sub["items"]["data"][0]["id"]
        half = T0 + 15 * DAY                    # halfway through a 30-day period
        self.advance(clock, half)
        preview = self.ok("GET", "/v1/invoices/upcoming", {
            "customer": cus["id"], "subscription": sub["id"],
            "subscription_items": [{"id": item, "price": plus["id"]}],
            "subscription_proration_date": half})
        amounts = [li["amount"] for li in preview["lines"]["data"]]
        self.assertEqual(amounts, [-1500, 3000, 6000])
        self.assertEqual(preview["amount_due"], 7500)
        self.assertNotIn("id", preview)
        # nothing changed yet
        self.assertEqual(self.sub(sub["id"])["items"]["data"][0]["price"]["id"], basic["id"])
        upd = self.ok("POST", "/v1/subscriptions/" + sub["id"], {
            "items": [{"id": item, "price": plus["id"]}], "proration_behavior": "always_invoice",
            "expand": ["latest_invoice"]})
        self.assertEqual(upd["latest_invoice"]["amount_paid"], 1500)
        self.assertEqual(upd["latest_invoice"]["billing_reason"], "subscription_update")
        q = self.ok("POST", "/v1/subscriptions/" + sub["id"], {
            "items": [{"id": item, "quantity": 2}], "proration_behavior": "create_prorations"})
        self.assertEqual(q["items"]["data"][0]["quantity"], 2)
        nxt = self.ok("GET", "/v1/invoices/upcoming", {"customer": cus["id"]})
        self.assertEqual(nxt["amount_due"], -3000 + 6000 + 12000)
        self.advance(clock, sub["current_period_end"] + 60)
        inv = self.sub(sub["id"], expand=["latest_invoice"])["latest_invoice"]
        self.assertEqual((inv["amount_paid"], len(inv["lines"]["data"])), (15000, 3))

    def test_send_invoice_goes_past_due(self):
        price = self.price()
        clock = self.clock()
        cus = self.customer(pm=None, clock=clock["id"])
        sub = self.ok("POST", "/v1/subscriptions", {
            "customer": cus["id"], "items": [{"price": price["id"]}],
            "collection_method": "send_invoice", "days_until_due": 7,
            "expand": ["latest_invoice"]})
        self.assertEqual(sub["status"], "active")
        inv = sub["latest_invoice"]
        self.assertEqual((inv["status"], inv["due_date"]), ("open", T0 + 7 * DAY))
        self.assertIsNone(inv["payment_intent"])
        self.advance(clock, T0 + 8 * DAY)
        self.assertEqual(self.sub(sub["id"])["status"], "past_due")
        paid = self.ok("POST", "/v1/invoices/%s/pay" % inv["id"], {"paid_out_of_band": True})
        self.assertEqual(paid["status"], "paid")
        self.assertEqual(self.sub(sub["id"])["status"], "active")

    def test_global_fake_clock_renews_too(self):
        price = self.price(interval="week")
        cus = self.customer()
        sub = self.ok("POST", "/v1/subscriptions", {"customer": cus["id"],
                                                    "items": [{"price": price["id"]}]})
        self.fake.advance_clock(7 * DAY + 5)
        s = self.sub(sub["id"])
        self.assertEqual(s["current_period_start"], T0 + 7 * DAY)
        self.assertEqual(len(self.ok("GET", "/v1/invoices", {"customer": cus["id"]})["data"]), 2)

    def test_invoices_manual_lifecycle(self):
        cus = self.customer()
        inv = self.ok("POST", "/v1/invoices", {"customer": cus["id"], "description": "Fix"})
        self.assertEqual(inv["status"], "draft")
        self.ok("POST", "/v1/invoices/" + inv["id"], {"metadata": {"k": "v"}})
        fin = self.ok("POST", "/v1/invoices/%s/finalize" % inv["id"])
        self.assertEqual(fin["status"], "paid")            # nothing to pay
        other = self.ok("POST", "/v1/invoices", {"customer": cus["id"]})
        self.assertTrue(self.ok("DELETE", "/v1/invoices/" + other["id"])["deleted"])
        err = self.error(400, "DELETE", "/v1/invoices/" + inv["id"])
        self.assertIn("draft", err["message"])

    def test_clock_delete_and_validation(self):
        clock = self.clock()
        cus = self.customer(clock=clock["id"])
        err = self.error(400, "POST", "/v1/test_helpers/test_clocks/%s/advance" % clock["id"],
                         {"frozen_time": T0 - 1})
        self.assertEqual(err["param"], "frozen_time")
        self.assertEqual(len(self.ok("GET", "/v1/test_helpers/test_clocks")["data"]), 1)
        self.ok("DELETE", "/v1/test_helpers/test_clocks/" + clock["id"])
        self.assertTrue(self.ok("GET", "/v1/customers/" + cus["id"])["deleted"])
        self.error(404, "GET", "/v1/test_helpers/test_clocks/" + clock["id"])
