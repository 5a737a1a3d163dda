"""Customers: create, retrieve, update, delete, list, list payment methods."""
from . import route
from .common import apply_metadata, fetch, fetch_param, list_url, set_fields
from ..errors import not_found
from ..listing import list_response

_PLAIN = ("email", "name", "phone", "description", "address", "shipping", "preferred_locales",
          "tax_exempt", "balance")


def create_customer(ctx, p):
    cus = ctx.complete({
        "id": ctx.new_id("cus_")[:18], "object": "customer", "address": None, "balance": 0,
        "created": ctx.now, "currency": None, "default_source": None, "delinquent": False,
        "description": None, "discount": None, "email": None,
        "invoice_prefix": ctx.new_id("")[:8].upper(),
        "invoice_settings": {"custom_fields": None, "default_payment_method": None,
                             "footer": None, "rendering_options": None},
        "livemode": ctx.livemode, "metadata": {}, "name": None, "next_invoice_sequence": 1,
        "phone": None, "preferred_locales": [], "shipping": None, "tax_exempt": "none",
        "test_clock": None,
    })
    if p.get("id"):                 # seeds may pick ids; the API never does
        cus["id"] = p["id"]
    if p.get("test_clock"):
        clock = fetch_param(ctx, "test_helpers.test_clock", p["test_clock"], "test_clock",
                            kind="test_helpers.test_clock")
        cus["test_clock"] = clock["id"]
        cus["created"] = clock["frozen_time"]
    set_fields(cus, p, _PLAIN)
    apply_metadata(cus, p.get("metadata"))
    ctx.store.insert(cus)
    if p.get("payment_method"):
        from .payment_methods import attach
        attach(ctx, p["payment_method"], cus, param="payment_method", emit=False)
    _invoice_settings(ctx, cus, p.get("invoice_settings"))
    ctx.event("customer.created", cus)
    return cus


def _invoice_settings(ctx, cus, settings):
    if not settings:
        return
    pm_id = settings.get("default_payment_method")
    if pm_id:
        pm = fetch_param(ctx, "payment_method", pm_id,
                         "invoice_settings[default_payment_method]", kind="PaymentMethod")
        if pm.get("customer") != cus["id"]:
            from ..errors import invalid
            raise invalid("The customer does not have a payment method with the ID %s. The payment "
                          "method must be attached to the customer." % pm_id,
                          param="invoice_settings[default_payment_method]")
        cus["invoice_settings"]["default_payment_method"] = pm["id"]
    elif pm_id == "":
        cus["invoice_settings"]["default_payment_method"] = None


def _get(ctx, cus_id):
    cus = ctx.store.get(cus_id, "customer")
    if cus is None:
        raise not_found("customer", cus_id)
    return cus


@route("POST", "/v1/customers")
def create(ctx):
    return ctx.render(create_customer(ctx, ctx.params))


@route("GET", "/v1/customers/{customer}")
def retrieve(ctx):
    return ctx.render(_get(ctx, ctx.path_params["customer"]))   # deleted ones too, as Stripe does


@route("POST", "/v1/customers/{customer}")
def update(ctx):
    cus = fetch(ctx, "customer", ctx.path_params["customer"])
    before = ctx.render(cus)
    p = ctx.params
    set_fields(cus, p, _PLAIN)
    apply_metadata(cus, p.get("metadata"))
    _invoice_settings(ctx, cus, p.get("invoice_settings"))
    after = ctx.render(cus)
    previous = {k: before.get(k) for k in after if after.get(k) != before.get(k)}
    if previous:
        ctx.event("customer.updated", cus, previous)
    return after


@route("DELETE", "/v1/customers/{customer}")
def delete(ctx):
    cus = fetch(ctx, "customer", ctx.path_params["customer"])
    ctx.event("customer.deleted", cus)
    ctx.store.unlist(cus["id"])
    tomb = {"id": cus["id"], "object": "customer", "deleted": True}
    ctx.store.objects[cus["id"]] = tomb
    return dict(tomb)


@route("GET", "/v1/customers")
def list_(ctx):
    email = ctx.params.get("email")
    pred = (lambda c: c.get("email") == email) if email else None
    return list_response(ctx.store, "customer", ctx.params, list_url(ctx), pred)


@route("GET", "/v1/customers/{customer}/payment_methods")
def list_payment_methods(ctx):
    cus = fetch(ctx, "customer", ctx.path_params["customer"])
    pm_type = ctx.params.get("type")
    return list_response(ctx.store, "payment_method", ctx.params, list_url(ctx),
                         lambda pm: pm.get("customer") == cus["id"] and
                         (not pm_type or pm["type"] == pm_type), kind="PaymentMethod",
                         index_by=("customer", cus["id"]))
