"""`paydesk backup` and `paydesk restore` against a connected home and the fake Stripe:
a backup taken while a payment and a sync run restores into a fresh home with every row,
an intact audit chain and a key that opens with the passphrase; restore refuses a damaged
file, a newer schema and a database in use; SIGKILL during either never damages the live
database; keep-last-N; an scp destination (a fake scp on PATH) gets safe arguments."""
import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from stripecase import ConnectedCase  # noqa: E402
from tmuxharness import Home, Terminal, paydesk_bin  # noqa: E402

TOOLS = os.environ.get("PAYDESK_TOOLS_DIR", os.path.join(ROOT, "build", "tools"))
DRIVER = os.path.join(TOOLS, "pay_driver")
HEADER = 96

FAKE_SCP = r'''#!/usr/bin/env python3
import json, os, shutil, sys
args = sys.argv[1:]
with open(os.environ["FAKE_SCP_LOG"], "a") as f:
    f.write(json.dumps(args) + "\n")
if os.environ.get("FAKE_SCP_FAIL"):
    sys.exit(1)
src, dst = args[-2], args[-1]
host, _, path = dst.partition(":")
target = os.path.join(os.environ["FAKE_SCP_ROOT"], host, path.lstrip("/"))
os.makedirs(os.path.dirname(target), exist_ok=True)
shutil.copyfile(src, target)
'''


def table_rows(db_path, skip_settings=("backup.last_at",)):
    """Every row of every table, as sorted lists: what 'every row' compares."""
    con = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        out = {}
        for t in tables:
            rows = con.execute('SELECT * FROM "%s"' % t).fetchall()
            if t == "settings":
                rows = [r for r in rows if r[0] not in skip_settings]
            out[t] = sorted(rows, key=lambda r: (r[0] if isinstance(r[0], int) else 0, repr(r)))
        return out
    finally:
        con.close()


def digest(tables):
    """A short fingerprint of table_rows, without the entries restores add to the audit log."""
    rows = {t: [r for r in v if not (t == "audit_log" and "backup.restore" in r)]
            for t, v in tables.items()}
    return hashlib.sha256(repr(sorted(rows.items())).encode()).hexdigest()


