"""Products and Prices (the catalogue behind subscriptions and checkout line items)."""
from . import route
from .common import apply_metadata, fetch, fetch_param, list_url, set_fields
from ..errors import invalid
from ..listing import list_response
from ..store import clone

INTERVAL_DAYS = {"day": 1, "week": 7, "month": 31, "year": 366}


def create_product(ctx, p, listed=True):
    prod = ctx.complete({
        "id": p.get("id") or ctx.new_id("prod_")[:19], "object": "product",
        "active": p.get("active", True), "attributes": [], "created": ctx.now,
        "default_price": None, "description": p.get("description") or None,
        "images": p.get("images") or [], "livemode": ctx.livemode, "metadata": {},
        "name": p["name"], "package_dimensions": None, "shippable": p.get("shippable"),
        "statement_descriptor": p.get("statement_descriptor") or None,
        "tax_code": None, "type": "service", "unit_label": p.get("unit_label") or None,
        "updated": ctx.now, "url": p.get("url") or None, "_price_count": 0,
    })
    if ctx.store.get(prod["id"]) is not None:
        raise invalid("Product already exists.", param="id", code="resource_already_exists")
    apply_metadata(prod, p.get("metadata"))
    if listed:
        ctx.store.insert(prod)
    else:                           # inline product_data: retrievable, not listed
        ctx.store.objects[prod["id"]] = prod
    ctx.event("product.created", prod)
    if p.get("default_price_data"):
        price = create_price(ctx, dict(p["default_price_data"], product=prod["id"]),
                             prefix="default_price_data")
        prod["default_price"] = price["id"]
    return prod


def _check_recurring(rec, prefix):
    interval, count = rec["interval"], rec.get("interval_count", 1)
    if count < 1 or count * INTERVAL_DAYS[interval] > 366:
        raise invalid("Invalid %s[recurring][interval_count]: the maximum billing period is one "
                      "year (1 year, 12 months, 52 weeks or 365 days)." % prefix if prefix else
                      "Invalid recurring[interval_count]: the maximum billing period is one year "
                      "(1 year, 12 months, 52 weeks or 365 days).",
                      param=(prefix + "[recurring][interval_count]") if prefix
                      else "recurring[interval_count]")
    return {"aggregate_usage": None, "interval": interval, "interval_count": count,
            "trial_period_days": None, "usage_type": rec.get("usage_type", "licensed")}


def create_price(ctx, p, prefix="", listed=True):
    def name(x):
        return "%s[%s]" % (prefix, x) if prefix else x
    if p.get("tiers") or p.get("billing_scheme") == "tiered":
        raise invalid("This fake does not simulate tiered prices.", param=name("billing_scheme"))
    if p.get("product"):
        prod = fetch_param(ctx, "product", p["product"], name("product"))
    elif p.get("product_data"):
        prod = create_product(ctx, p["product_data"], listed=listed)
    else:
        raise invalid("You must specify either `product` or `product_data` when creating a price.",
                      param=name("product"))
    amount = p.get("unit_amount")
    if amount is None and p.get("unit_amount_decimal") not in (None, ""):
        dec = str(p["unit_amount_decimal"])
        if "." in dec.strip("0").rstrip("."):
            raise invalid("This fake only accepts whole unit_amount_decimal values.",
                          param=name("unit_amount_decimal"))
        amount = int(dec.split(".")[0])
    if amount is None and not p.get("custom_unit_amount"):
        raise invalid("Missing required param: %s." % name("unit_amount"),
                      param=name("unit_amount"), code="parameter_missing")
    if amount is not None and (amount < 0 or amount > 99999999):
        raise invalid("Invalid non-negative integer", param=name("unit_amount"))
    rec = p.get("recurring")
    price = ctx.complete({
        "id": ctx.new_id("price_"), "object": "price", "active": p.get("active", True),
        "billing_scheme": "per_unit", "created": ctx.now, "currency": p["currency"].lower(),
        "custom_unit_amount": None, "livemode": ctx.livemode,
        "lookup_key": p.get("lookup_key") or None, "metadata": {},
        "nickname": p.get("nickname") or None, "product": prod["id"],
        "recurring": _check_recurring(rec, prefix) if rec else None,
        "tax_behavior": p.get("tax_behavior", "unspecified"), "tiers_mode": None,
        "transform_quantity": None, "type": "recurring" if rec else "one_time",
        "unit_amount": amount, "unit_amount_decimal": None if amount is None else str(amount),
    })
    apply_metadata(price, p.get("metadata"))
    if listed and prod["id"] in ctx.store.keys:
        ctx.store.insert(price)
    else:
        price["active"] = False if not listed else price["active"]
        ctx.store.objects[price["id"]] = price
    prod["_price_count"] = prod.get("_price_count", 0) + 1
    ctx.event("price.created", price)
    return price


