#!/usr/bin/env python3
"""`make fuzz`: build every libFuzzer target (tests/fuzz/fuzz_*.c) with clang
into build/fuzz/ and run each for --seconds, then print one line per target:
runs, execs/s, coverage, crashes.

clang and libFuzzer are developer tools only (`make test` never needs
them): when missing they are installed with apt-get when running as root on
Debian, otherwise the exact command to run is printed.

Each target's working corpus is build/fuzz/corpus/<target> (grows from run
to run), seeded from tests/fuzz/corpus/<target>/. A crash leaves its input
in build/fuzz/crashes/<target>/; fix the bug, then copy the input into
tests/fuzz/regressions/<target>/ so `make check` replays it for ever."""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build", "fuzz")
APT = ["clang", "libclang-rt-dev"]  # Debian 12: clang 14 and its libFuzzer runtime


def have_libfuzzer(cc):
    """Whether cc links a -fsanitize=fuzzer program."""
    if not shutil.which(cc):
        return False
    src = "#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n"
    os.makedirs(BUILD, exist_ok=True)
    out = os.path.join(BUILD, "probe")
    proc = subprocess.run([cc, "-x", "c", "-fsanitize=fuzzer", "-o", out, "-"], input=src,
                          text=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc.returncode == 0


def ensure_clang(cc):
    if have_libfuzzer(cc):
        return True
    cmd = ["apt-get", "install", "-y", "--no-install-recommends"] + APT
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("fuzz: installing clang and libFuzzer: " + " ".join(cmd), flush=True)
        subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL)
        if subprocess.run(cmd).returncode == 0 and have_libfuzzer(cc):
            return True
    print("fuzz: needs clang with libFuzzer; run as root:\n    sudo " + " ".join(cmd),
          file=sys.stderr)
    return False


def build(cc, targets, jobs):
    bins = [f"{BUILD}/fuzzers/{t}" for t in targets]
    cmd = ["make", "--no-print-directory", f"-j{jobs}", "BUILDDIR=build/fuzz", f"CC={cc}",
           "CFLAGS=-O1 -g -fno-omit-frame-pointer",
           "SANITIZE=-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"] + \
        [os.path.relpath(b, ROOT) for b in bins]
    return subprocess.run(cmd, cwd=ROOT).returncode == 0


def run_target(name, seconds, extra):
    binary = f"{BUILD}/fuzzers/{name}"
    corpus = f"{BUILD}/corpus/{name}"
    crashes = f"{BUILD}/crashes/{name}/"
    seeds = os.path.join(ROOT, "tests", "fuzz", "corpus", name)
    regress = os.path.join(ROOT, "tests", "fuzz", "regressions", name)
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    dict_file = os.path.join(ROOT, "tests", "fuzz", name + ".dict")
    cmd = [binary, f"-max_total_time={seconds}", "-print_final_stats=1",
           f"-artifact_prefix={crashes}", "-timeout=10", "-rss_limit_mb=2048",
           "-max_len=8192"]
    if os.path.exists(dict_file):
        cmd.append(f"-dict={dict_file}")
    cmd += extra + [corpus] + [d for d in (seeds, regress) if os.path.isdir(d)]
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    start = time.monotonic()
    log = f"{BUILD}/{name}.log"
    with open(log, "w") as f:
        proc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    elapsed = time.monotonic() - start
    text = open(log, errors="replace").read()
    stat = dict(re.findall(r"^stat::(\w+):\s+(\d+)", text, re.M))
    cov = re.findall(r"cov: (\d+) ft: (\d+)", text)
    crashed = proc.returncode != 0
    files = sorted(glob.glob(crashes + "*"))
    return {
        "name": name, "runs": int(stat.get("number_of_executed_units", 0)),
        "eps": int(stat.get("average_exec_per_sec", 0)),
        "cov": int(cov[-1][0]) if cov else 0, "ft": int(cov[-1][1]) if cov else 0,
        "corpus": len(os.listdir(corpus)), "secs": elapsed, "crashed": crashed,
        "artifacts": files, "log": log,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=30, help="per target")
    ap.add_argument("--cc", default=os.environ.get("FUZZ_CC", "clang"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", help="run only targets whose name contains this")
    ap.add_argument("sources", nargs="*", help="tests/fuzz/fuzz_*.c")
    args, extra = ap.parse_known_args()
    targets = [os.path.basename(s)[:-2] for s in args.sources] or sorted(
        os.path.basename(p)[:-2] for p in glob.glob(os.path.join(ROOT, "tests/fuzz/fuzz_*.c")))
    if args.only:
        targets = [t for t in targets if args.only in t]
    if not ensure_clang(args.cc):
        return 1
    if not build(args.cc, targets, args.jobs):
        return 1
    results = []
    for t in targets:
        print(f"fuzz: {t} for {args.seconds}s ...", flush=True)
        results.append(run_target(t, args.seconds, extra))
    print(f"{'target':22} {'runs':>10} {'exec/s':>8} {'cov':>6} {'ft':>6} {'corpus':>7} "
          f"{'time':>6}  crashes")
    bad = 0
    for r in results:
        status = "0" if not r["crashed"] else f"1  -> {', '.join(r['artifacts']) or r['log']}"
        bad += r["crashed"]
        print(f"{r['name']:22} {r['runs']:>10} {r['eps']:>8} {r['cov']:>6} {r['ft']:>6} "
              f"{r['corpus']:>7} {r['secs']:>5.0f}s  {status}")
    if bad:
        print(f"fuzz: {bad} target(s) crashed; logs in build/fuzz/<target>.log", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
