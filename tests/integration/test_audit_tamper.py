"""The audit log against someone who can write the database but does not know
the vault passphrase: a table of tampers, each applied with sqlite3 to a copy
of a database made by real paydesk actions, then `paydesk audit verify` must
say the log is broken and where. The attacker knows the hash-chain algorithm
(it is in the source), so several cases rebuild the unkeyed chain."""
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402
from tmuxharness import Home, paydesk_bin  # noqa: E402

PASS = "audit tamper passphrase"


# The unkeyed chain as store/audit.c computes it: length-prefixed fields.
def _field(h, data):
    h.update(len(data).to_bytes(8, "little"))
    h.update(data)


def _text(h, s):
    _field(h, b"\xff" if s is None else s.encode())


def _int(h, v):
    _field(h, (v & (2**64 - 1)).to_bytes(8, "little"))


def chain_hash(prev, row):
    h = hashlib.blake2b(digest_size=32)
    _field(h, prev)
    _int(h, row["id"])
    _int(h, row["at"])
    _text(h, row["actor"])
    _text(h, row["action"])
    _text(h, row["detail"] or "")
    if row["amount"] is None:
        _text(h, None)
    else:
        _int(h, row["amount"])
    _text(h, row["currency"])
    _text(h, row["object_id"])
    return h.digest()


def rebuild_chain(db):
    """What an attacker does after an edit: recompute every link and hash."""
    db.row_factory = sqlite3.Row
    prev = bytes(32)
    for row in db.execute("SELECT * FROM audit_log ORDER BY id").fetchall():
        h = chain_hash(prev, row)
        db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?",
                   (prev, h, row["id"]))
        prev = h


def columns(db):
    return {r[1] for r in db.execute("PRAGMA table_info(audit_log)")}


def insert_forged(db, at_id, fake_mac=True):
    """A refund nobody made, at position at_id (later entries move up one)."""
    db.execute("UPDATE audit_log SET id = -id WHERE id >= ?", (at_id,))
    db.execute("UPDATE audit_log SET id = 1 - id WHERE id < 0")
    cols = columns(db)
    row = {"id": at_id, "at": 1767225600000, "actor": "Alex", "action": "payment.refund",
           "detail": "refund", "amount": 50000, "currency": "usd", "object_id": "re_forged"}
    names = list(row) + ["prev_hash", "hash"]
    values = list(row.values()) + [bytes(32), bytes(32)]
    if "mac" in cols and fake_mac:
        names.append("mac")
        values.append(os.urandom(32))
    db.execute("INSERT INTO audit_log (%s) VALUES (%s)" % (", ".join(names),
                                                         ", ".join("?" * len(names))), values)
    rebuild_chain(db)


def fabricate_all(db, n):
    """The whole log thrown away and written again from scratch."""
    db.execute("DELETE FROM audit_log")
    for i in range(1, n + 1):
        db.execute("INSERT INTO audit_log (id, at, actor, action, detail, prev_hash, hash)"
                   " VALUES (?, ?, 'Alex', 'user.add_staff', 'made up', zeroblob(32),"
                   " zeroblob(32))", (i, 1767225600000 + i))
    rebuild_chain(db)


