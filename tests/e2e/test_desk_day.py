"""One day at the front desk, as a test (issue 15, "The day, as a test"): paydesk in tmux at
80x24 on training data (the fake Stripe's training seed, its accented names). Before the
day the admin, once, enrols this machine as a desk (`paydesk desk enrol`, the only time the
vault passphrase is given) and registers training's simulated card reader (`paydesk
readers register --code simulated-wpe`). The day's paydesk runs with no passphrase in its
environment: a staff member signs in at the lock screen with a PIN and plays the day — a
phone booking, a walk-in, a deposit then the rest, cash, a saved card, a pay link paid from
the client's phone (the fake's test control), a decline then a pay link, the card reader
(the desk taps training's test card), a client's visit history, a no-show, a cancellation
with a refund, a Stripe outage with a saved-card charge queued and sent once Stripe is back
(no restart), idling past the lock and signing back in — and reads the day's takings by
tender at the end. The opening and the closing also run under LANG=C.

Every wait is for text on the screen (or for the fake's own state), never a fixed sleep:
the test must hold on a loaded 2-core machine.
"""
import os
import re
import sqlite3
import subprocess
import sys
import time
import unittest

from tmuxharness import Home, Terminal, paydesk_bin

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))

from fakeclient import FakeStripe  # noqa: E402

SEED = os.path.join(ROOT, "tests", "fakestripe", "seeds", "training.json")
KEY = "rk_test_51DeskDayEndToEndKey000000000"
PUBLISHABLE = "pk_test_51DeskDayEndToEndKey000000000"
PLATFORM = "acct_1FakePlatform000"
PASSPHRASE = "desk day passphrase"
ADMIN, ADMIN_PIN = "Nadia", "1357"
STAFF, STAFF_PIN = "Sam", "2468"
DESK, READER = "Front desk", "Front counter"
IDLE_LOCK = 30  # seconds: short, yet longer than any single wait of the day (25 s at most)


