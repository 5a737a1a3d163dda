"""Every number on the command line is read strictly (issue 16): the whole
text, in range. A bad one exits 2 with a message naming the option and what
it takes, and nothing reaches Stripe (the fake's request log stays empty)
and nothing is saved. Before, `--invoice-days thirty` charged the card
instead of emailing an invoice, `--quantity abc` subscribed 1 and an id
`1abc` was read as 1."""
import os
import sqlite3
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from fakeclient import FakeStripe  # noqa: E402
from tmuxharness import Home, paydesk_bin  # noqa: E402

ACCOUNT = "acct_1FakePlatform000"
PK = "pk_test_51PaydeskTestPublishable00"
PASS = "correct horse battery staple"
KEY = "rk_test_51" + "clinumbers".ljust(24, "0")


class CliNumbers(unittest.TestCase):
    fake = None

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**os.environ, **self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
                    "PAYDESK_PASSPHRASE": PASS}
        self.fake.add_key(KEY, default="write", account=ACCOUNT)
        self.paydesk("setup", "--account", ACCOUNT, "--publishable", PK,
                     "--bill-with-stripe", "on", stdin=KEY + "\n", check=0)
        self.paydesk("plans", "create", "--name", "Monthly", "--amount", "49", check=0)
        self.plan = self.sql("SELECT id FROM plans")[0][0]
        cus = self.fake.api("POST", "/v1/customers", {"name": "Ann Lee"}, key=KEY).json()
        self.fake.api("POST", "/v1/payment_methods/pm_card_visa/attach",
                      {"customer": cus["id"]}, key=KEY)
        t = int(time.time())
        self.sql("INSERT INTO clients (name, email, bill_with_stripe, stripe_customer_id,"
                 " created_at, updated_at) VALUES ('Ann Lee', 'ann@example.com', 1, ?, ?, ?)",
                 cus["id"], t, t)
        self.client = self.sql("SELECT id FROM clients")[0][0]

    def paydesk(self, *args, stdin="", check=None):
        out = subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                             text=True, env=self.env, timeout=60)
        if check is not None:
            self.assertEqual(out.returncode, check, out.stdout + out.stderr)
        return out

    def sql(self, query, *args):
        con = sqlite3.connect(self.home.db)
        try:
            rows = con.execute(query, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def refused(self, args, message):
        """args exit 2 saying message, with nothing sent and nothing saved."""
        self.fake.clear_requests()
        before = self.sql("SELECT count(*) FROM subscriptions")[0][0]
        out = self.paydesk(*args)
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
        self.assertIn(message, out.stderr)
        self.assertEqual(self.fake.requests(), [], "sent to Stripe")
        self.assertEqual(self.sql("SELECT count(*) FROM subscriptions")[0][0], before)

    def test_subscribe_numbers(self):
        sub = ["subscriptions", "subscribe", "--client", str(self.client), "--plan",
               str(self.plan)]
        cases = [
            (["--invoice-days", "thirty"],
             "--invoice-days takes a whole number from 1 to 365, not 'thirty'"),
            (["--invoice-days", "0"], "--invoice-days takes a whole number from 1 to 365"),
            (["--invoice-days", "30days"], "--invoice-days takes a whole number from 1 to 365"),
            (["--trial-days", "two"], "--trial-days takes a whole number from 1 to 730, not 'two'"),
            (["--trial-days", "-3"], "--trial-days takes a whole number from 1 to 730"),
            (["--quantity", "abc"], "--quantity takes a whole number from 1 to 999, not 'abc'"),
            (["--quantity", "0"], "--quantity takes a whole number from 1 to 999, not '0'"),
            (["--quantity", "4294967297"], "--quantity takes a whole number from 1 to 999"),
            (["--quantity", "99999999999999999999"], "--quantity takes a whole number"),
            (["--quantity", " 2"], "--quantity takes a whole number from 1 to 999, not ' 2'"),
            (["--trial-until", "2031-02-31"], "--trial-until takes a date as YYYY-MM-DD"),
            (["--trial-until", "2031-01-01junk"], "--trial-until takes a date as YYYY-MM-DD"),
        ]
        for extra, message in cases:
            with self.subTest(extra=extra):
                self.refused(sub + extra, message)
        ids = [
            (["subscriptions", "subscribe", "--client", f"{self.client}abc", "--plan",
              str(self.plan)], f"--client takes a client number or an email, not '{self.client}abc'"),
            (["subscriptions", "subscribe", "--client", str(self.client), "--plan",
              f"{self.plan}abc"], f"--plan takes a plan number or a prod_… id, not '{self.plan}abc'"),
            (["subscriptions", "subscribe", "--client", "-1", "--plan", str(self.plan)],
             "--client takes a client number or an email, not '-1'"),
        ]
        for args, message in ids:
            with self.subTest(args=args):
                self.refused(args, message)
        # The same options, well formed, reach Stripe as typed.
        self.fake.clear_requests()
        self.paydesk(*sub, "--quantity", "2", "--invoice-days", "30", check=0)
        made = self.fake.requests(method="POST", path_prefix="/v1/subscriptions")
        self.assertEqual(len(made), 1)
        params = made[0]["params"]
        self.assertEqual(params["collection_method"], "send_invoice")
        self.assertEqual(str(params["days_until_due"]), "30")
        self.assertEqual(str(params["items"]["0"]["quantity"]), "2")

    def test_subscription_ids_and_changes(self):
        sub = ["subscriptions", "subscribe", "--client", str(self.client), "--plan",
               str(self.plan)]
        # A day that exists, whole, is taken: the trial ends at its local midnight.
        day = time.localtime(time.time() + 10 * 86400)
        until = time.strftime("%Y-%m-%d", day)
        self.fake.clear_requests()
        self.paydesk(*sub, "--trial-until", until, check=0)
        made = self.fake.requests(method="POST", path_prefix="/v1/subscriptions")
        midnight = time.mktime((day.tm_year, day.tm_mon, day.tm_mday, 0, 0, 0, 0, 0, -1))
        self.assertEqual(int(made[0]["params"]["trial_end"]), int(midnight))
        sid = self.sql("SELECT id FROM subscriptions")[0][0]
        cases = [
            (["subscriptions", "change", f"{sid}abc", "--quantity", "2"],
             f"SUB takes a subscription number or a sub_… id, not '{sid}abc'"),
            (["subscriptions", "cancel", f"{sid}x"], "SUB takes a subscription number"),
            (["subscriptions", "change", str(sid), "--quantity", "two"],
             "--quantity takes a whole number from 1 to 999, not 'two'"),
            (["subscriptions", "preview", str(sid), "--quantity", "1000"],
             "--quantity takes a whole number from 1 to 999, not '1000'"),
            (["subscriptions", "list", "--client", "1abc"],
             "--client takes a client number or an email, not '1abc'"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                self.refused(args, message)

    def test_plans_and_connect_numbers(self):
        cases = [
            (["plans", "create", "--name", "Weekly", "--amount", "10", "--interval", "week",
              "--every", "x"], "--every takes a whole number from 1 to 365, not 'x'"),
            (["plans", "create", "--name", "Weekly", "--amount", "10", "--every", "2.5"],
             "--every takes a whole number from 1 to 365, not '2.5'"),
            (["plans", "archive", f"{self.plan}abc"],
             f"PLAN takes a plan number or a prod_… id, not '{self.plan}abc'"),
            (["plans", "edit", "abc", "--name", "X"], "PLAN takes a plan number"),
            (["connect", "status", "--wait", "abc"],
             "--wait takes a whole number from 0 to 86400, not 'abc'"),
            (["connect", "status", "--wait", "-1"], "--wait takes a whole number from 0 to 86400"),
            (["sync", "--passphrase-fd", "3x"], "--passphrase-fd takes a whole number from 0 to 1023"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                self.refused(args, message)
        self.assertEqual([r[0] for r in self.sql("SELECT name FROM plans")], ["Monthly"])

    def test_descriptor_options_name_themselves(self):
        # users, fees, desk and policies said only "a descriptor number is
        # expected", readers "takes a file descriptor number": neither what
        # it takes nor, for the first four, which option was wrong.
        for cmd in (["users", "list"], ["fees", "list"], ["desk", "list"],
                    ["policies", "list"], ["readers", "list"]):
            for flag in ("--pin-fd", "--passphrase-fd"):
                with self.subTest(cmd=cmd, flag=flag):
                    self.refused(cmd + [flag, "3x"],
                                 "%s takes a whole number from 0 to 1023, not '3x'" % flag)


if __name__ == "__main__":
    unittest.main()
