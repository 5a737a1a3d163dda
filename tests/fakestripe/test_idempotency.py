"""Idempotency-Key: replay, conflicts, in-flight lock, what is and is not saved."""
import threading
import time

from fakecase import FakeStripeCase

PI = {"amount": 2000, "currency": "usd", "metadata": {"appointment_id": "A-1"}}


class IdempotencyTest(FakeStripeCase):
    def test_replay_same_body(self):
        a = self.api("POST", "/v1/payment_intents", PI, idempotency_key="k1")
        b = self.api("POST", "/v1/payment_intents", PI, idempotency_key="k1")
        self.assertEqual((a.status, b.status), (200, 200))
        self.assertEqual(a.body, b.body)
        self.assertIsNone(a.header("Idempotent-Replayed"))
        self.assertEqual(b.header("Idempotent-Replayed"), "true")
        self.assertEqual(b.header("Original-Request"), a.header("Request-Id"))
        self.assertNotEqual(a.header("Request-Id"), b.header("Request-Id"))
        self.assertEqual(self.fake.counts()["payment_intent"], 1)

    def test_same_params_different_spelling_is_a_replay(self):
        a = self.api("POST", "/v1/customers", "expand[]=default_source", idempotency_key="k")
        b = self.api("POST", "/v1/customers", "expand[0]=default_source", idempotency_key="k")
        self.assertEqual(b.header("Idempotent-Replayed"), "true")
        self.assertEqual(a.json()["id"], b.json()["id"])

    def test_conflict_with_different_params(self):
        self.ok("POST", "/v1/payment_intents", PI, idempotency_key="k")
        err = self.error(400, "POST", "/v1/payment_intents", dict(PI, amount=2001),
                         idempotency_key="k")
        self.assertEqual(err["type"], "idempotency_error")
        self.assertEqual(err["message"], "Keys for idempotent requests can only be used with the "
                         "same parameters they were first used with. Try using a key other than "
                         "'k' if you meant to execute a different request.")
        self.assertEqual(self.fake.counts()["payment_intent"], 1)

    def test_conflict_with_different_endpoint(self):
        self.ok("POST", "/v1/customers", {}, idempotency_key="k")
        err = self.error(400, "POST", "/v1/payment_intents", PI, idempotency_key="k")
        self.assertEqual(err["type"], "idempotency_error")
        self.assertIn("same endpoint", err["message"])

    def test_validation_failures_are_not_saved(self):
        self.error(400, "POST", "/v1/payment_intents", {"currency": "usd"}, idempotency_key="k")
        self.ok("POST", "/v1/payment_intents", PI, idempotency_key="k")

    def test_declines_are_saved(self):
        params = dict(PI, payment_method="pm_card_chargeDeclined", confirm=True)
        a = self.api("POST", "/v1/payment_intents", params, idempotency_key="d")
        b = self.api("POST", "/v1/payment_intents", params, idempotency_key="d")
        self.assertEqual((a.status, b.status), (402, 402))
        self.assertEqual(a.body, b.body)
        self.assertEqual(b.header("Idempotent-Replayed"), "true")
        self.assertEqual(self.fake.counts()["charge"], 1)

    def test_scoped_per_account_and_mode(self):
        self.fake.add_account(id="acct_1Other0000000001")
        self.fake.add_key("sk_live_k")
        a = self.ok("POST", "/v1/customers", {}, idempotency_key="same")
        b = self.ok("POST", "/v1/customers", {}, idempotency_key="same",
                    stripe_account="acct_1Other0000000001")
        c = self.ok("POST", "/v1/customers", {}, idempotency_key="same", key="sk_live_k")
        self.assertEqual(len({a["id"], b["id"], c["id"]}), 3)

    def test_in_flight_request_gets_409(self):
        self.fake.add_fault("latency", ms=700, path_prefix="/v1/payment_intents", count=1)
        first = {}
        t = threading.Thread(target=lambda: first.update(
            r=self.api("POST", "/v1/payment_intents", PI, idempotency_key="slow")))
        t.start()
        # wait until the first request is registered as executing
        for _ in range(200):
            if self._in_flight():
                break
            time.sleep(0.005)
        err = self.error(409, "POST", "/v1/payment_intents", PI, idempotency_key="slow")
        self.assertEqual(err["type"], "idempotency_error")
        t.join()
        self.assertEqual(first["r"].status, 200)
        again = self.api("POST", "/v1/payment_intents", PI, idempotency_key="slow")
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertEqual(self.fake.counts()["payment_intent"], 1)

    def _in_flight(self):
        # the latency fault is consumed when the first request starts executing
        return not self.fake.control("GET", "/faults")["faults"]

    def test_get_ignores_idempotency_key(self):
        a = self.api("GET", "/v1/customers", idempotency_key="g")
        b = self.api("GET", "/v1/customers", idempotency_key="g")
        self.assertIsNone(b.header("Idempotent-Replayed"))
        self.assertEqual(a.status, 200)

    def test_key_forgotten_after_24_hours_of_the_fake_clock(self):
        """Stripe prunes keys once they are 24 hours old: the same key then runs the
        request again (what paydesk's recovery must never rely on replaying)."""
        refund_pi = self.ok("POST", "/v1/payment_intents",
                            dict(PI, payment_method="pm_card_visa", confirm="true"))
        params = {"payment_intent": refund_pi["id"], "amount": 500}
        first = self.ok("POST", "/v1/refunds", params, idempotency_key="r")
        self.fake.advance_clock(24 * 3600)  # exactly 24 h: still replayed
        again = self.api("POST", "/v1/refunds", params, idempotency_key="r")
        self.assertEqual(again.header("Idempotent-Replayed"), "true")
        self.assertEqual(again.json()["id"], first["id"])
        self.fake.advance_clock(1)
        later = self.api("POST", "/v1/refunds", params, idempotency_key="r")
        self.assertIsNone(later.header("Idempotent-Replayed"))
        self.assertNotEqual(later.json()["id"], first["id"])  # a second refund
        self.assertEqual(self.fake.counts()["refund"], 2)
