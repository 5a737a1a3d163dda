"""Connecting a Stripe account, against the fake Stripe: `paydesk setup`,
`paydesk doctor`, and the Setup screen in tmux. The key must never appear
in the database, its WAL, the log, or on any captured screen."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
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
# Every permission paydesk needs, as the fake names them, and the row it shows:
# exactly what its calls use (src/app/*.c), nothing more.
PERMISSIONS = {
    "charges": "Read on Charges",
    "customers": "Write on Customers",
    "payment_methods": "Read on Payment Methods",
    "payment_intents": "Write on Payment Intents",
    "setup_intents": "Read on Setup Intents",
    "products": "Write on Products",
    "prices": "Write on Prices",
    "subscriptions": "Write on Subscriptions",
    "invoices": "Read on Invoices",
    "checkout_sessions": "Write on Checkout Sessions",
    "refunds": "Write on Refunds",
    "terminal_readers": "Write on Terminal",
    "balance_transactions": "Read on Balance Transactions",
    "events": "Read on Events",
    "disputes": "Read on Disputes",
}
READ_ONLY = {"charges", "payment_methods", "setup_intents", "invoices", "balance_transactions",
             "events", "disputes"}
# Without these paydesk works, and the checklist warns (sync skips that part).
OPTIONAL = {"disputes"}
# What some guides ask for and paydesk never uses: listed, never required.
NOT_NEEDED = ["Sources", "Tokens", "Balance", "Write on Charges"]


def full_permissions():
    return {name: ("read" if name in READ_ONLY else "write") for name in PERMISSIONS}


class SetupTest(unittest.TestCase):
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
        self.keys = []

    def key(self, name, permissions=None, account=ACCOUNT):
        """A restricted key registered on the fake with these permissions."""
        key = "rk_test_51" + name.ljust(24, "0")
        self.fake.add_key(key, permissions=permissions or full_permissions(), account=account)
        self.keys.append(key)
        return key

    def paydesk(self, *args, stdin="", env=None):
        return subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                              text=True, env={**self.env, **(env or {})}, timeout=60)

    def setup(self, key, *extra, env=None):
        return self.paydesk("setup", "--account", ACCOUNT, "--publishable", PK, *extra,
                            stdin=key + "\n", env=env)

    def assert_key_absent_from_files(self):
        db = self.home.db
        files = [db, db + "-wal", self.home.log]
        for path in files:
            if not os.path.exists(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            for key in self.keys:
                secret = key[len("rk_test_"):-4].encode()
                self.assertNotIn(secret, data, f"key bytes found in {path}")

    # -- headless setup and doctor ---------------------------------------------------------

    def test_setup_all_permissions_then_doctor_green(self):
        key = self.key("allperms")
        out = self.setup(key)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(f"saved: test account {ACCOUNT}, key rk_test_\u2026", out.stdout)
        self.assertIn("0 failing", out.stderr)
        doc = self.paydesk("doctor", "--json")
        self.assertEqual(doc.returncode, 0, doc.stdout + doc.stderr)
        report = json.loads(doc.stdout)
        self.assertTrue(report["ok"])
        self.assertEqual(report["account"], ACCOUNT)
        states = {c["check"]: c["state"] for c in report["checks"]}
        for row in PERMISSIONS.values():
            self.assertEqual(states.get(row), "ok", row)
        text = self.paydesk("doctor")
        self.assertEqual(text.returncode, 0)
        self.assertIn("Write on Payment Intents", text.stdout)
        self.assert_key_absent_from_files()
        # The sealed key is ciphertext in vault_secret, nowhere else.
        con = sqlite3.connect(self.home.db)
        hint = con.execute("SELECT key_hint FROM stripe_account").fetchone()[0]
        self.assertEqual(hint, "rk_test_\u2026" + key[-4:])
        con.close()

    def test_each_missing_permission_fails_exactly_its_row(self):
        for missing, row in PERMISSIONS.items():
            if missing in OPTIONAL:
                continue
            with self.subTest(missing=missing):
                perms = full_permissions()
                perms[missing] = "read" if missing not in READ_ONLY else "none"
                key = self.key("no" + missing.replace("_", "")[:20], perms)
                out = self.setup(key, "--json")
                self.assertEqual(out.returncode, 1, out.stderr)
                self.assertIn("not saved", out.stderr)
                report = json.loads(out.stdout)
                failing = [c for c in report["checks"] if c["state"] == "FAIL"]
                self.assertEqual([c["check"] for c in failing], [row])
                level = "Read" if missing in READ_ONLY else "Write"
                self.assertTrue(failing[0]["fix"].startswith(
                    f"give the key {level} on {row.split(' on ', 1)[1]}"), failing[0]["fix"])
        self.assertFalse(os.path.exists(self.home.db) and sqlite3.connect(self.home.db)
                         .execute("SELECT count(*) FROM stripe_account").fetchone()[0])

    def test_a_key_without_disputes_is_saved_with_a_warning(self):
        perms = full_permissions()
        del perms["disputes"]
        out = self.setup(self.key("nodisputes", perms), "--json")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        rows = {c["check"]: c for c in json.loads(out.stdout)["checks"]}
        self.assertEqual(rows["Read on Disputes"]["state"], "warn")
        self.assertIn("sync goes on without them", rows["Read on Disputes"]["fix"])

    def test_key_with_only_what_paydesk_uses_passes(self):
        # No Sources, no Tokens, no Balance; Read (not Write) where paydesk only reads.
        key = self.key("leastprivilege")
        out = self.setup(key, "--json")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        report = json.loads(out.stdout)
        self.assertEqual([c["check"] for c in report["checks"] if c["state"] == "FAIL"], [])
        doc = self.paydesk("doctor")
        self.assertEqual(doc.returncode, 0, doc.stdout + doc.stderr)
        for row in PERMISSIONS.values():
            self.assertRegex(doc.stdout, r"\n  ok +%s +allowed" % row)
        # The rest is named as not needed, with why, and costs nothing.
        notes = {c["check"]: c for c in json.loads(self.paydesk("doctor", "--json").stdout)
                 ["checks"] if c["state"] == "n/a"}
        self.assertEqual(sorted(notes), sorted("Not needed: " + n for n in NOT_NEEDED))
        self.assertIn("card numbers", notes["Not needed: Sources"]["detail"])
        self.assertIn("never", notes["Not needed: Balance"]["detail"])
        self.assertIn("n/a   Not needed: Tokens", doc.stdout)
        self.assertIn(", 0 failing, ", doc.stdout)

    def test_mismatched_account_id(self):
        key = self.key("otheracct", account=ACCOUNT)
        out = self.paydesk("setup", "--account", "acct_1SomeoneElse00", "--json",
                           stdin=key + "\n")
        self.assertEqual(out.returncode, 1)
        report = json.loads(out.stdout)
        row = [c for c in report["checks"] if c["check"] == "Account ID matches"][0]
        self.assertEqual(row["state"], "FAIL")
        self.assertIn(f"the key belongs to {ACCOUNT}, not acct_1SomeoneElse00", row["detail"])

    def test_live_test_mix_refused_before_any_call(self):
        self.fake.clear_requests()
        out = self.paydesk("setup", "--account", ACCOUNT, "--publishable",
                           "pk_live_51PaydeskLivePublishable0", stdin=self.key("mix") + "\n")
        self.assertEqual(out.returncode, 2)
        self.assertIn("the publishable key is a live key but the restricted key is a test key",
                      out.stderr)
        self.assertEqual(self.fake.requests(), [])

    def test_bad_shapes_refused(self):
        cases = [("acct_1FakePlatform000", "pk_test_x", "publishable key looks cut short"),
                 ("acc_123", PK, "an Account ID starts with acct_")]
        for account, pk, msg in cases:
            out = self.paydesk("setup", "--account", account, "--publishable", pk,
                               stdin="rk_test_51abcdefghijklmnopqrstuv\n")
            self.assertEqual(out.returncode, 2, out.stderr)
            self.assertIn(msg, out.stderr)
        out = self.setup(PK)  # a publishable key pasted as the secret
        self.assertEqual(out.returncode, 2)
        self.assertIn("that is a publishable key", out.stderr)
        out = self.setup("")
        self.assertEqual(out.returncode, 2)
        self.assertIn("no restricted key on standard input", out.stderr)

    def test_secret_key_needs_warning_and_live_needs_second_confirmation(self):
        sk = "sk_test_51PaydeskSecretKey000000"
        self.fake.add_key(sk, account=ACCOUNT)
        self.keys.append(sk)
        out = self.setup(sk)
        self.assertEqual(out.returncode, 2)
        self.assertIn("a restricted key (rk_…) is safer", out.stderr)
        out = self.setup(sk, "--allow-secret-key")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("warning: using a secret key", out.stderr)
        out = self.paydesk("setup", "--account", ACCOUNT, "--allow-secret-key",
                           stdin="sk_live_51PaydeskLiveSec00\n")
        self.assertEqual(out.returncode, 2)
        self.assertIn("confirm a second time", out.stderr)

    def test_wrong_passphrase(self):
        self.assertEqual(self.setup(self.key("wrongpass")).returncode, 0)
        out = self.paydesk("doctor", env={"PAYDESK_PASSPHRASE": "not the passphrase"})
        self.assertEqual(out.returncode, 1)
        self.assertIn("wrong passphrase", out.stderr)
        out = self.paydesk("doctor", env={"PAYDESK_PASSPHRASE": ""})
        self.assertEqual(out.returncode, 2)
        self.assertIn("--passphrase-fd", out.stderr)

    def test_passphrase_from_descriptor(self):
        r, w = os.pipe()
        os.write(w, (PASS + "\n").encode())
        os.close(w)
        env = {k: v for k, v in self.env.items() if k != "PAYDESK_PASSPHRASE"}
        out = subprocess.run([paydesk_bin(), "setup", "--account", ACCOUNT, "--passphrase-fd",
                              str(r)], input=self.key("viafd") + "\n", capture_output=True,
                             text=True, env=env, pass_fds=(r,), timeout=60)
        os.close(r)
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_rotate_verifies_new_key_first(self):
        old = self.key("oldkey")
        self.assertEqual(self.setup(old).returncode, 0)
        perms = full_permissions()
        perms["refunds"] = "read"
        bad = self.key("newbad", perms)
        out = self.setup(bad)
        self.assertEqual(out.returncode, 1)
        con = sqlite3.connect(self.home.db)
        self.assertEqual(con.execute("SELECT key_hint FROM stripe_account").fetchone()[0],
                         "rk_test_\u2026" + old[-4:])  # the old key is still the one in use
        good = self.key("newgood")
        self.assertEqual(self.setup(good).returncode, 0)
        self.assertEqual(con.execute("SELECT key_hint FROM stripe_account").fetchone()[0],
                         "rk_test_\u2026" + good[-4:])
        con.close()
        self.assertEqual(self.paydesk("doctor").returncode, 0)
        self.assert_key_absent_from_files()

    def test_doctor_with_a_vault_that_does_not_open_still_lists_the_desk(self):
        # Found by the tester: with a wrong passphrase doctor stopped at the error,
        # before the checklist, and said nothing of what it could not check.
        self.assertEqual(self.setup(self.key("wrongpass")).returncode, 0)
        out = self.paydesk("doctor", env={"PAYDESK_PASSPHRASE": "not the passphrase"})
        self.assertEqual(out.returncode, 1)
        self.assertIn("Database: ok", out.stdout)
        self.assertIn("Backup: WARNING never made", out.stdout)
        self.assertIn("Stripe: not checked:", out.stdout)
        self.assertIn("passphrase", out.stdout)
        self.assertRegex(out.stdout, r"4 checks, 0 failing, 2 warnings, 1 not checked\n$")

    def test_doctor_without_account_and_exit_codes(self):
        out = self.paydesk("doctor")
        self.assertEqual(out.returncode, 1)
        self.assertIn("no Stripe account is connected", out.stderr)
        self.assertEqual(self.paydesk("doctor", "--bogus").returncode, 2)
        self.assertEqual(self.setup(self.key("doctor")).returncode, 0)
        # Later the admin narrows the key in the Dashboard: doctor notices.
        perms = full_permissions()
        perms["payment_intents"] = "read"
        self.fake.add_key(self.keys[-1], permissions=perms, account=ACCOUNT)
        out = self.paydesk("doctor", "--json")
        self.assertEqual(out.returncode, 1)
        report = json.loads(out.stdout)
        self.assertFalse(report["ok"])
        self.assertEqual(report["failures"], 1)

    # -- the vault's KDF cost -----------------------------------------------------------------

    def stored_cost(self):
        con = sqlite3.connect(self.home.db)
        try:
            return con.execute("SELECT kdf_opslimit, kdf_memlimit FROM vault_slot"
                               " WHERE kind = 'passphrase'").fetchone()
        finally:
            con.close()

    def test_vault_made_at_the_default_cost_unless_the_harness_asks(self):
        # What a real admin gets: Argon2id over 256 MiB, 3 passes; doctor quiet.
        self.env.pop("PAYDESK_VAULT_KDF", None)
        self.assertEqual(self.setup(self.key("defaultcost")).returncode, 0)
        self.assertEqual(self.stored_cost(), (3, 256 << 20))
        out = self.paydesk("doctor")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertNotIn("Vault:", out.stdout)
        # The setting is read only when a vault is made: it never lowers an
        # existing vault's cost (rotating the key keeps the vault).
        self.assertEqual(self.setup(self.key("rotated"),
                                    env={"PAYDESK_VAULT_KDF": "interactive"}).returncode, 0)
        self.assertEqual(self.stored_cost(), (3, 256 << 20))

    def test_interactive_cost_for_tests_and_doctor_warns(self):
        out = self.setup(self.key("cheapcost"), env={"PAYDESK_VAULT_KDF": "interactive"})
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(self.stored_cost(), (2, 64 << 20))  # libsodium's floor
        out = self.paydesk("doctor")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)  # a warning only
        self.assertIn("Vault: warning: its key derivation costs less than paydesk's default "
                      "(Argon2id 2 passes over 64 MiB; the default is 3 over 256 MiB)",
                      out.stdout)
        self.assertIn("PAYDESK_VAULT_KDF=interactive", out.stdout)
        # --json keeps stdout one JSON document: the warning goes with the database part.
        out = self.paydesk("doctor", "--json")
        self.assertTrue(json.loads(out.stdout)["ok"])
        self.assertIn("Vault: warning", out.stderr)
        # A new passphrase is wrapped at the default cost: the warning goes.
        out = self.paydesk("passphrase", env={"PAYDESK_NEW_PASSPHRASE": PASS + " anew"})
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(self.stored_cost(), (3, 256 << 20))
        out = self.paydesk("doctor", env={"PAYDESK_PASSPHRASE": PASS + " anew"})
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertNotIn("Vault:", out.stdout)

    def test_unknown_vault_cost_refused(self):
        out = self.setup(self.key("badcost"), env={"PAYDESK_VAULT_KDF": "cheap"})
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
        self.assertIn('PAYDESK_VAULT_KDF must be "default" or "interactive"', out.stderr)
        con = sqlite3.connect(self.home.db)
        self.assertEqual(con.execute("SELECT count(*) FROM vault").fetchone()[0], 0)
        con.close()

    # -- the Setup screen -------------------------------------------------------------------

    def test_setup_screen_connect_verify_save_restart_unlock(self):
        key = self.key("screen")
        screens = []
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin(), "--screen", "setup"], 80, 24, env=env) as t:
            screens.append(t.wait_for("Not connected"))
            t.send("e")
            t.type(ACCOUNT)
            t.send("Enter")
            t.type(PK)
            t.send("Enter")
            t.type(key)
            screens.append(t.wait_for("\u2022" * 10))  # masked while typed
            t.send("Escape")
            t.send("v")
            screens.append(t.wait_for("0 failing"))
            t.send("s")
            screens.append(t.wait_for("Create the admin passphrase"))
            t.type("short")
            t.send("Enter")
            t.type("short")
            screens.append(t.wait_for("too short"))
            t.send("Enter")
            screens.append(t.wait_for("at least 10 characters"))
            t.type(PASS)
            t.send("Enter")
            t.type(PASS)
            t.send("Enter")
            screens.append(t.wait_for("saved: " + ACCOUNT))
            screens.append(t.wait_for(" TEST "))
            self.assertIn("Key rk_test_\u2026" + key[-4:], t.screen())
            t.send("q")
            self.assertEqual(t.exit_status(), 0)
        # Next start: the passphrase is asked; a wrong one is refused; skip works.
        with Terminal([paydesk_bin()], 80, 24, env=env) as t:
            screens.append(t.wait_for("Vault locked"))
            t.type("wrong passphrase!")
            t.send("Enter")
            screens.append(t.wait_for("wrong passphrase"))
            t.type(PASS)
            t.send("Enter")
            screens.append(t.wait_for("vault unlocked"))
            # Verify again with the saved key (the screen never opens it: the job
            # does) and save: the sealed key is re-sealed by app_setup_save.
            t.send("5")
            t.wait_for("Key rk_test_\u2026" + key[-4:])
            t.send("v")
            screens.append(t.wait_for("0 failing"))
            t.send("s")
            screens.append(t.wait_for("saved: " + ACCOUNT))
            t.send("q")
            self.assertEqual(t.exit_status(), 0)
        with Terminal([paydesk_bin()], 80, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.send("Escape")
            screens.append(t.wait_for("read-only"))
            t.send("q")
            self.assertEqual(t.exit_status(), 0)
        secret = key[len("rk_test_"):-4]
        for screen in screens:
            self.assertNotIn(secret, screen)
        self.assert_key_absent_from_files()

    def test_setup_screen_shows_failing_permission_with_fix(self):
        perms = full_permissions()
        perms["payment_intents"] = "read"
        key = self.key("screenfail", perms)
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin(), "--screen", "setup"], 120, 40, env=env) as t:
            t.wait_for("Not connected")
            t.send("e")
            t.type(ACCOUNT)
            t.send("Enter", "Enter")
            t.type(key)
            t.send("Escape", "v")
            screen = t.wait_for("1 failing")
            self.assertIn("give the key Write on Payment Intents", screen)
            t.send("s")
            t.wait_for("not saved: 1 check is failing")
            t.send("q")
            t.wait_for("Quit paydesk?")  # the form has unsaved changes
            t.send("y")
            self.assertEqual(t.exit_status(), 0)

    def test_quit_with_a_pending_job_asks_first(self):
        key = self.key("pending")
        # Permission answers come before faults, so slow down a probe the key passes.
        self.fake.add_fault("latency", ms=4000, path_prefix="/v1/balance", count=1)
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin(), "--screen", "setup"], 80, 24, env=env) as t:
            t.wait_for("Not connected")
            t.send("e")
            t.type(ACCOUNT)
            t.send("Enter", "Enter")
            t.type(key)
            t.send("Escape", "v")
            t.wait_for("1 job")  # the spinner in the status line
            t.send("q")
            screen = t.wait_for("Quit paydesk?")
            self.assertIn("1 job is still running", screen)
            t.send("n")
            t.wait_gone("Quit paydesk?")
            t.wait_for("0 failing", timeout=20)  # the job finished; the screen never froze
            t.send("q")
            t.wait_for("Quit paydesk?")  # still asks: the form has unsaved changes
            t.send("y")
            self.assertEqual(t.exit_status(), 0)

    def test_disconnect_wipes_key(self):
        self.assertEqual(self.setup(self.key("disc")).returncode, 0)
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin(), "--screen", "setup"], 80, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.type(PASS)
            t.send("Enter")
            t.wait_for("Connected:")
            t.send("x")
            t.wait_for("Disconnect Stripe?")
            # stray keys wipe nothing: Enter, y, a near miss
            for attempt in ("", "y", "disconect"):
                t.type(attempt)
                t.send("Enter")
                t.wait_for("type the word disconnect to wipe them")
                for _ in attempt:
                    t.send("BSpace")
            t.send("Escape")
            t.wait_gone("Disconnect Stripe?")
            self.assertIn("Connected:", t.screen())
            con = sqlite3.connect(self.home.db)
            self.assertEqual(con.execute("SELECT count(*) FROM vault").fetchone()[0], 1)
            con.close()
            t.send("x")
            t.wait_for("Disconnect Stripe?")
            t.type("disconnect")
            t.send("Enter")
            t.wait_for("disconnected")
            t.wait_for("NO ACCOUNT")
            t.send("q")
            self.assertEqual(t.exit_status(), 0)
        con = sqlite3.connect(self.home.db)
        self.assertEqual(con.execute("SELECT count(*) FROM vault_secret").fetchone()[0], 0)
        self.assertEqual(con.execute("SELECT count(*) FROM vault").fetchone()[0], 0)
        self.assertEqual(con.execute("SELECT count(*) FROM stripe_account").fetchone()[0], 0)
        actions = [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY id")]
        # The vault's audit key began the keyed log; headless setup, then the first
        # TUI start created its admin, who signed in. The wipe took the key's head.
        self.assertEqual(actions, ["audit.keyed", "stripe.connect", "user.add_admin",
                                   "user.sign_in", "stripe.disconnect"])
        self.assertEqual(con.execute("SELECT count(*) FROM audit_head").fetchone()[0], 0)
        con.close()
        out = self.paydesk("audit", "verify")
        self.assertEqual(out.returncode, 0)

    def test_disconnect_during_a_running_verify_stays_disconnected(self):
        self.assertEqual(self.setup(self.key("race")).returncode, 0)
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin(), "--screen", "setup"], 80, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.type(PASS)
            t.send("Enter")
            t.wait_for("Connected:")
            # every Stripe call now takes a second: the verify is still running
            self.fake.add_fault("latency", ms=1000, count=None)
            t.send("v")
            t.wait_for("verifying")
            t.send("x")
            t.wait_for("Disconnect Stripe?")
            t.type("disconnect")
            t.send("Enter")
            t.wait_for("NO ACCOUNT")
            self.fake.clear_faults()  # the old job, were it still running, ends now
            time.sleep(4)
            screen = t.screen()
            self.assertNotIn("verified", screen)
            self.assertNotIn("0 failing", screen)
            self.assertIn("press v to verify", screen)
            t.send("s")  # nothing of the wiped account counts as verified
            t.wait_for("verify first")
            self.assertIn("NO ACCOUNT", t.screen())
            t.send("q")
            self.assertEqual(t.exit_status(), 0)
        con = sqlite3.connect(self.home.db)
        self.assertEqual(con.execute("SELECT count(*) FROM stripe_account").fetchone()[0], 0)
        self.assertEqual(con.execute("SELECT count(*) FROM vault").fetchone()[0], 0)
        con.close()


if __name__ == "__main__":
    unittest.main()
