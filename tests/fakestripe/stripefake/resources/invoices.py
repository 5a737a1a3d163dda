"""Invoices: subscription invoices (made by billing.py), one-off drafts, finalize/pay/void,
list with filters, and GET /v1/invoices/upcoming (the next invoice, incl. a proration preview)."""
from . import route
from . import billing
from .common import apply_metadata, fetch, fetch_param, list_url, set_fields
from ..errors import invalid
from ..listing import created_bounds, list_response
from ..store import clone


def _inv(ctx):
    billing.catch_up(ctx)
    return fetch(ctx, "invoice", ctx.path_params["invoice"])


@route("POST", "/v1/invoices")
def create(ctx):
    p = ctx.params
    if not p.get("customer"):
        raise invalid("Missing required param: customer.", param="customer",
                      code="parameter_missing")
    cus = fetch_param(ctx, "customer", p["customer"], "customer")
    method = p.get("collection_method") or "charge_automatically"
    if method == "send_invoice" and p.get("days_until_due") is None and not p.get("due_date"):
        raise invalid("Missing required param: days_until_due.", param="days_until_due",
                      code="parameter_missing")
    sub = None
    if p.get("subscription"):
        sub = fetch_param(ctx, "subscription", p["subscription"], "subscription")
    lines = list(sub.pop("_pending", [])) if sub else []
    inv = billing.new_invoice(ctx, cus["id"], lines, (p.get("currency") or "usd").lower(), sub,
                              "manual", None, method, p.get("days_until_due"))
    if p.get("due_date"):
        inv["due_date"] = p["due_date"]
    set_fields(inv, p, ("description", "footer", "statement_descriptor", "auto_advance"))
    if p.get("default_payment_method"):
        inv["default_payment_method"] = p["default_payment_method"]
    apply_metadata(inv, p.get("metadata"))
    if sub:
        sub.setdefault("_invoice_ids", []).append(inv["id"])
    return ctx.render(inv)


@route("GET", "/v1/invoices/{invoice}")
def retrieve(ctx):
    return ctx.render(_inv(ctx))


@route("POST", "/v1/invoices/{invoice}")
def update(ctx):
    inv, p = _inv(ctx), ctx.params
    before = clone(inv)
    if inv["status"] != "draft":
        locked = [k for k in ("collection_method", "days_until_due", "due_date", "description",
                              "default_payment_method") if k in p and
                  not (k == "description")]
        if inv["status"] in ("paid", "void") and locked:
            raise invalid("Finalized invoices can't be updated in this way", param=locked[0])
    set_fields(inv, p, ("description", "footer", "statement_descriptor", "auto_advance",
                        "collection_method", "days_until_due", "due_date",
                        "default_payment_method"))
    apply_metadata(inv, p.get("metadata"))
    after = clone(inv)
    previous = {k: before.get(k) for k in after if before.get(k) != after.get(k)}
    if previous:
        ctx.event("invoice.updated", inv, previous)
    return after


@route("DELETE", "/v1/invoices/{invoice}")
def delete(ctx):
    inv = _inv(ctx)
    if inv["status"] != "draft":
        raise invalid("You can only delete draft invoices.", param="invoice")
    if inv["subscription"] and inv["billing_reason"] != "manual":
        raise invalid("You can't delete invoices created by subscriptions.", param="invoice")
    ctx.event("invoice.deleted", inv)
    ctx.store.unlist(inv["id"])
    ctx.store.objects[inv["id"]] = {"id": inv["id"], "object": "invoice", "deleted": True}
    return {"id": inv["id"], "object": "invoice", "deleted": True}


@route("POST", "/v1/invoices/{invoice}/finalize")
def finalize(ctx):
    inv = _inv(ctx)
    return ctx.render(billing.finalize(ctx, inv, ctx.params.get("auto_advance")))


@route("POST", "/v1/invoices/{invoice}/pay")
def pay(ctx):
    inv, p = _inv(ctx), ctx.params
    if inv["status"] == "paid":
        raise invalid("Invoice is already paid", param="invoice")
    if inv["status"] == "draft":
        billing.finalize(ctx, inv)
    if inv["status"] not in ("open", "uncollectible"):
        raise invalid("You can only pay open or uncollectible invoices; this invoice is %s."
                      % inv["status"], param="invoice")
    if inv["status"] == "paid":
        return ctx.render(inv)
    if p.get("paid_out_of_band"):
        billing.mark_paid(ctx, inv, out_of_band=True)
        return ctx.render(inv)
    if inv["status"] == "uncollectible":
        inv["status"] = "open"
    pm = None
    if p.get("payment_method"):
        cus = ctx.store.get(inv["customer"], "customer")
        from .payment_methods import resolve
        pm_obj = resolve(ctx, p["payment_method"])
        if not pm_obj.get("customer"):
            from .payment_methods import attach
            attach(ctx, pm_obj["id"], cus)
        pm = pm_obj["id"]
    billing.attempt(ctx, inv, pm, off_session=p.get("off_session", True), raise_errors=True)
    billing.reschedule(ctx)
    return ctx.render(inv)


