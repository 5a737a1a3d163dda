"""A no-show through the fees queue, in tmux at 80x24 against the fake Stripe (issue 18):
a client with a saved card and a booking three days ago under a 50 % no-show policy; x marks
the no-show and says a fee waits (nothing is sent to Stripe); F opens the fees queue, which
says how long ago the visit was; c asks, y charges the saved card off-session once, and the
fee leaves the queue. ? lists the key."""
import datetime
import json
import os
import sqlite3
import subprocess
import time
import unittest

from tmuxharness import Terminal, paydesk_bin

import test_payments_e2e as base

KEY = base.KEY
TOOLS = os.environ.get("PAYDESK_TOOLS_DIR", os.path.join(base.ROOT, "build", "tools"))
DRIVER = os.path.join(TOOLS, "pay_driver")


class FeesQueue(unittest.TestCase):
    setUpClass = classmethod(base.Payments.setUpClass.__func__)
    tearDownClass = classmethod(base.Payments.tearDownClass.__func__)
    setUp = base.Payments.setUp
    query = base.Payments.query

    def drive(self, *args):
        proc = subprocess.run([DRIVER, "--api-base", self.fake.base_url, "--db", self.home.db,
                               "--role", "admin", "--user", "sam"] + list(args),
                              env=dict(os.environ, PAYDESK_TEST_STRIPE_KEY=KEY),
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        return json.loads(proc.stdout.strip().splitlines()[-1])["subject"]

    def seed(self, name="Amy Pond", card="pm_card_visa"):
        """A client with a saved card and a booking three days ago (10:00 UTC); the day."""
        if not os.access(DRIVER, os.X_OK):
            self.skipTest("pay_driver not built")
        c = self.drive("client", name, name.split()[0].lower() + "@example.com")
        cus = self.drive("sync", str(c["id"]))["customer"]
        r = self.fake.api("POST", "/v1/payment_methods/%s/attach" % card, {"customer": cus},
                          key=KEY)
        self.assertEqual(r.status, 200, r.json())
        self.drive("cards", str(c["id"]))
        appt = self.drive("book", str(c["id"]), "4000", "usd")
        day = datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=3)
        start = int(datetime.datetime(day.year, day.month, day.day, 10, 0,
                                      tzinfo=datetime.timezone.utc).timestamp())
        con = sqlite3.connect(self.home.db)
        con.execute("UPDATE appointments SET starts_at = ?, ends_at = ? WHERE id = ?",
                    (start, start + 900, appt["id"]))
        con.commit()
        con.close()
        return appt, day

    def fees(self, *args, expect=0):
        out = subprocess.run([paydesk_bin(), "fees"] + list(args), capture_output=True,
                             text=True, env={**os.environ, **self.env}, timeout=60)
        self.assertEqual(out.returncode, expect, out.stdout + out.stderr)
        return out.stdout + out.stderr

    def test_paydesk_fees_headless(self):
        self.drive("policy", "50%", "none")
        amy, _ = self.seed()
        rory, _ = self.seed("Rory Williams", "pm_card_chargeDeclinedInsufficientFunds")
        self.drive("no-show", str(amy["id"]))
        self.drive("no-show", str(rory["id"]))
        self.fake.clear_requests()
        listed = self.fees()
        self.assertIn("visit 3 days ago", listed)
        self.assertRegex(listed, r"1 +visit 3 days ago +Amy Pond .*no-show +20\.00 USD +proposed")
        self.assertIn("Rory Williams", listed)
        self.assertIn("--reason", self.fees("waive", "2", expect=2))
        self.assertIn("is now 12.50 USD",
                      self.fees("amount", "1", "12,50", "--reason", "regular client"))
        self.assertIn("amount", self.fees("amount", "1", "twelve", "--reason", "x", expect=2))
        self.assertIn("Charged 12.50 USD", self.fees("charge", "1"))
        self.assertIn("charged already", self.fees("charge", "1", expect=2))
        declined = self.fees("charge", "2", expect=1)
        self.assertIn("insufficient funds", declined)
        self.assertIn("pay link:", self.fees("link", "2"))
        posts = self.fake.requests(method="POST", path_prefix="/v1/payment_intents")
        self.assertEqual([int(p["params"]["amount"]) for p in posts], [1250, 2000])
        self.assertEqual(self.fees().count("\n"), 4)  # header, Rory, his message, the link
        # its link open, the client could still pay it: expired first, then waived
        self.assertIn("paydesk fees expire ID",
                      self.fees("waive", "2", "--reason", "paid cash at the desk", expect=1))
        self.assertIn("expired at Stripe", self.fees("expire", "2"))
        self.assertIn("waived", self.fees("waive", "2", "--reason", "paid cash at the desk"))
        self.assertIn("no fee is waiting", self.fees())
        every = self.fees("--all")
        self.assertIn("charged", every)
        self.assertIn("waived by", every)
        self.assertEqual(self.query("SELECT action FROM audit_log WHERE action LIKE 'fee.%' "
                                    "ORDER BY id"),
                         [("fee.propose",), ("fee.propose",), ("fee.amount",), ("fee.charge",),
                          ("fee.charge.succeeded",), ("fee.charge",), ("fee.charge.failed",),
                          ("fee.link",), ("fee.link.expire",), ("fee.waive",)])

    def test_no_show_fee_charged_from_the_queue(self):
        self.drive("policy", "50%", "none")
        appt, day = self.seed()
        self.fake.clear_requests()

        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        t.send("?")
        t.wait_for("U undo, F fees")
        t.send("Escape")
        t.send("J")
        t.type(day.isoformat())
        t.send("Enter")
        t.wait_for("Amy Pond")
        t.send("x")
        t.wait_for("Mark as no-show?")
        t.send("y")
        t.wait_for("no-show fee of 20.00 USD waits in the fees queue")
        self.assertEqual(self.fake.requests(method="POST"), [])  # nothing charged by itself

        t.send("F")
        screen = t.wait_for("Fees queue · 1 waiting")
        self.assertIn("visit 3 days ago", screen)
        self.assertIn("Amy Pond", screen)
        self.assertIn("20.00 USD", screen)
        self.assertIn("proposed", screen)
        self.assertIn("c charge card", screen)
        t.send("c")
        t.wait_for("Charge the fee?")
        t.send("y")
        t.wait_for("Charged 20.00 USD to the saved card", timeout=20)
        t.wait_for("Fees queue · 0 waiting")
        posts = self.fake.requests(method="POST", path_prefix="/v1/payment_intents")
        self.assertEqual(len(posts), 1)
        sent = posts[0]["params"]
        self.assertEqual(int(sent["amount"]), 2000)
        self.assertIn(str(sent["off_session"]).lower(), ("true",))
        self.assertEqual(sent["metadata"]["fee_kind"], "no_show")
        t.send("Escape")
        t.wait_for("Day agenda")
        t.send("q")
        time.sleep(0.3)
        if "y/n" in t.screen() or "still running" in t.screen():
            t.send("y")
        t.exit_status()
        self.assertEqual(self.query("SELECT state, amount FROM appointment_fees"),
                         [("charged", 2000)])

    def test_undoing_a_no_show_whose_fee_was_charged_offers_its_refund(self):
        # x then the fee charged; U undoes the no-show: the charged fee is not left
        # behind silently, a refund is offered (y: once, to the card); the fees
        # queue's every-fee list (A) shows it refunded.
        self.drive("policy", "50%", "none")
        appt, day = self.seed()
        self.drive("no-show", str(appt["id"]))
        fee = self.drive("fee-charge", "1")
        self.assertEqual(fee["state"], "charged")
        self.fake.clear_requests()

        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        t.send("J")
        t.type(day.isoformat())
        t.send("Enter")
        t.wait_for("Amy Pond")
        t.send("H")  # the visit history shows the fee apart from the price's money
        screen = t.wait_for("no-show fee 20.00")
        # Tester: the totals read "paid 0.00" for a client who paid a fee: fees apart.
        self.assertIn("paid 0.00 USD · refunded 0.00 · due 0.00 · fees paid 20.00", screen)
        t.send("Escape")
        t.wait_for("Day agenda")
        t.send("U")
        screen = t.wait_for("Refund the fee?")
        self.assertIn("was charged", screen)
        self.assertIn("20.00 USD", screen)
        t.send("y")
        t.wait_for("Refunded 20.00 USD of the no-show fee to Amy Pond", timeout=20)
        refunds = self.fake.requests(method="POST", path_prefix="/v1/refunds")
        self.assertEqual([(r["params"]["payment_intent"], int(r["params"]["amount"]))
                          for r in refunds], [(fee["payment_intent"], 2000)])
        t.send("F")
        t.wait_for("Fees queue · 0 waiting")
        t.send("A")
        screen = t.wait_for("refunded")
        self.assertIn("Amy Pond", screen)
        t.send("R")
        t.wait_for("refunded in full already")
        t.send("Escape")
        t.wait_for("Day agenda")
        self.assertEqual(len(self.fake.requests(method="POST", path_prefix="/v1/refunds")), 1)
        self.assertEqual(self.query("SELECT state, refunded FROM appointment_fees"),
                         [("charged", 2000)])

    def open_day(self, day):
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        t.send("J")
        t.type(day.isoformat())
        t.send("Enter")
        t.wait_for("Amy Pond")
        return t

    def linked_day(self):
        """A no-show whose fee went to Amy as a pay link: (appointment, session id, day)."""
        self.drive("policy", "50%", "none")
        appt, day = self.seed()
        self.drive("no-show", str(appt["id"]))
        cs = self.drive("fee-link", "1")["checkout_session"]
        self.assertTrue(cs)
        return appt, cs, day

    def session_status(self, cs):
        return self.fake.api("GET", "/v1/checkout/sessions/" + cs, key=KEY).json()["status"]

    def test_undo_with_the_fee_s_pay_link_open_expires_it_first(self):
        # Tester: the link stayed payable after U withdrew the fee. U now says to expire
        # it (F, x); x closes it at Stripe on a worker, then U withdraws the fee.
        appt, cs, day = self.linked_day()
        t = self.open_day(day)
        t.send("U")
        t.wait_for("not undone: the fee's pay link is still open: F then x expires it")
        self.assertEqual(self.query("SELECT state FROM appointments WHERE id = %d" % appt["id"]),
                         [("no_show",)])
        t.send("F")
        screen = t.wait_for("Fees queue · 1 waiting")
        self.assertIn("x expire", screen)
        t.send("w")
        t.wait_for("x expires it first, then waive")
        t.send("x")
        t.wait_for("The pay link was expired at Stripe", timeout=20)
        self.assertEqual(self.session_status(cs), "expired")
        t.send("Escape")
        t.wait_for("Day agenda")
        t.send("U")
        t.wait_for("undone: booked again")
        self.assertEqual(self.query("SELECT state FROM appointment_fees"), [("withdrawn",)])

    def test_a_pay_link_paid_meanwhile_is_charged_and_undo_offers_its_refund(self):
        appt, cs, day = self.linked_day()
        self.fake.control("POST", "/checkout/sessions/%s/complete" % cs,
                          {"payment_method": "pm_card_visa"})
        t = self.open_day(day)
        t.send("F")
        t.wait_for("Fees queue · 1 waiting")
        t.send("x")
        t.wait_for("paid 20.00 USD on the pay link already", timeout=20)
        self.assertEqual(self.query("SELECT state FROM appointment_fees"), [("charged",)])
        t.send("Escape")
        t.wait_for("Day agenda")
        t.send("U")
        screen = t.wait_for("Refund the fee?")
        self.assertIn("20.00 USD", screen)
        t.send("n")
        t.wait_for("the charged fee stays")

    def test_expiring_a_pay_link_with_stripe_down_changes_nothing(self):
        appt, cs, day = self.linked_day()
        t = self.open_day(day)
        t.send("F")
        t.wait_for("Fees queue · 1 waiting")
        self.fake.add_fault("error", status=503)
        t.send("x")
        screen = t.wait_for("pay link not expired, nothing changed", timeout=30)
        self.assertIn("expire it again once Stripe answers", screen)
        self.fake.clear_faults()
        self.assertEqual(self.session_status(cs), "open")
        self.assertEqual(self.query("SELECT state, checkout_session_id FROM appointment_fees"),
                         [("proposed", cs)])
        t.send("Escape")
        t.wait_for("Day agenda")
        t.send("U")
        t.wait_for("pay link is still open")

    def test_undo_waits_for_a_fee_charge_under_way(self):
        # The tester's steps: x y on a client (the confirm says the fee the policy
        # proposes), F, Stripe slow on the charge, c y, then c again, Esc, U at once.
        # The row says charging..., a second c is refused, U refuses while the charge is
        # under way; once it lands, U undoes and offers the refund, naming the card.
        self.drive("policy", "50%", "none")
        appt, day = self.seed()
        self.fake.clear_requests()
        t = self.open_day(day)
        t.send("x")
        screen = t.wait_for("Mark as no-show?")
        self.assertIn("no-show fee of 20.00 USD", screen)
        t.send("y")
        t.wait_for("no-show fee of 20.00 USD waits in the fees queue")
        self.fake.add_fault("latency", ms=6000, method="POST",
                            path_prefix="/v1/payment_intents", count=1)
        t.send("F")
        t.wait_for("Fees queue · 1 waiting")
        t.send("c")
        screen = t.wait_for("Charge the fee?")
        self.assertIn("Visa \u20224242", screen)
        t.send("y")
        t.wait_for("charging\u2026")
        t.send("c")
        screen = t.wait_for("under way")
        self.assertNotIn("Charge the fee?", screen)
        self.assertNotIn("Re-check", screen)
        t.send("Escape")
        t.wait_for("Day agenda")
        t.send("U")
        screen = t.wait_for("charge is under way")
        self.assertNotIn("booked again", screen)
        self.assertEqual(self.query("SELECT state FROM appointments WHERE id = %d" % appt["id"]),
                         [("no_show",)])
        t.wait_for("Charged 20.00 USD", timeout=20)
        t.send("U")
        screen = t.wait_for("Refund the fee?")
        self.assertIn("Visa \u20224242", screen)
        t.send("n")
        t.wait_for("the charged fee stays")
        self.assertEqual(len(self.fake.requests(method="POST",
                                                path_prefix="/v1/payment_intents")), 1)
        self.assertEqual(self.query("SELECT state FROM appointment_fees"), [("charged",)])

    def test_refund_amount_checked_before_asking(self):
        self.drive("policy", "50%", "none")
        appt, _ = self.seed()
        self.drive("no-show", str(appt["id"]))
        self.drive("fee-charge", "1")
        out = self.fees("refund", "1", "--amount", "50", expect=2)
        self.assertIn("at most 20.00 USD", out)
        self.assertNotIn("--yes", out)
        self.assertIn("Visa \u20224242", self.fees("refund", "1", "--amount", "5"))
        done = self.fees("refund", "1", "--amount", "5", "--yes")
        self.assertIn("Refunded 5.00 USD", done)
        self.assertIn("Stripe keeps its fee of", done)

    def test_headless_charge_with_stripe_unreachable_is_not_sent(self):
        import socket
        self.drive("policy", "50%", "none")
        appt, _ = self.seed()
        self.drive("no-show", str(appt["id"]))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.env = dict(self.env, PAYDESK_API_BASE="http://127.0.0.1:%d" % sock.getsockname()[1])
        sock.close()
        out = self.fees("charge", "1", expect=1)
        self.assertIn("nothing was charged", out)
        self.assertIn("paydesk fees charge 1", out)
        self.assertNotIn(" c ", out)
        self.assertEqual(self.query("SELECT state FROM appointment_fees"), [("proposed",)])

    def test_queue_charge_with_stripe_unreachable_says_not_sent(self):
        # Stripe down at the desk: c y says nothing was sent (not "Stripe refused it"),
        # the fee waits again, and the status line does not say online.
        import socket
        self.drive("policy", "50%", "none")
        appt, day = self.seed()
        self.drive("no-show", str(appt["id"]))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.env = dict(self.env, PAYDESK_API_BASE="http://127.0.0.1:%d" % sock.getsockname()[1])
        sock.close()
        t = self.open_day(day)
        t.send("F")
        t.wait_for("Fees queue · 1 waiting")
        t.send("c")
        t.wait_for("Charge the fee?")
        t.send("y")
        screen = t.wait_for("Not sent: Stripe could not be reached", timeout=30)
        self.assertNotIn("refused", screen)
        t.wait_for("unreachable", timeout=10)
        self.assertNotIn("online", t.screen())
        self.assertEqual(self.query("SELECT state FROM appointment_fees"), [("proposed",)])
        t.send("c")
        t.wait_for("Charge the fee?")  # nothing under way: it can be charged again
        t.send("n")

    def test_undo_waits_for_a_fee_charge_of_unknown_outcome(self):
        # The answer to the charge was lost (headless, Stripe answering 500): the fee stays
        # charging. U refuses and says what to do; c in the queue re-checks it (one
        # PaymentIntent), then U undoes and offers the refund.
        self.drive("policy", "50%", "none")
        appt, day = self.seed()
        self.drive("no-show", str(appt["id"]))
        self.fake.add_fault("error", status=500, method="POST", path_prefix="/v1/payment_intents")
        out = self.fees("charge", "1", expect=1)
        self.assertIn("re-check it: paydesk fees charge 1", out)
        self.assertEqual(self.query("SELECT state FROM appointment_fees"), [("charging",)])
        self.fake.clear_faults()
        t = self.open_day(day)
        t.send("U")
        screen = t.wait_for("not undone")
        self.assertNotIn("booked again", screen)
        self.assertEqual(self.query("SELECT state FROM appointments WHERE id = %d" % appt["id"]),
                         [("no_show",)])
        t.send("F")
        t.wait_for("c re-checks it")
        t.send("c")
        t.wait_for("Re-check the charge?")
        t.send("y")
        t.wait_for("Charged 20.00 USD", timeout=20)
        t.send("Escape")
        t.wait_for("Day agenda")
        t.send("U")
        t.wait_for("Refund the fee?")
        t.send("n")
        t.wait_for("the charged fee stays")
        intents = self.fake.api("GET", "/v1/payment_intents", {"limit": 10}, key=KEY).json()
        self.assertEqual(len(intents["data"]), 1)

    def test_second_refund_refused_while_the_first_is_under_way(self):
        # R y on a charged fee with Stripe slow: the row says refunding..., R again is
        # refused with words that do not send a slow refund to paydesk recover; one
        # refund reaches Stripe, and its answer names the fee Stripe keeps.
        self.drive("policy", "50%", "none")
        appt, day = self.seed()
        self.drive("no-show", str(appt["id"]))
        self.drive("fee-charge", "1")
        self.fake.clear_requests()
        self.fake.add_fault("latency", ms=6000, method="POST", path_prefix="/v1/refunds",
                            count=1)
        t = self.open_day(day)
        t.send("F")
        t.wait_for("Fees queue")
        t.send("A")
        t.wait_for("charged")
        t.send("R")
        screen = t.wait_for("Refund the fee?")
        self.assertIn("Visa \u20224242", screen)
        t.send("y")
        t.wait_for("refunding\u2026")
        t.send("R")
        screen = t.wait_for("refund is under way")
        self.assertNotIn("Refund the fee?", screen)
        self.assertNotIn("recover", screen)
        t.wait_for("Refunded 20.00 USD of the no-show fee", timeout=20)
        t.wait_for("Stripe keeps its fee of")
        self.assertEqual(len(self.fake.requests(method="POST", path_prefix="/v1/refunds")), 1)


if __name__ == "__main__":
    unittest.main()
