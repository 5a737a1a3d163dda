"""The History tab's Stripe actions in tmux against the fake Stripe: the sync that
starts when the history is stale, with its progress bar; stopping it with S and
resuming; and refunding a payment from the list (form, confirm dialog, what Stripe
receives, the row afterwards)."""
import unittest

from stripecase import ConnectedCase
from tmuxharness import Terminal, paydesk_bin


class HistoryActions(ConnectedCase):
    PASSPHRASE = "history actions passphrase"
    SEED = {"generate": {"payments": 450, "seed": 11}}
    EXTRA_ENV = {"TZ": "UTC"}

    def refund_posts(self):
        return [r for r in self.fake.requests(method="POST", path_prefix="/v1/refunds")
                if r["path"] == "/v1/refunds"]

    def test_stale_history_syncs_with_progress_and_S_stops_and_resumes(self):
        # slow pages, so the bar is seen and the stop lands mid-sync
        self.fake.add_fault("latency", ms=500, path_prefix="/v1/payment_intents", count=3)
        t = Terminal([paydesk_bin(), "--screen", "history"], 100, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("Syncing payments", timeout=15)
        # how far back in time it has come, against the account's age: an estimate and an ETA
        t.wait_for(r"Syncing payments, 2 of \d \(S stops\).*\b[1-9]\d* / [\d,]+ .*ETA",
                           regex=True, timeout=15)
        t.send("S")
        t.wait_for("sync stopped; S resumes it", timeout=15)
        stopped = self.query("SELECT count(*) FROM history")[0][0]
        self.assertLess(stopped, 450)
        t.send("S")
        t.wait_for(r"synced \d+ records", regex=True, timeout=30)
        t.send("q")
        self.assertEqual(t.exit_status(), 0)
        pis = self.fake.counts().get("payment_intent", 0)
        payments = self.query("SELECT count(*), count(DISTINCT stripe_id) FROM history"
                              " WHERE type = 'payment'")[0]
        self.assertEqual(payments, (pis, pis))  # all of them, none twice

    def test_refund_from_the_list(self):
        self.paydesk("sync", check=0)
        self.fake.clear_requests()  # setup's permission probes
        t = Terminal([paydesk_bin(), "--screen", "history"], 100, 30, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("synced 20")
        # only succeeded payments: the first row is refundable
        t.send("F")
        t.wait_for("Filters")
        t.send("Tab", "Tab", "Tab", "Right")
        t.wait_for("< succeeded >")
        t.send("Enter")
        t.wait_gone("Filters")
        t.send("r")
        t.wait_for("empty refunds all of it")
        t.type("abc")
        t.send("Enter")
        t.wait_for("an amount like 12.50")  # the form stays, with what was typed
        t.send("C-u")
        t.type("1.00")
        t.send("Enter")
        t.wait_for("Refund this payment?")
        self.assertEqual(self.refund_posts(), [])
        t.send("y")
        t.wait_for("Refunded", timeout=15)
        posts = self.refund_posts()
        self.assertEqual(len(posts), 1)
        params = posts[0]["params"]
        self.assertEqual(str(params["amount"]), "100")
        self.assertEqual(params["reason"], "requested_by_customer")
        pi = params["payment_intent"]
        t.send("q")
        self.assertEqual(t.exit_status(), 0)
        row = self.query("SELECT amount_refunded, status FROM history WHERE stripe_id = ?", (pi,))
        self.assertEqual(row, [(100, "partially_refunded")])
        refunds = self.query("SELECT amount FROM history WHERE type = 'refund'"
                             " AND payment_intent = ?", (pi,))
        self.assertEqual(refunds, [(100,)])
        audit = self.query("SELECT actor, action, amount FROM audit_log"
                           " WHERE action = 'payment.refund'")
        self.assertEqual(audit, [("Alex", "payment.refund", 100)])


if __name__ == "__main__":
    unittest.main()
