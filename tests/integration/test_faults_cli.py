"""Bad input at the command line: every flag (and subcommand argument) of
every paydesk command, enumerated from `paydesk --help` and each command's
usage text so a new flag is covered without editing this file, is tried
with an empty value, a very long one, non-UTF-8 bytes, control characters
and terminal escape sequences. Each run must end with a message and exit
status 2 (or 1), never echo an ESC (or another control byte) to stdout or
stderr, and leave the database exactly as it was.

One argument cannot exceed 128 KiB on Linux (MAX_ARG_STRLEN), so the 1 MiB
values go through the channels that can carry them: standard input (the
setup key, a PIN), a config file and an imported CSV file.

Each command (each verb of one) is a class of its own, made when the module
loads from the binary's own lists, so the commands run side by side under
pytest-xdist and no test nears the per-test limit under
AddressSanitizer."""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from tmuxharness import paydesk_bin  # noqa: E402

ARG_MAX_ONE = 128 * 1024 - 64  # a single argv string is at most 128 KiB on Linux (with "--flag=")
BAD = {
    "empty": b"",
    "long": b"A" * ARG_MAX_ONE,
    "non_utf8": b"\xff\xfe\xc0\xaf\xed\xa0\x80name",
    "control": b"a\x01b\x07c\x08d\x7fe\r\nf\tg",
    "escape": b"\x1b[2J\x1b[31mred\x1b]0;pwned\x07\x1b]8;;http://x\x1b\\link\x1bc",
}
MIB = 1024 * 1024
# Flags whose value names a file: a strange but legal name may be accepted.
PATH_FLAGS = {"--db", "--config", "--output", "--theme"}
# Flags that take no value (the bad value then stands as a stray argument).
FORBIDDEN = (b"\x1b", b"\x07", b"\x08", b"\x7f", b"\r")
# Whole commands still being written whose bad-input failures are reported
# to their owner; every other command in `paydesk --help` is checked.
PENDING_COMMANDS = {}
# Found by this test in files their owners are still writing; reported, and
# skipped here (with the reason printed) until fixed: (command, flag, values).
KNOWN = {}


def run(binary, args, cwd, env, stdin=b"", timeout=30):
    return subprocess.run([binary] + args, input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=cwd, env=env, timeout=timeout)


