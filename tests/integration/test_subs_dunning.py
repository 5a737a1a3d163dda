"""Subscriptions that fail to renew (issue 19), headless against the fake Stripe: a past-due
subscription shows its decline reason in `paydesk subscriptions list`; `retry` pays the open
invoice now (POST /v1/invoices/{id}/pay with the client's newest saved card, through the
outbox with an Idempotency-Key) and says why when the card is declined again;
`card-link` gives the client a save-a-card link (Checkout in setup mode); once a new card is
saved, `retry` pays the invoice and the subscription is active again. Each step audited."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import test_subscriptions as base  # noqa: E402
from tmuxharness import Terminal, paydesk_bin  # noqa: E402  (test_subscriptions's path)

DAY = base.DAY
PASS = base.PASS


class FailedRenewals(unittest.TestCase):
    setUpClass = classmethod(base.SubscriptionsTest.setUpClass.__func__)
    tearDownClass = classmethod(base.SubscriptionsTest.tearDownClass.__func__)
    setUp = base.SubscriptionsTest.setUp
    paydesk = base.SubscriptionsTest.paydesk
    api = base.SubscriptionsTest.api
    sql = base.SubscriptionsTest.sql
    plan = base.SubscriptionsTest.plan
    client = base.SubscriptionsTest.client
    advance = base.SubscriptionsTest.advance
    subs = base.SubscriptionsTest.subs
    sub = base.SubscriptionsTest.sub
    subscribe = base.SubscriptionsTest.subscribe
    audit = base.SubscriptionsTest.audit

    def past_due(self):
        plan = self.plan()
        cid, clock = self.client("Liam Kelly", card="pm_card_chargeCustomerFail")
        self.subscribe(cid, plan, "--trial-days", "5")
        self.advance(clock, 6 * DAY)
        self.paydesk("subscriptions", "sync", check=0)
        [s] = self.subs()
        self.assertEqual(s["status"], "past_due")
        return s

    def pays(self):
        return [r for r in self.fake.requests(method="POST", path_prefix="/v1/invoices/")
                if r["path"].endswith("/pay")]

    def test_retry_declined_then_card_link_then_paid(self):
        s = self.past_due()
        sid = str(s["id"])
        listed = self.paydesk("subscriptions", "list", check=0).stdout
        self.assertIn("payment failed: %s (retry %s / card-link %s)"
                      % (s["last_failure"], sid, sid), listed)
        self.fake.clear_requests()

        # retry with the card on file: declined again, and said so
        again = self.paydesk("subscriptions", "retry", sid, check=1)
        self.assertIn("did not pay the invoice", again.stderr)
        self.assertIn("send a card-update link", again.stderr)
        [pay] = self.pays()
        self.assertEqual(pay["path"], "/v1/invoices/%s/pay" % s["invoice_id"])
        self.assertTrue(pay["idempotency_key"])
        failing = pay["params"]["payment_method"]
        self.assertEqual(self.sub(s["id"])["status"], "past_due")
        self.assertIn("subscription.retry_failed", self.audit())

        # a card-update link: Checkout in setup mode for the client's customer
        link = self.paydesk("subscriptions", "card-link", sid, check=0)
        self.assertRegex(link.stdout, r"save-a-card link: https?://\S+")
        self.assertIn("then: paydesk subscriptions retry " + sid, link.stdout)
        [session] = [r for r in self.fake.requests(method="POST",
                                                   path_prefix="/v1/checkout/sessions")]
        self.assertEqual(session["params"]["mode"], "setup")
        self.assertIn("subscription.card_link", self.audit())

        # the client saves a new card (what the Checkout page does), then retry pays
        cus = self.sql("SELECT stripe_customer_id FROM clients WHERE name = 'Liam Kelly'")[0][0]
        self.api("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": cus})
        self.fake.clear_requests()
        paid = self.paydesk("subscriptions", "retry", sid, check=0)
        self.assertRegex(paid.stdout, r"Invoice in_\w+ paid with visa •••• 4242; the "
                                      r"subscription is active\.")
        [pay] = self.pays()
        self.assertNotEqual(pay["params"]["payment_method"], failing)
        after = self.sub(s["id"])
        self.assertEqual((after["status"], after["invoice_status"], after["attention"]),
                         ("active", "paid", ""))
        self.assertIn("subscription.retry", self.audit())
        inv = self.api("GET", "/v1/invoices/" + s["invoice_id"])
        self.assertEqual(inv["status"], "paid")

        # nothing left to retry: refused before anything is sent
        self.fake.clear_requests()
        none = self.paydesk("subscriptions", "retry", sid, check=2)
        self.assertIn("nothing to retry: the latest invoice is paid", none.stderr)
        self.assertEqual(self.pays(), [])

    def test_retry_needs_billing_on_and_a_failed_renewal(self):
        plan = self.plan()
        cid, _ = self.client("Ada Quinn")
        self.subscribe(cid, plan)
        [s] = self.subs()
        out = self.paydesk("subscriptions", "retry", str(s["id"]), check=2)
        self.assertIn("nothing to retry", out.stderr)

    def test_screen_retry_and_card_link(self):
        s = self.past_due()
        env = {**self.home.env, "PAYDESK_API_BASE": self.fake.base_url}
        with Terminal([paydesk_bin(), "--screen", "subscriptions"], 80, 24, env=env) as t:
            t.wait_for("Vault locked")
            t.type(PASS)
            t.send("Enter")
            screen = t.wait_for("R retry · U card link · Payment failed: ")
            self.assertIn(s["last_failure"][:30], screen)
            t.send("?")
            t.wait_for("failed renewal: retry now")
            t.wait_for("failed renewal: a card-update link")
            t.send("Escape")
            self.fake.clear_requests()
            t.send("R")
            t.wait_for("Retry the renewal?")
            t.wait_for("Last decline: ")
            t.send("y")
            t.wait_for("did not pay the invoice")  # declined again, said on the status line
            self.assertEqual(len(self.pays()), 1)
            t.send("U")
            screen = t.wait_for("Card-update link · Liam Kelly")
            self.assertRegex(screen, r"https?://")
            t.send("Escape")
            cus = self.sql("SELECT stripe_customer_id FROM clients WHERE name = 'Liam Kelly'")
            self.api("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": cus[0][0]})
            t.send("R")
            t.wait_for("Retry the renewal?")
            t.send("y")
            t.wait_for(r"Invoice in_\w+ paid with visa", regex=True, timeout=20)
            t.wait_for(r"Liam Kelly.*active", regex=True)
            self.assertNotIn("R retry", t.screen())
            t.send("q")
        self.assertEqual(self.sub(s["id"])["status"], "active")


if __name__ == "__main__":
    unittest.main()
