"""When Stripe or the network is down the desk keeps its book (issue 15, point 19), in tmux
at 80x24 against the fake Stripe with faults injected: the status line says since when
Stripe has been unreachable; bookings, edits and cash go on; a saved-card charge is offered
as "queue it" instead, marked "queued" in the row and "queued, not charged" in the detail,
and sent only when the desk confirms it again once Stripe answers — one charge; a queued
charge can be dropped with a reason; Stripe coming back is noticed without a restart or a
key."""
import os
import socket
import sqlite3
import subprocess
import sys
import time
import unittest

from tmuxharness import Home, Terminal, paydesk_bin

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))

from fakeclient import FakeStripe  # noqa: E402

KEY = "rk_test_51StripeDownEndToEndKey0000000"
PUBLISHABLE = "pk_test_51StripeDownEndToEndKey0000000"
PLATFORM = "acct_1FakePlatform000"
PASSPHRASE = "stripe down passphrase"
DOWN = "Stripe unreachable since"


class StripeDown(unittest.TestCase):
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
        # a fixed-offset zone where it is 18:xx: the day does not turn mid-test
        hour = time.gmtime().tm_hour
        offset = 18 - hour if 18 - hour <= 14 else 18 - hour - 24
        self.offset = offset * 3600
        zone = "Etc/GMT%+d" % -offset if offset else "UTC"  # Etc/GMT-N is UTC+N
        self.env = {**self.home.env, "PAYDESK_TIMEZONE": zone,
                    "PAYDESK_API_BASE": self.fake.base_url, "PAYDESK_PASSPHRASE": PASSPHRASE}
        conf = os.path.join(self.home.path, "config", "paydesk")
        os.makedirs(conf, exist_ok=True)
        with open(os.path.join(conf, "config"), "w") as f:
            # an outage is concluded after one retry, not four
            f.write("[stripe]\ntimeout = 3\nmax_retries = 1\n")
        setup = subprocess.run(
            [paydesk_bin(), "setup", "--account", PLATFORM, "--publishable", PUBLISHABLE,
             "--bill-with-stripe", "on"],
            input=KEY + "\n", text=True, capture_output=True, env={**os.environ, **self.env})
        self.assertEqual(setup.returncode, 0, setup.stdout + setup.stderr)
        self.seed()

    def seed(self):
        """Today at 10:00 Zoë Martin (a Stripe customer with a saved Visa) and at 12:00
        Sam Lee (a walk-in, no Stripe): a 45.00 haircut each, with Alice."""
        r = self.fake.api("POST", "/v1/customers", {"name": "Zoë Martin",
                                                   "email": "zoe@example.com"}, key=KEY)
        self.assertEqual(r.status, 200, r.json())
        cus = r.json()["id"]
        r = self.fake.api("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": cus},
                          key=KEY)
        self.assertEqual(r.status, 200, r.json())
        pm = r.json()["id"]
        now = int(time.time())
        day = (now + self.offset) - (now + self.offset) % 86400 - self.offset  # local midnight
        con = sqlite3.connect(self.home.db)
        with con:
            zoe = con.execute("INSERT INTO clients (name, email, bill_with_stripe, "
                              "stripe_customer_id, created_at, updated_at) VALUES "
                              "('Zoë Martin', 'zoe@example.com', 1, ?, ?, ?)",
                              (cus, now, now)).lastrowid
            sam = con.execute("INSERT INTO clients (name, created_at, updated_at) VALUES "
                              "('Sam Lee', ?, ?)", (now, now)).lastrowid
            con.execute("INSERT INTO client_cards (client_id, payment_method_id, brand, last4, "
                        "exp_month, exp_year, position, fetched_at) VALUES "
                        "(?, ?, 'visa', '4242', 12, 2034, 0, ?)", (zoe, pm, now))
            svc = con.execute("INSERT INTO services (name, duration_min, price, currency, "
                              "created_at, updated_at) VALUES ('Haircut', 60, 4500, 'usd', ?, ?)",
                              (now, now)).lastrowid
            staff = con.execute("INSERT INTO staff (name, hours, created_at, updated_at) VALUES "
                                "('Alice', ?, ?, ?)",
                                (" ".join(["08:00-20:00"] * 7), now, now)).lastrowid
            for client, hour in ((zoe, 10), (sam, 12)):
                start = day + hour * 3600
                con.execute("INSERT INTO appointments (client_id, service_id, staff_id, "
                            "starts_at, ends_at, state, amount, currency, created_at, "
                            "updated_at) VALUES (?, ?, ?, ?, ?, 'booked', 4500, 'usd', ?, ?)",
                            (client, svc, staff, start, start + 3600, now, now))
        con.close()
        self.fake.clear_requests()  # setup's permission probes and the seeding

    def query(self, sql):
        con = sqlite3.connect(self.home.db)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def start(self):
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("Day agenda")
        t.wait_for("Zoë Martin")
        return t

    def top_line(self, t):
        return t.screen().splitlines()[0]

    def queue_zoes_charge(self, t):
        """With Stripe down: p on Zoë's 10:00 offers to queue the card charge."""
        t.send("g", "p")
        t.wait_for("Take payment · Zoë Martin · Haircut 45.00 USD")
        # opening the form asks Stripe whether it answers: the status line says it does not
        t.wait_for(DOWN, timeout=30)
        self.assertIn(DOWN, self.top_line(t))
        t.send("C-s")
        screen = t.wait_for("Queue this charge?")
        self.assertIn("Stripe has not answered since", screen)
        self.assertIn("not charged", screen)
        self.assertIn("45.00 USD", screen)
        t.send("y")
        t.wait_for("Queued 45.00 USD on visa ·4242: not charged")
        screen = t.wait_for(r"10:00-11:00 +Alice +Zoë Martin +Haircut +booked +queued",
                            regex=True)
        self.assertIn("45.00 USD queued, not charged", screen)
        top = self.top_line(t)
        self.assertRegex(top, r"^ 1 Appointments +2 +3 +4 +5 +Stripe unreachable since "
                              r"\d\d:\d\d +1 queued +Alex$")

    def test_desk_keeps_its_book_and_a_queued_charge_is_sent_once_when_confirmed(self):
        t = self.start()
        self.assertNotIn(DOWN, t.screen())  # nothing known to be wrong yet
        self.fake.add_fault("error", status=503)
        self.queue_zoes_charge(t)

        # Cash from the walk-in: recorded at the desk, as ever.
        t.send("j", "p")
        t.wait_for("Take payment · Sam Lee · Haircut 45.00 USD")
        t.send("Enter")
        t.send("Space", "Space", "Space")
        t.wait_for("< cash >")
        t.send("C-s")
        t.wait_for("Take this payment?")
        t.send("y")
        t.wait_for("Took 45.00 USD in cash (paid).")
        t.wait_for(r"12:00-13:00 +Alice +Sam Lee +Haircut +confirmed +paid", regex=True)

        # A phone booking and its reschedule.
        t.send("n")
        t.wait_for("Book an appointment")
        t.type("lee")
        t.wait_for("> Sam Lee")
        t.send("Tab", "Tab", "Tab")
        t.send("C-u")
        t.type("2030-01-07")
        t.send("Tab")
        t.type("10:00")
        t.send("C-s")
        t.wait_for("booked 10:00")
        t.wait_for(r"10:00-11:00 +Alice +Sam Lee", regex=True)
        t.send("e")
        t.wait_for("Edit / reschedule the appointment")
        t.send("Tab")
        t.send("C-u")
        t.type("11:00")
        t.send("C-s")
        t.wait_for("saved 11:00")
        t.wait_for(r"11:00-12:00 +Alice +Sam Lee", regex=True)
        self.assertIn(DOWN, self.top_line(t))  # still down all along
        t.wait_for("Paydesk Test Salon · unreachable")  # not "online" on the status line
        self.assertEqual(self.fake.requests(method="POST"), [])  # nothing sent to Stripe

        # Stripe is back: p on the queued charge asks Stripe at once, the desk is told,
        # and only a second p + y sends it.
        t.send("t")
        t.wait_for("Zoë Martin")
        self.fake.clear_faults()
        t.send("g", "p")
        t.wait_for("Stripe answers again", timeout=30)
        t.wait_gone(DOWN)
        self.assertNotIn("Paid", t.screen())
        self.assertEqual(self.fake.requests(method="POST"), [])
        t.send("p")
        screen = t.wait_for("Send the queued charge?")
        self.assertIn("Queued, not charged:", screen)
        self.assertIn("45.00 USD on visa ·4242, queued", screen)
        t.send("y")
        t.wait_for("Paid 45.00 USD with the saved card.", timeout=30)
        t.wait_for(r"10:00-11:00 +Alice +Zoë Martin +Haircut +confirmed +paid", regex=True)
        t.wait_gone("1 queued")
        self.assertIn(" 2 Clients ", self.top_line(t))  # the tabs' names are back
        t.send("p")  # nothing left to send, nothing due
        t.wait_for("nothing is due")
        t.send("q")
        t.exit_status()

        creates = self.fake.requests(method="POST", path_prefix="/v1/payment_intents")
        self.assertEqual(len([r for r in creates if r["path"] == "/v1/payment_intents"]), 1)
        self.assertEqual(self.fake.counts().get("charge"), 1)
        actions = [a for (a,) in self.query("SELECT action FROM audit_log "
                                            "WHERE action LIKE 'payment.%' ORDER BY id")]
        self.assertEqual(actions, ["payment.queued", "payment.desk", "payment.queue_sent",
                                   "payment.card.succeeded"])
        self.assertEqual(self.query("SELECT state, done_by FROM queued_charges"),
                         [("sent", "Alex")])

    def test_a_queued_charge_is_dropped_with_a_reason_and_stripe_back_is_seen_unasked(self):
        t = self.start()
        self.fake.add_fault("drop")  # the network: connections cut, no answer at all
        self.queue_zoes_charge(t)
        t.send("G", "Q")  # the list of what waits, from anywhere on the agenda
        screen = t.wait_for("Queued charges")
        self.assertIn("1 charge queued, not charged:", screen)
        self.assertRegex(screen, r"10:00 Zoë Martin · Haircut · 45.00 USD")
        t.send("Enter")  # goes to the oldest
        t.wait_for("\n Zoë Martin · Haircut · 45.00 USD queued, not charged")
        t.send("p")  # still down: it stays queued
        t.wait_for("Still queued, not charged")
        t.send("D")
        t.wait_for("Drop the queued charge, why?")
        t.send("Enter")
        t.wait_for("say why")
        t.type("client paid by bank transfer")
        t.send("Enter")
        t.wait_for("queued charge dropped, never sent")
        screen = t.wait_for(r"10:00-11:00 +Alice +Zoë Martin +Haircut +booked +none",
                            regex=True)
        self.assertNotIn("queued", screen.splitlines()[0])
        # Stripe comes back while nobody touches a key: a light check every few seconds
        # notices it, and the status line says so.
        self.fake.clear_faults()
        t.wait_for("Stripe answers again", timeout=45)
        t.wait_gone(DOWN)
        t.send("q")
        t.exit_status()
        self.assertEqual(self.fake.requests(method="POST"), [])
        rows = self.query("SELECT state, reason FROM queued_charges")
        self.assertEqual(rows, [("dropped", "client paid by bank transfer")])
        actions = [a for (a,) in self.query("SELECT action FROM audit_log "
                                            "WHERE action LIKE 'payment.%' ORDER BY id")]
        self.assertEqual(actions, ["payment.queued", "payment.queue_dropped"])

    def test_slow_stripe_is_never_shown_as_online(self):
        # Found by the tester: with Stripe taking 70 s to answer, both lines
        # said all was well ("online") the whole time.
        with open(os.path.join(self.home.path, "config", "paydesk", "config"), "w") as f:
            f.write("[stripe]\ntimeout = 60\nmax_retries = 1\n")
        t = self.start()
        self.fake.add_fault("latency", method="POST", path_prefix="/v1/payment_intents",
                            ms=16000, count=1)
        t.send("g", "p")
        t.wait_for("Take payment · Zoë Martin · Haircut 45.00 USD")
        t.send("C-s")
        t.wait_for("Take this payment?")
        t.send("y")
        screen = t.wait_for("Stripe slow: no answer for", timeout=14)
        self.assertIn("slow: waiting", screen.splitlines()[-1])
        self.assertNotIn("online", screen.splitlines()[-1])
        t.wait_for("Paid 45.00 USD", timeout=40)
        self.assertNotIn("Stripe slow", self.top_line(t))
        t.send("q")
        t.exit_status()

    def test_nothing_listening_the_desk_still_books_and_takes_cash(self):
        # The network itself: where Stripe should be, nothing listens at all.
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        dead = "http://127.0.0.1:%d" % sock.getsockname()[1]
        sock.close()
        self.env["PAYDESK_API_BASE"] = dead
        t = self.start()
        self.queue_zoes_charge(t)
        t.send("j", "p")
        t.wait_for("Take payment · Sam Lee · Haircut 45.00 USD")
        t.send("Enter")
        t.send("Space", "Space", "Space")
        t.wait_for("< cash >")
        t.send("C-s")
        t.wait_for("Take this payment?")
        t.send("y")
        t.wait_for("Took 45.00 USD in cash (paid).")
        t.send("n")
        t.wait_for("Book an appointment")
        t.type("lee")
        t.wait_for("> Sam Lee")
        t.send("Tab", "Tab", "Tab")
        t.send("C-u")
        t.type("2030-01-07")
        t.send("Tab")
        t.type("10:00")
        t.send("C-s")
        t.wait_for("booked 10:00")
        self.assertIn(DOWN, self.top_line(t))
        t.send("q")
        self.assertEqual(t.exit_status(), 0)  # no job of the desk's left to ask about
        self.assertEqual(self.query("SELECT count(*) FROM appointments"), [(3,)])
        self.assertEqual(self.query("SELECT state FROM queued_charges"), [("queued",)])


if __name__ == "__main__":
    unittest.main()
