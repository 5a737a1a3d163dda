"""A watched pay link costs nothing while the desk waits: paydesk draws a frame when a
poll's answer arrives (every 3 s) and sleeps otherwise (it used to redraw every 120 ms
for up to an hour, reading the store and encoding the QR code each time). Frames are
counted from paydesk's own trace (PAYDESK_BENCH_TRACE), not from wall-clock CPU, so a
loaded machine cannot make the test pass or fail.

PAYDESK_IDLE_SECONDS (default 6) sets the idle window; with 60 the test prints the
figures for the record (CPU time of the process, bytes written to the terminal,
frames, key-to-frame time and draw-time store reads)."""
import os
import statistics
import sys
import time
import unittest

from tmuxharness import ROOT, Terminal, paydesk_bin
import deskcase
import test_payments_e2e as pay_e2e  # the module, so its own tests are not run again here

IDLE = float(os.environ.get("PAYDESK_IDLE_SECONDS", "6"))
POLL_SECONDS = 3


def cpu_ticks(pid):
    """utime + stime of the whole process (all threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


class IdleDraw(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = pay_e2e.FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    setUp = pay_e2e.Payments.setUp
    wait_fake = pay_e2e.Payments.wait_fake
    query = pay_e2e.Payments.query

    def start(self):
        """paydesk under ptycount (its pid, and the bytes it writes) inside tmux."""
        self.trace = os.path.join(self.home.path, "trace")
        self.count = os.path.join(self.home.path, "count")
        self.pidfile = os.path.join(self.home.path, "pid")
        self.env["PAYDESK_BENCH_TRACE"] = self.trace
        argv = [sys.executable, os.path.join(ROOT, "tests", "bench", "ptycount.py"),
                self.count, self.pidfile, paydesk_bin()]
        return argv

    client_with_saved_card = pay_e2e.Payments.client_with_saved_card
    book = pay_e2e.Payments.book_with_saved_card

    def frames(self, since_ns=0):
        """(key code, key ns, frame ns, draw statements) of every frame since since_ns."""
        out = []
        with open(self.trace) as f:
            for line in f:
                p = line.split()
                if p[0] == "frame" and int(p[3]) >= since_ns:
                    out.append((int(p[1]), int(p[2]), int(p[3]),
                                int(p[4]) if len(p) > 4 else -1))
        return out

    def bytes_written(self):
        with open(self.count) as f:
            return int(f.read().strip() or 0)

    def test_a_watched_pay_link_draws_only_when_the_poll_answers(self):
        argv = self.start()
        real_terminal = Terminal
        harness = deskcase
        # book_with_saved_card starts paydesk itself (deskcase.open_desk): give it ours
        # (under ptycount).
        harness.Terminal = lambda _argv, w, h, env: real_terminal(argv, w, h, env=env)
        try:
            t = self.book()
        finally:
            harness.Terminal = real_terminal
        t.send("Enter", "Right", "Enter")  # amount as due; collect by pay link
        t.wait_for("Collect by pay link")
        t.send("y")
        t.wait_for("c: check now", timeout=15)
        self.wait_fake("/v1/checkout/sessions")
        with open(self.pidfile) as f:
            pid = int(f.read())
        time.sleep(1.5)  # the notices of the link expire (a frame each)
        t0 = time.time_ns()
        b0, c0 = self.bytes_written(), cpu_ticks(pid)
        time.sleep(IDLE)
        t1 = time.time_ns()
        b1, c1 = self.bytes_written(), cpu_ticks(pid)
        idle = [f for f in self.frames(t0) if f[2] <= t1]
        hz = os.sysconf("SC_CLK_TCK")

        # Keys on the same screen: '?' opens and closes the help (a redraw, nothing read).
        k0 = time.time_ns()
        kb0 = self.bytes_written()
        for _ in range(10):
            t.send("?")
            t.wait_for("Keys — ")
            t.send("?")
            t.wait_gone("Keys — ")
        keyed = [f for f in self.frames(k0) if f[0] >= 0]
        kb1 = self.bytes_written()
        per_key_ms = statistics.median((f[2] - f[1]) / 1e6 for f in keyed)
        sys.stderr.write(
            f"\nidle {IDLE:.0f} s with a pay link watched: {len(idle)} frames, "
            f"{(c1 - c0) * 1000 / hz:.0f} ms CPU, {b1 - b0} B to the terminal\n"
            f"'?' x20 on the pay view: {len(keyed)} frames, key to frame median "
            f"{per_key_ms:.2f} ms, {(kb1 - kb0) / max(1, len(keyed)):.0f} B per key, "
            f"draw statements {sorted(set(f[3] for f in keyed))}\n")
        # One frame per poll answer (and a spare for a notice expiring): not one every 120 ms.
        self.assertLessEqual(len(idle), IDLE / POLL_SECONDS + 3, f"{len(idle)} frames in {IDLE} s")
        # A frame draws what reload() read: the store is not read while drawing.
        self.assertTrue(keyed)
        self.assertEqual([f for f in keyed if f[3] != 0], [])
        t.send("Escape")
        t.wait_for("Day agenda")


if __name__ == "__main__":
    unittest.main()
