"""A payment left in flight by a crash is finished at the next start: by
`paydesk recover`, and by the TUI once the vault is unlocked, which tells
the desk what it resolved. Exactly one charge either way."""
import os
import signal
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
from tmuxharness import Home, Terminal, paydesk_bin  # noqa: E402

TOOLS = os.environ.get("PAYDESK_TOOLS_DIR", os.path.join(ROOT, "build", "tools"))
DRIVER = os.path.join(TOOLS, "stripe_driver")
PASS = "recover test passphrase"


class RecoverTest(unittest.TestCase):
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
        out = subprocess.run([paydesk_bin(), "setup", "--account", "acct_1FakePlatform000",
                              "--allow-secret-key"], input=DEFAULT_KEY + "\n", text=True,
                             capture_output=True, env=self.env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)

    def crash_during_confirm(self):
        """A payment whose confirm reached Stripe, but paydesk died before it
        recorded the answer: its outbox row stays 'sent'."""
        self.fake.add_fault("latency", method="POST", path_prefix="/v1/payment_intents/",
                            ms=1500, count=1)
        env = dict(self.env, PAYDESK_TEST_STRIPE_KEY=DEFAULT_KEY)
        proc = subprocess.Popen([DRIVER, "--api-base", self.fake.base_url, "--db", self.home.db,
                                 "--log", self.home.log, "pay", "--confirm", "pm_card_visa"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.states() != ["done", "sent"]:
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.fake.counts().get("charge", 0) < 1:
            time.sleep(0.05)
        self.assertEqual(self.states(), ["done", "sent"])
        self.assertEqual(self.fake.counts()["charge"], 1)

    def states(self):
        db = sqlite3.connect(self.home.db)
        rows = [r[0] for r in db.execute("SELECT state FROM outbox ORDER BY id")]
        db.close()
        return rows

    def test_paydesk_recover(self):
        self.crash_during_confirm()
        out = subprocess.run([paydesk_bin(), "recover"], text=True, capture_output=True,
                             env=self.env, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("1 call looked at, 0 still open", out.stdout)
        self.assertEqual(self.states(), ["done", "done"])
        self.assertEqual(self.fake.counts()["charge"], 1)  # replayed, not charged again

    def test_tui_finishes_it_after_unlock(self):
        self.crash_during_confirm()
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin()], 80, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.type(PASS)
            t.send("Enter")
            t.wait_for("finished 1 interrupted call", timeout=20)
            t.send("q")
            self.assertEqual(t.exit_status(), 0)
        self.assertEqual(self.states(), ["done", "done"])
        self.assertEqual(self.fake.counts()["charge"], 1)


if __name__ == "__main__":
    unittest.main()