def integrity(db_path):
    con = sqlite3.connect(db_path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def blake(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def rewrite_backup(src, dst, schema_in_header=None, user_version=None):
    """A backup file re-made by hand (header and checksum right): to test what restore
    checks beyond the checksum."""
    with open(src, "rb") as f:
        raw = f.read()
    magic, fmt, schema, created, dbb, payb = struct.unpack("<8sIIQQQ", raw[:40])
    db = gzip.decompress(raw[HEADER:])
    if user_version is not None:
        tmp = tempfile.mkdtemp(prefix="paydesk-rewrite-")
        path = os.path.join(tmp, "x.db")
        with open(path, "wb") as f:
            f.write(db)
        con = sqlite3.connect(path)
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("PRAGMA user_version = %d" % user_version)
        con.commit()
        con.close()
        with open(path, "rb") as f:
            db = f.read()
        shutil.rmtree(tmp)
    payload = gzip.compress(db)
    if schema_in_header is not None:
        schema = schema_in_header
    head = struct.pack("<8sIIQQQ", magic, fmt, schema, created, len(db), len(payload))
    with open(dst, "wb") as f:
        f.write(head + blake(payload + head) + b"\0" * 24 + payload)


class BackupCase(ConnectedCase):
    SEED = {"generate": {"payments": 300, "seed": 11}}

    def run_paydesk(self, home, *args, env=None, timeout=300):
        full = {**os.environ, **self.env, **home.env, **(env or {})}
        return subprocess.run([paydesk_bin(), *args], capture_output=True, text=True,
                              env=full, timeout=timeout)

    def fresh_home(self):
        home = Home()
        self.addCleanup(home.close)
        return home

    def backups_dir(self):
        return os.path.join(os.path.dirname(self.home.db), "backups")

    def backup(self, *args, check=0):
        out = self.paydesk("backup", *args, check=check)
        m = re.search(r"backup written: (\S+) ", out.stdout)
        return m.group(1) if m else None, out


class BackupRestoreTest(BackupCase):
    def drive(self, *args, wait=True):
        argv = [DRIVER, "--api-base", self.fake.base_url, "--db", self.home.db, "--log",
                os.path.join(self.home.path, "driver.log"), "--role", "admin", "--user", "sam",
                *args]
        env = dict(os.environ, PAYDESK_TEST_STRIPE_KEY=self.KEY)
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        if not wait:
            return proc
        out, errs = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, out + errs)
        return json.loads(out.strip().splitlines()[-1])

    def test_backup_during_payment_and_sync_restores_everything_in_a_fresh_home(self):
        if not os.access(DRIVER, os.X_OK):
            self.skipTest("pay_driver not built")
        self.drive("settings", "bill_with_stripe", "on")
        client = self.drive("client", "Amy Pond", "amy@example.com")["subject"]["id"]
        cus = self.drive("sync", str(client))["subject"]["customer"]
        r = self.fake.api("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": cus})
        self.assertEqual(r.status, 200)
        self.drive("cards", str(client))
        appt = self.drive("book", str(client), "4000", "usd")["subject"]["id"]
        before = table_rows(self.home.db)
        # Stripe answers slowly: the payment and the sync are still running when the
        # backup is taken.
        self.fake.add_fault("latency", method="POST", path_prefix="/v1/payment_intents",
                            ms=2000, count=2)
        self.fake.add_fault("latency", method="GET", path_prefix="/v1/refunds", ms=2500,
                            count=2)
        sync = subprocess.Popen([paydesk_bin(), "sync"], env={**os.environ, **self.env},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        pay = self.drive("card", str(appt), wait=False)
        time.sleep(1.5)
        path, out = self.backup(check=0)
        self.assertIsNone(sync.poll(), "the sync finished before the backup: no overlap")
        self.assertIsNone(pay.poll(), "the payment finished before the backup: no overlap")
        # Neither was blocked or broken by the backup.
        pay_out, pay_err = pay.communicate(timeout=120)
        self.assertEqual(pay.returncode, 0, pay_out + pay_err)
        self.assertEqual(json.loads(pay_out.strip().splitlines()[-1])["subject"]["payment"],
                         "paid")
        s_out, s_err = sync.communicate(timeout=180)
        self.assertEqual(sync.returncode, 0, s_out + s_err)

        # Restored into a fresh home: every row that existed before, a whole database.
        fresh = self.fresh_home()
        res = self.run_paydesk(fresh, "restore", path)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn("chain intact", res.stdout)
        self.assertIn("1 clients, 1 appointments", res.stdout)
        self.assertNotIn("kept as", res.stdout)  # a fresh home had nothing to keep aside
        self.assertEqual(integrity(fresh.db), "ok")
        restored = table_rows(fresh.db)
        for table in ("clients", "users", "services", "staff", "vault", "vault_secret",
                      "stripe_account"):
            self.assertEqual(restored[table], before[table], table)
        # Every audit entry written before is there, the same.
        self.assertLessEqual(set(before["audit_log"]), set(restored["audit_log"]))
        # The audit chain verifies with the key (passphrase), and the key opens.
        ver = self.run_paydesk(fresh, "audit", "verify")
        self.assertEqual(ver.returncode, 0, ver.stdout + ver.stderr)
        self.assertIn("chain intact", ver.stdout)
        self.assertIn("head:", ver.stdout)
        doc = self.run_paydesk(fresh, "doctor")
        self.assertEqual(doc.returncode, 0, doc.stdout + doc.stderr)
        self.assertIn("ok    Key authenticates", doc.stdout)
        wrong = self.run_paydesk(fresh, "doctor", env={"PAYDESK_PASSPHRASE": "not it"})
        self.assertEqual(wrong.returncode, 1)
        self.assertIn("wrong passphrase", wrong.stderr)

        # A backup taken once all is quiet restores every row of every table.
        quiet, _ = self.backup(check=0)
        live = table_rows(self.home.db)
        fresh2 = self.fresh_home()
        res = self.run_paydesk(fresh2, "restore", quiet)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        restored = table_rows(fresh2.db)
        # The restored log has one entry more, the restore itself, after the others.
        con = sqlite3.connect(fresh2.db)
        top, actor, action, detail = con.execute(
            "SELECT id, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        con.close()
        self.assertEqual((actor, action), ("system", "backup.restore"))
        self.assertIn("database restored from %s, a backup made " % os.path.basename(quiet),
                      detail)
        restored["audit_log"] = [r for r in restored["audit_log"] if r[0] != top]
        self.assertEqual(restored, live)
        history = len(live["history"])
        self.assertGreater(history, 300)
        self.assertIn("1 clients, 1 appointments, %d payments, %d history rows"
                      % (len(live["appointment_payments"]), history), res.stdout)
        self.assertIn("audit log: %d entries, chain intact" % len(live["audit_log"]),
                      res.stdout)

    def test_restore_keeps_the_old_database_aside(self):
        path, _ = self.backup(check=0)
        old = table_rows(self.home.db)
        csv = os.path.join(self.home.path, "c.csv")
        with open(csv, "w") as f:
            f.write("name,email\nRory Williams,rory@example.com\n")
        self.paydesk("clients", "import", csv, check=0)
        self.assertNotEqual(table_rows(self.home.db)["clients"], old["clients"])
        res = self.paydesk("restore", path, check=0)
        m = re.search(r"kept as (\S+)", res.stdout)
        self.assertTrue(m, res.stdout)
        self.assertTrue(os.path.exists(m.group(1)))
        self.assertEqual(table_rows(self.home.db)["clients"], old["clients"])
        self.assertEqual(integrity(m.group(1)), "ok")


class RestoreRefusesTest(BackupCase):
    SEED = None

    def setUp(self):
        super().setUp()
        self.path, _ = self.backup(check=0)
        self.live = table_rows(self.home.db)

    def assert_untouched(self):
        self.assertEqual(table_rows(self.home.db), self.live)
        self.assertEqual(integrity(self.home.db), "ok")
        here = os.path.dirname(self.home.db)
        self.assertEqual([f for f in os.listdir(here) if "restore" in f], [])

    def test_damaged_file_refused(self):
        with open(self.path, "rb") as f:
            data = bytearray(f.read())
        cases = {}
        flipped = bytearray(data)
        flipped[len(data) // 2] ^= 0x40
        cases["flipped"] = bytes(flipped)
        cases["cut short"] = bytes(data[:len(data) - 100])
        cases["header"] = bytes(data[:20]) + bytes([data[20] ^ 1]) + bytes(data[21:])
        for name, blob in cases.items():
            with self.subTest(name):
                bad = os.path.join(self.home.path, "bad.backup")
                with open(bad, "wb") as f:
                    f.write(blob)
                out = self.paydesk("restore", bad)
                self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
                self.assertIn("is damaged", out.stderr)
                self.assertIn("use another backup", out.stderr)
                self.assert_untouched()
        other = os.path.join(self.home.path, "notes.txt")
        with open(other, "w") as f:
            f.write("hello\n" * 40)
        out = self.paydesk("restore", other)
        self.assertEqual(out.returncode, 1)
        self.assertIn("is not a paydesk backup", out.stderr)
        self.assert_untouched()

    def test_newer_schema_refused(self):
        newer = os.path.join(self.home.path, "newer.backup")
        rewrite_backup(self.path, newer, schema_in_header=999, user_version=999)
        out = self.paydesk("restore", newer)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("made by a newer paydesk (schema 999", out.stderr)
        self.assert_untouched()
        # The header may lie: the database inside is checked too.
        lying = os.path.join(self.home.path, "lying.backup")
        rewrite_backup(self.path, lying, user_version=999)
        out = self.paydesk("restore", lying)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("made by a newer paydesk (schema 999", out.stderr)
        self.assert_untouched()
        # The same file with the current schema restores (the rewrite itself is sound).
        same = os.path.join(self.home.path, "same.backup")
        rewrite_backup(self.path, same)
        self.assertEqual(self.paydesk("restore", same).returncode, 0)

    def test_database_in_use_refused(self):
        # A sync that waits on Stripe keeps paydesk on the database.
        self.fake.add_fault("latency", path_prefix="/v1/", ms=4000, count=3)
        sync = subprocess.Popen([paydesk_bin(), "sync"], env={**os.environ, **self.env},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: sync.poll() is None and sync.kill())
        time.sleep(1.0)
        self.assertIsNone(sync.poll())
        out = self.paydesk("restore", self.path)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("paydesk is using", out.stderr)
        self.assertIn("close every paydesk on it", out.stderr)
        sync.kill()
        sync.wait()
        self.assertEqual(table_rows(self.home.db), self.live)
        # Once it has gone, the same restore goes through.
        self.assertEqual(self.paydesk("restore", self.path).returncode, 0)


class KillTest(BackupCase):
    SEED = None

    def setUp(self):
        super().setUp()
        # Enough data that a backup and a restore take a while: 48 MB the
        # compressor cannot shrink, in a table of its own.
        con = sqlite3.connect(self.home.db)
        con.execute("CREATE TABLE bulk (b BLOB)")
        for _ in range(48):
            con.execute("INSERT INTO bulk VALUES (?)", (os.urandom(1 << 20),))
        con.commit()
        con.close()
        self.live = table_rows(self.home.db)

    def killed_when(self, args, reached, timeout=120):
        """Run paydesk ARGS and SIGKILL it as soon as reached(pid, started) holds (polled
        every 5 ms): a point of its work seen in its files, not a delay that a loaded
        machine stretches past the work or cuts before it. True when it was killed, False
        when it finished first."""
        started = time.time_ns() - 20_000_000  # file times lag the clock by a tick
        proc = subprocess.Popen([paydesk_bin(), *args], env={**os.environ, **self.env},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        deadline = time.monotonic() + timeout
        while proc.poll() is None and not reached(proc.pid, started):
            self.assertLess(time.monotonic(), deadline, "paydesk %s never reached the point"
                            % " ".join(args))
            time.sleep(0.005)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        return proc.returncode == -signal.SIGKILL

    @staticmethod
    def grown(path, size, started=None):
        """path is at least size bytes (and, given started, written since then)."""
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return False
        return st.st_size >= size and (started is None or st.st_mtime_ns >= started)

    def test_kill_during_backup_leaves_the_database_and_backups_whole(self):
        snap = os.path.join(self.backups_dir(), ".paydesk-snapshot.tmp")

        def written(size):  # the backup file being written (file_replace's NAME.tmp-PID)
            return lambda pid, started: any(
                self.grown(f, size) for f in glob.glob(os.path.join(
                    self.backups_dir(), "paydesk-*.backup.tmp-%d" % pid)))
        points = [  # the snapshot being copied, then the backup file being written
            lambda pid, started: self.grown(snap, 1, started),
            lambda pid, started: self.grown(snap, 24 << 20, started),
            written(1), written(4 << 20), written(16 << 20)]
        killed = 0
        for reached in points:
            if self.killed_when(["backup"], reached):
                killed += 1
            self.assertEqual(integrity(self.home.db), "ok")
            self.assertEqual(table_rows(self.home.db), self.live)
        self.assertGreater(killed, 2, "the backups finished before the kill")
        # Whatever was left is no backup; the next backup works and prunes nothing it
        # did not write.
        path, _ = self.backup(check=0)
        for name in glob.glob(os.path.join(self.backups_dir(), "paydesk-*.backup")):
            fresh = self.fresh_home()
            res = self.run_paydesk(fresh, "restore", name)
            self.assertEqual(res.returncode, 0, name + res.stderr)

    def test_kill_during_restore_leaves_a_whole_database(self):
        path, _ = self.backup(check=0)
        # The live database moves on after the backup.
        con = sqlite3.connect(self.home.db)
        con.execute("DELETE FROM bulk WHERE rowid % 2 = 0")
        con.commit()
        con.close()
        after = table_rows(self.home.db)

        def copied(size):  # restore.c's temp copy, "DB.restore-PID.tmp"
            return lambda pid, started: self.grown(
                "%s.restore-%d.tmp" % (self.home.db, pid), size)
        killed = 0
        for size in (1, 8 << 20, 24 << 20, 40 << 20, 48 << 20):
            if self.killed_when(["restore", path], copied(size)):
                killed += 1
            self.assertEqual(integrity(self.home.db), "ok")
            now = digest(table_rows(self.home.db))
            self.assertIn(now, (digest(after), digest(self.live)), "a database that is neither")
            if now == digest(self.live):
                break
        self.assertGreater(killed, 0, "every restore finished before the kill")
        # The temp copies the killed restores left are gone after the next one.
        self.assertEqual(self.paydesk("restore", path).returncode, 0)
        here = os.path.dirname(self.home.db)
        self.assertEqual([f for f in os.listdir(here) if f.endswith(".tmp")], [])


class KeepAndRemoteTest(BackupCase):
    SEED = None

    def test_keep_last_n_prunes_only_paydesk_backups(self):
        d = self.backups_dir()
        os.makedirs(d, exist_ok=True)
        mine = ["paydesk-notes.txt", "paydesk-20200101T000000Z.backup.bak", "other.backup"]
        for name in mine:
            with open(os.path.join(d, name), "w") as f:
                f.write("mine\n")
        made = []
        for _ in range(4):
            path, out = self.backup("--keep", "3", check=0)
            made.append(path)
        self.assertIn("removed 1 older backup (keeping the newest 3)", out.stdout)
        left = sorted(glob.glob(os.path.join(d, "paydesk-*.backup")))
        self.assertEqual(sorted(left), sorted(made[1:]))
        for name in mine:
            self.assertTrue(os.path.exists(os.path.join(d, name)), name)
        # The config's [backup] keep is the default for --keep.
        cfg = os.path.join(self.home.env["XDG_CONFIG_HOME"], "paydesk", "config")
        os.makedirs(os.path.dirname(cfg), exist_ok=True)
        with open(cfg, "w") as f:
            f.write("[backup]\nkeep = 2\n")
        path, out = self.backup(check=0)
        self.assertIn("removed 2 older backups (keeping the newest 2)", out.stdout)
        self.assertEqual(sorted(glob.glob(os.path.join(d, "paydesk-*.backup"))),
                         sorted([made[-1], path]))

    def test_doctor_says_when_the_last_backup_was_made(self):
        out = self.paydesk("doctor")
        self.assertIn("Backup: WARNING never made: run paydesk backup", out.stdout)
        # Found by the tester: the closing count said "0 warnings" just below it.
        self.assertRegex(out.stdout, r"\d+ checks, 0 failing, 2 warnings, 0 not checked\n$")  # and the vault's cost
        self.backup(check=0)
        out = self.paydesk("doctor", check=0)
        self.assertRegex(out.stdout, r"Backup: last made \d{4}-\d\d-\d\d \d\d:\d\d \(0 min ago\)")
        con = sqlite3.connect(self.home.db)
        con.execute("UPDATE settings SET value = value - 2 * 86400 WHERE key = 'backup.last_at'")
        con.commit()
        con.close()
        out = self.paydesk("doctor")
        self.assertIn("Backup: WARNING last made", out.stdout)
        self.assertIn("(2 days ago): run paydesk backup", out.stdout)

    def scp_env(self, fail=False):
        bindir = os.path.join(self.home.path, "bin")
        os.makedirs(bindir, exist_ok=True)
        scp = os.path.join(bindir, "scp")
        with open(scp, "w") as f:
            f.write(FAKE_SCP)
        os.chmod(scp, 0o755)
        self.scp_log = os.path.join(self.home.path, "scp.log")
        self.scp_root = os.path.join(self.home.path, "remote")
        env = {"PATH": bindir + os.pathsep + os.environ["PATH"], "FAKE_SCP_LOG": self.scp_log,
               "FAKE_SCP_ROOT": self.scp_root}
        if fail:
            env["FAKE_SCP_FAIL"] = "1"
        self.env.update(env)

    def scp_calls(self):
        if not os.path.exists(self.scp_log):
            return []
        with open(self.scp_log) as f:
            return [json.loads(line) for line in f]

    def test_scp_destination_gets_safe_arguments(self):
        self.scp_env()
        path, out = self.backup("backup@files.example.com:/srv/paydesk", check=0)
        name = os.path.basename(path)
        self.assertEqual(os.path.dirname(path), self.backups_dir())  # kept locally too
        calls = self.scp_calls()
        self.assertEqual(calls, [["-q", "-p", "-o", "BatchMode=yes", "--", path,
                                  "backup@files.example.com:/srv/paydesk/" + name]])
        self.assertIn("copied to backup@files.example.com:/srv/paydesk/" + name, out.stdout)
        copied = os.path.join(self.scp_root, "backup@files.example.com", "srv", "paydesk", name)
        fresh = self.fresh_home()
        self.assertEqual(self.run_paydesk(fresh, "restore", copied).returncode, 0)
        # host:dir/ and host: (the remote home) take the file's own name.
        self.backup("files:backups/", check=0)
        self.assertTrue(self.scp_calls()[-1][-1].startswith("files:backups/paydesk-"))
        self.backup("files:", check=0)
        self.assertRegex(self.scp_calls()[-1][-1], r"^files:paydesk-\d{8}T\d{6}Z(-\d+)?\.backup$")

    def test_scp_destination_cannot_inject(self):
        self.scp_env()
        pwned = os.path.join(self.home.path, "pwned")
        bad = ["host:$(touch %s)" % pwned, "host:`touch %s`" % pwned, "host:a;touch b",
               "host:a b", "host:-oProxyCommand=x", "-oProxyCommand=touch${IFS}pwned:x",
               "-host:x", "us;er@host:x", "@host:x", "host|x:y"]
        for dest in bad:
            with self.subTest(dest=dest):
                out = self.paydesk("backup", "--", dest)
                self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
                self.assertIn("is not a destination paydesk copies to", out.stderr)
        self.assertEqual(self.scp_calls(), [])
        self.assertFalse(os.path.exists(pwned))
        # An option-looking DEST without "--" is a usage error, not an option for scp.
        out = self.paydesk("backup", "-oProxyCommand=x:y")
        self.assertEqual(out.returncode, 2)
        self.assertEqual(self.scp_calls(), [])

    def test_scp_failure_is_reported_and_the_local_copy_kept(self):
        self.scp_env(fail=True)
        out = self.paydesk("backup", "files:backups")
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("scp could not copy the backup to files:backups/paydesk-", out.stderr)
        self.assertIn("the backup is kept in " + self.backups_dir(), out.stderr)
        self.assertEqual(len(glob.glob(os.path.join(self.backups_dir(), "paydesk-*.backup"))), 1)


class SetupScreenTest(unittest.TestCase):
    def test_setup_tab_says_when_the_last_backup_was_made(self):
        home = Home()
        self.addCleanup(home.close)
        env = {**home.env}
        with Terminal([paydesk_bin(), "--screen", "setup"], 80, 24, env=env) as t:
            t.wait_for("Not connected")
            self.assertIn("Backup: never made: run paydesk backup", t.screen())
            t.send("q")
            self.assertEqual(t.exit_status(), 0)
        out = subprocess.run([paydesk_bin(), "backup"], capture_output=True, text=True,
                             env={**os.environ, **env}, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        with Terminal([paydesk_bin(), "--screen", "setup"], 80, 24, env=env) as t:
            t.wait_for("Not connected")
            self.assertRegex(t.screen(), r"Backup: last made \d{4}-\d\d-\d\d \d\d:\d\d \(0 min ago\)")
            t.send("q")
            self.assertEqual(t.exit_status(), 0)


if __name__ == "__main__":
    unittest.main()
