"""What the integration tests that run the payment use cases share: one fake Stripe per
class, a fresh store per test, build/tools/pay_driver (PAYDESK_TOOLS_DIR) run on it with
`drive`, and a client with a saved card booked. Before, each test file had its own copy of
all of it (test_charge_queue, test_payments_desk, test_policies, …)."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402

TOOLS = os.environ.get("PAYDESK_TOOLS_DIR", os.path.join(ROOT, "build", "tools"))
DRIVER = os.path.join(TOOLS, "pay_driver")
PAYDESK = os.environ.get("PAYDESK_BIN") or os.path.join(ROOT, "paydesk")


class DriverCase(unittest.TestCase):
    """self.dir (removed after the test), self.db and self.log; billing with Stripe on.
    A subclass names its temp folders (prefix) and who drives (user), and may put the
    store elsewhere or prepare it first (db_path, before_first_drive)."""
    fake = None
    prefix = "paydesk-driver-"
    user = "sam"

    @classmethod
    def setUpClass(cls):
        if not os.access(DRIVER, os.X_OK):
            raise unittest.SkipTest("pay_driver not built (%s)" % DRIVER)
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        if cls.fake:
            cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.dir = tempfile.mkdtemp(prefix=self.prefix)
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.db = self.db_path()
        self.log = os.path.join(self.dir, "paydesk.log")
        self.before_first_drive()
        self.drive("settings", "bill_with_stripe", "on")

    def db_path(self):
        return os.path.join(self.dir, "paydesk.db")

    def before_first_drive(self):
        pass

    def base_env(self):
        """The environment pay_driver and paydesk run in, before the Stripe key."""
        return dict(os.environ)

    def driver_env(self, key=DEFAULT_KEY):
        """base_env with the Stripe key pay_driver uses (None: none)."""
        env = self.base_env()
        env.pop("PAYDESK_TEST_STRIPE_KEY", None)
        if key:
            env["PAYDESK_TEST_STRIPE_KEY"] = key
        return env

    def driver_argv(self, *args, role="admin", user=None, base=None):
        return [DRIVER, "--api-base", base or self.fake.base_url, "--db", self.db,
                "--log", self.log, "--role", role, "--user", user or self.user] + list(args)

    def drive(self, *args, expect=0, key=DEFAULT_KEY, role="admin", user=None, base=None):
        """pay_driver ARGS as role/user with key (None: no key); its exit status must be
        expect (None: any); returns its closing JSON line."""
        proc = subprocess.run(self.driver_argv(*args, role=role, user=user, base=base),
                              env=self.driver_env(key), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=90)
        if expect is not None:
            self.assertEqual(proc.returncode, expect, proc.stdout + proc.stderr)
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def client_with_card(self, pm="pm_card_visa", name="Amy Pond", email="amy@example.com"):
        """A client synced to a Stripe customer with pm saved (None: no card): (id, cus_…)."""
        c = self.drive("client", name, email)["subject"]
        synced = self.drive("sync", str(c["id"]))
        cus = synced["subject"]["customer"]
        self.assertTrue(cus.startswith("cus_"), synced)
        if pm:
            r = self.fake.api("POST", "/v1/payment_methods/%s/attach" % pm, {"customer": cus})
            self.assertEqual(r.status, 200, r.json())
            self.drive("cards", str(c["id"]))
        return c["id"], cus

    def book(self, client, price=4000, currency="usd"):
        return self.drive("book", str(client), str(price), currency)["subject"]

    def booked_with_card(self, price=4000, currency="usd"):
        """A client with a saved card, booked: the appointment."""
        client, _ = self.client_with_card()
        return self.book(client, price, currency)

    def sql(self, query, args=()):
        """query on the store; a write is committed (a test moving a start date back)."""
        con = sqlite3.connect(self.db)
        try:
            with con:
                return con.execute(query, args).fetchall()
        finally:
            con.close()


class DeskUserCase(DriverCase):
    """A DriverCase whose store is ./paydesk's own under a private XDG tree, with the admin
    Alex (PIN 2468) added, so a test can run ./paydesk commands too (paydesk)."""
    user = "Alex"

    def db_path(self):
        return os.path.join(self.dir, "data", "paydesk", "paydesk.db")

    def before_first_drive(self):
        self.env = dict(os.environ, XDG_DATA_HOME=os.path.join(self.dir, "data"),
                        XDG_CONFIG_HOME=os.path.join(self.dir, "config"),
                        XDG_STATE_HOME=os.path.join(self.dir, "state"),
                        PAYDESK_VAULT_KDF="interactive", TZ="UTC")
        for k in ("PAYDESK_PIN", "PAYDESK_PASSPHRASE", "PAYDESK_TEST_STRIPE_KEY"):
            self.env.pop(k, None)
        self.paydesk("users", "add", "--name", "Alex", "--role", "admin", stdin="2468\n")

    def base_env(self):
        return dict(self.env)

    def paydesk(self, *args, expect=0, stdin="", pin=None):
        """./paydesk ARGS (with pin as PAYDESK_PIN); its exit status must be expect;
        returns what it printed."""
        env = dict(self.env)
        if pin:
            env["PAYDESK_PIN"] = pin
        p = subprocess.run([PAYDESK] + list(args), env=env, input=stdin, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(p.returncode, expect, p.stdout + p.stderr)
        return p.stdout + p.stderr
