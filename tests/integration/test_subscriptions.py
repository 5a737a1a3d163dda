"""Subscriptions against the fake Stripe, through `paydesk plans` and
`paydesk subscriptions`: plans, trials moved on with test clocks, renewals
paid and failed, cancel / undo, plan changes with a proration preview,
pause / resume, the save-a-card path, and billing switched off."""
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

from fakeclient import FakeStripe  # noqa: E402
from tmuxharness import Home, Terminal, paydesk_bin  # noqa: E402

ACCOUNT = "acct_1FakePlatform000"
PK = "pk_test_51PaydeskTestPublishable00"
PASS = "correct horse battery staple"
KEY = "rk_test_51" + "subscriptions".ljust(24, "0")
DAY = 86400


class SubscriptionsTest(unittest.TestCase):
    fake = None

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
        self.fake.add_key(KEY, default="write", account=ACCOUNT)
        out = self.paydesk("setup", "--account", ACCOUNT, "--publishable", PK,
                           "--bill-with-stripe", "on", stdin=KEY + "\n")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    # -- helpers ---------------------------------------------------------------------------

    def paydesk(self, *args, stdin="", check=None):
        out = subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                             text=True, env=self.env, timeout=60)
        if check is not None:
            self.assertEqual(out.returncode, check, out.stdout + out.stderr)
        return out

    def api(self, method, path, params=None):
        r = self.fake.api(method, path, params or {}, key=KEY)
        self.assertLess(r.status, 300, r.json())
        return r.json()

    def sql(self, query, *args):
        con = sqlite3.connect(self.home.db)
        try:
            rows = con.execute(query, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def plan(self, name="Monthly membership", amount="49", *extra):
        self.paydesk("plans", "create", "--name", name, "--amount", amount, *extra, check=0)
        return self.sql("SELECT id FROM plans WHERE name = ?", name)[0][0]

    def client(self, name, card="pm_card_visa"):
        """A client billed with Stripe whose customer lives on a fresh test clock."""
        now = self.fake.control("GET", "/clock")["now"]
        clock = self.api("POST", "/v1/test_helpers/test_clocks", {"frozen_time": int(now)})
        cus = self.api("POST", "/v1/customers", {"name": name, "test_clock": clock["id"]})
        if card:
            self.api("POST", f"/v1/payment_methods/{card}/attach", {"customer": cus["id"]})
        t = int(time.time())
        self.sql("INSERT INTO clients (name, email, bill_with_stripe, stripe_customer_id,"
                 " created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?)", name,
                 name.split()[0].lower() + "@example.com", cus["id"], t, t)
        cid = self.sql("SELECT id FROM clients WHERE name = ?", name)[0][0]
        return cid, clock

    def advance(self, clock, seconds):
        clock["frozen_time"] += seconds
        self.api("POST", f"/v1/test_helpers/test_clocks/{clock['id']}/advance",
                 {"frozen_time": clock["frozen_time"]})
        for _ in range(100):
            if self.api("GET", f"/v1/test_helpers/test_clocks/{clock['id']}")["status"] == "ready":
                return
            time.sleep(0.05)
        self.fail("test clock never ready")

    def subs(self, *args):
        out = self.paydesk("subscriptions", "list", "--json", *args, check=0)
        return [json.loads(line) for line in out.stdout.splitlines()]

    def sub(self, sid):
        return next(s for s in self.subs("--all") if s["id"] == sid)

    def subscribe(self, client, plan, *extra, check=0):
        return self.paydesk("subscriptions", "subscribe", "--client", str(client), "--plan",
                            str(plan), *extra, check=check)

    def audit(self):
        return [r[0] for r in self.sql("SELECT action FROM audit_log ORDER BY id")]

    # -- plans -----------------------------------------------------------------------------

    def test_plans_create_edit_archive_sync(self):
        pid = self.plan("Mailbox rental", "180", "--interval", "year", "--features",
                        "mail scanning, 1 box", "--limits", "50 items a month")
        plans = [json.loads(x) for x in
                 self.paydesk("plans", "list", "--json", check=0).stdout.splitlines()]
        self.assertEqual(len(plans), 1)
        p = plans[0]
        self.assertEqual((p["amount"], p["currency"], p["interval"]), (18000, "usd", "year"))
        self.assertEqual(p["features"], "mail scanning, 1 box")
        prod = self.api("GET", f"/v1/products/{p['product']}")
        self.assertEqual(prod["metadata"]["limits"], "50 items a month")
        self.paydesk("plans", "edit", str(pid), "--name", "Mailbox rental (yearly)",
                     "--description", "A street address", check=0)
        self.assertEqual(self.api("GET", f"/v1/products/{p['product']}")["name"],
                         "Mailbox rental (yearly)")
        self.paydesk("plans", "archive", str(pid), check=0)
        self.assertFalse(self.api("GET", f"/v1/products/{p['product']}")["active"])
        posts = [r for r in self.fake.requests(method="POST", path_prefix="/v1/products")
                 if r["status"] == 200]  # (setup's permission probes answer 404)
        self.assertEqual(len(posts), 3)  # create, edit, archive: each with its key
        self.assertTrue(all(r["idempotency_key"] for r in posts))
        self.assertEqual(self.paydesk("plans", "list", "--json", check=0).stdout, "")
        # A plan made in the dashboard arrives with sync; a one-time product does not.
        self.api("POST", "/v1/products", {"name": "Weekly coaching", "default_price_data": {
            "currency": "usd", "unit_amount": 2500, "recurring": {"interval": "week"}}})
        self.api("POST", "/v1/products", {"name": "10-class pack", "default_price_data": {
            "currency": "usd", "unit_amount": 15000}})
        self.paydesk("plans", "sync", check=0)
        names = [json.loads(x)["name"] for x in
                 self.paydesk("plans", "list", "--all", "--json", check=0).stdout.splitlines()]
        self.assertEqual(sorted(names), ["Mailbox rental (yearly)", "Weekly coaching"])
        self.assertIn("plan.create", self.audit())
        self.assertIn("plan.archive", self.audit())

    # -- trial, renewals -------------------------------------------------------------------

    def test_trial_start_end_first_invoice_paid_active(self):
        plan = self.plan()
        cid, clock = self.client("Zoe Muller")
        out = self.subscribe(cid, plan, "--trial-days", "2")
        self.assertIn("trialing", out.stdout)
        [s] = self.subs()
        self.assertEqual(s["status"], "trialing")
        self.assertEqual(s["attention"], "trial_ending")  # ends within 3 days
        self.assertEqual(self.subs("--status", "attention")[0]["id"], s["id"])
        self.advance(clock, 3 * DAY)
        self.paydesk("subscriptions", "sync", check=0)
        s = self.sub(s["id"])
        self.assertEqual(s["status"], "active")
        self.assertEqual(s["invoice_status"], "paid")
        self.assertEqual(s["attention"], "")
        self.assertEqual(s["amount"], 4900)
        # The invoice's payment is an ordinary PaymentIntent: billing history sees it.
        inv = self.api("GET", f"/v1/invoices/{s['invoice_id']}")
        self.assertEqual(inv["subscription"], s["stripe_id"])
        self.assertTrue(inv["payment_intent"])
        self.assertIn("subscription.create", self.audit())
        create = [r for r in self.fake.requests(method="POST", path_prefix="/v1/subscriptions")
                  if r["path"] == "/v1/subscriptions"]
        self.assertEqual(create[0]["params"]["trial_period_days"], "2")
        outbox = self.sql("SELECT state, idempotency_key FROM outbox WHERE path ="
                          " '/v1/subscriptions'")
        self.assertEqual(outbox[0][0], "done")
        self.assertEqual(outbox[0][1], create[0]["idempotency_key"])

    def test_failed_renewal_past_due_highlighted(self):
        plan = self.plan()
        cid, clock = self.client("Liam Kelly", card="pm_card_chargeCustomerFail")
        self.subscribe(cid, plan, "--trial-days", "5")
        self.advance(clock, 6 * DAY)
        self.paydesk("subscriptions", "sync", check=0)
        [s] = self.subs()
        self.assertEqual(s["status"], "past_due")
        self.assertEqual(s["attention"], "payment_failed")
        self.assertEqual(s["invoice_status"], "open")
        self.assertGreaterEqual(s["invoice_attempts"], 1)
        self.assertTrue(s["last_failure"])
        text = self.paydesk("subscriptions", "list", check=0).stdout
        self.assertTrue(text.startswith("!"), text)
        self.assertEqual([x["id"] for x in self.subs("--status", "past_due")], [s["id"]])
        self.assertEqual(self.subs("--status", "active"), [])

    # -- cancel, change, pause -------------------------------------------------------------

    def test_cancel_at_period_end_then_undo_then_cancel_now(self):
        plan = self.plan()
        cid, _ = self.client("Noah Brown")
        self.subscribe(cid, plan)
        [s] = self.subs()
        self.assertEqual(s["status"], "active")
        self.assertEqual(s["invoice_status"], "paid")
        self.paydesk("subscriptions", "cancel", str(s["id"]), "--at-period-end", check=0)
        self.assertTrue(self.sub(s["id"])["cancel_at_period_end"])
        self.assertTrue(self.api("GET", f"/v1/subscriptions/{s['stripe_id']}")
                        ["cancel_at_period_end"])
        self.paydesk("subscriptions", "undo-cancel", str(s["id"]), check=0)
        self.assertFalse(self.sub(s["id"])["cancel_at_period_end"])
        self.assertFalse(self.api("GET", f"/v1/subscriptions/{s['stripe_id']}")
                         ["cancel_at_period_end"])
        out = self.paydesk("subscriptions", "undo-cancel", str(s["id"]))
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("no cancel is scheduled", out.stderr)
        self.paydesk("subscriptions", "cancel", str(s["id"]), check=0)
        self.assertEqual(self.sub(s["id"])["status"], "canceled")
        self.assertEqual(self.subs(), [])  # ended ones only with --all
        deletes = [r for r in self.fake.requests(method="DELETE", path_prefix="/v1/subscriptions")
                   if r["status"] == 200]
        self.assertEqual(len(deletes), 1)
        actions = self.audit()
        for a in ("subscription.cancel_at_period_end", "subscription.undo_cancel",
                  "subscription.cancel"):
            self.assertIn(a, actions)

    def test_plan_change_with_preview_and_quantity(self):
        basic = self.plan("Basic", "20")
        plus = self.plan("Plus", "50")
        cid, _ = self.client("Emma Stone")
        self.subscribe(cid, basic)
        [s] = self.subs()
        out = self.paydesk("subscriptions", "preview", str(s["id"]), "--plan", str(plus), check=0)
        self.assertIn("next invoice with the change:", out.stdout)
        self.assertIn("USD", out.stdout)
        self.assertTrue(self.fake.requests(method="GET", path_prefix="/v1/invoices/upcoming"))
        self.paydesk("subscriptions", "change", str(s["id"]), "--plan", str(plus),
                     "--quantity", "2", check=0)
        s = self.sub(s["id"])
        self.assertEqual((s["plan"], s["quantity"], s["amount"]), ("Plus", 2, 10000))
        item = self.api("GET", f"/v1/subscriptions/{s['stripe_id']}")["items"]["data"][0]
        self.assertEqual(item["quantity"], 2)
        out = self.paydesk("subscriptions", "change", str(s["id"]), "--plan", str(plus),
                           "--quantity", "2")
        self.assertIn("nothing to change", out.stderr)
        self.assertIn("subscription.change", self.audit())

    def test_pause_and_resume_collection(self):
        plan = self.plan()
        cid, _ = self.client("Fatima Noor")
        self.subscribe(cid, plan)
        [s] = self.subs()
        self.paydesk("subscriptions", "pause", str(s["id"]), check=0)
        self.assertTrue(self.sub(s["id"])["paused"])
        self.assertEqual(self.api("GET", f"/v1/subscriptions/{s['stripe_id']}")
                         ["pause_collection"]["behavior"], "void")
        self.paydesk("subscriptions", "resume", str(s["id"]), check=0)
        self.assertFalse(self.sub(s["id"])["paused"])
        self.assertIsNone(self.api("GET", f"/v1/subscriptions/{s['stripe_id']}")
                          ["pause_collection"])
        self.assertIn("subscription.pause", self.audit())
        self.assertIn("subscription.resume", self.audit())

    # -- card setup, invoices, billing off -------------------------------------------------

    def test_no_saved_card_gives_setup_link_first(self):
        plan = self.plan()
        cid, _ = self.client("Jose Nunez", card=None)
        out = self.subscribe(cid, plan, check=1)
        self.assertIn("no saved card", out.stdout)
        self.assertIn("save-a-card link: http", out.stdout)
        self.assertEqual(self.fake.counts().get("subscription", 0), 0)
        sessions = [r for r in self.fake.requests(method="POST", path_prefix="/v1/checkout/sessions")
                    if r["path"] == "/v1/checkout/sessions"]
        self.assertEqual(sessions[0]["params"]["mode"], "setup")
        # Emailed invoices need no card.
        out = self.subscribe(cid, plan, "--invoice-days", "14")
        [s] = self.subs()
        self.assertEqual(s["collection"], "send_invoice")
        self.assertEqual(s["invoice_status"], "open")

    def test_billing_disabled_refuses_actions(self):
        plan = self.plan()
        cid, _ = self.client("Bjorn Strom")
        self.subscribe(cid, plan)
        [s] = self.subs()
        self.sql("UPDATE settings SET value = 'off' WHERE key = 'bill_with_stripe'")
        before = len(self.fake.requests(method="POST")) + len(self.fake.requests(method="DELETE"))
        # Cancel and pause stay allowed (test_subs_retries); what starts charging does not.
        for args in (["change", str(s["id"]), "--quantity", "3"],
                     ["undo-cancel", str(s["id"])]):
            out = self.paydesk("subscriptions", *args)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("Bill clients with Stripe is off", out.stderr)
        out = self.subscribe(cid, plan, check=2)
        self.assertIn("Bill clients with Stripe is off", out.stderr)
        self.assertEqual(len(self.fake.requests(method="POST")) +
                         len(self.fake.requests(method="DELETE")), before)
        self.assertEqual(self.sub(s["id"])["status"], "active")

    # -- the screen ------------------------------------------------------------------------

    def test_screen_highlights_failure_and_cancels_through_dialog(self):
        plan = self.plan()
        cid, clock = self.client("Liam Kelly", card="pm_card_chargeCustomerFail")
        self.subscribe(cid, plan, "--trial-days", "5")
        self.advance(clock, 6 * DAY)
        cid2, _ = self.client("Noah Brown")
        self.subscribe(cid2, plan)
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin(), "--screen", "subscriptions"], 80, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.type(PASS)
            t.send("Enter")
            screen = t.wait_for("! past_due")  # the sync job brought the failure in
            lines = screen.splitlines()
            row = next(i for i, line in enumerate(lines) if "! past_due" in line)
            self.assertIn("Liam Kelly", lines[row])
            self.assertIn("Noah Brown", lines[row + 1])  # attention first
            t.send("j")
            t.send("x")
            t.wait_for("Cancel at period end?")
            t.send("Enter")  # money dialog: Enter does not confirm
            t.wait_for("Cancel at period end?")
            t.send("y")
            t.wait_for("active*")
            t.send("f")
            t.wait_for("status: needs attention")
            self.assertNotIn("Noah Brown", t.screen())
            t.send("?")
            t.wait_for("pause / resume collection")
            t.send("Escape")
            t.send("q")
        s = next(x for x in self.subs() if x["client"] == "Noah Brown")
        self.assertTrue(s["cancel_at_period_end"])
        self.sql("UPDATE settings SET value = 'off' WHERE key = 'bill_with_stripe'")
        with Terminal([paydesk_bin(), "--screen", "subscriptions"], 80, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.send("Escape")
            t.wait_for("Bill clients with Stripe is off")
            t.send("e")  # a change may charge: refused
            time.sleep(0.3)
            self.assertNotIn("Change plan or quantity", t.screen())
            t.send("x")  # stopping the charges never is
            t.wait_for("Cancel at period end?")
            t.send("n")
            t.send("q")


if __name__ == "__main__":
    unittest.main()
