"""A package sold on the reader and by pay link from the visit history, at 80x24 (issue 18:
"sell a package ... as one payment"): b offers the card reader and the pay link; the sale
waits for Stripe (K stops the reader, Q shows the link's QR code) and is the client's only
once Stripe says it was paid, which the desk is told."""
import test_desk_tenders_e2e as tenders
from stripecase import ConnectedCase

KEY = "rk_test_51PackagesCollectE2E0000000000"
PUBLISHABLE = "pk_test_51PackagesCollectE2E0000000000"


class PackagesCollect(ConnectedCase):
    KEY = KEY
    PASSPHRASE = "packages collect passphrase"
    SETUP_ARGS = ("--publishable", PUBLISHABLE, "--payment-at-booking", "optional")
    EXTRA_ENV = {"PAYDESK_TIMEZONE": "UTC", "PAYDESK_DESK": "Front desk"}

    book_walk_in = tenders.DeskTenders.book_walk_in

    def sell(self, t, presses, label):
        t.send("b")
        t.wait_for("Sell a package or credit")
        t.send("Tab")
        t.send(*(["Space"] * presses))
        t.wait_for("< %s >" % label)
        t.send("C-s")
        t.wait_for("Sell this package?")
        t.send("y")

    def test_sold_on_the_reader_then_by_link(self):
        t = self.book_walk_in()
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD")
        t.send("Escape")
        t.wait_for("Day agenda")
        out = self.paydesk("packages", "define", "--name", "3 haircuts", "--visits", "3",
                           "--service", "Haircut", "--price", "60")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        out = self.paydesk("readers", "register", "--code", "simulated-wpe", "--label",
                           "Front counter", check=0)
        reader = self.fake.api("GET", "/v1/terminal/readers", {}, key=KEY).json()["data"][0]["id"]
        t.send("H")
        t.wait_for("No package or credit: b sells one.")
        self.sell(t, 6, "card reader (Stripe Terminal)")
        screen = t.wait_for("K stops it", timeout=15)  # in training "t taps a test card" first
        self.assertIn("3 haircuts: awaiting payment", screen)
        r = self.fake.api("POST", "/v1/test_helpers/terminal/readers/%s/present_payment_method"
                          % reader, {}, key=KEY)
        self.assertEqual(r.status, 200, r.json())
        t.wait_for("Sold 3 haircuts for 60.00 USD: paid on the reader.", timeout=20)
        t.wait_for("3 haircuts: 3 of 3 visits left")
        # by link: Q shows the QR code of the open link
        self.sell(t, 5, "pay link (URL + QR code, Stripe)")
        t.wait_for("pay link open: Q shows its QR code", timeout=15)
        t.send("Q")
        t.wait_for("Pay for the package")
        t.send("Escape")
        [cs] = self.fake.api("GET", "/v1/checkout/sessions", {"limit": 1}, key=KEY).json()["data"]
        self.fake.control("POST", "/checkout/sessions/%s/complete" % cs["id"],
                          {"payment_method": "pm_card_visa"})
        t.wait_for("paid through the pay link", timeout=20)
        self.assertEqual(self.query("SELECT state, collect FROM client_packages ORDER BY id"),
                         [("active", "reader"), ("active", "link")])


if __name__ == "__main__":
    import unittest
    unittest.main()
