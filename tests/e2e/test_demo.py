"""Training mode (`make demo`): starts against the fake Stripe, connected in
test mode, every tab opens, and quitting cleans up. The desk is on screen
while the sample history still syncs in the background (issue 21: the
terminal stayed blank for the whole sync)."""
import glob
import os
import re
import shutil
import sys
import tempfile
import time
import unittest

from tmuxharness import ROOT, Terminal, paydesk_bin


class Demo(unittest.TestCase):
    def test_demo_starts_connected_and_cleans_up(self):
        tmp = tempfile.mkdtemp(prefix="paydesk-demo-test-")
        before = set(glob.glob(os.path.join(tmp, "paydesk-demo-*")))
        env = {"TMPDIR": tmp, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        argv = [sys.executable, os.path.join(ROOT, "tests", "demo.py"), "--bin", paydesk_bin()]
        with Terminal(argv, 80, 24, env=env) as t:
            screen = t.wait_for(" TEST ", timeout=30)
            self.assertNotIn("Vault locked", screen)  # training mode is never stuck at a prompt
            self.assertIn("Maya", screen)  # today's agenda has sample appointments
            t.send("2")
            t.wait_for("Zoë Müller")  # a dozen sample clients, linked to Stripe
            t.send("3")
            t.wait_for("past_due", timeout=20)  # subscriptions synced from the fake
            t.send("4")
            t.wait_for(r"1/[0-9],[0-9]{3} ", timeout=20, regex=True)  # ~2,000 history rows
            t.send("5")
            t.wait_for("Connected:")
            t.send("r")  # Stripe's simulated reader, this desk's, to try a reader payment
            t.wait_for(r"uses Training reader", timeout=20)
            t.wait_for(r"\* Training reader\s+online", regex=True, timeout=20)
            t.send("Escape")
            for tab in "1234":
                t.send(tab)
            t.send("L")  # the lock screen tells a newcomer the demo PINs
            t.wait_for("Training mode: staff Sam, PIN 2468")
            t.type("Sam")
            t.send("Enter")
            t.type("2468")
            t.send("Enter")
            t.wait_for("signed in as Sam (staff)")
            t.send("q")
            self.assertEqual(t.exit_status(timeout=20), 0)
        self.assertEqual(set(glob.glob(os.path.join(tmp, "paydesk-demo-*"))), before)
        os.rmdir(tmp)

    def test_desk_shown_while_the_history_syncs(self):
        tmp = tempfile.mkdtemp(prefix="paydesk-demo-test-")
        self.addCleanup(shutil.rmtree, tmp, True)
        env = {"TMPDIR": tmp, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        # Each page of balance transactions answers 0.4 s late: the sync runs
        # ~10 s, long enough to be seen running behind the desk.
        argv = [sys.executable, os.path.join(ROOT, "tests", "demo.py"), "--bin", paydesk_bin(),
                "--slow-sync-ms", "400"]
        with Terminal(argv, 80, 24, env=env) as t:
            screen = t.wait_for(" TEST ", timeout=60)
            self.assertIn("Maya", screen)  # the Appointments tab, today's agenda
            # the sync is running: the status line says so, then counts its job
            self.assertRegex(screen, r"syncing the billing history in the background| \d+ jobs? ")
            t.send("4")
            screen = t.wait_for("Syncing", timeout=10)  # the History tab's bar
            before = re.search(r"([0-9,]+)/([0-9,]+) · synced", screen)
            # ... and once it is done, the whole sample history is there
            screen = t.wait_for(r"1/[0-9],[0-9]{3} ", timeout=90, regex=True)
            t.wait_gone("Syncing", timeout=30)
            if before:
                self.assertLess(int(before.group(2).replace(",", "")),
                                int(re.search(r"1/([0-9],[0-9]{3}) ", t.screen()).group(1)
                                    .replace(",", "")))
            t.send("q")
            time.sleep(1)
            if "Quit paydesk?" in t.screen():  # the reader's poll may still be queued
                t.send("y")
            self.assertEqual(t.exit_status(timeout=30), 0)
        self.assertEqual(glob.glob(os.path.join(tmp, "paydesk-demo-*")), [])


if __name__ == "__main__":
    unittest.main()
