"""An admin over SSH types secrets at a prompt, with no echo, instead of putting
them in the environment (where the shell history and `ps e` keep them)."""
import unittest

from stripecase import ConnectedCase
from tmuxharness import Terminal, paydesk_bin


class TerminalPrompts(ConnectedCase):
    def run_in_terminal(self, *args):
        env = {k: v for k, v in self.env.items() if k not in ("PAYDESK_PASSPHRASE", "PAYDESK_PIN")}
        t = Terminal([paydesk_bin(), *args], 100, 24, env=env)
        self.addCleanup(t.close)
        return t

    def test_doctor_asks_for_the_passphrase_without_echo(self):
        t = self.run_in_terminal("doctor")
        t.wait_for("vault passphrase:")
        t.type(self.PASSPHRASE)
        t.send("Enter")
        screen = t.wait_for("checks,")
        self.assertNotIn(self.PASSPHRASE, screen)
        self.assertEqual(t.exit_status(), 0, screen)

    def test_as_name_asks_for_the_pin_without_echo(self):
        self.paydesk("users", "add", "--name", "Alex", "--role", "admin", stdin="2468\n",
                     check=0)
        t = self.run_in_terminal("desk", "list", "--as", "Alex")
        t.wait_for("Alex's PIN:")
        t.type("2468")
        t.send("Enter")
        status = t.exit_status(timeout=20)
        screen = t.screen()
        self.assertNotIn("2468", screen)
        self.assertEqual(status, 0, screen)


if __name__ == "__main__":
    unittest.main()
