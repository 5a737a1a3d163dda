"""Helper for tests: start the fake Stripe server as a subprocess and talk to it.

    from fakeclient import FakeStripe
    with FakeStripe() as fake:                      # port 0, waits for "listening on ..."
        fake.add_key("rk_test_nopi", {"payment_intents": "read"})
        r = fake.api("POST", "/v1/payment_intents", {"amount": 500, "currency": "usd"})
        assert r.status == 200 and r.json()["status"] == "requires_payment_method"
        assert fake.counts()["payment_intent"] == 1

Standard library only; usable from unittest, e2e scripts and the C test harness (which can run
`python3 tests/fakestripe/fakestripe.py --port 0` itself and read the same first line).
"""
import base64
import http.client
import json
import os
import re
import select
import signal
import subprocess
import sys
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fakestripe.py")
DEFAULT_KEY = "sk_test_fakepaydesk0000000000000000"
_LISTEN = re.compile(r"^listening on (127\.0\.0\.1):(\d+)$")


def encode(params, prefix=None):
    """Stripe form encoding: nested dicts as a[b], lists as a[0], booleans as true/false."""
    if params is None:
        return ""
    if isinstance(params, str):
        return params
    pairs = []

    def walk(value, key):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, "%s[%s]" % (key, k) if key else str(k))
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(v, "%s[%d]" % (key, i))
        else:
            if isinstance(value, bool):
                value = "true" if value else "false"
            pairs.append("%s=%s" % (quote(key, safe="[]"), quote(str(value), safe="")))

    if isinstance(params, (list, tuple)):      # explicit (key, value) pairs, sent as given
        return "&".join("%s=%s" % (quote(k, safe="[]"), quote(str(v), safe="")) for k, v in params)
    walk(params, prefix)
    return "&".join(pairs)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # dict with lower-case names
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return "<Response %s %s>" % (self.status, self.body[:200])


class FakeStripe:
    def __init__(self, seed_file=None, extra_args=(), startup_timeout=10.0, stderr=None):
        self.seed_file = seed_file
        self.stderr = stderr  # a file for the server's own messages (None: inherited)
        self.extra_args = list(extra_args)
        self.startup_timeout = startup_timeout
        self.proc = None
        self.host = None
        self.port = None

    # -- process -------------------------------------------------------------------------------

    def start(self):
        cmd = [sys.executable, SERVER, "--port", "0"] + self.extra_args
        if self.seed_file:
            cmd += ["--seed", self.seed_file]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     stderr=self.stderr)
        ready, _, _ = select.select([self.proc.stdout], [], [], self.startup_timeout)
        line = self.proc.stdout.readline().decode().strip() if ready else ""
        m = _LISTEN.match(line)
        if not m:
            self.stop()
            raise RuntimeError("fake stripe did not start (got %r)" % line)
        self.host, self.port = m.group(1), int(m.group(2))
        return self

    def stop(self):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        code, self.proc = self.proc.returncode, None
        return code

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        return "http://%s:%d" % (self.host, self.port)

    # -- HTTP ----------------------------------------------------------------------------------

    def raw(self, method, path, body=b"", headers=None, timeout=30):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        finally:
            conn.close()

    def api(self, method, path, params=None, key=DEFAULT_KEY, idempotency_key=None,
            stripe_account=None, stripe_version=None, headers=None, auth="bearer", timeout=30):
        """A Stripe API call. params: dict (nested, form-encoded), list of pairs, or raw str."""
        hdrs = {}
        if key is not None:
            if auth == "basic":
                hdrs["Authorization"] = "Basic " + base64.b64encode((key + ":").encode()).decode()
            else:
                hdrs["Authorization"] = "Bearer " + key
        if idempotency_key is not None:
            hdrs["Idempotency-Key"] = idempotency_key
        if stripe_account:
            hdrs["Stripe-Account"] = stripe_account
        if stripe_version:
            hdrs["Stripe-Version"] = stripe_version
        hdrs.update(headers or {})
        encoded = encode(params)
        if method == "POST":
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
            return self.raw(method, path, encoded.encode(), hdrs, timeout)
        if encoded:
            path += ("&" if "?" in path else "?") + encoded
        return self.raw(method, path, b"", hdrs, timeout)

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        r = self.raw(method, "/_fake" + path, data, {"Content-Type": "application/json"})
        if r.status != 200:
            raise RuntimeError("control %s %s -> %d %s" % (method, path, r.status, r.body))
        return r.json()

    # -- control wrappers ----------------------------------------------------------------------

    def reset(self, reseed=True):
        return self.control("POST", "/reset", {"reseed": reseed})

    def add_fault(self, kind, **kw):
        return self.control("POST", "/faults", dict(kw, kind=kind))["faults"][0]

    def clear_faults(self):
        return self.control("DELETE", "/faults")

    def requests(self, method=None, path_prefix=None, since=0):
        q = "&".join("%s=%s" % (k, quote(str(v))) for k, v in
                     (("method", method), ("path_prefix", path_prefix), ("since", since)) if v)
        return self.control("GET", "/requests" + ("?" + q if q else ""))["requests"]

    def clear_requests(self):
        return self.control("DELETE", "/requests")

    def add_key(self, key, permissions=None, account=None, default=None, **kw):
        body = dict(kw, key=key, permissions=permissions or {})
        if account:
            body["account"] = account
        if default:
            body["default"] = default
        return self.control("POST", "/keys", body)

    def add_account(self, **fields):
        return self.control("POST", "/accounts", fields)

    def set_clock(self, now, frozen=True):
        return self.control("POST", "/clock", {"now": now, "frozen": frozen})

    def set_api_version(self, version, account=None):
        """The account's default API version: events come in its shape (None: the pinned one)."""
        body = {"api_version": version}
        if account:
            body["account"] = account
        return self.control("POST", "/api_version", body)

    def advance_clock(self, seconds):
        return self.control("POST", "/clock", {"advance": seconds})

    def seed(self, data):
        return self.control("POST", "/seed", data)

    def counts(self, account=None):
        return self.control("GET", "/state/counts" + ("?account=" + account if account else ""))["counts"]

    def object(self, obj_id, account=None):
        return self.control("GET", "/objects/" + obj_id + ("?account=" + account if account else ""))

    def authenticate(self, pi_id, outcome="succeed"):
        return self.control("POST", "/payment_intents/%s/authenticate" % pi_id, {"outcome": outcome})
