"""Connect (Express accounts, links), permissions, Checkout Sessions, SetupIntents, Terminal."""
from fakecase import FakeStripeCase

T0 = 1700000000


class ConnectTest(FakeStripeCase):
    def test_express_onboarding(self):
        acct = self.ok("POST", "/v1/accounts", {
            "type": "express", "country": "US", "email": "salon@example.com",
            "business_profile": {"name": "Salon Two"},
            "capabilities": {"card_payments": {"requested": True},
                             "transfers": {"requested": True}}})
        self.assertEqual((acct["charges_enabled"], acct["details_submitted"]), (False, False))
        self.assertEqual(acct["capabilities"], {"card_payments": "inactive",
                                                "transfers": "inactive"})
        self.assertIn("external_account", acct["requirements"]["currently_due"])
        link = self.ok("POST", "/v1/account_links", {
            "account": acct["id"], "type": "account_onboarding",
            "refresh_url": "https://x.example/refresh", "return_url": "https://x.example/done"})
        self.assertEqual(link["expires_at"] - link["created"], 300)
        self.assertTrue(link["url"].startswith("https://connect.stripe.com/"))
        err = self.error(400, "POST", "/v1/account_links", {"account": acct["id"],
                                                            "type": "account_onboarding"})
        self.assertEqual(err["param"], "refresh_url")
        self.error(400, "POST", "/v1/accounts/%s/login_links" % acct["id"])
        self.fake.control("POST", "/accounts/%s/onboarding" % acct["id"],
                          {"complete": False, "currently_due": ["external_account"],
                           "details_submitted": True})
        got = self.ok("GET", "/v1/accounts/" + acct["id"])
        self.assertEqual(got["requirements"]["currently_due"], ["external_account"])
        self.assertTrue(got["details_submitted"])
        self.assertFalse(got["charges_enabled"])
        self.fake.control("POST", "/accounts/%s/onboarding" % acct["id"], {"complete": True})
        me = self.ok("GET", "/v1/account", stripe_account=acct["id"])
        self.assertEqual((me["charges_enabled"], me["payouts_enabled"]), (True, True))
        self.assertEqual(me["capabilities"]["card_payments"], "active")
        self.assertEqual(me["settings"]["dashboard"]["display_name"], "Salon Two")
        login = self.ok("POST", "/v1/accounts/%s/login_links" % acct["id"])
        self.assertEqual(login["object"], "login_link")
        evts = self.ok("GET", "/v1/events", {"type": "account.updated"},
                       stripe_account=acct["id"])["data"]
        self.assertEqual(evts[0]["account"], acct["id"])
        upd = self.ok("POST", "/v1/accounts/" + acct["id"],
                      {"business_profile": {"name": "Salon 2"}, "metadata": {"k": "v"}})
        self.assertEqual((upd["business_profile"]["name"], upd["metadata"]), ("Salon 2", {"k": "v"}))
        self.assertEqual([a["id"] for a in self.ok("GET", "/v1/accounts")["data"]], [acct["id"]])
        self.assertTrue(self.ok("DELETE", "/v1/accounts/" + acct["id"])["deleted"])
        self.assertEqual(self.ok("GET", "/v1/accounts")["data"], [])
        err = self.error(403, "GET", "/v1/customers", stripe_account=acct["id"])
        self.assertEqual(err["code"], "account_invalid")


PROBES = [  # (permission, method, path, params, rak stem)
    ("charges", "GET", "/v1/charges", {"limit": 1}, "charge"),
    ("customers", "GET", "/v1/customers/search", {"query": 'email:"x"'}, "customer"),
    ("payment_methods", "POST", "/v1/payment_methods", {}, "payment_method"),
    ("setup_intents", "POST", "/v1/setup_intents/seti_nope/cancel", {}, "setup_intent"),
    ("checkout_sessions", "POST", "/v1/checkout/sessions", {}, "checkout_session"),
    ("products", "POST", "/v1/products", {}, "product"),
    ("prices", "GET", "/v1/prices", {"limit": 1}, "price"),
    ("subscriptions", "POST", "/v1/subscriptions", {}, "subscription"),
    ("invoices", "GET", "/v1/invoices/upcoming", {}, "invoice"),
    ("refunds", "POST", "/v1/refunds", {}, "refund"),
    ("terminal_readers", "POST", "/v1/terminal/readers", {}, "terminal_reader"),
    ("terminal_locations", "GET", "/v1/terminal/locations", {}, "terminal_location"),
    ("balance", "GET", "/v1/balance", {}, "balance"),
    ("events", "GET", "/v1/events", {"limit": 1}, "event"),
    ("balance_transactions", "GET", "/v1/balance_transactions", {"limit": 1},
     "balance_transaction"),
    ("connect", "POST", "/v1/account_links", {}, "connected_account"),
    ("connect", "GET", "/v1/accounts", {"limit": 1}, "connected_account"),
    ("test_clocks", "POST", "/v1/test_helpers/test_clocks", {}, "test_clock"),
]


