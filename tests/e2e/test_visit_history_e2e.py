"""A client's visit history at 80x24 (issue 15, point 17): from the appointment (H on the
Appointments tab) and from the client (H on the Clients tab, on the row and in its
detail), past and future visits with no-shows, cancellations and their money by tender
(a deposit and what is still due, a refund), the totals, scrolling, the keys in `?` help,
and Esc back to where it was opened."""
import datetime
import sqlite3

import test_desk_tenders_e2e as tenders
from stripecase import ConnectedCase

PUBLISHABLE = "pk_test_51VisitHistoryEndToEnd000000"


class VisitHistory(ConnectedCase):
    KEY = "rk_test_51VisitHistoryEndToEnd000000"
    PASSPHRASE = "visit history passphrase"
    SETUP_ARGS = ("--publishable", PUBLISHABLE, "--payment-at-booking", "optional")
    EXTRA_ENV = {"PAYDESK_TIMEZONE": "UTC"}

    # A walk-in booked in the terminal for 2030-01-07 10:00 (the tenders test's own).
    book_walk_in = tenders.DeskTenders.book_walk_in

    def add_past_visits(self):
        """Twelve past visits of the booked client, on the 3rd of each month of 2025,
        written as the desk left them: 4 no-shows, 2 cancelled, 6 completed and paid
        (card, or cash with 5.00 handed back on 2025-02-03)."""
        con = sqlite3.connect(self.home.db)
        with con:
            client, service, staff = con.execute(
                "SELECT client_id, service_id, staff_id FROM appointments").fetchone()
            for i in range(12):
                start = int(datetime.datetime(2025, 1 + i, 3, 9, 0,
                                              tzinfo=datetime.timezone.utc).timestamp())
                state = "no_show" if i % 3 == 0 else "cancelled" if i % 5 == 0 else "completed"
                cur = con.execute(
                    "INSERT INTO appointments (client_id, service_id, staff_id, starts_at,"
                    " ends_at, state, payment_state, amount, currency, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 2500, 'usd', ?, ?)",
                    (client, service, staff, start, start + 3600, state,
                     "paid" if state == "completed" else "none", start, start))
                if state == "completed":
                    method = "cash" if i % 2 else "card"
                    con.execute(
                        "INSERT INTO appointment_payments (appointment_id, method, status,"
                        " amount, currency, refunded, actor, created_at, updated_at)"
                        " VALUES (?, ?, 'succeeded', 2500, 'usd', ?, 'Alex', ?, ?)",
                        (cur.lastrowid, method, 500 if i == 1 else 0, start, start))
        con.close()

    def test_from_the_appointment_and_from_the_client(self):
        t = self.book_walk_in()
        # a 10.00 cash deposit on the 25.00 booking
        t.wait_for("Take payment · Zoë Martin · Haircut 25.00 USD")
        t.send("C-u")
        t.type("10")
        t.send("Tab", "Space", "Space", "Space")
        t.wait_for("< cash >")
        t.send("Enter", "Enter")
        t.wait_for("Take this payment?")
        t.send("y")
        t.wait_for("deposit 10.00")
        self.add_past_visits()

        # From the appointment: H on the selected one.
        t.send("H")
        screen = t.wait_for("Visit history · Zoë Martin")
        rows = screen.splitlines()
        self.assertLessEqual(len(rows), 24)
        self.assertTrue(rows[0].rstrip().endswith("Alex"), rows[0])  # who is signed in
        self.assertIn("13 visits · 1 upcoming · 6 completed · 4 no-shows · 2 cancelled", screen)
        # money: 6 paid visits × 25.00 + the 10.00 deposit; 5.00 back; 15.00 still due
        self.assertIn("paid 160.00 USD · refunded 5.00 · due 15.00", screen)
        # the appointment it came from, first and selected, with its deposit
        visit = next(i for i, r in enumerate(rows) if "Mon 2030-01-07 10:00" in r)
        self.assertRegex(rows[visit], r"Haircut\s+Alice\s+upcoming\s+25.00 USD")
        self.assertIn("paid 10.00 cash · deposit · 15.00 due", rows[visit + 1])
        self.assertRegex(screen, r"Wed 2025-12-03 09:00\s+Haircut\s+Alice\s+completed")
        self.assertRegex(screen, r"Mon 2025-11-03 09:00\s+Haircut\s+Alice\s+cancelled")
        self.assertNotIn("2025-01-03", screen)  # the oldest: below, reached by scrolling
        self.assertIn("1-8 of 13", rows[1])
        t.send("G")
        screen = t.wait_for("2025-01-03 09:00")
        self.assertIn("6-13 of 13", screen)
        self.assertRegex(screen, r"Fri 2025-01-03 09:00\s+Haircut\s+Alice\s+no-show")
        self.assertIn("no-show: nothing paid", screen)
        self.assertRegex(screen, r"2025-06-03 09:00\s+Haircut\s+Alice\s+cancelled")
        self.assertIn("paid 25.00 cash (5.00 refunded)", screen)  # 2025-02-03
        self.assertIn("paid 25.00 card", screen)
        self.assertNotIn("2030-01-07", screen)
        t.send("g")
        t.wait_for("2030-01-07")
        # its keys are in ? help
        t.send("?")
        t.wait_for("back to where the history was opened")
        t.send("Escape")
        t.send("Escape")
        t.wait_for("Day agenda")
        t.send("?")
        t.wait_for("the client's visit history")
        t.send("Escape")

        # From the client: its row, then its detail.
        t.send("2")
        t.wait_for("Clients · Services · Staff")
        t.send("v")  # the list last shown was the staff's: on to the clients
        t.wait_for("Zoë Martin")
        t.send("H")
        t.wait_for("Visit history · Zoë Martin")
        t.wait_for("13 visits")
        t.send("Escape")
        t.wait_for("Clients · Services · Staff")
        t.send("o")
        t.wait_for("H: visit history")
        t.send("H")
        t.wait_for("Visit history · Zoë Martin")
        t.send("Escape")
        t.wait_for("H: visit history")  # back on the client's detail
        t.send("Escape")
        t.send("q")
        self.assertEqual(t.exit_status(), 0)


if __name__ == "__main__":
    import unittest
    unittest.main()
