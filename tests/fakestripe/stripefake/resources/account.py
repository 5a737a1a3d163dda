"""GET /v1/account and the account objects behind Stripe-Account."""
from . import route
from ..ids import new_id
from ..store import clone


def _account(app, acct_id, kind, overrides):
    acct = {
        "id": acct_id, "object": "account",
        "business_profile": {"mcc": None, "name": overrides.get("business_name", "Paydesk Test Salon"),
                             "product_description": None, "support_address": None,
                             "support_email": None, "support_phone": None, "support_url": None,
                             "url": None},
        "business_type": overrides.get("business_type", "company"),
        "capabilities": {"card_payments": "active", "transfers": "active"},
        "charges_enabled": overrides.get("charges_enabled", True),
        "controller": {"type": "application", "is_controller": True} if kind != "standard" else None,
        "country": overrides.get("country", "US"),
        "created": overrides.get("created", app.clock.now()),
        "default_currency": overrides.get("default_currency", "usd"),
        "details_submitted": overrides.get("details_submitted", True),
        "email": overrides.get("email", "owner@example.com"),
        "metadata": overrides.get("metadata", {}),
        "payouts_enabled": overrides.get("payouts_enabled", True),
        "requirements": {"alternatives": [], "current_deadline": None, "currently_due": [],
                         "disabled_reason": None, "errors": [], "eventually_due": [],
                         "past_due": [], "pending_verification": []},
        "settings": {"dashboard": {"display_name": overrides.get("business_name",
                                                                 "Paydesk Test Salon"),
                                   "timezone": "Etc/UTC"}},
        "type": kind,
    }
    if acct["controller"] is None:
        del acct["controller"]
    return acct


def platform_account_object(app):
    return _account(app, app.platform_account, "standard", {})


def connected_account_object(app, body):
    """Registers a connected account of the platform (control API / seed)."""
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


@route("GET", "/v1/account")
def retrieve(ctx):
    return clone(ctx.app.accounts[ctx.account_id])
