"""`paydesk sync` against the fake Stripe: a first full sync across pages,
an incremental one that adds only what is new, a killed sync that resumes
with nothing duplicated, and the History screen showing the result."""
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

PASS = "history sync passphrase"
PLATFORM = "acct_1FakePlatform000"


class SyncTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.fake.seed({"generate": {"payments": 450, "seed": 7}})
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**os.environ, **self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
                    "PAYDESK_PASSPHRASE": PASS}
        out = self.paydesk("setup", "--account", PLATFORM, stdin=DEFAULT_KEY + "\n",
                           extra=["--allow-secret-key"] if DEFAULT_KEY.startswith("sk_") else [])
        self.assertEqual(out.returncode, 0, out.stderr)

    def paydesk(self, *args, stdin="", extra=()):
        return subprocess.run([paydesk_bin(), *args, *extra], input=stdin, capture_output=True,
                              text=True, env=self.env, timeout=120)

    def rows(self):
        db = sqlite3.connect(self.home.db)
        counts = dict(db.execute("SELECT type, count(*) FROM history GROUP BY type").fetchall())
        dupes = db.execute("SELECT count(*) - count(DISTINCT stripe_id) FROM history").fetchone()[0]
        db.close()
        return counts, dupes

    def expected(self):
        counts = self.fake.counts()
        return counts.get("payment_intent", 0), counts.get("refund", 0)

    def test_full_then_incremental_then_resume_after_kill(self):
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout + out.stderr, "")  # quiet when not on a terminal
        pis, refunds = self.expected()
        self.assertGreater(pis, 400)  # several pages of 100
        counts, dupes = self.rows()
        self.assertEqual(dupes, 0)
        self.assertEqual(sum(counts.values()), pis + refunds + counts.get("invoice", 0))
        pages = [r for r in self.fake.requests(path_prefix="/v1/payment_intents")]
        self.assertGreaterEqual(len(pages), 5)

        # Incremental: only what was created since, and the new payment lands.
        self.fake.clear_requests()
        new = self.fake.api("POST", "/v1/payment_intents",
                            {"amount": 1234, "currency": "usd", "payment_method": "pm_card_visa",
                             "confirm": "true"}).json()
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        again = self.fake.requests(method="GET", path_prefix="/v1/payment_intents")
        self.assertEqual(len(again), 1)  # one page: created[gte] the last pass
        self.assertIn("created", str(again[0]["params"]))
        db = sqlite3.connect(self.home.db)
        self.assertEqual(db.execute("SELECT amount FROM history WHERE stripe_id = ?",
                                    (new["id"],)).fetchone()[0], 1234)
        db.close()

        # Killed mid-sync, then resumed: the same rows as a clean sync, no duplicates.
        clean, _ = self.rows()
        self.fake.add_fault("latency", ms=400, path_prefix="/v1/payment_intents", count=20)
        proc = subprocess.Popen([paydesk_bin(), "sync", "--full"], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.fake.clear_faults()
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        counts, dupes = self.rows()
        self.assertEqual(dupes, 0)
        self.assertEqual(counts, clean)

    def test_failure_exits_non_zero_and_history_shows(self):
        self.fake.add_fault("error", status=500, path_prefix="/v1/refunds", count=100)
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 1)
        self.assertIn("paydesk:", out.stderr)
        self.fake.clear_faults()
        self.assertEqual(self.paydesk("sync").returncode, 0)
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin(), "--screen", "history"], 80, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.send("Escape")  # browsing history needs no key
            screen = t.wait_for("synced 20", timeout=15)
            self.assertNotIn("nothing yet", screen)
            t.send("q")
            self.assertEqual(t.exit_status(), 0)


if __name__ == "__main__":
    unittest.main()
