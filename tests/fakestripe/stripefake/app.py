"""The fake's state and the request pipeline for /v1 calls.

Order of checks, as Stripe does it: parse -> auth (401) -> Stripe-Account (403) -> route (404)
-> permission (403) -> idempotency (replay / 400 conflict / 409 in flight) -> faults ->
validation (400, not saved) -> execute (saved for idempotency) -> expand.
"""
import json
import sys
import threading
import time
import traceback

from . import auth, formparse, idempotency, validator, expand
from .clock import Clock
from .context import Ctx
from .errors import StripeError, invalid, unrecognized_url, api_error
from .faults import Faults
from .ids import request_id
from .reqlog import RequestLog
from .resources import billing, load_all
from .spec import Spec
from .store import Store

DEFAULT_VERSION = "2022-11-15"
PLATFORM_ACCOUNT = "acct_1FakePlatform000"
LOG_BODY_MAX = 65536


class Request:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers        # case-insensitive mapping (email.message.Message)
        self.body = body


class Response:
    def __init__(self, status, body, headers=None, action=None):
        self.status = status
        self.body = body              # bytes
        self.headers = headers or []
        self.action = action          # None | "drop" | "truncate"


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_PRETTY = json.JSONEncoder(ensure_ascii=False, indent=2)


def dump(obj):
    """Objects are pretty-printed like Stripe's; lists and search results (up to 100 objects with
    expansions) use the C encoder without indentation, which is ~10x faster for big pages."""
    if isinstance(obj, dict) and obj.get("object") in ("list", "search_result"):
        return (_COMPACT.encode(obj) + "\n").encode("utf-8")
    return (_PRETTY.encode(obj) + "\n").encode("utf-8")


