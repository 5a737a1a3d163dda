#!/usr/bin/env python3
"""Run every paydesk test suite and print one closing total.

Suites: each cmocka unit program (tests/unit, built into --unit-dir), two at
a time; then the Python suites (fake Stripe server, integration, end-to-end,
this runner's own tests) in ONE pytest session spread over pytest-xdist
workers, each test under a time limit, the slowest ones listed. Every test
file named test_*.py in those directories is picked up. Without pytest (not
a Debian machine, `make deps` not run) the Python suites run one by one
under unittest, as before.

Each suite's full output goes to build/test-logs/<suite>.log (pytest's to
build/test-logs/python.log, its per-test record to python.xml) and is shown
when the suite fails. The last line is 'N passed, N failed, N skipped': a
skipped test is a skip, never a pass."""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY_SUITES = [  # (name, start directory) — run when the directory has tests
    ("fakestripe", "tests/fakestripe"),
    ("integration", "tests/integration"),
    ("e2e", "tests/e2e"),
    ("runner", "tests/runner"),
]
# The per-test limit: far above the slowest test under load (a valgrind
# session, ~1 min), so only a hang reaches it.
TEST_TIMEOUT = 600
# What the Python suites need from pytest; Debian's python3-pytest,
# python3-pytest-xdist and python3-pytest-timeout (scripts/deps.sh).
PYTEST_MODULES = "import pytest, xdist, pytest_timeout"


def count_cmocka(out):
    passed = sum(int(n) for n in re.findall(r"^\[  PASSED  \] (\d+) test", out, re.M))
    failed = sum(int(n) for n in re.findall(r"^\[  FAILED  \] (\d+) test", out, re.M))
    skipped = sum(int(n) for n in re.findall(r"^\[  SKIPPED \] (\d+) test", out, re.M))
    return passed, failed, skipped


def count_unittest(out):
    """(passed, failed, skipped) from unittest's closing lines: 'Ran N tests',
    then 'OK', 'OK (skipped=S)' or 'FAILED (failures=F, errors=E, skipped=S)'."""
    ran = sum(int(n) for n in re.findall(r"^Ran (\d+) tests? in", out, re.M))
    failed = skipped = 0
    for m in re.finditer(r"^(?:OK|FAILED) \((.*)\)$", out, re.M):
        for part in m.group(1).split(","):
            key, _, val = part.strip().partition("=")
            if key in ("failures", "errors", "unexpected successes"):
                failed += int(val)
            elif key in ("skipped", "expected failures"):
                skipped += int(val)
    return ran - failed - skipped, failed, skipped


def count_junit(path):
    """Per suite (the first directory under tests/ of each test's file):
    {suite: [passed, failed, skipped, seconds]}, and every test's
    (seconds, id). A test that failed in set-up, call or tear-down counts
    once, as failed."""
    suites, times = {}, []
    for case in ET.parse(path).getroot().iter("testcase"):
        classname = case.get("classname", "")
        suite = classname.split(".", 1)[0] if classname else "collection"
        seconds = float(case.get("time") or 0)
        row = suites.setdefault(suite, [0, 0, 0, 0.0])
        if case.find("failure") is not None or case.find("error") is not None:
            row[1] += 1
        elif case.find("skipped") is not None:
            row[2] += 1
        else:
            row[0] += 1
        row[3] += seconds
        times.append((seconds, f"{classname}.{case.get('name', '')}"))
    return suites, times


def pytest_python():
    """An interpreter that has pytest, xdist and pytest-timeout: this one, or
    Debian's (python3 on PATH may be another build, e.g. pyenv's)."""
    for exe in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        if os.access(exe, os.X_OK) and subprocess.run(
                [exe, "-c", PYTEST_MODULES], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL).returncode == 0:
            return exe
    return None


def run(name, cmd, log_dir, env):
    start = time.monotonic()
    # stdin is not the developer's terminal: a CLI run by a test never stops at a
    # passphrase or PIN prompt (paydesk asks only when stdin is a terminal)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace")
    elapsed = time.monotonic() - start
    with open(os.path.join(log_dir, name.replace("/", "-") + ".log"), "w") as f:
        f.write(proc.stdout)
    return proc.returncode, proc.stdout, elapsed


class Totals:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.broken = []

    def add(self, name, rc, counts, elapsed, out, note=""):
        passed, failed, skipped = counts
        if rc != 0 and failed == 0:
            failed = 1  # crashed or exited badly without reporting a failure
        self.passed += passed
        self.failed += failed
        self.skipped += skipped
        status = "ok" if rc == 0 and failed == 0 else "FAIL"
        skip = f" {skipped:3} skipped" if skipped else ""
        print(f"{status:4} {name:28} {passed:4} passed {failed:3} failed{skip}  "
              f"{elapsed:6.1f}s{note}", flush=True)
        if status == "FAIL":
            self.broken.append(name)
            if out is not None:
                sys.stdout.write(out[-20000:])
                sys.stdout.write("\n")


