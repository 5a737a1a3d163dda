"""Appointments end to end in tmux: add a client, a service and a staff
member; book; see it on the day agenda; a clashing booking refused with the
clash shown; reschedule; cancel; and the same day from `paydesk agenda`."""
import os
import subprocess
import unittest

from tmuxharness import Home, Terminal, paydesk_bin


class Appointments(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        self.env = {**self.home.env, "PAYDESK_TIMEZONE": "UTC"}

    def start(self):
        t = Terminal([paydesk_bin()], 80, 24, env=self.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        return t

    def agenda(self, *args):
        return subprocess.run([paydesk_bin(), "agenda", *args], capture_output=True, text=True,
                              env={**os.environ, **self.env})

    def add_basics(self, t):
        t.send("2")
        t.wait_for("Clients · Services · Staff")
        t.send("n")
        t.wait_for("New client")
        t.type("Zoë Martin")
        t.send("Tab")
        t.type("zoe@example.com")
        t.send("Tab")
        t.type("+33 6 12 34")
        t.send("C-s")
        t.wait_for("client added: Zoë Martin")
        t.wait_for("zoe@example.com")
        t.send("v")
        t.wait_for("No services yet")
        t.send("n")
        t.wait_for("New service")
        t.type("Haircut")
        t.send("Tab")
        t.type("60")
        t.send("Tab")
        t.type("45")
        t.send("C-s")
        t.wait_for("service added: Haircut")
        t.wait_for("45.00 USD")
        t.send("v")
        t.wait_for("No staff yet")
        t.send("n")
        t.type("Alice")
        t.send("Tab")
        t.type("mon-sun 08:00-20:00")
        t.send("C-s")
        t.wait_for("staff member added: Alice")
        t.wait_for("mon-sun 08:00-20:00")

    def book(self, t, who, date, time):
        t.send("n")
        t.wait_for("Book an appointment")
        t.type(who)
        t.wait_for("> Zoë Martin")
        t.send("Tab")  # takes the highlighted client
        t.send("Tab", "Tab")  # service, staff
        t.send("C-u")
        t.type(date)
        t.send("Tab")
        t.type(time)
        t.send("C-s")

    def test_book_clash_reschedule_cancel(self):
        t = self.start()
        self.add_basics(t)
        t.send("1")
        t.wait_for("Day agenda")
        self.book(t, "zoe", "2030-01-07", "10:00")
        screen = t.wait_for("booked 10:00")
        self.assertIn("Day agenda · Mon 2030-01-07", screen)
        self.assertRegex(screen, r"10:00-11:00 +Alice +Zoë Martin +Haircut +booked +none")

        # The same staff member at 10:30: refused, the clash named inline, the form kept.
        self.book(t, "Zo", "2030-01-07", "10:30")
        screen = t.wait_for("clashes with Alice's booking 10:00-11:00")
        self.assertIn("Book an appointment", screen)
        self.assertIn("10:30", screen)
        t.send("C-u")
        t.type("11:00")
        t.send("C-s")
        screen = t.wait_for("booked 11:00")
        self.assertIn("11:00-12:00", screen)

        # Reschedule the 10:00 one to 14:00.
        t.send("g", "e")
        t.wait_for("Edit / reschedule the appointment")
        t.send("Tab")  # date -> time
        t.send("C-u")
        t.type("14:00")
        t.send("C-s")
        screen = t.wait_for("saved 14:00")
        self.assertRegex(screen, r"14:00-15:00 +Alice")
        self.assertNotIn("10:00-11:00", screen)

        # Cancel the 11:00 one (first row now), after a confirm dialog.
        t.send("g", "c")
        t.wait_for("Cancel the appointment?")
        t.send("y")
        screen = t.wait_for("cancelled")
        self.assertRegex(screen, r"11:00-12:00 +Alice +Zoë Martin +Haircut +cancelled")

        # Help lists the screen's keys from its table.
        t.send("?")
        screen = t.wait_for("n book an appointment")
        self.assertIn("x mark no-show", screen)
        t.send(*["j"] * 12)  # long texts wrap: the global keys follow further down
        t.wait_for("F5, 5")
        t.send("Escape")
        t.send("q")
        self.assertEqual(t.exit_status(), 0)

        out = self.agenda("--date", "2030-01-07")
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertEqual(lines[0], "Agenda for Mon 2030-01-07 (UTC) — all staff")
        self.assertRegex(out.stdout, r"11:00-12:00  Zoë Martin  Haircut  Alice  cancelled  none")
        self.assertRegex(out.stdout, r"14:00-15:00  Zoë Martin  Haircut  Alice  booked +none")
        self.assertIn("2 appointments", out.stdout)

    def test_search_as_you_type_and_week_view(self):
        t = self.start()
        self.add_basics(t)
        t.send("v")  # staff -> clients
        t.wait_for("Clients · Services · Staff")
        t.send("/")
        t.type("nomatch")
        t.wait_for("No client matches the search.")
        t.send("C-u")
        t.type("MARTIN")
        t.wait_for("zoe@example.com")
        t.send("Escape")
        t.send("1", "w")
        t.wait_for("Week agenda · from Mon")
        t.send("q")
        self.assertEqual(t.exit_status(), 0)


if __name__ == "__main__":
    unittest.main()
