"""Accounting exports (issue 19): `paydesk export --format quickbooks` (3 and 4 columns) and
`--format xero` after a sync of a generated history in the fake Stripe, read back column by
column against the formats QuickBooks Online and Xero document for bank uploads:
QuickBooks: Date,Description,Amount (signed) or Date,Description,Credit,Debit (one of them,
positive), MM/DD/YYYY; Xero's precoded statement: *Date,*Amount,Payee,Description,Reference,
Cheque Number,Account Code,Tax Rate, DD/MM/YYYY, at most 1,000 lines a file. Stripe's fee of
each payment is a line of its own, so the lines add up to what the fake's Stripe balance
holds (the clearing account's balance; zero once paid out)."""
import csv
import glob
import io
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402
from tmuxharness import Home, paydesk_bin  # noqa: E402

PASS = "accounting passphrase"
MONEY = re.compile(r"^-?\d+\.\d\d$")
POSITIVE = re.compile(r"^\d+\.\d\d$")


def cents(text):
    neg = text.startswith("-")
    whole, frac = text.lstrip("-").split(".")
    value = int(whole) * 100 + int(frac)
    return -value if neg else value


class AccountingExports(unittest.TestCase):
    PAYMENTS = 40

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()
        cls.fake.seed({"generate": {"payments": cls.PAYMENTS, "seed": 19, "days": 20}})
        cls.home = Home()
        cls.env = {**os.environ, **cls.home.env, "PAYDESK_API_BASE": cls.fake.base_url,
                   "PAYDESK_PASSPHRASE": PASS, "PAYDESK_TIMEZONE": "UTC"}
        for name in ("PAYDESK_SIGN_IN", "PAYDESK_PIN"):
            cls.env.pop(name, None)
        cls.run_ok("setup", "--account", "acct_1FakePlatform000", "--allow-secret-key",
                   stdin=DEFAULT_KEY + "\n")
        cls.run_ok("sync")
        bal = cls.fake.api("GET", "/v1/balance").json()
        cls.balance = sum(s["amount"] for s in bal["available"] + bal["pending"]
                          if s["currency"] == "usd")
        cls.txns = cls.fake.counts()["balance_transaction"]

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        cls.home.close()

    @classmethod
    def run_ok(cls, *args, stdin="", expect=0):
        out = subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                             text=True, env=cls.env, timeout=300)
        assert out.returncode == expect, (args, out.returncode, out.stdout, out.stderr)
        return out

    def export(self, *args):
        out = self.run_ok("export", *args).stdout
        self.assertTrue(out.endswith("\n"), out[-20:])
        return list(csv.reader(io.StringIO(out, newline="")))

    def test_quickbooks_three_columns(self):
        rows = self.export("--format", "quickbooks")
        self.assertEqual(rows[0], ["Date", "Description", "Amount"])
        self.assertEqual(len(rows) - 1, self.txns + sum(1 for r in rows if
                                                       r[1].startswith("Stripe fee")))
        for r in rows[1:]:
            self.assertEqual(len(r), 3, r)
            self.assertRegex(r[0], r"^(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])/20\d\d$")
            self.assertTrue(r[1])
            self.assertRegex(r[2], MONEY)
        fees = [r for r in rows[1:] if r[1].startswith("Stripe fee")]
        payments = [r for r in rows[1:] if r[1].startswith("Payment")]
        self.assertEqual(len(fees), len(payments))  # every payment's fee on its own line
        self.assertTrue(all(cents(r[2]) < 0 for r in fees))
        self.assertTrue(all(cents(r[2]) > 0 for r in payments))
        self.assertTrue(all(re.search(r"\((ch|py)_\w+\)$", r[1]) for r in payments))
        refunds = [r for r in rows[1:] if r[1].startswith("Refund")]
        self.assertTrue(refunds and all(cents(r[2]) < 0 for r in refunds))
        # the clearing account holds what Stripe's balance holds
        self.assertEqual(sum(cents(r[2]) for r in rows[1:]), self.balance)

    def test_quickbooks_four_columns(self):
        rows = self.export("--format", "quickbooks", "--columns", "4", "--date-format", "iso")
        self.assertEqual(rows[0], ["Date", "Description", "Credit", "Debit"])
        total = 0
        for r in rows[1:]:
            self.assertEqual(len(r), 4, r)
            self.assertRegex(r[0], r"^20\d\d-\d\d-\d\d$")
            self.assertEqual((r[2] == "") + (r[3] == ""), 1, r)  # exactly one of them
            self.assertRegex(r[2] or r[3], POSITIVE)
            total += cents(r[2]) if r[2] else -cents(r[3])
            if r[1].startswith("Stripe fee") or r[1].startswith("Refund"):
                self.assertEqual(r[2], "", r)  # money out is a debit
        self.assertEqual(total, self.balance)

    def test_xero_precoded(self):
        out = os.path.join(self.home.path, "xero.csv")
        res = self.run_ok("export", "--format", "xero", "--output", out, "--fee-account", "404",
                          "--sales-account", "200")
        self.assertIn("wrote ", res.stderr)
        with open(out, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], ["*Date", "*Amount", "Payee", "Description", "Reference",
                                   "Cheque Number", "Account Code", "Tax Rate"])
        self.assertLessEqual(len(rows), 1000)
        total = 0
        for r in rows[1:]:
            self.assertEqual(len(r), 8, r)
            self.assertRegex(r[0], r"^(0[1-9]|[12]\d|3[01])/(0[1-9]|1[0-2])/20\d\d$")
            self.assertRegex(r[1], MONEY)
            self.assertRegex(r[4], r"^(ch|re|py|po|du|txn)_\w+$")
            self.assertEqual(r[5], "")
            total += cents(r[1])
            if r[3].startswith("Stripe fee"):
                self.assertEqual((r[2], r[6]), ("Stripe", "404"))
                self.assertLess(cents(r[1]), 0)
            elif r[3].startswith("Payment"):
                self.assertEqual(r[6], "200")
                self.assertTrue(r[2])  # the client who paid
        self.assertEqual(total, self.balance)
        # the file exists now: kept, unless --replace
        again = self.run_ok("export", "--format", "xero", "--output", out, expect=1)
        self.assertIn("exists", again.stderr)
        self.run_ok("export", "--format", "xero", "--output", out, "--replace")

    def test_date_range_and_refusals(self):
        rows = self.export("--format", "quickbooks", "--since", "2001-01-01", "--until",
                           "2001-01-31")
        self.assertEqual(rows, [["Date", "Description", "Amount"]])
        bad = self.run_ok("export", "--format", "quickbooks", "--columns", "5", expect=2)
        self.assertIn("--columns", bad.stderr)
        bad = self.run_ok("export", "--format", "xero", "--date-format", "ydm", expect=2)
        self.assertIn("--date-format is mdy", bad.stderr)
        bad = self.run_ok("export", "--format", "quickbooks", "--fee-account", "404", expect=2)
        self.assertIn("precode Xero", bad.stderr)


