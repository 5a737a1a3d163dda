"""Desks that unlock themselves, against the fake Stripe: an enrolled desk
syncs from "cron" with no secret in its environment and opens the TUI without
the passphrase; a copy of the database in another home cannot open the key; a
key file others can read is refused with the chmod to run; a revoked desk asks
for the passphrase again (and its stale key file says so); a changed
passphrase still unlocks and the desk keeps working."""
import os
import shutil
import sqlite3
import stat
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from stripecase import ConnectedCase  # noqa: E402
from tmuxharness import Home, Terminal, paydesk_bin  # noqa: E402

SECRETS = ("PAYDESK_PASSPHRASE", "PAYDESK_NEW_PASSPHRASE", "PAYDESK_PIN", "PAYDESK_SIGN_IN")


class DeskSlots(ConnectedCase):
    PASSPHRASE = "desk slots admin passphrase"
    SEED = {"generate": {"payments": 40, "seed": 11}}

    def setUp(self):
        for name in SECRETS:  # nothing from the runner's environment leaks in
            if name in os.environ:
                self.addCleanup(os.environ.__setitem__, name, os.environ.pop(name))
        super().setUp()
        self.key_file = os.path.join(self.home.env["XDG_CONFIG_HOME"], "paydesk", "desk.key")

    def cron(self, *args, home=None):
        """A command as cron runs it: the home's paths, no secret at all."""
        env = {k: v for k, v in (home or self.home).env.items() if k not in SECRETS}
        env["PAYDESK_API_BASE"] = self.fake.base_url
        return self.paydesk_env(env, *args)

    def paydesk_env(self, env, *args, stdin=""):
        import subprocess
        return subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                              text=True, env=env, timeout=120)

    def enrol(self, name="front desk"):
        out = self.paydesk("desk", "enrol", "--name", name, check=0)
        self.assertIn(f"enrolled this desk as '{name}'", out.stdout)
        return out

    def list_requests(self):
        return len(self.fake.requests(method="GET", path_prefix="/v1/payment_intents"))

    def test_enrolled_desk_syncs_from_cron_without_a_secret(self):
        out = self.cron("sync")
        self.assertEqual(out.returncode, 2, out.stderr)  # not enrolled: the passphrase is asked
        self.assertIn("PAYDESK_PASSPHRASE", out.stderr)
        self.assertIn("paydesk desk enrol", out.stderr)
        self.assertEqual(self.list_requests(), 0)

        self.enrol()
        mode = stat.S_IMODE(os.stat(self.key_file).st_mode)
        self.assertEqual(mode, 0o600)
        with open(self.key_file) as f:
            text = f.read()
        self.assertNotIn(self.KEY, text)
        out = self.cron("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertGreater(self.list_requests(), 0)
        self.assertEqual(self.query("SELECT count(*) FROM history WHERE type = 'payment'")[0][0],
                         40)
        # The desk key opens the vault but proves no admin: commands whose only
        # admin proof is the passphrase still ask for it, and so do desk ones.
        before = len(self.fake.requests())
        for argv in (("plans", "sync"), ("connect", "status"), ("desk", "list")):
            out = self.cron(*argv)
            self.assertNotEqual(out.returncode, 0, argv)
            self.assertIn("passphrase", out.stderr)
        self.assertEqual(len(self.fake.requests()), before)
        listed = self.paydesk("desk", "list", check=0).stdout
        self.assertRegex(listed, r"front desk .*\(this desk\)")
        self.assertEqual(self.query("SELECT count(*) FROM vault_slot WHERE kind = 'desk'"
                                    " AND last_used_at > 0")[0][0], 1)
        # Enrolment is audited under the admin who proved it.
        self.assertEqual(self.query("SELECT count(*) FROM audit_log WHERE action ="
                                    " 'vault.desk_enrol'")[0][0], 1)

    def test_enrolled_desk_opens_the_tui_without_the_passphrase(self):
        self.enrol()
        env = {k: v for k, v in self.home.env.items() if k not in ("PAYDESK_PASSPHRASE",)}
        env["PAYDESK_API_BASE"] = self.fake.base_url
        with Terminal([paydesk_bin(), "--screen", "setup"], 100, 30, env=env) as t:
            screen = t.wait_for("Connected:")
            self.assertNotIn("Vault locked", screen)
            self.assertNotIn("read-only", screen)
            t.send("L")  # a sign-in now is written with the vault open
            t.type("Alex")
            t.send("Enter")
            t.type("2468")
            t.send("Enter")
            t.wait_for("signed in as Alex")
            t.send("q")
            self.assertEqual(t.exit_status(timeout=20), 0)
        # The desk-unlocked paydesk held the audit key: its sign-in was keyed
        # (and sealed the one made before the vault opened).
        self.assertEqual(self.query("SELECT count(*) FROM audit_log WHERE action ="
                                    " 'user.sign_in' AND keyed = 1")[0][0], 1)
        self.assertEqual(self.query("SELECT count(*) FROM audit_log WHERE mac IS NULL AND"
                                    " id >= (SELECT epoch_start FROM audit_head)")[0][0], 0)
        out = self.paydesk("audit", "verify", check=0)
        self.assertNotIn("not sealed", out.stdout)

    def test_key_file_elsewhere_from_the_config(self):
        elsewhere = os.path.join(self.home.path, "keys", "front.key")
        os.makedirs(os.path.join(self.home.env["XDG_CONFIG_HOME"], "paydesk"), exist_ok=True)
        with open(os.path.join(self.home.env["XDG_CONFIG_HOME"], "paydesk", "config"), "w") as f:
            f.write(f"[vault]\ndesk_key = {elsewhere}\n")
        out = self.enrol()
        self.assertIn(elsewhere, out.stdout)
        self.assertFalse(os.path.exists(self.key_file))
        self.assertEqual(stat.S_IMODE(os.stat(elsewhere).st_mode), 0o600)
        out = self.cron("sync")
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_a_pin_never_unlocks_the_vault(self):
        # Not enrolled, no passphrase given: an admin's PIN signs in, and the
        # vault still asks for the passphrase (a PIN falls to offline guessing).
        env = {k: v for k, v in self.home.env.items() if k != "PAYDESK_PASSPHRASE"}
        env["PAYDESK_API_BASE"] = self.fake.base_url
        with Terminal([paydesk_bin()], 100, 30, env=env) as t:
            t.wait_for("Vault locked")
            t.wait_for("Enter the admin passphrase to use Stripe.")
            t.send("Escape")
            t.wait_for("read-only: local data only")
            t.send("q")
            self.assertEqual(t.exit_status(timeout=20), 0)
        env = {**env, "PAYDESK_PIN": "2468"}
        out = self.paydesk_env({k: v for k, v in env.items() if k != "PAYDESK_SIGN_IN"}, "sync")
        self.assertEqual(out.returncode, 2)
        self.assertIn("give the vault passphrase", out.stderr)

    def test_database_copied_to_another_home_cannot_open_the_key(self):
        self.enrol()
        other = Home()
        self.addCleanup(other.close)
        os.makedirs(os.path.dirname(other.db))
        src = sqlite3.connect(self.home.db)
        dst = sqlite3.connect(other.db)
        src.backup(dst)
        src.close()
        dst.close()
        before = len(self.fake.requests())
        out = self.cron("sync", home=other)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("give the vault passphrase", out.stderr)
        out = self.cron("doctor", home=other)
        self.assertNotEqual(out.returncode, 0)
        self.assertEqual(len(self.fake.requests()), before)  # the key never reached Stripe
        # (Copied along with it, this desk's key file would open it: the file is
        # the secret, as an ssh key is. test_desk.c: another database's file is
        # not tried.) The passphrase still opens the copy: it is the recovery path.
        env = {**other.env, "PAYDESK_API_BASE": self.fake.base_url,
               "PAYDESK_PASSPHRASE": self.PASSPHRASE}
        out = self.paydesk_env(env, "sync")
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_key_file_readable_by_others_is_refused(self):
        self.enrol()
        os.chmod(self.key_file, 0o644)
        out = self.cron("sync")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn(f"chmod 600 {self.key_file}", out.stderr)
        self.assertIn("mode 0644", out.stderr)
        self.assertEqual(self.list_requests(), 0)
        os.chmod(self.key_file, 0o600)
        out = self.cron("sync")
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_revoked_desk_asks_for_the_passphrase(self):
        self.enrol()
        stale = os.path.join(self.home.path, "stale.key")
        shutil.copy2(self.key_file, stale)
        out = self.paydesk("desk", "revoke", "front desk", check=0)
        self.assertIn("this desk; its key file is removed", out.stdout)
        self.assertFalse(os.path.exists(self.key_file))
        out = self.cron("sync")
        self.assertEqual(out.returncode, 2)
        self.assertIn("give the vault passphrase", out.stderr)
        # A desk revoked from elsewhere still has its file: it is told, not crashed.
        shutil.copy2(stale, self.key_file)
        out = self.cron("sync")
        self.assertEqual(out.returncode, 1)
        self.assertIn("this desk was revoked", out.stderr)
        self.assertEqual(self.list_requests(), 0)
        tui = {k: v for k, v in self.home.env.items() if k != "PAYDESK_PASSPHRASE"}
        with Terminal([paydesk_bin()], 80, 24, env={**tui, "PAYDESK_API_BASE":
                                                    self.fake.base_url}) as t:
            t.wait_for("This desk's key was not used (below): enter the passphrase.")
            t.wait_for("this desk was revoked: enter the passphrase")
            t.send("Escape")
            t.send("q")
            self.assertEqual(t.exit_status(timeout=20), 0)
        out = self.paydesk("sync")  # with the passphrase: works, and says why it asked
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("warning: this desk was revoked", out.stderr)
        self.assertEqual(self.query("SELECT count(*) FROM audit_log WHERE action ="
                                    " 'vault.desk_revoke'")[0][0], 1)
        self.assertIn("no desk is enrolled", self.paydesk("desk", "list", check=0).stdout)

    def test_staff_cannot_manage_desks(self):
        self.paydesk("users", "add", "--name", "Alex", "--role", "admin", stdin="2468\n",
                     check=0)
        env = {**self.env, "PAYDESK_PIN": "2468"}
        out = self.paydesk_env({**os.environ, **env}, "users", "add", "--name", "Sam",
                               "--role", "staff", "--as", "Alex", stdin="1357\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        env = {k: v for k, v in self.env.items() if k != "PAYDESK_PASSPHRASE"}
        out = self.paydesk_env({**env, "PAYDESK_PIN": "1357"}, "desk", "enrol", "--as", "Sam")
        self.assertEqual(out.returncode, 1)
        self.assertIn("only an admin", out.stderr)
        self.assertFalse(os.path.exists(self.key_file))
        # An admin by PIN, with the passphrase to open the vault.
        out = self.paydesk_env({**self.env, "PAYDESK_PIN": "2468"}, "desk", "enrol", "--as",
                               "Alex", "--name", "till")
        self.assertEqual(out.returncode, 0, out.stderr)
        out = self.paydesk_env({**env, "PAYDESK_PIN": "1357"}, "desk", "revoke", "till", "--as",
                               "Sam")
        self.assertEqual(out.returncode, 1)
        self.assertIn("only an admin", out.stderr)
        self.assertEqual(self.query("SELECT actor FROM audit_log WHERE action ="
                                    " 'vault.desk_enrol'"), [("Alex",)])

    def test_changed_passphrase_still_unlocks_and_desks_keep_working(self):
        self.enrol()
        new = "a brand new admin passphrase"
        env = {**self.env, "PAYDESK_NEW_PASSPHRASE": new}
        out = self.paydesk_env(env, "passphrase")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("vault passphrase changed", out.stdout)
        self.assertEqual(self.query("SELECT count(*) FROM audit_log WHERE action ="
                                    " 'vault.passphrase_change'")[0][0], 1)
        out = self.cron("sync")  # the desk slot was not touched
        self.assertEqual(out.returncode, 0, out.stderr)
        os.rename(self.key_file, self.key_file + ".aside")  # now only passphrases
        out = self.paydesk("sync")  # the old one
        self.assertEqual(out.returncode, 1)
        self.assertIn("wrong passphrase", out.stderr)
        out = self.paydesk_env({**self.env, "PAYDESK_PASSPHRASE": new}, "sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        # The old one cannot change it back; the same one twice is refused.
        out = self.paydesk_env({**self.env, "PAYDESK_NEW_PASSPHRASE": "yet another passphrase"},
                               "passphrase")
        self.assertEqual(out.returncode, 1)
        self.assertIn("wrong passphrase", out.stderr)
        out = self.paydesk_env({**self.env, "PAYDESK_PASSPHRASE": new,
                                "PAYDESK_NEW_PASSPHRASE": new}, "passphrase")
        self.assertEqual(out.returncode, 2)
        self.assertIn("nothing changed", out.stderr)

    def test_setup_tab_enrols_after_unlocking(self):
        # Started without the passphrase (skipped: read-only), the admin enrols
        # from Setup: the passphrase is asked first, then the confirmation.
        env = {k: v for k, v in self.home.env.items() if k != "PAYDESK_PASSPHRASE"}
        env["PAYDESK_API_BASE"] = self.fake.base_url
        with Terminal([paydesk_bin(), "--screen", "setup"], 100, 32, env=env) as t:
            t.wait_for("Vault locked")
            t.send("Escape")
            t.wait_for("D desks")
            t.send("D")
            t.wait_for("This desk is not enrolled")
            t.send("e")
            t.wait_for("Desk name")
            t.send("Enter")
            t.wait_for("Unlock the vault to enrol this desk.")
            t.type(self.PASSPHRASE)
            t.send("Enter")
            t.wait_for("Enrol this desk as", timeout=20)
            t.send("y")
            t.wait_for("This desk is enrolled")
            t.send("q")
            self.assertEqual(t.exit_status(timeout=20), 0)
        out = self.cron("sync")
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_passphrase_asked_on_the_terminal(self):
        new = "typed at the terminal twice"
        env = {k: v for k, v in self.home.env.items() if k not in SECRETS}
        with Terminal([paydesk_bin(), "passphrase"], 80, 24, env=env) as t:
            t.wait_for("Current vault passphrase:")
            t.type(self.PASSPHRASE)
            t.send("Enter")
            t.wait_for("New vault passphrase:")
            t.type(new)
            t.send("Enter")
            t.wait_for("The new passphrase again:")
            t.type(new + "x")
            t.send("Enter")
            screen = t.wait_for("the two new passphrases differ")
            self.assertNotIn(new, screen)  # nothing typed is echoed
            self.assertEqual(t.exit_status(timeout=20), 2)
        with Terminal([paydesk_bin(), "passphrase"], 80, 24, env=env) as t:
            for prompt, text in (("Current vault passphrase:", self.PASSPHRASE),
                                 ("New vault passphrase:", new),
                                 ("The new passphrase again:", new)):
                t.wait_for(prompt)
                t.type(text)
                t.send("Enter")
            t.wait_for("vault passphrase changed", timeout=20)
            self.assertEqual(t.exit_status(timeout=20), 0)
        out = self.paydesk_env({**self.env, "PAYDESK_PASSPHRASE": new}, "sync")
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_setup_tab_enrols_changes_the_passphrase_and_revokes(self):
        new = "the passphrase set in Setup"
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
               "PAYDESK_PASSPHRASE": self.PASSPHRASE}
        with Terminal([paydesk_bin(), "--screen", "setup"], 100, 32, env=env) as t:
            t.wait_for("D desks")
            t.send("D")
            t.wait_for("This desk is not enrolled")
            t.send("e")
            t.wait_for("Desk name")
            t.send("C-u")
            t.type("counter")
            t.send("Enter")
            t.wait_for("Enrol this desk as 'counter'?")
            t.send("y")
            t.wait_for("enrolled this desk as 'counter'")
            screen = t.wait_for("This desk is enrolled")
            self.assertRegex(screen, r"counter .* this desk")
            self.assertTrue(os.path.exists(self.key_file))
            t.send("p")
            t.wait_for("New again")
            for text in ("not the passphrase", new, new):
                t.type(text)
                t.send("Enter")
            t.wait_for("wrong passphrase")  # nothing changed
            for text in (self.PASSPHRASE, new, new):
                t.type(text)
                t.send("Enter")
            # Two Argon2id derivations run on a worker: the screen says so meanwhile.
            t.wait_for("changing the passphrase…")
            t.wait_for("admin passphrase changed; enrolled desks still unlock", timeout=20)
            t.send("r")
            t.wait_for("Revoke desk 'counter' (this desk)?")
            t.send("y")
            t.wait_for("revoked 'counter' (this desk)")
            t.wait_for("No desk is enrolled")
            t.send("q")
            self.assertEqual(t.exit_status(timeout=20), 0)
        self.assertFalse(os.path.exists(self.key_file))
        actions = [a for (a,) in self.query("SELECT action FROM audit_log WHERE action LIKE"
                                            " 'vault.%' ORDER BY id")]
        self.assertEqual(actions, ["vault.desk_enrol", "vault.passphrase_change",
                                   "vault.desk_revoke"])
        self.assertEqual(self.query("SELECT DISTINCT actor FROM audit_log WHERE action LIKE"
                                    " 'vault.%'"), [("Alex",)])
        out = self.paydesk_env({**self.env, "PAYDESK_PASSPHRASE": new}, "sync")
        self.assertEqual(out.returncode, 0, out.stderr)


if __name__ == "__main__":
    unittest.main()
