"""The /_fake/... control API used by tests (JSON in, JSON out, no Stripe auth).

The server only listens on 127.0.0.1, so "loopback only" holds by construction.
See README.md for the full list.
"""
import json
import re
from urllib.parse import parse_qs

from . import seed as seeding
from .app import Response, dump
from .errors import StripeError
from .store import clone

ROUTES = []


def route(method, pattern):
    regex = re.compile("^/_fake" + pattern + "$")

    def deco(fn):
        ROUTES.append((method, regex, fn))
        return fn
    return deco


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def handle(app, req):
    try:
        body = json.loads(req.body.decode("utf-8")) if req.body.strip() else {}
    except ValueError:
        return Response(400, dump({"error": "body must be JSON"}))
    query = {k: v[-1] for k, v in parse_qs(req.query).items()}
    for method, regex, fn in ROUTES:
        m = regex.match(req.path)
        if m and method == req.method:
            try:
                return Response(200, dump(fn(app, body, query, *m.groups())))
            except (ControlError, ValueError, TypeError, KeyError) as e:
                status = getattr(e, "status", 400)
                return Response(status, dump({"error": str(e)}))
            except StripeError as e:
                return Response(e.status, dump(e.body()))
    return Response(404, dump({"error": "no control endpoint %s %s" % (req.method, req.path)}))


def _store(app, query_or_body):
    account = query_or_body.get("account") or app.platform_account
    livemode = str(query_or_body.get("livemode", "false")).lower() == "true"
    return app.store_for(account, livemode)


@route("GET", "/health")
def health(app, body, query):
    return {"ok": True, "platform_account": app.platform_account, "api_version": app.api_version}


@route("POST", "/reset")
def reset(app, body, query):
    app.reset(reseed=body.get("reseed", True))
    return {"ok": True}


# -- faults ------------------------------------------------------------------------------------

@route("GET", "/faults")
def faults_list(app, body, query):
    return {"faults": app.faults.list()}


@route("POST", "/faults")
def faults_add(app, body, query):
    specs = body if isinstance(body, list) else body.get("faults", [body])
    return {"faults": [app.faults.add(**spec).describe() for spec in specs]}


@route("DELETE", "/faults")
def faults_clear(app, body, query):
    app.faults.clear()
    return {"ok": True}


@route("DELETE", "/faults/([^/]+)")
def faults_remove(app, body, query, fault_id):
    if not app.faults.remove(fault_id):
        raise ControlError(404, "no fault %s" % fault_id)
    return {"ok": True}


# -- request log -------------------------------------------------------------------------------

@route("GET", "/requests")
def requests_list(app, body, query):
    return {"requests": app.log.query(query.get("method"), query.get("path_prefix"),
                                      int(query.get("since", 0)))}


@route("DELETE", "/requests")
def requests_clear(app, body, query):
    app.log.clear()
    return {"ok": True}


# -- keys, accounts, config ----------------------------------------------------------------------

@route("GET", "/keys")
def keys_list(app, body, query):
    return {"keys": app.keys.list(), "accept_any_test_key": app.keys.accept_any_test_key}


@route("POST", "/keys")
def keys_add(app, body, query):
    account = body.get("account")
    if account and account not in app.accounts:
        raise ControlError(400, "unknown account %s (register it with POST /_fake/accounts)"
                           % account)
    info = app.keys.register(body["key"], account=account, permissions=body.get("permissions"),
                             default=body.get("default"), revoked=body.get("revoked", False),
                             expired=body.get("expired", False))
    return {"key": info.describe(), "permissions": info.permissions, "default": info.default}


@route("POST", "/config")
def config(app, body, query):
    if "accept_any_test_key" in body:
        app.keys.accept_any_test_key = bool(body["accept_any_test_key"])
    return {"accept_any_test_key": app.keys.accept_any_test_key}


@route("POST", "/accounts")
def accounts_add(app, body, query):
    from .resources.account import connected_account_object
    acct = connected_account_object(app, body)
    return clone(acct)


