"""The Express panel of the Setup tab (X): create the business's Express account, see the
one-time onboarding link with its QR code, and watch onboarding finish. The status poll
waits its 3 s in the queue (never asleep on a worker) and the panel opens the platform's
key nowhere: its jobs do, on their worker."""
import os
import re
import time
import unittest

from stripecase import ConnectedCase
from tmuxharness import Terminal, paydesk_bin

OWNER = "owner@harbour.example"


class ExpressPanel(ConnectedCase):
    PASSPHRASE = "express panel passphrase"

    def test_create_shows_link_and_qr_then_polls_until_ready(self):
        t = Terminal([paydesk_bin(), "--screen", "setup"], 120, 40, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("X Express")
        t.send("X")
        t.wait_for("Express account (Stripe Connect)")
        t.send("c")
        t.wait_for("Owner's email")
        t.type(OWNER)
        t.send("Enter")
        screen = t.wait_for("One-time link, valid until", timeout=20)
        self.assertIn("https://", screen)
        self.assertRegex(screen, "[▀▄█]{7}")  # the QR code under the link
        acct = re.search(r"Acting for (acct_\w+)", t.wait_for(r"Acting for acct_\w+", regex=True))
        self.assertIsNotNone(acct)
        acct = acct.group(1)
        self.assertIn("(checking…)", t.screen())
        # The owner finishes onboarding on their phone: the next poll (3 s in the queue)
        # sees it.
        self.fake.control("POST", f"/accounts/{acct}/onboarding", {"complete": True})
        t.wait_for("Express account ready", timeout=20)
        self.assertNotIn("(checking…)", t.screen())
        # The status polls are spaced by their wait in the queue, not sent back to back.
        polls = sorted(r["wall_time"] for r in
                       self.fake.requests(method="GET", path_prefix="/v1/accounts/" + acct))
        self.assertGreaterEqual(len(polls), 2)
        self.assertGreaterEqual(min(b - a for a, b in zip(polls, polls[1:])), 2.5, polls)
        t.send("Escape", "q")
        self.assertEqual(t.exit_status(), 0)


if __name__ == "__main__":
    unittest.main()
