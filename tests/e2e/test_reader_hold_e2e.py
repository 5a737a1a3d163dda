"""A card held on the reader, in tmux at 80x24 against the fake Stripe (issue 18: the card
that holds a booking is saved "through a SetupIntent: a save-card link or QR, or the
reader"). Where the save-a-card link is offered (S on a client; after booking a policy that
holds a card), `r` hands the booking's SetupIntent to this desk's reader instead, after the
desk confirms the client agreed; in training `t` taps a test card, and the client then shows
the card held (brand and last4). Before this, the link was the only way: no `r`."""
import time

from deskcase import new_client, open_desk
from stripecase import ConnectedCase

KEY = "rk_test_51ReaderHoldEndToEndKey00000000"
PUBLISHABLE = "pk_test_51ReaderHoldEndToEndKey00000000"


class ReaderHold(ConnectedCase):
    KEY = KEY
    PASSPHRASE = "reader hold e2e passphrase"
    SETUP_ARGS = ("--publishable", PUBLISHABLE, "--bill-with-stripe", "on")
    EXTRA_ENV = {"PAYDESK_TIMEZONE": "UTC", "PAYDESK_DESK": "Front desk"}

    def test_hold_the_card_on_the_reader_from_the_save_card_step(self):
        out = self.paydesk("readers", "register", "--code", "simulated-wpe", "--label",
                           "Front counter", check=0)
        self.assertIn("this desk (Front desk) now uses it", out.stdout)
        t = open_desk(self)
        new_client(t, email="zoe@example.com")
        t.wait_for("Stripe cus_", timeout=20)
        t.send("S")  # save a card: the link is shown, and the reader offered
        t.wait_for("r: on the card reader instead", timeout=15)
        t.wait_for("https://", timeout=15)
        t.send("r")
        t.wait_for("Hold the card on the reader?")
        screen = t.wait_for("Nothing is charged now. Did the client agree?")
        self.assertIn("y / Enter: they agreed, ask the reader", screen)  # not "y: y: …"
        t.send("y")
        screen = t.wait_for("waiting for the card on Front counter", timeout=15)
        self.assertIn("Hold a card on the reader · Zoë Martin", screen)
        self.assertIn("t: tap a test card", screen)
        self.assertIn("K: stop the reader", screen)
        [si] = self.fake.api("GET", "/v1/setup_intents", {"limit": 10}, key=KEY).json()["data"]
        self.assertEqual((si["payment_method_types"], si["usage"], si["status"]),
                         (["card_present"], "off_session", "requires_payment_method"))
        t.send("t")  # training: the simulated reader is presented a test card
        t.wait_for("Card held: visa ending 4242", timeout=15)
        t.send("Escape")
        t.wait_for("visa ·4242", timeout=15)
        si = self.fake.api("GET", "/v1/setup_intents/" + si["id"], key=KEY).json()
        self.assertEqual(si["status"], "succeeded")
        self.assertEqual(self.query("SELECT status, brand, last4 FROM reader_holds"),
                         [("complete", "visa", "4242")])
        actions = [a for (a,) in self.query("SELECT action FROM audit_log")]
        self.assertIn("customer.reader_hold", actions)
        self.assertIn("customer.reader_hold.succeeded", actions)
        t.send("q")
        time.sleep(0.5)
        if "Quit paydesk?" in t.screen():
            t.send("y")
        self.assertEqual(t.exit_status(), 0)


if __name__ == "__main__":
    import unittest
    unittest.main()
