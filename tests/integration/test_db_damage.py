"""A damaged or read-only database, as a desk would meet it: a users table
that reads as empty (or cannot be read) never opens the first-run "create
the admin" screen on a database with data; `paydesk doctor` runs SQLite's
integrity check and names what is damaged; a read-only database is called
read-only, not "damaged or not a database"."""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from stripecase import ConnectedCase  # noqa: E402
from tmuxharness import Home, Terminal, paydesk_bin  # noqa: E402

NOBODY = 65534
PIN = "5831"


def root_page(db, name):
    con = sqlite3.connect(db)
    try:
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                           (name,)).fetchone()[0]
        return page_size, root
    finally:
        con.close()


def write_page(db, name, make):
    """Replace the root page of table or index name with make(page_size)."""
    assert not os.path.exists(db + "-wal") or os.path.getsize(db + "-wal") == 0
    page_size, root = root_page(db, name)
    with open(db, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(make(page_size))


def users_pages(db):
    con = sqlite3.connect(db)
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE tbl_name = "
                                       "'users' AND rootpage > 0")]
    con.close()
    return names


def users_emptied(db):
    """Damage that leaves the users table and its indexes reading as empty."""
    for name in users_pages(db):
        write_page(db, name, empty_leaf if name == "users" else empty_index_leaf)


def users_garbled(db):
    """Damage that leaves the users table and its indexes unreadable."""
    for name in users_pages(db):
        write_page(db, name, garbage)


def empty_index_leaf(page_size):
    page = bytearray(empty_leaf(page_size))
    page[0] = 0x0A
    return bytes(page)


def empty_leaf(page_size):
    """A valid, empty table leaf: every row of the table is gone."""
    head = bytes([0x0D, 0, 0, 0, 0]) + (page_size % 65536).to_bytes(2, "big") + b"\0"
    return head + bytes(page_size - len(head))


def garbage(page_size):
    return bytes((i * 37 + 11) % 251 for i in range(page_size))


class Damage(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {k: v for k, v in self.home.env.items()
                    if k not in ("PAYDESK_SIGN_IN", "PAYDESK_PIN")}
        self.db = self.home.db

    def paydesk(self, *args, stdin="", env=None):
        return subprocess.run([paydesk_bin(), *args], input=stdin, capture_output=True,
                              text=True, env={**os.environ, **self.env, **(env or {})},
                              timeout=60)

    def desk_with_data(self):
        """A desk in use: its admin, and a client."""
        out = self.paydesk("users", "add", "--name", "Alex", "--role", "admin", stdin=PIN + "\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        csv = os.path.join(self.home.path, "clients.csv")
        with open(csv, "w") as f:
            f.write("name,email\nZoë Martin,zoe@example.com\n")
        out = self.paydesk("clients", "import", csv)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def assert_no_first_run(self, t, why):
        t.wait_for("cannot start on this database")
        screen = t.screen()
        text = " ".join(screen.replace("│", " ").split())  # the message is word-wrapped
        self.assertNotIn("Create the admin account", screen)
        self.assertIn(why, text)
        self.assertIn("`paydesk doctor`", text)
        t.send("Enter")
        t.type("Eve")
        t.send("Enter")
        self.assertNotIn("Create the admin account", t.screen())
        t.send("C-c")
        t.exit_status()

    def test_emptied_users_table_does_not_open_first_run(self):
        self.desk_with_data()
        users_emptied(self.db)
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        self.assert_no_first_run(t, "this database had users (its audit log records them "
                                    "being added) but none can be read")

    def test_unreadable_users_table_does_not_open_first_run(self):
        self.desk_with_data()
        users_garbled(self.db)
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        self.assert_no_first_run(t, "users table of this database cannot be read")

    def test_sign_in_by_environment_creates_no_admin_on_damaged_users(self):
        self.desk_with_data()
        users_emptied(self.db)
        t = Terminal([paydesk_bin()], 80, 24,
                     env={**self.env, "PAYDESK_SIGN_IN": "Eve", "PAYDESK_PIN": "7316"})
        self.addCleanup(t.close)
        t.wait_for("cannot start on this database")
        t.send("C-c")
        t.exit_status()
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute("SELECT count(*) FROM users").fetchone()[0], 0)
        con.close()

    def test_cli_first_user_refused_on_damaged_users(self):
        self.desk_with_data()
        users_emptied(self.db)
        out = self.paydesk("users", "add", "--name", "Eve", "--role", "admin",
                           stdin="7316\n")
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("paydesk doctor", out.stderr)
        self.assertNotIn("added Eve", out.stdout)

    def test_first_run_still_works_on_a_new_database(self):
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("Create the admin account")
        t.type("Alex")
        t.send("Enter")
        t.type(PIN)
        t.send("Enter")
        t.type(PIN)
        t.send("Enter")
        t.wait_for("signed in as Alex")

    def test_first_run_after_headless_import_still_works(self):
        """Data alone is no sign of damage: a new desk may import its clients
        (or connect Stripe headless) before its first admin exists."""
        csv = os.path.join(self.home.path, "clients.csv")
        with open(csv, "w") as f:
            f.write("name,email\nZoë Martin,zoe@example.com\n")
        out = self.paydesk("clients", "import", csv)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("Create the admin account")

    def test_doctor_names_a_damaged_table(self):
        self.desk_with_data()
        write_page(self.db, "clients", garbage)
        out = self.paydesk("doctor")
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        text = out.stdout + out.stderr
        self.assertIn("damaged", text)
        self.assertIn("table clients", text)
        self.assertIn("backup", text)

    def test_doctor_names_a_damaged_index(self):
        self.desk_with_data()
        con = sqlite3.connect(self.db)
        index = con.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                            "tbl_name = 'clients' AND sql IS NOT NULL").fetchone()[0]
        con.close()
        write_page(self.db, index, garbage)
        out = self.paydesk("doctor")
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn(f"index {index}", out.stdout + out.stderr)

    def test_doctor_says_a_healthy_database_is_ok(self):
        self.desk_with_data()
        out = self.paydesk("doctor")
        self.assertIn("Database: ok", out.stdout)