class AuditTamper(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()
        cls.home = Home()
        cls.env = {**os.environ, **cls.home.env, "PAYDESK_API_BASE": cls.fake.base_url,
                   "PAYDESK_PASSPHRASE": PASS}
        for env in ("PAYDESK_SIGN_IN", "PAYDESK_PIN"):
            cls.env.pop(env, None)

        def run(*args, stdin="", pin=None):
            env = dict(cls.env, PAYDESK_PIN=pin) if pin else cls.env
            out = subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                                 text=True, env=env, timeout=120)
            assert out.returncode == 0, (args, out.stdout, out.stderr)
        # Real desk actions: connect Stripe, people, limits (with amounts).
        run("setup", "--account", "acct_1FakePlatform000", "--allow-secret-key",
            stdin=DEFAULT_KEY + "\n")
        run("users", "add", "--name", "Alex", "--role", "admin", stdin="2468\n")
        run("users", "add", "--name", "Sam", "--role", "staff", "--as", "Alex",
            stdin="1357\n", pin="2468")
        run("users", "add", "--name", "Kim", "--role", "staff", "--as", "Alex",
            stdin="9753\n", pin="2468")
        for amount in ("10", "20", "30", "40", "50"):
            run("users", "refund-limit", amount, "usd", "--as", "Alex", pin="2468")
        # Everything so far was written without the vault; an action proven
        # with the passphrase seals it (as the desk does once unlocked).
        run("users", "refund-limit", "60", "usd")
        cls.pristine = os.path.join(cls.home.path, "pristine.db")
        src = sqlite3.connect(cls.home.db)
        dst = sqlite3.connect(cls.pristine)
        src.backup(dst)
        cls.n = src.execute("SELECT max(id) FROM audit_log").fetchone()[0]
        cls.amount_id = src.execute("SELECT min(id) FROM audit_log WHERE amount IS NOT NULL"
                                    " AND id > 2").fetchone()[0]
        src.close()
        dst.close()
        assert cls.n >= 10, cls.n

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        cls.home.close()

    def verify_copy(self, tamper):
        """Tamper with a fresh copy of the database; run `audit verify` on it."""
        home = Home()
        self.addCleanup(home.close)
        os.makedirs(os.path.dirname(home.db))
        shutil.copy(self.pristine, home.db)
        db = sqlite3.connect(home.db)
        if tamper:
            tamper(db)
        db.commit()
        db.close()
        env = {**os.environ, **home.env, "PAYDESK_PASSPHRASE": PASS}
        return subprocess.run([paydesk_bin(), "audit", "verify"], capture_output=True,
                              text=True, env=env, timeout=60)

    def cases(self):
        n, a = self.n, self.amount_id
        m = n // 2

        def sql(stmt, *args):
            return lambda db: db.execute(stmt, args)

        def then_rebuild(first):
            def run(db):
                first(db)
                rebuild_chain(db)
            return run

        def swap(db):
            db.row_factory = sqlite3.Row
            r3, r4 = (dict(db.execute("SELECT * FROM audit_log WHERE id = ?", (i,)).fetchone())
                      for i in (3, 4))
            for row, new_id in ((r3, 4), (r4, 3)):
                row["id"] = -new_id
            db.execute("DELETE FROM audit_log WHERE id IN (3, 4)")
            for row in (r3, r4):
                db.execute("INSERT INTO audit_log (%s) VALUES (%s)" % (
                    ", ".join(row), ", ".join("?" * len(row))), list(row.values()))
            db.execute("UPDATE audit_log SET id = -id WHERE id < 0")
        # (name, tamper, the entry verify must name as where the chain breaks)
        return [
            ("edit amount", sql("UPDATE audit_log SET amount = 999999 WHERE id = ?", a), a),
            ("edit actor", sql("UPDATE audit_log SET actor = 'Kim' WHERE id = ?", m), m),
            ("edit action", sql("UPDATE audit_log SET action = 'user.add_admin' WHERE id = ?",
                                m), m),
            ("edit detail", sql("UPDATE audit_log SET detail = 'nothing' WHERE id = ?", m), m),
            ("edit time", sql("UPDATE audit_log SET at = at - 86400000 WHERE id = ?", m), m),
            ("delete an entry in the middle", sql("DELETE FROM audit_log WHERE id = ?", m), m),
            ("delete the last entry", sql("DELETE FROM audit_log WHERE id = ?", n), n),
            ("delete the last 5 entries", sql("DELETE FROM audit_log WHERE id > ?", n - 5),
             n - 4),
            ("delete every entry", sql("DELETE FROM audit_log"), 1),
            ("reorder two entries", swap, 3),
            ("forged refund inserted in the middle, chain rebuilt",
             lambda db: insert_forged(db, m), m),
            ("forged refund appended, chain rebuilt", lambda db: insert_forged(db, n + 1),
             n + 1),
            ("amount edited, chain rebuilt",
             then_rebuild(sql("UPDATE audit_log SET amount = 1 WHERE id = ?", a)), a),
            ("chain rebuilt from scratch", lambda db: fabricate_all(db, n), 1),
        ]

    def test_untouched_copy_verifies_and_prints_its_head(self):
        out = self.verify_copy(None)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("audit log: %d entries, chain intact" % self.n, out.stdout)
        self.assertRegex(out.stdout, r"head: %d entries, MAC [0-9a-f]{16}\n" % self.n)

    def test_entries_written_while_locked_are_reported_not_sealed(self):
        # A PIN-only action (the vault stays locked) after the sealed log:
        # chained, never dropped, and verify names it as not sealed.
        def pin_action(db):
            db.execute("INSERT INTO audit_log (id, at, actor, action, detail, prev_hash, hash)"
                       " VALUES (?, 1767225600000, 'Sam', 'user.sign_in', '', zeroblob(32),"
                       " zeroblob(32))", (self.n + 1,))
            rebuild_chain(db)
        out = self.verify_copy(pin_action)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("not sealed: entries %d-%d were written while the vault was locked"
                      % (self.n + 1, self.n + 1), out.stdout)
        self.assertIn("head: %d entries" % self.n, out.stdout)

    def test_a_log_from_before_keyed_audit_is_told_apart(self):
        # What migration 11 leaves: entries without MACs, no key, no head.
        def pre_key(db):
            db.execute("UPDATE audit_log SET mac = NULL, keyed = 0")
            db.execute("DELETE FROM audit_head")
            db.execute("DELETE FROM vault_secret WHERE name = 'audit_mac_key'")
        out = self.verify_copy(pre_key)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("audit log: %d entries, chain intact" % (self.n + 1), out.stdout)
        self.assertIn("entries 1-%d were written before keyed audit" % self.n, out.stdout)
        self.assertIn("from %d on keyed" % (self.n + 1), out.stdout)

    def test_removing_the_audit_key_does_not_start_a_fresh_log(self):
        # Without the key an attacker might drop it and rewrite the log, hoping
        # the next unlock starts a new keyed part; it must not.
        def drop_key_and_rewrite(db):
            db.execute("DELETE FROM vault_secret WHERE name = 'audit_mac_key'")
            db.execute("UPDATE audit_log SET amount = 1, mac = NULL WHERE id = ?",
                       (self.amount_id,))
            rebuild_chain(db)
        out = self.verify_copy(drop_key_and_rewrite)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("broken at entry 1: the audit key was removed", out.stderr)

    def test_every_tamper_is_reported_with_where_the_chain_breaks(self):
        missed, misplaced = [], []
        for name, tamper, where in self.cases():
            with self.subTest(name):
                out = self.verify_copy(tamper)
                said = out.stdout + out.stderr
                if out.returncode != 1:
                    missed.append(name)
                elif "broken at entry %d:" % where not in said:
                    misplaced.append(name)
                self.assertEqual(out.returncode, 1, "%s: not detected\n%s" % (name, said))
                self.assertIn("broken at entry %d:" % where, said, name)
        print("\naudit tamper cases: %d, undetected: %d %s, detected at the wrong entry: %d %s"
              % (len(self.cases()), len(missed), missed, len(misplaced), misplaced),
              file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
