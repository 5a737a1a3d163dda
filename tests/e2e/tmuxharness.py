"""Drive paydesk in a real terminal: a private tmux server per test, a
detached session of a fixed size, keys in with send-keys, the screen out
with capture-pane. On a failed wait the screen is dumped into the error."""
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def paydesk_bin():
    return os.environ.get("PAYDESK_BIN") or os.path.join(ROOT, "paydesk")


class ScreenTimeout(AssertionError):
    pass


class Terminal:
    """One program running in a detached tmux session."""

    def __init__(self, argv, width=80, height=24, env=None, term="tmux-256color"):
        self.dir = tempfile.mkdtemp(prefix="paydesk-tmux-")
        self.sock = os.path.join(self.dir, "sock")
        self.status_file = os.path.join(self.dir, "status")
        conf = os.path.join(self.dir, "tmux.conf")
        with open(conf, "w") as f:
            # Keep the pane after exit so the last screen can still be read.
            f.write("set -g remain-on-exit on\nset -g status off\n"
                    f"set -g default-terminal {term}\nset -sg escape-time 0\n"
                    "set -g history-limit 0\n")
        server_env = dict(os.environ)
        server_env.update(env or {})
        server_env["TERM"] = term
        cmd = " ".join(shlex.quote(a) for a in argv)
        shell_cmd = f"{cmd}; echo $? > {shlex.quote(self.status_file)}"
        subprocess.run(["tmux", "-f", conf, "-S", self.sock, "new-session", "-d",
                        "-x", str(width), "-y", str(height), "-s", "t", shell_cmd],
                       env=server_env, check=True)

    def tmux(self, *args, capture=False):
        return subprocess.run(["tmux", "-S", self.sock] + list(args), check=True,
                              stdout=subprocess.PIPE if capture else None, text=True).stdout

    def send(self, *keys):
        """Named keys as tmux spells them: 'q', 'Enter', 'Escape', 'F1', 'C-d'."""
        self.tmux("send-keys", "-t", "t", *keys)

    def type(self, text):
        """Literal text, character by character."""
        self.tmux("send-keys", "-t", "t", "-l", text)

    def screen(self, colours=False):
        args = ["capture-pane", "-p", "-t", "t"] + (["-e"] if colours else [])
        return self.tmux(*args, capture=True)

    def wait_for(self, pattern, timeout=10.0, regex=False):
        """Wait until the screen shows pattern; return the screen."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if (re.search(pattern, shown) if regex else pattern in shown):
                shown = self._settled(shown)
                if (re.search(pattern, shown) if regex else pattern in shown):
                    return shown
            if time.monotonic() > deadline:
                raise ScreenTimeout(f"timed out after {timeout}s waiting for {pattern!r}; "
                                    f"screen was:\n{shown}")
            time.sleep(0.03)

    def _settled(self, shown, limit=0.5):
        """The screen once paydesk has finished drawing it: the pattern can show
        mid-draw (a dialog's frame before its text), so read again until two reads
        agree, for at most limit seconds (a ticking clock never agrees)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            time.sleep(0.03)
            again = self.screen()
            if again == shown:
                break
            shown = again
        return shown

    def wait_gone(self, pattern, timeout=10.0):
        deadline = time.monotonic() + timeout
        while pattern in self.screen():
            if time.monotonic() > deadline:
                raise ScreenTimeout(f"{pattern!r} still shown after {timeout}s:\n"
                                    + self.screen())
            time.sleep(0.03)

    def program_pid(self, timeout=10.0):
        """The pid of the program in this terminal (the pane's shell runs it as
        its child); never another test's, even when tests run side by side."""
        shell = int(self.tmux("display-message", "-p", "-t", "t", "#{pane_pid}",
                              capture=True).strip())
        deadline = time.monotonic() + timeout
        while True:
            children = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True,
                                      text=True).stdout.split()
            if children:
                return int(children[0])
            if time.monotonic() > deadline:
                raise ScreenTimeout(f"no program under the pane's shell {shell}")
            time.sleep(0.03)

    def resize(self, width, height):
        self.tmux("resize-window", "-t", "t", "-x", str(width), "-y", str(height))

    def exit_status(self, timeout=10.0):
        """Wait for the program to end; return its exit status."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(self.status_file) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            except FileNotFoundError:
                pass
            if time.monotonic() > deadline:
                raise ScreenTimeout(f"program still running after {timeout}s; screen:\n"
                                    + self.screen())
            time.sleep(0.03)

    def close(self):
        subprocess.run(["tmux", "-S", self.sock, "kill-server"], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Home:
    """A throwaway HOME with its XDG directories, so tests never touch real files."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="paydesk-home-")
        self.env = {
            "HOME": self.path,
            "XDG_DATA_HOME": os.path.join(self.path, "data"),
            "XDG_CONFIG_HOME": os.path.join(self.path, "config"),
            "XDG_STATE_HOME": os.path.join(self.path, "state"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            # Signed in without the lock screen (first run: creates this admin).
            # Tests of the lock screen itself drop these two.
            "PAYDESK_SIGN_IN": "Alex",
            "PAYDESK_PIN": "2468",
            # Vaults made here cost libsodium's floor (64 MiB), not 256 MiB, per
            # unlock: these tests are not about the KDF (test_setup.py checks
            # the default cost, and unit/vault the KDF itself).
            "PAYDESK_VAULT_KDF": "interactive",
        }

    @property
    def db(self):
        return os.path.join(self.env["XDG_DATA_HOME"], "paydesk", "paydesk.db")

    @property
    def log(self):
        return os.path.join(self.env["XDG_STATE_HOME"], "paydesk", "paydesk.log")

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)
