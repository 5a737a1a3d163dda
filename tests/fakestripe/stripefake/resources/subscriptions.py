"""Subscriptions: create (trials, collection methods, payment behaviours), update (cancel at
period end, pause collection, plan/quantity changes with prorations), cancel now, resume, list.
The time-driven part (renewals, retries, trial end) is in billing.py."""
import time

from . import route
from . import billing
from .common import apply_metadata, fetch, fetch_param, list_url, set_fields
from ..errors import StripeError, invalid
from ..listing import list_response
from ..money import fmt
from ..store import clone

NO_PM = ("This customer has no attached payment source or default payment method. Please "
         "consider adding a default payment method. For more information, visit "
         "https://stripe.com/docs/billing/subscriptions/payment-methods-setting"
         "#payment-method-priority.")


def _price(ctx, price_id, param):
    price = fetch_param(ctx, "price", price_id, param)
    if price["type"] != "recurring":
        raise invalid("The price specified is set to `type=one_time` but this field only accepts "
                      "prices with `type=recurring`.", param=param)
    if not price["active"]:
        raise invalid("The price specified is inactive. This field only accepts active prices.",
                      param=param)
    return price


def _item(ctx, sub_id, i, spec, now):
    param = "items[%d][price]" % i
    if spec.get("price_data"):
        from .products import create_price
        pd = dict(spec["price_data"])
        price = create_price(ctx, pd, prefix="items[%d][price_data]" % i, listed=False)
        price["active"] = True
    elif spec.get("price") or spec.get("plan"):
        price = _price(ctx, spec.get("price") or spec.get("plan"), param)
    else:
        raise invalid("Missing required param: %s." % param, param=param,
                      code="parameter_missing")
    qty = spec.get("quantity", 1)
    if qty < 0:
        raise invalid("Invalid non-negative integer", param="items[%d][quantity]" % i)
    return {"id": ctx.new_id("si_")[:17], "object": "subscription_item",
            "billing_thresholds": None, "created": now, "metadata": dict(spec.get("metadata") or {}),
            "price": clone(price), "quantity": qty, "subscription": sub_id, "tax_rates": []}


def _items_list(sub_id, items):
    return {"object": "list", "data": items, "has_more": False, "total_count": len(items),
            "url": "/v1/subscription_items?subscription=%s" % sub_id}


def _check_pm(ctx, cus, pm_id, param="default_payment_method"):
    pm = fetch_param(ctx, "payment_method", pm_id, param, kind="PaymentMethod")
    if pm.get("customer") != cus["id"]:
        raise invalid("The customer does not have a payment method with the ID %s. The payment "
                      "method must be attached to the customer." % pm_id, param=param)
    return pm["id"]