class PermissionTest(FakeStripeCase):
    def test_every_probe_is_denied_before_validation_then_allowed(self):
        self.fake.add_key("rk_test_none0", {})
        for perm, method, path, params, stem in PROBES:
            need = "write" if method == "POST" else "read"
            err = self.error(403, method, path, params, key="rk_test_none0")
            self.assertIn("'rak_%s_%s'" % (stem, need), err["message"], path)
            self.fake.add_key("rk_test_%s" % perm.replace("_", ""), {perm: need})
            r = self.api(method, path, params, key="rk_test_%s" % perm.replace("_", ""))
            self.assertNotEqual(r.status, 403, (path, r.body))

    def test_unknown_permission_name_is_refused(self):
        with self.assertRaises(RuntimeError):
            self.fake.add_key("rk_test_bad0", {"subscription": "read"})


class CheckoutTest(FakeStripeCase):
    def setUp(self):
        super().setUp()
        self.fake.set_clock(T0)
        self.cus = self.ok("POST", "/v1/customers", {"email": "amy@example.com"})

    def session(self, **extra):
        params = dict({"mode": "payment", "success_url": "https://x.example/ok?s={CHECKOUT_SESSION_ID}",
                       "cancel_url": "https://x.example/no", "customer": self.cus["id"],
                       "line_items": [{"price_data": {"currency": "usd", "unit_amount": 5000,
                                                      "product_data": {"name": "Consultation"}},
                                       "quantity": 1}],
                       "metadata": {"appointment_id": "A-1"},
                       "payment_intent_data": {"metadata": {"appointment_id": "A-1"}}}, **extra)
        return self.ok("POST", "/v1/checkout/sessions", params)

    def test_paid_on_the_phone(self):
        cs = self.session()
        self.assertTrue(cs["id"].startswith("cs_test_"))
        self.assertEqual((cs["status"], cs["payment_status"], cs["amount_total"]),
                         ("open", "unpaid", 5000))
        self.assertEqual(cs["expires_at"], T0 + 86400)
        self.assertIsNone(cs["payment_intent"])
        items = self.ok("GET", "/v1/checkout/sessions/%s/line_items" % cs["id"])["data"]
        self.assertEqual((items[0]["description"], items[0]["amount_total"]),
                         ("Consultation", 5000))
        r = self.fake.raw("POST", "/_fake/checkout/sessions/%s/complete" % cs["id"],
                          b'{"payment_method": "pm_card_chargeDeclined"}')
        self.assertEqual(r.status, 402)
        self.assertEqual(self.ok("GET", "/v1/checkout/sessions/" + cs["id"])["status"], "open")
        self.fake.control("POST", "/checkout/sessions/%s/complete" % cs["id"],
                          {"payment_method": "pm_card_visa"})
        got = self.ok("GET", "/v1/checkout/sessions/" + cs["id"],
                      {"expand": ["payment_intent.latest_charge.balance_transaction",
                                  "line_items"]})
        self.assertEqual((got["status"], got["payment_status"]), ("complete", "paid"))
        pi = got["payment_intent"]
        self.assertEqual((pi["status"], pi["metadata"]), ("succeeded", {"appointment_id": "A-1"}))
        self.assertEqual(pi["latest_charge"]["balance_transaction"]["fee"], 175)
        self.assertEqual(got["line_items"]["data"][0]["quantity"], 1)
        listed = self.ok("GET", "/v1/checkout/sessions", {"payment_intent": pi["id"]})["data"]
        self.assertEqual([s["id"] for s in listed], [cs["id"]])
        evt = self.ok("GET", "/v1/events", {"type": "checkout.session.completed"})["data"][0]
        self.assertEqual(evt["data"]["object"]["id"], cs["id"])
        self.error(400, "POST", "/v1/checkout/sessions/%s/expire" % cs["id"])

    def test_expiry_by_api_control_and_clock(self):
        a, b = self.session(), self.session(expires_at=T0 + 3600)
        c = self.session()
        self.assertEqual(self.ok("POST", "/v1/checkout/sessions/%s/expire" % a["id"])["status"],
                         "expired")
        self.fake.control("POST", "/checkout/sessions/%s/expire" % c["id"])
        self.fake.advance_clock(3600)
        self.assertEqual(self.ok("GET", "/v1/checkout/sessions/" + b["id"])["status"], "expired")
        self.assertEqual(len(self.ok("GET", "/v1/events",
                                     {"type": "checkout.session.expired"})["data"]), 3)

    def test_validation(self):
        err = self.error(400, "POST", "/v1/checkout/sessions",
                         {"mode": "payment", "success_url": "https://x/ok"})
        self.assertEqual(err["param"], "line_items")
        err = self.error(400, "POST", "/v1/checkout/sessions", {
            "mode": "payment", "success_url": "https://x/ok",
            "line_items": [{"price_data": {"currency": "usd", "unit_amount": 5,
                                           "product_data": {"name": "x"}}}]})
        self.assertEqual(err["param"], "line_items[0][quantity]")
        err = self.error(400, "POST", "/v1/checkout/sessions", {"mode": "payment"})
        self.assertEqual(err["param"], "success_url")
        err = self.error(400, "POST", "/v1/checkout/sessions", dict(
            mode="payment", success_url="https://x/ok", expires_at=T0 + 2 * 86400,
            line_items=[{"price_data": {"currency": "usd", "unit_amount": 500,
                                        "product_data": {"name": "x"}}, "quantity": 1}]))
        self.assertEqual(err["param"], "expires_at")

    def test_setup_mode_saves_a_card_for_off_session_use(self):
        cs = self.ok("POST", "/v1/checkout/sessions", {
            "mode": "setup", "customer": self.cus["id"], "success_url": "https://x/ok",
            "payment_method_types": ["card"]})
        self.assertEqual(cs["payment_status"], "no_payment_required")
        done = self.fake.control("POST", "/checkout/sessions/%s/complete" % cs["id"],
                                 {"payment_method": "pm_card_authenticationRequiredOnSetup"})
        si = self.ok("GET", "/v1/setup_intents/" + done["setup_intent"])
        self.assertEqual((si["status"], si["usage"], si["customer"]),
                         ("succeeded", "off_session", self.cus["id"]))
        pm = self.ok("GET", "/v1/customers/%s/payment_methods" % self.cus["id"])["data"][0]
        self.assertEqual(pm["id"], si["payment_method"])
        pi = self.pay(pm=pm["id"], customer=self.cus["id"], off_session=True)
        self.assertEqual(pi.status, 200, pi.body)
        self.assertEqual(pi.json()["status"], "succeeded")


