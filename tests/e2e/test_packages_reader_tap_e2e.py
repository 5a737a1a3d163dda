"""Found by the tester: in training, a package sold on the reader (visit history, b, card
reader) said "on the reader: K stops it" but t, the test card tap of the payment view, did
nothing and was not in ?. At 80x24 against the fake Stripe: t taps it, as in the view."""
import test_packages_collect_e2e as collect


class PackagesReaderTap(collect.PackagesCollect):
    test_sold_on_the_reader_then_by_link = None  # run once, in its own file

    def test_sold_on_the_reader_is_paid_by_t_in_training(self):
        t = self.book_walk_in()
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD")
        t.send("Escape")
        t.wait_for("Day agenda")
        self.paydesk("packages", "define", "--name", "3 haircuts", "--visits", "3",
                     "--service", "Haircut", "--price", "60", check=0)
        self.paydesk("readers", "register", "--code", "simulated-wpe", "--label",
                     "Front counter", check=0)
        t.send("H")
        t.wait_for("No package or credit: b sells one.")
        self.sell(t, 6, "card reader (Stripe Terminal)")
        t.wait_for("on the reader: t taps a test card, K stops it", timeout=15)
        t.send("?")
        t.wait_for("tap a test card on the simulated reader")
        t.send("Escape")
        self.fake.clear_requests()
        t.send("t")
        t.wait_for("Sold 3 haircuts for 60.00 USD: paid on the reader.", timeout=20)
        t.wait_for("3 haircuts: 3 of 3 visits left")
        taps = [r for r in self.fake.requests(method="POST")
                if r["path"].endswith("/present_payment_method")]
        self.assertEqual(len(taps), 1)
        self.assertEqual(self.query("SELECT state, collect FROM client_packages"),
                         [("active", "reader")])

