"""`paydesk clients import/export` and `paydesk agenda`: round trip with
quotes, commas, line breaks and UTF-8 names; rejected rows with their line
numbers; --atomic and --dry-run; exit codes."""
import os
import sqlite3
import subprocess
import tempfile
import unittest

from tmuxharness import Home, paydesk_bin


class ClientsCli(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        self.tmp = tempfile.mkdtemp(prefix="paydesk-csv-")

    def run_paydesk(self, *args):
        return subprocess.run([paydesk_bin(), *args], capture_output=True,
                              env={**os.environ, **self.home.env, "PAYDESK_TIMEZONE": "UTC"})

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_round_trip(self):
        src = ('\ufeffnotes,Name,EMAIL,phone\r\n'
               '"Allergic to nuts, and ""latex""","Doe, Jane",jane@example.com,+1 555 0100\r\n'
               '"two\r\nlines",Zoë Ünal,zoe@example.com,\r\n'
               ',日本 太郎,taro@example.jp,03-1234-5678\r\n').encode()
        out = self.run_paydesk("clients", "import", self.write("in.csv", src))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.decode(), "imported 3, updated 0, rejected 0\n")
        exp = self.run_paydesk("clients", "export")
        self.assertEqual(exp.returncode, 0)
        text = exp.stdout.decode()
        self.assertTrue(text.startswith("name,email,phone,notes\r\n"))
        # a phone starting with + is a formula to a spreadsheet: written as text
        self.assertIn('"Doe, Jane",jane@example.com,"\'+1 555 0100",'
                      '"Allergic to nuts, and ""latex"""\r\n', text)
        self.assertIn('Zoë Ünal,zoe@example.com,,"two\r\nlines"\r\n', text)
        # Exported then imported again: every row is an update, nothing changes.
        path = os.path.join(self.tmp, "out.csv")
        exp2 = self.run_paydesk("clients", "export", "--output", path)
        self.assertEqual(exp2.returncode, 0)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), exp.stdout)
        again = self.run_paydesk("clients", "import", path)
        self.assertEqual(again.stdout.decode(), "imported 0, updated 3, rejected 0\n")
        self.assertEqual(self.run_paydesk("clients", "export").stdout, exp.stdout)

    def test_clients_are_listed_as_a_desk_reads_names(self):
        # A tester found Łukasz listed after Zoë: names were sorted by their bytes
        # past ASCII (NOCASE folds A-Z only). Accents and case aside, as a desk
        # reads them; the Clients tab lists them in the same order.
        src = ("name\nZoë Martin\nŁukasz Wiśniewski\nLiam Walsh\namélie Dubois\n"
               "Bruno Costa\nÉmile Zola\n").encode()
        self.assertEqual(self.run_paydesk("clients", "import", self.write("in.csv", src))
                         .returncode, 0)
        names = [line.split(",")[0] for line in
                 self.run_paydesk("clients", "export").stdout.decode().splitlines()[1:]]
        self.assertEqual(names, ["amélie Dubois", "Bruno Costa", "Émile Zola", "Liam Walsh",
                                 "Łukasz Wiśniewski", "Zoë Martin"])

    def test_rejected_rows_with_line_numbers(self):
        src = (b'name,email,phone,notes,member since\n'
               b'Good One,good@example.com,,,2020\n'
               b',nobody@example.com,,,\n'              # line 3: missing name
               b'Bad Mail,not-an-email,,,\n'            # line 4
               b'"Multi\nLine Name",x@example.com,,,\n'  # lines 5-6: control character
               b'Latin1 \xe9,l@example.com,,,\n'        # line 7: invalid UTF-8
               b'Short,row\n'                           # line 8: wrong field count
               + b'Long ' + b'x' * 200 + b',long@example.com,,,\n'  # line 9
               b'GOOD ONE,GOOD@example.com,+44 20 1234,updated,\n'  # line 10: update
               b',,,,\n')
        out = self.run_paydesk("clients", "import", self.write("bad.csv", src))
        self.assertEqual(out.returncode, 1)
        text = out.stdout.decode()
        self.assertIn("line 1: column 5 'member since' is not imported", text)
        self.assertIn("line 3: missing name", text)
        self.assertIn("line 4: email 'not-an-email' does not look like an address", text)
        self.assertIn("line 5: name contains a control character", text)
        self.assertIn("line 7: field 1 is not valid UTF-8", text)
        self.assertIn("line 8: 2 fields, but the header has 5", text)
        self.assertIn("line 9: name is too long", text)
        self.assertTrue(text.endswith("imported 1, updated 1, rejected 6\n"), text)
        db = sqlite3.connect(self.home.db)
        rows = db.execute("SELECT name, email, phone, notes FROM clients").fetchall()
        db.close()
        self.assertEqual(rows, [("GOOD ONE", "good@example.com", "+44 20 1234", "updated")])

    def test_atomic_and_dry_run(self):
        src = b'name,email\nAnn,ann@example.com\n,missing@example.com\n'
        path = self.write("a.csv", src)
        out = self.run_paydesk("clients", "import", "--atomic", path)
        self.assertEqual(out.returncode, 1)
        self.assertIn(b"line 3: missing name", out.stdout)
        self.assertIn(b"nothing imported: --atomic and 1 row was rejected", out.stdout)
        self.assertTrue(out.stdout.endswith(b"imported 0, updated 0, rejected 1\n"))
        self.assertEqual(self.run_paydesk("clients", "export").stdout, b"name,email,phone,notes\r\n")
        good = self.write("g.csv", b'name,email\nAnn,ann@example.com\n')
        out = self.run_paydesk("clients", "import", "--dry-run", good)
        self.assertEqual(out.returncode, 0)
        self.assertEqual(out.stdout, b"dry run: imported 1, updated 0, rejected 0 (nothing was saved)\n")
        self.assertEqual(self.run_paydesk("clients", "export").stdout, b"name,email,phone,notes\r\n")
        out = self.run_paydesk("clients", "import", "--atomic", good)
        self.assertEqual((out.returncode, out.stdout), (0, b"imported 1, updated 0, rejected 0\n"))

    def test_bad_files_and_usage(self):
        out = self.run_paydesk("clients", "import", self.write("h.csv", b"email,phone\nx@y.z,1\n"))
        self.assertEqual(out.returncode, 1)
        self.assertIn(b"no 'name' column", out.stderr)
        out = self.run_paydesk("clients", "import", self.write("e.csv", b""))
        self.assertEqual(out.returncode, 1)
        out = self.run_paydesk("clients", "import", os.path.join(self.tmp, "missing.csv"))
        self.assertEqual(out.returncode, 1)
        self.assertEqual(self.run_paydesk("clients").returncode, 2)
        self.assertEqual(self.run_paydesk("clients", "import").returncode, 2)
        self.assertEqual(self.run_paydesk("clients", "import", "--frob", "x").returncode, 2)
        self.assertEqual(self.run_paydesk("agenda", "--date", "2025-13-01").returncode, 2)
        out = self.run_paydesk("agenda", "--staff", "Nobody")
        self.assertEqual(out.returncode, 2)
        self.assertIn(b"no staff member is called Nobody", out.stderr)

    def test_agenda_prints_the_day_aligned(self):
        self.run_paydesk("clients", "import", self.write("c.csv", "name\nJo\nÉmilie Long-Name\n".encode()))
        db = sqlite3.connect(self.home.db)
        db.execute("INSERT INTO services (name, duration_min, price, currency, created_at, updated_at)"
                   " VALUES ('Massage', 90, 8000, 'eur', 0, 0)")
        db.execute("INSERT INTO staff (name, hours, created_at, updated_at) VALUES"
                   " ('Room 1', '08:00-20:00 - - - - - -', 0, 0), ('Bea', '- - - - - - -', 0, 0)")
        # 2030-01-07 09:00Z and 13:30Z; one the day after.
        for client, start, state in ((1, 1894006800, "booked"), (2, 1894022999 + 1, "no_show"),
                                     (1, 1894093200, "booked")):
            db.execute("INSERT INTO appointments (client_id, service_id, staff_id, starts_at,"
                       " ends_at, state, amount, currency, created_at, updated_at)"
                       " VALUES (?, 1, 1, ?, ?, ?, 8000, 'eur', 0, 0)",
                       (client, start, start + 5400, state))
        db.commit()
        db.close()
        out = self.run_paydesk("agenda", "--date", "2030-01-07")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.decode(),
                         "Agenda for Mon 2030-01-07 (UTC) — all staff\n"
                         "\n"
                         "TIME         CLIENT            SERVICE  STAFF   STATE    PAYMENT\n"
                         "09:00-10:30  Jo                Massage  Room 1  booked   none\n"
                         "13:30-15:00  Émilie Long-Name  Massage  Room 1  no-show  none\n"
                         "\n"
                         "2 appointments\n")
        out = self.run_paydesk("agenda", "--date", "2030-01-07", "--staff", "bea")
        self.assertEqual(out.returncode, 0)
        self.assertIn(b"No appointments.", out.stdout)


if __name__ == "__main__":
    unittest.main()
