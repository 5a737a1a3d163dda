"""Found by the tester: a staff member's refund over the limit was said only after
the confirm (the package's R in the visit history), or only at Ctrl-S (the appointment
refund form's amount). Both are said before any confirmation, in tmux at 80x24."""
import test_desk_tenders_e2e as tenders
from stripecase import ConnectedCase


class RefundLimitEarly(ConnectedCase):
    KEY = "rk_test_51RefundLimitEarly00000000000"
    PASSPHRASE = "refund limit early passphrase"
    SETUP_ARGS = ("--publishable", "pk_test_51RefundLimitEarly0000000000",
                  "--payment-at-booking", "optional")
    EXTRA_ENV = {"PAYDESK_TIMEZONE": "UTC"}

    book_walk_in = tenders.DeskTenders.book_walk_in

    def staff_sam(self, t):
        self.paydesk("users", "add", "--name", "Sam", "--role", "staff", stdin="1357\n",
                     check=0)
        self.paydesk("users", "refund-limit", "50", "usd", "500", check=0)
        t.send("L")
        t.wait_for("paydesk is locked")
        t.type("Sam")
        t.send("Enter")
        t.type("1357")
        t.send("Enter")
        t.wait_for("signed in as Sam (staff)")

    def test_package_refund_over_the_limit_is_said_before_the_confirm(self):
        t = self.book_walk_in()
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD")
        t.send("Escape")
        t.wait_for("Day agenda")
        self.paydesk("packages", "define", "--name", "Credit 100", "--price", "100",
                     "--credit", "100", "--currency", "usd", check=0)
        self.paydesk("packages", "sell", "Credit 100", "--client", "Zoë Martin",
                     "--tender", "cash", "--yes", check=0)
        self.staff_sam(t)
        t.send("H")
        t.wait_for("Credit 100")
        t.send("R")
        screen = t.wait_for("is above the staff limit of 50.00 USD", timeout=5)
        self.assertNotIn("Refund the package?", screen)
        self.assertEqual(self.query("SELECT state FROM client_packages"), [("active",)])
        self.assertEqual(self.query("SELECT count(*) FROM audit_log WHERE action ="
                                    " 'refund.refused'"), [(0,)])

    def test_desk_refund_over_what_is_left_is_said_when_the_amount_is_left(self):
        t = self.book_walk_in()
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD")
        t.send("C-u")
        t.type("25")
        t.send("Tab")
        for _ in range(3):
            t.send("Space")
        t.wait_for("< cash >")
        t.send("C-s")
        t.wait_for("Take this payment?")
        t.send("y")
        t.wait_for(r"paid", regex=True)
        t.send("Escape")
        t.send("r")
        t.wait_for("Refund · Zoë Martin · Haircut")
        t.send("C-u")
        t.type("99")
        t.send("Tab")
        screen = t.wait_for("at most 25.00 USD can be refunded at the desk", timeout=5)
        self.assertNotIn("Refund?", screen)
