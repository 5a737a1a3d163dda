"""Requests are validated against the OpenAPI description, with Stripe-shaped errors."""
import unittest

from fakecase import FakeStripeCase
from stripefake import formparse, validator
from stripefake.errors import StripeError
from stripefake.spec import Spec


class ValidationTest(FakeStripeCase):
    def test_unknown_parameter_is_named(self):
        err = self.error(400, "POST", "/v1/payment_intents",
                         {"amount": 100, "currency": "usd", "colour": "red"})
        self.assertEqual(err["type"], "invalid_request_error")
        self.assertEqual(err["message"], "Received unknown parameter: colour")
        self.assertEqual(err["param"], "colour")

    def test_unknown_nested_parameter_uses_brackets(self):
        err = self.error(400, "POST", "/v1/payment_intents",
                         {"amount": 100, "currency": "usd",
                          "payment_method_options": {"card": {"bogus": "1"}}})
        self.assertEqual(err["param"], "payment_method_options[card][bogus]")

    def test_unknown_query_parameter_on_get(self):
        err = self.error(400, "GET", "/v1/customers", {"colour": "red"})
        self.assertEqual(err["param"], "colour")

    def test_wrong_integer(self):
        err = self.error(400, "POST", "/v1/payment_intents", {"amount": "abc", "currency": "usd"})
        self.assertEqual(err["message"], "Invalid integer: abc")
        self.assertEqual(err["param"], "amount")

    def test_wrong_boolean(self):
        err = self.error(400, "POST", "/v1/payment_intents",
                         {"amount": 100, "currency": "usd", "confirm": "yes"})
        self.assertEqual(err["message"], "Invalid boolean: yes")
        self.assertEqual(err["param"], "confirm")

    def test_bad_enum(self):
        err = self.error(400, "POST", "/v1/payment_intents",
                         {"amount": 100, "currency": "usd", "capture_method": "later"})
        self.assertEqual(err["param"], "capture_method")
        self.assertTrue(err["message"].startswith("Invalid capture_method: must be one of "))
        self.assertIn("manual", err["message"])

    def test_string_too_long(self):
        err = self.error(400, "POST", "/v1/payment_intents",
                         {"amount": 100, "currency": "usd", "statement_descriptor": "x" * 23})
        self.assertEqual(err["param"], "statement_descriptor")
        self.assertIn("at most 22 characters", err["message"])

    def test_missing_required(self):
        err = self.error(400, "POST", "/v1/payment_intents", {"currency": "usd"})
        self.assertEqual(err["message"], "Missing required param: amount.")
        self.assertEqual(err["param"], "amount")
        self.assertEqual(err["code"], "parameter_missing")

    def test_missing_required_on_action_endpoint(self):
        err = self.error(400, "POST", "/v1/payment_methods/pm_card_visa/attach", {})
        self.assertEqual(err["param"], "customer")

    def test_metadata_nested_and_unset(self):
        cus = self.ok("POST", "/v1/customers", {"metadata": {"a": "1", "b": "2"}})
        self.assertEqual(cus["metadata"], {"a": "1", "b": "2"})
        upd = self.ok("POST", "/v1/customers/" + cus["id"], [("metadata[a]", "")])
        self.assertEqual(upd["metadata"], {"b": "2"})
        cleared = self.ok("POST", "/v1/customers/" + cus["id"], [("metadata", "")])
        self.assertEqual(cleared["metadata"], {})

    def test_expand_array_spellings_and_percent_encoded_brackets(self):
        pi = self.pay().json()
        path = "/v1/payment_intents/" + pi["id"]
        for raw in ("expand[]=latest_charge", "expand[0]=latest_charge",
                    "expand%5B%5D=latest_charge", "expand%5B0%5D=latest_charge"):
            got = self.ok("GET", path + "?" + raw)
            self.assertIsInstance(got["latest_charge"], dict, raw)
            self.assertEqual(got["latest_charge"]["object"], "charge")
        body = self.ok("POST", "/v1/customers", "metadata%5Bappointment_id%5D=A-1")
        self.assertEqual(body["metadata"], {"appointment_id": "A-1"})

    def test_array_of_strings_as_payment_method_types(self):
        pi = self.ok("POST", "/v1/payment_intents", [("amount", "100"), ("currency", "usd"),
                                                     ("payment_method_types[]", "card")])
        self.assertEqual(pi["payment_method_types"], ["card"])

    def test_anyof_created_filter_rejects_garbage(self):
        err = self.error(400, "GET", "/v1/payment_intents", {"created": "soon"})
        self.assertEqual(err["param"], "created")
        err = self.error(400, "GET", "/v1/payment_intents", {"created": {"gte": "x"}})
        self.assertEqual(err["param"], "created[gte]")

    def test_unknown_path_is_404(self):
        err = self.error(404, "GET", "/v1/foo")
        self.assertTrue(err["message"].startswith("Unrecognized request URL (GET: /v1/foo)"))

    def test_missing_object_is_resource_missing(self):
        err = self.error(404, "GET", "/v1/payment_intents/pi_x")
        self.assertEqual(err["message"], "No such payment_intent: 'pi_x'")
        self.assertEqual(err["code"], "resource_missing")
        self.assertEqual(err["param"], "id")

    def test_expand_too_deep_and_not_expandable(self):
        pi = self.pay().json()
        err = self.error(400, "GET", "/v1/payment_intents/" + pi["id"],
                         {"expand": ["latest_charge.balance_transaction.a.b.c"]})
        self.assertIn("more than 4 levels", err["message"])
        err = self.error(400, "GET", "/v1/payment_intents/" + pi["id"], {"expand": ["currency"]})
        self.assertIn("cannot be expanded", err["message"])

    def test_validation_failure_changes_nothing(self):
        self.error(400, "POST", "/v1/customers", {"email": "a@b.c", "nope": "1"})
        self.assertEqual(self.fake.counts()["customer"], 0)


class SpecValidatorUnitTest(unittest.TestCase):
    """The validator against spec operations the server does not implement yet."""

    @classmethod
    def setUpClass(cls):
        cls.spec = Spec()

    def check(self, method, path, query):
        params, _ = formparse.parse(query)
        return validator.validate(self.spec.operation(method, path).params_schema, params)

    def test_array_of_objects_with_indices(self):
        got = self.check("POST", "/v1/subscriptions",
                         "customer=cus_1&items[0][price]=price_1&items[0][quantity]=2"
                         "&items[1][price]=price_2")
        self.assertEqual(got["items"], [{"price": "price_1", "quantity": 2}, {"price": "price_2"}])

    def test_error_names_nested_array_param(self):
        with self.assertRaises(StripeError) as cm:
            self.check("POST", "/v1/subscriptions",
                       "customer=cus_1&items[0][price]=p&items[0][quantity]=lots")
        self.assertEqual(cm.exception.param, "items[0][quantity]")
        self.assertEqual(cm.exception.message, "Invalid integer: lots")

    def test_missing_required_inside_nested_object(self):
        with self.assertRaises(StripeError) as cm:
            self.check("POST", "/v1/subscriptions",
                       "customer=cus_1&items[0][price_data][product]=prod_1"
                       "&items[0][price_data][recurring][interval]=month")
        self.assertEqual(cm.exception.param, "items[0][price_data][currency]")
        self.assertEqual(cm.exception.message, "Missing required param: items[0][price_data][currency].")

    def test_empty_string_unsets_where_allowed(self):
        got = self.check("POST", "/v1/customers/{customer}", "metadata=&description=")
        self.assertEqual(got, {"metadata": "", "description": ""})