@route("POST", "/v1/invoices/{invoice}/void")
def void(ctx):
    return ctx.render(billing.void(ctx, _inv(ctx)))


@route("GET", "/v1/invoices")
def list_(ctx):
    billing.catch_up(ctx)
    p = ctx.params
    want = {k: p[k] for k in ("customer", "subscription", "status", "collection_method")
            if p.get(k)}
    due = created_bounds(p.get("due_date")) if p.get("due_date") not in (None, "") else None

    def pred(inv):
        if not all(inv.get(k) == v for k, v in want.items()):
            return False
        if due:
            lo, hi = due
            if inv["due_date"] is None or (lo is not None and inv["due_date"] < lo) or \
                    (hi is not None and inv["due_date"] > hi):
                return False
        return True
    index_by = None
    for f in ("subscription", "customer"):
        if want.get(f):
            index_by = (f, want[f])
            break
    return list_response(ctx.store, "invoice", p, list_url(ctx), pred, index_by=index_by)


@route("GET", "/v1/invoices/upcoming")
def upcoming(ctx):
    """The invoice the subscription will produce next; with subscription_items[…] it previews a
    plan/quantity change (prorations now + the next period at the new items)."""
    billing.catch_up(ctx)
    p = ctx.params
    if not p.get("customer") and not p.get("subscription"):
        raise invalid("Missing required param: customer.", param="customer",
                      code="parameter_missing")
    sub = None
    if p.get("subscription"):
        sub = fetch_param(ctx, "subscription", p["subscription"], "subscription")
        if p.get("customer") and sub["customer"] != p["customer"]:
            raise invalid("The subscription %s does not belong to customer %s."
                          % (sub["id"], p["customer"]), param="subscription")
    else:
        cus = fetch_param(ctx, "customer", p["customer"], "customer")
        for sub_id in reversed(ctx.store.field_index("subscription", "customer", cus["id"]).ids):
            s = ctx.store.objects[sub_id]
            if s["status"] in billing.ACTIVE:
                sub = s
                break
    customer = p.get("customer") or (sub or {}).get("customer")
    if sub is None or sub["status"] not in billing.ACTIVE or \
            (sub["cancel_at_period_end"] and not p.get("subscription_items")):
        raise invalid("No upcoming invoices for customer: %s" % customer,
                      code="invoice_upcoming_none", status=404)
    from .subscriptions import change_items
    now = billing.now_for(ctx, sub["customer"])
    bctx = billing.at(ctx, now)
    proration_lines, items = [], sub["items"]["data"]
    if p.get("subscription_items"):
        behaviour = p.get("subscription_proration_behavior") or "create_prorations"
        when = p.get("subscription_proration_date") or now
        proration_lines, items = change_items(bctx, sub, p["subscription_items"], behaviour,
                                              when, preview=True)
        if behaviour == "none":
            proration_lines = []
    if sub["status"] == "trialing":
        start = sub["trial_end"]
        end = billing.shift(start, items[0]["price"]["recurring"]["interval"],
                            items[0]["price"]["recurring"]["interval_count"])
    else:
        start = sub["current_period_end"]
        end = billing.period_end(sub, sub["_k"] + 1)
    lines = [clone(li) for li in sub.get("_pending", [])] + proration_lines
    lines += [billing.sub_line(bctx, sub, it, start, end) for it in items]
    inv = billing.new_invoice(bctx, sub["customer"], lines, sub["currency"], sub,
                              "upcoming", (sub["current_period_start"], start),
                              sub["collection_method"], sub.get("days_until_due"), insert=False)
    del inv["id"]
    inv["created"] = start
    inv["lines"]["url"] = "/v1/invoices/upcoming/lines?subscription=%s" % sub["id"]
    inv["next_payment_attempt"] = start if sub["collection_method"] == "charge_automatically" \
        else None
    inv["subscription_proration_date"] = p.get("subscription_proration_date") or now
    return inv
