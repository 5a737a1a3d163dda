"""A test case against the fake Stripe: one fake per test class (reset before each
test), a throwaway paydesk home connected to it with `paydesk setup`, and the small
helpers such tests share (run a paydesk command, read the store)."""
import os
import sqlite3
import subprocess
import sys
import unittest

from tmuxharness import ROOT, Home, paydesk_bin

sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402

PLATFORM = "acct_1FakePlatform000"


class ConnectedCase(unittest.TestCase):
    """Subclasses set what differs: the key (KEY; added to the fake when it is not the
    fake's default), extra `paydesk setup` arguments, the passphrase, a seed."""
    KEY = DEFAULT_KEY
    PASSPHRASE = "connected case passphrase"
    SETUP_ARGS = ()
    SEED = None
    EXTRA_ENV = {}

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        if self.SEED:
            self.fake.seed(self.SEED)
        if self.KEY != DEFAULT_KEY:
            self.fake.add_key(self.KEY, default="write", account=PLATFORM)
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
                    "PAYDESK_PASSPHRASE": self.PASSPHRASE, **self.EXTRA_ENV}
        allow = ["--allow-secret-key"] if self.KEY.startswith("sk_") else []
        out = self.paydesk("setup", "--account", PLATFORM, *allow, *self.SETUP_ARGS,
                           stdin=self.KEY + "\n")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def paydesk(self, *args, stdin="", check=None, timeout=120):
        out = subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                             text=True, env={**os.environ, **self.env}, timeout=timeout)
        if check is not None:
            self.assertEqual(out.returncode, check, out.stdout + out.stderr)
        return out

    def query(self, sql, args=()):
        con = sqlite3.connect(self.home.db)
        try:
            rows = con.execute(sql, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()