def create_subscription(ctx, p):
    cus = fetch_param(ctx, "customer", p["customer"], "customer")
    bctx = billing.at(ctx, billing.now_for(ctx, cus["id"]))
    now = bctx.now
    if not p.get("items"):
        raise invalid("Missing required param: items.", param="items", code="parameter_missing")
    if p.get("trial_end") not in (None, "") and p.get("trial_period_days") is not None:
        raise invalid("You may only specify one of these parameters: trial_end, "
                      "trial_period_days.", param="trial_end")
    method = p.get("collection_method") or "charge_automatically"
    if method == "send_invoice" and p.get("days_until_due") is None:
        raise invalid("Missing required param: days_until_due.", param="days_until_due",
                      code="parameter_missing")
    if method == "charge_automatically" and p.get("days_until_due") is not None:
        raise invalid("You can not pass `days_until_due` if `collection_method` is "
                      "`charge_automatically`.", param="days_until_due")
    sub_id = ctx.new_id("sub_")
    items = [_item(ctx, sub_id, i, spec, now) for i, spec in enumerate(p["items"])]
    currencies = {it["price"]["currency"] for it in items}
    intervals = {(it["price"]["recurring"]["interval"], it["price"]["recurring"]["interval_count"])
                 for it in items}
    if len(currencies) > 1 or len(intervals) > 1:
        raise invalid("All prices on a subscription must have the same `currency` and recurring "
                      "`interval`.", param="items")
    pm_id = _check_pm(ctx, cus, p["default_payment_method"]) if p.get("default_payment_method") \
        else None
    trial_end = None
    if p.get("trial_end") not in (None, ""):
        te = p["trial_end"]
        if te != "now":
            if not str(te).isdigit():
                raise invalid("Invalid timestamp: must be an integer Unix timestamp in the future "
                              "or `now`.", param="trial_end")
            te = int(te)
            if te <= now:
                raise invalid("Invalid timestamp: must be an integer Unix timestamp in the "
                              "future.", param="trial_end")
            if te > now + 730 * 86400:
                raise invalid("Invalid timestamp: can be no more than two years in the future.",
                              param="trial_end")
            trial_end = te
    elif p.get("trial_period_days"):
        if p["trial_period_days"] > 730:
            raise invalid("Invalid trial_period_days: must be at most 730.",
                          param="trial_period_days")
        trial_end = now + p["trial_period_days"] * 86400
    behaviour = p.get("payment_behavior") or "allow_incomplete"
    if behaviour == "pending_if_incomplete":
        raise invalid("You can only pass `pending_if_incomplete` when updating a subscription.",
                      param="payment_behavior")
    has_pm = pm_id or billing.default_pm(ctx, None, None, cus["id"])
    if not trial_end and method == "charge_automatically" and not has_pm and \
            behaviour != "default_incomplete" and any(
                it["price"]["unit_amount"] for it in items):
        raise invalid(NO_PM)
    sub = ctx.complete({
        "id": sub_id, "object": "subscription", "application": None,
        "application_fee_percent": None, "automatic_tax": {"enabled": False},
        "billing_cycle_anchor": trial_end or now, "billing_thresholds": None,
        "cancel_at": p.get("cancel_at") or None, "cancel_at_period_end":
        bool(p.get("cancel_at_period_end")), "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": method, "created": now, "currency": currencies.pop(),
        "current_period_end": None, "current_period_start": None, "customer": cus["id"],
        "days_until_due": p.get("days_until_due"), "default_payment_method": pm_id,
        "default_source": None, "default_tax_rates": [], "description": p.get("description"),
        "discount": None, "ended_at": None, "items": _items_list(sub_id, items),
        "latest_invoice": None, "livemode": ctx.livemode, "metadata": {},
        "next_pending_invoice_item_invoice": None, "on_behalf_of": None,
        "pause_collection": None,
        "payment_settings": {"payment_method_options": None, "payment_method_types": None,
                             "save_default_payment_method": ((p.get("payment_settings") or {})
                                                             .get("save_default_payment_method")
                                                             or "off")},
        "pending_invoice_item_interval": None, "pending_setup_intent": None,
        "pending_update": None, "schedule": None, "start_date": now,
        "status": "trialing" if trial_end else "incomplete", "test_clock": cus.get("test_clock"),
        "transfer_data": None, "trial_end": trial_end,
        "trial_settings": {"end_behavior": {"missing_payment_method": (
            ((p.get("trial_settings") or {}).get("end_behavior") or {})
            .get("missing_payment_method") or "create_invoice")}},
        "trial_start": now if trial_end else None, "_k": 0,
    })
    apply_metadata(sub, p.get("metadata"))
    billing.start_period(sub, 0)
    if trial_end:
        sub["current_period_end"] = trial_end
    bctx.store.insert(sub)
    bctx.request_id, bctx.idempotency_key = ctx.request_id, ctx.idempotency_key
    bctx.event("customer.subscription.created", sub)
    if trial_end:
        billing.bill_period(bctx, sub, "subscription_create", trial=True)
    else:
        sub["_confirm_first"] = behaviour != "default_incomplete"
        if method == "send_invoice":
            sub["status"] = "active"
        inv = billing.bill_period(bctx, sub, "subscription_create")
        sub.pop("_confirm_first", None)
        if inv["status"] == "paid" and sub["status"] == "incomplete":
            sub["status"] = "active"
        if sub["status"] == "incomplete" and behaviour == "error_if_incomplete":
            pi = ctx.store.get(inv["payment_intent"] or "", "payment_intent") or {}
            err = pi.get("last_payment_error") or {}
            ctx.store.unlist(sub["id"])
            billing.void(bctx, inv)
            raise StripeError(402, "card_error", err.get("message") or "Your card was declined.",
                              code=err.get("code") or "card_declined",
                              decline_code=err.get("decline_code"), charge=err.get("charge"),
                              payment_intent=ctx.render(pi) if pi else None)
    if trial_end and trial_end <= now:     # trial_end=now: the trial ends at once
        billing.advance(bctx, sub, now)
    billing.reschedule(ctx)
    return sub


def _sub(ctx, param="subscription_exposed_id"):
    sub = fetch(ctx, "subscription", ctx.path_params[param])
    if sub.get("test_clock") is None:
        billing.catch_up(ctx)
    return sub


