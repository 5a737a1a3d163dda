"""Accounts: GET /v1/account, and Connect (Express) connected accounts of the platform.

Connected accounts live in app.accounts (so Stripe-Account can name them) and in the platform's
store (so GET /v1/accounts lists them). account.updated events are recorded on the connected
account itself (event.account = acct_…), where Stripe delivers Connect events.
"""
from . import route
from .common import apply_metadata, list_url
from ..errors import invalid, not_found, StripeError
from ..ids import new_id
from ..listing import list_response
from ..store import clone

ONBOARDING_DUE = ["business_profile.mcc", "business_profile.url", "business_type",
                  "external_account", "individual.address.city", "individual.address.line1",
                  "individual.address.postal_code", "individual.address.state",
                  "individual.dob.day", "individual.dob.month", "individual.dob.year",
                  "individual.email", "individual.first_name", "individual.last_name",
                  "individual.phone", "individual.ssn_last_4", "tos_acceptance.date",
                  "tos_acceptance.ip"]


def _requirements(due=()):
    due = list(due)
    return {"alternatives": [], "current_deadline": None, "currently_due": due,
            "disabled_reason": "requirements.past_due" if due else None, "errors": [],
            "eventually_due": list(due), "past_due": list(due), "pending_verification": []}


def _account(app, acct_id, kind, overrides):
    name = overrides.get("business_name", "Paydesk Test Salon")
    caps = overrides.get("capabilities")
    if caps is None:
        caps = {"card_payments": "active", "transfers": "active"}
    acct = {
        "id": acct_id, "object": "account",
        "business_profile": {"mcc": None, "name": name,
                             "product_description": None, "support_address": None,
                             "support_email": None, "support_phone": None, "support_url": None,
                             "url": None},
        "business_type": overrides.get("business_type", "company"),
        "capabilities": dict(caps),
        "charges_enabled": overrides.get("charges_enabled", True),
        "controller": {"type": "application", "is_controller": True} if kind != "standard" else None,
        "country": overrides.get("country", "US"),
        "created": overrides.get("created", app.clock.now()),
        "default_currency": overrides.get("default_currency", "usd"),
        "details_submitted": overrides.get("details_submitted", True),
        "email": overrides.get("email", "owner@example.com"),
        "metadata": overrides.get("metadata", {}),
        "payouts_enabled": overrides.get("payouts_enabled", True),
        "requirements": _requirements(overrides.get("currently_due", ())),
        "settings": {"dashboard": {"display_name": overrides.get("display_name", name),
                                   "timezone": overrides.get("timezone", "Etc/UTC")}},
        "tos_acceptance": {"date": None},
        "type": kind,
    }
    if acct["controller"] is None:
        del acct["controller"]
    return acct


def platform_account_object(app, overrides=None):
    return _account(app, app.platform_account, "standard", overrides or {})


def connected_account_object(app, body):
    """Registers a connected account of the platform (control API / seed / POST /v1/accounts)."""
    acct_id = body.get("id") or new_id("acct_1", 15)
    acct = _account(app, acct_id, body.get("type", "express"), body)
    acct["_parent"] = app.platform_account
    app.accounts[acct_id] = acct
    # the platform lists its connected accounts through GET /v1/accounts
    platform = app.store_for(app.platform_account)
    with platform.lock:
        if platform.get(acct_id) is None:
            platform.insert(acct)
    return acct


def _connected(ctx, acct_id, param=None):
    acct = ctx.app.accounts.get(acct_id)
    if acct is None or acct.get("_parent") != ctx.account_id:
        if param:
            raise invalid("No such account: '%s'" % acct_id, param=param, code="resource_missing")
        raise StripeError(403, "invalid_request_error",
                          "The provided key does not have access to account '%s' (or that account "
                          "does not exist). Application access may have been revoked." % acct_id,
                          code="account_invalid")
    return acct


def account_event(ctx, acct, previous):
    """account.updated, recorded on the connected account (where Connect events live)."""
    sub = ctx.app.context(acct["id"], ctx.livemode, now=ctx.now)
    sub.request_id, sub.idempotency_key = ctx.request_id, ctx.idempotency_key
    sub.event("account.updated", acct, previous)


def set_onboarding(ctx, acct, complete=True, currently_due=None, details_submitted=None):
    """Plays the account holder finishing (or not finishing) Stripe's hosted onboarding."""
    before = clone(acct)
    if complete:
        acct["details_submitted"] = True
        acct["charges_enabled"] = acct["payouts_enabled"] = True
        acct["requirements"] = _requirements()
        acct["capabilities"] = {k: "active" for k in acct["capabilities"]}
        acct["tos_acceptance"] = {"date": ctx.now, "ip": "127.0.0.1", "user_agent": "fakestripe"}
    else:
        due = ONBOARDING_DUE if currently_due is None else list(currently_due)
        acct["details_submitted"] = bool(details_submitted)
        acct["charges_enabled"] = acct["payouts_enabled"] = False
        acct["requirements"] = _requirements(due)
        acct["capabilities"] = {k: "inactive" for k in acct["capabilities"]}
    after = clone(acct)
    previous = {k: before[k] for k in after if before.get(k) != after[k]}
    if previous:
        account_event(ctx, acct, previous)
    return acct


