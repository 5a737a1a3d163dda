"""Fault injection: latency, 5xx, 429, dropped connections, malformed and truncated bodies."""
import http.client
import json
import time

from fakecase import FakeStripeCase

PI = {"amount": 2000, "currency": "usd"}


class FaultTest(FakeStripeCase):
    def test_latency_only_for_prefix(self):
        self.fake.add_fault("latency", ms=400, path_prefix="/v1/customers")
        t = time.monotonic()
        self.ok("GET", "/v1/payment_intents")
        fast = time.monotonic() - t
        t = time.monotonic()
        self.ok("GET", "/v1/customers")
        slow = time.monotonic() - t
        self.assertGreaterEqual(slow, 0.35)
        self.assertLess(fast, 0.35)

    def test_500_then_normal(self):
        self.fake.add_fault("error", status=500, count=1)
        err = self.error(500, "POST", "/v1/payment_intents", PI)
        self.assertEqual(err["type"], "api_error")
        self.assertEqual(self.fake.counts()["payment_intent"], 0)   # not executed
        self.ok("POST", "/v1/payment_intents", PI)

    def test_503_count_and_should_retry(self):
        self.fake.add_fault("error", status=503, count=2, method="GET")
        for _ in range(2):
            r = self.api("GET", "/v1/customers")
            self.assertEqual(r.status, 503)
            self.assertEqual(r.header("Stripe-Should-Retry"), "true")
        self.ok("POST", "/v1/customers", {})
        self.ok("GET", "/v1/customers")

    def test_429_retry_after(self):
        self.fake.add_fault("rate_limit", retry_after=3, count=1)
        r = self.api("GET", "/v1/customers")
        self.assertEqual(r.status, 429)
        self.assertEqual(r.header("Retry-After"), "3")
        self.assertEqual(r.header("Stripe-Should-Retry"), "true")
        self.assertEqual(r.json()["error"]["code"], "rate_limit")

    def test_dropped_connection_after_executing(self):
        self.fake.add_fault("drop", method="POST", path_prefix="/v1/payment_intents", count=1)
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.api("POST", "/v1/payment_intents", PI, idempotency_key="lost")
        self.assertEqual(self.fake.counts()["payment_intent"], 1)   # the effect happened
        # retrying with the same key returns the original result instead of a second PI
        r = self.api("POST", "/v1/payment_intents", PI, idempotency_key="lost")
        self.assertEqual(r.header("Idempotent-Replayed"), "true")
        self.assertEqual(self.fake.counts()["payment_intent"], 1)
        log = self.fake.requests(path_prefix="/v1/payment_intents")
        self.assertEqual([e["fault"] for e in log], ["drop", None])

    def test_malformed_json(self):
        self.fake.add_fault("malformed_json", count=1)
        r = self.api("POST", "/v1/customers", {})
        self.assertEqual(r.status, 200)
        self.assertEqual(int(r.header("Content-Length")), len(r.body))
        with self.assertRaises(ValueError):
            json.loads(r.body.decode("utf-8", "replace"))
        self.assertEqual(self.fake.counts()["customer"], 1)

    def test_truncated_body(self):
        self.fake.add_fault("truncated", count=1)
        with self.assertRaises(http.client.IncompleteRead):
            self.api("GET", "/v1/account")
        self.ok("GET", "/v1/account")

    def test_faults_listed_and_cleared(self):
        self.fake.add_fault("error", status=502)
        self.assertEqual(len(self.fake.control("GET", "/faults")["faults"]), 1)
        self.fake.clear_faults()
        self.ok("GET", "/v1/customers")
