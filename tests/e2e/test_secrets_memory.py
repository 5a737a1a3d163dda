"""How many copies of the Stripe key a memory dump of a working paydesk
holds: the key pasted into Setup, verified (two dozen Stripe calls), saved,
then the process dumped with gdb's gcore, as someone with the rights to dump
it would (root here: paydesk is not dumpable by its own user, and no switch
in paydesk turns that off for a test). A dump leaves out guarded memory
(sodium_malloc: MADV_DONTDUMP), so what is counted is every copy that sits
outside it: paydesk's own buffers, and libcurl's and libc's.

The key is counted as plain text and in base64 (an HTTP Basic header is the
key in base64, at any of its three alignments)."""
import base64
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from stripecase import PLATFORM, ConnectedCase
from tmuxharness import Terminal, paydesk_bin

KEY = "rk_test_51MemoryCountKeyQz7Vw3Xy9Pp4Lm2Nn8Rr6Tt0"
PUBLISHABLE = "pk_test_51MemoryCountKeyQz7Vw3Xy9Pp4Lm2Nn8Rr6Tt0"
# Copies outside guarded memory once no Stripe call is in flight (see
# ARCHITECTURE.md, Vault; before libcurl's and the paste's buffers were
# wiped there were 10).
MAX_COPIES = 0


def key_forms(key):
    """The key as plain text, and the parts of its base64 that do not
    depend on the bytes before or after it in the encoded string."""
    forms = [key.encode()]
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + key.encode() + b"\0\0\0")
        start = (pad * 4 + 2) // 3 + 1
        forms.append(enc[start:start + 40])
    return forms


def count_in(data, forms):
    return {f: len(re.findall(re.escape(f), data)) for f in forms}


def count_live(pid, forms):
    """Every readable mapping, guarded memory included (for the message)."""
    total = 0
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            addr, perms = line.split()[:2]
            if "r" not in perms or line.rstrip().endswith("[vvar]"):
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            try:
                mem.seek(lo)
                total += sum(count_in(mem.read(hi - lo), forms).values())
            except OSError:
                pass
    return total


def paydesk_pid(t):
    """The pane runs `sh -c "paydesk …; echo $? > status"`: its child."""
    shell = t.tmux("display-message", "-p", "-t", "t", "#{pane_pid}", capture=True).strip()
    with open(f"/proc/{shell}/task/{shell}/children") as f:
        kids = f.read().split()
    return int(kids[0]) if kids else int(shell)


@unittest.skipUnless(shutil.which("gcore"), "gdb's gcore is not installed (apt-get install gdb)")
@unittest.skipUnless(os.geteuid() == 0, "dumping a non-dumpable process needs root")
@unittest.skipIf(os.environ.get("PAYDESK_SANITIZED"),
                 "sanitizer build: ASan keeps freed blocks in quarantine and its dump is terabytes")
class KeyCopies(ConnectedCase):
    KEY = KEY
    SETUP_ARGS = ("--publishable", PUBLISHABLE)

    def dump(self, pid):
        d = tempfile.mkdtemp(prefix="paydesk-core-")
        self.addCleanup(shutil.rmtree, d, True)
        out = subprocess.run(["gcore", "-o", os.path.join(d, "core"), str(pid)],
                             capture_output=True, text=True, timeout=120)
        path = os.path.join(d, f"core.{pid}")
        self.assertTrue(os.path.exists(path), out.stdout + out.stderr)
        if os.environ.get("PAYDESK_KEEP_CORE"):  # for looking at where the copies are
            shutil.copy(path, os.environ["PAYDESK_KEEP_CORE"])
        with open(path, "rb") as f:
            return f.read()

    def test_key_copies_in_a_dump_after_paste_verify_save(self):
        env = {**self.env, "PAYDESK_SIGN_IN": "Alex", "PAYDESK_PIN": "2468"}
        t = Terminal([paydesk_bin()], 100, 30, env=env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        t.send("5")
        t.wait_for(PLATFORM)
        t.send("e")
        t.send("Enter", "Enter")  # to the key field, past account and publishable key
        buf = os.path.join(t.dir, "paste")
        with open(buf, "w") as f:
            f.write(KEY)
        t.tmux("load-buffer", "-b", "p", buf)
        os.unlink(buf)
        t.tmux("paste-buffer", "-p", "-d", "-b", "p", "-t", "t")
        t.wait_for("\u2022" * 10)  # masked
        t.send("Escape", "v")
        t.wait_for("0 failing", timeout=30)
        t.send("s")
        t.wait_for("saved: " + PLATFORM, timeout=30)
        t.tmux("clear-history", "-t", "t")
        pid = paydesk_pid(t)
        counts = count_in(self.dump(pid), key_forms(KEY))
        total = sum(counts.values())
        print(f"\nkey copies in a gcore dump: {total} "
              f"(plain {counts[KEY.encode()]}, base64 {total - counts[KEY.encode()]}); "
              f"in all of its memory, guarded included: {count_live(pid, key_forms(KEY))}")
        self.assertLessEqual(total, MAX_COPIES)


if __name__ == "__main__":
    unittest.main()
