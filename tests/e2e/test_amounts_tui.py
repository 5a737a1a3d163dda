"""Amounts typed in a form are read as the desk meant them: a decimal comma
saves 12.50, not 1,250.00; an ambiguous or odd amount is refused with the
reason under the field and nothing is saved (issue 16)."""
import os
import sqlite3
import unittest

from tmuxharness import Home, Terminal, paydesk_bin


class AmountsTui(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)

    def prices(self):
        con = sqlite3.connect(self.home.db)
        rows = con.execute("SELECT name, price, currency FROM services ORDER BY id").fetchall()
        con.close()
        return rows

    def new_service(self, t, name, price, currency):
        t.send("n")
        t.wait_for("Esc: cancel")
        t.type(name)
        t.send("Tab")
        t.type("30")
        t.send("Tab")
        t.type(price)
        t.send("Tab")
        t.send("C-u")  # the currency field starts with the desk's currency
        t.type(currency)
        t.send("C-s")

    def test_service_prices(self):
        t = Terminal([paydesk_bin()], 100, 30, env=self.home.env)
        self.addCleanup(t.close)
        t.wait_for("?:help")
        t.send("2")
        t.wait_for("Clients · Services · Staff")
        t.send("v")
        # A European desk's decimal comma.
        self.new_service(t, "Trim", "12,50", "eur")
        t.wait_for("Trim")
        t.wait_gone("Esc: cancel")
        self.assertEqual(self.prices(), [("Trim", 1250, "eur")])
        # Thousands or decimals? Refused with both readings, under the field.
        self.new_service(t, "Colour", "1,234", "eur")
        t.wait_for("'1,234' is ambiguous: type 1234 for 1,234.00 EUR")
        t.send("Escape")
        t.wait_for("Discard changes?")
        t.send("y")
        t.wait_gone("Esc: cancel")
        # Odd grouping: refused as the field is left.
        t.send("n")
        t.wait_for("Esc: cancel")
        t.type("Wash")
        t.send("Tab")
        t.type("30")
        t.send("Tab")
        t.type("1,2,3")
        t.send("Tab")
        t.wait_for("'1,2,3' is not an amount: thousands are grouped in threes")
        t.send("Escape")
        t.wait_for("Discard changes?")
        t.send("y")
        t.wait_gone("Esc: cancel")
        # The same text is a plain amount in a zero-decimal currency.
        self.new_service(t, "Kimono", "1,234", "jpy")
        t.wait_for("Kimono")
        t.wait_gone("Esc: cancel")
        self.assertEqual(self.prices(), [("Trim", 1250, "eur"), ("Kimono", 1234, "jpy")])
        t.send("q")
        self.assertEqual(t.exit_status(), 0)


if __name__ == "__main__":
    unittest.main()