def _prorate(ctx, sub, old, new, when):
    """Credit unused time on `old` (price, qty) and charge remaining time on `new`."""
    start, end = sub["current_period_start"], sub["current_period_end"]
    if end <= start or when >= end:
        return []
    frac_num, frac_den = end - when, end - start
    lines = []
    for (price, qty), sign, word in ((old, -1, "Unused"), (new, 1, "Remaining")):
        if price is None or not qty:
            continue
        full = (price["unit_amount"] or 0) * qty
        amount = sign * ((full * frac_num * 2 + frac_den) // (2 * frac_den))   # half up
        desc = "%s time on %d × %s after %s" % (
            word, qty, billing.product_name(ctx, price),
            time.strftime("%d %b %Y", time.gmtime(when)))
        lines.append(billing.line(ctx, amount, price, qty, desc, when, end, sub["id"],
                                  None, proration=True))
    return lines


def change_items(ctx, sub, specs, behaviour, when, preview=False):
    """Apply items[...] changes; returns the proration lines (not applied when preview)."""
    items = [dict(it) for it in sub["items"]["data"]] if preview else sub["items"]["data"]
    by_id = {it["id"]: it for it in items}
    lines = []
    for i, spec in enumerate(specs):
        if spec.get("id"):
            it = by_id.get(spec["id"])
            if it is None:
                raise invalid("No such subscription item: '%s'" % spec["id"],
                              param="items[%d][id]" % i, code="resource_missing")
            old = (it["price"], it["quantity"])
            if spec.get("deleted"):
                items.remove(it)
                new = (None, 0)
            else:
                if spec.get("price"):
                    it["price"] = clone(_price(ctx, spec["price"], "items[%d][price]" % i))
                if "quantity" in spec:
                    it["quantity"] = spec["quantity"]
                apply_metadata(it, spec.get("metadata"))
                new = (it["price"], it["quantity"])
        else:
            it = _item(ctx, sub["id"], i, spec, when)
            items.append(it)
            old, new = (None, 0), (it["price"], it["quantity"])
        if old != new and sub["status"] != "trialing" and behaviour != "none":
            lines += _prorate(ctx, sub, old, new, when)
    if not items:
        raise invalid("A subscription must have at least one active plan. To cancel a "
                      "subscription, send a DELETE request.", param="items")
    if not preview:
        sub["items"]["total_count"] = len(items)
    return lines, items


@route("POST", "/v1/subscriptions")
def create(ctx):
    return ctx.render(create_subscription(ctx, ctx.params))


@route("GET", "/v1/subscriptions/{subscription_exposed_id}")
def retrieve(ctx):
    return ctx.render(_sub(ctx))


@route("POST", "/v1/subscriptions/{subscription_exposed_id}")
def update(ctx):
    sub, p = _sub(ctx), ctx.params
    if sub["status"] in ("canceled", "incomplete_expired"):
        raise invalid("A canceled subscription can only update its cancellation_details and "
                      "metadata.", param=next(iter(k for k in p if k not in
                                                   ("metadata", "expand", "cancellation_details")),
                                              None))
    cus = ctx.store.get(sub["customer"], "customer")
    bctx = billing.at(ctx, billing.now_for(ctx, sub["customer"]))
    bctx.request_id, bctx.idempotency_key = ctx.request_id, ctx.idempotency_key
    before = clone(sub)
    if "cancel_at_period_end" in p:
        sub["cancel_at_period_end"] = bool(p["cancel_at_period_end"])
        sub["canceled_at"] = bctx.now if sub["cancel_at_period_end"] else None
        if sub["cancel_at_period_end"]:
            sub["cancel_at"] = sub["current_period_end"]
        else:
            sub["cancel_at"] = None
    if "cancel_at" in p:
        sub["cancel_at"] = p["cancel_at"] or None
        sub["cancel_at_period_end"] = False
    if "default_payment_method" in p:
        sub["default_payment_method"] = (_check_pm(ctx, cus, p["default_payment_method"])
                                         if p["default_payment_method"] else None)
    if "collection_method" in p:
        sub["collection_method"] = p["collection_method"]
        if p["collection_method"] == "send_invoice" and p.get("days_until_due") is None and \
                sub.get("days_until_due") is None:
            raise invalid("Missing required param: days_until_due.", param="days_until_due")
        if p["collection_method"] == "charge_automatically":
            sub["days_until_due"] = None
    set_fields(sub, p, ("days_until_due", "description"))
    apply_metadata(sub, p.get("metadata"))
    if p.get("cancellation_details"):
        sub["cancellation_details"].update(p["cancellation_details"])
    if "pause_collection" in p:
        pc = p["pause_collection"]
        sub["pause_collection"] = ({"behavior": pc["behavior"],
                                    "resumes_at": pc.get("resumes_at")} if pc else None)
    if p.get("trial_end") not in (None, ""):
        te = p["trial_end"]
        if te == "now":
            if sub["status"] == "trialing":
                sub["trial_end"] = bctx.now
                sub["current_period_end"] = bctx.now
        else:
            te = int(te)
            if te <= bctx.now:
                raise invalid("Invalid timestamp: must be an integer Unix timestamp in the "
                              "future.", param="trial_end")
            if sub["status"] == "trialing":
                sub["trial_end"] = sub["current_period_end"] = te
    if p.get("items"):
        behaviour = p.get("proration_behavior") or "create_prorations"
        when = p.get("proration_date") or bctx.now
        old_interval = billing._recurring(sub)
        lines, _ = change_items(bctx, sub, p["items"], behaviour, when)
        new_interval = billing._recurring(sub)
        if (old_interval["interval"], old_interval["interval_count"]) != \
                (new_interval["interval"], new_interval["interval_count"]) and \
                sub["status"] != "trialing":
            # a new billing interval restarts the cycle now and invoices at once
            sub["billing_cycle_anchor"] = bctx.now
            billing.start_period(sub, 0)
            billing.bill_period(bctx, sub, "subscription_update",
                                extra_lines=[li for li in lines if li["amount"] < 0])
        elif behaviour == "always_invoice" and lines:
            inv = billing.new_invoice(bctx, sub["customer"], lines, sub["currency"], sub,
                                      "subscription_update",
                                      (when, sub["current_period_end"]), sub["collection_method"],
                                      sub.get("days_until_due"))
            sub.setdefault("_invoice_ids", []).append(inv["id"])
            sub["latest_invoice"] = inv["id"]
            billing.finalize(bctx, inv)
            if inv["status"] == "open" and sub["collection_method"] == "charge_automatically":
                billing.attempt(bctx, inv, off_session=bool(p.get("off_session")))
        elif lines:
            sub.setdefault("_pending", []).extend(lines)
    billing.sub_updated(bctx, sub, before)
    if sub["status"] == "trialing" and sub["trial_end"] <= bctx.now:
        billing.advance(bctx, sub, bctx.now)
    billing.reschedule(ctx)
    return ctx.render(sub)


@route("DELETE", "/v1/subscriptions/{subscription_exposed_id}")
def cancel(ctx):
    sub = _sub(ctx)
    if sub["status"] in ("canceled", "incomplete_expired"):
        raise invalid("No such subscription: '%s'" % sub["id"], code="resource_missing",
                      status=404, param="id")
    bctx = billing.at(ctx, billing.now_for(ctx, sub["customer"]))
    bctx.request_id, bctx.idempotency_key = ctx.request_id, ctx.idempotency_key
    details = dict(sub["cancellation_details"], reason="cancellation_requested")
    details.update(ctx.params.get("cancellation_details") or {})
    billing.cancel(bctx, sub, details)
    billing.reschedule(ctx)
    return ctx.render(sub)


@route("POST", "/v1/subscriptions/{subscription}/resume")
def resume(ctx):
    sub = _sub(ctx, "subscription")
    if sub["status"] != "paused":
        raise invalid("Subscription %s is not paused; only paused subscriptions can be resumed."
                      % sub["id"], param="subscription")
    bctx = billing.at(ctx, billing.now_for(ctx, sub["customer"]))
    bctx.request_id, bctx.idempotency_key = ctx.request_id, ctx.idempotency_key
    before = clone(sub)
    sub["status"] = "active"
    if ctx.params.get("billing_cycle_anchor", "now") == "now":
        sub["billing_cycle_anchor"] = bctx.now
        billing.start_period(sub, 0)
        billing.bill_period(bctx, sub, "subscription_update")
    else:
        k = sub["_k"]
        while billing.period_end(sub, k) <= bctx.now:
            k += 1
        billing.start_period(sub, k)
    billing.sub_updated(bctx, sub, before)
    ctx.event("customer.subscription.resumed", sub)
    billing.reschedule(ctx)
    return ctx.render(sub)


@route("GET", "/v1/subscriptions")
def list_(ctx):
    billing.catch_up(ctx)
    p = ctx.params
    status = p.get("status")
    cus, clock, price = p.get("customer"), p.get("test_clock"), p.get("price")
    ended = ("canceled", "incomplete_expired")
    ranges = {}
    from ..listing import created_bounds
    for f in ("current_period_end", "current_period_start"):
        if p.get(f) not in (None, ""):
            ranges[f] = created_bounds(p[f])

    def pred(s):
        if status in (None, ""):
            if s["status"] == "canceled":
                return False
        elif status == "ended":
            if s["status"] not in ended:
                return False
        elif status != "all" and s["status"] != status:
            return False
        if clock and s.get("test_clock") != clock:
            return False
        if not clock and not cus and s.get("test_clock"):
            return False
        if cus and s["customer"] != cus:
            return False
        if p.get("collection_method") and s["collection_method"] != p["collection_method"]:
            return False
        if price and all(it["price"]["id"] != price for it in s["items"]["data"]):
            return False
        for f, (lo, hi) in ranges.items():
            if (lo is not None and s[f] < lo) or (hi is not None and s[f] > hi):
                return False
        return True
    return list_response(ctx.store, "subscription", p, list_url(ctx), pred,
                         index_by=("customer", cus) if cus else None)


def describe_amount(price):
    return fmt(price["unit_amount"] or 0, price["currency"])
