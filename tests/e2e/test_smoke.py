"""Smoke: paydesk starts in a terminal, shows its first screen, quits on q."""
import os
import stat
import subprocess
import unittest

from tmuxharness import Home, Terminal, paydesk_bin


class Smoke(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)

    def test_start_first_screen_quit(self):
        with Terminal([paydesk_bin()], 80, 24, env=self.home.env) as t:
            screen = t.wait_for("Appointments")
            self.assertIn("NO ACCOUNT", screen)  # a fresh install has no Stripe account yet
            t.send("q")
            self.assertEqual(t.exit_status(), 0)
        # It made its files, private to the user.
        self.assertEqual(stat.S_IMODE(os.stat(self.home.db).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(self.home.db)).st_mode), 0o700)
        self.assertTrue(os.path.exists(self.home.log))

    def test_version_and_usage_exit_codes(self):
        out = subprocess.run([paydesk_bin(), "--version"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0)
        self.assertRegex(out.stdout, r"^paydesk \d+\.\d+\.\d+\n$")
        out = subprocess.run([paydesk_bin(), "--help"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0)
        self.assertIn("Usage: paydesk", out.stdout)
        out = subprocess.run([paydesk_bin(), "--no-such-option"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)
        self.assertIn("Usage: paydesk", out.stderr)
        out = subprocess.run([paydesk_bin(), "frobnicate"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)
        self.assertIn("unknown command 'frobnicate'", out.stderr)

    def test_bad_config_names_the_line(self):
        cfg = os.path.join(self.home.path, "bad.conf")
        with open(cfg, "w") as f:
            f.write("theme = dark\nlog_level = shouty\n")
        out = subprocess.run([paydesk_bin(), "--config", cfg], capture_output=True, text=True,
                             env={**os.environ, **self.home.env})
        self.assertEqual(out.returncode, 2)
        self.assertIn(f"{cfg}:2: bad value 'shouty' for log_level (allowed: error, warn, "
                      "info, debug)", out.stderr)

    def test_foreign_database_refused_untouched(self):
        path = os.path.join(self.home.path, "notes.db")
        with open(path, "wb") as f:
            f.write(b"not a database at all\n")
        out = subprocess.run([paydesk_bin(), "--db", path], capture_output=True, text=True,
                             env={**os.environ, **self.home.env})
        self.assertEqual(out.returncode, 1)
        self.assertIn("is not an SQLite database", out.stderr)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), b"not a database at all\n")


if __name__ == "__main__":
    unittest.main()
