"""What the end-to-end tests of the desk's money share: a fake Stripe per class, a fresh
home per test with paydesk pointed at the fake, `paydesk setup` with the class's keys, and
the keys a desk presses to add a service and a staff member and to fill the booking form.
Before, test_desk_tenders_e2e, test_payments_e2e, test_pay_precheck_e2e and
test_policies_e2e each had their own copy."""
import os
import sqlite3
import subprocess
import sys
import unittest

from tmuxharness import Home, Terminal, paydesk_bin

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))

from fakeclient import FakeStripe  # noqa: E402

PLATFORM = "acct_1FakePlatform000"


class DeskCase(unittest.TestCase):
    """self.home, self.env (the fake's address, UTC, the vault passphrase); a subclass
    gives its own KEY, PUBLISHABLE and PASSPHRASE."""
    KEY = PUBLISHABLE = PASSPHRASE = None

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        start_home(self, self.PASSPHRASE)

    def paydesk(self, *args, input=None):
        return subprocess.run([paydesk_bin(), *args], input=input, text=True,
                              capture_output=True, env={**os.environ, **self.env})

    def setup_stripe(self, *options):
        """paydesk setup with the class's keys and options; it must succeed."""
        run_setup(self, self.KEY, self.PUBLISHABLE, *options)

    def query(self, sql):
        con = sqlite3.connect(self.home.db)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


# Functions of the test rather than methods: other test files borrow setUp methods built
# on them (setUp = test_payments_e2e.Payments.setUp) into classes of their own.
def start_home(test, passphrase):
    """test.home (fresh) and test.env: paydesk pointed at test.fake, in UTC, with the
    vault passphrase; the fake reset."""
    test.fake.reset()
    test.home = Home()
    test.addCleanup(test.home.close)
    test.env = {**test.home.env, "PAYDESK_TIMEZONE": "UTC",
                "PAYDESK_API_BASE": test.fake.base_url, "PAYDESK_PASSPHRASE": passphrase}


def run_setup(test, key, publishable, *options):
    """paydesk setup against test.fake with these keys and options; it must succeed."""
    setup = subprocess.run(
        [paydesk_bin(), "setup", "--account", PLATFORM, "--publishable", publishable, *options],
        input=key + "\n", text=True, capture_output=True, env={**os.environ, **test.env})
    test.assertEqual(setup.returncode, 0, setup.stdout + setup.stderr)


def open_desk(test):
    """paydesk in tmux at 80x24 with test.env, closed after the test, at its first screen."""
    t = Terminal([paydesk_bin()], 80, 24, env=test.env)
    test.addCleanup(t.close)
    t.wait_for("?:help")
    return t


def new_client(t, name="Zoë Martin", email=None):
    """On the Clients tab: n and a client named name, with email billed with Stripe, saved
    (Ctrl-S); what it says next is the caller's to wait for."""
    t.send("2")
    t.wait_for("Clients · Services · Staff")
    t.send("n")
    t.wait_for("New client")
    t.type(name)
    if email:
        t.send("Tab")
        t.type(email)
        t.send("Tab", "Tab", "Tab")
        t.send("Space")  # Bill with Stripe: yes
    t.send("C-s")


def add_service_and_staff(t, price, service="Haircut", minutes="60", staff="Alice",
                          hours="mon-sun 08:00-20:00"):
    """On the Clients tab: v to Services and a service at price, v to Staff and a staff
    member working hours."""
    t.send("v")
    t.wait_for("No services yet")
    t.send("n")
    t.type(service)
    t.send("Tab")
    t.type(minutes)
    t.send("Tab")
    t.type(price)
    t.send("C-s")
    t.wait_for("service added: " + service)
    t.send("v")
    t.wait_for("No staff yet")
    t.send("n")
    t.type(staff)
    t.send("Tab")
    t.type(hours)
    t.send("C-s")
    t.wait_for("staff member added: " + staff)


def fill_booking(t, search, name, date="2030-01-07", hour="10:00"):
    """1, n, the client found by search (shown as name), the date and the hour: the
    booking form filled, not yet saved (Ctrl-S is the caller's)."""
    t.send("1")
    t.wait_for("Day agenda")
    t.send("n")
    t.wait_for("Book an appointment")
    t.type(search)
    t.wait_for("> " + name)
    t.send("Tab", "Tab", "Tab")
    t.send("C-u")
    t.type(date)
    t.send("Tab")
    t.type(hour)