class DeskDay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeStripe(seed_file=SEED).start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    # -- the desk before opening ---------------------------------------------------------------

    def setUp(self):
        self.fake.reset()
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {k: v for k, v in self.home.env.items()
                    if k not in ("PAYDESK_SIGN_IN", "PAYDESK_PIN")}  # the lock screen it is
        self.env.update({"PAYDESK_TIMEZONE": self.evening_zone(), "PAYDESK_DESK": DESK,
                         "PAYDESK_API_BASE": self.fake.base_url,
                         **self.desk_unlock_env()})
        conf = os.path.join(self.home.path, "config", "paydesk")
        os.makedirs(conf, exist_ok=True)
        with open(os.path.join(conf, "config"), "w") as f:
            f.write("[ui]\nidle_lock = %ds\n[stripe]\ntimeout = 5\nmax_retries = 1\n"
                    % IDLE_LOCK)
        self.cli("setup", "--account", PLATFORM, "--publishable", PUBLISHABLE,
                 "--bill-with-stripe", "on", "--payment-at-booking", "optional",
                 stdin=KEY + "\n", env={"PAYDESK_PASSPHRASE": PASSPHRASE})
        self.cli("users", "add", "--name", ADMIN, "--role", "admin", stdin=ADMIN_PIN + "\n",
                 env={"PAYDESK_PASSPHRASE": PASSPHRASE})
        admin = {"PAYDESK_PIN": ADMIN_PIN}
        self.cli("users", "add", "--name", STAFF, "--role", "staff", "--as", ADMIN,
                 stdin=STAFF_PIN + "\n", env=admin)
        self.cli("users", "refund-limit", "100", "usd", "--as", ADMIN, env=admin)
        self.enrol_desk_and_reader()
        self.seed_day()

    def evening_zone(self):
        """A fixed-offset zone where it is now 18:xx, so today's book (09:00-16:00) has
        happened whenever the test runs (a no-show needs a visit in the past), and the
        day does not turn during the test. Etc/GMT-N is UTC+N."""
        hour = time.gmtime().tm_hour
        offset = 18 - hour if 18 - hour <= 14 else 18 - hour - 24
        self.offset = offset * 3600
        return "Etc/GMT%+d" % -offset if offset else "UTC"

    def desk_unlock_env(self):
        """The day's environment opens nothing by itself: no PAYDESK_PASSPHRASE (nor one
        inherited from the shell running the suite). The enrolled desk's key file does it."""
        self.assertNotIn("PAYDESK_PASSPHRASE", os.environ, "the day must run without it")
        return {}

    def enrol_desk_and_reader(self):
        """What an admin does once, before the first day: enrol this machine as a desk (the
        passphrase given this once) and register training's simulated reader, which this
        desk then uses (the first reader registered from a desk becomes its own)."""
        admin = {"PAYDESK_PIN": ADMIN_PIN, "PAYDESK_PASSPHRASE": PASSPHRASE}
        out = self.cli("desk", "enrol", "--name", DESK, "--as", ADMIN, env=admin)
        self.assertIn(DESK, out.stdout + out.stderr)
        # from here on, no passphrase: the desk key opens the vault
        self.assertIn(DESK, self.cli("desk", "list", "--as", ADMIN,
                                     env={"PAYDESK_PIN": ADMIN_PIN}).stdout)
        out = self.cli("readers", "register", "--code", "simulated-wpe", "--label", READER,
                       "--as", ADMIN, env={"PAYDESK_PIN": ADMIN_PIN})
        self.assertIn("this desk (%s) now uses it" % DESK, out.stdout)
        # the desk key is no admin proof: without --as the passphrase is still asked
        out = self.cli("readers", "register", "--code", "simulated-wpe", "--label", "Stray",
                       check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("passphrase", out.stderr)
        # Found by the tester: staff were told only of the passphrase they do not
        # have; the message names --as, with which the enrolled desk opens it.
        out = self.cli("readers", "list", check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("--as NAME", out.stderr)
        listed = self.cli("readers", "list", "--as", STAFF, env={"PAYDESK_PIN": STAFF_PIN})
        self.assertNotIn("Stray", listed.stdout)
        self.assertRegex(listed.stdout, r"\* %s\s+online" % READER)

    def cli(self, *args, stdin="", env=None, check=True):
        out = subprocess.run([paydesk_bin(), *args], input=stdin, text=True,
                             capture_output=True, timeout=120,
                             env={**os.environ, **self.env, **(env or {})})
        if check:
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        return out

    def seed_day(self):
        """Today's book (UTC): the training seed's customers as clients billed with Stripe,
        three services, Alice on all day, and seven appointments; Noah Smith's card declines
        (pm_card_chargeCustomerFail: saved fine, declined when charged)."""
        listed = self.fake.api("GET", "/v1/customers", {"limit": 100}, key=KEY).json()["data"]
        cus = {c["name"]: c["id"] for c in listed}
        noah = self.fake.api("POST", "/v1/customers", {"name": "Noah Smith",
                                                      "email": "noah.smith@example.com"},
                             key=KEY).json()["id"]
        r = self.fake.api("POST", "/v1/payment_methods/pm_card_chargeCustomerFail/attach",
                          {"customer": noah}, key=KEY)
        self.assertEqual(r.status, 200, r.json())
        cus["Noah Smith"] = noah
        now = int(time.time())
        # midnight of today, local (the evening zone), in UTC seconds
        self.today = (now + self.offset) - (now + self.offset) % 86400 - self.offset
        con = sqlite3.connect(self.home.db)
        with con:
            ids = {}
            for name in ("Zoë Müller", "José Núñez", "Noah Smith", "Liam Walsh", "Priya Raman",
                         "Aiko Tanaka", "Emma Johansson", "Łukasz Wiśniewski"):
                ids[name] = con.execute(
                    "INSERT INTO clients (name, email, bill_with_stripe, stripe_customer_id, "
                    "created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?)",
                    (name, name.split()[0].lower() + "@example.com", cus[name], now,
                     now)).lastrowid
            svc = {}
            for name, minutes, price in (("Haircut", 45, 4500), ("Colour", 90, 9500),
                                         ("Consultation", 30, 2500)):
                svc[name] = con.execute(
                    "INSERT INTO services (name, duration_min, price, currency, created_at, "
                    "updated_at) VALUES (?, ?, ?, 'usd', ?, ?)",
                    (name, minutes, price, now, now)).lastrowid
            alice = con.execute("INSERT INTO staff (name, hours, created_at, updated_at) "
                                "VALUES ('Alice', ?, ?, ?)",
                                (" ".join(["07:00-21:00"] * 7), now, now)).lastrowid
            book = (("Zoë Müller", "Haircut", 9), ("José Núñez", "Colour", 10),
                    ("Noah Smith", "Haircut", 12), ("Liam Walsh", "Consultation", 13),
                    ("Priya Raman", "Haircut", 14), ("Aiko Tanaka", "Consultation", 15),
                    ("Łukasz Wiśniewski", "Haircut", 17.5))
            for client, service, hour in book:
                price, minutes = con.execute("SELECT price, duration_min FROM services "
                                             "WHERE id = ?", (svc[service],)).fetchone()
                start = self.today + int(hour * 3600)
                con.execute("INSERT INTO appointments (client_id, service_id, staff_id, "
                            "starts_at, ends_at, state, amount, currency, created_at, "
                            "updated_at) VALUES (?, ?, ?, ?, ?, 'booked', ?, 'usd', ?, ?)",
                            (ids[client], svc[service], alice, start, start + minutes * 60,
                             price, now, now))
        con.close()

    def query(self, sql):
        con = sqlite3.connect(self.home.db)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    # -- the desk's moves ----------------------------------------------------------------------

    def open_desk(self, env=None):
        t = Terminal([paydesk_bin()], 80, 24, env={**self.env, **(env or {})})
        self.addCleanup(t.close)
        t.wait_for("paydesk is locked")
        self.sign_in(t)
        # the enrolled desk opened the vault: nobody is asked for the admin's passphrase
        self.assertNotIn("Vault locked", t.screen())
        return t

    def sign_in(self, t):
        t.type(STAFF)
        t.send("Enter")
        t.type(STAFF_PIN)
        t.send("Enter")
        t.wait_for("Day agenda")
        t.wait_for(STAFF + "\n", timeout=5)  # who is at the desk, right of the tabs

    def agenda_rows(self, t, client, timeout=25):
        """The agenda's rows once it is drawn with client's row on it: the same screen in
        two captures in a row, since one taken while curses was writing can hold the
        header and only some rows (the rows were read mid-draw and a row was missing)."""
        deadline, last = time.monotonic() + timeout, None
        while True:
            screen = t.screen()
            rows = [line for line in screen.splitlines()
                    if re.match(r" \d\d:\d\d-\d\d:\d\d ", line)]
            if "Day agenda" in screen and screen == last and \
                    any(client[:12] in row for row in rows):
                return rows
            if time.monotonic() > deadline:
                self.fail("%s is not on the agenda after %d s:\n%s" % (client, timeout, screen))
            last = screen
            time.sleep(0.1)

    def select(self, t, client):
        """Select client's row on the agenda shown: g, then j as many times as rows come
        before it; done when the detail line under the rows names it."""
        rows = self.agenda_rows(t, client)
        index = next(i for i, row in enumerate(rows) if client[:12] in row)
        t.send("g", *["j"] * index)
        t.wait_for("\n " + client + " · ")

    def take(self, t, client, amount=None, method=0, expect=None):
        """p on client's row: the amount (None: as due), the collect-by choice (Space
        presses: 0 saved card, 1 pay link, 3 cash), then y on the money dialog."""
        self.select(t, client)
        t.send("p")
        t.wait_for("Take payment · " + client)
        if amount is not None:
            t.send("C-u")
            t.type(amount)
        t.send("Tab")
        t.send(*["Space"] * method)
        t.send("C-s")
        t.wait_for("Take this payment?")
        t.send("y")
        if expect:
            t.wait_for(expect, timeout=25)

    def book(self, t, who, date, hour):
        t.send("n")
        t.wait_for("Book an appointment")
        t.type(who)
        t.wait_for("> ")
        t.send("Tab", "Tab", "Tab")
        t.send("C-u")
        t.type(date)
        t.send("Tab")
        t.type(hour)
        t.send("C-s")
        if "has passed" in t.wait_for("has passed|booked " + hour, regex=True):
            t.send("y")  # a walk-in is recorded after the fact
        t.wait_for("booked " + hour)

    def quit(self, t):
        """q; a background job still running (the History tab's sync) is asked about."""
        t.send("q")
        deadline = time.monotonic() + 10
        while not os.path.exists(t.status_file) and time.monotonic() < deadline:
            if "Quit paydesk?" in t.screen():
                t.send("y")
                break
            time.sleep(0.05)
        self.assertEqual(t.exit_status(), 0)

    def take_reader_payment(self, t, client):
        """p on client's row, collected by the card reader: the confirm names this desk's
        reader, the view waits for the card, the desk taps training's test card (t) and the
        row reads paid."""
        self.select(t, client)
        t.send("p")
        t.wait_for("Take payment · " + client)
        t.send("Tab", "Space", "Space")  # saved card → pay link → card reader
        t.wait_for("< card reader (Terminal) >")
        t.send("C-s")
        t.wait_for("Collect by card reader (Terminal) on %s." % READER)
        t.send("y")
        screen = t.wait_for("waiting for the card on " + READER, timeout=25)
        self.assertIn("t: tap a test card", screen)
        t.send("t")  # training only: the simulated reader is presented a card
        t.wait_for("Paid 45.00 USD on the reader.", timeout=25)
        t.send("Escape")
        t.wait_for(r"%s.* +confirmed +paid" % client[:12], regex=True)

    def checkout_session(self):
        data = self.fake.api("GET", "/v1/checkout/sessions", {"limit": 1}, key=KEY).json()
        return data["data"][0]["id"]

    def phone_pays_link(self, t, client):
        """The client pays the link on their phone (the fake's control), the desk sees it."""
        t.wait_for("show the client this code or link", timeout=25)
        cs = self.checkout_session()
        self.fake.control("POST", "/checkout/sessions/%s/complete" % cs,
                          {"payment_method": "pm_card_visa"})
        t.send("Escape")
        t.wait_for(r"%s .*(confirmed|booked) +paid" % client[:10], timeout=25, regex=True)

    # -- the day -------------------------------------------------------------------------------

    def test_a_whole_day_at_the_desk(self):
        t = self.open_desk()
        for name in ("Zoë Müller", "José Núñez", "Noah Smith", "Aiko Tanaka"):
            self.agenda_rows(t, name)

        # A phone booking for tomorrow: the payment can wait (Esc at the payment step).
        tomorrow = time.strftime("%Y-%m-%d", time.gmtime(self.today + self.offset + 86400))
        self.book(t, "emma", tomorrow, "10:00")
        t.wait_for("Take payment · Emma Johansson")
        t.send("Escape")
        t.send("t")  # back to today
        t.wait_for("Zoë Müller")

        # A walk-in (a new client, no Stripe) who pays cash.
        t.send("2")
        t.wait_for("Clients · Services · Staff")
        t.send("n")
        t.wait_for("New client")
        t.type("Wanda Walker")
        t.send("C-s")
        t.wait_for("client added: Wanda Walker")
        t.send("1")
        t.wait_for("Day agenda")
        self.book(t, "wanda", time.strftime("%Y-%m-%d", time.gmtime(self.today + self.offset)),
                  "16:00")
        t.wait_for("Take payment · Wanda Walker")
        t.send("Escape")
        # (the booking form's first service: a colour, 95.00)
        self.take(t, "Wanda Walker", method=3, expect="Took 95.00 USD in cash (paid).")

        # A deposit, then the rest, on the saved card.
        self.take(t, "Zoë Müller", amount="10", expect="Paid 10.00 USD with the saved card.")
        t.wait_for(r"Zoë Müller .*35.00 due", regex=True)
        self.take(t, "Zoë Müller", expect="Paid 35.00 USD with the saved card.")
        t.wait_for(r"Zoë Müller .*confirmed +paid", regex=True)
        # Her visit history (H): today's visit and its money, deposit and rest.
        t.send("H")
        screen = t.wait_for("Visit history · Zoë Müller")
        self.assertIn("1 visit", screen)
        self.assertIn("paid 45.00 USD · refunded 0.00 · due 0.00", screen)
        t.send("Escape")
        t.wait_for("Day agenda")

        # A pay link, paid from the client's phone.
        self.take(t, "José Núñez", method=1)
        self.phone_pays_link(t, "José Núñez")

        # A decline, then a pay link.
        self.take(t, "Noah Smith", expect="declined")
        self.take(t, "Noah Smith", method=1)
        self.phone_pays_link(t, "Noah Smith")

        # The card reader: the client taps their card (training's test card).
        self.take_reader_payment(t, "Łukasz Wiśniewski")

        # A no-show.
        self.select(t, "Liam Walsh")
        t.send("x")
        t.wait_for("Mark Liam Walsh's 13:00 Consultation as no-show?")
        t.send("y")
        t.wait_for(r"Liam Walsh +Consultation +no-show", regex=True)

        # A cancellation, the money refunded.
        self.take(t, "Priya Raman", expect="Paid 45.00 USD with the saved card.")
        self.select(t, "Priya Raman")
        t.send("c")
        t.wait_for("What happens to the 45.00 USD paid?")
        t.send("Enter", "Enter", "Enter")  # refund all of it, amount, reason
        t.wait_for("Refund and cancel?")
        t.send("y")
        t.wait_for(r"Priya Raman +Haircut +cancelled +refunded", regex=True, timeout=25)

        # Stripe goes down mid-day: the card charge is queued, the desk goes on; Stripe
        # comes back, the desk sends it — no restart.
        self.fake.add_fault("error", status=503)
        self.select(t, "Aiko Tanaka")
        t.send("p")
        t.wait_for("Take payment · Aiko Tanaka")
        t.wait_for("Stripe unreachable since", timeout=25)
        t.send("C-s")
        t.wait_for("Queue this charge?")
        t.send("y")
        t.wait_for(r"Aiko Tanaka +Consultation +booked +queued", regex=True)
        self.fake.clear_faults()
        t.send("p")
        t.wait_for("Stripe answers again", timeout=25)
        t.send("p")
        t.wait_for("Send the queued charge?")
        t.send("y")
        t.wait_for("Paid 25.00 USD with the saved card.", timeout=25)
        t.wait_for(r"Aiko Tanaka +Consultation +confirmed +paid", regex=True)

        # Lunch: the desk idles past the lock, and signs back in.
        t.wait_for("paydesk is locked", timeout=IDLE_LOCK + 20)
        self.assertNotIn("Aiko Tanaka", t.screen())  # nothing of the desk behind it
        self.sign_in(t)

        # Closing: the day's takings by tender.
        t.send("4")
        t.wait_for("desk by tender: cash 95.00 USD", timeout=25)
        # the tab's own sync brings Stripe's side of the day (the training seed's charges
        # of today among it, so its card total is not the desk's alone)
        t.wait_for(r"synced \d", regex=True, timeout=60)
        self.quit(t)
        takings = self.cli("takings", env={"LANG": "C", "LC_ALL": "C"}).stdout
        self.assertRegex(takings, r"cash +USD +95\.00 +0\.00 +95\.00")
        self.assertRegex(takings, r"Stripe +USD +[\d,]+\.\d\d")
        # Stripe took: 10 + 35 (Zoë) + 95 (José) + 45 (Noah) + 45 (Łukasz, on the reader)
        # + 45 (Priya) + 25 (Aiko)
        charges = self.fake.api("GET", "/v1/payment_intents", {"limit": 100}, key=KEY).json()
        paid = sorted(p["amount"] for p in charges["data"] if p["status"] == "succeeded"
                      and p.get("metadata", {}).get("source") == "paydesk")
        self.assertEqual(paid, sorted([1000, 3500, 9500, 4500, 4500, 4500, 2500]))
        # and every one of them is in the History the sync brought (the Stripe line above)
        ours = {p["id"] for p in charges["data"] if p["status"] == "succeeded"
                and p.get("metadata", {}).get("source") == "paydesk"}
        synced = {pi for (pi,) in self.query("SELECT payment_intent FROM history "
                                              "WHERE type = 'payment'")}
        self.assertEqual(ours - synced, set())

    def test_opening_and_closing_under_lang_c(self):
        t = self.open_desk(env={"LANG": "C", "LC_ALL": "C"})
        # names whole: UTF-8 where the terminal shows it, else their ASCII letters
        t.wait_for(r"Zo[eë] M[uü]ller", regex=True)
        t.wait_for(r"Jos[eé] N[uú][nñ]ez", regex=True)
        self.take(t, "Aiko Tanaka", method=3, expect="Took 25.00 USD in cash (paid).")
        self.quit(t)
        takings = self.cli("takings", env={"LANG": "C", "LC_ALL": "C"}).stdout
        self.assertRegex(takings, r"cash.*25\.00")


if __name__ == "__main__":
    unittest.main()
