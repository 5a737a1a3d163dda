"""Process behaviour, headers, request log, seeds, control API, object shapes."""
import http.client
import json
import os
import signal
import subprocess
import sys
import unittest

from fakecase import FakeStripeCase
from fakeclient import FakeStripe, SERVER
from stripefake.spec import Spec

HERE = os.path.dirname(os.path.abspath(__file__))


class HeadersAndLogTest(FakeStripeCase):
    def test_stripe_version_echo_and_request_id(self):
        a = self.api("GET", "/v1/account", stripe_version="2023-10-16")
        self.assertEqual(a.header("Stripe-Version"), "2023-10-16")
        b = self.api("GET", "/v1/account")
        self.assertEqual(b.header("Stripe-Version"), "2022-11-15")
        c = self.api("GET", "/v1/nothing", key=None)
        ids = [r.header("Request-Id") for r in (a, b, c)]
        self.assertTrue(all(i and i.startswith("req_") for i in ids))
        self.assertEqual(len(set(ids)), 3)

    def test_keep_alive_reuses_connection(self):
        conn = http.client.HTTPConnection(self.fake.host, self.fake.port, timeout=5)
        for _ in range(3):
            conn.request("GET", "/v1/customers", headers={"Authorization": "Bearer sk_test_x"})
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
        self.assertEqual(r.version, 11)
        conn.close()

    def test_request_log(self):
        self.api("POST", "/v1/payment_intents",
                 {"amount": 700, "currency": "usd", "metadata": {"appointment_id": "A-7"}},
                 key="sk_test_secretsecret9876", idempotency_key="idem-7",
                 stripe_version="2022-11-15")
        self.api("GET", "/v1/customers", {"limit": 3}, key=None)
        log = self.fake.requests()
        self.assertEqual(len(log), 2)
        post, get = log
        self.assertEqual((post["method"], post["path"], post["status"]),
                         ("POST", "/v1/payment_intents", 200))
        self.assertEqual(post["params"]["metadata"], {"appointment_id": "A-7"})
        self.assertEqual(post["idempotency_key"], "idem-7")
        self.assertEqual(post["auth"], {"present": True, "mode": "test", "type": "secret",
                                        "last4": "9876", "scheme": "Bearer"})
        self.assertIn("amount=700", post["raw_body"])
        self.assertNotIn("secretsecret", json.dumps(log))
        self.assertEqual(post["headers"]["Stripe-Version"], "2022-11-15")
        self.assertEqual((get["query"], get["status"], get["auth"]["present"]),
                         ("limit=3", 401, False))
        self.assertEqual(len(self.fake.requests(method="GET")), 1)
        self.fake.clear_requests()
        self.assertEqual(self.fake.requests(), [])

    def test_clock_controls_created(self):
        self.fake.set_clock(1600000000)
        self.assertEqual(self.ok("POST", "/v1/customers", {})["created"], 1600000000)
        self.fake.advance_clock(90)
        self.assertEqual(self.ok("POST", "/v1/customers", {})["created"], 1600000090)

    def test_objects_have_every_required_field(self):
        spec = Spec()
        cus = self.ok("POST", "/v1/customers", {"payment_method": "pm_card_visa"})
        pi = self.pay(customer=cus["id"], expand=["latest_charge.balance_transaction",
                                                  "payment_method"]).json()
        refund = self.ok("POST", "/v1/refunds", {"payment_intent": pi["id"], "amount": 100})
        evt = self.ok("GET", "/v1/events", {"limit": 1})["data"][0]
        account = self.ok("GET", "/v1/account")
        objs = [cus, pi, pi["latest_charge"], pi["latest_charge"]["balance_transaction"],
                pi["payment_method"], refund, evt, account]
        for obj in objs:
            schema = spec.schema_for_object(obj["object"])
            for field in schema.get("required", []):
                self.assertIn(field, obj, "%s.%s" % (obj["object"], field))
                if not schema["properties"][field].get("nullable"):
                    self.assertIsNotNone(obj[field], "%s.%s" % (obj["object"], field))
            self.assertIs(obj.get("livemode", False), False)


class SeedTest(FakeStripeCase):
    seed_file = os.path.join(HERE, "seeds", "sample.json")

    def test_sample_seed_loaded_at_start_and_after_reset(self):
        counts = self.fake.counts()
        self.assertEqual(counts["customer"], 3)
        self.assertEqual(counts["payment_intent"], 6)
        self.assertEqual(counts["refund"], 2)
        amy = self.ok("GET", "/v1/customers", {"email": "amy@example.com"})["data"][0]
        self.assertEqual(amy["id"], "cus_SeedAmy0000001")
        pms = self.ok("GET", "/v1/customers/%s/payment_methods" % amy["id"])["data"]
        self.assertEqual(amy["invoice_settings"]["default_payment_method"], pms[0]["id"])
        pis = self.ok("GET", "/v1/payment_intents", {"limit": 100})["data"]
        self.assertEqual(sorted(p["status"] for p in pis),
                         ["requires_capture", "requires_payment_method", "succeeded",
                          "succeeded", "succeeded", "succeeded"])
        old = self.ok("GET", "/v1/payment_intents", {"created": {"lt": 1700000000}})["data"]
        self.assertEqual(len(old), 2)

    def test_generate_is_deterministic(self):
        spec = {"generate": {"payments": 60, "seed": 42, "start": 1690000000, "end": 1700000000}}
        self.fake.reset(reseed=False)
        self.fake.seed(spec)
        first = self.ok("GET", "/v1/payment_intents", {"limit": 100})["data"]
        self.fake.reset(reseed=False)
        self.fake.seed(spec)
        second = self.ok("GET", "/v1/payment_intents", {"limit": 100})["data"]
        self.assertEqual(len(first), 60)
        key = lambda p: (p["id"], p["created"], p["amount"], p["status"], p["customer"])
        self.assertEqual([key(p) for p in first], [key(p) for p in second])
        self.assertGreater(len({p["status"] for p in first}), 1)
        # the account is older than the history generated for it
        account = self.ok("GET", "/v1/account", {})
        self.assertLess(account["created"], min(p["created"] for p in first))


class ProcessTest(unittest.TestCase):
    def test_binds_loopback_only_and_exits_on_sigterm(self):
        fake = FakeStripe().start()
        try:
            port_hex = "%04X" % fake.port
            with open("/proc/net/tcp") as f:
                listening = [line.split()[1] for line in f.read().splitlines()[1:]
                             if line.split()[3] == "0A" and line.split()[1].endswith(":" + port_hex)]
            self.assertEqual(listening, ["0100007F:" + port_hex])
            if os.path.exists("/proc/net/tcp6"):
                with open("/proc/net/tcp6") as f:
                    self.assertFalse([l for l in f.read().splitlines()[1:]
                                      if l.split()[1].endswith(":" + port_hex)
                                      and l.split()[3] == "0A"])
        finally:
            code = fake.stop()
        self.assertEqual(code, 0)

    def test_sigint_and_listening_line(self):
        proc = subprocess.Popen([sys.executable, SERVER, "--port", "0"], stdout=subprocess.PIPE)
        line = proc.stdout.readline().decode()
        self.assertRegex(line, r"^listening on 127\.0\.0\.1:\d+\n$")
        proc.send_signal(signal.SIGINT)
        self.assertEqual(proc.wait(timeout=5), 0)
        proc.stdout.close()
