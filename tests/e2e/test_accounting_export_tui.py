"""The History tab's export offers the accounting formats (issue 19): after a sync of the
fake's history, e → Format xero → the file holds Xero's precoded statement with each
Stripe fee on its own line, the same lines `paydesk export --format xero` writes."""
import csv
import os
import subprocess
import sys
import unittest

from tmuxharness import ROOT, Home, Terminal, paydesk_bin

sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402

PASS = "tui accounting passphrase"


class AccountingExportTui(unittest.TestCase):
    def test_xero_from_the_history_tab(self):
        fake = FakeStripe().start()
        self.addCleanup(fake.stop)
        fake.seed({"generate": {"payments": 30, "seed": 5, "days": 10}})
        home = Home()
        self.addCleanup(home.close)
        env = {**home.env, "PAYDESK_API_BASE": fake.base_url, "PAYDESK_PASSPHRASE": PASS,
               "PAYDESK_TIMEZONE": "UTC"}

        def run(*args, stdin=""):
            out = subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                                 text=True, env={**os.environ, **env}, timeout=120)
            self.assertEqual(out.returncode, 0, (args, out.stdout, out.stderr))
            return out
        run("setup", "--account", "acct_1FakePlatform000", "--allow-secret-key",
            stdin=DEFAULT_KEY + "\n")
        run("sync")
        headless = os.path.join(home.path, "headless.csv")
        run("export", "--format", "xero", "--output", headless)

        t = Terminal([paydesk_bin(), "--screen", "history"], 80, 24, env=env)
        self.addCleanup(t.close)
        t.wait_for("records")
        t.send("e")
        t.wait_for("Export what is shown")
        screen = t.wait_for("csv, jsonl, quickbooks (3/4 columns), xero")
        for line in screen.splitlines():
            self.assertLessEqual(len(line), 80)
        t.send("Space", "Space", "Space", "Space")
        t.wait_for("< xero >")
        out = os.path.join(home.path, "tui-xero.csv")
        t.send("Tab", "C-u")
        t.type(out)
        t.send("Enter")
        t.wait_for("exported \\d+ statement lines to", regex=True, timeout=20)
        t.send("q")
        with open(out, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        with open(headless, newline="", encoding="utf-8") as f:
            self.assertEqual(rows, list(csv.reader(f)))
        self.assertEqual(rows[0], ["*Date", "*Amount", "Payee", "Description", "Reference",
                                   "Cheque Number", "Account Code", "Tax Rate"])
        self.assertTrue(any(r[3].startswith("Stripe fee") for r in rows[1:]))


if __name__ == "__main__":
    unittest.main()
