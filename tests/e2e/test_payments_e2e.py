"""Appointment payments end to end in tmux, against the fake Stripe: add a client billed
through Stripe (its customer is created on a worker), save a card on it at Stripe, book
(payment at booking: optional, so the payment step follows), pay with the saved card, see
it confirmed and paid, refund it, see it refunded."""
import datetime
import os
import subprocess
import time
import unittest

from deskcase import (ROOT, DeskCase, FakeStripe, add_service_and_staff,  # noqa: F401
                      fill_booking, new_client, open_desk, run_setup, start_home)
from qrscreen import cells, decode, qr_matrix
from tmuxharness import paydesk_bin

KEY = "rk_test_51PaymentsEndToEndKey00000000"
PUBLISHABLE = "pk_test_51PaymentsEndToEndKey00000000"
PASSPHRASE = "payments e2e passphrase"


class Payments(DeskCase):
    KEY, PUBLISHABLE, PASSPHRASE = KEY, PUBLISHABLE, PASSPHRASE

    def setUp(self):
        # module functions only: other files' classes borrow this setUp
        start_home(self, PASSPHRASE)
        run_setup(self, KEY, PUBLISHABLE, "--bill-with-stripe", "on",
                  "--payment-at-booking", "optional")

    def wait_fake(self, path, timeout=15):
        """The newest object of a Stripe list, once there is one (paydesk's own database
        is read only after it exits)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            data = self.fake.api("GET", path, {"limit": 1}, key=KEY).json().get("data")
            if data:
                return data[0]
            time.sleep(0.1)
        self.fail("timed out waiting for a Stripe object at " + path)

    def client_with_saved_card(self):
        """A Stripe-billed client with a saved card, a service and a staff member, all
        added in the terminal: returns the terminal."""
        t = open_desk(self)
        new_client(t, email="zoe@example.com")
        # the save's notice, soon replaced by the Stripe customer's (the worker
        # may finish before the screen is looked at)
        t.wait_for(r"client added: Zoë Martin|Zoë Martin added at Stripe", regex=True)
        cus = self.wait_fake("/v1/customers")["id"]
        self.assertTrue(cus.startswith("cus_"))
        # paydesk has stored it (else Y, a second sync, would make another customer)
        t.wait_for("Stripe " + cus, timeout=20)
        # The client saves a card with Stripe (as a save-a-card link would).
        r = self.fake.api("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": cus},
                          key=KEY)
        self.assertEqual(r.status, 200, r.json())
        t.send("Y")  # re-read the client's saved cards from Stripe
        t.wait_for("visa ·4242")
        add_service_and_staff(t, "45")
        return t

    def book_with_saved_card(self, date="2030-01-07"):
        """client_with_saved_card, then a booking: returns the terminal at its payment
        step."""
        t = self.client_with_saved_card()
        # Book: payment at booking is optional, so the payment step follows.
        fill_booking(t, "zoe", "Zoë Martin", date)
        t.send("C-s")
        if "has passed" in t.wait_for("has passed|Take payment", regex=True):
            t.send("y")  # a booking in the past is asked about first
        t.wait_for("Take payment · Zoë Martin · Haircut 45.00 USD")
        t.wait_for("card saved on the client")
        return t

    def test_book_pay_saved_card_refund(self):
        t = self.book_with_saved_card()
        t.send("Enter", "Enter")  # amount as due, then the method: continue
        t.wait_for("Take this payment?")
        t.wait_for("45.00 USD")
        t.send("y")
        t.wait_for("Paid 45.00 USD with the saved card.")
        t.wait_for("confirmed")
        t.wait_for(r"confirmed\s+paid", regex=True)
        pi = self.wait_fake("/v1/payment_intents")
        self.assertEqual(pi["status"], "succeeded")
        self.assertEqual(pi["amount"], 4500)
        self.assertEqual(pi["metadata"]["service"], "Haircut")

        # Refund it all.
        t.send("r")
        t.wait_for("Refund · Zoë Martin · Haircut 45.00 USD")
        t.send("Enter", "Enter")
        t.wait_for("Refund?")
        t.send("y")
        t.wait_for("Refunded 45.00 USD")
        t.wait_for(r"confirmed\s+refunded", regex=True)
        t.send("q")
        t.exit_status()
        actions = [a for (a,) in self.query("SELECT action FROM audit_log")]
        self.assertIn("payment.card.succeeded", actions)
        self.assertIn("payment.refund", actions)
        self.assertEqual(self.query("SELECT actor FROM audit_log WHERE action ="
                                    " 'payment.refund'")[0][0], "Alex")


    def test_pay_link_at_80x24_light_theme(self):
        """A pay link at 80x24 under the light theme: the whole URL on screen, its QR code
        on the whole screen with Q (within 24 rows, dark modules on a light background, the
        very modules of the URL's code), C puts the URL on the terminal's clipboard (OSC
        52, read back from tmux's buffer), and nothing claims the link was sent."""
        self.env["PAYDESK_THEME"] = os.path.join(ROOT, "themes", "light.theme")
        t = self.book_with_saved_card()
        t.tmux("set", "-g", "set-clipboard", "on")
        t.send("Enter", "Right", "Enter")  # amount as due; collect by pay link
        t.wait_for("Collect by pay link")
        t.send("y")
        screen = t.wait_for("c: check now", timeout=15)
        url = self.wait_fake("/v1/checkout/sessions")["url"]
        self.assertGreater(len(url), 76)  # longer than a row: it must wrap
        rows = screen.split("\n")
        start = next(i for i, r in enumerate(rows) if "https://" in r)
        joined = rows[start][rows[start].index("https://"):].rstrip()
        for r in rows[start + 1:]:
            joined += r.strip()
        self.assertTrue(joined.startswith(url), joined)
        self.assertIn("Pay link for 45.00 USD: show the client this code or link.", screen)
        self.assertNotRegex(screen, r"USD sent|link sent")
        # With room for it, the QR code is under the link, dark on light here too
        # (the light theme once drew it inverted: phones could not read it).
        t.resize(100, 50)
        t.wait_for("[▀▄█]{7}", regex=True)
        modules, _ = decode(cells(t.screen(colours=True)))
        self.assertEqual(modules, qr_matrix(url))
        t.resize(80, 24)
        t.wait_for("Q: the QR code on the whole screen")

        t.send("Q")
        t.wait_for("C: copy the link")
        grid = cells(t.screen(colours=True))
        self.assertLessEqual(len(grid), 24)
        modules, used = decode(grid)
        self.assertEqual(modules, qr_matrix(url))
        self.assertLessEqual(max(used), 23)
        t.send("C")
        t.wait_for("link copied to the clipboard")
        end = time.monotonic() + 5
        while time.monotonic() < end and t.tmux("show-buffer", capture=True) != url:
            time.sleep(0.1)
        self.assertEqual(t.tmux("show-buffer", capture=True), url)
        t.send("Escape")
        t.wait_for("Q: QR code  C: copy link")

    def test_a_deposit_shows_what_is_still_due(self):
        # 10.00 taken on a 45.00 booking is a deposit, not "paid" (it was shown
        # as paid in the row, the detail line and `paydesk agenda`).
        t = self.book_with_saved_card()
        t.send("C-u")
        t.type("10")
        t.send("Enter", "Enter")
        t.wait_for("Take this payment?")
        t.send("y")
        t.wait_for("Paid 10.00 USD with the saved card.")
        screen = t.wait_for(r"confirmed\s+35.00 due", regex=True)  # the 80-column row
        self.assertIn("payment deposit 10.00 · 35.00 due", screen)  # its detail
        self.assertNotRegex(screen, r"confirmed\s+paid")
        agenda = subprocess.run([paydesk_bin(), "agenda", "--date", "2030-01-07"],
                                capture_output=True, text=True, env={**os.environ, **self.env})
        self.assertIn("deposit 10.00 · 35.00 due", agenda.stdout, agenda.stderr)
        # The rest: now it is paid.
        t.send("p")
        t.wait_for("Take payment · Zoë Martin · Haircut 35.00 USD")
        t.send("Enter", "Enter")
        t.wait_for("Take this payment?")
        t.send("y")
        t.wait_for("Paid 35.00 USD with the saved card.")
        t.wait_for(r"confirmed\s+paid", regex=True)
        t.send("q")
        t.exit_status()

    def test_a_payment_in_flight_is_not_locked_away(self):
        # Stripe answers slowly (6 s) and the idle lock is 3 s: the desk that
        # pressed y sees the outcome before the screen locks, and the lock
        # still comes once the payment is over and nobody types.
        os.makedirs(os.path.join(self.home.path, "config", "paydesk"), exist_ok=True)
        with open(os.path.join(self.home.path, "config", "paydesk", "config"), "w") as f:
            f.write("[ui]\nidle_lock = 3s\n")
        t = self.book_with_saved_card()
        self.fake.add_fault("latency", method="POST", path_prefix="/v1/payment_intents",
                            ms=6000, count=1)
        t.send("Enter", "Enter")
        t.wait_for("Take this payment?")
        t.send("y")
        end = time.monotonic() + 20
        while "Paid 45.00 USD with the saved card." not in t.screen():
            self.assertNotIn("paydesk is locked", t.screen())
            self.assertLess(time.monotonic(), end, t.screen())
            time.sleep(0.2)
        t.wait_for("paydesk is locked", timeout=10)
        t.send("C-c")
        t.exit_status()

    def take_payment(self, t, paid_words="Paid 45.00 USD with the saved card"):
        t.send("Enter", "Enter")  # amount as due, then the method: continue
        t.wait_for("Take this payment?")
        t.send("y")
        return t.wait_for(paid_words)

    def stripe_payment_intents(self):
        return self.fake.api("GET", "/v1/payment_intents", {"limit": 100},
                             key=KEY).json()["data"]

    def test_an_unknown_payment_is_rechecked_and_taken_again_without_a_restart(self):
        # Five 503s on the create leave the payment unknown. Before, only a
        # restart cleared it: p refused, K said "no payment has been started".
        t = self.book_with_saved_card()
        self.fake.add_fault("error", method="POST", path_prefix="/v1/payment_intents",
                            status=503, count=5)
        screen = self.take_payment(t, "Y re-checks")
        self.assertRegex(screen, r"booked\s+pending")
        self.assertEqual(self.fake.control("GET", "/faults")["faults"], [])  # the outage is over
        t.send("p")  # refused, naming the re-check key
        screen = t.wait_for("not known yet")
        self.assertIn("Y", screen)
        self.assertNotIn("Take payment ·", screen)
        t.send("K")
        screen = t.wait_for("no reader payment")
        self.assertNotIn("no payment has been started", screen)
        t.send("?")
        t.wait_for("re-check")
        t.send("Escape")
        # Re-check now: Stripe made nothing, so nothing was charged and p may
        # take it again.
        t.send("Y")
        t.wait_for("Not charged")
        t.wait_for(r"booked\s+failed", regex=True)
        t.send("p")
        t.wait_for("Take payment · Zoë Martin · Haircut 45.00 USD")
        self.take_payment(t)
        t.wait_for(r"confirmed\s+paid", regex=True)
        t.send("q")
        t.exit_status()
        confirms = [r for r in self.fake.requests(method="POST",
                                                  path_prefix="/v1/payment_intents/")
                    if r["path"].endswith("/confirm") and r["status"] == 200]
        self.assertEqual(len(confirms), 1, confirms)
        statuses = sorted(pi["status"] for pi in self.stripe_payment_intents())
        self.assertEqual(statuses.count("succeeded"), 1, statuses)
        self.assertEqual(self.fake.counts().get("charge"), 1)
        actions = [a for (a,) in self.query("SELECT action FROM audit_log")]
        self.assertIn("payment.recheck", actions)
        self.assertEqual(actions.count("payment.card.succeeded"), 1)

    def test_a_recheck_sees_a_payment_stripe_made_while_the_desk_had_no_answer(self):
        # The confirm runs at Stripe, but its answer never reaches the desk
        # (1 s timeout, Stripe takes 6 s; the retry finds it still running):
        # the payment is unknown though the client was charged. A re-check
        # reads the PaymentIntent and records it paid, charging nothing more.
        os.makedirs(os.path.join(self.home.path, "config", "paydesk"), exist_ok=True)
        with open(os.path.join(self.home.path, "config", "paydesk", "config"), "w") as f:
            f.write("[stripe]\ntimeout = 1\nmax_retries = 1\n")
        t = self.book_with_saved_card()
        self.fake.add_fault("latency", method="POST", path_prefix="/v1/payment_intents/",
                            ms=6000, count=1)
        self.take_payment(t, "Y re-checks")
        end = time.monotonic() + 15
        while self.stripe_payment_intents()[0]["status"] != "succeeded":
            self.assertLess(time.monotonic(), end)
            time.sleep(0.2)
        t.send("p")
        t.wait_for("not known yet")
        t.send("Y")
        t.wait_for("Paid 45.00 USD with the saved card (re-checked at Stripe)")
        t.wait_for(r"confirmed\s+paid", regex=True)
        t.send("q")
        t.exit_status()
        creates = [r for r in self.fake.requests(method="POST", path_prefix="/v1/payment_intents")
                   if r["path"] == "/v1/payment_intents"]
        self.assertEqual(len(creates), 1, creates)
        self.assertEqual(self.fake.counts().get("charge"), 1)
        self.assertEqual([pi["status"] for pi in self.stripe_payment_intents()], ["succeeded"])
        actions = [a for (a,) in self.query("SELECT action FROM audit_log")]
        self.assertEqual(actions.count("payment.card.succeeded"), 1)

    def test_a_confirm_stripe_never_ran_is_cancelled_by_the_recheck_then_taken_once(self):
        # Five 503s on the confirm: the PaymentIntent exists, unconfirmed. The
        # re-check reads it, cancels it (it can never be charged later) and
        # lets p take the payment again: one charge in all.
        t = self.book_with_saved_card()
        self.fake.add_fault("error", method="POST", path_prefix="/v1/payment_intents/",
                            status=503, count=5)
        self.take_payment(t, "Y re-checks")
        t.send("Y")
        t.wait_for("Not charged: Stripe never ran the payment")
        t.wait_for(r"booked\s+failed", regex=True)
        t.send("p")
        t.wait_for("Take payment · Zoë Martin · Haircut 45.00 USD")
        self.take_payment(t)
        t.wait_for(r"confirmed\s+paid", regex=True)
        t.send("q")
        t.exit_status()
        statuses = sorted(pi["status"] for pi in self.stripe_payment_intents())
        self.assertEqual(statuses, ["canceled", "succeeded"])
        self.assertEqual(self.fake.counts().get("charge"), 1)

    def pay_in_full(self, date="2030-01-07"):
        t = self.book_with_saved_card(date)
        t.send("Enter", "Enter")
        t.wait_for("Take this payment?")
        t.send("y")
        t.wait_for("Paid 45.00 USD with the saved card.")
        t.wait_for(r"confirmed\s+paid", regex=True)
        return t

    def refunds_at_stripe(self):
        return self.fake.api("GET", "/v1/refunds", {"limit": 10}, key=KEY).json()["data"]

    def test_cancelling_a_paid_appointment_refunds_it_all(self):
        t = self.pay_in_full()
        t.send("c")
        screen = t.wait_for("What happens to the 45.00 USD paid?")
        self.assertIn("Cancel Zoë Martin's 10:00 Haircut", screen)
        t.send("Enter", "Enter", "Enter")  # refund all of it, amount, reason
        t.wait_for("Refund and cancel?")
        t.wait_for("45.00 USD")
        t.send("y")
        t.wait_for(r"cancelled\s+refunded", regex=True)
        refunds = self.refunds_at_stripe()
        self.assertEqual([r["amount"] for r in refunds], [4500])
        t.send("q")
        t.exit_status()
        actions = [a for (a,) in self.query("SELECT action FROM audit_log ORDER BY id")]
        self.assertLess(actions.index("payment.refund"), actions.index("booking.cancel"))

    def test_cancelling_a_paid_appointment_refunds_part(self):
        t = self.pay_in_full()
        t.send("c")
        t.wait_for("What happens to the 45.00 USD paid?")
        t.send("Space")  # refund part of it
        t.wait_for("refund part of it")
        t.send("Enter", "C-u")
        t.type("20")
        t.send("Enter", "Enter")
        t.wait_for("Refund and cancel?")
        t.wait_for("20.00 USD")
        t.send("y")
        t.wait_for(r"cancelled\s+partial", regex=True)
        self.assertEqual([r["amount"] for r in self.refunds_at_stripe()], [2000])
        t.send("q")
        t.exit_status()

    def test_cancelling_a_paid_appointment_can_keep_the_money_explicitly(self):
        t = self.pay_in_full()
        t.send("c")
        t.wait_for("What happens to the 45.00 USD paid?")
        t.send("Space", "Space")  # keep it
        t.wait_for("keep it")
        t.send("Enter", "Enter", "Enter")
        t.wait_for("Cancel and keep the money?")
        t.send("y")
        t.wait_for("cancelled, 45.00 USD kept")
        t.wait_for(r"cancelled\s+paid", regex=True)
        self.assertEqual(self.refunds_at_stripe(), [])
        t.send("q")
        t.exit_status()
        kept = self.query("SELECT detail, amount FROM audit_log WHERE action = 'booking.keep'")
        self.assertEqual(len(kept), 1, kept)
        self.assertIn("cancelled, 45.00 USD kept", kept[0][0])
        self.assertEqual(kept[0][1], 4500)

    def test_a_failed_refund_cancels_only_if_the_desk_says_so(self):
        t = self.pay_in_full()
        self.fake.add_fault("error", status=400, method="POST", path_prefix="/v1/refunds",
                            count=5)
        t.send("c")
        t.wait_for("What happens to the 45.00 USD paid?")
        t.send("Enter", "Enter", "Enter")
        t.wait_for("Refund and cancel?")
        t.send("y")
        screen = t.wait_for("The refund was not made")
        self.assertIn("Cancel it anyway and keep 45.00 USD?", screen)
        t.send("n")
        t.wait_for("not cancelled: nothing changed")
        t.wait_for(r"confirmed\s+paid", regex=True)
        self.assertEqual(self.refunds_at_stripe(), [])
        t.send("q")
        t.exit_status()

    def test_a_no_show_with_money_on_it_asks_too(self):
        yesterday = (datetime.datetime.now(datetime.timezone.utc)
                     - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
        t = self.pay_in_full(yesterday)
        t.send("x")
        screen = t.wait_for("What happens to the 45.00 USD paid?")
        self.assertIn("No-show: Zoë Martin's 10:00 Haircut", screen)
        # Keeping the money is what a no-show is offered first (it offered a refund).
        self.assertIn("< keep it >", screen)
        t.send("Enter", "Enter", "Enter")
        t.wait_for("No-show and keep the money?")
        t.send("y")
        t.wait_for("no-show, 45.00 USD kept")
        t.wait_for(r"no-show\s+paid", regex=True)
        self.assertEqual(self.refunds_at_stripe(), [])
        t.send("q")
        t.exit_status()
        self.assertEqual(len(self.query("SELECT 1 FROM audit_log WHERE action = 'booking.keep'"
                                        " AND detail LIKE 'no-show, 45.00 USD kept%'")), 1)


if __name__ == "__main__":
    unittest.main()
