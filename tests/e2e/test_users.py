"""Users and roles in the terminal: first run creates the admin, the lock
screen, staff see no Setup, failed PINs slow down, idle auto-lock, and the
headless `paydesk users` for admins."""
import os
import sqlite3
import subprocess
import unittest

from tmuxharness import Home, Terminal, paydesk_bin


class Users(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        # These tests meet the lock screen themselves.
        self.env = {k: v for k, v in self.home.env.items()
                    if k not in ("PAYDESK_SIGN_IN", "PAYDESK_PIN")}

    def paydesk(self, *args, stdin="", env=None):
        return subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                              text=True, env={**os.environ, **self.env, **(env or {})},
                              timeout=60)

    def start(self, *args, env=None):
        t = Terminal([paydesk_bin(), *args], 80, 24, env={**self.env, **(env or {})})
        self.addCleanup(t.close)
        return t

    def sign_in(self, t, name, pin):
        t.type(name)
        t.send("Enter")
        t.type(pin)
        t.send("Enter")

    def test_first_run_creates_the_admin(self):
        t = self.start()
        screen = t.wait_for("Welcome to paydesk")
        self.assertNotIn("Appointments", screen)  # nothing of the desk behind it
        t.type("Alex")
        t.send("Enter")
        t.type("2468")
        t.send("Enter")
        t.type("2469")
        t.send("Enter")
        t.wait_for("the two PINs differ")
        t.type("2468")
        t.send("Enter")
        t.type("2468")
        t.send("Enter")
        screen = t.wait_for("signed in as Alex (admin)")
        self.assertIn("5 Setup", screen)
        t.send("q")
        self.assertEqual(t.exit_status(), 0)
        out = self.paydesk("users", "list", "--as", "Alex", env={"PAYDESK_PIN": "2468"})
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"Alex\s+admin\s+active")

    def test_staff_sees_no_setup_and_lock_screen_slows_wrong_pins(self):
        out = self.paydesk("users", "add", "--name", "Alex", "--role", "admin", stdin="2468\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        admin = {"PAYDESK_PIN": "2468"}
        out = self.paydesk("users", "add", "--name", "Sam", "--role", "staff", "--as", "Alex",
                           stdin="1357\n", env=admin)
        self.assertEqual(out.returncode, 0, out.stderr)
        out = self.paydesk("users", "lock-hint", "Forgot your PIN? Ask Alex.", "--as", "Alex",
                           env=admin)
        self.assertEqual(out.returncode, 0, out.stderr)
        # Staff may not manage users headless either.
        out = self.paydesk("users", "add", "--name", "Eve", "--role", "admin", "--as", "Sam",
                           stdin="0000\n", env={"PAYDESK_PIN": "1357"})
        self.assertEqual(out.returncode, 1)
        self.assertIn("only an admin can manage users", out.stderr)

        t = self.start()
        screen = t.wait_for("paydesk is locked")
        self.assertIn("Forgot your PIN? Ask Alex.", screen)
        for _ in range(3):
            self.sign_in(t, "Sam", "0000")
            t.wait_for("wrong name or PIN")
            t.send("C-u")  # the name is kept; clear it for the next try
            t.send("BTab")
            t.send("C-u")
        self.sign_in(t, "Sam", "1357")
        t.wait_for("too many wrong PINs: try again in")
        t.close()
        out = self.paydesk("users", "reset-pin", "Sam", "--as", "Alex", stdin="1357\n", env=admin)
        self.assertEqual(out.returncode, 0, out.stderr)

        t = self.start("--screen", "setup")
        t.wait_for("paydesk is locked")
        self.sign_in(t, "Sam", "1357")
        screen = t.wait_for("signed in as Sam (staff)")
        self.assertNotIn("5 Setup", screen)
        self.assertNotIn("Stripe account", screen)  # --screen setup is not for staff
        t.send("5")
        t.wait_for("Setup is for admins")
        t.send("?")
        help_screen = t.wait_for("Keys")
        self.assertNotIn("F5, 5", help_screen)
        for _ in range(8):
            t.send("j")  # the overlay scrolls at 80x24
        help_screen = t.wait_for("lock the screen / switch user")
        self.assertNotIn("F5, 5", help_screen)
        t.send("Escape")
        t.send("L")  # switch user
        t.wait_for("paydesk is locked")
        self.sign_in(t, "Alex", "2468")
        screen = t.wait_for("signed in as Alex (admin)")
        self.assertIn("5 Setup", screen)
        t.send("q")
        self.assertEqual(t.exit_status(), 0)

        with open(self.home.log) as f:
            log = f.read()
        self.assertIn("user Sam: sign-in refused (wrong PIN), 3 failures in a row", log)
        self.assertNotIn("0000", log.replace("2026", ""))
        db = sqlite3.connect(self.home.db)
        failed = db.execute("SELECT count(*) FROM audit_log WHERE action = "
                            "'user.sign_in_failed'").fetchone()[0]
        # Every sign-in is in the log: at the desk and on the command line,
        # refused while paused, and the switch from Sam to Alex.
        desk = [" ".join(r) for r in db.execute(
            "SELECT actor, action, detail FROM audit_log WHERE action IN ('user.sign_in',"
            " 'user.sign_in_refused', 'user.switch') AND detail LIKE '%desk%' ORDER BY id")]
        cli = db.execute("SELECT count(*) FROM audit_log WHERE action = 'user.sign_in' AND"
                         " actor = 'Alex' AND detail = 'signed in at the command line'"
                         ).fetchone()[0]
        db.close()
        self.assertEqual(failed, 3)
        self.assertEqual(desk, [
            "Sam user.sign_in_refused sign-in at the desk refused: paused after wrong PINs",
            "Sam user.sign_in signed in at the desk",
            "Alex user.switch signed in at the desk, after Sam"])
        self.assertEqual(cli, 3)
        self.assertEqual(self.paydesk("audit", "verify").returncode, 0)

    def test_idle_auto_lock(self):
        os.makedirs(os.path.join(self.home.path, "config", "paydesk"), exist_ok=True)
        with open(os.path.join(self.home.path, "config", "paydesk", "config"), "w") as f:
            f.write("[ui]\nidle_lock = 2s\n")
        t = self.start(env={"PAYDESK_SIGN_IN": "Alex", "PAYDESK_PIN": "2468"})
        t.wait_for("1 Appointments")
        t.wait_for("paydesk is locked", timeout=8)
        t.send("C-c")
        self.assertEqual(t.exit_status(), 0)

    def test_users_usage(self):
        self.assertEqual(self.paydesk("users").returncode, 2)
        self.assertEqual(self.paydesk("users", "add", "--name", "X").returncode, 2)
        out = self.paydesk("users", "add", "--name", "Sam", "--role", "staff", stdin="1357\n")
        self.assertEqual(out.returncode, 2)
        self.assertIn("the first user must be an admin", out.stderr)


if __name__ == "__main__":
    unittest.main()
