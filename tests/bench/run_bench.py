#!/usr/bin/env python3
"""`make bench`: the History screen's and the sync's performance figures at
each history size (100,000 and 1,000,000 records; `make bench BIG=1` adds
10,000,000, a ~7 GB database), so the growth shows: every figure is printed
as `size name value unit` when measured, then in one table (median, min–max,
runs, per size), with the load average at each size.

Databases are built once and cached under build/bench/ keyed by generator
version, rows and seed; the build's own ingest figures are kept beside it
(`.done`) and reported as that size's first sync when the size is too big to
re-ingest every run (10M).

Timings come from inside paydesk (PAYDESK_BENCH_TRACE: key read →
doupdate() returned), with paydesk on the History screen in tmux at 80x24
under a pty relay that counts the bytes paydesk writes to its terminal.
Launch is measured from just before exec to the first frame. Ingest is
measured by the generator over freshly generated JSON pages (parse + store,
indexes and search index included, generation excluded), through the sync's
own path: pages parsed on one thread, stored by the writer thread; into an
empty database (a first sync of that size) and onto a copy of the size's
database (100,000 newer records: an incremental sync).

    run_bench.py --bin ./paydesk [--sizes 100000,1000000] [--seed S] [--quick]"""
import argparse
import os
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(ROOT, "build", "tools", "history_gen")  # --gen: another build's
GEN_VERSION = 5  # 5: newest first, as Stripe lists (4: schema 24)
GEN_END = 1793491200   # the generator's default --end (2026-11-01)
INCREMENT = 100000     # records of an incremental sync, onto each size

FIG = {}      # (size, name) -> [values]
UNITS = {}    # name -> unit
ORDER = []    # names, first seen first


def out(size, name, value, unit):
    """One measured value (several per figure: the table gives median, min–max)."""
    print(f"{size} {name} {value} {unit}", flush=True)
    FIG.setdefault((size, name), []).append(float(value))
    UNITS[name] = unit
    if name not in ORDER:
        ORDER.append(name)


def outs(size, name, values, unit):
    for v in values:
        out(size, name, f"{v:.2f}" if isinstance(v, float) else v, unit)


def gen_figures(text):
    """ingest_rate and per-thread CPU from history_gen's output."""
    f = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("ingest_rate", "cpu_parse_thread", "cpu_store_thread"):
            f[parts[0]] = float(parts[1])
    return f


def build_db(rows, seed):
    # GEN_VERSION changes when the generator's output does, so a stale cache is not reused
    path = os.path.join(ROOT, "build", "bench", f"history-g{GEN_VERSION}-{rows}-{seed}.db")
    stamp = path + ".done"
    if os.path.exists(stamp) and os.path.exists(path):
        return path, open(stamp).read()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # databases of older generators are dead weight (the g2 one was 2.3 GB)
    for name in os.listdir(os.path.dirname(path)):
        if name.startswith("history-g") and not name.startswith(f"history-g{GEN_VERSION}-"):
            os.unlink(os.path.join(os.path.dirname(path), name))
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)
    print(f"# building {path} ({rows} records, seed {seed}) — once", file=sys.stderr, flush=True)
    load = os.getloadavg()[0]
    res = subprocess.run([GEN, "--db", path, "--rows", str(rows), "--seed", str(seed)], check=True,
                         capture_output=True, text=True)
    text = res.stdout + f"load {load:.2f}\n"
    with open(stamp, "w") as f:
        f.write(text)
    return path, text


def measure_ingest(rows, onto=None):
    """history_gen into a fresh database, or onto a copy of `onto` (newer records)."""
    d = tempfile.mkdtemp(prefix="paydesk-bench-", dir=os.path.join(ROOT, "build", "bench"))
    try:
        db = os.path.join(d, "ingest.db")
        argv = [GEN, "--db", db, "--rows", str(rows), "--seed", "99"]
        if onto:
            shutil.copyfile(onto, db)
            # the month after the history ends: what the next sync brings
            argv += ["--end", str(GEN_END + 30 * 86400), "--days", "30"]
        res = subprocess.run(argv, check=True, capture_output=True, text=True)
        return gen_figures(res.stdout)
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ---- payouts (issue 19): a daily automatic payout per currency over the history -------------
PAYOUTS_VERSION = 1