@route("POST", "/api_version")
def api_version_set(app, body, query):
    """The account's default API version ({"api_version": "2026-09-30.endive", "account": …};
    null: the pinned one): events are rendered in its shape (versions.py)."""
    from .versions import PINNED
    account = body.get("account") or app.platform_account
    if account not in app.accounts:
        raise ControlError(400, "unknown account %s" % account)
    version = body.get("api_version")
    if version is not None and not re.match(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$", str(version)):
        raise ControlError(400, "api_version must look like 2026-09-30.endive")
    if version in (None, PINNED):
        app.account_versions.pop(account, None)
    else:
        app.account_versions[account] = version
    return {"account": account, "api_version": version or PINNED}


# -- clock ---------------------------------------------------------------------------------------

@route("GET", "/clock")
def clock_get(app, body, query):
    return app.clock.state()


@route("POST", "/clock")
def clock_set(app, body, query):
    if "now" in body:
        app.clock.set(int(body["now"]), frozen=body.get("frozen", True))
    if "advance" in body:
        app.clock.advance(int(body["advance"]))
    if body.get("frozen") is False and "now" not in body:
        app.clock.unfreeze()
    return app.clock.state()


# -- data ----------------------------------------------------------------------------------------

@route("POST", "/seed")
def seed(app, body, query):
    return seeding.load(app, body)


@route("GET", "/state/counts")
def counts(app, body, query):
    store = _store(app, query)
    with store.lock:
        found = store.counts()
    known = ("account", "balance_transaction", "charge", "customer", "event", "payment_intent",
             "payment_method", "refund")
    result = {t: 0 for t in known}
    result.update(found)
    return {"account": store.account_id, "livemode": store.livemode, "counts": result,
            "idempotency_keys": app.idem.count()}


@route("GET", "/objects/([^/]+)")
def object_get(app, body, query, obj_id):
    store = _store(app, query)
    with store.lock:
        obj = store.get(obj_id)
        if obj is None:
            raise ControlError(404, "no object %s" % obj_id)
        return clone(obj)


@route("POST", "/accounts/([^/]+)/onboarding")
def account_onboarding(app, body, query, acct_id):
    """The connected account's owner finishes (complete=true) or abandons Stripe onboarding."""
    from .resources.account import set_onboarding
    acct = app.accounts.get(acct_id)
    if acct is None or not acct.get("_parent"):
        raise ControlError(404, "no connected account %s" % acct_id)
    store = app.store_for(app.platform_account)
    with store.lock:
        ctx = app.context(app.platform_account)
        set_onboarding(ctx, acct, complete=body.get("complete", True),
                       currently_due=body.get("currently_due"),
                       details_submitted=body.get("details_submitted", False))
        return clone(acct)


def _locked_ctx(app, body):
    store = _store(app, body)
    return store, app.context(store.account_id, store.livemode)


@route("POST", "/checkout/sessions/([^/]+)/complete")
def checkout_complete(app, body, query, cs_id):
    """The client pays (payment mode) or saves a card (setup mode) on the hosted page."""
    from .resources import checkout
    store, ctx = _locked_ctx(app, body)
    with store.lock:
        return clone(checkout.complete_session(ctx, cs_id, body))


@route("POST", "/checkout/sessions/([^/]+)/expire")
def checkout_expire(app, body, query, cs_id):
    """The session runs out (as if expires_at passed) without the client paying."""
    from .resources import checkout
    store, ctx = _locked_ctx(app, body)
    with store.lock:
        from .resources.common import fetch
        return clone(checkout.expire_session(ctx, fetch(ctx, "checkout.session", cs_id)))


@route("POST", "/disputes/([^/]+)/close")
def dispute_close(app, body, query, dp_id):
    """The card network decides a dispute: {"status": "won"|"lost", "account"}."""
    from .resources import disputes
    store, ctx = _locked_ctx(app, body)
    with store.lock:
        return clone(disputes.close_dispute(ctx, dp_id, body.get("status")))


@route("POST", "/payouts/run")
def payouts_run(app, body, query):
    """The automatic payout schedule runs now: {"currency"?, "account"?} -> {"payouts": [...]}."""
    from .resources import payouts
    store, ctx = _locked_ctx(app, body)
    with store.lock:
        return {"payouts": [clone(p) for p in payouts.run_schedule(ctx, body.get("currency"))]}


@route("POST", "/payouts/([^/]+)/status")
def payout_status(app, body, query, po_id):
    """The bank's side: {"status": "in_transit"|"paid"|"failed", "account"?}."""
    from .resources import payouts
    store, ctx = _locked_ctx(app, body)
    with store.lock:
        return clone(payouts.set_status(ctx, po_id, body.get("status")))


@route("POST", "/balance/adjustments")
def balance_adjustment(app, body, query):
    """Stripe adjusts the balance (a fee correction, a reserve): {"amount", "currency",
    "description"?, "account"?} -> the balance transaction (type adjustment)."""
    from .resources.balance import create_txn
    store, ctx = _locked_ctx(app, body)
    if not isinstance(body.get("amount"), int) or not body.get("currency"):
        raise ValueError("amount (integer, minor units) and currency are required")
    with store.lock:
        return clone(create_txn(ctx, None, body["amount"], body["currency"].lower(),
                                "adjustment", body.get("description") or "Balance adjustment",
                                immediate=True))


@route("POST", "/setup_intents/([^/]+)/authenticate")
def si_authenticate(app, body, query, si_id):
    """The customer completes (or fails) 3-D Secure for a requires_action SetupIntent."""
    from .resources import setup_intents
    store, ctx = _locked_ctx(app, body)
    with store.lock:
        return setup_intents.complete_authentication(ctx, si_id, body.get("outcome", "succeed"))


@route("GET", "/billing")
def billing_get(app, body, query):
    from .resources import billing
    return billing.settings(app)


@route("POST", "/billing")
def billing_set(app, body, query):
    """Subscription retry rules: {"retry_days": [3, 5, 7], "after_retries": "canceled|unpaid|
    past_due", "invoice_after_retries": "open|uncollectible"}."""
    from .resources import billing
    s = billing.settings(app)
    for k, v in body.items():
        if k not in billing.DEFAULT_SETTINGS:
            raise ControlError(400, "unknown billing setting %s" % k)
        if k == "after_retries" and v not in ("canceled", "unpaid", "past_due"):
            raise ControlError(400, "after_retries must be canceled, unpaid or past_due")
        if k == "invoice_after_retries" and v not in ("open", "uncollectible"):
            raise ControlError(400, "invoice_after_retries must be open or uncollectible")
        if k == "retry_days" and not all(isinstance(d, int) and d > 0 for d in v):
            raise ControlError(400, "retry_days must be positive integers")
        s[k] = v
    return s


@route("POST", "/payment_intents/([^/]+)/authenticate")
def pi_authenticate(app, body, query, pi_id):
    """Plays the customer finishing (or failing) 3-D Secure for a requires_action PI."""
    from .resources import payment_intents
    store = _store(app, body)
    with store.lock:
        ctx = app.context(store.account_id, store.livemode)
        return payment_intents.complete_authentication(ctx, pi_id, body.get("outcome", "succeed"))
