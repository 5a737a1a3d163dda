"""What leaves paydesk is safe to open: a Stripe customer name holding a
spreadsheet formula and terminal escapes, a long description in several
scripts. Exports keep every character and neutralise formulas; what a
command prints to a terminal is inert; an export never replaces a file."""
import csv
import io
import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402
from tmuxharness import Home, paydesk_bin  # noqa: E402

PASS = "exports passphrase"
PLATFORM = "acct_1FakePlatform000"
ESCAPES = "\x1b[2J\x1b]0;pwned\x07"
NAME = '=HYPERLINK("http://evil.example/?x","Zoë") ' + ESCAPES + " Ünïcödé Grünwald-Størmer" * 4
DESCRIPTION = "Séance de kinésithérapie — 日本語の説明 " * 8


def run_on_terminal(argv, env, timeout=60):
    """Run argv with standard output and error on a pseudo-terminal; the raw bytes."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    out = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break  # the other end closed
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=10)
    os.close(master)
    return proc.returncode, out


class ExportsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe().start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**os.environ, **self.home.env, "PAYDESK_API_BASE": self.fake.base_url,
                    "PAYDESK_PASSPHRASE": PASS}
        out = self.paydesk("setup", "--account", PLATFORM, stdin=DEFAULT_KEY + "\n",
                           extra=["--allow-secret-key"] if DEFAULT_KEY.startswith("sk_") else [])
        self.assertEqual(out.returncode, 0, out.stderr)
        cus = self.fake.api("POST", "/v1/customers", {"name": NAME}).json()
        pi = self.fake.api("POST", "/v1/payment_intents",
                           {"amount": 1250, "currency": "eur", "customer": cus["id"],
                            "description": DESCRIPTION, "payment_method": "pm_card_visa",
                            "confirm": "true"}).json()
        self.pi = pi["id"]
        out = self.paydesk("sync")
        self.assertEqual(out.returncode, 0, out.stderr)

    def paydesk(self, *args, stdin="", extra=()):
        return subprocess.run([paydesk_bin(), *args, *extra], input=stdin.encode(), capture_output=True,
                              env=self.env, timeout=120)

    def test_csv_export_neutralises_formulas_and_keeps_whole_text(self):
        out = self.paydesk("export")
        self.assertEqual(out.returncode, 0, out.stderr)
        text = out.stdout.decode("utf-8")  # strict: a character cut in half raises
        rows = {r["stripe_id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
        row = rows[self.pi]
        # The text marker a spreadsheet shows as text, then the whole name,
        # escapes and all: a file is data, not a terminal.
        self.assertEqual(row["client"], "'" + NAME)
        self.assertEqual(row["description"], DESCRIPTION)
        self.assertEqual(row["amount"], "12.50")  # numbers stay numbers
        self.assertFalse([r for r in rows.values() if r["client"][:1] in "=+-@"], rows)

    def test_jsonl_export_keeps_whole_text(self):
        out = self.paydesk("export", "--format", "jsonl")
        self.assertEqual(out.returncode, 0, out.stderr)
        rows = {r["stripe_id"]: r for r in map(json.loads, out.stdout.decode().splitlines())}
        self.assertEqual(rows[self.pi]["client"], NAME)
        self.assertEqual(rows[self.pi]["description"], DESCRIPTION)

    def test_export_on_a_terminal_is_inert(self):
        rc, raw = run_on_terminal([paydesk_bin(), "export"], self.env)
        self.assertEqual(rc, 0, raw)
        self.assertIn("HYPERLINK".encode(), raw)
        self.assertIn("Grünwald".encode(), raw)
        self.assertNotIn(b"\x1b", raw)  # no clear screen, no window title
        self.assertNotIn(b"\x07", raw)
        self.assertNotIn(b"pwned", raw)  # the title text went with its sequence

    def test_sync_progress_still_moves_on_a_terminal(self):
        # paydesk's own progress line rewrites itself with CR past the guard
        self.fake.api("POST", "/v1/payment_intents",
                      {"amount": 900, "currency": "eur", "payment_method": "pm_card_visa",
                       "confirm": "true"})
        rc, raw = run_on_terminal([paydesk_bin(), "sync"], self.env)
        self.assertEqual(rc, 0, raw)
        self.assertIn(b"\rsynced ", raw)
        self.assertNotIn(b"\x1b", raw)

    def test_plans_list_on_a_terminal_is_inert(self):
        db = sqlite3.connect(self.home.db)
        db.execute("INSERT INTO plans (product_id, price_id, name, description, features,"
                   " amount, currency, synced_at) VALUES ('prod_x', 'price_x', ?, '', ?,"
                   " 2500, 'eur', 0)", ("Gold " + ESCAPES, "sauna\x1b[31m red"))
        db.commit()
        db.close()
        rc, raw = run_on_terminal([paydesk_bin(), "plans", "list"], self.env)
        self.assertEqual(rc, 0, raw)
        self.assertIn(b"Gold", raw)
        self.assertIn(b"sauna", raw)
        self.assertNotIn(b"\x1b", raw)
        self.assertNotIn(b"\x07", raw)
        # a pipe gets the stored text as it is (a script's business)
        out = self.paydesk("plans", "list", "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        plans = [json.loads(line) for line in out.stdout.decode().splitlines()]
        self.assertEqual([p["name"] for p in plans], ["Gold " + ESCAPES])

    def test_export_never_replaces_a_file(self):
        path = os.path.join(self.home.path, "history.csv")
        with open(path, "w") as f:
            f.write("last month's export\n")
        out = self.paydesk("export", "--output", path)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn(b"already exists", out.stderr)
        with open(path) as f:
            self.assertEqual(f.read(), "last month's export\n")
        self.assertEqual(sorted(os.listdir(self.home.path)).count("history.csv"), 1)
        self.assertFalse([n for n in os.listdir(self.home.path) if ".tmp-" in n])
        # --replace says it on purpose
        out = self.paydesk("export", "--output", path, "--replace")
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(path, encoding="utf-8") as f:
            self.assertIn(self.pi, f.read())
        # the clients export too
        cpath = os.path.join(self.home.path, "clients.csv")
        with open(cpath, "w") as f:
            f.write("keep me\n")
        out = self.paydesk("clients", "export", "--output", cpath)
        self.assertEqual(out.returncode, 1, out.stderr)
        with open(cpath) as f:
            self.assertEqual(f.read(), "keep me\n")


if __name__ == "__main__":
    unittest.main()
