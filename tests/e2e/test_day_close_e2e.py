"""The day close at 80x24 (issue 19): a walk-in pays 25.00 in cash at the front desk, the
desk goes to today and presses Z on the Appointments tab: the day's takings by tender and
the cash expected; 24.50 counted shows the difference, is refused without a comment, then
closed with one after a confirmation; the closed day shows its close, the store holds it,
the audit log names who closed, and closing it again from the command line is refused."""
import os
import sqlite3
import subprocess
import sys
import time
import unittest

from tmuxharness import Home, Terminal, paydesk_bin

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import test_desk_tenders_e2e as desk_tenders  # noqa: E402


class DayCloseTui(unittest.TestCase):
    book_walk_in = desk_tenders.DeskTenders.book_walk_in

    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**self.home.env, "PAYDESK_TIMEZONE": "UTC", "PAYDESK_DESK": "front"}

    def query(self, sql):
        con = sqlite3.connect(self.home.db)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def walk_in_paid_in_cash(self):
        """book_walk_in, then p and its 25.00 taken in cash: the terminal at the agenda."""
        t = self.book_walk_in()
        t.wait_for(r"10:00.*Zoë Martin.*booked", regex=True)
        t.send("p")
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD")
        t.send("Enter", "Space", "Space", "Space")
        t.wait_for("< cash >")
        t.send("Enter", "Enter")
        t.wait_for("Take this payment?")
        t.send("y")
        t.wait_for("Took 25.00 USD in cash (paid).")
        return t

    def test_close_the_day_with_a_cash_difference(self):
        t = self.walk_in_paid_in_cash()
        t.wait_for(r"confirmed\s+paid", regex=True)

        # today, then Z: listed in ? first
        t.send("t")
        t.send("?")
        t.wait_for("close the day shown: takings, cash counted")
        t.send("?")
        t.wait_gone("close the day shown")
        t.send("Z")
        today = time.strftime("%Y-%m-%d", time.gmtime())
        screen = t.wait_for("Day close · ")
        self.assertIn("%s · desk front · everyone" % today, screen)
        self.assertRegex(screen, r"cash\s+USD\s+1\s+25\.00\s+0\.00\s+25\.00")
        self.assertIn("Cash expected in the till: 25.00 USD", screen)
        self.assertIn("Ctrl-S close the day", screen)

        t.type("24,50")
        t.wait_for("Difference: short 0.50 USD · say why in the comment")
        t.send("C-s")
        t.wait_for("short 0.50 USD needs a comment")
        # Tester: the focus moved to Comment unsaid, so the next count typed went there.
        screen = t.wait_for("The cursor is in Comment now: say why; the count stays.")
        self.assertIn("24,50", screen)
        self.assertNotIn("Close the day?", t.screen())
        self.assertEqual(self.query("SELECT count(*) FROM day_closes"), [(0,)])
        t.type("gave 50c too much change")  # the comment field has the focus now
        t.send("C-s")
        screen = t.wait_for("A close is kept as it is")
        self.assertIn("Cash expected 25.00 USD, counted 24.50 USD: short 0.50 USD.", screen)
        t.send("y")
        screen = t.wait_for("Closed by Alex at ")
        self.assertIn("Cash counted: 24.50 USD (short 0.50 USD)", screen)
        self.assertIn("Comment: gave 50c too much change", screen)
        self.assertIn("closed: cash short 0.50 USD", screen)
        for line in screen.splitlines():
            self.assertLessEqual(len(line), 80)
        t.send("Escape")
        t.wait_for("Day agenda")
        t.send("q")
        t.exit_status()

        self.assertEqual(self.query("SELECT day, desk, user_name, expected_cash, counted_cash,"
                                    " comment, closed_by FROM day_closes"),
                         [(today, "front", "", 2500, 2450, "gave 50c too much change",
                           "Alex")])
        self.assertEqual(self.query("SELECT actor, amount FROM audit_log"
                                    " WHERE action = 'day.close'"), [("Alex", 2450)])
        again = subprocess.run([paydesk_bin(), "close", "--desk", "front", "--counted", "25",
                                "--as", "Alex"],
                               capture_output=True, text=True,
                               env={**os.environ, **self.env}, timeout=60)
        self.assertEqual(again.returncode, 1, again.stdout + again.stderr)
        self.assertIn("already closed: by Alex", again.stderr)

    def cli(self, *args):
        return subprocess.run([paydesk_bin(), *args], capture_output=True, text=True,
                              env={**os.environ, **self.env}, timeout=60)

    def test_money_after_a_close_is_closed_by_a_later_close(self):
        # Tester: front closed, then took more; Z still showed the close alone and a
        # second close was refused. Z shows the close in a line and what came since.
        t = self.walk_in_paid_in_cash()
        out = self.cli("close", "--desk", "front", "--counted", "25", "--as", "Alex")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        for args in (("define", "--name", "Credit 50", "--credit", "50", "--currency", "usd",
                      "--price", "45"),
                     ("sell", "Credit 50", "--client", "Zoë Martin", "--tender", "cash",
                      "--yes")):
            out = self.cli("packages", *args, "--as", "Alex")
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        t.send("t")
        t.send("Z")
        # Tester: counting the whole till (70) said "over 45.00": a later close counts
        # the whole till against the close's count + the cash since.
        screen = t.wait_for("Count the whole till: 25.00 counted at ")
        self.assertRegex(screen, r"Count the whole till: 25\.00 counted at \d\d:\d\d"
                                 r" \+ 45\.00 since = 70\.00 USD")
        self.assertIn("· since the close", screen)
        self.assertRegex(screen, r"Closed at \d\d:\d\d by Alex: counted 25.00 USD \(exact\)")
        self.assertRegex(screen, r"cash\s+USD\s+1\s+45\.00\s+0\.00\s+45\.00")
        self.assertIn("the whole till now, as counted", screen)
        for line in screen.splitlines():
            self.assertLessEqual(len(line), 80)
        t.type("70")
        t.wait_for("Difference: exact")
        t.send("C-s")
        screen = t.wait_for("A close is kept as it is")
        self.assertIn("again (the whole till)", screen)
        self.assertIn("Cash expected 70.00 USD, counted 70.00 USD: exact.", screen)
        t.send("y")
        # the day as a whole: both closes' cash, the till as last counted
        screen = t.wait_for("Closed by Alex at ")
        self.assertIn("Cash expected in the till: 70.00 USD", screen)
        self.assertIn("Cash counted: 70.00 USD (exact)", screen)
        self.assertRegex(screen, r"cash\s+USD\s+2\s+70\.00\s+0\.00\s+70\.00")
        self.assertIn("(the last of the day's closes)", screen)
        self.assertEqual(self.query("SELECT expected_cash, counted_cash, whole_till"
                                    " FROM day_closes ORDER BY id"),
                         [(2500, 2500, 0), (7000, 7000, 1)])

if __name__ == "__main__":
    unittest.main()
