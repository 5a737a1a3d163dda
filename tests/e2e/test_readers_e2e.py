"""Card readers at the desk, in tmux at 80x24 against the fake Stripe (issue 15, point 7):
with no reader registered a reader payment ends on a message saying what to do (it sat on
"Sending to Stripe…" for good); an admin registers Stripe's simulated reader and chooses
it for this desk (`paydesk readers`, and the Setup tab), and in training (test mode) the
desk takes a reader payment end to end, tapping the simulated card with a key."""
import time

import test_desk_tenders_e2e as tenders
from stripecase import ConnectedCase
from tmuxharness import Terminal, paydesk_bin

KEY = "rk_test_51ReadersEndToEndKey000000000"
PUBLISHABLE = "pk_test_51ReadersEndToEndKey000000000"


class Readers(ConnectedCase):
    KEY = KEY
    PASSPHRASE = "readers e2e passphrase"
    SETUP_ARGS = ("--publishable", PUBLISHABLE, "--payment-at-booking", "optional")
    EXTRA_ENV = {"PAYDESK_TIMEZONE": "UTC", "PAYDESK_DESK": "Front desk"}

    # A walk-in booked in the terminal, left at its payment step (the tenders test's own).
    book_walk_in = tenders.DeskTenders.book_walk_in

    def readers(self):
        return self.fake.api("GET", "/v1/terminal/readers", {"limit": 100}, key=KEY).json()["data"]

    def quit(self, t):
        t.send("q")
        time.sleep(0.5)
        if "Quit paydesk?" in t.screen():
            t.send("y")  # a finished watch may still wait in the queue
        self.assertEqual(t.exit_status(), 0)

    def collect_by_reader(self, t):
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD")
        t.send("Enter")  # the amount as due
        t.send("Space", "Space")  # saved card → pay link → card reader
        t.wait_for("< card reader (Terminal) >")
        t.send("Enter")
        t.wait_for("Take this payment?")
        t.send("y")

    def test_no_reader_says_what_to_do(self):
        t = self.book_walk_in()
        self.collect_by_reader(t)
        screen = t.wait_for("No card reader is registered", timeout=15)
        # the whole message, wrapped on the payment view: what to do, not a spinner
        text = " ".join(screen.split())
        self.assertIn("paydesk readers register", text)
        self.assertIn("Setup", text)
        self.assertNotIn("Sending to Stripe", screen)
        t.send("Escape")
        t.wait_gone("Esc: back")  # back on the agenda (the status line may still say it)
        self.assertEqual([p["status"] for p in self.fake.api(
            "GET", "/v1/payment_intents", {"limit": 10}, key=KEY).json()["data"]], [])

    def test_register_choose_and_take_a_reader_payment_in_training(self):
        # Registering is for admins: a staff member is refused before Stripe is asked.
        # (Alex, the admin the terminal signs in, and Sam share the PIN in PAYDESK_PIN.)
        self.paydesk("users", "add", "--name", "Alex", "--role", "admin", stdin="2468\n",
                     check=0)
        self.paydesk("users", "add", "--name", "Sam", "--role", "staff", "--as", "Alex",
                     stdin="2468\n", check=0)
        out = self.paydesk("readers", "register", "--code", "simulated-wpe", "--label",
                           "Front counter", "--as", "Sam")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("admin", out.stderr)
        self.assertEqual(self.readers(), [])

        loc = self.fake.api("POST", "/v1/terminal/locations", {
            "display_name": "Salon", "address": {"country": "US", "line1": "1 Main St",
                                                 "city": "Springfield", "postal_code": "12345",
                                                 "state": "IL"}}, key=KEY).json()["id"]
        out = self.paydesk("readers", "register", "--code", "simulated-wpe", "--label",
                           "Front counter", "--location", loc, check=0)
        self.assertIn("Front counter", out.stdout)
        self.assertIn("this desk (Front desk) now uses it", out.stdout)
        [reader] = self.readers()
        self.assertEqual(reader["label"], "Front counter")
        self.assertEqual(reader["location"], loc)
        self.assertEqual(reader["device_type"], "simulated_wisepos_e")
        # a second reader, listed by label; this desk keeps the first
        self.paydesk("readers", "register", "--code", "simulated-wpe", "--label", "Back room",
                     check=0)
        listed = self.paydesk("readers", "list", check=0).stdout
        self.assertRegex(listed, r"\* Front counter\s+online")
        self.assertRegex(listed, r"  Back room\s+online")
        actions = [a for (a,) in self.query("SELECT action FROM audit_log")]
        self.assertEqual(actions.count("reader.register"), 2)
        self.assertIn("reader.use", actions)

        t = self.book_walk_in()
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD")
        t.send("Enter", "Space", "Space", "Enter")
        # the confirm names the reader the client will tap
        t.wait_for("Collect by card reader (Terminal) on Front counter.")
        t.send("y")
        screen = t.wait_for("waiting for the card on Front counter", timeout=15)
        self.assertIn("t: tap a test card", screen)
        t.send("t")  # training only: the simulated reader is presented a card
        t.wait_for("Paid 25.00 USD on the reader.", timeout=15)
        t.send("Escape")
        t.wait_for(r"confirmed\s+paid", regex=True)
        [pi] = self.fake.api("GET", "/v1/payment_intents", {"limit": 10}, key=KEY).json()["data"]
        self.assertEqual((pi["status"], pi["amount"]), ("succeeded", 2500))
        self.assertEqual(pi["payment_method_types"], ["card_present"])
        reader = self.fake.api("GET", "/v1/terminal/readers/" + reader["id"], key=KEY).json()
        self.assertEqual(reader["action"]["status"], "succeeded")
        self.assertEqual(reader["action"]["process_payment_intent"]["payment_intent"], pi["id"])
        self.quit(t)

    def test_setup_tab_registers_and_chooses_at_80x24(self):
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        t.send("5")
        t.wait_for("Stripe account")
        t.send("r")
        t.wait_for("No card reader is registered")
        t.send("n")
        t.wait_for("Register a card reader")
        t.type("simulated-wpe")
        t.send("Tab")
        t.type("Front counter")
        t.send("C-s")
        t.wait_for(r"Front counter\s+online", regex=True, timeout=15)
        t.wait_for("this desk (Front desk) uses Front counter")
        self.paydesk("readers", "register", "--code", "simulated-wpe", "--label", "Back room",
                     check=0)
        t.send("g")  # re-read the list from Stripe
        t.wait_for("Back room")
        t.send("j", "Enter")
        t.wait_for("this desk (Front desk) uses Back room", timeout=15)
        self.quit(t)
        self.assertRegex(self.paydesk("readers", "list", check=0).stdout, r"\* Back room")


if __name__ == "__main__":
    import unittest
    unittest.main()
