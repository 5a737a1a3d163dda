"""Faults around payments, against the fake Stripe through stripe_driver:
the network down (every connection dropped, or the server gone), SIGKILL at
random points (a quick 10-run version of `make stress`), and the database
on a full disk (a small tmpfs mounted by the test: needs root)."""
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))
sys.path.insert(0, HERE)

from fakeclient import DEFAULT_KEY, FakeStripe  # noqa: E402
import stress_kill  # noqa: E402

DRIVER = stress_kill.driver_path()
PI_PATH = "/v1/payment_intents"


@contextlib.contextmanager
def quiet_stderr():
    """The fake prints a traceback for every connection a killed client broke."""
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def start_fake():
    with quiet_stderr():  # inherited by the fake only
        return FakeStripe().start()


class FaultsBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(DRIVER, os.X_OK):
            raise unittest.SkipTest("stripe_driver not built (%s)" % DRIVER)
        cls.fake = start_fake()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.reset()
        self.dir = tempfile.mkdtemp(prefix="paydesk-faults-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.db = os.path.join(self.dir, "paydesk.db")

    def drive(self, *args, base=None, db=None):
        argv = [DRIVER, "--api-base", base or self.fake.base_url, "--db", db or self.db,
                "--sleep-scale", "0.01", "--max-retries", "2", "--timeout", "5"] + list(args)
        proc = subprocess.run(argv, env=dict(os.environ, PAYDESK_TEST_STRIPE_KEY=DEFAULT_KEY),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        steps = []
        for line in proc.stdout.splitlines():
            with contextlib.suppress(ValueError):
                steps.append(json.loads(line))
        return proc, steps

    def outbox(self, db=None):
        con = sqlite3.connect(db or self.db)
        con.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in con.execute("SELECT * FROM outbox ORDER BY id")]
        finally:
            con.close()

    def integrity(self, db=None):
        con = sqlite3.connect(db or self.db)
        try:
            return con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()


class NetworkDownTest(FaultsBase):
    def test_every_connection_dropped_then_recovered(self):
        # The payment intent is created; then the network goes: every call is
        # dropped before the fake runs it.
        self.fake.add_fault("drop", method="POST", path_prefix=PI_PATH + "/", execute=False)
        proc, steps = self.drive("pay", "--confirm", "pm_card_visa")
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        create, confirm = steps[0], steps[1]
        self.assertEqual(create["outbox"]["state"], "done")
        self.assertEqual(confirm["outcome"], "network")
        self.assertIn("offline", confirm["message"])
        self.assertEqual(confirm["outbox"]["state"], "unknown")  # kept, waiting to be resolved
        self.assertEqual(self.fake.counts()["charge"], 0)
        # Still down: recovery resolves nothing and loses nothing.
        _, steps = self.drive("recover")
        self.assertEqual([r["state"] for r in self.outbox()], ["done", "unknown"])
        # The network is back: exactly one charge.
        self.fake.clear_faults()
        proc, steps = self.drive("recover")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        res = steps[0]["resolved"]
        self.assertEqual([(r["before"], r["after"]) for r in res], [("unknown", "done")])
        self.assertEqual(self.fake.counts()["charge"], 1)
        self.assertEqual([r["state"] for r in self.outbox()], ["done", "done"])
        keys = {r["idempotency_key"] for r in self.fake.requests(method="POST",
                                                                 path_prefix=PI_PATH + "/")}
        self.assertEqual(len(keys), 1)
        _, steps = self.drive("recover")
        self.assertEqual(steps[0]["resolved"], [])
        self.assertEqual(self.fake.counts()["charge"], 1)

    def test_answers_lost_after_the_charge_then_recovered(self):
        # The fake charges the card but the answer is lost on the way back: the
        # retry (same idempotency key) gets the saved answer, never a 2nd charge.
        self.fake.add_fault("drop", method="POST", path_prefix=PI_PATH + "/")
        proc, steps = self.drive("pay", "--confirm", "pm_card_visa")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(steps[1]["outbox"]["state"], "done")
        self.assertTrue(steps[1]["replayed"])
        self.assertEqual(self.fake.counts()["charge"], 1)
        self.fake.clear_faults()
        _, steps = self.drive("recover")
        self.assertEqual(steps[0]["resolved"], [])
        self.assertEqual(self.fake.counts()["charge"], 1)

    def test_server_gone(self):
        _, steps = self.drive("pay")
        self.assertEqual(steps[0]["outbox"]["state"], "done")
        gone = start_fake()
        base = gone.base_url
        gone.stop()  # nothing listens there any more
        proc, steps = self.drive("pay", "--confirm", "pm_card_visa", base=base)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("offline", steps[0]["message"])
        # Never sent, so known not to have happened: failed, not left open.
        self.assertEqual(steps[0]["outbox"]["state"], "failed")
        self.assertEqual(self.integrity(), "ok")
        rows = self.outbox()
        self.assertEqual([r["state"] for r in rows], ["done", "failed"])
        _, steps = self.drive("recover")
        self.assertEqual(steps[0]["resolved"], [])
        self.assertEqual(self.fake.counts()["payment_intent"], 1)


class KillTest(FaultsBase):
    def test_sigkill_quick(self):
        with quiet_stderr():
            totals, problems = stress_kill.stress(10, 7, DRIVER, fake=self.fake, quiet=True)
        print("\n  sigkill: " + stress_kill.summary(totals), file=sys.stderr)
        self.assertEqual(problems, [])
        self.assertEqual(totals["runs"], 10)
        self.assertEqual(totals["charges_found"], totals["charges_expected"])
        self.assertEqual(totals["lost"], 0)


class FullDiskTest(FaultsBase):
    SIZE = 2 * 1024 * 1024

    def setUp(self):
        super().setUp()
        self.mnt = os.path.join(self.dir, "small")
        os.makedirs(self.mnt)
        if os.geteuid() != 0:
            self.skipTest("a full disk needs a tmpfs mount: run as root")
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d,mode=0700" % self.SIZE,
                               "tmpfs", self.mnt], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            self.skipTest("the kernel refused a tmpfs mount: " + proc.stdout.strip())
        self.addCleanup(subprocess.run, ["umount", "-l", self.mnt])
        self.assertTrue(os.path.ismount(self.mnt))
        self.db = os.path.join(self.mnt, "paydesk.db")

    def fill(self):
        """Fill the tmpfs (never more than its size: it must be the mount)."""
        self.assertTrue(os.path.ismount(self.mnt))
        fd = os.open(os.path.join(self.mnt, "filler"), os.O_WRONLY | os.O_CREAT, 0o600)
        written = 0
        try:
            while written <= self.SIZE:
                written += os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        self.assertLessEqual(written, self.SIZE)

    def unfill(self):
        os.unlink(os.path.join(self.mnt, "filler"))

    def paydesk(self, *args):
        home = os.path.join(self.dir, "home")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYDESK_", "XDG_"))}
        env.update(HOME=home, XDG_STATE_HOME=home + "/state", PAYDESK_API_BASE=self.fake.base_url)
        return subprocess.run([os.environ.get("PAYDESK_BIN", os.path.join(ROOT, "paydesk")),
                               "--db", self.db] + list(args), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)

    def test_payment_and_audit_on_a_full_disk(self):
        _, steps = self.drive("pay")
        self.assertEqual(steps[0]["outbox"]["state"], "done")
        pi = steps[0]["outbox"]["object_id"]
        self.fill()
        proc, steps = self.drive("pay", "--confirm", "pm_card_visa")
        text = (proc.stdout + proc.stderr).lower()
        self.assertNotEqual(proc.returncode, 0, text)
        self.assertTrue("full" in text or "no space" in text, text)
        # Nothing charged that the outbox does not know about.
        self.assertEqual(self.fake.counts()["payment_intent"], 1)
        audit = self.paydesk("audit", "verify")
        msg = (audit.stdout + audit.stderr).lower()
        if audit.returncode:
            self.assertTrue("full" in msg or "no space" in msg, msg)
        self.unfill()
        self.assertEqual(self.integrity(), "ok")
        rows = self.outbox()
        self.assertEqual((rows[0]["state"], rows[0]["object_id"]), ("done", pi))
        # Space again: everything works, nothing was lost, no double charge.
        proc, steps = self.drive("recover")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertTrue(all(r["state"] in ("done", "failed") for r in self.outbox()))
        self.assertEqual(self.fake.counts()["charge"], 0)
        proc, steps = self.drive("pay", "--confirm", "pm_card_visa")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(self.fake.counts()["charge"], 1)
        self.assertEqual(self.paydesk("audit", "verify").returncode, 0)

    def test_new_database_on_a_full_disk(self):
        self.fill()
        proc = self.paydesk("audit", "verify")
        self.assertNotEqual(proc.returncode, 0)
        msg = proc.stderr.lower()
        self.assertTrue("full" in msg or "no space" in msg, proc.stderr)
        self.unfill()
        self.assertEqual(self.paydesk("audit", "verify").returncode, 0)
        self.assertEqual(self.integrity(), "ok")


if __name__ == "__main__":
    unittest.main()
