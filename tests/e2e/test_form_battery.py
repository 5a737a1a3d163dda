"""Bad input in every text field of the Clients and Appointments forms and
of the sign-in (lock screen / PIN) prompt: pasted (bracketed paste, as a
terminal sends it) non-UTF-8 bytes, control characters, escape sequences,
several lines and 1 MB; typed escape sequences, non-UTF-8 bytes and control
keys; empty required fields. Each gets a clear message, the field keeps what
it had, nothing reaches the terminal raw (the pane title would change), and
nothing is stored until a valid value is saved."""
import os
import re
import sqlite3
import subprocess
import time
import unittest

from tmuxharness import Home, Terminal, paydesk_bin

MB = b"x" * (1 << 20)
# (pasted bytes, what the status line says). "Bee" marks text that must
# never show up: each of these pastes is refused whole.
PASTES = [
    (b"Ann\xff\xfeBee", "paste refused: not UTF-8 text"),
    (b"Ann\x01\x07Bee\x7f", "paste refused: control characters"),
    (b"Ann\x1b[31mBee\x1b]0;pwned\x07", "paste refused: escape sequences"),
    (b"Ann\r\nBee", "paste refused: several lines"),
]


class FormBattery(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        self.base = {k: v for k, v in self.home.env.items()
                     if k not in ("PAYDESK_SIGN_IN", "PAYDESK_PIN")}
        out = subprocess.run([paydesk_bin(), "users", "add", "--name", "Alex", "--role",
                              "admin"], input="2468\n", capture_output=True, text=True,
                             env={**os.environ, **self.base}, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        con = sqlite3.connect(self.home.db)
        now = int(time.time())
        con.execute("INSERT INTO services (name, duration_min, price, currency, created_at,"
                    " updated_at) VALUES ('Haircut', 60, 4500, 'usd', ?, ?)", (now, now))
        con.execute("INSERT INTO staff (name, hours, created_at, updated_at) VALUES"
                    " ('Alice', '08:00-20:00 08:00-20:00 08:00-20:00 08:00-20:00 08:00-20:00"
                    " 08:00-20:00 08:00-20:00', ?, ?)", (now, now))
        con.execute("INSERT INTO clients (name, created_at, updated_at) VALUES"
                    " ('Zoë Martin', ?, ?)", (now, now))
        con.commit()
        con.close()
        self.before = self.snapshot()

    def snapshot(self):
        con = sqlite3.connect(self.home.db)
        rows = {t: con.execute("SELECT * FROM %s ORDER BY id" % t).fetchall()
                for t in ("clients", "services", "staff", "appointments", "users")}
        con.close()
        return rows

    def start(self, signed_in=True):
        env = dict(self.base)
        if signed_in:
            env.update(PAYDESK_SIGN_IN="Alex", PAYDESK_PIN="2468")
        t = Terminal([paydesk_bin()], 80, 24, env=env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        self.buf = os.path.join(t.dir, "paste")
        return t

    def paste(self, t, data):
        with open(self.buf, "wb") as f:
            f.write(data)
        t.tmux("load-buffer", "-b", "p", self.buf)
        t.tmux("paste-buffer", "-p", "-d", "-b", "p", "-t", "t")

    def assert_clean(self, t):
        screen = t.screen()
        for raw in ("Bee", "xxxxxxxx", "[31m", "[32m", "]0;", "\ufffd"):
            self.assertNotIn(raw, screen)
        title = t.tmux("display-message", "-p", "-t", "t", "#{pane_title}", capture=True)
        self.assertNotIn("pwned", title)
        return screen

    def battery(self, t, label):
        """Everything bad into the focused field (label), which keeps its value."""
        row = lambda s: [l.strip(" │") for l in s.splitlines()
                         if l.strip(" │").startswith(label)][0]
        # The field's row once drawn (a key just sent may still be redrawing).
        before = row(t.wait_for(r"(?m)^[ │]*" + re.escape(label), regex=True))
        for data, message in PASTES:
            self.paste(t, data)
            t.wait_for(message)
        self.paste(t, MB)
        t.wait_for("paste too long (at most")
        t.tmux("send-keys", "-t", "t", "-l", "Ann\x1b[32mBee"[3:-3])  # typed: Esc [ 3 2 m
        t.wait_for("ignored an escape sequence")
        t.tmux("send-keys", "-t", "t", "-H", "ff", "fe")
        t.wait_for("ignored input: not UTF-8")
        t.send("C-g", "C-o", "C-r", "C-t", "C-v")  # not editing keys: nothing happens
        time.sleep(0.05)
        screen = self.assert_clean(t)
        self.assertEqual(row(screen)[:len(before.rstrip())], before.rstrip(), screen)

    def test_clients_forms(self):
        t = self.start()
        t.send("2")
        t.wait_for("Clients · Services · Staff")
        forms = [("n", ["Name", "Email", "Phone", "Notes"], "Zoë Martin"),
                 ("v", ["Name", "Duration (minutes)", "Price", "Currency"], "Haircut"),
                 ("v", ["Name", "Working hours"], "Alice")]
        for switch, labels, shown in forms:
            if switch == "v":
                t.send("v")
                t.wait_for(shown)
            t.send("n")
            t.wait_for("Esc: cancel")
            for label in labels:
                self.battery(t, label)
                t.send("Tab")
            # Empty where a value is required: said, and nothing saved.
            t.send("C-s")
            t.wait_for("required")
            t.send("Escape")
            t.wait_gone("Esc: cancel")
        self.assertEqual(self.snapshot(), self.before)
        # The same paste path takes a good value whole.
        t.send("v")
        t.wait_for("Zoë Martin")
        t.send("n")
        t.wait_for("Esc: cancel")
        self.paste(t, "Amélie Poulain\n".encode())
        t.wait_for("Amélie Poulain")
        t.send("C-s")
        t.wait_for("client added: Amélie Poulain")
        con = sqlite3.connect(self.home.db)
        names = [r[0] for r in con.execute("SELECT name FROM clients ORDER BY id")]
        con.close()
        # Read while paydesk runs: its commits are visible to other processes.
        self.assertEqual(names, ["Zoë Martin", "Amélie Poulain"])
        t.send("q")
        self.assertEqual(t.exit_status(), 0)

    def test_paste_holding_the_end_marker_is_text(self):
        # Copied text that itself holds the end-of-paste marker, then Ctrl-S:
        # all of it is the paste (refused whole for its escape), none of it keys.
        t = self.start()
        t.send("2")
        t.wait_for("Clients · Services · Staff")
        t.send("n")
        t.wait_for("Esc: cancel")
        self.paste(t, b"Ann\x1b[201~Bee\x13")
        t.wait_for("paste refused: escape sequences")
        time.sleep(0.3)
        self.assert_clean(t)
        self.assertEqual(self.snapshot(), self.before)  # no client saved
        t.send("Escape")
        t.wait_gone("Esc: cancel")
        # a paste ending in the marker text, then a key typed afterwards: the key is a key
        t.send("n")
        t.wait_for("Esc: cancel")
        self.paste(t, b"Ann\x1b[201~")
        t.wait_for("paste refused: escape sequences")
        t.type("Cy")
        t.wait_for("Cy")
        t.send("Escape")
        t.send("q")

    def test_appointment_form(self):
        t = self.start()
        t.send("n")
        t.wait_for("Book an appointment")
        self.battery(t, "Client")
        t.send("C-u")
        t.send("Tab")
        self.paste(t, b"Haircut")  # Service is a choice, not text
        t.wait_for("paste ignored: no text field")
        t.send("Tab", "Tab")
        for label in ("Date", "Time", "Notes"):
            self.battery(t, label)
            t.send("Tab")
        t.send("C-s")
        screen = t.wait_for("Book an appointment")
        time.sleep(0.2)
        screen = self.assert_clean(t)
        self.assertIn("Book an appointment", screen)  # not saved: still open, saying why
        t.send("Escape")  # the client was picked: it asks first
        t.wait_for("Discard the booking?")
        t.send("y")
        t.wait_gone("Book an appointment")
        self.assertEqual(self.snapshot(), self.before)
        t.send("q")
        self.assertEqual(t.exit_status(), 0)

    def test_sign_in_prompt(self):
        t = self.start(signed_in=False)
        t.wait_for("paydesk is locked")
        self.battery(t, "Name")
        t.send("Tab")
        self.battery(t, "PIN")
        # Empty: refused with a message, no failed attempt counted.
        t.send("Enter")
        t.wait_for("wrong name or PIN")
        con = sqlite3.connect(self.home.db)
        failures = con.execute("SELECT failed_attempts FROM users WHERE name = 'Alex'").fetchone()[0]
        con.close()
        self.assertEqual(failures, 0)
        # The prompt still works afterwards (the focus is back on Name).
        t.type("Alex")
        t.send("Tab")
        self.paste(t, b"2468")
        t.send("Enter")
        t.wait_for("signed in as Alex")
        self.assert_clean(t)
        t.send("q")
        self.assertEqual(t.exit_status(), 0)


if __name__ == "__main__":
    unittest.main()
