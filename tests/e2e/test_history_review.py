"""Review that keeps up with a month, in tmux on a generated history: Space marks a record and
brings up the next, R marks every record of the filter after saying how many, and a search
finds an amount (`/12.34`) or a card's last 4 digits."""
import os
import re
import sqlite3
import subprocess
import time
import unittest

from tmuxharness import ROOT, Home, Terminal, paydesk_bin

TOOLS = os.environ.get("PAYDESK_TOOLS_DIR") or os.path.join(ROOT, "build", "tools")


class ReviewAMonth(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = dict(self.home.env, TZ="UTC")
        self.db = os.path.join(self.home.path, "history.db")
        subprocess.run([os.path.join(TOOLS, "history_gen"), "--db", self.db, "--rows", "2500",
                        "--seed", "5"], check=True, stdout=subprocess.DEVNULL)
        self.sql("DELETE FROM reviews")  # the generator's sample marks

    def sql(self, query, args=()):
        con = sqlite3.connect(self.db)
        try:
            rows = con.execute(query, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def start(self, width=100, height=30):
        term = Terminal([paydesk_bin(), "--db", self.db, "--screen", "history"], width=width,
                        height=height, env=self.env)
        self.addCleanup(term.close)
        term.wait_for("synced never")
        return term

    def reviewed(self):
        return {r[0] for r in self.sql("SELECT stripe_id FROM reviews WHERE reviewed = 1")}

    def test_space_marks_and_moves_R_marks_the_filter(self):
        term = self.start()
        term.wait_for("1/2,500")
        for i in range(3):
            term.send("Space")
            term.wait_for("%d/2,500" % (i + 2))
        newest = [r[0] for r in self.sql("SELECT stripe_id FROM history"
                                         " ORDER BY created DESC, id DESC LIMIT 3")]
        self.assertEqual(self.reviewed(), set(newest))
        self.assertEqual(term.screen().count("\u2713"), 3)
        # Space on a reviewed record takes the mark off and stays there
        term.send("k")
        term.wait_for("3/2,500")
        term.send("Space")
        for _ in range(100):
            if term.screen().count("\u2713") == 2:
                break
            time.sleep(0.05)
        self.assertEqual(term.screen().count("\u2713"), 2)
        self.assertIn("3/2,500", term.screen())
        self.assertEqual(self.reviewed(), set(newest[:2]))

        # R: every refund of the filter, after a confirmation with the count
        refunds = {r[0] for r in self.sql("SELECT stripe_id FROM history WHERE type = 'refund'")}
        self.assertGreater(len(refunds), 10)
        term.send("F")
        term.wait_for("Filters")
        term.send("Tab", "Tab", "Tab", "Tab", "Right", "Right")  # type: refund
        term.wait_for("< refund >")
        term.send("Enter")
        term.wait_gone("Filters")
        term.wait_for("1/%s " % format(len(refunds), ","))
        term.send("R")
        shown = term.wait_for("Review all")
        pending = len(refunds - set(newest[:2]))
        self.assertIn("Mark %d records reviewed, as Alex?" % pending, shown)
        term.send("n")                      # not now: nothing marked
        term.wait_gone("Review all")
        self.assertEqual(self.reviewed(), set(newest[:2]))
        term.send("R")
        term.wait_for("Review all")
        term.send("y")
        term.wait_for("marked %d records reviewed" % pending)
        self.assertEqual(self.reviewed(), refunds | set(newest[:2]))
        by = self.sql("SELECT DISTINCT reviewed_by FROM reviews WHERE reviewed = 1")
        self.assertEqual(by, [("Alex",)])
        audit = self.sql("SELECT detail FROM audit_log WHERE action = 'history.mark'"
                         " ORDER BY id DESC LIMIT 1")
        self.assertEqual(audit, [("reviewed %d records: refund" % pending,)])
        term.send("R")
        term.wait_for("every record here is reviewed already")
        term.send("q")
        self.assertEqual(term.exit_status(), 0)

    def test_R_marks_the_selected_record_on_screen_too(self):
        """An accountant searched a client and an amount ("Uma L. Jensen 775"), went
        down two rows and pressed R, y: "marked 5 records reviewed", every row got
        the \u2713 but the selected one, which stayed blank through j and k (the
        store had it reviewed) until the next search."""
        name, amount = self.sql(
            "SELECT client_name, amount FROM history WHERE client_name NOT LIKE '%''%'"
            " AND amount % 100 = 0 AND currency = 'usd' GROUP BY client_name, amount"
            " ORDER BY count(*) DESC, client_name, amount LIMIT 1")[0]
        typed = "%s %d" % (name, amount // 100)
        term = self.start(80, 24)
        term.send("/")
        term.type(typed)
        term.send("Enter")
        shown = term.wait_for(r" 1/\d+ ", regex=True)
        n = int(re.search(r" 1/(\d+) ", shown).group(1))
        self.assertTrue(3 <= n <= 12, shown)  # a screen of them

        def rows(shown):
            lines = shown.splitlines()
            end = next(i for i, l in enumerate(lines) if l.strip().startswith("records"))
            return [l for l in lines[3:end] if l.strip()]

        self.assertEqual(len(rows(shown)), n, shown)
        term.send("j")
        term.wait_for(" 2/%d " % n)
        term.send("j")
        term.wait_for(" 3/%d " % n)
        term.send("R")
        term.wait_for("Mark %d records reviewed" % n)
        term.send("y")
        term.wait_gone("Review all")
        shown = term.wait_for("marked %d records reviewed" % n)
        self.assertEqual(len(self.reviewed()), n)
        self.assertIn(" 3/%d " % n, shown)
        listed = rows(shown)
        self.assertEqual(len(listed), n, shown)
        self.assertEqual([l for l in listed if "\u2713" not in l], [], shown)
        # moving keeps it so
        term.send("k")
        shown = term.wait_for(" 2/%d " % n)
        self.assertEqual([l for l in rows(shown) if "\u2713" not in l], [], shown)
        term.send("q")
        self.assertEqual(term.exit_status(), 0)

    def test_search_an_amount_and_a_cards_last_4(self):
        amount, cur = self.sql("SELECT amount, currency FROM history WHERE currency = 'usd'"
                               " AND type = 'payment' ORDER BY id LIMIT 1 OFFSET 40")[0]
        text = "%d.%02d" % (amount // 100, amount % 100)
        want = self.sql("SELECT count(*) FROM history WHERE amount = ? AND currency NOT IN"
                        " ('jpy', 'krw', 'bhd', 'jod', 'kwd', 'omr', 'tnd')", (amount,))[0][0]
        last4 = self.sql("SELECT card_last4 FROM history WHERE card_last4 IS NOT NULL"
                         " ORDER BY id LIMIT 1 OFFSET 7")[0][0]
        as_last4 = self.sql("SELECT count(*) FROM history WHERE card_last4 = ? OR"
                            " (amount = ? AND currency NOT IN ('jpy', 'krw', 'bhd', 'jod', 'kwd',"
                            " 'omr', 'tnd')) OR (amount = ? AND currency IN ('jpy', 'krw'))",
                            (last4, int(last4) * 100, int(last4)))[0][0]
        term = self.start()
        term.send("/")
        term.type(text)
        term.send("Enter")
        shown = term.wait_for("1/%d " % want)
        self.assertIn("/" + text, shown)
        self.assertIn(text, shown)
        term.send("Escape")
        term.wait_for("1/2,500")
        term.send("/")
        term.type(last4)
        term.send("Enter")
        shown = term.wait_for("1/%s " % format(as_last4, ","))
        self.assertIn(last4, shown)
        term.send("q")
        self.assertEqual(term.exit_status(), 0)

    def test_sort_by_amount_is_within_a_currency(self):
        term = self.start()
        first_cur = self.sql("SELECT currency FROM history ORDER BY created DESC, id DESC"
                             " LIMIT 1")[0][0]
        n = self.sql("SELECT count(*) FROM history WHERE currency = ?", (first_cur,))[0][0]
        top = self.sql("SELECT amount FROM history WHERE currency = ? ORDER BY amount DESC,"
                       " id DESC LIMIT 1", (first_cur,))[0][0]
        term.send("s")                       # date ↑
        term.wait_for("date \u2191")
        term.send("s")                       # amount ↓, in the selected record's currency
        shown = term.wait_for("amount \u2193")
        term.send("g")                       # the sort kept that record selected: to the top
        shown = term.wait_for("1/%s " % format(n, ","))
        self.assertIn("\u00b7 " + first_cur, shown)
        rows = [l for l in shown.splitlines()[2:] if " %s " % first_cur in l]
        self.assertGreater(len(rows), 5)
        other = {"usd", "eur", "gbp", "jpy"} - {first_cur}
        self.assertFalse([l for l in shown.splitlines()[2:-6] for c in other if " %s " % c in l])
        digits = "".join(ch for ch in rows[0].split(first_cur)[0].split()[-1] if ch.isdigit())
        self.assertEqual(int(digits), top)
        # amount ↑: signed, so the largest refund (money out) comes first
        biggest_refund = self.sql("SELECT amount FROM history WHERE currency = ? AND"
                                  " type = 'refund' ORDER BY amount DESC LIMIT 1",
                                  (first_cur,))[0][0]
        term.send("s")
        shown = term.wait_for("amount \u2191")
        term.send("g")
        shown = term.wait_for("1/%s " % format(n, ","))
        first = [l for l in shown.splitlines()[2:] if " %s " % first_cur in l][0]
        amount_text = first.split(first_cur)[0].split()[-1]
        self.assertTrue(amount_text.startswith("-"), first)
        self.assertEqual(int("".join(ch for ch in amount_text if ch.isdigit())), biggest_refund)
        term.send("s")                       # date ↓: every currency again
        term.wait_for("date \u2193")
        term.send("g")
        term.wait_for("1/2,500")
        term.send("q")
        self.assertEqual(term.exit_status(), 0)

    def test_rows_say_why_a_payment_failed_and_what_a_refund_refunds(self):
        term = self.start()
        term.send("F")
        term.wait_for("Filters")
        term.send("Tab", "Tab", "Tab", *(["Right"] * 6))   # status: failed
        term.wait_for("< failed >")
        term.send("Enter")
        term.wait_gone("Filters")
        shown = term.wait_for("insufficient funds")
        failed = [l for l in shown.splitlines() if re.search(r"\d [a-z]{3} failed ", l)
                  and " of pi_" not in l]
        self.assertTrue(failed)
        self.assertTrue(all("insufficient funds" in l for l in failed), shown)
        term.send("Enter")
        shown = term.wait_for("Declined")
        self.assertIn("The card was declined for insufficient funds (insufficient_funds)", shown)
        term.send("Escape")
        term.send("x")
        term.wait_for("1/2,500")
        pi = self.sql("SELECT payment_intent FROM history WHERE type = 'refund'"
                      " ORDER BY created DESC, id DESC LIMIT 1")[0][0]
        term.send("F")
        term.wait_for("Filters")
        term.send("Tab", "Tab", "Tab", "Tab", "Right", "Right")   # type: refund
        term.wait_for("< refund >")
        term.send("Enter")
        term.wait_gone("Filters")
        shown = term.wait_for(" of pi_")
        self.assertIn("of " + pi[:12], shown)
        term.send("Enter")
        shown = term.wait_for("Refund of")
        self.assertIn(pi, shown)
        term.send("q")
        self.assertEqual(term.exit_status(), 0)


if __name__ == "__main__":
    unittest.main()