class SetupIntentTest(FakeStripeCase):
    def test_lifecycle(self):
        cus = self.ok("POST", "/v1/customers", {})
        si = self.ok("POST", "/v1/setup_intents", {"customer": cus["id"]})
        self.assertEqual((si["status"], si["usage"]), ("requires_payment_method", "off_session"))
        si = self.ok("POST", "/v1/setup_intents/" + si["id"], {"payment_method": "pm_card_visa"})
        self.assertEqual(si["status"], "requires_confirmation")
        si = self.ok("POST", "/v1/setup_intents/%s/confirm" % si["id"])
        self.assertEqual(si["status"], "succeeded")
        err = self.error(400, "POST", "/v1/setup_intents/%s/cancel" % si["id"])
        self.assertEqual(err["code"], "setup_intent_unexpected_state")
        err = self.error(402, "POST", "/v1/setup_intents", {
            "customer": cus["id"], "payment_method": "pm_card_chargeDeclined", "confirm": True})
        self.assertEqual((err["code"], err["setup_intent"]["status"]),
                         ("card_declined", "requires_payment_method"))
        three = self.ok("POST", "/v1/setup_intents", {
            "customer": cus["id"], "payment_method": "pm_card_authenticationRequiredOnSetup",
            "confirm": True})
        self.assertEqual(three["status"], "requires_action")
        c = self.ok("POST", "/v1/setup_intents/%s/cancel" % three["id"],
                    {"cancellation_reason": "abandoned"})
        self.assertEqual(c["status"], "canceled")
        self.assertEqual(len(self.ok("GET", "/v1/setup_intents",
                                     {"customer": cus["id"]})["data"]), 3)
        # without a SetupIntent the same card still needs authentication off-session
        other = self.ok("POST", "/v1/customers",
                        {"payment_method": "pm_card_authenticationRequiredOnSetup"})
        pm = self.ok("GET", "/v1/customers/%s/payment_methods" % other["id"])["data"][0]["id"]
        self.assertEqual(self.pay(pm=pm, customer=other["id"], off_session=True).status, 402)
        det = self.ok("POST", "/v1/payment_methods/%s/detach" % pm)
        self.assertIsNone(det["customer"])


