"""`paydesk sync` against the fake Stripe: a first full sync across pages,
an incremental one that adds only what is new, a killed sync that resumes
with nothing duplicated, and the History screen showing the result."""
import os
import json
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

    def lists(self, path):
        """The list requests made for path (not retrievals of one object)."""
        return [r for r in self.fake.requests(method="GET", path_prefix=path)
                if r["path"] == path]

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
        again = self.lists("/v1/payment_intents")
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

    def db(self):
        db = sqlite3.connect(self.home.db)
        self.addCleanup(db.close)
        return db

    def old_payment(self):
        """A succeeded payment created long before the last sync (months old)."""
        row = self.db().execute(
            "SELECT stripe_id, amount FROM history WHERE type = 'payment' AND status = 'succeeded'"
            " AND amount_refunded = 0 ORDER BY created LIMIT 1").fetchone()
        self.assertIsNotNone(row)
        return row

    def refund(self, pi, amount):
        r = self.fake.api("POST", "/v1/refunds", {"payment_intent": pi, "amount": amount})
        self.assertEqual(r.status, 200, r.body[:300])
        return r.json()

    def test_incremental_sync_picks_up_a_refund_of_an_old_payment(self):
        self.assertEqual(self.paydesk("sync").returncode, 0)
        pi, amount = self.old_payment()
        counts_before, _ = self.rows()
        self.fake.clear_requests()
        refund = self.refund(pi, amount // 2)

        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, "")  # quiet: no full pass was needed
        # The old payment came from the events feed, not from a full pass.
        events = self.lists("/v1/events")
        self.assertTrue(events)
        self.assertIn("created", str(events[0]["params"]))
        self.assertTrue(all("created" in str(r["params"]) for r in self.lists("/v1/payment_intents")))
        status, refunded = self.db().execute(
            "SELECT status, amount_refunded FROM history WHERE stripe_id = ?", (pi,)).fetchone()
        self.assertEqual((status, refunded), ("partially_refunded", amount // 2))
        self.assertEqual(self.db().execute(
            "SELECT amount, status FROM history WHERE stripe_id = ?", (refund["id"],)).fetchone(),
            (amount // 2, "succeeded"))
        counts, dupes = self.rows()
        self.assertEqual(dupes, 0)
        self.assertEqual(counts["refund"], counts_before["refund"] + 1)
        self.assertEqual(counts["payment"], counts_before["payment"])

        # The rest: refunded in full, seen again through the feed.
        self.refund(pi, amount - amount // 2)
        self.assertEqual(self.paydesk("sync").returncode, 0)
        self.assertEqual(self.db().execute(
            "SELECT status, amount_refunded FROM history WHERE stripe_id = ?", (pi,)).fetchone(),
            ("refunded", amount))
        self.assertEqual(self.rows()[1], 0)
        # The totals a reviewer sees follow the payment's new status.
        self.assertEqual(self.db().execute(
            "SELECT sum(n) FROM history_day WHERE type = 'payment' AND status = 'refunded'"
            ).fetchone()[0], self.db().execute(
            "SELECT count(*) FROM history WHERE type = 'payment' AND status = 'refunded'"
            ).fetchone()[0])

    def export_disputed(self):
        out = self.paydesk("export", "--status", "disputed", "--format", "jsonl")
        self.assertEqual(out.returncode, 0, out.stderr)
        return [json.loads(line) for line in out.stdout.splitlines()]

    def test_incremental_sync_picks_up_a_disputed_payment(self):
        self.assertEqual(self.paydesk("sync").returncode, 0)
        self.assertEqual(self.export_disputed(), [])  # the generated history has none
        counts_before, _ = self.rows()
        self.fake.clear_requests()
        # Stripe's dispute test card: the payment succeeds, then the cardholder disputes it.
        r = self.fake.api("POST", "/v1/payment_intents",
                          {"amount": 4321, "currency": "usd",
                           "payment_method": "pm_card_createDispute", "confirm": "true"})
        self.assertEqual(r.status, 200, r.body[:300])
        pi = r.json()
        self.assertEqual(pi["status"], "succeeded")

        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, "")  # quiet: no full pass was needed
        # The feed carried the dispute, and the sync re-fetched its payment.
        feed = " ".join(e["response_body"] or "" for e in self.lists("/v1/events"))
        self.assertIn("charge.dispute.created", feed)
        self.assertTrue(any(r["path"] == "/v1/payment_intents/" + pi["id"] and
                            "latest_charge.balance_transaction" in str(r["params"])
                            for r in self.fake.requests(method="GET",
                                                        path_prefix="/v1/payment_intents/")))
        # What a reviewer sees: the payment, once, as disputed.
        self.assertEqual(self.db().execute(
            "SELECT status, disputed, amount, amount_refunded FROM history WHERE stripe_id = ?",
            (pi["id"],)).fetchall(), [("disputed", 1, 4321, 0)])
        disputed = self.export_disputed()
        self.assertEqual([(r["stripe_id"], r["status"], r["amount"]) for r in disputed],
                         [(pi["id"], "disputed", 4321)])
        counts, dupes = self.rows()
        self.assertEqual(dupes, 0)
        self.assertEqual(counts["payment"], counts_before["payment"] + 1)
        self.assertEqual(counts.get("refund"), counts_before.get("refund"))

        # Synced again: nothing changes, nothing is duplicated.
        out = self.paydesk("sync")
        self.assertEqual((out.returncode, out.stderr), (0, ""))
        self.assertEqual(self.rows(), (counts, 0))
        self.assertEqual(self.export_disputed(), disputed)

    def test_last_sync_beyond_the_events_window_runs_a_full_pass(self):
        self.assertEqual(self.paydesk("sync").returncode, 0)
        pi, amount = self.old_payment()
        # This machine last synced 40 days ago: Stripe no longer has the
        # events of the first ten of them.
        db = self.db()
        db.execute("UPDATE sync_state SET last_synced_at = last_synced_at - 40 * 86400")
        db.commit()
        self.refund(pi, amount)
        self.fake.clear_requests()

        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("40 days ago", out.stderr)
        self.assertIn("full pass", out.stderr)
        first = self.lists("/v1/payment_intents")[0]
        self.assertNotIn("created", str(first["params"]))  # from the very start
        self.assertEqual(self.db().execute(
            "SELECT status, amount_refunded FROM history WHERE stripe_id = ?", (pi,)).fetchone(),
            ("refunded", amount))
        self.assertEqual(self.rows()[1], 0)
        # and the feed takes over again afterwards
        out = self.paydesk("sync")
        self.assertEqual((out.returncode, out.stderr), (0, ""))

    def test_payments_without_an_expanded_customer_get_the_client_name(self):
        # A local client linked to one Stripe customer: reviewers know that name.
        cus = self.fake.api("GET", "/v1/customers", {"limit": 2}).json()["data"]
        local, remote = cus[0], cus[1]
        db = self.db()
        db.execute("INSERT INTO clients (name, email, stripe_customer_id, bill_with_stripe,"
                   " created_at, updated_at) VALUES ('Zoë Localname', 'zoe@example.com', ?, 1,"
                   " 0, 0)", (local["id"],))
        db.commit()
        self.assertEqual(self.paydesk("sync").returncode, 0)
        # The sync asks for no customer expansion; names still show.
        for r in self.lists("/v1/payment_intents"):
            self.assertNotIn("data.customer", str(r["params"]))
        unnamed = self.db().execute("SELECT count(*) FROM history WHERE type = 'payment'"
                                    " AND customer_id IS NOT NULL AND client_name IS NULL"
                                    ).fetchone()[0]
        self.assertEqual(unnamed, 0)

        def export(words):
            out = self.paydesk("export", "--search", words, "--format", "jsonl")
            self.assertEqual(out.returncode, 0, out.stderr)
            return [json.loads(line) for line in out.stdout.splitlines()]

        mine = export("Localname")
        self.assertTrue(mine)
        self.assertTrue(all(r["client"] == "Zoë Localname" for r in mine), mine[:2])
        theirs = export(remote["name"])
        self.assertTrue(any(r["client"] == remote["name"] for r in theirs))
        n = self.db().execute("SELECT count(*) FROM history WHERE customer_id = ? AND"
                              " type = 'payment'", (remote["id"],)).fetchone()[0]
        self.assertEqual(sum(1 for r in theirs if r["client"] == remote["name"]
                             and r["type"] == "payment"), n)

    def test_key_without_events_read_still_syncs_and_says_so(self):
        # a key made before paydesk followed the events feed
        self.fake.add_key(DEFAULT_KEY, permissions={"events": "none"}, default="write")
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Events: Read", out.stderr)
        pis, refunds = self.expected()
        counts, dupes = self.rows()
        self.assertEqual((counts["payment"], counts["refund"], dupes), (pis, refunds, 0))
        pi, amount = self.old_payment()
        self.refund(pi, amount)
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("paydesk sync --full", out.stderr)
        self.assertEqual(self.paydesk("sync", "--full").returncode, 0)
        self.assertEqual(self.db().execute("SELECT status FROM history WHERE stripe_id = ?",
                                           (pi,)).fetchone()[0], "refunded")
        self.assertEqual(self.rows()[1], 0)

    def test_malformed_page_fails_the_sync_and_the_next_one_completes(self):
        # a 200 whose body is cut mid-object: read without a JSON tree (json_scan), refused whole
        self.fake.add_fault("malformed_json", method="GET", path_prefix="/v1/payment_intents",
                            count=1)
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 1)
        self.assertIn("not valid JSON", out.stderr)
        self.assertRegex(out.stderr, r"Request-Id req_\w+")
        self.assertEqual(self.rows()[0].get("payment", 0), 0)
        self.fake.clear_faults()
        self.assertEqual(self.paydesk("sync").returncode, 0)
        counts, dupes = self.rows()
        payments, refunds = self.expected()
        self.assertEqual((counts.get("payment"), counts.get("refund", 0), dupes),
                         (payments, refunds, 0))

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