class XeroSplit(unittest.TestCase):
    """A month with more statement lines than Xero takes in one file."""

    def test_split_into_files_of_at_most_1000_lines(self):
        fake = FakeStripe().start()
        self.addCleanup(fake.stop)
        fake.seed({"generate": {"payments": 560, "seed": 23, "days": 25}})
        home = Home()
        self.addCleanup(home.close)
        env = {**os.environ, **home.env, "PAYDESK_API_BASE": fake.base_url,
               "PAYDESK_PASSPHRASE": PASS, "PAYDESK_TIMEZONE": "UTC"}

        def run(*args, stdin="", expect=0):
            out = subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                                 text=True, env=env, timeout=300)
            self.assertEqual(out.returncode, expect, (args, out.stdout, out.stderr))
            return out
        run("setup", "--account", "acct_1FakePlatform000", "--allow-secret-key",
            stdin=DEFAULT_KEY + "\n")
        run("sync")
        to_stdout = run("export", "--format", "xero", expect=2)
        self.assertIn("give --output FILE", to_stdout.stderr)
        out = os.path.join(home.path, "month.csv")
        run("export", "--format", "xero", "--output", out)
        self.assertFalse(os.path.exists(out))
        parts = sorted(glob.glob(os.path.join(home.path, "month-*.csv")))
        self.assertGreaterEqual(len(parts), 2)
        lines = []
        for p in parts:
            with open(p, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            self.assertLessEqual(len(rows), 1000, p)
            self.assertEqual(rows[0][:2], ["*Date", "*Amount"])
            lines += rows[1:]
        self.assertEqual(os.path.basename(parts[0]), "month-1.csv")
        bal = fake.api("GET", "/v1/balance").json()
        held = sum(s["amount"] for s in bal["available"] + bal["pending"])
        self.assertEqual(sum(cents(r[1]) for r in lines), held)
        self.assertEqual(len(lines), len({(r[3], r[4], r[1]) for r in lines}))  # none twice


if __name__ == "__main__":
    unittest.main()
