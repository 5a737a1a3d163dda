"""`paydesk COMMAND --help` prints the command's usage on standard output and
exits 0, for every command `paydesk --help` lists (doctor, audit, sync and
recover exited 2: issue 16); a wrong option still exits 2."""
import os
import subprocess
import unittest

from tmuxharness import Home, paydesk_bin


class CliHelp(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)

    def run_paydesk(self, *args):
        return subprocess.run([paydesk_bin(), *args], capture_output=True, text=True,
                              env={**os.environ, **self.home.env}, timeout=30)

    def commands(self):
        out = self.run_paydesk("--help").stdout
        listed = out.split("Commands:\n")[1].split("\n\n")[0]
        return [line.split()[0] for line in listed.splitlines() if line.strip()]

    def test_every_command_has_help(self):
        commands = self.commands()
        self.assertGreaterEqual(len(commands), 12)
        for cmd in commands:
            with self.subTest(cmd=cmd):
                out = self.run_paydesk(cmd, "--help")
                self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
                self.assertIn("usage: paydesk " + cmd, out.stdout.lower())
                self.assertEqual(out.stderr, "")
                bad = self.run_paydesk(cmd, "--no-such-option")
                self.assertEqual(bad.returncode, 2, bad.stdout + bad.stderr)
                self.assertEqual(bad.stdout, "")

    def test_subcommands_have_help_too(self):
        # `audit list --help` and `audit verify --help` exited 2.
        for sub in (("audit", "list"), ("audit", "verify"), ("users", "add"),
                    ("subscriptions", "subscribe"), ("plans", "list"), ("clients", "import"),
                    ("connect", "express")):
            with self.subTest(sub=sub):
                out = self.run_paydesk(*sub, "--help")
                self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
                self.assertIn("usage: paydesk " + sub[0], out.stdout.lower())


if __name__ == "__main__":
    unittest.main()
