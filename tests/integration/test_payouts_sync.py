"""Payouts against the fake Stripe: `paydesk sync` brings automatic, manual and instant
payouts with the balance transactions behind each; `paydesk payouts` shows them adding up, the
record behind each transaction, and a month reconciled to zero, to the cent, with figures taken
from what the fake holds; a sync interrupted in the middle of the payouts resumes there."""
import calendar
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402
from tmuxharness import Home, paydesk_bin  # noqa: E402

PASS = "payouts passphrase"
PLATFORM = "acct_1FakePlatform000"
T0 = calendar.timegm((2026, 11, 2, 10, 0, 0))
DAY = 86400


def money(minor):
    """As paydesk prints a USD amount without its code: 1,234.50 / -7.50."""
    sign = "-" if minor < 0 else ""
    return "%s%s.%02d" % (sign, "{:,}".format(abs(minor) // 100), abs(minor) % 100)


class PayoutsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset(reseed=False)
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**os.environ, **self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
                    "PAYDESK_PASSPHRASE": PASS, "PAYDESK_TIMEZONE": "UTC"}
        out = self.paydesk("setup", "--account", PLATFORM, stdin=DEFAULT_KEY + "\n",
                           extra=["--allow-secret-key"] if DEFAULT_KEY.startswith("sk_") else [])
        self.assertEqual(out.returncode, 0, out.stderr)

    def paydesk(self, *args, stdin="", extra=()):
        return subprocess.run([paydesk_bin(), *args, *extra], input=stdin, capture_output=True,
                              text=True, env=self.env, timeout=120)

    def ok(self, method, path, params=None):
        r = self.fake.api(method, path, params)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def pay(self, amount, customer=None, pm="pm_card_visa"):
        params = {"amount": amount, "currency": "usd", "payment_method": pm, "confirm": True}
        if customer:
            params["customer"] = customer
        return self.ok("POST", "/v1/payment_intents", params)

    def all_txns(self):
        out, after = [], None
        while True:
            q = {"limit": 100}
            if after:
                q["starting_after"] = after
            page = self.ok("GET", "/v1/balance_transactions", q)
            out += page["data"]
            if not page["has_more"]:
                return out
            after = page["data"][-1]["id"]

    def month_of_payments(self):
        """November 2026: payments, a refund, a dispute, an adjustment; an automatic payout,
        a manual one and an instant one; one payment not yet paid out."""
        self.fake.set_clock(T0)
        ada = self.ok("POST", "/v1/customers", {"name": "Ada Lovelace"})["id"]
        self.pay(5000, ada)
        second = self.pay(2000, ada)
        self.ok("POST", "/v1/refunds", {"payment_intent": second["id"], "amount": 500})
        self.pay(7500, ada, pm="pm_card_createDispute")
        self.fake.set_clock(T0 + 3 * DAY)
        auto = self.fake.control("POST", "/payouts/run", {})["payouts"][0]
        self.fake.control("POST", "/payouts/%s/status" % auto["id"], {"status": "paid"})
        self.fake.set_clock(T0 + 4 * DAY)
        self.pay(10000, ada)
        self.fake.control("POST", "/balance/adjustments", {"amount": -250, "currency": "usd"})
        self.fake.set_clock(T0 + 7 * DAY)
        manual = self.ok("POST", "/v1/payouts", {"amount": 9680 - 250, "currency": "usd"})
        self.pay(10000, ada)
        self.fake.set_clock(T0 + 10 * DAY)
        # 9537 + its 1.5% fee (143) is the 9680 the payment left
        instant = self.ok("POST", "/v1/payouts", {"amount": 9537, "currency": "usd",
                                                  "method": "instant"})
        self.pay(3000)                 # not available yet: still in the balance
        return auto, manual, instant

    def test_month_with_automatic_manual_and_instant_payouts_reconciles_to_zero(self):
        auto, manual, instant = self.month_of_payments()
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)

        listed = self.paydesk("payouts", "list")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        lines = listed.stdout.splitlines()
        self.assertEqual(lines[0].split()[:3], ["DATE", "PAYOUT", "AMOUNT"])
        for po, how, status in ((instant, "manual instant", "pending"),
                                (manual, "manual standard", "pending"),
                                (auto, "automatic standard", "paid")):
            line = next(ln for ln in lines if po["id"] in ln)
            self.assertIn(money(po["amount"]) + " USD", line)
            self.assertIn(status, line)
            self.assertIn(how, line)
            self.assertTrue(line.endswith("adds up"), line)
        self.assertLess(lines.index(next(ln for ln in lines if instant["id"] in ln)),
                        lines.index(next(ln for ln in lines if auto["id"] in ln)))

        shown = self.paydesk("payouts", "show", manual["id"][:12])
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn("manual, standard", shown.stdout)
        rows = [ln for ln in shown.stdout.splitlines() if ln.startswith("2026-")]
        self.assertEqual(sorted(ln.split()[1] for ln in rows[:2]), ["adjustment", "payment"])
        self.assertEqual(rows[2].split()[1], "payout")      # its own transaction last
        self.assertIn("Ada Lovelace", next(ln for ln in rows if ln.split()[1] == "payment"))
        self.assertIn("they add up (difference 0)", shown.stdout)

        shown = self.paydesk("payouts", "show", auto["id"])
        kinds = sorted(ln.split()[1] for ln in shown.stdout.splitlines()
                       if ln.startswith("2026-"))
        self.assertEqual(kinds, ["dispute", "payment", "payment", "payment", "payout", "refund"])
        self.assertIn("they add up (difference 0)", shown.stdout)
        shown = self.paydesk("payouts", "show", instant["id"])
        self.assertIn("instant payout fee 1.43", shown.stdout)
        self.assertIn("they add up (difference 0)", shown.stdout)

        # the month, from what the fake holds
        txns = [t for t in self.all_txns() if t["type"] not in ("payout", "payout_failure")]
        gross = sum(t["amount"] for t in txns if t["type"] == "charge")
        refunds = sum(t["amount"] for t in txns if t["type"] == "refund")
        disputes = sum(t["amount"] for t in txns if t["reporting_category"] == "dispute")
        adjust = sum(t["amount"] for t in txns if t["type"] == "adjustment"
                     and t["reporting_category"] != "dispute")
        fees = sum(t["fee"] for t in txns)
        net = sum(t["net"] for t in txns)
        waiting = [t for t in txns if t["available_on"] > T0 + 10 * DAY]
        self.assertEqual(len(waiting), 1)
        payouts = auto["amount"] + manual["amount"] + instant["amount"]
        self.assertEqual((gross, refunds, disputes, adjust, fees),
                         (37500, -500, -7500, -250, 175 + 88 + 248 + 320 + 320 + 117 + 1500))
        month = self.paydesk("payouts", "month", "2026-11")
        self.assertEqual(month.returncode, 0, month.stderr)
        got = {}
        for ln in month.stdout.splitlines():
            m = re.match(r"^  (.+?)\s{2,}(-?[\d,]+\.\d\d)\b(.*)$", ln)
            if m:
                got[m.group(1)] = (m.group(2), m.group(3).strip())
        self.assertEqual(got["Gross payments"][0], money(gross))
        self.assertEqual(got["Refunds"][0], money(refunds))
        self.assertEqual(got["Disputes"][0], money(disputes))
        self.assertEqual(got["Adjustments"][0], money(adjust))
        self.assertEqual(got["Stripe fees"][0], money(-fees))
        self.assertEqual(got["Net"][0], money(net))
        self.assertEqual(got["Paid out"][0], money(net - waiting[0]["net"]))
        self.assertEqual(got["Still in balance"][0], money(waiting[0]["net"]))
        self.assertEqual(got["Net - paid out - in balance"], ("0.00", "(reconciled)"))
        self.assertEqual(got["Payouts made in the month"][0], money(payouts))
        self.assertIn("instant payout fees 1.43", month.stdout)
        # paid out this month = the payouts made, their fee included
        self.assertEqual(net - waiting[0]["net"], payouts + 143)

        # the plain export names the payout that took each record's money to the bank
        exported = self.paydesk("export")
        self.assertEqual(exported.returncode, 0, exported.stderr)
        import csv
        import io
        recs = list(csv.DictReader(io.StringIO(exported.stdout)))
        by_amount = {(r["type"], r["amount"]): r["payout"] for r in recs}
        self.assertEqual(by_amount[("payment", "50.00")], auto["id"])
        self.assertEqual(by_amount[("refund", "-5.00")], auto["id"])
        self.assertEqual(by_amount[("payment", "30.00")], "")       # still in the balance
        self.assertEqual(sorted(r["payout"] for r in recs if r["amount"] == "100.00"),
                         sorted([manual["id"], instant["id"]]))

        empty = self.paydesk("payouts", "month", "2026-10")
        self.assertIn("No money moved", empty.stdout)
        bad = self.paydesk("payouts", "month", "Nov")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("YYYY-MM", bad.stderr)

    def test_accounting_export_of_one_payout_comes_to_zero(self):
        # The bookkeeper books one bank deposit at a time: a payout's statement is
        # its transactions (gross, each fee on its own line) and the payout itself.
        auto, manual, _instant = self.month_of_payments()
        self.assertEqual(self.paydesk("sync").returncode, 0)
        for po in (auto, manual):
            out = self.paydesk("export", "--format", "quickbooks", "--payout", po["id"])
            self.assertEqual(out.returncode, 0, out.stderr)
            rows = out.stdout.splitlines()
            self.assertEqual(rows[0], "Date,Description,Amount")
            amounts = [round(float(r.rsplit(",", 1)[1]) * 100) for r in rows[1:]]
            self.assertEqual(sum(amounts), 0, out.stdout)          # the clearing account at zero
            self.assertIn(-po["amount"], amounts, out.stdout)      # the deposit to the bank
            self.assertGreater(len(amounts), 2)
        bad = self.paydesk("export", "--format", "xero", "--payout", "ch_123")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--payout takes a payout id", bad.stderr)
        both = self.paydesk("export", "--format", "xero", "--payout", auto["id"],
                            "--since", "2026-11-01")
        self.assertEqual(both.returncode, 2)
        self.assertIn("not both", both.stderr)
        gone = self.paydesk("export", "--format", "xero", "--payout", "po_nothere")
        self.assertEqual(gone.returncode, 1)
        self.assertIn("no synced payout po_nothere", gone.stderr)

    def test_incremental_sync_sees_a_payout_arrive_and_only_asks_for_new_ones(self):
        auto, manual, instant = self.month_of_payments()
        self.assertEqual(self.paydesk("sync").returncode, 0)
        self.fake.clear_requests()
        self.fake.control("POST", "/payouts/%s/status" % manual["id"], {"status": "paid"})
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        listed = self.paydesk("payouts", "list").stdout
        self.assertIn("paid", next(ln for ln in listed.splitlines() if manual["id"] in ln))
        lists = [r for r in self.fake.requests(method="GET", path_prefix="/v1/payouts")
                 if r["path"] == "/v1/payouts"]
        self.assertEqual(len(lists), 1)
        self.assertIn("created", str(lists[0]["params"]))
        by_payout = [r for r in self.fake.requests(method="GET",
                                                    path_prefix="/v1/balance_transactions")
                     if "payout" in str(r["params"])]
        self.assertEqual(by_payout, [])   # every payout's transactions already known

    def test_a_key_without_payouts_read_still_syncs_the_history_and_says_so(self):
        # a restricted key made before paydesk read payouts
        self.month_of_payments()
        self.fake.add_key(DEFAULT_KEY, permissions={"payouts": "none"}, default="write")
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Payouts: Read", out.stderr)
        db = sqlite3.connect(self.home.db)
        self.addCleanup(db.close)
        self.assertEqual(db.execute("SELECT count(*) FROM history WHERE type = 'payment'")
                         .fetchone()[0], 6)
        self.assertIn("No payouts synced yet", self.paydesk("payouts").stdout)


