"""API keys, restricted-key permissions and Stripe-Account scoping."""
from fakecase import FakeStripeCase


class AuthTest(FakeStripeCase):
    def test_missing_key(self):
        err = self.error(401, "GET", "/v1/customers", key=None)
        self.assertEqual(err["type"], "invalid_request_error")
        self.assertTrue(err["message"].startswith("You did not provide an API key."))

    def test_malformed_key_is_masked(self):
        err = self.error(401, "GET", "/v1/customers", key="sk_tost_secretvalue1234abcd")
        self.assertTrue(err["message"].startswith("Invalid API Key provided: "))
        self.assertTrue(err["message"].endswith("abcd"))
        self.assertNotIn("secretvalue", err["message"])

    def test_publishable_key_rejected(self):
        err = self.error(401, "GET", "/v1/customers", key="pk_test_abc123")
        self.assertEqual(err["code"], "secret_key_required")

    def test_live_key_rejected_unless_registered(self):
        self.error(401, "GET", "/v1/customers", key="sk_live_abc123")
        self.fake.add_key("sk_live_abc123")
        listed = self.ok("GET", "/v1/customers", key="sk_live_abc123")
        self.assertEqual(listed["data"], [])
        cus = self.ok("POST", "/v1/customers", {}, key="sk_live_abc123")
        self.assertTrue(cus["livemode"])
        # live and test data never mix
        self.assertEqual(self.ok("GET", "/v1/customers")["data"], [])

    def test_any_test_key_and_basic_auth(self):
        self.ok("GET", "/v1/customers", key="sk_test_anything")
        self.ok("GET", "/v1/customers", key="rk_test_anything", auth="basic")

    def test_strict_mode_rejects_unregistered_test_keys(self):
        self.fake.control("POST", "/config", {"accept_any_test_key": False})
        self.error(401, "GET", "/v1/customers", key="sk_test_unknown")
        self.fake.add_key("sk_test_known")
        self.ok("GET", "/v1/customers", key="sk_test_known")

    def test_expired_key(self):
        self.fake.add_key("sk_test_old0", expired=True)
        err = self.error(401, "GET", "/v1/customers", key="sk_test_old0")
        self.assertEqual(err["code"], "api_key_expired")

    def test_restricted_key_read_only_on_payment_intents(self):
        self.fake.add_key("rk_test_nopi", {"payment_intents": "read"})
        err = self.error(403, "POST", "/v1/payment_intents", {"amount": 500, "currency": "usd"},
                         key="rk_test_nopi")
        self.assertIn("'rak_payment_intent_write'", err["message"])
        self.assertIn("acct_1FakePlatform000", err["message"])
        self.assertIn("rk_test_", err["message"])
        self.assertNotIn("rk_test_nopi", err["message"])
        self.ok("GET", "/v1/payment_intents", {"limit": 1}, key="rk_test_nopi")
        err = self.error(403, "GET", "/v1/customers", key="rk_test_nopi")
        self.assertIn("'rak_customer_read'", err["message"])
        self.assertEqual(self.fake.counts()["payment_intent"], 0)

    def test_permission_checked_before_validation(self):
        self.fake.add_key("rk_test_nopi", {"payment_intents": "read"})
        self.fake.add_key("rk_test_pi", {"payment_intents": "write"})
        err = self.error(400, "POST", "/v1/payment_intents", {"currency": "usd"}, key="rk_test_pi")
        self.assertEqual(err["param"], "amount")
        err = self.error(403, "POST", "/v1/payment_intents", {"currency": "usd"}, key="rk_test_nopi")
        self.assertIn("rak_payment_intent_write", err["message"])
        # and before the object lookup (the "verify the key" write probe)
        self.error(404, "POST", "/v1/customers/cus_permcheck", {"metadata": {"x": "y"}})
        err = self.error(403, "POST", "/v1/customers/cus_permcheck", {"metadata": {"x": "y"}},
                         key="rk_test_nopi")
        self.assertIn("rak_customer_write", err["message"])

    def test_restricted_key_cannot_read_account(self):
        self.fake.add_key("rk_test_all", default="write")
        err = self.error(403, "GET", "/v1/account", key="rk_test_all")
        self.assertIn("acct_1FakePlatform000", err["message"])
        self.ok("GET", "/v1/account")

    def test_stripe_account_scopes_data(self):
        self.fake.add_account(id="acct_1Connected00001")
        self.ok("POST", "/v1/customers", {"email": "c@x.com"}, stripe_account="acct_1Connected00001")
        self.assertEqual(self.ok("GET", "/v1/customers")["data"], [])
        data = self.ok("GET", "/v1/customers", stripe_account="acct_1Connected00001")["data"]
        self.assertEqual([c["email"] for c in data], ["c@x.com"])
        self.assertEqual(self.ok("GET", "/v1/account", stripe_account="acct_1Connected00001")["id"],
                         "acct_1Connected00001")
        self.assertEqual(self.fake.counts(account="acct_1Connected00001")["customer"], 1)
        evt = self.ok("GET", "/v1/events", stripe_account="acct_1Connected00001")["data"][0]
        self.assertEqual(evt["account"], "acct_1Connected00001")

    def test_unknown_connected_account(self):
        err = self.error(403, "GET", "/v1/customers", stripe_account="acct_nope")
        self.assertEqual(err["code"], "account_invalid")