class DamageWithVault(ConnectedCase):
    """A whole database whose users were lost: the vault passphrase holder
    may still add an admin, and nobody else."""

    def test_passphrase_holder_adds_the_admin(self):
        passphrase = self.env.pop("PAYDESK_PASSPHRASE")
        out = self.paydesk("users", "add", "--name", "Alex", "--role", "admin",
                           stdin=PIN + "\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        users_emptied(self.home.db)
        out = self.paydesk("users", "add", "--name", "Eve", "--role", "admin", stdin="7316\n")
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("vault passphrase can add an admin", out.stderr)
        self.env["PAYDESK_PASSPHRASE"] = "not the passphrase"
        out = self.paydesk("users", "add", "--name", "Eve", "--role", "admin", stdin="7316\n")
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("passphrase", out.stderr)
        self.assertNotIn("added", out.stdout)
        self.env["PAYDESK_PASSPHRASE"] = passphrase
        out = self.paydesk("users", "add", "--name", "Sam", "--role", "admin", stdin="7316\n")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("added Sam", out.stdout)


@unittest.skipUnless(os.geteuid() == 0, "needs root to run paydesk as a user without rights")
class ReadOnly(unittest.TestCase):
    """Root may write any file, so paydesk runs as nobody here."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="paydesk-ro-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        os.chmod(self.dir, 0o777)
        self.env = {**os.environ, "HOME": self.dir, "XDG_STATE_HOME": self.dir + "/state",
                    "XDG_CONFIG_HOME": self.dir + "/config", "LC_ALL": "C.UTF-8"}
        for k in ("PAYDESK_SIGN_IN", "PAYDESK_PIN", "PAYDESK_PASSPHRASE"):
            self.env.pop(k, None)
        self.sub = os.path.join(self.dir, "desk")
        os.mkdir(self.sub)
        os.chown(self.sub, NOBODY, NOBODY)
        self.db = os.path.join(self.sub, "paydesk.db")
        out = self.paydesk("users", "add", "--name", "Alex", "--role", "admin",
                           stdin=PIN + "\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertFalse(os.path.exists(self.db + "-wal"))

    def paydesk(self, *args, stdin="", env=None):
        return subprocess.run([paydesk_bin(), "--db", self.db, *args], input=stdin,
                              capture_output=True, text=True, env={**self.env, **(env or {})},
                              timeout=60,
                              user=NOBODY, group=NOBODY, extra_groups=[])

    def assert_read_only_reported(self):
        out = self.paydesk("users", "add", "--name", "Sam", "--role", "staff", "--as", "Alex",
                           stdin="7316\n", env={"PAYDESK_PIN": PIN})
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("read-only", out.stderr)
        self.assertNotIn("damaged", out.stderr)

    def test_read_only_file(self):
        os.chmod(self.db, 0o444)
        self.assert_read_only_reported()

    def test_read_only_folder(self):
        os.chmod(self.sub, 0o555)
        self.assert_read_only_reported()


if __name__ == "__main__":
    unittest.main()