class App:
    def __init__(self, spec_path=None, platform_account=PLATFORM_ACCOUNT,
                 api_version=DEFAULT_VERSION, seed=None):
        self.spec = Spec(spec_path) if spec_path else Spec()
        self.handlers = load_all(self.spec)
        self.platform_account = platform_account
        self.api_version = api_version
        self.clock = Clock()
        self.keys = auth.KeyRegistry(platform_account)
        self.faults = Faults()
        self.log = RequestLog()
        self.idem = idempotency.IdempotencyStore()
        self.startup_seed = seed
        self.lock = threading.RLock()
        self._init_state()

    # -- state ---------------------------------------------------------------------------------

    def _init_state(self):
        from .resources.account import platform_account_object
        self.accounts = {self.platform_account: platform_account_object(self)}
        self.stores = {}
        self.billing_settings = dict(billing.DEFAULT_SETTINGS)
        # per account: the default API version its events are rendered in (versions.py)
        self.account_versions = {}

    def reset(self, reseed=True):
        with self.lock:
            self.clock.reset()
            self.keys.reset()
            self.faults.clear()
            self.log.clear()
            self.idem.reset()
            self._init_state()
        if reseed and self.startup_seed:
            from . import seed
            seed.load(self, self.startup_seed)

    def store_for(self, account_id, livemode=False):
        with self.lock:
            key = (account_id, livemode)
            if key not in self.stores:
                self.stores[key] = Store(account_id, livemode)
            return self.stores[key]

    def context(self, account_id=None, livemode=False, now=None):
        """A context for work done outside an HTTP request (seeding, control endpoints)."""
        store = self.store_for(account_id or self.platform_account, livemode)
        return Ctx(self, store, now if now is not None else self.clock.now())

    # -- pipeline ------------------------------------------------------------------------------

    def handle(self, req):
        rid = request_id()
        version = req.headers.get("Stripe-Version") or self.api_version
        idem_key = req.headers.get("Idempotency-Key")
        entry = self._log_entry(req, rid, idem_key)
        headers = [("Request-Id", rid), ("Stripe-Version", version)]
        if idem_key is not None:
            headers.append(("Idempotency-Key", idem_key))
        try:
            resp = self._handle(req, rid, idem_key, entry, headers)
        except StripeError as e:
            resp = Response(e.status, dump(e.body(rid)), headers + list(e.headers.items()))
        except Exception:            # a bug in the fake: say so loudly, answer like Stripe would
            traceback.print_exc(file=sys.stderr)
            resp = Response(500, dump(api_error().body(rid)), headers)
        entry["status"] = resp.status if resp.action != "drop" else None
        entry["response_action"] = resp.action
        # big list pages (100 expanded objects ≈ 300 KB) would make the log hold gigabytes
        entry["response_body"] = resp.body[:LOG_BODY_MAX].decode("utf-8", "replace")
        entry["response_body_truncated"] = len(resp.body) > LOG_BODY_MAX
        self.log.add(entry)
        return resp

    def _log_entry(self, req, rid, idem_key):
        hdrs = {k: v for k, v in req.headers.items() if k.lower() != "authorization"}
        key = auth.key_from_header(req.headers.get("Authorization"))
        auth_info = {"present": bool(key)}
        if key:
            prefix = key.split("_", 2)
            auth_info.update({
                "mode": prefix[1] if len(prefix) > 2 and prefix[1] in ("test", "live") else None,
                "type": {"sk": "secret", "rk": "restricted", "pk": "publishable"}.get(prefix[0]),
                "last4": key[-4:],
                "scheme": (req.headers.get("Authorization") or "").split(" ", 1)[0]})
        return {"request_id": rid, "time": self.clock.now(), "wall_time": time.time(),
                "method": req.method, "path": req.path, "query": req.query, "headers": hdrs,
                "auth": auth_info, "raw_body": req.body.decode("utf-8", "replace"),
                "params": None, "idempotency_key": idem_key,
                "stripe_account": req.headers.get("Stripe-Account"), "status": None,
                "fault": None, "replayed": False}

    def _parse(self, req):
        try:
            params, _ = formparse.parse(req.query)
            if req.body:
                body, _ = formparse.parse(req.body.decode("utf-8"))
                params.update(body)
        except UnicodeDecodeError:
            raise invalid("Invalid request: the body is not valid UTF-8 form encoding.")
        return params

    def _account_for(self, info, requested):
        if not requested or requested == info.account:
            return info.account
        acct = self.accounts.get(requested)
        if acct is None or acct.get("_parent") != info.account:
            raise StripeError(403, "invalid_request_error",
                              "The provided key '%s' does not have access to account '%s' (or "
                              "that account does not exist). Application access may have been "
                              "revoked." % (auth.mask(info.key), requested),
                              code="account_invalid")
        return requested

    def _handle(self, req, rid, idem_key, entry, headers):
        params = self._parse(req)
        entry["params"] = params
        info = self.keys.resolve(auth.key_from_header(req.headers.get("Authorization")))
        account_id = self._account_for(info, req.headers.get("Stripe-Account"))

        spec_path, values = self.spec.match_path(req.path)
        handler = self.handlers.get((req.method, spec_path)) if spec_path else None
        if handler is None:
            raise unrecognized_url(req.method, req.path)
        op = self.spec.operation(req.method, spec_path)
        self.keys.check_permission(info, auth.resource_for(spec_path), req.method != "GET",
                                   account_id)
        store = self.store_for(account_id, info.livemode)
        now = self.clock.now()

        scope = None
        if req.method == "POST" and idem_key is not None:
            if len(idem_key) > idempotency.MAX_KEY:
                raise invalid("Idempotency-Key must be at most %d characters long."
                              % idempotency.MAX_KEY)
            scope = (account_id, info.livemode, idem_key)
            fp = idempotency.fingerprint(req.method, req.path, params)
            endpoint = "%s %s" % (req.method, req.path)
            state, saved = self.idem.begin(scope, endpoint, fp, now)
            if state == "replay":
                entry["replayed"] = True
                return Response(saved.status, saved.body, headers + [
                    ("Idempotent-Replayed", "true"), ("Original-Request", saved.request_id)])
            if state == "conflict":
                raise self._idem_conflict(idem_key, saved, endpoint)
            if state == "in_flight":
                raise StripeError(409, "idempotency_error",
                                  "There is currently another in-progress request using this "
                                  "idempotent key (that probably means you submitted twice, and "
                                  "the other request is still going through): %s. Please try "
                                  "again later." % idem_key, code="idempotency_key_in_use")

        saved = None
        try:
            delay = self.faults.take_latency(req.method, req.path)
            if delay:
                time.sleep(delay / 1000.0)
            fault = self.faults.take_action(req.method, req.path)
            if fault is not None:
                entry["fault"] = fault.kind
                if not fault.execute:
                    return self._fault_response(fault, rid, headers, None)
            ctx = Ctx(self, store, self.clock.now(), rid, idem_key,
                      path_params=dict(zip(op.path_params, values)), key_info=info,
                      url=req.path)
            try:
                ctx.params = validator.validate(op.params_schema, params)
                for name, value in ctx.path_params.items():
                    if len(value) > 5000:
                        raise invalid("Invalid string: must be at most 5000 characters",
                                      param=name)
            except StripeError as e:
                if fault is None:
                    raise
                # the fault still decides what reaches the client
                return self._fault_response(fault, rid, headers, dump(e.body(rid)))
            status, body = self._execute(handler, ctx)
            if scope is not None:
                saved = idempotency.Saved(fp, endpoint, status, body, rid, now)
            if fault is not None:
                return self._fault_response(fault, rid, headers, body)
            return Response(status, body, headers)
        finally:
            if scope is not None:
                self.idem.finish(scope, saved)

    def _execute(self, handler, ctx):
        """Runs the handler; StripeErrors raised here reached execution, so they are saved."""
        with ctx.store.lock:
            try:
                billing.catch_up(ctx)       # renewals etc. due on the fake clock
                result = handler(ctx)
                result = expand.apply(ctx, result, ctx.params.get("expand"))
                return 200, dump(result)
            except StripeError as e:
                return e.status, dump(e.body(ctx.request_id))

    def _idem_conflict(self, key, saved, endpoint):
        if saved.endpoint != endpoint:
            msg = ("Keys for idempotent requests can only be used for the same endpoint they were "
                   "first used for ('%s' vs '%s'). Try using a key other than '%s' if you meant "
                   "to execute a different request." % (saved.endpoint, endpoint, key))
        else:
            msg = ("Keys for idempotent requests can only be used with the same parameters they "
                   "were first used with. Try using a key other than '%s' if you meant to execute "
                   "a different request." % key)
        return StripeError(400, "idempotency_error", msg)

    def _fault_response(self, fault, rid, headers, body):
        if fault.kind == "drop":
            return Response(0, b"", headers, action="drop")
        if fault.kind == "truncated":
            body = body or dump({"object": "fake_truncated"})
            return Response(200, body, headers, action="truncate")
        if fault.kind == "malformed_json":
            # a complete HTTP response whose body is cut mid-object: not parseable JSON
            body = body or dump({"object": "fake_malformed"})
            return Response(fault.status, body[: len(body) // 2] + b"\x00<html>", headers)
        extra = []
        if fault.kind == "rate_limit":
            err = StripeError(429, "invalid_request_error", fault.message or
                              "Too many requests hit the API too quickly. We recommend an "
                              "exponential backoff of your requests.", code="rate_limit")
            extra.append(("Retry-After", str(fault.retry_after)))
            should = "true" if fault.should_retry is None else str(bool(fault.should_retry)).lower()
        else:
            err = api_error(fault.status, fault.message)
            should = None if fault.should_retry is None else str(bool(fault.should_retry)).lower()
            if should is None and fault.status == 503:
                should = "true"
        if should is not None:
            extra.append(("Stripe-Should-Retry", should))
        return Response(err.status, dump(err.body(rid)), headers + extra)
