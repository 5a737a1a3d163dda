"""Appointments end to end in tmux: add a client, a service and a staff
member; book; see it on the day agenda; a clashing booking refused with the
clash shown; reschedule; cancel; and the same day from `paydesk agenda`."""
import datetime
import os
import sqlite3
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

    def add_more(self, t):
        """A second client (Bruno Costa) and a second staff member (Bob), after
        add_basics (which leaves the Clients tab on its staff list)."""
        t.send("2")
        t.wait_for("mon-sun 08:00-20:00")
        t.send("v")  # staff -> clients
        t.wait_for("zoe@example.com")
        t.send("n")
        t.wait_for("New client")
        t.type("Bruno Costa")
        t.send("C-s")
        t.wait_for("client added: Bruno Costa")
        t.send("v", "v")
        t.wait_for("mon-sun 08:00-20:00")
        t.send("n")
        t.type("Bob")
        t.send("Tab")
        t.type("mon-sun 08:00-20:00")
        t.send("C-s")
        t.wait_for("staff member added: Bob")

    def book(self, t, who, date, time, name="Zoë Martin", next_staff=0):
        t.send("n")
        t.wait_for("Book an appointment")
        t.type(who)
        t.wait_for("> " + name)
        t.send("Tab")  # takes the highlighted client
        t.send("Tab")  # service
        for _ in range(next_staff):
            t.send("Space")
        t.send("Tab")  # staff
        t.send("C-u")
        t.type(date)
        t.send("Tab")
        t.type(time)
        t.send("C-s")

    def test_a_new_booking_starts_with_someone_working_that_day(self):
        # Found by the tester: the booking form's staff was the first by name
        # (Aaron), who does not work that day; the save then refused the hours.
        import time as _time
        days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        other = days[(_time.gmtime().tm_wday + 1) % 7]  # not today (UTC)
        t = self.start()
        self.add_basics(t)
        t.send("n")
        t.type("Aaron")
        t.send("Tab")
        t.type(other + " 09:00-17:00")
        t.send("C-s")
        t.wait_for("staff member added: Aaron")
        t.send("1")
        t.wait_for("Day agenda")
        t.send("n")
        screen = t.wait_for("Book an appointment")
        staff = [l for l in screen.splitlines() if l.strip().startswith("Staff")]
        self.assertEqual(len(staff), 1, screen)
        self.assertIn("Alice", staff[0])
        self.assertNotIn("Aaron", staff[0])

    def test_walk_in_added_from_the_booking_form(self):
        # A walk-in nobody has met: the desk types the name in the booking form
        # and books, without going to the Clients tab first.
        t = self.start()
        self.add_basics(t)
        t.send("1")
        t.wait_for("Day agenda")
        t.send("n")
        t.wait_for("Book an appointment")
        t.type("Jane Walker")
        t.send("Tab")
        t.wait_for("new client: Ctrl-S adds")
        t.send("Tab", "Tab", "C-u")
        t.type("2030-01-07")
        t.send("Tab")
        t.type("10:00")
        t.send("C-s")
        t.wait_for("Add a new client?")
        t.wait_for("Jane Walker")
        t.send("y")
        screen = t.wait_for("booked 10:00")
        self.assertRegex(screen, r"10:00-11:00 +Alice +Jane Walker +Haircut +booked")
        con = sqlite3.connect(self.home.db)
        try:
            names = [r[0] for r in con.execute("SELECT name FROM clients ORDER BY id")]
        finally:
            con.close()
        self.assertEqual(names, ["Zoë Martin", "Jane Walker"])
        # Esc at the question books nothing and keeps what was typed.
        t.send("n")
        t.wait_for("Book an appointment")
        t.type("Ann Other")
        t.send("Tab", "Tab", "Tab", "C-u")
        t.type("2030-01-07")
        t.send("Tab")
        t.type("11:00")
        t.send("C-s")
        t.wait_for("Add a new client?")
        t.send("Escape")
        t.wait_for("Ann Other")

    def test_long_text_in_a_question_wraps_whole(self):
        # A dialog's text wraps inside its box at 80x24: the desk reads all of
        # a long name before saying yes (it was cut at the box's edge).
        t = self.start()
        self.add_basics(t)
        t.send("1")
        t.wait_for("Day agenda")
        t.send("n")
        t.wait_for("Book an appointment")
        name = ("Maria-Magdalena Anastasia Konstantinopoulou-Papadopoulou "
                "Featherstonehaugh-Wolfeschlegel")
        t.type(name)
        t.send("Tab", "Tab", "Tab", "C-u")
        t.type("2030-01-07")
        t.send("Tab")
        t.type("12:00")
        t.send("C-s")
        screen = t.wait_for("Add a new client?")
        # the box's rows only (the form behind it shows the name's end)
        box = " ".join(line.split("\u2502")[1].strip() for line in screen.splitlines()
                       if line.count("\u2502") == 2)
        self.assertIn("Konstantinopoulou-Papadopoulou Featherstonehaugh-Wolfeschlegel", box)
        self.assertIn("Add them as a new client and book?", box)
        t.send("Escape")

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
        t.send(*["j"] * 20)  # long texts wrap: the global keys follow further down
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

    def test_a_long_find_scrolls_so_what_is_typed_is_seen(self):
        # The find prompt drew its text from the start: past column 80 what was
        # typed, and the cursor, went off the line (the History search did the
        # same; every prompt now scrolls as a form field does).
        t = self.start()
        t.send("/")
        t.wait_for("Find client:")
        t.type("Maria Carmen de los Angeles Fernandez-Ortega Villanueva y Castillo "
               "Buenaventura end")
        screen = t.wait_for("ventura end")
        line = next(l for l in screen.splitlines() if "Find client:" in l)
        self.assertIn("Buenaventura end", line)
        out = t.tmux("display-message", "-p", "-t", "t", "#{cursor_x}", capture=True)
        self.assertEqual(int(out.strip()), line.index("Buenaventura end") + 16)  # after it
        t.send("Escape")
        t.wait_gone("Find client:")

    def test_a_new_find_replaces_the_last_one_enter_repeats_it(self):
        # A tester found "zoe", then pressed / and typed "liam": the prompt kept
        # "zoe" with the cursor after it and searched "zoeliam", finding no one.
        # The last search is offered: Enter finds its next match, typing replaces
        # it, an arrow key edits it.
        t = self.start()
        t.send("/")
        t.wait_for("Find client:")
        t.type("zoe")
        t.send("Enter")
        t.wait_gone("Find client:")
        t.send("/")
        t.wait_for("Find client: zoe")
        t.type("liam")
        screen = t.wait_for("Find client: liam")
        self.assertNotIn("zoeliam", screen)
        t.send("Escape")
        t.wait_gone("Find client:")
        t.send("/")
        t.wait_for("Find client: zoe")
        t.send("End")
        t.type("y")
        t.wait_for("Find client: zoey")
        t.send("Escape")

    def test_list_moves_search_go_to_date_and_week_opens_on_the_day(self):
        t = self.start()
        self.add_basics(t)
        self.add_more(t)
        t.send("1")
        t.wait_for("Day agenda")
        self.book(t, "zoe", "2030-01-07", "10:00")
        t.wait_for("booked 10:00")
        self.book(t, "bruno", "2030-01-21", "09:00", name="Bruno Costa")
        t.wait_for("booked 09:00")
        self.book(t, "bruno", "2030-01-10", "12:00", name="Bruno Costa")
        t.wait_for("booked 12:00")
        self.book(t, "zoe", "2030-01-10", "10:00")
        screen = t.wait_for("booked 10:00")
        self.assertIn("Day agenda · Thu 2030-01-10", screen)
        # The week view opens on the day shown (Thursday), not on Monday's row.
        t.send("w")
        t.wait_for("Week agenda · from Mon 2030-01-07")
        t.send("e")
        screen = t.wait_for("Edit / reschedule the appointment")
        self.assertIn("2030-01-10", screen)
        self.assertIn("10:00", screen)
        t.send("Escape")
        t.wait_for("Week agenda")
        # G, End, PgDn and Ctrl-d move like every other list (they did nothing).
        for key in ("G", "End", "NPage", "C-d"):
            t.send("g")
            t.wait_for("Zoë Martin · Haircut · 45.00 USD")
            t.send(key)
            t.wait_for("Bruno Costa · Haircut · 45.00 USD")
        # / folds case and accents: "ZOE" finds Zoë (it found nothing).
        t.send("G", "/")
        t.wait_for("Find client:")
        t.type("ZOE")
        t.send("Enter")
        t.wait_for("Zoë Martin · Haircut · 45.00 USD")
        # / finds a client's appointment in the week shown, then beyond it.
        t.send("g", "/")
        t.wait_for("Find client:")
        t.send("C-u")
        t.type("bruno")
        t.send("Enter")
        t.wait_for("Bruno Costa · Haircut · 45.00 USD")
        t.send("/")
        t.wait_for("Find client: bruno")
        t.send("Enter")  # the next one: two weeks later
        screen = t.wait_for("Week agenda · from Mon 2030-01-21")
        self.assertIn("Bruno Costa · Haircut", screen)
        t.send("/")
        t.send("C-u")
        t.type("nobody")
        t.send("Enter")
        t.wait_for("no appointment for “nobody”")
        # J goes to a date.
        t.send("w", "J")
        t.wait_for("Go to date:")
        t.type("2030-01-08")
        t.send("Enter")
        t.wait_for("Day agenda · Tue 2030-01-08")
        t.send("J")
        t.type("8 Jan")
        t.send("Enter")
        t.wait_for("a date as YYYY-MM-DD")
        t.send("Escape")
        # Help lists the new keys.
        t.send("?")
        screen = t.wait_for("/ find a client, J date")
        self.assertIn("G, End", screen)
        self.assertIn("undo", screen)
        t.send("Escape")
        t.send("q")
        self.assertEqual(t.exit_status(), 0)

    def test_overlap_with_other_staff_and_past_bookings_ask_first(self):
        t = self.start()
        self.add_basics(t)
        self.add_more(t)
        t.send("1")
        t.wait_for("Day agenda")
        self.book(t, "zoe", "2030-01-07", "10:00")
        t.wait_for("booked 10:00")
        # Zoë again at 10:30 with Bob: a warning, not a refusal.
        self.book(t, "zoe", "2030-01-07", "10:30", next_staff=1)
        screen = t.wait_for("Zoë Martin already has")
        self.assertIn("10:00-11:00 Haircut with Alice", screen)
        t.send("n")
        screen = t.wait_for("not booked: Zoë Martin already has")
        self.assertIn("Book an appointment", screen)
        t.send("C-s")
        t.wait_for("Zoë Martin already has")
        t.send("y")
        screen = t.wait_for("booked 10:30")
        self.assertRegex(screen, r"10:30-11:30 +Bob +Zoë Martin")
        # A booking in the past asks first; staff record walk-ins afterwards.
        yesterday = (datetime.datetime.now(datetime.timezone.utc)
                     - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
        self.book(t, "zoe", yesterday, "10:00")
        screen = t.wait_for("has passed: book it anyway?")
        self.assertIn("10:00 on", screen)
        t.send("y")
        screen = t.wait_for("booked 10:00")
        self.assertIn(yesterday, screen)
        # Past and outside Alice's hours: refused at once, not asked about first
        # (the desk said "book it anyway", then it was refused).
        self.book(t, "zoe", yesterday, "21:30")
        screen = t.wait_for("not saved: 21:30-22:30 is outside Alice's hours on")
        self.assertNotIn("has passed", screen)
        self.assertRegex(screen, r"on (Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days")
        t.send("Escape")
        t.wait_for("Discard the booking?")
        t.send("y")
        t.wait_for("Day agenda")
        t.send("q")
        self.assertEqual(t.exit_status(), 0)

    def test_completed_and_no_show_ask_first_and_undo_the_same_day(self):
        t = self.start()
        self.add_basics(t)
        t.send("1")
        t.wait_for("Day agenda")
        yesterday = (datetime.datetime.now(datetime.timezone.utc)
                     - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
        self.book(t, "zoe", yesterday, "10:00")
        if "has passed" in t.wait_for("has passed|booked 10:00", regex=True):
            t.send("y")  # the booking in the past is asked about (another test)
        t.wait_for("booked 10:00")
        t.send("x")
        screen = t.wait_for("Mark Zoë Martin's 10:00 Haircut as no-show?")
        self.assertIn("It is unpaid: 45.00 USD due.", screen)
        t.send("n")
        screen = t.wait_for(r"Zoë Martin +Haircut +booked", regex=True)
        t.send("x")
        t.wait_for("as no-show?")
        t.send("y")
        t.wait_for(r"Zoë Martin +Haircut +no-show", regex=True)
        t.send("U")
        t.wait_for("undone: booked again")
        t.wait_for(r"Zoë Martin +Haircut +booked", regex=True)
        t.send("d")
        t.wait_for("Mark Zoë Martin's 10:00 Haircut as completed?")
        t.send("y")
        t.wait_for(r"Zoë Martin +Haircut +completed", regex=True)
        t.send("U")
        t.wait_for(r"Zoë Martin +Haircut +booked", regex=True)
        t.send("U")
        t.wait_for("nothing to undo: it is booked")
        # A change made on another day stays.
        t.send("x")
        t.wait_for("as no-show?")
        t.send("y")
        t.wait_for(r"Zoë Martin +Haircut +no-show", regex=True)
        con = sqlite3.connect(self.home.db)
        con.execute("UPDATE appointments SET state_changed_at = state_changed_at - 2 * 86400")
        con.commit()
        con.close()
        t.send("U")
        t.wait_for("only a change made today can be undone")
        t.wait_for(r"Zoë Martin +Haircut +no-show", regex=True)
        t.send("q")
        self.assertEqual(t.exit_status(), 0)
        con = sqlite3.connect(self.home.db)
        actions = [a for (a,) in con.execute(
            "SELECT action FROM audit_log WHERE action LIKE 'booking.%' ORDER BY id")]
        con.close()
        self.assertEqual(actions.count("booking.undo"), 2, actions)


if __name__ == "__main__":
    unittest.main()
