#!/usr/bin/env python3
"""`make bench`, issue 21's first-impression and memory figures (a section of
its own beside run_bench.py's History figures):

- how long `make demo` takes from its start to the training desk on screen
  (the Appointments tab, TEST, a sample appointment), and until the History
  tab holds the whole sample history;
- paydesk's peak memory (VmHWM, read from outside) through a PIN sign-in at
  the lock screen and through the vault unlocked by its passphrase at the
  default cost (Argon2id, 256 MiB), each in tmux at 80x24 as a user does it.

Each figure over RUNS runs: the median, then min and max.

    memory_demo.py --bin ./paydesk [--demo tests/demo.py] [--runs N] [--only demo|memory]"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402
from tmuxharness import Home, Terminal  # noqa: E402

PASSPHRASE = "bench memory passphrase 7"


def out(name, value, unit):
    print(f"{name} {value} {unit}", flush=True)


def out_runs(name, values, unit, fmt="{:.1f}"):
    out(name, fmt.format(statistics.median(values)), unit)
    out(name + "_min", fmt.format(min(values)), unit)
    out(name + "_max", fmt.format(max(values)), unit)


def status_mb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def wait_screen(t, test, timeout):
    deadline = time.monotonic() + timeout
    while True:
        shown = t.screen()
        if test(shown):
            return shown
        if time.monotonic() > deadline:
            raise RuntimeError(f"screen not reached after {timeout}s:\n{shown}")
        time.sleep(0.02)


def demo_once(binary, demo):
    """Seconds from `demo.py` starting to the training desk on screen, and to
    the History tab holding the whole sample history (its sync done)."""
    tmp = tempfile.mkdtemp(prefix="paydesk-bench-demo-")
    env = {"TMPDIR": tmp, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    t0 = time.monotonic()
    t = Terminal([sys.executable, demo, "--bin", binary], 80, 24, env=env)
    try:
        wait_screen(t, lambda s: " TEST " in s and "Maya" in s and "1 Appointments" in s, 120)
        first = time.monotonic() - t0
        t.send("4")
        # every sample record listed, and no sync bar left
        wait_screen(t, lambda s: re.search(r"1/[0-9],[0-9]{3} ", s) and "Syncing" not in s, 120)
        filled = time.monotonic() - t0
        t.send("q")
        time.sleep(0.5)
        if "Quit paydesk?" in t.screen():  # a job still running (the reader's poll)
            t.send("y")
        t.exit_status(timeout=30)
        return first, filled
    finally:
        t.close()
        subprocess.run(["rm", "-rf", tmp])


def kdf_peaks_once(binary):
    """Peak RSS (MB) of the TUI after a PIN sign-in at the lock screen, then
    after the vault (default cost) is unlocked by its passphrase."""
    fake = FakeStripe().start()
    home = Home()
    try:
        env = {**home.env, "PAYDESK_API_BASE": fake.base_url}
        env.pop("PAYDESK_VAULT_KDF")  # the cost a real vault is made with
        for name in ("PAYDESK_SIGN_IN", "PAYDESK_PIN"):
            env.pop(name)
        run_env = {**os.environ, **env}
        subprocess.run([binary, "setup", "--account", "acct_1FakePlatform000",
                        "--allow-secret-key"], input=DEFAULT_KEY + "\n", text=True,
                       capture_output=True, check=True,
                       env={**run_env, "PAYDESK_PASSPHRASE": PASSPHRASE})
        subprocess.run([binary, "users", "add", "--name", "Alex", "--role", "admin"],
                       input="2468\n", text=True, capture_output=True, check=True, env=run_env)
        t = Terminal([binary], 80, 24, env=env)
        try:
            wait_screen(t, lambda s: "paydesk is locked" in s, 30)
            pid = t.program_pid()
            t.type("Alex")
            t.send("Enter")
            t.type("2468")
            t.send("Enter")
            wait_screen(t, lambda s: "Vault locked" in s, 60)
            pin = status_mb(pid, "VmHWM")
            t.type(PASSPHRASE)
            t.send("Enter")
            wait_screen(t, lambda s: "vault unlocked" in s, 60)
            unlock = status_mb(pid, "VmHWM")
            rss = status_mb(pid, "VmRSS")
            t.send("q")
            t.exit_status(timeout=20)
            return pin, unlock, rss
        finally:
            t.close()
    finally:
        home.close()
        fake.stop()


def run(binary, demo, runs, only=None):
    if only in (None, "demo"):
        demos = [demo_once(binary, demo) for _ in range(runs)]
        out_runs("demo_to_first_screen", [d[0] for d in demos], "s", "{:.2f}")
        out_runs("demo_to_history_filled", [d[1] for d in demos], "s", "{:.2f}")
    if only in (None, "memory"):
        peaks = [kdf_peaks_once(binary) for _ in range(runs)]
        out_runs("rss_peak_after_pin_signin", [p[0] for p in peaks], "MB")
        out_runs("rss_peak_after_passphrase_unlock", [p[1] for p in peaks], "MB")
        out_runs("rss_after_passphrase_unlock", [p[2] for p in peaks], "MB")
    out("memory_demo_runs", runs, "runs")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--demo", default=os.path.join(ROOT, "tests", "demo.py"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", choices=("demo", "memory"))
    args = ap.parse_args()
    out("loadavg_at_start", os.getloadavg()[0], "load")
    run(os.path.abspath(args.bin), os.path.abspath(args.demo), args.runs, args.only)
    out("loadavg_at_end", os.getloadavg()[0], "load")
    return 0


if __name__ == "__main__":
    sys.exit(main())