def _changes(before, after):
    return {k: before.get(k) for k in after if before.get(k) != after.get(k) and k != "updated"}


@route("POST", "/v1/products")
def create(ctx):
    return ctx.render(create_product(ctx, ctx.params))


@route("GET", "/v1/products/{id}")
def retrieve(ctx):
    return ctx.render(fetch(ctx, "product", ctx.path_params["id"]))


@route("POST", "/v1/products/{id}")
def update(ctx):
    prod = fetch(ctx, "product", ctx.path_params["id"])
    before = clone(prod)
    p = ctx.params
    set_fields(prod, p, ("active", "description", "name", "shippable", "statement_descriptor",
                         "unit_label", "url", "images"))
    if "default_price" in p:
        if p["default_price"]:
            price = fetch_param(ctx, "price", p["default_price"], "default_price")
            if price["product"] != prod["id"]:
                raise invalid("The price %s does not belong to product %s."
                              % (price["id"], prod["id"]), param="default_price")
            prod["default_price"] = price["id"]
        else:
            prod["default_price"] = None
    apply_metadata(prod, p.get("metadata"))
    prod["updated"] = ctx.now
    previous = _changes(before, clone(prod))
    if previous:
        ctx.event("product.updated", prod, previous)
    return ctx.render(prod)


@route("DELETE", "/v1/products/{id}")
def delete(ctx):
    prod = fetch(ctx, "product", ctx.path_params["id"])
    if prod.get("_price_count"):
        raise invalid("This product cannot be deleted because it has one or more user-created "
                      "prices.", param="id")
    ctx.event("product.deleted", prod)
    ctx.store.unlist(prod["id"])
    ctx.store.objects[prod["id"]] = {"id": prod["id"], "object": "product", "deleted": True}
    return {"id": prod["id"], "object": "product", "deleted": True}


@route("GET", "/v1/products")
def list_(ctx):
    p = ctx.params
    ids = set(p.get("ids") or [])

    def pred(prod):
        return ((p.get("active") is None or prod["active"] == p["active"]) and
                (not ids or prod["id"] in ids) and
                (p.get("shippable") is None or prod.get("shippable") == p["shippable"]) and
                (not p.get("url") or prod.get("url") == p["url"]))
    return list_response(ctx.store, "product", p, list_url(ctx), pred)


@route("POST", "/v1/prices")
def create_price_endpoint(ctx):
    return ctx.render(create_price(ctx, ctx.params))


@route("GET", "/v1/prices/{price}")
def retrieve_price(ctx):
    return ctx.render(fetch(ctx, "price", ctx.path_params["price"]))


@route("POST", "/v1/prices/{price}")
def update_price(ctx):
    price = fetch(ctx, "price", ctx.path_params["price"])
    before = clone(price)
    set_fields(price, ctx.params, ("active", "lookup_key", "nickname", "tax_behavior"))
    apply_metadata(price, ctx.params.get("metadata"))
    previous = _changes(before, clone(price))
    if previous:
        ctx.event("price.updated", price, previous)
    return ctx.render(price)


@route("GET", "/v1/prices")
def list_prices(ctx):
    p = ctx.params
    keys = set(p.get("lookup_keys") or [])
    rec = p.get("recurring") or {}

    def pred(pr):
        return ((p.get("active") is None or pr["active"] == p["active"]) and
                (not p.get("product") or pr["product"] == p["product"]) and
                (not p.get("type") or pr["type"] == p["type"]) and
                (not p.get("currency") or pr["currency"] == p["currency"].lower()) and
                (not keys or pr.get("lookup_key") in keys) and
                (not rec.get("interval") or (pr["recurring"] or {}).get("interval")
                 == rec["interval"]) and
                (not rec.get("usage_type") or (pr["recurring"] or {}).get("usage_type")
                 == rec["usage_type"]))
    return list_response(ctx.store, "price", p, list_url(ctx), pred)
