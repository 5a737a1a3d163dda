"""Config and theme files have a size limit (1 MiB): `--config /dev/zero`
read until memory ran out, and a theme file was cut at 1 MiB without a word
(`--theme /dev/zero` loaded as an empty theme). Now each is refused with a
message naming the file (issue 16)."""
import os
import resource
import subprocess
import unittest

from tmuxharness import Home, Terminal, paydesk_bin


def small_memory():
    # The old code grew without limit: end it at 1 GiB, not at the machine's.
    # (Not under AddressSanitizer, which reserves terabytes of address space.)
    if not os.environ.get("PAYDESK_SANITIZED"):
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


class FileLimits(unittest.TestCase):
    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.close)

    def test_config_dev_zero_refused(self):
        out = subprocess.run([paydesk_bin(), "--config", "/dev/zero", "agenda"],
                             capture_output=True, text=True, timeout=30,
                             env={**os.environ, **self.home.env}, preexec_fn=small_memory)
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertIn("paydesk: config /dev/zero is larger than 1 MiB", out.stderr)

    def test_theme_too_large_refused(self):
        big = os.path.join(self.home.path, "big.theme")
        with open(big, "w") as f:
            f.write("# a comment\n" * 100000)  # 1.2 MB of valid lines
        for theme in ("/dev/zero", big):
            with self.subTest(theme=theme):
                t = Terminal([paydesk_bin(), "--theme", theme], 120, 24, env=self.home.env)
                self.addCleanup(t.close)
                t.wait_for(f"theme {theme} is larger than 1 MiB")
                t.send("q")
                self.assertEqual(t.exit_status(), 0)


if __name__ == "__main__":
    unittest.main()
