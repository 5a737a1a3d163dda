"""Saved cards as Stripe has them, in tmux at 80x24 against the fake Stripe: a client
imported with a Stripe customer that already has a card there showed "no saved card
(S saves one)" until Y. Showing the client lists its cards on a worker — once when the
row is shown, again after a history sync, once more when it is opened, not every frame."""
import os
import sqlite3
import subprocess
import time
import unittest

from tmuxharness import Terminal, paydesk_bin

import test_payments_e2e as base

KEY = base.KEY


class SavedCards(unittest.TestCase):
    setUpClass = classmethod(base.Payments.setUpClass.__func__)
    tearDownClass = classmethod(base.Payments.tearDownClass.__func__)
    setUp = base.Payments.setUp

    def listings(self, cus):
        return self.fake.requests(method="GET",
                                  path_prefix="/v1/customers/%s/payment_methods" % cus)

    def wait_count(self, cus, n):
        end = time.monotonic() + 10
        while len(self.listings(cus)) < n and time.monotonic() < end:
            time.sleep(0.1)
        time.sleep(1.0)
        self.assertEqual(len(self.listings(cus)), n)

    def test_an_imported_client_shows_the_cards_stripe_has(self):
        cus = self.fake.api("POST", "/v1/customers",
                            {"name": "Amélie Roux", "email": "amelie@example.com"},
                            key=KEY).json()["id"]
        r = self.fake.api("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": cus},
                          key=KEY)
        self.assertEqual(r.status, 200, r.json())
        csv = os.path.join(self.home.path, "clients.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write("name,email,phone,notes\nAmélie Roux,amelie@example.com,,\n")
        out = subprocess.run([paydesk_bin(), "clients", "import", csv], capture_output=True,
                             text=True, env={**os.environ, **self.env})
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        # matched to its Stripe customer (as a migration from another system leaves it)
        con = sqlite3.connect(self.home.db)
        con.execute("UPDATE clients SET stripe_customer_id = ?, bill_with_stripe = 1", (cus,))
        con.commit()
        con.close()
        self.fake.clear_requests()

        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        t.send("2")
        t.wait_for("Amélie Roux")
        screen = t.wait_for("visa ·4242")  # no key pressed: listed when shown
        self.assertIn("Stripe " + cus, screen)
        self.assertNotIn("no saved card", screen)
        time.sleep(1.5)  # many frames later: still the one listing
        self.assertEqual(len(self.listings(cus)), 1)
        # A card saved at Stripe meanwhile, then a history sync: listed again, once.
        r = self.fake.api("POST", "/v1/payment_methods/pm_card_mastercard/attach",
                          {"customer": cus}, key=KEY)
        self.assertEqual(r.status, 200, r.json())
        sync = subprocess.run([paydesk_bin(), "sync"], capture_output=True, text=True,
                              env={**os.environ, **self.env}, timeout=60)
        self.assertEqual(sync.returncode, 0, sync.stdout + sync.stderr)
        t.send("Down")  # the desk carries on (an idle screen is not redrawn)
        t.wait_for("mastercard ·4444")
        time.sleep(1.0)
        self.assertEqual(len(self.listings(cus)), 2)
        t.send("o")  # opened: listed once more for this opening
        t.wait_for("Subscriptions")
        t.wait_for("visa ·4242")
        self.wait_count(cus, 3)
        t.send("Escape")
        t.send("q")
        if "still running" in t.screen():
            t.send("y")
        t.exit_status()
        # listings only: paydesk sent nothing (the one POST is this test's attach)
        self.assertEqual([r["path"] for r in self.fake.requests(method="POST")],
                         ["/v1/payment_methods/pm_card_mastercard/attach"])


if __name__ == "__main__":
    unittest.main()
