#!/usr/bin/env python3
"""`make demo`: paydesk in training mode. Starts the local fake Stripe with
sample data, connects a throwaway paydesk database to it (test mode, a demo
restricted key), opens paydesk, and cleans everything up on quit. Nothing
here can reach real Stripe or charge anyone."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakestripe"))

from fakeclient import FakeStripe  # noqa: E402

DEMO_PASSPHRASE = "training mode passphrase"
DEMO_ADMIN, DEMO_ADMIN_PIN = "Demo admin", "1357"
DEMO_STAFF, DEMO_STAFF_PIN = "Sam", "2468"
DEMO_KEY = "rk_test_51TrainingModeDemoKey0000000"
DEMO_PUBLISHABLE = "pk_test_51TrainingModeDemoKey0000000"
PLATFORM = "acct_1FakePlatform000"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "paydesk"))
    ap.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    args = ap.parse_args()

    seeds = os.path.join(ROOT, "tests", "fakestripe", "seeds")
    seed = os.path.join(seeds, "training.json")
    if not os.path.exists(seed):
        seed = os.path.join(seeds, "sample.json")
    home = tempfile.mkdtemp(prefix="paydesk-demo-")
    env = dict(os.environ)
    env.update({
        "XDG_DATA_HOME": os.path.join(home, "data"),
        "XDG_STATE_HOME": os.path.join(home, "state"),
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "PAYDESK_PASSPHRASE": DEMO_PASSPHRASE,
    })
    fake = FakeStripe(seed_file=seed).start()
    try:
        env["PAYDESK_API_BASE"] = fake.base_url
        print(f"paydesk training mode: fake Stripe at {fake.base_url} ({os.path.basename(seed)}),"
              f" throwaway data in {home}")
        setup = subprocess.run(
            [args.bin, "setup", "--account", PLATFORM, "--publishable", DEMO_PUBLISHABLE,
             "--bill-with-stripe", "on", "--payment-at-booking", "optional"],
            input=DEMO_KEY + "\n", text=True, env=env, capture_output=True)
        if setup.returncode != 0:
            sys.stderr.write(setup.stderr)
            sys.exit("demo: could not connect paydesk to the fake Stripe")
        # A demo admin (signed in at start) and a staff member whose PIN the
        # lock screen shows, so a newcomer is never stuck at a prompt.
        as_admin = ["--as", DEMO_ADMIN]
        steps = [(["users", "add", "--name", DEMO_ADMIN, "--role", "admin"], DEMO_ADMIN_PIN),
                 (["users", "add", "--name", DEMO_STAFF, "--role", "staff"] + as_admin,
                  DEMO_STAFF_PIN),
                 (["users", "lock-hint", f"Training mode: staff {DEMO_STAFF}, PIN "
                   f"{DEMO_STAFF_PIN} · admin '{DEMO_ADMIN}', PIN {DEMO_ADMIN_PIN}"]
                  + as_admin, "")]
        for argv, stdin in steps:
            out = subprocess.run([args.bin] + argv, input=stdin + "\n", text=True,
                                 capture_output=True, env={**env, "PAYDESK_PIN": DEMO_ADMIN_PIN})
            if out.returncode != 0:
                sys.stderr.write(out.stderr)
                sys.exit("demo: could not create the demo users")
        env.update({"PAYDESK_SIGN_IN": DEMO_ADMIN, "PAYDESK_PIN": DEMO_ADMIN_PIN})
        status = subprocess.call([args.bin], env=env)
    finally:
        fake.stop()
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
