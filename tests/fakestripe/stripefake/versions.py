"""API versions: what an event's data.object looks like on an account with a newer default version.

Stripe renders an event's `data.object` in the API version the account had when the event was
created (the event's `api_version`), whatever Stripe-Version the request that lists events sends.
An account opened today has a 2025+ default (basil and later: `2025-03-31.basil`, clover, dahlia,
endive), and in that shape:

- Invoice: `payment_intent`, `charge`, `paid`, `paid_out_of_band`, `subscription`,
  `subscription_details` and `quote` are gone; the subscription is under
  `parent.subscription_details.subscription`; line items have `pricing.price_details`
  (price, product) instead of `price`/`plan`, and `parent.subscription_item_details` instead of
  `subscription`/`subscription_item`.
- Subscription: `current_period_start`/`current_period_end` moved onto each subscription item.
- Charge and PaymentIntent: `invoice` is gone.

Objects fetched with Stripe-Version 2022-11-15 (every request paydesk makes) keep the old shape:
only events follow the account's version.

Simplification: the setting (POST /_fake/api_version) applies to events as they are *read*, not
as they are created, so one test can look at the same events both ways; Stripe fixes an event's
version when it is created. A client cannot tell the difference while the setting is unchanged.
"""
from .store import clone

PINNED = "2022-11-15"
NEWER = "2026-09-30.endive"


def is_newer(version):
    """Basil (2025-03-31) or later: the shape without invoice payment_intent/charge/paid."""
    return bool(version) and version[:10] >= "2025-03-31"


def _invoice(inv):
    sub = inv.get("subscription")
    for gone in ("payment_intent", "charge", "paid", "paid_out_of_band", "subscription",
                 "subscription_details", "quote"):
        inv.pop(gone, None)
    inv["parent"] = ({"type": "subscription_details", "quote_details": None,
                      "subscription_details": {"metadata": {}, "subscription": sub}}
                     if sub else None)
    lines = inv.get("lines")
    if isinstance(lines, dict):
        lines["data"] = [_line(li) for li in lines.get("data") or []]
    return inv


def _line(li):
    li = dict(li)
    price = li.pop("price", None)
    li.pop("plan", None)
    sub, item = li.pop("subscription", None), li.pop("subscription_item", None)
    li["pricing"] = ({"type": "price_details", "unit_amount_decimal": li.get(
        "unit_amount_excluding_tax"), "price_details": {
        "price": price.get("id"), "product": price.get("product")}} if price else None)
    li["parent"] = ({"type": "subscription_item_details", "invoice_item_details": None,
                     "subscription_item_details": {"subscription": sub,
                                                   "subscription_item": item,
                                                   "proration": li.get("proration", False)}}
                    if sub else None)
    return li


def _subscription(sub):
    start, end = sub.pop("current_period_start", None), sub.pop("current_period_end", None)
    items = sub.get("items")
    if isinstance(items, dict):
        items["data"] = [dict(it, current_period_start=start, current_period_end=end)
                         for it in items.get("data") or []]
    return sub


def render_object(obj, version):
    """obj (a copy, changed in place) in version's shape."""
    if not is_newer(version) or not isinstance(obj, dict):
        return obj
    kind = obj.get("object")
    if kind == "invoice":
        return _invoice(obj)
    if kind == "subscription":
        return _subscription(obj)
    if kind in ("charge", "payment_intent"):
        obj.pop("invoice", None)
    return obj


def render_event(evt, version):
    """An event as an account whose default API version is version shows it."""
    if not is_newer(version):
        return clone(evt)
    out = clone(evt)
    out["api_version"] = version
    data = out.get("data") or {}
    data["object"] = render_object(data.get("object"), version)
    prev = data.get("previous_attributes")
    if isinstance(prev, dict) and data["object"] is not None:
        # attributes the new shape lacks are not reported as changed either
        for k in list(prev):
            if k not in data["object"]:
                del prev[k]
    return out
