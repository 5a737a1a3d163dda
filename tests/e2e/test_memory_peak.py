"""paydesk's peak memory, read from outside as a user's `top` would (VmHWM in
/proc/PID/status), stays under 64 MB through the slow key derivations: a PIN
sign-in at the lock screen (Argon2id, 64 MiB) and the vault unlocked by its
passphrase at the cost a real vault has (Argon2id, 256 MiB). Issue 21: the
TUI peaked at 71 MB and 268 MB; the derivation now runs in a short-lived
helper process, at the vault's own stored cost."""
import subprocess
import unittest

from stripecase import ConnectedCase
from tmuxharness import Terminal, paydesk_bin

PEAK_MB = 64
MOD_MEMLIMIT = 256 << 20  # libsodium's "moderate": the cost of a real vault


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def children(pid):
    return subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                          text=True).stdout.split()


class PeakMemory(ConnectedCase):
    PASSPHRASE = "peak memory passphrase 42"
    EXTRA_ENV = {"PAYDESK_VAULT_KDF": "default"}  # the cost a real vault is made with

    def open_tui(self, sign_in_by_env):
        env = dict(self.env)
        env.pop("PAYDESK_PASSPHRASE")  # the passphrase is typed, as at a real desk
        if not sign_in_by_env:
            env.pop("PAYDESK_SIGN_IN")
            env.pop("PAYDESK_PIN")
        t = Terminal([paydesk_bin()], 80, 24, env=env)
        self.addCleanup(t.close)
        return t

    def test_passphrase_unlock_peak_under_64_mb(self):
        stored = self.query("SELECT kdf_opslimit, kdf_memlimit FROM vault_slot"
                            " WHERE kind = 'passphrase'")
        self.assertEqual(stored[0][1], MOD_MEMLIMIT, stored)
        t = self.open_tui(sign_in_by_env=True)
        t.wait_for("Vault locked", timeout=30)
        pid = t.program_pid()
        t.type("not the passphrase")
        t.send("Enter")
        t.wait_for("wrong passphrase", timeout=60)
        t.type(self.PASSPHRASE)
        t.send("Enter")
        t.wait_for("vault unlocked", timeout=60)
        t.send("5")
        t.wait_for("Connected:", timeout=20)  # the key opened: Setup reads the account
        peak = status_kb(pid, "VmHWM") / 1024
        self.assertLessEqual(peak, PEAK_MB, f"peak RSS {peak:.1f} MB through the unlock")
        self.assertEqual(children(pid), [], "a helper process was left behind")
        # The vault's cost is what it was: nothing was weakened to save memory.
        self.assertEqual(self.query("SELECT kdf_opslimit, kdf_memlimit FROM vault_slot"
                                    " WHERE kind = 'passphrase'"), stored)
        t.send("q")
        self.assertEqual(t.exit_status(timeout=20), 0)

    def test_pin_sign_in_peak_under_64_mb(self):
        self.paydesk("users", "add", "--name", "Alex", "--role", "admin", stdin="2468\n",
                     check=0)
        t = self.open_tui(sign_in_by_env=False)
        t.wait_for("paydesk is locked", timeout=30)
        pid = t.program_pid()
        for pin in ("1397", "2468"):  # a wrong PIN first: both are checked by Argon2id
            t.type("Alex")
            t.send("Enter")
            t.type(pin)
            t.send("Enter")
            if pin == "1397":
                t.wait_for("wrong name or PIN", timeout=60)
        t.wait_for("Vault locked", timeout=60)  # signed in: the vault is asked for next
        peak = status_kb(pid, "VmHWM") / 1024
        self.assertLessEqual(peak, PEAK_MB, f"peak RSS {peak:.1f} MB through the sign-in")
        self.assertEqual(children(pid), [], "a helper process was left behind")
        t.send("Escape", "q")
        self.assertEqual(t.exit_status(timeout=20), 0)


if __name__ == "__main__":
    unittest.main()