class TerminalTest(FakeStripeCase):
    def reader(self):
        loc = self.ok("POST", "/v1/terminal/locations", {
            "display_name": "Front desk", "address": {"country": "US", "line1": "1 Main St",
                                                      "city": "Springfield", "postal_code": "12345",
                                                      "state": "IL"}})
        return self.ok("POST", "/v1/terminal/readers", {
            "registration_code": "simulated-wpe", "label": "Desk", "location": loc["id"]})

    def intent(self, capture="automatic", amount=2500):
        return self.ok("POST", "/v1/payment_intents", {
            "amount": amount, "currency": "usd", "payment_method_types": ["card_present"],
            "capture_method": capture})

    def test_register_list_delete(self):
        r = self.reader()
        self.assertEqual((r["device_type"], r["status"]), ("simulated_wisepos_e", "online"))
        self.assertEqual(len(self.ok("GET", "/v1/terminal/readers",
                                     {"location": r["location"]})["data"]), 1)
        err = self.error(400, "POST", "/v1/terminal/readers", {"registration_code": "nope"})
        self.assertEqual(err["param"], "registration_code")
        self.assertTrue(self.ok("DELETE", "/v1/terminal/readers/" + r["id"])["deleted"])
        self.assertEqual(self.ok("GET", "/v1/terminal/readers")["data"], [])

    def test_process_present_capture(self):
        r = self.reader()
        for capture, want in (("manual", "requires_capture"), ("automatic", "succeeded")):
            pi = self.intent(capture)
            rd = self.ok("POST", "/v1/terminal/readers/%s/process_payment_intent" % r["id"],
                         {"payment_intent": pi["id"]})
            self.assertEqual((rd["action"]["type"], rd["action"]["status"]),
                             ("process_payment_intent", "in_progress"))
            err = self.error(400, "POST", "/v1/terminal/readers/%s/process_payment_intent"
                             % r["id"], {"payment_intent": pi["id"]})
            self.assertEqual(err["code"], "terminal_reader_busy")
            self.assertEqual(self.ok("GET", "/v1/payment_intents/" + pi["id"])["status"],
                             "requires_payment_method")
            rd = self.ok("POST", "/v1/test_helpers/terminal/readers/%s/present_payment_method"
                         % r["id"])
            self.assertEqual(rd["action"]["status"], "succeeded")
            got = self.ok("GET", "/v1/payment_intents/" + pi["id"], {"expand": ["latest_charge"]})
            self.assertEqual(got["status"], want)
            details = got["latest_charge"]["payment_method_details"]
            self.assertEqual((details["type"], details["card_present"]["last4"]),
                             ("card_present", "4242"))
        self.ok("POST", "/v1/payment_intents/%s/capture" % self.ok(
            "GET", "/v1/payment_intents", {"limit": 2})["data"][1]["id"])

    def test_declined_presentment_and_cancel(self):
        r = self.reader()
        pi = self.intent()
        self.ok("POST", "/v1/terminal/readers/%s/process_payment_intent" % r["id"],
                {"payment_intent": pi["id"]})
        rd = self.ok("POST", "/v1/test_helpers/terminal/readers/%s/present_payment_method"
                     % r["id"], {"card_present": {"number": "4000000000009995"}})
        self.assertEqual((rd["action"]["status"], rd["action"]["failure_code"]),
                         ("failed", "card_declined"))
        got = self.ok("GET", "/v1/payment_intents/" + pi["id"])
        self.assertEqual(got["status"], "requires_payment_method")
        self.assertEqual(got["last_payment_error"]["decline_code"], "insufficient_funds")
        self.ok("POST", "/v1/terminal/readers/%s/process_payment_intent" % r["id"],
                {"payment_intent": pi["id"]})
        rd = self.ok("POST", "/v1/terminal/readers/%s/cancel_action" % r["id"])
        self.assertIsNone(rd["action"])
        self.error(400, "POST", "/v1/test_helpers/terminal/readers/%s/present_payment_method"
                   % r["id"])
        types = [e["type"] for e in self.ok("GET", "/v1/events", {"limit": 100})["data"]]
        self.assertIn("terminal.reader.action_failed", types)
        card = self.ok("POST", "/v1/payment_intents", {"amount": 500, "currency": "usd"})
        err = self.error(400, "POST", "/v1/terminal/readers/%s/process_payment_intent" % r["id"],
                         {"payment_intent": card["id"]})
        self.assertEqual(err["code"], "intent_invalid_state")

    def test_setup_intent_on_reader_saves_a_generated_card(self):
        """2022-11-15: setup_intent and customer_consent_collected are both required; the card
        tapped leaves a generated card on the customer, a decline leaves none."""
        r = self.reader()
        cus = self.ok("POST", "/v1/customers", {"name": "Ann"})
        si = self.ok("POST", "/v1/setup_intents", {
            "customer": cus["id"], "payment_method_types": ["card_present"]})
        path = "/v1/terminal/readers/%s/process_setup_intent" % r["id"]
        err = self.error(400, "POST", path, {"setup_intent": si["id"]})
        self.assertEqual(err["param"], "customer_consent_collected")
        err = self.error(400, "POST", path, {"setup_intent": si["id"],
                                             "customer_consent_collected": False})
        self.assertEqual(err["param"], "customer_consent_collected")
        err = self.error(400, "POST", path, {"setup_intent": si["id"],
                                             "customer_consent_collected": True,
                                             "allow_redisplay": "always"})
        self.assertIn("allow_redisplay", err["message"])
        card_only = self.ok("POST", "/v1/setup_intents", {"customer": cus["id"]})
        err = self.error(400, "POST", path, {"setup_intent": card_only["id"],
                                             "customer_consent_collected": True})
        self.assertEqual(err["code"], "intent_invalid_state")
        rd = self.ok("POST", path, {"setup_intent": si["id"], "customer_consent_collected": True})
        self.assertEqual((rd["action"]["type"], rd["action"]["status"]),
                         ("process_setup_intent", "in_progress"))
        helper = "/v1/test_helpers/terminal/readers/%s/present_payment_method" % r["id"]
        rd = self.ok("POST", helper, {"card_present": {"number": "4000000000000002"}})
        self.assertEqual((rd["action"]["status"], rd["action"]["failure_code"]),
                         ("failed", "card_declined"))
        got = self.ok("GET", "/v1/setup_intents/" + si["id"])
        self.assertEqual(got["status"], "requires_payment_method")
        self.assertEqual(got["last_setup_error"]["decline_code"], "generic_decline")
        self.assertEqual(self.ok("GET", "/v1/customers/%s/payment_methods" % cus["id"],
                                 {"type": "card"})["data"], [])
        self.ok("POST", path, {"setup_intent": si["id"], "customer_consent_collected": True})
        rd = self.ok("POST", helper, {"card_present": {"number": "5555555555554444"}})
        self.assertEqual(rd["action"]["status"], "succeeded")
        gen = rd["action"]["process_setup_intent"]["generated_card"]
        cards = self.ok("GET", "/v1/customers/%s/payment_methods" % cus["id"],
                        {"type": "card"})["data"]
        self.assertEqual([(c["id"], c["card"]["brand"], c["card"]["last4"]) for c in cards],
                         [(gen, "mastercard", "4444")])
        self.assertEqual(self.ok("GET", "/v1/setup_intents/" + si["id"])["status"], "succeeded")
        pi = self.ok("POST", "/v1/payment_intents", {
            "amount": 2000, "currency": "usd", "customer": cus["id"], "payment_method": gen,
            "confirm": True, "off_session": True})
        self.assertEqual(pi["status"], "succeeded")

    def test_on_reader_tip_added_to_the_amount_and_shown_apart(self):
        r = self.reader()
        pi = self.intent()
        self.ok("POST", "/v1/terminal/readers/%s/process_payment_intent" % r["id"],
                {"payment_intent": pi["id"],
                 "process_config": {"tipping": {"amount_eligible": pi["amount"]}}})
        err = self.error(400, "POST", "/v1/test_helpers/terminal/readers/%s/present_payment_method"
                         % r["id"], {"amount_tip": "lots"})
        self.assertEqual(err["param"], "amount_tip")
        rd = self.ok("POST", "/v1/test_helpers/terminal/readers/%s/present_payment_method"
                     % r["id"], {"amount_tip": 150})
        self.assertEqual(rd["action"]["status"], "succeeded")
        got = self.ok("GET", "/v1/payment_intents/" + pi["id"])
        self.assertEqual(got["amount"], pi["amount"] + 150)
        self.assertEqual(got["amount_details"]["tip"]["amount"], 150)
        # told to skip tipping, the reader offers no tip screen: a tip cannot be presented
        pi2 = self.intent()
        self.ok("POST", "/v1/terminal/readers/%s/process_payment_intent" % r["id"],
                {"payment_intent": pi2["id"], "process_config": {"skip_tipping": "true"}})
        err = self.error(400, "POST", "/v1/test_helpers/terminal/readers/%s/present_payment_method"
                         % r["id"], {"amount_tip": 100})
        self.assertEqual(err["param"], "amount_tip")
        self.assertEqual(self.ok("GET", "/v1/payment_intents/" + pi2["id"])["amount"],
                         pi2["amount"])
        err = self.error(400, "POST", "/v1/terminal/readers/%s/process_payment_intent" % r["id"],
                         {"payment_intent": pi2["id"], "process_config": {"tip": "1"}})
        self.assertIn("process_config", err.get("param", "") + err.get("message", ""))

