"""PaymentMethods: test aliases (pm_card_visa...) minted into real pm_ objects; attach; list."""
import datetime

from . import route
from .common import apply_metadata, fetch, fetch_param, list_url
from .. import testcards
from ..errors import invalid, not_found
from ..listing import list_response

KIND = "PaymentMethod"       # Stripe's wording in "No such PaymentMethod: 'pm_x'"


def _billing_details(given=None):
    bd = {"address": {"city": None, "country": None, "line1": None, "line2": None,
                      "postal_code": None, "state": None},
          "email": None, "name": None, "phone": None}
    for k, v in (given or {}).items():
        if k == "address" and isinstance(v, dict):
            bd["address"].update(v)
        elif k in bd:
            bd[k] = v or None
    return bd


def mint(ctx, card, billing_details=None, metadata=None):
    """A new card PaymentMethod built from a test card description."""
    year = datetime.datetime.utcfromtimestamp(ctx.now).year
    pm = ctx.complete({
        "id": ctx.new_id("pm_"), "object": "payment_method",
        "billing_details": _billing_details(billing_details),
        "card": {
            "brand": card["brand"],
            "checks": {"address_line1_check": None, "address_postal_code_check": None,
                       "cvc_check": "unchecked"},
            "country": card["country"], "exp_month": 12, "exp_year": year + 3,
            "fingerprint": testcards.fingerprint(card["number"]), "funding": card["funding"],
            "generated_from": None, "last4": card["number"][-4:],
            "networks": {"available": [card["brand"]], "preferred": None},
            "three_d_secure_usage": {"supported": True}, "wallet": None,
        },
        "created": ctx.now, "customer": None, "livemode": ctx.livemode,
        "metadata": dict(metadata or {}), "type": "card",
        "_behaviour": card["behaviour"],
        "_setup_exempts_off_session": card.get("setup_exempts_off_session", False),
    })
    ctx.store.insert(pm)
    return pm


def resolve(ctx, pm_id, param="payment_method"):
    """An existing pm_ object, or a fresh one minted from a test alias."""
    pm = ctx.store.get(pm_id, "payment_method")
    if pm is not None:
        return pm
    card = testcards.lookup(pm_id)
    if card is not None and ctx.livemode is False:
        return mint(ctx, card)
    raise invalid("No such %s: '%s'" % (KIND, pm_id), param=param, code="resource_missing")


def attach(ctx, pm_id, customer, param="payment_method", emit=True):
    pm = resolve(ctx, pm_id, param)
    if pm.get("customer") and pm["customer"] != customer["id"]:
        raise invalid("The payment method you provided has already been attached to a customer.",
                      param=param, code="payment_method_unexpected_state")
    if pm.get("customer") != customer["id"]:
        ctx.store.set_indexed(pm, "customer", customer["id"])
        if emit:
            ctx.event("payment_method.attached", pm)
    return pm


def _get(ctx, pm_id):
    pm = ctx.store.get(pm_id, "payment_method")
    if pm is None:
        card = testcards.lookup(pm_id)
        if card is None:
            raise not_found(KIND, pm_id)
        pm = mint(ctx, card)
    return pm


@route("POST", "/v1/payment_methods")
def create(ctx):
    p = ctx.params
    if p.get("type") != "card":
        raise invalid("This fake only creates card PaymentMethods (type=card).", param="type")
    card_param = p.get("card") or {}
    card = None
    if isinstance(card_param, dict) and card_param.get("token"):
        card = testcards.lookup(card_param["token"])
        if card is None:
            raise invalid("No such token: '%s'" % card_param["token"], param="card[token]",
                          code="resource_missing")
    elif isinstance(card_param, dict) and card_param.get("number"):
        card = testcards.by_number(card_param["number"])
        if card is None:
            raise invalid("Your card number is incorrect.", param="card[number]",
                          code="incorrect_number")
    if card is None:
        raise invalid("Missing required param: card.", param="card", code="parameter_missing")
    return ctx.render(mint(ctx, card, p.get("billing_details"), p.get("metadata")))


@route("GET", "/v1/payment_methods/{payment_method}")
def retrieve(ctx):
    return ctx.render(_get(ctx, ctx.path_params["payment_method"]))


@route("POST", "/v1/payment_methods/{payment_method}")
def update(ctx):
    pm = fetch(ctx, "payment_method", ctx.path_params["payment_method"], KIND)
    apply_metadata(pm, ctx.params.get("metadata"))
    if ctx.params.get("billing_details"):
        pm["billing_details"] = _billing_details(dict(pm["billing_details"],
                                                      **ctx.params["billing_details"]))
    ctx.event("payment_method.updated", pm)
    return ctx.render(pm)


@route("POST", "/v1/payment_methods/{payment_method}/attach")
def attach_endpoint(ctx):
    customer = fetch_param(ctx, "customer", ctx.params["customer"], "customer")
    pm_id = ctx.path_params["payment_method"]
    if ctx.store.get(pm_id, "payment_method") is None and testcards.lookup(pm_id) is None:
        raise not_found(KIND, pm_id)
    return ctx.render(attach(ctx, pm_id, customer))


@route("POST", "/v1/payment_methods/{payment_method}/detach")
def detach(ctx):
    pm = fetch(ctx, "payment_method", ctx.path_params["payment_method"], KIND)
    if not pm.get("customer"):
        raise invalid("The payment method you provided is not attached to a customer so detachment "
                      "is impossible.", code="payment_method_unexpected_state")
    cus = ctx.store.get(pm["customer"], "customer")
    if cus and cus.get("invoice_settings", {}).get("default_payment_method") == pm["id"]:
        cus["invoice_settings"]["default_payment_method"] = None
    ctx.store.set_indexed(pm, "customer", None)
    pm["_set_up_off_session"] = False
    ctx.event("payment_method.detached", pm, {"customer": cus["id"] if cus else None})
    return ctx.render(pm)


@route("GET", "/v1/payment_methods")
def list_(ctx):
    cus, pm_type = ctx.params.get("customer"), ctx.params.get("type")
    return list_response(ctx.store, "payment_method", ctx.params, list_url(ctx),
                         lambda pm: (not cus or pm.get("customer") == cus) and
                         (not pm_type or pm["type"] == pm_type), kind=KIND,
                         index_by=("customer", cus) if cus else None)