def add_payouts(binary, db):
    """Balance transactions for every settled payment, refund and dispute of the bench history,
    paid out daily per currency (what available that day), the last days left in the balance:
    the shape `paydesk sync` stores. Once per database (a stamp file)."""
    stamp = db + f".payouts-v{PAYOUTS_VERSION}"
    if os.path.exists(stamp):
        return
    print(f"# adding payouts to {db} — once", file=sys.stderr, flush=True)
    tmp = tempfile.mkdtemp(prefix="paydesk-bench-")
    try:   # brings the schema up to date (payouts: schema 22)
        subprocess.run([binary, "--db", db, "payouts", "list", "--limit", "1"], check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "HOME": tmp,
                                                       "XDG_DATA_HOME": tmp,
                                                       "XDG_CONFIG_HOME": tmp,
                                                       "XDG_STATE_HOME": tmp})
    finally:
        subprocess.run(["rm", "-rf", tmp])
    con = sqlite3.connect(db)
    last_day = con.execute("SELECT max(created) / 86400 FROM history").fetchone()[0]
    day = "((h.created + 172800) / 86400)"
    payout = f"CASE WHEN {day} < {last_day} THEN 'po_bench_' || h.currency || '_' || {day} END"
    con.executescript(f"""
        BEGIN;
        DELETE FROM payout_txns; DELETE FROM payouts;
        INSERT INTO payout_txns (id, payout_id, created, available_on, type, category, amount,
                                 fee, net, currency, source, link, description)
          SELECT 'txn_bp' || h.id, {payout}, h.created, h.created + 172800, 'charge', 'charge',
                 h.amount, h.fee, h.net, h.currency, h.charge_id, h.stripe_id, h.description
          FROM history h WHERE h.type = 'payment' AND h.fee IS NOT NULL;
        INSERT INTO payout_txns (id, payout_id, created, available_on, type, category, amount,
                                 fee, net, currency, source, link, description)
          SELECT 'txn_br' || h.id, {payout}, h.created, h.created + 172800, 'refund', 'refund',
                 -h.amount, 0, -h.amount, h.currency, h.stripe_id, h.stripe_id, 'REFUND'
          FROM history h WHERE h.type = 'refund' AND h.status = 'succeeded';
        INSERT INTO payout_txns (id, payout_id, created, available_on, type, category, amount,
                                 fee, net, currency, source, link, description)
          SELECT 'txn_bd' || h.id, {payout}, h.created, h.created + 172800, 'adjustment',
                 'dispute', -h.amount, 1500, -h.amount - 1500, h.currency, 'dp_b' || h.id,
                 h.stripe_id, 'Chargeback withdrawal'
          FROM history h WHERE h.type = 'payment' AND h.status = 'disputed';
        INSERT INTO payouts (id, created, arrival_date, amount, currency, status, automatic,
                             method, description, balance_txn, txns_done, synced_at)
          SELECT payout_id, max(available_on), max(available_on) + 172800, sum(net), currency,
                 'paid', 1, 'standard', 'STRIPE PAYOUT', 'txn_' || payout_id, 1, 0
          FROM payout_txns WHERE payout_id IS NOT NULL GROUP BY payout_id HAVING sum(net) > 0;
        UPDATE payout_txns SET payout_id = NULL
          WHERE payout_id IS NOT NULL AND payout_id NOT IN (SELECT id FROM payouts);
        INSERT INTO payout_txns (id, payout_id, created, available_on, type, category, amount,
                                 fee, net, currency, source, link, description)
          SELECT balance_txn, id, created, created, 'payout', 'payout', -amount, 0, -amount,
                 currency, id, NULL, 'STRIPE PAYOUT' FROM payouts;
        COMMIT;
    """)
    con.close()
    open(stamp, "w").close()


