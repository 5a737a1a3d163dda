"""Checkout Sessions (pay-by-link and save-a-card links): payment and setup modes.

open -> complete (the client paid / saved a card on their phone: POST /_fake/checkout/sessions/{id}/complete)
     -> expired  (expires_at passed on the fake clock, POST .../expire, or /_fake/.../expire)
As in API version 2022-11-15 the PaymentIntent / SetupIntent is created only when the client
submits the page, so `payment_intent` / `setup_intent` are null while the session is open.
"""
from . import route
from .common import apply_metadata, fetch, fetch_param, list_url
from .customers import create_customer
from .products import create_price
from ..errors import StripeError, invalid
from ..expand import virtual
from ..listing import list_response
from ..store import clone

DEFAULT_TTL = 24 * 3600
MIN_TTL = 30 * 60


def _line_item(ctx, i, li):
    name = "line_items[%d]" % i
    if bool(li.get("price")) == bool(li.get("price_data")):
        raise invalid("You must specify either `price` or `price_data` in `%s`." % name,
                      param=name + "[price]")
    if li.get("price"):
        price = fetch_param(ctx, "price", li["price"], name + "[price]")
        if not price["active"]:
            raise invalid("The price specified is inactive. This field only accepts active "
                          "prices.", param=name + "[price]")
    else:
        price = create_price(ctx, li["price_data"], prefix=name + "[price_data]", listed=False)
    if "quantity" not in li:
        raise invalid("Missing required param: %s[quantity]." % name, param=name + "[quantity]",
                      code="parameter_missing")
    if price["type"] == "recurring":
        raise invalid("You must be in `subscription` mode to use recurring prices.",
                      param=name + "[price]")
    qty = li["quantity"]
    if qty < 1:
        raise invalid("Invalid positive integer", param=name + "[quantity]")
    product = ctx.store.get(price["product"], "product") or {}
    amount = (price["unit_amount"] or 0) * qty
    return {"id": ctx.new_id("li_"), "object": "item", "amount_discount": 0,
            "amount_subtotal": amount, "amount_tax": 0, "amount_total": amount,
            "currency": price["currency"], "description": product.get("name"),
            "price": clone(price), "quantity": qty}


def _custom_text(given):
    """The session's custom_text as Stripe renders it: each position a {message} or null
    ("" clears it)."""
    given = given or {}
    out = {"shipping_address": None, "submit": None}
    for pos in ("shipping_address", "submit"):
        v = given.get(pos)
        if isinstance(v, dict) and v.get("message"):
            out[pos] = {"message": v["message"]}
    return out


