"""A cancel whose card refund gets no clear answer from Stripe, as a tester did it at the
front desk (tmux 80x24, fake Stripe answering 500 on POST /v1/refunds), session 7:

- the visit is paid 10.00 in cash and 30.00 by card, under a booking policy; `c` asks by the
  policy, and its keys are unambiguous (d decides otherwise, n / Esc cancels nothing);
- refund all 40.00: Stripe answers 500, so the dialog says the outcome is not known yet
  (not "The refund was not made"), whole, in whole words;
- the desk re-checks later with Y on the agenda: the card refund is found made, and the
  cancel finishes by itself: the 10.00 cash goes back at the desk, the visit is cancelled,
  both audited; the notice reads cleanly (no ".;");
- M shows every message whole, never cut mid-word."""
import os
import re
import time
import unittest

from tmuxharness import Terminal, paydesk_bin

import test_payments_e2e as base
from deskcase import DeskCase, fill_booking


def fits(test, screen):
    for line in screen.splitlines():
        test.assertLessEqual(len(line), 80, line)


def box_text(screen):
    """The words inside the dialog or overlay box, its wrapped lines joined with spaces."""
    rows = []
    for line in screen.splitlines():
        m = re.search(r"[│|](.*)[│|]", line)
        if m:
            rows.append(m.group(1).strip())
    return " ".join(r for r in rows if r)


