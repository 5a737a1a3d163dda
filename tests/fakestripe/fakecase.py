"""Shared unittest base: one fake server per test class, reset before every test."""
import unittest

from fakeclient import FakeStripe


class FakeStripeCase(unittest.TestCase):
    fake = None
    seed_file = None

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe(seed_file=cls.seed_file).start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()

    # helpers -----------------------------------------------------------------------------------

    def api(self, *args, **kw):
        return self.fake.api(*args, **kw)

    def ok(self, *args, **kw):
        r = self.fake.api(*args, **kw)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def error(self, status, *args, **kw):
        r = self.fake.api(*args, **kw)
        self.assertEqual(r.status, status, r.body)
        return r.json()["error"]

    def pay(self, amount=5000, pm="pm_card_visa", **extra):
        params = dict({"amount": amount, "currency": "usd", "payment_method": pm,
                       "confirm": True}, **extra)
        return self.fake.api("POST", "/v1/payment_intents", params)