def commands(binary, cwd, env):
    """Command names from the 'Commands:' section of paydesk --help."""
    out = run(binary, ["--help"], cwd, env).stdout.decode()
    section = out.split("Commands:", 1)[1].split("\n\n", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\s{2}([a-z][a-z-]*)\s", section, re.M)]


def usage_of(binary, cmd, cwd, env):
    proc = run(binary, [cmd, "--help"], cwd, env)
    return (proc.stdout + proc.stderr).decode(errors="replace")


def flags_of(usage):
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", usage)) - {"--help"})


def subcommands_of(cmd, usage):
    """Words that follow 'paydesk CMD' in the usage lines: verify, import, …"""
    subs = set()
    for m in re.finditer(r"paydesk %s ([a-z][a-z|-]*)" % re.escape(cmd), usage):
        subs.update(m.group(1).split("|"))
    return sorted(subs)


def private_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYDESK_", "XDG_"))}
    env.update(HOME=home, XDG_DATA_HOME=home + "/data", XDG_CONFIG_HOME=home + "/cfg",
               XDG_STATE_HOME=home + "/state", LC_ALL="C.UTF-8",
               PAYDESK_API_BASE="http://127.0.0.1:9")  # nothing listens: no waits
    return env


def enumerate_cli():
    """{command: [subcommand or None, …]} as the binary under test lists them,
    read once when this module is loaded so that every command (and every
    verb of one) is a test of its own: under pytest-xdist (--dist loadscope)
    each command's class runs beside the others, and each test stays far
    below the per-test limit under AddressSanitizer (the single every-flag
    test took 1,135 s there). An unbuilt binary lists nothing, and
    test_every_command_has_its_own_test says so."""
    tmp = tempfile.mkdtemp(prefix="paydesk-faults-cli-list-")
    try:
        env = private_env(tmp)
        binary = paydesk_bin()
        found = {}
        for cmd in commands(binary, tmp, env):
            found[cmd] = subcommands_of(cmd, usage_of(binary, cmd, tmp, env)) or [None]
        return found
    except (OSError, IndexError, subprocess.SubprocessError):
        return {}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class CliFaultCase(unittest.TestCase):
    """A private copy of the binary (others may rebuild it), home and
    database per class, and the check every bad run must pass."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="paydesk-faults-cli-")
        cls.cwd = os.path.join(cls.dir, "cwd")
        os.makedirs(cls.cwd)
        cls.bin = shutil.copy2(paydesk_bin(), os.path.join(cls.dir, "paydesk"))
        cls.env = private_env(os.path.join(cls.dir, "home"))
        cls.db = os.path.join(cls.dir, "paydesk.db")
        proc = cls.paydesk(["--db", cls.db, "audit", "verify"])
        assert proc.returncode == 0, proc.stderr
        cls.snapshot = cls.db_state()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def paydesk(cls, args, env=None, stdin=b""):
        return run(cls.bin, args, cls.cwd, cls.env if env is None else env, stdin=stdin)

    @classmethod
    def db_state(cls):
        con = sqlite3.connect(cls.db)
        try:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' ORDER BY name")]
            state = {t: con.execute('SELECT * FROM "%s" ORDER BY 1' % t).fetchall()
                     for t in tables if t != "audit_log"}
            # What is meant to be recorded even for odd input: an export made
            # (to a strange but legal name) and a refused sign-in. Nothing else.
            state["audit_log"] = con.execute(
                "SELECT * FROM audit_log WHERE action NOT LIKE 'export.%' AND action !="
                " 'user.sign_in_refused' ORDER BY id").fetchall()
            return state
        finally:
            con.close()

    def check(self, what, proc, allow_ok=False):
        out = proc.stdout + proc.stderr
        for b in FORBIDDEN:
            self.assertNotIn(b, out, "%s: raw control byte %r on the terminal:\n%r"
                             % (what, b, out[:400]))
        ok = {0, 1, 2} if allow_ok else {1, 2}
        self.assertIn(proc.returncode, ok, "%s: exit %d\n%r" % (what, proc.returncode,
                                                                out[:400]))
        if proc.returncode:
            self.assertTrue(out.strip(), "%s: failed without a message" % what)
            self.assertLess(len(proc.stderr), 8192, "%s: the message echoes the input" % what)
        for leaf in os.listdir(self.cwd):  # files a path flag made: the next run starts clean
            os.unlink(os.path.join(self.cwd, leaf))
        # Nothing stored half-way.
        self.assertEqual(self.db_state(), self.snapshot, "%s changed the database" % what)

    def every_flag_with_bad_values(self, cmd, sub):
        """Every flag of `paydesk CMD [SUB]` with each bad value, then each bad
        value as a positional argument."""
        if cmd in PENDING_COMMANDS:
            self.skipTest("reported: paydesk %s: %s" % (cmd, PENDING_COMMANDS[cmd]))
        flags = flags_of(usage_of(self.bin, cmd, self.cwd, self.env))
        pre = [a.encode() for a in ["--db", self.db, cmd] + ([sub] if sub else [])]
        tried = 0
        for flag in flags:
            for name, value in BAD.items():
                # A long or empty path, or a stray argument, is refused; a
                # strange but legal file name may be used.
                allow = flag in PATH_FLAGS and name in ("non_utf8", "control", "escape")
                what = "paydesk %s %s %s %s" % (cmd, sub or "", flag, name)
                with self.subTest(what=what):
                    if (cmd, flag, name) in KNOWN:
                        self.skipTest("known, reported: %s: %s"
                                      % (what, KNOWN[(cmd, flag, name)]))
                    self.check(what, self.paydesk(pre + [flag.encode(), value]), allow)
                    tried += 1
                    if name not in ("escape", "long"):
                        continue  # --flag=VALUE: the same parser, two values do
                    self.check(what + " (=)", self.paydesk(pre + [flag.encode() + b"=" + value]),
                               allow)
        # Bad positional arguments (a file, an account id, a name).
        for name, value in BAD.items():
            what = "paydesk %s %s <%s>" % (cmd, sub or "", name)
            with self.subTest(what=what):
                self.check(what, self.paydesk(pre + [value]))
                tried += 1
        self.assertEqual(tried, (len(flags) + 1) * len(BAD))


class BadCliInputTest(CliFaultCase):
    def test_commands_are_enumerated(self):
        cmds = commands(self.bin, self.cwd, self.env)
        for cmd in ("setup", "doctor", "connect", "audit", "export", "clients", "agenda"):
            self.assertIn(cmd, cmds)

    def test_every_command_has_its_own_test(self):
        # The classes below were made from the binary this module was loaded
        # with; a command (or verb) listed now and not then would go untried.
        listed = {cmd: subcommands_of(cmd, usage_of(self.bin, cmd, self.cwd, self.env)) or [None]
                  for cmd in commands(self.bin, self.cwd, self.env)}
        self.assertEqual(listed, CLI)
        self.assertGreater(sum(len(subs) for subs in CLI.values()), 20)

    def test_bad_command_and_global_options(self):
        for name, value in BAD.items():
            with self.subTest(value=name):
                self.check("command " + name, self.paydesk([value]))
                self.check("option " + name, self.paydesk([b"--" + value]))

    def test_mebibyte_inputs(self):
        big = {
            "long": b"rk_test_" + b"A" * MIB,
            "non_utf8": b"\xff\xfe" * (MIB // 2),
            "escape": b"\x1b[2J\x1b]0;x\x07" * (MIB // 12),
            "control": bytes(range(1, 32)) * (MIB // 31),
        }
        for name, data in big.items():
            with self.subTest(input=name):
                # The Stripe key on standard input.
                self.check("setup key " + name, self.paydesk(
                    ["--db", self.db, "setup", "--account", "acct_1FakePlatform000"],
                    env=dict(self.env, PAYDESK_PASSPHRASE="x" * 12), stdin=data))
                # A PIN on standard input.
                self.check("users add " + name, self.paydesk(
                    ["--db", self.db, "users", "add", "--name", "Ann", "--role", "staff"],
                    stdin=data), allow_ok=False)
                # A config file.
                cfg = os.path.join(self.dir, "config")
                with open(cfg, "wb") as f:
                    f.write(b"theme = " + data + b"\n")
                self.check("config " + name, self.paydesk(
                    ["--db", self.db, "--config", cfg, "audit", "verify"]))
                # A CSV import: every row rejected or nothing saved.
                csv = os.path.join(self.dir, "clients.csv")
                with open(csv, "wb") as f:
                    f.write(b"name,email\r\n" + data + b",x@example.com\r\n")
                self.check("clients import " + name, self.paydesk(
                    ["--db", self.db, "clients", "import", csv, "--atomic"]))


def _flag_test(cmd, sub):
    def test(self):
        self.every_flag_with_bad_values(cmd, sub)
    test.__doc__ = "paydesk %s%s: every flag and argument, bad values" % (
        cmd, " " + sub if sub else "")
    return test


# One class a command's verb (a scope of its own under xdist --dist loadscope).
CLI = enumerate_cli()
for _cmd, _subs in CLI.items():
    for _sub in _subs:
        _name = "Flags_" + "_".join(w.replace("-", "_") for w in (_cmd, _sub) if w)
        globals()[_name] = type(_name, (CliFaultCase,), {
            "test_every_flag_with_bad_values": _flag_test(_cmd, _sub)})


if __name__ == "__main__":
    unittest.main()
