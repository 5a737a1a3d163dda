"""Found by the tester: a save-a-card link left on screen was polled at Stripe every ~2.6 s
until paydesk quit (172 GETs of its Checkout session), after its view was closed or the
card was held on the reader instead. At 80x24 against the fake Stripe: once the view is
left, the link is no longer asked about."""
import time

import test_subscriptions_tui as subs


class SaveCardUnwatch(subs.SubscriptionsTui):
    def session_gets(self):
        return [r for r in self.fake.requests(method="GET")
                if r["path"].startswith("/v1/checkout/sessions/")]

    def test_a_left_save_card_link_is_no_longer_polled(self):
        self.client("Jose Nunez", card=None)
        t = self.tui("clients")
        t.wait_for("Jose Nunez")
        t.send("S")
        t.wait_for("Save a card for next time", timeout=15)
        end = time.monotonic() + 15
        while not self.session_gets():  # watched while shown
            self.assertLess(time.monotonic(), end, "the link was never checked")
            time.sleep(0.1)
        t.send("Escape")
        t.wait_for("Clients · Services · Staff")
        time.sleep(1)  # a check already on a worker may finish
        self.fake.clear_requests()
        time.sleep(8)  # three polls' worth before the fix
        self.assertEqual(len(self.session_gets()), 0)
        t.send("S")  # shown again: watched again
        t.wait_for("Save a card for next time", timeout=15)
        end = time.monotonic() + 15
        while not self.session_gets():
            self.assertLess(time.monotonic(), end, "the link shown again was never checked")
            time.sleep(0.1)


for _name in dir(subs.SubscriptionsTui):
    if _name.startswith("test_"):
        setattr(SaveCardUnwatch, _name, None)  # run in their own file
del _name