class Session:
    """paydesk in tmux (80x24) under the byte-counting pty relay."""

    def __init__(self, binary, db, tmp, relay=True, size=(80, 24)):
        self.tmp = tmp
        self.sock = os.path.join(tmp, "sock")
        self.trace = os.path.join(tmp, "trace")
        self.count = os.path.join(tmp, "count")
        self.pidfile = os.path.join(tmp, "pid")
        self.t0 = os.path.join(tmp, "t0")
        for p in (self.trace, self.count, self.pidfile, self.t0):
            if os.path.exists(p):
                os.unlink(p)
        env = {
            "HOME": tmp, "XDG_DATA_HOME": os.path.join(tmp, "data"),
            "XDG_CONFIG_HOME": os.path.join(tmp, "config"),
            "XDG_STATE_HOME": os.path.join(tmp, "state"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "TERM": "tmux-256color", "PAYDESK_BENCH_TRACE": self.trace, "TZ": "UTC",
            # signed in without the lock screen (first run: creates this admin)
            "PAYDESK_SIGN_IN": "bench", "PAYDESK_PIN": "2468",
        }
        argv = [binary, "--db", db, "--screen", "history"]
        if relay:
            argv = [sys.executable, os.path.join(HERE, "ptycount.py"), self.count, self.pidfile] + argv
        envs = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        cmd = (f"env -i PATH={shlex.quote(os.environ.get('PATH', '/usr/bin:/bin'))} {envs} "
               f"sh -c {shlex.quote('date +%s%N > ' + shlex.quote(self.t0) + '; exec ' + ' '.join(shlex.quote(a) for a in argv))}")
        conf = os.path.join(tmp, "tmux.conf")
        with open(conf, "w") as f:
            f.write("set -g status off\nset -g default-terminal tmux-256color\n"
                    "set -sg escape-time 0\nset -g history-limit 0\n")
        subprocess.run(["tmux", "-f", conf, "-S", self.sock, "new-session", "-d", "-x",
                        str(size[0]), "-y", str(size[1]), "-s", "b", cmd], check=True)
        self.frames = 0
        self.last_key_ns = 0

    def lines(self):
        try:
            with open(self.trace) as f:
                return [l.split() for l in f.read().splitlines() if l.startswith("frame ")]
        except FileNotFoundError:
            return []

    def wait_frames(self, n, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            ls = self.lines()
            if len(ls) >= n:
                return ls
            if time.monotonic() > deadline:
                raise RuntimeError(f"no frame {n} after {timeout}s:\n" + self.screen())
            time.sleep(0.002)

    def marks(self):
        with open(self.trace) as f:
            return {l.split()[1]: int(l.split()[2]) for l in f.read().splitlines()
                    if l.startswith("mark ")}

    def first_frame(self):
        """ms from just before exec to the first frame, minus the sign-in KDF; and the KDF."""
        ls = self.wait_frames(1)
        self.frames = len(ls)
        with open(self.t0) as f:
            t0 = int(f.read().strip())
        m = self.marks()
        kdf = m.get("kdf_end", 0) - m.get("kdf_start", 0)
        with open(self.trace) as f:
            start = [int(l.split()[1]) for l in f if l.startswith("start ")]
        self.breakdown = {
            "exec_to_main": (start[0] - t0) / 1e6 if start else 0.0,
            # paydesk's own start-up before the History screen queries (sign-in KDF excluded)
            "main_to_history": (m.get("history_query", 0) - start[0]
                                - (kdf if start and start[0] <= m.get("kdf_start", 0)
                                   <= m.get("history_query", 0) else 0)) / 1e6
                               if start else 0.0,
            "history_rows_totals": (m.get("history_rows_done", 0) - m.get("history_query", 0)) / 1e6,
        }
        return (int(ls[0][3]) - t0 - kdf) / 1e6, kdf / 1e6

    def bytes(self):
        try:
            with open(self.count) as f:
                return int(f.read().strip() or 0)
        except FileNotFoundError:
            return 0

    def settle_bytes(self):
        """The relay's count once it has stopped moving."""
        last, same = self.bytes(), 0
        while same < 3:
            time.sleep(0.01)
            b = self.bytes()
            same = same + 1 if b == last else 0
            last = b
        return last

    def key(self, *keys, literal=False):
        """Send keys; wait for the frame drawn after the last; return (ms, bytes)."""
        before = self.settle_bytes()
        args = ["tmux", "-S", self.sock, "send-keys", "-t", "b"] + (["-l"] if literal else [])
        subprocess.run(args + list(keys), check=True)
        ls = self.wait_frames(self.frames + 1)
        # several keys in one send may give one frame or several: wait for quiet
        time.sleep(0.02)
        ls = self.lines()
        new = ls[self.frames:]
        self.frames = len(ls)
        # the frame drawn for the key (frames drawn between keys, as a
        # search's totals add up, carry no key)
        keyed = [f for f in new if int(f[2])]
        f = keyed[-1] if keyed else ls[-1]
        self.last_key_ns = int(f[2])
        ms = (int(f[3]) - int(f[2])) / 1e6 if int(f[2]) else 0.0
        return ms, self.settle_bytes() - before

    def wait_mark(self, name, after_ns, timeout=30.0):
        """ms from after_ns to the first mark `name` after it (None: none in time)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.trace) as f:
                for l in f:
                    p = l.split()
                    if len(p) == 3 and p[0] == "mark" and p[1] == name and int(p[2]) > after_ns:
                        return (int(p[2]) - after_ns) / 1e6
            time.sleep(0.01)
        return None

    def screen(self):
        return subprocess.run(["tmux", "-S", self.sock, "capture-pane", "-p", "-t", "b"],
                              capture_output=True, text=True).stdout

    def rss_kb(self, field):
        """VmRSS (now) or VmHWM (peak) of paydesk, in kB."""
        with open(self.pidfile) as f:
            pid = int(f.read())
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def close(self):
        subprocess.run(["tmux", "-S", self.sock, "kill-server"], stderr=subprocess.DEVNULL)


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def measure_ui(size, binary, db, reps, quick):
    payouts = size == 1000000  # issue 19: payouts for the 1,000,000-record history
    if payouts:
        add_payouts(binary, db)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    if payouts:
        out(size, "payouts", con.execute("SELECT count(*) FROM payouts").fetchone()[0],
            "payouts")
        out(size, "payout_balance_transactions",
            con.execute("SELECT count(*) FROM payout_txns").fetchone()[0], "rows")
    n = con.execute("SELECT max(id) FROM history").fetchone()[0]
    ids = [max(1, n * k // 1000) for k in (1, 54, 123, 333, 500, 654, 777, 888, 999)]
    clients = []
    for i in ids:
        r = con.execute("SELECT client_name FROM history WHERE id >= ? AND client_name IS NOT NULL"
                        " LIMIT 1", (i,)).fetchone()
        if r and r[0] not in clients:
            clients.append(r[0])
    matches = [con.execute("SELECT count(*) FROM history WHERE client_name = ?", (c,)
                           ).fetchone()[0] for c in clients]
    mid_day = con.execute("SELECT date(created, 'unixepoch') FROM history WHERE id = ?",
                          (n // 2,)).fetchone()[0]
    old_day = con.execute("SELECT date(min(created) + 86400 * 3, 'unixepoch') FROM history"
                          ).fetchone()[0]
    # a number search (issue 21: "any search"): a price, and a card's last 4 digits
    amount_word = con.execute("SELECT printf('%d.%02d', amount / 100, amount % 100) FROM history"
                              " WHERE currency = 'usd' AND type = 'payment' AND id >= ? LIMIT 1",
                              (n // 3,)).fetchone()[0]
    # the business's most common price: matched by many records, paged by date
    common_word, common_matches = con.execute(
        "SELECT printf('%d.%02d', amount / 100, amount % 100), count(*) FROM history"
        " WHERE currency = 'usd' GROUP BY amount ORDER BY count(*) DESC LIMIT 1").fetchone()
    # a service word and a price it is never sold at ("Haircut 79"): every haircut
    # tested for the price before the search knew to gather (1.3 s at 10M)
    rare_price = con.execute(
        "SELECT printf('%d', amount / 100) FROM history WHERE currency = 'usd' AND amount % 100 = 0"
        " AND amount >= 1000 AND amount / 100 NOT IN (SELECT amount / 100 FROM history"
        " WHERE id IN (SELECT rowid & 1073741823 FROM history_fts WHERE history_fts MATCH"
        " 'haircut' LIMIT 20000)) LIMIT 1").fetchone()
    rare_price = rare_price[0] if rare_price else "7"
    last4_word = con.execute("SELECT card_last4 FROM history WHERE card_last4 IS NOT NULL"
                             " AND id >= ? LIMIT 1", (n // 2,)).fetchone()[0]
    first = clients[0].split()[0]
    # broad: one first name (1 record in 32); one service word (1 in ~11)
    broad_matches = con.execute("SELECT count(*) FROM history_fts WHERE history_fts MATCH ?",
                                (f'"{first}"',)).fetchone()[0]
    service_matches = con.execute("SELECT count(*) FROM history_fts WHERE history_fts MATCH ?",
                                  ('"haircut"',)).fetchone()[0]
    con.close()
    out(size, "loadavg_ui", f"{os.getloadavg()[0]:.2f}", "load")

    tmp = tempfile.mkdtemp(prefix="paydesk-bench-")
    try:
        # Launch → first rows on screen (no relay: just paydesk in tmux). Warm runs.
        launches = []
        for i in range(6 if not quick else 3):
            s = Session(binary, db, tmp, relay=False)
            try:
                ms, _kdf = s.first_frame()
                launches.append(ms)
                shown = s.screen()
                if "records" not in shown:
                    raise RuntimeError("History screen not shown:\n" + shown)
            finally:
                s.close()
            time.sleep(0.2)
        outs(size, "launch_to_first_rows_ms", launches[1:], "ms")

        s = Session(binary, db, tmp, relay=True)
        try:
            s.first_frame()
            nav = []
            for i in range(reps):
                nav.append(s.key("j")[0])
            for _ in range(reps // 2):
                nav.append(s.key("k")[0])
            for _ in range(reps // 2):
                nav.append(s.key("NPage")[0])
            for _ in range(reps // 4):
                nav.append(s.key("PPage")[0])
            ends = []
            for _ in range(10):
                ends.append(s.key("G")[0])
                ends.append(s.key("g")[0])
            nav += ends
            s.key("G")
            nav += [s.key("k")[0] for _ in range(reps // 2)]
            out(size, "nav_key_median_ms", f"{statistics.median(nav):.2f}", "ms")
            out(size, "nav_key_p99_ms", f"{pct(nav, 99):.2f}", "ms")
            out(size, "nav_key_worst_ms", f"{max(nav):.2f}", "ms")
            outs(size, "jump_end_G_g_ms", ends, "ms")

            jumps = []
            for day in (mid_day, old_day) * 3:
                s.key("J")
                s.key(day, literal=True)
                jumps.append(s.key("Enter")[0])
            outs(size, "jump_to_date_ms", jumps, "ms")

            totals = {}

            def search(q, kind=None):
                s.key("/")
                s.key(q, literal=True)
                ms = s.key("Enter")[0]
                if "records" not in s.screen():
                    raise RuntimeError("search result not drawn:\n" + s.screen())
                if kind:  # the count and totals, added up between keys after the first screen
                    t = s.wait_mark("history_totals_complete", s.last_key_ns)
                    if t is not None:
                        totals.setdefault(kind, []).append(t)
                s.key("Escape")
                return ms
            outs(size, "search_narrow_first_screen_ms", [search(c, "narrow") for c in clients],
                 "ms")
            out(size, "search_narrow_matches", statistics.median(matches), "rows")
            outs(size, "search_broad_first_screen_ms",
                 [search(first, "broad") for _ in range(3 if quick else 5)], "ms")
            out(size, "search_broad_matches", broad_matches, "rows")
            outs(size, "search_service_first_screen_ms",
                 [search("Haircut", "service") for _ in range(3 if quick else 5)], "ms")
            out(size, "search_service_matches", service_matches, "rows")
            # a first name and the last name's first letter, as a desk types it ("Zoë M")
            initial = clients[0].split()[-1][0]
            outs(size, "search_name_letter_first_screen_ms",
                 [search(f"{first} {initial}", "letter") for _ in range(3 if quick else 5)], "ms")
            outs(size, "search_amount_first_screen_ms",
                 [search(amount_word, "amount") for _ in range(3 if quick else 5)], "ms")
            outs(size, "search_common_price_first_screen_ms",
                 [search(common_word, "common_price") for _ in range(3 if quick else 5)], "ms")
            out(size, "search_common_price_matches", common_matches, "rows")
            outs(size, "search_service_rare_price_first_screen_ms",
                 [search(f"Haircut {rare_price}", "service_rare_price")
                  for _ in range(3 if quick else 5)], "ms")
            outs(size, "search_last4_first_screen_ms",
                 [search(last4_word, "last4") for _ in range(3 if quick else 5)], "ms")
            # searches sorted by amount (s: date ↑, s: amount ↓), then back to date ↓:
            # a full name (gathered), a first name and a service word (walked)
            def by_amount(q):
                s.key("/")
                s.key(q, literal=True)
                s.key("Enter")
                s.key("s")
                ms = s.key("s")[0]
                if "records" not in s.screen():
                    raise RuntimeError("sorted search not drawn:\n" + s.screen())
                s.key("s")
                s.key("s")
                s.key("Escape")
                return ms
            outs(size, "search_narrow_by_amount_ms", [by_amount(c) for c in clients[:3]], "ms")
            outs(size, "search_broad_by_amount_ms",
                 [by_amount(first) for _ in range(3 if quick else 5)], "ms")
            outs(size, "search_service_by_amount_ms",
                 [by_amount("Haircut") for _ in range(3 if quick else 5)], "ms")
            for kind in ("narrow", "broad", "service", "letter", "amount", "common_price",
                         "service_rare_price", "last4"):
                outs(size, f"search_{kind}_totals_complete_ms", totals.get(kind, []), "ms")

            filters = []
            for steps in (["Tab", "Tab", "Tab", "Right", "Right", "Right"],   # status refunded
                          ["Right", "Right", "Right", "Right"],               # + last month
                          ["Tab", "Tab", "Tab", "Right", "Right"],            # status failed
                          ["Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "C-u",
                           "e", "u", "r"]):                                   # + eur
                s.key("F")
                for k in steps:
                    s.key(k)
                filters.append(s.key("Enter")[0])
            s.key("x")
            outs(size, "filter_to_totals_ms", filters, "ms")
            # the review filters (F, Review: reviewed / flagged): 2 % and 0.2 % of the records
            reviews = []
            for rights in (1, 3) * 2:
                s.key("F")
                for k in ["Tab"] * 9 + ["Right"] * rights:
                    s.key(k)
                reviews.append(s.key("Enter")[0])
                s.key("x")
            outs(size, "filter_review_first_screen_ms", reviews, "ms")
            out(size, "rss_browsing_MB", f"{s.rss_kb('VmRSS') / 1024:.1f}", "MB")
        finally:
            s.close()

        # Payouts (issue 19): P on History → the Payouts view's first screen; m → the month's
        # reconciliation (the month of the newest payout: the whole month's transactions).
        s = Session(binary, db, tmp, relay=True) if payouts else None
        try:
            if payouts:
                s.first_frame()
            firsts, months = [], []
            for _ in range((5 if quick else 15) if payouts else 0):
                ms, _b = s.key("P")
                firsts.append(ms)
                if "Payouts ·" not in s.screen():
                    raise RuntimeError("Payouts view not shown:\n" + s.screen())
                ms, _b = s.key("m")
                months.append(ms)
                if "Reconciled" not in s.screen():
                    raise RuntimeError("month summary not shown:\n" + s.screen())
                s.key("Escape")
                s.key("Escape")
            outs(size, "payouts_first_screen_ms", firsts, "ms")
            outs(size, "payouts_month_summary_ms", months, "ms")
        finally:
            if s:
                s.close()
    finally:
        subprocess.run(["rm", "-rf", tmp])


def measure_sync(size, db, built, quick):
    """First sync of `size` records into an empty database; INCREMENT newer onto it."""
    big = size > 1000000
    out(size, "loadavg_sync", f"{os.getloadavg()[0]:.2f}", "load")
    if big:
        # the build was this size's first sync (too long to repeat each run)
        f = gen_figures(built)
        runs = [f] if f else []
    else:
        runs = [measure_ingest(size) for _ in range(1 if quick or size >= 1000000 else 3)]
    for f in runs:
        out(size, "ingest_into_empty", int(f["ingest_rate"]), "records/s")
        out(size, "ingest_into_empty_cpu_store", f"{f['cpu_store_thread']:.1f}", "us/record")
    onto = [measure_ingest(INCREMENT if not quick else 20000, onto=db)
            for _ in range(1 if quick or big else 3)]
    for f in onto:
        out(size, "ingest_onto_existing", int(f["ingest_rate"]), "records/s")
        out(size, "ingest_onto_existing_cpu_store", f"{f['cpu_store_thread']:.1f}", "us/record")


def fmt(v):
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def table(sizes):
    print()
    head = f"{'figure':34}" + "".join(f"{s:>28}" for s in sizes)
    print(head + "\n" + "-" * len(head))
    for name in ORDER:
        cells = []
        for size in sizes:
            v = FIG.get((size, name))
            if not v:
                cells.append(f"{'-':>28}")
            elif len(v) == 1:
                cells.append(f"{fmt(v[0]):>28}")
            else:
                cells.append(f"{fmt(statistics.median(v)) + ' (' + fmt(min(v)) + '–' + fmt(max(v)) + ', ' + str(len(v)) + ')':>28}")
        print(f"{name + ' ' + UNITS[name]:34}" + "".join(cells))
    print("(median (min–max, runs) where measured more than once)")


def main():
    global GEN
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--gen", default=GEN, help="history_gen of the same build")
    ap.add_argument("--sizes", default=os.environ.get("SIZES", "100000,1000000"))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SEED", "1")))
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--no-ui", action="store_true", help="sync ingest only")
    ap.add_argument("--no-sync", action="store_true", help="History screen only")
    args = ap.parse_args()
    GEN = os.path.abspath(args.gen)
    binary = os.path.abspath(args.bin)
    reps = 40 if args.quick else 200
    sizes = [int(x) for x in args.sizes.split(",") if x]
    for size in sizes:
        db, built = build_db(size, args.seed)
        out(size, "records", size, "rows")
        if not args.no_ui:
            measure_ui(size, binary, db, reps, args.quick)
        if not args.no_sync:
            measure_sync(size, db, built, args.quick)
    table(sizes)
    if not args.no_ui:  # make demo to the training desk, and the peak RSS through a KDF
        bench_first_impression_and_peaks(binary, args.quick)
    return 0


def bench_first_impression_and_peaks(binary, quick):
    """Issue 21's own section (tests/bench/memory_demo.py): `make demo` to the
    training desk on screen, and the peak RSS through a PIN sign-in and a
    passphrase unlock at the default vault cost."""
    import memory_demo
    memory_demo.run(binary, os.path.join(ROOT, "tests", "demo.py"), 1 if quick else 3)


if __name__ == "__main__":
    sys.exit(main())
