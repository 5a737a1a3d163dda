#!/usr/bin/env python3
"""Stripe-compatible fake API server for paydesk's tests.

    python3 tests/fakestripe/fakestripe.py --port 0 [--seed FILE.json] [--latency-ms N]
                                           [--fault JSON]... [--platform-account acct_...]

Prints exactly "listening on 127.0.0.1:PORT" once ready. Control API: /_fake/... (README.md).
"""
import argparse
import json
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stripefake import seed as seeding          # noqa: E402
from stripefake.app import App, DEFAULT_VERSION, PLATFORM_ACCOUNT   # noqa: E402
from stripefake.server import HOST, Server      # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=12111, help="TCP port on 127.0.0.1 (0 = any free)")
    ap.add_argument("--seed", help="JSON seed file loaded at start-up and after each reset")
    ap.add_argument("--spec", help="OpenAPI file (default: spec/openapi-subset.json)")
    ap.add_argument("--platform-account", default=PLATFORM_ACCOUNT)
    ap.add_argument("--api-version", default=DEFAULT_VERSION,
                    help="Stripe-Version sent back when the request names none")
    ap.add_argument("--latency-ms", type=int, default=0, help="delay every API request")
    ap.add_argument("--fault", action="append", default=[],
                    help='fault rule as JSON, e.g. \'{"kind":"error","status":503,"count":2}\'')
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    seed = None
    if args.seed:
        with open(args.seed, "r", encoding="utf-8") as f:
            seed = json.load(f)
    app = App(spec_path=args.spec, platform_account=args.platform_account,
              api_version=args.api_version, seed=seed)
    if seed:
        seeding.load(app, seed)
    if args.latency_ms:
        app.faults.add(kind="latency", ms=args.latency_ms)
    for rule in args.fault:
        app.faults.add(**json.loads(rule))

    server = Server(app, args.port)

    def stop(signum, frame):
        # shutdown() blocks until serve_forever returns, so it must run in another thread
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("listening on %s:%d" % (HOST, server.server_address[1]), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
