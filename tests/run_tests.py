#!/usr/bin/env python3
"""Run every paydesk test suite and print one closing total.

Suites: each cmocka unit program (tests/unit, built into --unit-dir), then
the python unittest suites (fake Stripe server, integration, end-to-end).
Each suite's full output goes to build/test-logs/<suite>.log and is shown
when the suite fails. The last line is 'N passed, N failed'."""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY_SUITES = [  # (name, start directory) — run when the directory has tests
    ("fakestripe", "tests/fakestripe"),
    ("integration", "tests/integration"),
    ("e2e", "tests/e2e"),
]


def count_cmocka(out):
    passed = sum(int(n) for n in re.findall(r"^\[  PASSED  \] (\d+) test", out, re.M))
    failed = sum(int(n) for n in re.findall(r"^\[  FAILED  \] (\d+) test", out, re.M))
    return passed, failed


def count_unittest(out):
    ran = sum(int(n) for n in re.findall(r"^Ran (\d+) tests? in", out, re.M))
    failed = 0
    for m in re.finditer(r"^FAILED \((.*)\)$", out, re.M):
        for part in m.group(1).split(","):
            key, _, val = part.strip().partition("=")
            if key in ("failures", "errors"):
                failed += int(val)
    skipped = sum(int(n) for n in re.findall(r"^OK \(skipped=(\d+)\)$", out, re.M))
    return ran - failed - skipped, failed, skipped


def run(name, cmd, log_dir, env):
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace")
    elapsed = time.monotonic() - start
    with open(os.path.join(log_dir, name + ".log"), "w") as f:
        f.write(proc.stdout)
    return proc.returncode, proc.stdout, elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="the paydesk binary under test")
    ap.add_argument("--unit-dir", required=True)
    ap.add_argument("--tools-dir", help="test-only driver programs (PAYDESK_TOOLS_DIR)")
    ap.add_argument("--only", help="run only suites whose name contains this")
    args = ap.parse_args()

    log_dir = os.path.join(ROOT, "build", "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    env = dict(os.environ)
    env["PAYDESK_BIN"] = os.path.abspath(os.path.join(ROOT, args.bin))
    if args.tools_dir:
        env["PAYDESK_TOOLS_DIR"] = os.path.abspath(os.path.join(ROOT, args.tools_dir))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # Tests never touch the user's real files.
    env.pop("XDG_CONFIG_HOME", None)

    total_pass = total_fail = total_skip = 0
    broken = []
    suites = []
    unit_dir = os.path.join(ROOT, args.unit_dir)
    for prog in sorted(os.listdir(unit_dir)) if os.path.isdir(unit_dir) else []:
        if prog.startswith("test_") and os.access(os.path.join(unit_dir, prog), os.X_OK):
            suites.append(("unit/" + prog[5:], [os.path.join(unit_dir, prog)], count_cmocka))
    for name, start in PY_SUITES:
        d = os.path.join(ROOT, start)
        if os.path.isdir(d) and any(f.startswith("test_") and f.endswith(".py")
                                    for f in os.listdir(d)):
            cmd = [sys.executable, "-m", "unittest", "discover", "-s", start,
                   "-p", "test_*.py"]
            suites.append((name, cmd, lambda out: count_unittest(out)[:2]))

    for name, cmd, counter in suites:
        if args.only and args.only not in name:
            continue
        rc, out, elapsed = run(name.replace("/", "-"), cmd, log_dir, env)
        passed, failed = counter(out)
        if counter is not count_cmocka:
            total_skip += count_unittest(out)[2]
        if rc != 0 and failed == 0:
            failed = 1  # crashed or exited badly without reporting a failure
        total_pass += passed
        total_fail += failed
        status = "ok" if rc == 0 and failed == 0 else "FAIL"
        print(f"{status:4} {name:28} {passed:4} passed {failed:3} failed  {elapsed:6.1f}s",
              flush=True)
        if status == "FAIL":
            broken.append(name)
            sys.stdout.write(out[-20000:])
            sys.stdout.write("\n")
    if broken:
        print("failing suites: " + ", ".join(broken) + " (logs in build/test-logs/)")
    line = f"{total_pass} passed, {total_fail} failed"
    if total_skip:
        line += f", {total_skip} skipped"
    print(line)
    return 1 if total_fail or broken else 0


if __name__ == "__main__":
    sys.exit(main())