class TerminalDeskCallsTest(FakeStripeCase):
    """Exactly the Terminal calls paydesk's readers (src/app/readers.c) make, answered as
    Stripe answers them."""

    def location(self):
        return self.ok("POST", "/v1/terminal/locations", {
            "display_name": "Salon", "address": {"country": "US", "line1": "1 Main St",
                                                 "city": "Springfield", "postal_code": "12345",
                                                 "state": "IL"}})["id"]

    def test_register_with_label_and_location_listed_newest_first(self):
        loc = self.location()
        first = self.ok("POST", "/v1/terminal/readers", {
            "registration_code": "simulated-wpe", "label": "Front counter", "location": loc})
        self.assertEqual((first["label"], first["location"], first["object"]),
                         ("Front counter", loc, "terminal.reader"))
        self.assertTrue(first["id"].startswith("tmr_"))
        self.fake.advance_clock(1)  # Stripe lists newest first
        second = self.ok("POST", "/v1/terminal/readers",
                         {"registration_code": "simulated-wpe", "label": "Back room"})
        self.assertIsNone(second["location"])
        listed = self.ok("GET", "/v1/terminal/readers", {"limit": 100})
        self.assertEqual(listed["object"], "list")
        self.assertEqual([r["id"] for r in listed["data"]], [second["id"], first["id"]])
        self.assertEqual([x["id"] for x in self.ok(
            "GET", "/v1/terminal/locations", {"limit": 100})["data"]], [loc])

    def test_refused_as_stripe_refuses(self):
        err = self.error(400, "POST", "/v1/terminal/readers",
                         {"registration_code": "simulated-wpe", "desk": "Front desk"})
        self.assertEqual(err["type"], "invalid_request_error")
        self.assertIn("Received unknown parameter: desk", err["message"])
        err = self.error(400, "POST", "/v1/terminal/readers", {"label": "Front counter"})
        self.assertEqual(err["param"], "registration_code")
        err = self.error(400, "POST", "/v1/terminal/readers",
                         {"registration_code": "simulated-wpe", "location": "tml_nope"})
        self.assertEqual((err["code"], err["param"]), ("resource_missing", "location"))
        self.assertEqual(self.ok("GET", "/v1/terminal/readers", {"limit": 100})["data"], [])
        err = self.error(400, "GET", "/v1/terminal/readers", {"limit": 101})
        self.assertEqual(err["param"], "limit")
        # the test helper only with an action waiting, and only with known test cards
        r = self.ok("POST", "/v1/terminal/readers", {"registration_code": "simulated-wpe"})
        path = "/v1/test_helpers/terminal/readers/%s/present_payment_method" % r["id"]
        self.error(400, "POST", path)
        pi = self.ok("POST", "/v1/payment_intents", {
            "amount": 2500, "currency": "usd", "payment_method_types": ["card_present"]})
        self.ok("POST", "/v1/terminal/readers/%s/process_payment_intent" % r["id"],
                {"payment_intent": pi["id"]})
        err = self.error(400, "POST", path, {"card_present": {"number": "1234"}})
        self.assertEqual(err["param"], "card_present[number]")
        self.assertEqual(self.ok("POST", path)["action"]["status"], "succeeded")
