"""The Subscriptions tab's forms in tmux, against the fake Stripe: subscribe a client with a
saved card (what Stripe received, the first invoice shown), a client without one (the
save-a-card link instead, then emailed invoices), a quantity change after its proration
preview, a plan created and archived in the plans view, the client's subscriptions on the
Clients tab, and every new action refused while billing through Stripe is off."""
import os
import re
import shutil
import time
import unittest

from stripecase import PLATFORM as ACCOUNT, ConnectedCase
from qrscreen import cells, decode, qr_matrix
from tmuxharness import ScreenTimeout, Terminal, paydesk_bin

PK = "pk_test_51SubsTuiPublishable0000"
KEY = "rk_test_51" + "subscriptionstui".ljust(24, "0")


class SubscriptionsTui(ConnectedCase):
    KEY = KEY
    PASSPHRASE = "subscriptions tui passphrase"
    SETUP_ARGS = ("--publishable", PK, "--bill-with-stripe", "on")
    EXTRA_ENV = {"PAYDESK_TIMEZONE": "UTC"}

    # -- helpers ---------------------------------------------------------------------------

    def sql(self, query, *args):
        return self.query(query, args)

    def api(self, method, path, params=None):
        r = self.fake.api(method, path, params or {}, key=KEY)
        self.assertLess(r.status, 300, r.json())
        return r.json()

    def plan(self, name="Monthly membership", amount="49"):
        self.paydesk("plans", "create", "--name", name, "--amount", amount, check=0)
        return self.sql("SELECT id, product_id FROM plans WHERE name = ?", name)[0]

    def client(self, name, card="pm_card_visa"):
        """A client billed with Stripe whose customer exists (with a saved card or not)."""
        cus = self.api("POST", "/v1/customers", {"name": name})
        if card:
            self.api("POST", f"/v1/payment_methods/{card}/attach", {"customer": cus["id"]})
        t = int(time.time())
        self.sql("INSERT INTO clients (name, email, bill_with_stripe, stripe_customer_id,"
                 " created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?)", name,
                 name.split()[0].lower() + "@example.com", cus["id"], t, t)
        return self.sql("SELECT id FROM clients WHERE name = ?", name)[0][0], cus["id"]

    def stripe_subs(self, customer):
        return self.api("GET", "/v1/subscriptions", {"customer": customer, "status": "all"})["data"]

    def tui(self, screen="subscriptions"):
        t = Terminal([paydesk_bin(), "--screen", screen], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        return t

    def pick_client(self, t, typed, name):
        t.send("n")
        t.wait_for("Subscribe a client")
        t.type(typed)
        t.wait_for("> " + name)
        t.send("Tab")  # takes the highlighted client

    def refused(self, t):
        """The key said why in the status line (cut to what fits beside a job spinner)."""
        deadline = time.monotonic() + 5
        while "Bill clients with" not in t.screen().rstrip("\n").splitlines()[-1]:
            self.assertLess(time.monotonic(), deadline, t.screen())
            time.sleep(0.05)

    # -- subscribe -------------------------------------------------------------------------

    def test_subscribe_client_with_saved_card(self):
        _, price_plan = self.plan()
        price = self.api("GET", f"/v1/products/{price_plan}")["default_price"]
        _, cus = self.client("Zoe Muller")
        t = self.tui()
        t.wait_for("No subscriptions here")
        self.pick_client(t, "zoe", "Zoe Muller")
        t.send("Tab")  # the plan: the only one
        t.send("C-u")
        t.type("2")  # quantity
        t.send("C-s")
        screen = t.wait_for("Subscribe this client?")
        self.assertIn("98.00 USD", screen)  # 49.00 × 2
        self.assertIn("Zoe Muller", screen)
        t.send("Enter")  # a money dialog: Enter does not confirm
        t.wait_for("Subscribe this client?")
        t.send("y")
        screen = t.wait_for("First invoice", timeout=15)
        self.assertIn("Subscribed", screen)
        self.assertRegex(screen, r"First invoice in_\S+ · 98\.00 USD · paid")
        [sub] = self.stripe_subs(cus)
        self.assertEqual(sub["status"], "active")
        item = sub["items"]["data"][0]
        self.assertEqual((item["price"]["id"], item["quantity"]), (price, 2))
        create = [r for r in self.fake.requests(method="POST", path_prefix="/v1/subscriptions")
                  if r["path"] == "/v1/subscriptions"]
        self.assertEqual(len(create), 1)
        self.assertEqual(create[0]["params"]["collection_method"], "charge_automatically")
        self.assertTrue(create[0]["idempotency_key"])
        t.send("Escape")
        t.wait_for(r"Zoe Muller\s+Monthly mem\S*\s+active\s+98\.00 USD", regex=True)
        # The client's subscription shows on the Clients tab too.
        t.send("2")
        t.wait_for("Clients · Services · Staff")
        t.send("o")
        # (Waiting for "Subscriptions" alone matched the tab bar before 'o' was read.)
        screen = t.wait_for("Monthly membership ×2 · 98.00 USD · active")
        self.assertRegex(screen, r"next bill \d{4}-\d\d-\d\d · latest invoice 98\.00 USD paid")
        t.send("Escape")
        t.wait_for("Clients · Services · Staff")

    def test_second_subscription_needs_a_second_confirmation(self):
        """Subscribing a client again to a plan it has asks twice; 'n' at the
        second question sends nothing."""
        plan_id, _ = self.plan()
        cid, cus = self.client("Ivy Lane")
        self.paydesk("subscriptions", "subscribe", "--client", str(cid), "--plan", str(plan_id),
                     check=0)
        t = self.tui()
        t.wait_for("Ivy Lane")
        self.pick_client(t, "ivy", "Ivy Lane")
        for answer in ("n", "y"):  # the form stays as typed after a "no"
            t.send("C-s")
            t.wait_for("Subscribe this client?")
            t.send("y")
            screen = t.wait_for("A second subscription?")
            self.assertIn("already has Monthly membership", screen)
            self.assertIn("49.00 USD", screen)
            t.send(answer)
            if answer == "n":
                time.sleep(0.5)
                self.assertEqual(len(self.stripe_subs(cus)), 1)
        t.wait_for("First invoice", timeout=15)
        self.assertEqual(len(self.stripe_subs(cus)), 2)

    def test_client_detail_lists_subscription_invoices_and_payments(self):
        plan_id, _ = self.plan("Coworking", "30")
        cid, cus = self.client("Liam Kelly")
        self.paydesk("subscriptions", "subscribe", "--client", str(cid), "--plan", str(plan_id),
                     check=0)
        self.paydesk("sync", check=0)  # the billing history, invoices included
        [sub] = self.stripe_subs(cus)
        invoice = sub["latest_invoice"]
        invoice = invoice["id"] if isinstance(invoice, dict) else invoice
        t = self.tui("clients")
        t.wait_for("Liam Kelly")
        t.send("o")
        screen = t.wait_for("Subscription invoices and payments")
        self.assertIn("Coworking ×1 · 30.00 USD · active", screen)
        self.assertRegex(screen, r"invoice\s+30\.00 USD\s+paid\s+" + invoice)
        self.assertRegex(screen, r"payment\s+30\.00 USD\s+succeeded\s+pi_")
        t.send("Escape")
        t.wait_for("Clients · Services · Staff")

    def test_subscribe_client_without_card_gets_setup_link(self):
        self.plan()
        _, cus = self.client("Jose Nunez", card=None)
        t = self.tui()
        self.pick_client(t, "jose", "Jose Nunez")
        t.send("C-s")
        t.wait_for("Subscribe this client?")
        t.send("y")
        screen = t.wait_for("has no saved card", timeout=15)
        self.assertIn("Save a card for next time · link open", screen)
        session = [r for r in self.fake.requests(method="POST",
                                                 path_prefix="/v1/checkout/sessions")
                   if r["path"] == "/v1/checkout/sessions"]
        self.assertEqual(session[0]["params"]["mode"], "setup")
        url = self.api("GET", "/v1/checkout/sessions", {"limit": 1})["data"][0]["url"]
        self.assertIn(url[:60], screen)
        self.assertEqual(self.stripe_subs(cus), [])  # nothing was subscribed
        # A phone scans it: the QR code shows once the terminal has room for it.
        t.resize(100, 40)
        t.wait_for("[▀▄█]{7}", regex=True)
        t.resize(80, 24)
        screen = t.wait_for("Q: the QR code on the whole screen")
        # At 80x24 the whole URL is there, wrapped; Q gives its QR code the screen.
        rows = screen.split("\n")
        start = next(i for i, r in enumerate(rows) if "https://" in r)
        joined = rows[start][rows[start].index("https://"):].rstrip()
        joined += "".join(r.strip() for r in rows[start + 1:])
        self.assertTrue(joined.startswith(url), joined)
        t.send("Q")
        t.wait_for("any other key: back")
        modules, used = decode(cells(t.screen(colours=True)))
        self.assertEqual(modules, qr_matrix(url))
        t.send("q")  # any key: back (not quit)
        t.wait_for("Q: the QR code on the whole screen")
        # Back to the form as it was typed; emailed invoices need no card.
        t.send("Escape")
        screen = t.wait_for("Subscribe a client")
        self.assertIn("Jose Nunez", screen)
        for _ in range(4):
            t.send("Tab")  # from Plan to Collection
        t.send("Space")
        t.wait_for("< email an invoice >")
        t.send("C-s")
        screen = t.wait_for("Subscribe this client?")
        self.assertIn("invoices emailed, due in 30 days", screen)
        t.send("y")
        screen = t.wait_for("First invoice", timeout=15)
        self.assertIn("invoices emailed", screen)
        [sub] = self.stripe_subs(cus)
        self.assertEqual(sub["collection_method"], "send_invoice")
        self.assertEqual(sub["days_until_due"], 30)

    def test_bad_input_is_kept_and_explained(self):
        self.plan()
        self.client("Ada Byron")
        t = self.tui()
        self.pick_client(t, "ada", "Ada Byron")
        t.send("Tab", "Tab")  # to Trial
        t.send("Space")  # N days
        t.send("Tab")
        t.type("soon")
        t.send("Tab")
        t.wait_for("days (such as 14) or a date (YYYY-MM-DD)")
        t.send("C-s")
        screen = t.wait_for("Trial days or end: days")
        self.assertIn("soon", screen)  # what was typed stays
        self.assertIn("Ada Byron", screen)
        t.send("C-u")  # the focus is on the field in error
        t.type("800")
        t.send("C-s")
        t.wait_for("not sent: trial: 1 to 730 days")
        self.assertEqual([r for r in self.fake.requests(method="POST")
                          if r["path"] == "/v1/subscriptions"], [])

    # -- change ----------------------------------------------------------------------------

    def test_change_quantity_shows_proration_preview(self):
        plan_id, _ = self.plan("Desk rental", "20")
        cid, cus = self.client("Emma Stone")
        self.paydesk("subscriptions", "subscribe", "--client", str(cid), "--plan", str(plan_id),
                     check=0)
        t = self.tui()
        t.wait_for(r"Emma Stone\s+Desk rental\s+active", regex=True)
        t.send("e")
        t.wait_for("Change plan or quantity")
        t.wait_for("Emma Stone · Desk rental ×1 · 20.00 USD")
        t.send("C-u")
        t.type("3")
        t.send("Enter")
        screen = t.wait_for("Change the subscription?", timeout=15)
        self.assertIn("Proration preview: the next invoice asks", screen)
        self.assertIn("Change to the same plan ×3", screen)
        previews = self.fake.requests(method="GET", path_prefix="/v1/invoices/upcoming")
        items = previews[-1]["params"]["subscription_items"]
        first = items[0] if isinstance(items, list) else items["0"]
        self.assertEqual(str(first["quantity"]), "3")
        self.assertEqual(self.stripe_subs(cus)[0]["items"]["data"][0]["quantity"], 1)
        t.send("y")
        t.wait_for("Subscription changed", timeout=15)
        self.assertEqual(self.stripe_subs(cus)[0]["items"]["data"][0]["quantity"], 3)
        t.send("Escape")
        t.wait_for(r"Emma Stone\s+Desk rental\s+active\s+60\.00 USD", regex=True)

    # -- plans -----------------------------------------------------------------------------

    def test_create_and_archive_plan_in_plans_view(self):
        t = self.tui()
        t.send("v")
        t.wait_for("No plans: n creates one")
        t.send("n")
        t.wait_for("New plan")
        t.type("Mailbox rental")
        t.send("Tab")
        t.type("A street address")
        t.send("Tab")
        t.type("mail scanning, 1 box")
        t.send("Tab")
        t.type("50 items a month")
        t.send("Tab")
        t.type("180.555")  # 180555 or 180.555? USD has 2 decimals: refused, both shown
        t.send("Tab", "Tab")  # currency as configured
        t.send("Space")  # month -> year
        t.wait_for("< year >")
        t.send("C-s")
        # said when the plan's currency is known; the focus moves to the field in error
        screen = t.wait_for("not sent: amount: '180.555' is ambiguous: type 180555 for "
                            "180,555.00 USD")
        self.assertIn("Mailbox rental", screen)  # kept
        self.assertIn("180.555", screen)
        t.send("C-u")
        t.type("180")
        t.send("C-s")
        screen = t.wait_for("Create this plan?")
        self.assertIn("180.00 USD", screen)
        self.assertIn("billed every year", screen)
        t.send("y")
        t.wait_for(r"Mailbox rental\s+180\.00 USD every year", regex=True, timeout=15)
        products = self.api("GET", "/v1/products", {"limit": 10})["data"]
        [prod] = [p for p in products if p["name"] == "Mailbox rental"]
        self.assertEqual(prod["metadata"]["features"], "mail scanning, 1 box")
        self.assertEqual(prod["metadata"]["limits"], "50 items a month")
        self.assertTrue(prod["active"])
        price = self.api("GET", f"/v1/prices/{prod['default_price']}")
        self.assertEqual((price["unit_amount"], price["recurring"]["interval"]), (18000, "year"))
        t.send("a")
        t.wait_for("Archive the plan?")
        t.send("y")
        t.wait_for("(archived)", timeout=15)
        self.assertFalse(self.api("GET", f"/v1/products/{prod['id']}")["active"])
        t.send("q")
        t.exit_status()
        actions = [r[0] for r in self.sql("SELECT action FROM audit_log ORDER BY id")]
        self.assertIn("plan.create", actions)
        self.assertIn("plan.archive", actions)

    # -- billing off -----------------------------------------------------------------------

    def test_billing_off_refuses_new_actions(self):
        plan_id, _ = self.plan()
        cid, _ = self.client("Bjorn Strom")
        self.paydesk("subscriptions", "subscribe", "--client", str(cid), "--plan", str(plan_id),
                     check=0)
        self.sql("UPDATE settings SET value = 'off' WHERE key = 'bill_with_stripe'")
        before = len(self.fake.requests(method="POST"))
        # A notice stays a few seconds: one session per view, so each refusal is seen anew.
        for view_key, keys in (("", (("n", "Subscribe a client"),
                                     ("e", "Change plan or quantity"))),
                               ("v", (("n", "New plan"), ("e", "Edit plan"),
                                      ("a", "Archive the plan?")))):
            t = self.tui()
            t.wait_for("Bjorn Strom")
            # The whole explanation is on the screen, above the list.
            t.wait_for("Bill clients with Stripe is off (Setup tab): subscriptions cannot be"
                       " changed")
            if view_key:
                t.send(view_key)
                t.wait_for("Monthly membership")
            self.assertNotIn("Bill clients with", t.screen().rstrip("\n").splitlines()[-1])
            for key, view in keys:
                t.send(key)
                self.refused(t)
                time.sleep(0.2)
                self.assertNotIn(view, t.screen())
            t.send("q")
            t.exit_status()
        self.assertEqual(len(self.fake.requests(method="POST")), before)

    # -- memory ----------------------------------------------------------------------------

    @unittest.skipIf(os.environ.get("PAYDESK_SANITIZED"), "sanitizer build: ASan checks it")
    @unittest.skipIf(shutil.which("valgrind") is None, "valgrind is not installed")
    def test_forms_under_valgrind(self):
        """Every form, dialog and job of the tab leaks nothing and touches no bad memory."""
        plan_id, _ = self.plan()
        cid, _ = self.client("Emma Stone")
        self.paydesk("subscriptions", "subscribe", "--client", str(cid), "--plan", str(plan_id),
                     check=0)
        self.client("Jose Nunez", card=None)
        self.client("Zoe Muller")
        log = os.path.join(self.home.path, "valgrind.log")
        argv = ["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
                "--log-file=" + log, paydesk_bin(), "--screen", "subscriptions"]
        slow = 60
        t = Terminal(argv, 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("Emma Stone", timeout=slow)
        t.send("n")
        t.wait_for("Subscribe a client", timeout=slow)
        t.type("jose")
        t.wait_for("> Jose Nunez", timeout=slow)
        t.send("Tab", "C-s")
        t.wait_for("Subscribe this client?", timeout=slow)
        t.send("y")
        t.wait_for("has no saved card", timeout=slow)
        t.send("Escape")
        t.wait_for("once the card is saved", timeout=slow)
        t.send("Escape")
        t.wait_for("Discard the form?", timeout=slow)
        t.send("y")
        t.wait_for("n subscribe", timeout=slow)
        t.send("g", "e")
        t.wait_for("Change plan or quantity", timeout=slow)
        t.send("C-u")
        t.type("2")
        t.send("Enter")
        t.wait_for("Change the subscription?", timeout=slow)
        t.send("y")
        t.wait_for("Subscription changed", timeout=slow)
        t.send("Escape", "x")
        t.wait_for("Cancel at period end?", timeout=slow)
        t.send("y")
        t.wait_for("active*", timeout=slow)
        t.send("v", "n")
        t.wait_for("New plan", timeout=slow)
        t.type("Gold")
        t.send("Tab", "Tab", "Tab", "Tab")
        t.type("10")
        t.send("C-s")
        t.wait_for("Create this plan?", timeout=slow)
        t.send("y")
        t.wait_for(r"Gold\s+10\.00 USD", regex=True, timeout=slow)
        t.send("e")
        t.wait_for("Edit plan", timeout=slow)
        t.send("C-s")
        t.wait_for("Save the plan?", timeout=slow)
        t.send("y")
        t.wait_gone("Edit plan", timeout=slow)
        t.send("a")
        t.wait_for("Archive the plan?", timeout=slow)
        t.send("y")
        t.wait_for("(archived)", timeout=slow)
        t.send("2", "o")
        t.wait_for("Subscription invoices and payments", timeout=slow)
        t.send("Escape", "q")
        # On a slow machine a job the opened client started (a read) may still
        # run: q then asks first, and the answer is yes.
        deadline = time.monotonic() + slow
        while time.monotonic() < deadline:
            if "Quit paydesk?" in t.screen():
                t.send("y")
                break
            try:
                t.exit_status(timeout=0.2)
                break
            except ScreenTimeout:
                pass
        self.assertEqual(t.exit_status(timeout=slow), 0)
        with open(log) as f:
            report = f.read()
        self.assertRegex(report, r"ERROR SUMMARY: 0 errors", report[-3000:])
        m = re.search(r"definitely lost: ([\d,]+) bytes", report)
        self.assertTrue(m is None or m.group(1) == "0", report[-3000:])


if __name__ == "__main__":
    unittest.main()
