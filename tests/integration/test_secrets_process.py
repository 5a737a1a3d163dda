"""Secrets given by environment and the process that holds them: the vault
passphrase leaves /proc/PID/environ at start-up (before paydesk waits for
anything), and the process cannot be read by its own user (not dumpable: no
ptrace, no /proc/PID/mem or environ, no core file)."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from tmuxharness import Home, paydesk_bin  # noqa: E402

PASSPHRASE = "environ passphrase 7Qx9"
NOBODY = 65534


class WaitingPaydesk:
    """`paydesk setup` blocked reading the key on standard input: a paydesk that
    has started, holds PAYDESK_PASSPHRASE, and waits."""

    def __init__(self, env, user=None):
        self.proc = subprocess.Popen(
            [paydesk_bin(), "setup", "--account", "acct_1FakePlatform000"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env, user=user, group=user, extra_groups=[] if user is not None else None)
        self.pid = self.proc.pid
        # Started: its own executable mapped and blocked in read (wchan/state S).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(f"/proc/{self.pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state == "S" and self.settled():
                return
            time.sleep(0.05)
        raise AssertionError("paydesk setup never blocked on standard input")

    def settled(self):
        try:
            with open(f"/proc/{self.pid}/syscall") as f:
                return f.read().split()[0] == "0"  # read(2), on x86-64
        except (OSError, IndexError):
            return False

    def close(self):
        self.proc.stdin.close()
        self.proc.kill()
        self.proc.wait()


class EnvironmentSecret(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**os.environ, **self.home.env, "PAYDESK_PASSPHRASE": PASSPHRASE,
                    "PAYDESK_API_BASE": "http://127.0.0.1:9"}

    def test_passphrase_not_in_proc_environ_while_waiting(self):
        p = WaitingPaydesk(self.env)
        self.addCleanup(p.close)
        with open(f"/proc/{p.pid}/environ", "rb") as f:  # we are root: readable anyway
            environ = f.read()
        self.assertIn(b"HOME=", environ)  # the real block was read
        # assertTrue, not assertNotIn: a failure must not print the environment
        self.assertTrue(b"7Qx9" not in environ, "the passphrase is in /proc/PID/environ")
        self.assertTrue(b"PAYDESK_PIN=2468" not in environ, "the PIN is in /proc/PID/environ")

    @unittest.skipUnless(os.geteuid() == 0, "needs root to run paydesk as another user")
    def test_process_not_readable_by_its_own_user(self):
        home = tempfile.mkdtemp(prefix="paydesk-nobody-")
        self.addCleanup(shutil.rmtree, home, True)
        os.chmod(home, 0o777)
        env = {**self.env, "HOME": home, "XDG_DATA_HOME": home + "/data",
               "XDG_CONFIG_HOME": home + "/config", "XDG_STATE_HOME": home + "/state"}
        p = WaitingPaydesk(env, user=NOBODY)
        self.addCleanup(p.close)
        # A process of the same user (as a debugger or a dumper would be) may not
        # read its memory or its environment.
        child = os.fork()
        if child == 0:
            code = 0
            try:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                for name in ("environ", "mem"):
                    try:
                        open(f"/proc/{p.pid}/{name}", "rb").close()
                        code |= 1 if name == "environ" else 2
                    except PermissionError:
                        pass
            finally:
                os._exit(code)
        _, status = os.waitpid(child, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0,
                         "same-user process could open /proc/PID/environ (1) or mem (2)")
        # The kernel hands a non-dumpable process's /proc files to root.
        self.assertEqual(os.stat(f"/proc/{p.pid}/environ").st_uid, 0)
        with open(f"/proc/{p.pid}/limits") as f:
            core = [line for line in f if line.startswith("Max core file size")][0]
        self.assertEqual(core.split()[4:6], ["0", "0"], core)


if __name__ == "__main__":
    unittest.main()