_PROFILE = ("mcc", "name", "product_description", "support_email", "support_phone",
            "support_url", "url")


def _apply(ctx, acct, p):
    for k in ("email", "business_type", "default_currency"):
        if k in p:
            acct[k] = p[k] or None
    for k, v in (p.get("business_profile") or {}).items():
        if k in _PROFILE:
            acct["business_profile"][k] = v or None
    dash = ((p.get("settings") or {}).get("dashboard") or {})
    if "display_name" in dash:
        acct["settings"]["dashboard"]["display_name"] = dash["display_name"] or None
    if "timezone" in dash:
        acct["settings"]["dashboard"]["timezone"] = dash["timezone"]
    for cap, want in (p.get("capabilities") or {}).items():
        requested = isinstance(want, dict) and want.get("requested")
        if requested:
            acct["capabilities"].setdefault(
                cap, "active" if acct["details_submitted"] and acct["charges_enabled"]
                else "inactive")
        elif isinstance(want, dict) and want.get("requested") is False:
            acct["capabilities"].pop(cap, None)
    apply_metadata(acct, p.get("metadata"))


@route("GET", "/v1/account")
def retrieve(ctx):
    return clone(ctx.app.accounts[ctx.account_id])


@route("POST", "/v1/accounts")
def create(ctx):
    p = ctx.params
    if ctx.app.accounts.get(ctx.account_id, {}).get("_parent"):
        raise invalid("Connected accounts cannot create other connected accounts.")
    kind = p.get("type") or "standard"
    acct = connected_account_object(ctx.app, {
        "type": kind, "country": (p.get("country") or "US").upper(), "created": ctx.now,
        "email": p.get("email"), "business_type": p.get("business_type"),
        "business_name": (p.get("business_profile") or {}).get("name"),
        "default_currency": p.get("default_currency") or "usd",
        "charges_enabled": False, "payouts_enabled": False, "details_submitted": False,
        "currently_due": ONBOARDING_DUE, "capabilities": {}})
    acct["livemode"] = ctx.livemode
    _apply(ctx, acct, p)
    if not acct["capabilities"] and kind != "standard":
        acct["capabilities"] = {"card_payments": "inactive", "transfers": "inactive"}
    return clone(acct)


@route("GET", "/v1/accounts/{account}")
def retrieve_connected(ctx):
    acct_id = ctx.path_params["account"]
    if acct_id == ctx.account_id:
        return clone(ctx.app.accounts[acct_id])
    return clone(_connected(ctx, acct_id))


@route("POST", "/v1/accounts/{account}")
def update(ctx):
    acct = _connected(ctx, ctx.path_params["account"])
    before = clone(acct)
    _apply(ctx, acct, ctx.params)
    after = clone(acct)
    previous = {k: before[k] for k in after if before.get(k) != after[k]}
    if previous:
        account_event(ctx, acct, previous)
    return after


@route("DELETE", "/v1/accounts/{account}")
def delete(ctx):
    acct = _connected(ctx, ctx.path_params["account"])
    if ctx.livemode and acct["type"] == "standard":
        raise invalid("Standard accounts cannot be deleted through the API in live mode.")
    del ctx.app.accounts[acct["id"]]
    ctx.store.unlist(acct["id"])
    ctx.store.objects[acct["id"]] = {"id": acct["id"], "object": "account", "deleted": True}
    return {"id": acct["id"], "object": "account", "deleted": True}


@route("GET", "/v1/accounts")
def list_(ctx):
    return list_response(ctx.store, "account", ctx.params, list_url(ctx),
                         lambda a: not a.get("deleted"))


@route("POST", "/v1/account_links")
def account_link(ctx):
    p = ctx.params
    acct = _connected(ctx, p["account"], param="account")
    for name in ("refresh_url", "return_url"):
        # optional in the spec; Stripe's reference (and its server) require both
        if not p.get(name):
            raise invalid("Missing required param: %s." % name, param=name,
                          code="parameter_missing")
    if p["type"] == "account_update" and acct["type"] != "custom":
        raise invalid("You cannot create `account_update` type Account Links for Express or "
                      "Standard accounts.", param="type")
    return {"object": "account_link", "created": ctx.now, "expires_at": ctx.now + 300,
            "url": "https://connect.stripe.com/setup/e/%s/%s" % (acct["id"], ctx.new_id("")[:12])}


@route("POST", "/v1/accounts/{account}/login_links")
def login_link(ctx):
    acct = _connected(ctx, ctx.path_params["account"])
    if acct["type"] != "express":
        raise invalid("Cannot create a login link for an account that is not an Express account.",
                      param="account")
    if not acct["details_submitted"]:
        raise invalid("Cannot create a login link for an account that has not completed "
                      "onboarding.", param="account")
    return {"object": "login_link", "created": ctx.now,
            "url": "https://connect.stripe.com/express/%s" % ctx.new_id("")[:12]}


def not_found_account(acct_id):
    return not_found("account", acct_id)
