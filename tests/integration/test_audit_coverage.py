"""What the audit log records beyond the money screens: commands proven with
the vault passphrase under a named admin, a replaced Stripe key, and what
`paydesk recover` finished (a refund had no entry)."""
import json
import os
import sqlite3
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402
from tmuxharness import Home, paydesk_bin  # noqa: E402

TOOLS = os.environ.get("PAYDESK_TOOLS_DIR", os.path.join(ROOT, "build", "tools"))
DRIVER = os.path.join(TOOLS, "stripe_driver")
PASS = "audit coverage passphrase"
ACCOUNT = "acct_1FakePlatform000"


class AuditCoverage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**os.environ, **self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
                    "PAYDESK_PASSPHRASE": PASS}
        for name in ("PAYDESK_SIGN_IN", "PAYDESK_PIN"):
            self.env.pop(name)
        self.paydesk("users", "add", "--name", "Alex", "--role", "admin", stdin="2468\n")
        self.paydesk("setup", "--account", ACCOUNT, "--allow-secret-key",
                     stdin=DEFAULT_KEY + "\n")

    def paydesk(self, *args, stdin="", check=0):
        out = subprocess.run([paydesk_bin(), *args], input=stdin, text=True,
                             capture_output=True, env=self.env, timeout=120)
        if check is not None:
            self.assertEqual(out.returncode, check, out.stdout + out.stderr)
        return out

    def audit(self, where="1"):
        db = sqlite3.connect(self.home.db)
        try:
            return db.execute("SELECT actor, action, amount, currency, object_id, detail"
                              " FROM audit_log WHERE " + where + " ORDER BY id").fetchall()
        finally:
            db.close()

    def test_passphrase_commands_act_as_the_named_admin(self):
        self.paydesk("users", "refund-limit", "25", "usd")
        rows = self.audit("action IN ('stripe.connect', 'settings.refund_limit')")
        self.assertEqual([(r[0], r[1]) for r in rows],
                         [("Alex", "stripe.connect"), ("Alex", "settings.refund_limit")])
        self.assertEqual(self.audit("actor = 'admin'"), [])

    def test_a_replaced_key_is_recorded_as_such(self):
        self.paydesk("setup", "--account", ACCOUNT, "--allow-secret-key",
                     stdin=DEFAULT_KEY + "\n")
        actions = [r[1] for r in self.audit("action LIKE 'stripe.%'")]
        self.assertEqual(actions, ["stripe.connect", "stripe.key_replaced"])

    def test_a_refund_finished_by_recover_is_audited(self):
        env = dict(self.env, PAYDESK_TEST_STRIPE_KEY=DEFAULT_KEY)
        out = subprocess.run([DRIVER, "--api-base", self.fake.base_url, "--db", self.home.db,
                              "--log", self.home.log, "pay", "--amount", "2000", "--currency",
                              "usd", "--confirm", "pm_card_visa"],
                             env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        db = sqlite3.connect(self.home.db)
        pi = db.execute("SELECT object_id FROM outbox WHERE path = '/v1/payment_intents'"
                        ).fetchone()[0]
        # A refund written to the outbox, then paydesk died before sending it.
        now = int(time.time())
        db.execute("INSERT INTO outbox (idempotency_key, method, path, params, created_at,"
                   " updated_at) VALUES ('refund-left-in-flight', 'POST', '/v1/refunds', ?, ?, ?)",
                   ("payment_intent=%s&amount=500" % pi, now, now))
        db.commit()
        db.close()
        out = self.paydesk("recover")
        self.assertIn("1 call looked at, 0 still open", out.stdout)
        self.assertEqual(self.fake.counts()["refund"], 1)
        rows = self.audit("action = 'refund.recovered'")
        self.assertEqual(len(rows), 1, self.audit())
        actor, _, amount, currency, obj, detail = rows[0]
        self.assertEqual((actor, amount, currency), ("Alex", 500, "usd"))
        self.assertTrue(obj.startswith("re_"), obj)
        self.assertIn("finished by recovery", detail)


if __name__ == "__main__":
    unittest.main()
