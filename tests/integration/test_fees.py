"""The fees queue (issue 18), against the fake Stripe through build/tools/pay_driver: a
no-show or a late cancellation proposes the policy's fee and sends nothing; a person then
charges the client's saved card off-session (once, whatever is retried), changes the amount
(staff down, admins up too), waives it with a reason, or sends a pay link after a decline or
an authentication request. Undoing the no-show withdraws a fee nobody has worked yet.
Asserts on what the fake Stripe received and on the audit log."""
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from drivercase import DriverCase  # noqa: E402

DAY = 86400


class FeesTest(DriverCase):
    prefix = "paydesk-fees-"

    # -- helpers -------------------------------------------------------------------------------

    def booked(self, card="pm_card_visa", price="4000", days_ago=3):
        """An appointment of a client with a saved card, its start days_ago days back
        (None: left tomorrow, as booked)."""
        client, _ = self.client_with_card(card)
        appt = self.book(client, price)
        if days_ago is not None:
            start = int(time.time()) - days_ago * DAY
            self.sql("UPDATE appointments SET starts_at = ?, ends_at = ? WHERE id = ?",
                     (start, start + 900, appt["id"]))
        return appt

    def no_show(self, appt, **kw):
        fee = self.drive("no-show", str(appt["id"]), **kw)["subject"]
        self.assertIsNotNone(fee, "no fee was proposed")
        return fee

    def audit(self):
        return [r[0] for r in self.sql("SELECT action FROM audit_log WHERE action LIKE 'fee.%' "
                                       "ORDER BY id")]

    def fee_posts(self):
        return [r for r in self.fake.requests(method="POST", path_prefix="/v1/payment_intents")]

    def form(self, req):
        """The parameters as sent, flattened back to their form names ("metadata[fee_kind]")."""
        flat = {}

        def walk(prefix, v):
            if isinstance(v, dict):
                for k, x in v.items():
                    walk("%s[%s]" % (prefix, k) if prefix else k, x)
            elif isinstance(v, list):
                for i, x in enumerate(v):
                    walk("%s[%d]" % (prefix, i), x)
            else:
                flat[prefix] = str(v).lower() if isinstance(v, bool) else str(v)
        walk("", req["params"])
        return flat

    def succeeded(self):
        r = self.fake.api("GET", "/v1/payment_intents", {"limit": 100})
        return [p for p in r.json()["data"] if p["status"] == "succeeded"]

    # -- tests ---------------------------------------------------------------------------------

    def test_no_show_proposes_then_charge_takes_the_held_card_once(self):
        version = self.drive("policy", "50%", "none")["subject"]["version"]
        appt = self.booked()
        self.fake.clear_requests()
        fee = self.no_show(appt)
        self.assertEqual((fee["kind"], fee["state"], fee["amount"]), ("no_show", "proposed", 2000))
        self.assertEqual(fee["visit"], "visit 3 days ago")
        self.assertEqual(fee["policy_version"], version)
        self.assertEqual(self.fake.requests(), [])  # proposed: nothing charged without a person
        listed = self.drive("fees")["subject"]
        self.assertEqual([f["id"] for f in listed], [fee["id"]])

        out = self.drive("fee-charge", str(fee["id"]), user="kim")
        self.assertEqual(out["subject"]["state"], "charged", out)
        self.assertIn("Charged 20.00", out["result"]["message"])
        posts = self.fee_posts()
        self.assertEqual(len(posts), 1)
        sent = self.form(posts[0])
        self.assertEqual(sent["amount"], "2000")
        self.assertEqual(sent["confirm"], "true")
        self.assertEqual(sent["off_session"], "true")
        self.assertEqual(sent["metadata[fee_kind]"], "no_show")
        self.assertEqual(sent["metadata[appointment_id]"], str(appt["id"]))
        self.assertEqual(sent["metadata[client_id]"], str(self.sql("SELECT client_id FROM appointments")[0][0]))
        self.assertEqual(sent["metadata[policy_version]"], str(version))
        self.assertEqual([p["amount"] for p in self.succeeded()], [2000])
        self.assertEqual(self.drive("fees")["subject"], [])  # worked: out of the queue

        again = self.drive("fee-charge", str(fee["id"]), expect=1)
        self.assertIn("charged already (by kim)", again["error"])
        self.assertEqual(len(self.fee_posts()), 1)
        self.assertEqual(self.audit(), ["fee.propose", "fee.charge", "fee.charge.succeeded"])

    def test_declined_then_pay_link(self):
        self.drive("policy", "20.00", "none")
        appt = self.booked(card="pm_card_chargeDeclinedInsufficientFunds")
        fee = self.no_show(appt)
        out = self.drive("fee-charge", str(fee["id"]))
        self.assertEqual(out["subject"]["state"], "declined")
        self.assertTrue(out["result"]["offer_link"])
        self.assertIn("insufficient funds", out["result"]["message"])
        self.assertEqual(self.succeeded(), [])
        link = self.drive("fee-link", str(fee["id"]))
        self.assertTrue(link["subject"]["pay_link"].startswith("http"), link)
        sessions = self.fake.requests(method="POST", path_prefix="/v1/checkout/sessions")
        self.assertEqual(len(sessions), 1)
        sent = self.form(sessions[0])
        self.assertEqual(sent["line_items[0][price_data][unit_amount]"], "2000")
        self.assertEqual(sent["payment_intent_data[metadata][fee_kind]"], "no_show")
        # the same link is shown again, not a second one
        self.drive("fee-link", str(fee["id"]))
        self.assertEqual(len(self.fake.requests(method="POST",
                                                path_prefix="/v1/checkout/sessions")), 1)
        self.assertEqual(self.audit(), ["fee.propose", "fee.charge", "fee.charge.failed",
                                        "fee.link"])

    def test_authentication_request_needs_action_and_offers_a_link(self):
        self.drive("policy", "20.00", "none")
        appt = self.booked(card="pm_card_authenticationRequired")
        fee = self.no_show(appt)
        out = self.drive("fee-charge", str(fee["id"]))
        self.assertEqual(out["subject"]["state"], "needs_action", out)
        self.assertTrue(out["result"]["offer_link"])
        self.assertIn("pay link", out["result"]["message"])
        self.assertEqual(self.succeeded(), [])

    def test_waived_with_a_reason(self):
        self.drive("policy", "100%", "none")
        fee = self.no_show(self.booked())
        refused = self.drive("fee-waive", str(fee["id"]), "--reason", " ", expect=1,
                             role="staff", user="kim")
        self.assertIn("say why", refused["error"])
        out = self.drive("fee-waive", str(fee["id"]), "--reason", "flat tyre, first time",
                         role="staff", user="kim")
        self.assertEqual(out["subject"]["state"], "waived")
        self.assertEqual(out["subject"]["reason"], "flat tyre, first time")
        charge = self.drive("fee-charge", str(fee["id"]), expect=1)
        self.assertIn("waived by kim: flat tyre", charge["error"])
        self.assertEqual(self.fee_posts(), [])
        detail = self.sql("SELECT actor, detail FROM audit_log WHERE action = 'fee.waive'")
        self.assertEqual(detail[0][0], "kim")
        self.assertIn("flat tyre, first time", detail[0][1])

    def test_late_cancel_proposes_the_late_fee_in_time_none(self):
        self.drive("policy", "none", "15.00", "48")
        appt = self.booked(days_ago=None)  # tomorrow: inside the 48 hours
        fee = self.drive("close-cancel", str(appt["id"]))["subject"]
        self.assertEqual((fee["kind"], fee["amount"], fee["state"]), ("late_cancel", 1500,
                                                                      "proposed"))
        out = self.drive("fee-charge", str(fee["id"]))
        self.assertEqual(out["subject"]["state"], "charged")
        self.assertEqual(self.form(self.fee_posts()[0])["metadata[fee_kind]"], "late_cancel")
        # a window of 1 hour: tomorrow's cancellation is in time, no fee
        self.drive("policy", "none", "15.00", "1")
        c = self.drive("client", "Rory Williams", "rory@example.com")["subject"]
        in_time = self.drive("book", str(c["id"]), "4000", "usd")["subject"]
        self.assertIsNone(self.drive("close-cancel", str(in_time["id"]))["subject"])

    def test_kept_deposit_counts_toward_the_fee(self):
        self.drive("policy", "25.00", "none")
        appt = self.booked()
        paid = self.drive("card", str(appt["id"]), "--amount", "1000")  # a deposit, on the card
        self.assertEqual(paid["subject"]["payment"], "paid", paid)
        fee = self.no_show(appt)  # the deposit is kept and counts toward the fee
        self.assertEqual(fee["amount"], 1500)
        detail = self.sql("SELECT detail FROM audit_log WHERE action = 'fee.propose'")[0][0]
        self.assertIn("10.00 USD kept counted toward it", detail)

    def test_amount_changed_staff_down_admin_up(self):
        self.drive("policy", "20.00", "none")
        fee = self.no_show(self.booked())
        down = self.drive("fee-amount", str(fee["id"]), "12,50", "--reason", "regular client",
                          role="staff", user="kim")
        self.assertEqual(down["subject"]["amount"], 1250)
        up = self.drive("fee-amount", str(fee["id"]), "30", "--reason", "second time",
                        role="staff", user="kim", expect=1)
        self.assertIn("only an admin", up["error"])
        bad = self.drive("fee-amount", str(fee["id"]), "ten", "--reason", "x", expect=1)
        self.assertEqual(self.drive("fee", str(fee["id"]))["subject"]["amount"], 1250)
        self.assertTrue(bad["error"])
        up = self.drive("fee-amount", str(fee["id"]), "30", "--reason", "second time")
        self.assertEqual(up["subject"]["amount"], 3000)
        self.drive("fee-charge", str(fee["id"]), role="staff", user="kim")
        self.assertEqual(self.form(self.fee_posts()[0])["amount"], "3000")
        self.assertEqual([p["amount"] for p in self.succeeded()], [3000])
        self.assertEqual(self.audit(), ["fee.propose", "fee.amount", "fee.amount", "fee.charge",
                                        "fee.charge.succeeded"])

    def test_undo_withdraws_a_proposed_fee(self):
        self.drive("policy", "20.00", "none")
        appt = self.booked()
        fee = self.no_show(appt)
        self.assertIsNone(self.drive("undo", str(appt["id"]))["subject"])
        self.assertEqual(self.drive("fee", str(fee["id"]))["subject"]["state"], "withdrawn")
        self.assertEqual(self.drive("fees")["subject"], [])
        refused = self.drive("fee-charge", str(fee["id"]), expect=1)
        self.assertIn("withdrawn", refused["error"])
        self.assertEqual(self.audit(), ["fee.propose", "fee.withdraw"])

    # -- a pay link sent, then the no-show undone or the fee waived ---------------------------

    def linked(self):
        """A no-show fee sent to the client as a pay link: (appointment, fee, session id)."""
        self.drive("policy", "20.00", "none")
        appt = self.booked()
        fee = self.no_show(appt)
        link = self.drive("fee-link", str(fee["id"]))["subject"]
        self.assertTrue(link["checkout_session"], link)
        return appt, fee, link["checkout_session"]

    def session_status(self, cs):
        return self.fake.api("GET", "/v1/checkout/sessions/" + cs).json()["status"]

    def test_undo_with_a_link_open_is_refused_until_x_expires_it(self):
        appt, fee, cs = self.linked()
        refused = self.drive("undo", str(appt["id"]), expect=1)
        self.assertIn("pay link", refused["error"])
        self.assertIn("x expires", refused["error"])
        self.assertEqual(self.drive("fee", str(fee["id"]))["subject"]["state"], "proposed")
        self.assertEqual(self.session_status(cs), "open")  # nothing changed
        out = self.drive("fee-expire", str(fee["id"]))
        self.assertEqual(self.session_status(cs), "expired")
        self.assertEqual(out["subject"]["pay_link"], "")
        self.assertIn("expired", out["result"]["message"])
        self.assertIsNone(self.drive("undo", str(appt["id"]))["subject"])
        self.assertEqual(self.drive("fee", str(fee["id"]))["subject"]["state"], "withdrawn")
        self.assertEqual(self.audit(), ["fee.propose", "fee.link", "fee.link.expire",
                                        "fee.withdraw"])
        # again: nothing more is sent to Stripe
        again = self.drive("fee-expire", str(fee["id"]), expect=1)
        self.assertIn("withdrawn", again["error"])
        self.assertEqual(len(self.fake.requests(method="POST", path_prefix="/v1/checkout/"
                                                "sessions/%s/expire" % cs)), 1)

    def test_a_link_paid_meanwhile_makes_the_fee_charged_not_expired(self):
        appt, fee, cs = self.linked()
        self.fake.control("POST", "/checkout/sessions/%s/complete" % cs,
                          {"payment_method": "pm_card_visa"})
        out = self.drive("fee-expire", str(fee["id"]))
        self.assertEqual(out["subject"]["state"], "charged")
        self.assertIn("paid", out["result"]["message"])
        self.assertIn("refund", out["result"]["message"])
        self.assertEqual(self.session_status(cs), "complete")
        # the undo keeps the charged fee: its refund is offered, as for any charged fee
        self.drive("undo", str(appt["id"]))
        self.assertEqual(self.drive("fee", str(fee["id"]))["subject"]["state"], "charged")
        self.assertIn("fee.link.paid", self.audit())

    def test_stripe_down_the_link_stays_and_nothing_changes(self):
        appt, fee, cs = self.linked()
        self.fake.add_fault("error", status=503)
        out = self.drive("fee-expire", str(fee["id"]), expect=1)
        self.assertIn("nothing changed", out["error"])
        self.assertIn("expire it again once Stripe answers (x in the fees queue, or paydesk fees expire)", out["error"])
        self.fake.clear_faults()
        self.assertEqual(self.session_status(cs), "open")
        after = self.drive("fee", str(fee["id"]))["subject"]
        self.assertEqual((after["state"], after["checkout_session"]), ("proposed", cs))
        self.drive("undo", str(appt["id"]), expect=1)
        self.assertEqual(self.audit(), ["fee.propose", "fee.link"])

    def test_waive_with_a_link_open_is_refused_until_it_is_expired(self):
        appt, fee, cs = self.linked()
        refused = self.drive("fee-waive", str(fee["id"]), "--reason", "goodwill", expect=1)
        self.assertIn("x expires", refused["error"])
        self.assertEqual(self.session_status(cs), "open")
        self.drive("fee-expire", str(fee["id"]))
        out = self.drive("fee-waive", str(fee["id"]), "--reason", "goodwill")
        self.assertEqual(out["subject"]["state"], "waived")
        self.assertEqual(self.session_status(cs), "expired")

    def test_a_retried_charge_never_charges_twice(self):
        self.drive("policy", "20.00", "none")
        fee = self.no_show(self.booked())
        # The network goes while the charge is on its way: no answer at all.
        self.fake.add_fault("drop", method="POST", path_prefix="/v1/payment_intents",
                            execute=False)
        out = self.drive("fee-charge", str(fee["id"]))
        self.assertEqual(out["subject"]["state"], "charging", out)
        self.assertIn("nothing is charged twice", out["result"]["message"])
        self.fake.clear_faults()
        self.assertEqual(self.succeeded(), [])
        again = self.drive("fee-charge", str(fee["id"]))
        self.assertEqual(again["subject"]["state"], "charged", again)
        self.assertEqual(again["subject"]["attempts"], 1)
        self.assertEqual([p["amount"] for p in self.succeeded()], [2000])
        keys = {r["idempotency_key"] for r in self.fee_posts()}
        self.assertEqual(len(keys), 1, keys)  # every send was the same call
        self.drive("fee-charge", str(fee["id"]), expect=1)
        self.assertEqual(len(self.succeeded()), 1)

    def test_recheck_of_the_visit_s_payment_never_takes_the_fee_s(self):
        # The visit's pay link was being made when the network went (no answer:
        # its outcome unknown). The client did not come; the fee's pay link was
        # sent. Re-checking the visit's payment (Y) must settle the visit's own
        # link, never take the fee's Checkout Session (or its money) for it.
        self.drive("policy", "50%", "none")
        appt = self.booked()
        self.fake.add_fault("drop", method="POST", path_prefix="/v1/checkout/sessions",
                            execute=False)
        lost = self.drive("link", str(appt["id"]), expect=None)
        self.fake.clear_faults()
        self.assertEqual([a["status"] for a in lost["subject"]["attempts"]], ["unknown"], lost)
        fee = self.no_show(appt)
        link = self.drive("fee-link", str(fee["id"]))["subject"]
        self.assertTrue(link["checkout_session"], link)
        out = self.drive("recheck", str(appt["id"]), expect=None)
        visit = out["subject"]["attempts"][0]
        self.assertNotEqual(visit["checkout_session_id"], link["checkout_session"], out)
        self.assertNotEqual(visit["url"], link["pay_link"], out)
        sessions = self.fake.api("GET", "/v1/checkout/sessions", {"limit": 10}).json()["data"]
        amounts = sorted(s["amount_total"] for s in sessions)
        self.assertEqual(amounts, [2000, 4000], sessions)  # the visit's own link, made now
        self.assertNotEqual(out["subject"]["checkout_session_id"], link["checkout_session"])

    def test_a_fee_refunded_from_history_is_refunded_on_the_fee(self):
        # Refunded from the History tab (its PaymentIntent's record): the fee says
        # so too, so the day close and `paydesk fees refund` never give it twice.
        self.drive("policy", "20.00", "none")
        appt = self.booked()
        fee = self.no_show(appt)
        charged = self.drive("fee-charge", str(fee["id"]))["subject"]
        self.drive("--amount", "800", "history-refund", str(appt["id"]),
                   charged["payment_intent"])
        self.assertEqual(self.sql("SELECT refunded FROM appointment_fees"), [(800,)])
        self.assertEqual(self.sql("SELECT amount FROM audit_log WHERE action = 'payment.refund'"),
                         [(800,)])
        self.assertEqual(len(self.fake.requests(method="POST", path_prefix="/v1/refunds")), 1)


if __name__ == "__main__":
    unittest.main()
