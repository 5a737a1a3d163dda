"""Names whole under any locale: over SSH LANG=C (or another non-UTF-8 locale) is
common, and paydesk's text is UTF-8 whatever the locale says. On a terminal that takes
UTF-8 the names show as they are; on one that does not (PAYDESK_CHARSET=ascii stands
in for it: tmux itself always takes UTF-8) they show as their nearest ASCII. Before,
every text was cut at its first accented letter ("Amélie" as "Am", "Łukasz" blank)."""
import os
import subprocess
import unittest

from tmuxharness import Home, Terminal, paydesk_bin

NAMES = "name,email\nŁukasz Wiśniewski,l@example.com\nAmélie Poulain,a@example.com\n"


class NonUtf8Locale(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)
        src = os.path.join(self.home.path, "clients.csv")
        with open(src, "w", encoding="utf-8") as f:
            f.write(NAMES)
        out = subprocess.run([paydesk_bin(), "clients", "import", src], capture_output=True,
                             text=True, env={**os.environ, **self.home.env})
        self.assertEqual(out.returncode, 0, out.stderr)

    def start(self, **env):
        t = Terminal([paydesk_bin(), "--screen", "clients"], 80, 24,
                     env={**self.home.env, "LANG": "C", "LC_ALL": "C", **env})
        self.addCleanup(t.close)
        return t

    def test_utf8_terminal_shows_names_whole_and_takes_typed_accents(self):
        t = self.start()
        screen = t.wait_for("Łukasz Wiśniewski")
        self.assertIn("Amélie Poulain", screen)
        self.assertIn("Clients · Services · Staff", screen)
        self.assertTrue(screen.startswith(" 1 Appointments"), screen)  # the probe left nothing
        t.send("n")
        t.wait_for("New client")
        t.type("Zoë Ünal")
        t.send("C-s")
        t.wait_for("client added: Zoë Ünal")
        t.wait_for(r"Zoë Ünal\s+no", regex=True)
        t.send("q")
        self.assertEqual(t.exit_status(), 0)

    def test_a_byte_that_is_not_utf8_loses_only_itself(self):
        """A Latin-1 terminal types "Chloé Lee" in one burst (a tester sent
        43 68 6c 6f e9 20 4c 65 65): curses ate " Lee" along with the é, and the
        field said "Chlo". Only the byte that is not UTF-8 is dropped, and said so."""
        t = self.start()
        t.wait_for("Łukasz Wiśniewski")
        t.send("n")
        t.wait_for("New client")
        t.tmux("send-keys", "-t", "t", "-H", "43", "68", "6c", "6f", "e9", "20", "4c", "65",
               "65")
        shown = t.wait_for("Chlo Lee")
        self.assertIn("not UTF-8", shown)
        t.send("Escape")

    def test_ascii_terminal_shows_the_nearest_ascii(self):
        t = self.start(PAYDESK_CHARSET="ascii")
        screen = t.wait_for("Lukasz Wisniewski")
        self.assertIn("Amelie Poulain", screen)
        self.assertIn("Clients . Services . Staff", screen)
        self.assertNotIn("?", screen.split("?:help")[0].replace("?: keys", ""))
        t.send("q")
        self.assertEqual(t.exit_status(), 0)


if __name__ == "__main__":
    unittest.main()
