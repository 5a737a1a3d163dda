"""Opening a database an older paydesk wrote: it is upgraded in place, and a
person at a terminal is told why the first screen takes a while and for
about how long (an upgrade may copy the whole billing history: 4 min 40 s
at ten million records, nothing moving meanwhile); a command run from cron
stays quiet."""
import os
import sqlite3
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, HERE)

from tmuxharness import Home, paydesk_bin  # noqa: E402
from test_exports import run_on_terminal  # noqa: E402

NOTICE = b"upgrading the database"


def amount_index(path):
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT sql FROM sqlite_schema WHERE name = 'history_amount'").fetchone()
        version = con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()
    return version, row[0] if row else None


class UpgradeTest(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**os.environ, **self.home.env}


    def export(self, on_terminal):
        argv = [paydesk_bin(), "export", "--output", os.path.join(self.home.path, "x.csv"),
                "--replace"]
        if on_terminal:
            return run_on_terminal(argv, self.env)
        out = subprocess.run(argv, capture_output=True, env=self.env, timeout=60)
        return out.returncode, out.stdout + out.stderr

    def make_schema_37(self):
        """The database as the paydesk before schema 38 left it: its amount
        index held every currency together."""
        rc, out = self.export(on_terminal=False)
        self.assertEqual(rc, 0, out)
        path = self.home.db
        con = sqlite3.connect(path)
        con.executescript(
            "DROP VIEW history_currencies;"
            "DROP INDEX history_amount; CREATE INDEX history_amount ON history(amount, id);"
            "DROP INDEX history_out_amount; CREATE INDEX history_out_amount ON"
            " history(amount, id DESC) WHERE type IN ('refund', 'desk_refund');"
            "PRAGMA user_version = 37;")
        con.close()
        return path

    def test_a_new_database_is_made_without_a_word(self):
        rc, out = self.export(on_terminal=True)
        self.assertEqual(rc, 0, out)
        self.assertNotIn(NOTICE, out)

    def test_an_older_database_on_a_terminal_says_it_is_upgrading(self):
        path = self.make_schema_37()
        rc, out = self.export(on_terminal=True)
        self.assertEqual(rc, 0, out)
        self.assertIn(b"paydesk: upgrading the database (schema 37 to ", out)
        self.assertNotIn(b"about", out)  # an empty history: no wait worth saying
        out.decode("ascii")  # readable whatever the terminal's locale
        version, sql = amount_index(path)
        self.assertGreaterEqual(version, 38)
        self.assertIn("(lower(currency), amount, id)", sql)
        # once: the next start has nothing to say
        rc, again = self.export(on_terminal=True)
        self.assertEqual(rc, 0, again)
        self.assertNotIn(NOTICE, again)

    def test_a_large_history_is_told_how_long_its_upgrade_takes(self):
        """A tester waited 17 s (1M records) with one line on the screen, at 10M
        it is minutes: the notice says how many records and about how long."""
        path = self.make_schema_37()
        con = sqlite3.connect(path)
        # the history's size is read from its highest id (ids are dense)
        con.execute("INSERT INTO history (id, stripe_id, type, created, amount, currency,"
                    " status, synced_at) VALUES (5000000, 'pi_1', 'payment', 1767225600, 100,"
                    " 'usd', 'succeeded', 1)")
        con.commit()
        con.close()
        rc, out = self.export(on_terminal=True)
        self.assertEqual(rc, 0, out)
        self.assertIn(b"(schema 37 to ", out)
        self.assertIn(b"; 5,000,000 billing records)", out)
        self.assertIn(b"paydesk: this takes about 4 minutes...", out)
        # a tester's 80-column terminal wrapped it mid-word: "ab / out 14 s"
        for line in out.decode("ascii").splitlines():
            self.assertLessEqual(len(line), 80, line)

    def test_an_older_database_from_cron_is_upgraded_quietly(self):
        path = self.make_schema_37()
        rc, out = self.export(on_terminal=False)
        self.assertEqual(rc, 0, out)
        self.assertNotIn(NOTICE, out)
        version, sql = amount_index(path)
        self.assertGreaterEqual(version, 38)
        self.assertIn("(lower(currency), amount, id)", sql)


if __name__ == "__main__":
    unittest.main()