def create_session(ctx, p):
    mode = p.get("mode")
    if not mode:
        raise invalid("Missing required param: mode.", param="mode", code="parameter_missing")
    if mode == "subscription":
        raise invalid("This fake does not simulate Checkout in `subscription` mode; create the "
                      "subscription with POST /v1/subscriptions.", param="mode")
    if p.get("customer") and p.get("customer_email"):
        raise invalid("You may only specify one of these parameters: customer, customer_email.",
                      param="customer_email")
    customer = fetch_param(ctx, "customer", p["customer"], "customer") if p.get("customer") else None
    items = []
    if mode == "payment":
        if not p.get("line_items"):
            raise invalid("Missing required param: line_items.", param="line_items",
                          code="parameter_missing")
        if p.get("setup_intent_data"):
            raise invalid("You can not pass `setup_intent_data` in `payment` mode.",
                          param="setup_intent_data")
        items = [_line_item(ctx, i, li) for i, li in enumerate(p["line_items"])]
        if len(items) > 100:
            raise invalid("You may only specify up to 100 line items.", param="line_items")
        if len({li["currency"] for li in items}) > 1:
            raise invalid("All line items must use the same currency.", param="line_items")
        currency = items[0]["currency"]
    else:
        for bad in ("line_items", "payment_intent_data"):
            if p.get(bad):
                raise invalid("You can not pass `%s` in `setup` mode." % bad, param=bad)
        currency = (p.get("currency") or "").lower() or None
    expires_at = p.get("expires_at", ctx.now + DEFAULT_TTL)
    if expires_at > ctx.now + DEFAULT_TTL:
        raise invalid("The `expires_at` timestamp must be less than 24 hours from Checkout "
                      "Session creation.", param="expires_at")
    if expires_at < ctx.now + MIN_TTL:
        raise invalid("The `expires_at` timestamp must be at least 30 minutes from Checkout "
                      "Session creation.", param="expires_at")
    total = sum(li["amount_total"] for li in items) if items else None
    prefix = "cs_live_" if ctx.livemode else "cs_test_"
    cs = ctx.complete({
        "id": ctx.new_id(prefix) + ctx.new_id("")[:34], "object": "checkout.session",
        "after_expiration": None, "allow_promotion_codes": p.get("allow_promotion_codes"),
        "amount_subtotal": total, "amount_total": total,
        "automatic_tax": {"enabled": False, "status": None},
        "billing_address_collection": p.get("billing_address_collection"),
        "cancel_url": p.get("cancel_url"), "client_reference_id": p.get("client_reference_id"),
        "consent": None, "consent_collection": None, "created": ctx.now, "currency": currency,
        "custom_fields": [], "custom_text": _custom_text(p.get("custom_text")),
        "customer": customer["id"] if customer else None,
        "customer_creation": None if customer else p.get("customer_creation", "if_required"),
        "customer_details": None, "customer_email": p.get("customer_email"),
        "expires_at": expires_at, "invoice": None, "invoice_creation": None,
        "livemode": ctx.livemode, "locale": p.get("locale"), "metadata": {}, "mode": mode,
        "payment_intent": None, "payment_link": None, "payment_method_collection": "always",
        "payment_method_options": {}, "payment_method_types": p.get("payment_method_types")
        or ["card"], "payment_status": "unpaid" if mode == "payment" else "no_payment_required",
        "phone_number_collection": {"enabled": False}, "recovered_from": None,
        "setup_intent": None, "shipping_address_collection": None, "shipping_cost": None,
        "shipping_details": None, "shipping_options": [], "status": "open",
        "submit_type": p.get("submit_type"), "subscription": None,
        "success_url": p["success_url"],
        "total_details": ({"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0}
                          if mode == "payment" else None),
        "url": None,
        "_line_items": items, "_pi_data": p.get("payment_intent_data") or {},
        "_si_data": p.get("setup_intent_data") or {},
    })
    cs["url"] = "https://checkout.stripe.com/c/pay/%s#fidkdWxOYHwnPyd1blpxYHZxWjA0" % cs["id"]
    apply_metadata(cs, p.get("metadata"))
    ctx.store.insert(cs)
    _open(ctx).add(cs["id"])
    return cs


def _open(ctx):
    """Ids of open sessions of this store, so expiry by the clock is cheap to apply."""
    if not hasattr(ctx.store, "open_checkout_sessions"):
        ctx.store.open_checkout_sessions = set()
    return ctx.store.open_checkout_sessions


def sweep(ctx):
    """Expire open sessions whose expires_at has passed on the fake clock."""
    for cs_id in [i for i in _open(ctx)
                  if ctx.store.objects[i]["expires_at"] <= ctx.now]:
        expire_session(ctx, ctx.store.objects[cs_id])


def expire_session(ctx, cs):
    if cs["status"] != "open":
        raise invalid("Only Checkout Sessions with a status in [\"open\"] can be expired.",
                      param="session")
    cs["status"] = "expired"
    cs["url"] = None
    _open(ctx).discard(cs["id"])
    ctx.event("checkout.session.expired", cs)
    return cs


def complete_session(ctx, cs_id, body):
    """The client fills the hosted page on their phone and submits it (control API)."""
    from .payment_intents import complete_authentication, create_intent
    from .setup_intents import complete_authentication as si_auth, create_setup_intent
    sweep(ctx)
    cs = fetch(ctx, "checkout.session", cs_id)
    if cs["status"] != "open":
        raise invalid("Checkout Session %s is %s; only open sessions can be completed."
                      % (cs_id, cs["status"]))
    pm_alias = body.get("payment_method", "pm_card_visa")
    email = body.get("email") or cs["customer_email"]
    customer = cs["customer"]
    if customer:
        cus = ctx.store.get(customer, "customer")
        email = email or cus.get("email")
    elif cs["customer_creation"] == "always" or (cs["mode"] == "setup" and body.get("create_customer")):
        customer = create_customer(ctx, {"email": email, "name": body.get("name")})["id"]
        ctx.store.set_indexed(cs, "customer", customer)
    cs["customer_details"] = {"address": None, "email": email, "name": body.get("name"),
                              "phone": None, "tax_exempt": "none", "tax_ids": []}
    if cs["mode"] == "payment":
        d = cs["_pi_data"]
        params = {"amount": cs["amount_total"], "currency": cs["currency"],
                  "payment_method": pm_alias, "confirm": True,
                  "payment_method_types": cs["payment_method_types"],
                  "metadata": d.get("metadata") or {}}
        for k in ("description", "capture_method", "setup_future_usage", "receipt_email",
                  "statement_descriptor", "statement_descriptor_suffix"):
            if d.get(k):
                params[k] = d[k]
        if customer:
            params["customer"] = customer
        try:
            pi = create_intent(ctx, params)
        except StripeError as e:
            if e.status == 402:      # the client sees the decline; the session stays open
                cs["payment_intent"] = e.extra["payment_intent"]["id"]
            raise
        cs["payment_intent"] = pi["id"]
        if pi["status"] == "requires_action":   # the client passes 3DS on their phone
            complete_authentication(ctx, pi["id"], body.get("authentication", "succeed"))
        if pi["status"] == "requires_payment_method":
            raise invalid("The client failed authentication; the session stays open.",
                          code="payment_intent_authentication_failure")
        cs["payment_status"] = "paid" if pi["status"] == "succeeded" else "unpaid"
    else:
        si = create_setup_intent(ctx, {
            "payment_method": pm_alias, "confirm": True, "usage": "off_session",
            "customer": customer, "metadata": cs["_si_data"].get("metadata") or {},
            "description": cs["_si_data"].get("description"),
            "payment_method_types": cs["payment_method_types"]})
        cs["setup_intent"] = si["id"]
        if si["status"] == "requires_action":
            si_auth(ctx, si["id"], body.get("authentication", "succeed"))
        if si["status"] != "succeeded":
            raise invalid("The client failed authentication; the session stays open.",
                          code="setup_intent_authentication_failure")
    cs["status"] = "complete"
    cs["url"] = None
    _open(ctx).discard(cs["id"])
    ctx.event("checkout.session.completed", cs)
    return cs


def _line_items_list(cs, url):
    return {"object": "list", "data": [clone(li) for li in cs["_line_items"]],
            "has_more": False, "url": url}


@virtual("checkout.session", "line_items")
def _expand_line_items(ctx, rendered):
    cs = ctx.store.get(rendered["id"], "checkout.session")
    return _line_items_list(cs, "/v1/checkout/sessions/%s/line_items" % rendered["id"])


@route("POST", "/v1/checkout/sessions")
def create(ctx):
    return ctx.render(create_session(ctx, ctx.params))


@route("GET", "/v1/checkout/sessions/{session}")
def retrieve(ctx):
    sweep(ctx)
    return ctx.render(fetch(ctx, "checkout.session", ctx.path_params["session"]))


@route("POST", "/v1/checkout/sessions/{session}/expire")
def expire(ctx):
    sweep(ctx)
    return ctx.render(expire_session(ctx, fetch(ctx, "checkout.session",
                                                ctx.path_params["session"])))


@route("GET", "/v1/checkout/sessions/{session}/line_items")
def line_items(ctx):
    cs = fetch(ctx, "checkout.session", ctx.path_params["session"])
    p = ctx.params
    limit = p.get("limit", 10)
    if not 1 <= limit <= 100:
        raise invalid("Invalid limit: must be an integer between 1 and 100 (got %d)" % limit,
                      param="limit")
    items = cs["_line_items"]
    start = 0
    if p.get("starting_after"):
        ids = [li["id"] for li in items]
        if p["starting_after"] not in ids:
            raise invalid("No such line item: '%s'" % p["starting_after"],
                          param="starting_after", code="resource_missing")
        start = ids.index(p["starting_after"]) + 1
    page = items[start:start + limit]
    return {"object": "list", "data": [clone(li) for li in page],
            "has_more": start + limit < len(items), "url": ctx.url}


@route("GET", "/v1/checkout/sessions")
def list_(ctx):
    sweep(ctx)
    p = ctx.params
    want = {k: p[k] for k in ("customer", "payment_intent", "payment_link", "subscription")
            if p.get(k)}
    email = (p.get("customer_details") or {}).get("email")

    def pred(cs):
        return (all(cs.get(k) == v for k, v in want.items()) and
                (not email or (cs.get("customer_details") or {}).get("email") == email))
    index_by = ("customer", want["customer"]) if "customer" in want else None
    return list_response(ctx.store, "checkout.session", p, list_url(ctx), pred,
                         kind="checkout.session", index_by=index_by)
