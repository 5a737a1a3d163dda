"""Express accounts (Connect) against the fake Stripe: create, onboard on a
phone (URL + QR), poll until ready, then every call carries Stripe-Account."""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from fakeclient import FakeStripe  # noqa: E402
from tmuxharness import Home, Terminal, paydesk_bin  # noqa: E402

PLATFORM = "acct_1FakePlatform000"
PASS = "platform admin passphrase"
KEY = "rk_test_51PlatformConnectKey000000"
PERMISSIONS = {name: "write" for name in (
    "charges", "customers", "payment_methods", "payment_intents", "setup_intents", "sources",
    "tokens", "products", "prices", "subscriptions", "invoices", "checkout_sessions", "refunds",
    "terminal_readers", "connect")}
PERMISSIONS.update({"balance": "read", "balance_transactions": "read", "events": "read",
                    "account": "read"})


class ConnectTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.fake.add_key(KEY, permissions=PERMISSIONS, account=PLATFORM)
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**os.environ, **self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
                    "PAYDESK_PASSPHRASE": PASS}
        out = self.paydesk("setup", "--account", PLATFORM, stdin=KEY + "\n")
        self.assertEqual(out.returncode, 0, out.stderr)

    def paydesk(self, *args, stdin=""):
        return subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                              text=True, env=self.env, timeout=60)

    def test_express_onboarding_then_calls_carry_stripe_account(self):
        out = self.paydesk("connect", "express", "--email", "owner@harbour.example")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("created Express account acct_", out.stdout)
        self.assertIn("onboarding link (open it on a phone): https://", out.stdout)
        acct = out.stdout.split("created Express account ")[1].split(";")[0]
        created = [r for r in self.fake.requests(method="POST", path_prefix="/v1/accounts")]
        self.assertEqual(created[0]["params"]["type"], "express")

        out = self.paydesk("connect", "status")
        self.assertEqual(out.returncode, 1)
        self.assertIn(f"account {acct} owner@harbour.example: details not submitted", out.stdout)
        out = self.paydesk("connect", "login-link")
        self.assertEqual(out.returncode, 1)  # no dashboard before onboarding is submitted

        self.fake.control("POST", f"/accounts/{acct}/onboarding", {"complete": True})
        out = self.paydesk("connect", "status", "--wait", "5")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("details submitted, charges enabled", out.stdout)

        self.fake.clear_requests()
        out = self.paydesk("doctor", "--json")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn('"check": "Acting for connected account"', out.stdout)
        calls = self.fake.requests()
        acting = [r for r in calls if r["stripe_account"] == acct]
        # Every probe and the account read act for the Express account; only the
        # key's own identity check goes to the platform.
        self.assertEqual(len(calls) - len(acting), 1)
        self.assertGreater(len(acting), 15)

        out = self.paydesk("connect", "login-link")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Express dashboard: https://", out.stdout)

        out = self.paydesk("connect", "unlink")
        self.assertEqual(out.returncode, 0)
        self.fake.clear_requests()
        self.assertEqual(self.paydesk("doctor").returncode, 0)
        self.assertFalse([r for r in self.fake.requests() if r["stripe_account"]])

        out = self.paydesk("audit", "verify")
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_setup_screen_express_panel_onboards_with_qr(self):
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
               "PAYDESK_PASSPHRASE": PASS}
        with Terminal([paydesk_bin(), "--screen", "setup"], 100, 40, env=env) as t:
            t.wait_for("Connected:")
            t.send("X")
            t.wait_for("None: payments go to the platform account")
            t.send("c")
            t.type("owner@harbour.example")
            t.send("Enter")
            screen = t.wait_for("One-time link, valid until")
            self.assertIn("https://", screen)
            self.assertIn("\u2588", screen)  # the QR code's blocks
            acct = [r for r in self.fake.requests(method="POST", path_prefix="/v1/accounts")
                    if r["status"] == 200][0]
            created = json.loads(acct["response_body"])["id"] if "response_body" in acct \
                else None
            screen = t.wait_for(r"Acting for acct_\w+: details not submitted", regex=True)
            acct_id = screen.split("Acting for ")[1].split(":")[0]
            if created:
                self.assertEqual(acct_id, created)
            # The owner finishes on their phone; the panel notices by itself.
            self.fake.control("POST", f"/accounts/{acct_id}/onboarding", {"complete": True})
            t.wait_for("Express account ready", timeout=15)
            t.wait_for("details submitted, charges on")
            t.send("c")  # a second account would silently replace this one
            t.wait_for(f"already acting for {acct_id}: u unlinks it first")
            t.send("u")
            t.wait_for("Stop acting for the Express account?")
            t.send("y")
            t.wait_for("None: payments go to the platform account")
            t.send("Escape", "q")
            self.assertEqual(t.exit_status(), 0)
        out = self.paydesk("audit", "verify")
        self.assertEqual(out.returncode, 0)

    def test_link_existing_and_unknown_account(self):
        made = self.fake.api("POST", "/v1/accounts", {"type": "express"}, key=KEY).json()
        out = self.paydesk("connect", "link", made["id"])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(f"paydesk now acts for {made['id']}", out.stdout)
        out = self.paydesk("connect", "link", "acct_1NobodyKnowsThis", "--replace")
        self.assertEqual(out.returncode, 1)
        self.assertIn("the platform cannot see account acct_1NobodyKnowsThis", out.stderr)
        self.assertEqual(self.paydesk("connect", "link", "not-an-id").returncode, 2)
        self.assertEqual(self.paydesk("connect", "frobnicate").returncode, 2)

    def accounts_created(self):
        return [r for r in self.fake.requests(method="POST", path_prefix="/v1/accounts")
                if r["path"] == "/v1/accounts"]

    def test_express_twice_or_a_bad_email_is_refused(self):
        for bad in ("not-an-email", "owner@", "a b@example.com", "owner@example"):
            out = self.paydesk("connect", "express", "--email", bad)
            self.assertEqual(out.returncode, 2, (bad, out.stdout, out.stderr))
            self.assertIn("does not look like an address", out.stderr)
        self.assertEqual(self.accounts_created(), [])  # nothing sent to Stripe

        out = self.paydesk("connect", "express", "--email", "owner@harbour.example")
        self.assertEqual(out.returncode, 0, out.stderr)
        first = out.stdout.split("created Express account ")[1].split(";")[0]
        out = self.paydesk("connect", "express", "--email", "owner@harbour.example")
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn(f"paydesk already acts for {first}", out.stderr)
        self.assertIn("--replace", out.stderr)
        self.assertEqual(len(self.accounts_created()), 1)
        other = self.fake.api("POST", "/v1/accounts", {"type": "express"}, key=KEY).json()["id"]
        out = self.paydesk("connect", "link", other)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn(f"paydesk already acts for {first}", out.stderr)
        out = self.paydesk("connect", "status")
        self.assertIn(f"account {first}", out.stdout)  # still the first
        self.assertEqual(self.paydesk("connect", "link", first).returncode, 0)  # same: fine
        # on purpose
        out = self.paydesk("connect", "link", other, "--replace")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(f"paydesk now acts for {other}", out.stdout)
        out = self.paydesk("connect", "express", "--replace")
        self.assertEqual(out.returncode, 0, out.stderr)
        third = out.stdout.split("created Express account ")[1].split(";")[0]
        self.assertNotIn(third, (first, other))


if __name__ == "__main__":
    unittest.main()