def run_units(progs, jobs, log_dir, env, totals):
    """The cmocka programs, `jobs` at a time, reported in name order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [(name, pool.submit(run, name, [path], log_dir, env)) for name, path in progs]
        for name, fut in futures:
            rc, out, elapsed = fut.result()
            totals.add(name, rc, count_cmocka(out), elapsed, out)


def run_pytest(exe, suites, args, log_dir, env, totals):
    """One pytest session over every Python suite; a line per suite (its
    tests' own time: they ran side by side), then the session's wall time."""
    xml = os.path.join(log_dir, "python.xml")
    if os.path.exists(xml):
        os.remove(xml)
    cmd = [exe, "-m", "pytest", "-c", os.path.join(ROOT, "tests", "pytest.ini"),
           "--rootdir", os.path.join(ROOT, "tests"), "-n", str(args.workers),
           "--dist", "loadscope", f"--timeout={args.timeout}", "--durations=25",
           "-rfEs", f"--junitxml={xml}"]
    cmd += [start for _, start in suites]
    rc, out, elapsed = run("python", cmd, log_dir, env)
    counts, times = count_junit(xml) if os.path.exists(xml) else ({}, [])
    any_failed = False
    # Listed suites first, then anything else pytest reported (collection errors).
    for name in [n for n, _ in suites] + [n for n in counts if n not in dict(suites)]:
        passed, failed, skipped, seconds = counts.get(name, [0, 0, 0, 0.0])
        any_failed |= failed > 0
        totals.add(name, 1 if failed else 0, (passed, failed, skipped), seconds, None,
                   note=" (tests' own time)")
    if rc not in (0, 1) or (rc == 1 and not any_failed):
        # pytest stopped without a failing test: usage, collection or internal error
        totals.add("python (pytest exit %d)" % rc, rc or 1, (0, 0, 0), elapsed, None)
    print(f"     {'all Python suites':28} {args.workers} workers  {elapsed:6.1f}s wall",
          flush=True)
    slowest = sorted(times, reverse=True)[:5]
    if slowest:
        print("     slowest: " + ", ".join(f"{tid} {sec:.1f}s" for sec, tid in slowest),
              flush=True)
    if rc != 0:
        sys.stdout.write(out[-20000:])
        sys.stdout.write("\n")


def run_unittest(suites, log_dir, env, totals):
    print("pytest, pytest-xdist or pytest-timeout is missing (make deps installs them): "
          "running the Python suites one at a time with unittest", flush=True)
    for name, start in suites:
        cmd = [sys.executable, "-m", "unittest", "discover", "-s", start, "-p", "test_*.py"]
        rc, out, elapsed = run(name, cmd, log_dir, env)
        totals.add(name, rc, count_unittest(out), elapsed, out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="paydesk", help="the paydesk binary under test")
    ap.add_argument("--unit-dir", required=True)
    ap.add_argument("--tools-dir", help="test-only driver programs (PAYDESK_TOOLS_DIR)")
    ap.add_argument("--only", help="run only suites whose name contains this")
    ap.add_argument("--program", action="append",
                    help="run only this unit program (repeatable; no Python suites)")
    ap.add_argument("--log-dir", default=os.path.join("build", "test-logs"))
    ap.add_argument("--workers", type=int, default=int(os.environ.get("TEST_WORKERS", "4")),
                    help="pytest-xdist workers (default 4, or TEST_WORKERS): most tests wait "
                         "on a terminal or a subprocess, so more than the 2 cores pays")
    ap.add_argument("--unit-jobs", type=int, default=2, help="cmocka programs run at once")
    ap.add_argument("--timeout", type=int, default=TEST_TIMEOUT, help="seconds per Python test")
    args = ap.parse_args()

    log_dir = os.path.join(ROOT, args.log_dir)
    os.makedirs(log_dir, exist_ok=True)
    env = dict(os.environ)
    env["PAYDESK_BIN"] = os.path.abspath(os.path.join(ROOT, args.bin))
    if args.tools_dir:
        env["PAYDESK_TOOLS_DIR"] = os.path.abspath(os.path.join(ROOT, args.tools_dir))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # Tests never touch the user's real files.
    env.pop("XDG_CONFIG_HOME", None)
    # Vaults the tests make unlock at libsodium's floor rather than paydesk's
    # default cost, except where a test asks for the default (the KDF itself).
    env.setdefault("PAYDESK_VAULT_KDF", "interactive")

    totals = Totals()
    unit_dir = os.path.join(ROOT, args.unit_dir)
    progs = []
    for prog in sorted(os.listdir(unit_dir)) if os.path.isdir(unit_dir) else []:
        path = os.path.join(unit_dir, prog)
        name = "unit/" + prog[5:]
        if prog.startswith("test_") and os.access(path, os.X_OK) and \
                (not args.only or args.only in name) and \
                (not args.program or prog in args.program):
            progs.append((name, path))
    suites = []
    for name, start in PY_SUITES:
        d = os.path.join(ROOT, start)
        if not args.program and (not args.only or args.only in name) and os.path.isdir(d) and \
                any(f.startswith("test_") and f.endswith(".py") for f in os.listdir(d)):
            suites.append((name, start))

    run_units(progs, max(1, args.unit_jobs), log_dir, env, totals)
    if suites:
        exe = pytest_python()
        if exe:
            run_pytest(exe, suites, args, log_dir, env, totals)
        else:
            run_unittest(suites, log_dir, env, totals)

    if totals.broken:
        print("failing suites: " + ", ".join(totals.broken) + " (logs in build/test-logs/)")
    print(f"{totals.passed} passed, {totals.failed} failed, {totals.skipped} skipped")
    return 1 if totals.failed or totals.broken else 0


if __name__ == "__main__":
    sys.exit(main())