class CancelRefundUnknown(DeskCase):
    KEY, PUBLISHABLE, PASSPHRASE = base.KEY, base.PUBLISHABLE, base.PASSPHRASE
    setUp = base.Payments.setUp
    wait_fake = base.Payments.wait_fake
    client_with_saved_card = base.Payments.client_with_saved_card

    def book_with_saved_card(self):
        """book_with_saved_card's client, card, service and staff, booked under the
        policy: the client accepts it at the desk; returns the terminal at the payment."""
        t = self.client_with_saved_card()
        fill_booking(t, "zoe", "Zoë Martin")
        t.send("C-s")
        t.wait_for("The client accepts it at the desk")
        t.send("y")
        t.wait_for("Take payment · Zoë Martin · Haircut")
        t.wait_for("card saved on the client")
        return t

    def pay_cash_and_card(self):
        """45.00 booked: 30.00 by the saved card, then 10.00 in cash (5.00 still due)."""
        set_ = self.paydesk("policies", "set", "default", "--deposit", "10", "--window", "24",
                            "--in-time", "refund", "--currency", "usd")
        self.assertEqual(set_.returncode, 0, set_.stdout + set_.stderr)
        t = self.book_with_saved_card()
        t.send("C-u")
        t.type("30")
        t.send("Enter", "Enter")  # the saved card: continue
        t.wait_for("Take this payment?")
        t.send("y")
        t.wait_for(r"confirmed\s+15\.00 due", regex=True, timeout=20)
        t.send("p")
        t.wait_for("Take payment · Zoë Martin · Haircut 15.00 USD")
        t.send("C-u")
        t.type("10")
        t.send("Enter")
        for _ in range(6):
            if "< cash >" in t.screen():
                break
            t.send("Space")
            time.sleep(0.2)
        t.wait_for("< cash >")
        t.send("Enter", "Enter")
        t.wait_for("Take this payment?")
        t.send("y")
        t.wait_for(r"confirmed\s+5\.00 due", regex=True)
        return t

    def test_unknown_refund_then_recheck_finishes_the_cancel(self):
        t = self.pay_cash_and_card()
        t.send("c")
        screen = t.wait_for("Refund by the policy and cancel?")
        fits(self, screen)
        # one key per meaning: d decides otherwise, n / Esc cancels nothing
        self.assertEqual(len(re.findall(r"\bn\b[^\n]*:", screen)), 1, screen)
        self.assertIn("d: decide otherwise", screen)
        t.send("d")
        t.wait_for("What happens to the 40.00 USD paid?")
        t.send("Enter", "Enter", "Enter")  # refund all of it, the reason: continue
        screen = t.wait_for("Refund and cancel?")
        self.assertIn("10.00 USD back in cash at the desk", screen)
        self.fake.add_fault("error", status=500, method="POST", path_prefix="/v1/refunds",
                            count=50)
        self.fake.clear_requests()
        t.send("y")
        screen = t.wait_for("Refund outcome not known yet", timeout=30)
        fits(self, screen)
        if os.environ.get("SHOW_SCREENS"):
            print(screen)
        self.assertNotIn("The refund was not made", screen)
        said = box_text(screen)
        # said whole, in whole words, with what is left and the keys that finish it
        self.assertIn("do not refund again", said)
        self.assertIn("not cancelled yet", said)
        self.assertIn("10.00 USD is still to hand back in cash at the desk", said)
        self.assertIn("Y on the agenda", said)
        self.assertNotIn("\u2026", said)
        self.assertIn("n / Esc: later (Y)", screen)
        t.send("n")  # later, as the tester did
        t.wait_gone("Refund outcome not known yet")
        t.wait_for(r"confirmed\s+5\.00 due", regex=True)

        # M: every message whole (the refund's included), never cut mid-word
        t.send("M")
        screen = t.wait_for("Messages, newest first")
        fits(self, screen)
        words = box_text(screen)
        self.assertIn("do not refund again (nothing is refunded twice)", words)

        t.send("Escape")
        self.fake.clear_faults()
        t.send("Y")
        # one message, cleanly joined: the card refund, the cash, the cancel; read once the
        # re-check has answered ("not cancelled yet" is on screen before it does)
        done = (r"Refund of 30\.00 USD made at Stripe \(re-checked\); nothing "
                r"was refunded twice\. Refunded 10\.00 USD in cash at the desk")
        deadline = time.time() + 30
        while True:
            t.send("M")
            screen = t.wait_for("Messages, newest first")
            words = box_text(screen)
            if re.search(done, words) or time.time() > deadline:
                break
            t.send("Escape")
            time.sleep(0.5)
        self.assertNotIn(".;", screen)
        self.assertRegex(words, done)
        self.assertIn("Cancelled", words)
        self.assertNotIn(".;", words)
        t.send("Escape")
        t.send("q")
        if "still running" in t.screen():
            t.send("y")
        t.exit_status()

        refunds = self.fake.api("GET", "/v1/refunds", {"limit": 10}, key=self.KEY).json()["data"]
        self.assertEqual([r["amount"] for r in refunds], [3000])  # once, never twice
        self.assertEqual(self.query("SELECT state FROM appointments"), [("cancelled",)])
        self.assertEqual(self.query("SELECT method, amount, refunded FROM appointment_payments"
                                    " ORDER BY id"), [("card", 3000, 3000), ("cash", 1000, 1000)])
        actions = [a for (a,) in self.query("SELECT action FROM audit_log ORDER BY id")]
        self.assertIn("payment.recheck", actions)
        self.assertIn("payment.desk_refund", actions)
        self.assertIn("booking.cancel", actions)

    def test_after_a_restart_y_then_c_finishes_what_is_left(self):
        # The waiting cancel lives in the running paydesk (README): after a restart the
        # refund is settled (at start or by Y) and c cancels with what is left, the cash.
        t = self.pay_cash_and_card()
        t.send("c")
        t.wait_for("Refund by the policy and cancel?")
        self.fake.add_fault("error", status=500, method="POST", path_prefix="/v1/refunds",
                            count=50)
        t.send("y")
        t.wait_for("Refund outcome not known yet", timeout=30)
        t.send("n")
        t.wait_for("not cancelled yet: Y on the agenda re-checks the refund")
        t.send("q")
        time.sleep(0.3)
        if "still running" in t.screen():
            t.send("y")
        t.exit_status(timeout=20)
        t.close()
        self.fake.clear_faults()
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        t.send("J")
        t.type("2030-01-07")
        t.send("Enter")
        t.wait_for("Zoë Martin")
        t.send("Y")
        t.wait_for(r"Refund of 30\.00 USD made at Stripe|nothing to re-check", regex=True,
                   timeout=30)
        t.send("c")
        screen = t.wait_for("Refund by the policy and cancel?")
        fits(self, screen)
        self.assertIn("10.00 USD back in cash at the desk (from the till).", screen)
        self.assertNotIn("through Stripe", screen)
        t.send("y")
        t.wait_for(r"cancelled\s", regex=True, timeout=20)
        t.send("q")
        if "still running" in t.screen():
            t.send("y")
        t.exit_status()
        refunds = self.fake.api("GET", "/v1/refunds", {"limit": 10}, key=self.KEY).json()["data"]
        self.assertEqual([r["amount"] for r in refunds], [3000])
        self.assertEqual(self.query("SELECT state FROM appointments"), [("cancelled",)])
        self.assertEqual(self.query("SELECT method, amount, refunded FROM appointment_payments"
                                    " ORDER BY id"), [("card", 3000, 3000), ("cash", 1000, 1000)])


if __name__ == "__main__":
    unittest.main()
