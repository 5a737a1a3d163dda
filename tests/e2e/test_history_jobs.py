"""Long History work runs on a worker, not the UI thread: an export answers keys while it
runs, Esc stops it and says so, and a stopped export leaves no file (not even its temp
file) that could pass for a complete one. A finished export is whole and audited."""
import csv
import glob
import os
import sqlite3
import unittest

from tmuxharness import Home, Terminal, paydesk_bin
from test_history import gen

ROWS = 60000  # a few hundred ms of export: the stop always arrives before the end


class HistoryExportJob(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = dict(self.home.env, TZ="UTC")
        self.db = os.path.join(self.home.path, "history.db")
        gen(self.db, "--rows", str(ROWS), "--seed", "5")

    def start(self):
        term = Terminal([paydesk_bin(), "--db", self.db, "--screen", "history"], 80, 24,
                        env=self.env)
        self.addCleanup(term.close)
        term.wait_for("synced never")
        return term

    def export_form(self, term, path):
        term.send("e")
        term.wait_for("Export what is shown")
        term.send("Tab", "C-u")
        term.type(path)

    def test_keys_answer_and_esc_stops_the_export_leaving_no_file(self):
        term = self.start()
        self.assertIn("1/", term.screen())
        out = os.path.join(self.home.path, "stopped.csv")
        self.export_form(term, out)
        # Enter starts it; j moves the selection meanwhile; Esc stops it. All in one go:
        # on the UI thread the export ran to its end before j and Esc were even read.
        term.send("Enter", "j", "Escape")
        term.wait_for("export stopped", timeout=20)
        self.assertIn("2/", term.screen())  # j was answered while the export ran
        self.assertIn("no file was written", term.screen())
        self.assertFalse(os.path.exists(out))
        self.assertEqual(glob.glob(out + "*"), [])  # no temp file left behind either
        con = sqlite3.connect(self.db)
        audited = con.execute("SELECT count(*) FROM audit_log WHERE action = 'export.history'"
                              ).fetchone()[0]
        con.close()
        self.assertEqual(audited, 0)

        # Not stopped, it finishes: every record, and the audit entry.
        done = os.path.join(self.home.path, "done.csv")
        self.export_form(term, done)
        term.send("Enter")
        term.wait_for(f"exported {ROWS:,} records|exported {ROWS} records", timeout=60,
                      regex=True)
        with open(done, newline="", encoding="utf-8") as f:
            self.assertEqual(sum(1 for _ in csv.reader(f)), ROWS + 1)
        term.send("q")
        term.exit_status()
        con = sqlite3.connect(self.db)
        audited = con.execute("SELECT count(*) FROM audit_log WHERE action = 'export.history'"
                              ).fetchone()[0]
        con.close()
        self.assertEqual(audited, 1)


if __name__ == "__main__":
    unittest.main()
