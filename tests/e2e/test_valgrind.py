"""paydesk under valgrind: a session through every tab, the help, a theme
switch and the lock screen leaks nothing and touches no bad memory."""
import os
import re
import shutil
import subprocess
import unittest

from tmuxharness import Home, Terminal, paydesk_bin

VALGRIND = ["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99"]


# An ASan build (make asan) checks the same things its own way; valgrind
# cannot run it.
@unittest.skipIf(os.environ.get("PAYDESK_SANITIZED"), "sanitizer build: ASan checks it")
@unittest.skipIf(shutil.which("valgrind") is None, "valgrind is not installed")
class Valgrind(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        self.log = os.path.join(self.home.path, "valgrind.log")

    def assert_clean(self):
        with open(self.log) as f:
            report = f.read()
        self.assertRegex(report, r"ERROR SUMMARY: 0 errors", report[-3000:])
        m = re.search(r"definitely lost: ([\d,]+) bytes", report)
        self.assertTrue(m is None or m.group(1) == "0", report[-3000:])

    def test_tui_session(self):
        argv = VALGRIND + ["--log-file=" + self.log, paydesk_bin()]
        with Terminal(argv, 80, 24, env=self.home.env) as t:
            t.wait_for("1 Appointments", timeout=60)
            for key in "2345":
                t.send(key)
            t.wait_for("Stripe account", timeout=30)
            t.send("?")
            t.wait_for("Keys", timeout=30)
            t.send("Escape", "T")
            t.wait_for("theme: dark", timeout=30)
            t.send("L")
            t.wait_for("paydesk is locked", timeout=30)
            t.type("Alex")
            t.send("Enter")
            t.type("2468")
            t.send("Enter")
            t.wait_for("signed in as Alex", timeout=60)
            t.send("q")
            self.assertEqual(t.exit_status(timeout=60), 0)
        self.assert_clean()

    def test_headless_command(self):
        env = {**os.environ, **self.home.env}
        out = subprocess.run(VALGRIND + ["--log-file=" + self.log, paydesk_bin(), "users", "add",
                                         "--name", "Alex", "--role", "admin"],
                             input="2468\n", capture_output=True, text=True, env=env,
                             timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assert_clean()


if __name__ == "__main__":
    unittest.main()