class PayoutSyncResumeTest(unittest.TestCase):
    """Interrupted (Ctrl-C) while listing a payout's transactions, page by page: the next
    sync goes on from the page it reached, and ends with what a clean sync has."""

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        PayoutsTest.setUp(self)

    paydesk = PayoutsTest.paydesk
    ok = PayoutsTest.ok

    def test_interrupted_mid_way_resumes(self):
        self.fake.set_clock(T0)
        for i in range(330):
            self.ok("POST", "/v1/payment_intents", {"amount": 1000 + i, "currency": "usd",
                                                     "payment_method": "pm_card_visa",
                                                     "confirm": True})
        self.fake.set_clock(T0 + 3 * DAY)
        po = self.fake.control("POST", "/payouts/run", {})["payouts"][0]
        self.fake.add_fault("latency", ms=700, path_prefix="/v1/balance_transactions")
        proc = subprocess.Popen([paydesk_bin(), "sync"], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        db = sqlite3.connect(self.home.db, timeout=5)
        deadline = time.time() + 90
        seen = 0
        while time.time() < deadline and proc.poll() is None:
            try:
                seen = db.execute("SELECT count(*) FROM payout_txns WHERE payout_id = ?",
                                  (po["id"],)).fetchone()[0]
            except sqlite3.OperationalError:
                seen = 0            # not migrated yet
            if seen:
                break
            time.sleep(0.05)
        self.assertGreater(seen, 0, "the sync never reached the payout's transactions")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("resumes", err)
        got = db.execute("SELECT count(*) FROM payout_txns WHERE payout_id = ?",
                         (po["id"],)).fetchone()[0]
        self.assertLess(got, 331)          # stopped mid-way: 330 payments and the payout
        self.fake.clear_faults()
        self.fake.clear_requests()
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)
        by_payout = [r for r in self.fake.requests(method="GET",
                                                    path_prefix="/v1/balance_transactions")
                     if "payout" in str(r["params"])]
        self.assertTrue(by_payout)
        self.assertIn("starting_after", str(by_payout[0]["params"]))   # went on, not over
        self.assertEqual(db.execute("SELECT count(*), sum(net) FROM payout_txns"
                                    " WHERE payout_id = ?", (po["id"],)).fetchone(), (331, 0))
        db.close()
        listed = self.paydesk("payouts", "list").stdout
        self.assertTrue(next(ln for ln in listed.splitlines() if po["id"] in ln)
                        .endswith("adds up"))


if __name__ == "__main__":
    unittest.main()
