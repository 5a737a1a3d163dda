"""The Audit view (A): admins browse the hash-chained audit log newest first,
filter it, open one entry, export the filter to CSV and see the chain check;
staff are shown nothing of it. A few thousand entries are appended here with
a valid chain, so paging runs over more rows than the view keeps."""
import csv
import hashlib
import os
import sqlite3
import struct
import subprocess
import time
import unittest

from tmuxharness import Home, Terminal, paydesk_bin

N = 3000


def field(data):
    return struct.pack("<Q", len(data)) + data


def text(s):
    return field(b"\xff") if s is None else field(s.encode())


def entry_hash(prev, eid, at, actor, action, detail, amount, currency, obj):
    # The chain as src/store/audit.c writes it: BLAKE2b-256 over length-prefixed fields.
    h = hashlib.blake2b(digest_size=32)
    for part in (field(prev), field(struct.pack("<q", eid)), field(struct.pack("<q", at)),
                 text(actor), text(action), text(detail or ""),
                 field(struct.pack("<q", amount)) if amount is not None else text(None),
                 text(currency), text(obj)):
        h.update(part)
    return h.digest()


def append_entries(db_path, n):
    """n payments by Sam and refunds by Alex, one a minute up to now."""
    con = sqlite3.connect(db_path)
    last = con.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    eid, prev = (last[0], last[1]) if last else (0, b"\0" * 32)
    now_ms = int(time.time() * 1000)
    start = max(now_ms - n * 60000, con.execute("SELECT ifnull(max(at), 0) FROM audit_log")
                .fetchone()[0] + 1)
    rows = []
    for i in range(n):
        eid += 1
        at = start + i * 60000 if start + n * 60000 <= now_ms + 60000 else start + i
        refund = i % 10 == 9
        actor, action = ("Alex", "payment.refund") if refund else ("Sam",
                                                                   "payment.card.succeeded")
        amount, currency, obj = 1000 + i, "usd", "pi_audit_%05d" % i
        detail = "Haircut for client %d" % i
        h = entry_hash(prev, eid, at, actor, action, detail, amount, currency, obj)
        rows.append((eid, at, actor, action, detail, amount, currency, obj, prev, h))
        prev = h
    con.executemany("INSERT INTO audit_log (id, at, actor, action, detail, amount, currency,"
                    " object_id, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    con.commit()
    con.close()


class AuditView(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        base = {k: v for k, v in self.home.env.items()
                if k not in ("PAYDESK_SIGN_IN", "PAYDESK_PIN")}
        self.base = base
        self.run_cli("users", "add", "--name", "Alex", "--role", "admin", stdin="2468\n")
        self.run_cli("users", "add", "--name", "Sam", "--role", "staff", "--as", "Alex",
                     stdin="1357\n", env={"PAYDESK_PIN": "2468"})
        append_entries(self.home.db, N)
        # The two users, Alex's sign-in to add Sam, and the desk's sign-in.
        self.total = N + 4

    def run_cli(self, *args, stdin=None, env=None):
        out = subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True, text=True,
                             env={**os.environ, **self.base, **(env or {})}, timeout=30)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        return out

    def start(self, name, pin):
        t = Terminal([paydesk_bin()], 80, 24,
                     env={**self.base, "PAYDESK_SIGN_IN": name, "PAYDESK_PIN": pin})
        self.addCleanup(t.close)
        t.wait_for("?:help")
        return t

    def test_admin_browses_filters_opens_and_exports(self):
        t = self.start("Alex", "2468")
        t.send("A")
        t.wait_for("Audit log · %d entries" % self.total)
        # the check runs on a worker: its verdict follows the list
        screen = t.wait_for("chain intact: %d entries verified" % self.total)
        self.assertIn("A Audit", screen.splitlines()[0])
        # Newest first, with who, action, amount and Stripe id: the last refund,
        # then the payment before it.
        rows = [line for line in screen.splitlines() if "pi_audit_" in line]
        for row, (who, action, i) in zip(rows, [("Alex", "payment.refund", N - 1),
                                                ("Sam", "payment.card.succeeded", N - 2)]):
            self.assertIn(who, row)
            self.assertIn(action, row)
            self.assertIn("%.2f USD" % ((1000 + i) / 100), row)
            self.assertIn("pi_audit_%05d" % i, row)
        # Paging by key to the far end and back: the first entries of the log.
        t.send("G")
        screen = t.wait_for("user.add_admin")
        self.assertIn("user.add_staff", screen)
        for _ in range(3):
            t.send("PPage")
        t.send("g")
        t.wait_for("pi_audit_%05d" % (N - 1))
        t.send("C-d")
        t.send("j")
        # Details of one entry (the newest is the desk's sign-in).
        t.send("g")
        t.send("j")
        t.send("Enter")
        screen = t.wait_for("Audit entry %d" % (self.total - 1))
        self.assertIn("Haircut for client %d" % (N - 1), screen)
        t.send("Escape")
        t.wait_gone("Audit entry")
        # Filter: Alex's refunds; a bad date is refused in place.
        t.send("F")
        t.wait_for("Filter — Enter applies")
        t.type("31/12/2026")
        t.send("Tab")
        screen = t.wait_for("type a date as YYYY-MM-DD")
        t.send("BTab")
        t.send("C-u")
        t.send("Tab")
        t.send("Tab")
        t.type("Alex")
        t.send("Tab")
        t.type("payment.refund")
        t.send("Enter")
        refunds = N // 10
        screen = t.wait_for("Audit log · %d entries" % refunds)
        self.assertIn("user Alex", screen)
        rows = [line for line in screen.splitlines() if "pi_audit_" in line]
        self.assertTrue(rows)
        self.assertTrue(all("payment.refund" in r and "Alex" in r for r in rows), screen)
        # Export the filter; the file holds exactly those entries.
        path = os.path.join(self.home.path, "audit-out.csv")
        t.send("e")
        t.wait_for("Export to CSV")
        t.send("C-u")
        t.type(path)
        t.send("Enter")
        t.wait_for("exported %d entries" % refunds)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path, newline="") as f:
            got = list(csv.reader(f))
        self.assertEqual(got[0], ["id", "at", "actor", "action", "amount", "object", "detail"])
        self.assertEqual(len(got) - 1, refunds)
        self.assertTrue(all(r[2] == "Alex" and r[3] == "payment.refund" for r in got[1:]))
        # The same filter headless gives the same rows.
        cli = self.run_cli("audit", "list", "--actor", "Alex", "--action", "payment.refund",
                           "--format", "csv", "--as", "Alex", env={"PAYDESK_PIN": "2468"})
        self.assertEqual(len(cli.stdout.strip().splitlines()), refunds + 1)
        # x clears the filter: both exports are in the log now, and the
        # sign-in of the headless one.
        t.send("x")
        t.wait_for("Audit log · %d entries" % (self.total + 3))
        t.send("q")
        self.assertEqual(t.exit_status(), 0)

    def test_broken_chain_is_shown_with_the_entry(self):
        t = self.start("Alex", "2468")
        t.send("A")
        t.wait_for("chain intact")
        con = sqlite3.connect(self.home.db)
        con.execute("UPDATE audit_log SET amount = 1 WHERE id = 1500")
        con.commit()
        con.close()
        t.send("v")
        screen = t.wait_for("CHAIN BROKEN")
        self.assertIn("entry 1500", screen)
        self.assertIn("content was changed", screen)
        t.send("q")
        self.assertEqual(t.exit_status(), 0)

    def test_the_chain_check_runs_on_a_worker_and_esc_stops_it(self):
        """A long log: the check walks every entry on a worker, so the view answers keys
        meanwhile; Esc stops it and says so, keeping the last verdict."""
        append_entries(self.home.db, 200000)
        total = self.total + 200000
        t = self.start("Alex", "2468")
        t.send("A")
        t.wait_for("chain intact: %d entries verified" % total, timeout=30)
        # v starts it again, Esc stops it: read in one go (on the UI thread the walk ran
        # to its end before Esc was read, and nothing was stopped)
        t.send("v", "Escape")
        screen = t.wait_for("audit check stopped")
        self.assertIn("chain intact: %d entries verified" % total, screen)  # kept
        t.send("q")
        self.assertEqual(t.exit_status(), 0)

    def test_staff_see_nothing_of_it(self):
        t = self.start("Sam", "1357")
        t.send("A")
        screen = t.wait_for("Audit is for admins")
        self.assertNotIn("Audit log", screen)
        self.assertNotIn("pi_audit_", screen)
        t.send("?")
        screen = t.wait_for("Keys")
        self.assertNotIn("audit log", screen)
        t.send("Escape")
        t.send("q")
        self.assertEqual(t.exit_status(), 0)
        # --screen audit as staff: the first tab instead.
        t2 = Terminal([paydesk_bin(), "--screen", "audit"], 80, 24,
                      env={**self.base, "PAYDESK_SIGN_IN": "Sam", "PAYDESK_PIN": "1357"})
        self.addCleanup(t2.close)
        screen = t2.wait_for("Day agenda")
        self.assertNotIn("Audit log", screen)
        t2.send("q")
        self.assertEqual(t2.exit_status(), 0)


if __name__ == "__main__":
    unittest.main()
