"""The billing engine behind subscriptions, invoices and test clocks.

Time: a subscription whose customer has a test clock lives at the clock's frozen_time and moves
only when the clock is advanced; every other subscription follows the fake clock (catch_up() runs
before each API request, so POST /_fake/clock {"advance": …} renews subscriptions too).

Each step happens at its own moment (objects and events get that `created`):
  trial end -> first paid period (invoice billing_reason subscription_cycle)
  period end -> cancel (cancel_at_period_end / cancel_at) or renew: invoice (draft -> open at
               once), payment with the default payment method (subscription's, else the
               customer's invoice_settings), off-session
  failed payment -> invoice stays open, attempt_count+1, next_payment_attempt per
               settings.retry_days; subscription past_due; after the last retry the
               subscription becomes settings.after_retries (canceled | unpaid | past_due)
  incomplete for 23 h -> incomplete_expired (first invoice voided)
  send_invoice: invoice open with due_date; past due_date unpaid -> subscription past_due
"""
import calendar
import datetime

from ..context import Ctx
from ..errors import invalid
from ..money import fmt
from ..store import clone

DEFAULT_SETTINGS = {"retry_days": [3, 5, 7], "after_retries": "canceled",
                    "invoice_after_retries": "open"}
INCOMPLETE_TTL = 23 * 3600
TRIAL_WILL_END = 3 * 86400
ACTIVE = ("active", "past_due", "unpaid", "trialing")


def settings(app):
    if not hasattr(app, "billing_settings"):
        app.billing_settings = dict(DEFAULT_SETTINGS)
    return app.billing_settings


# -- time ------------------------------------------------------------------------------------------

def shift(ts, interval, n):
    if interval == "day":
        return ts + n * 86400
    if interval == "week":
        return ts + n * 7 * 86400
    months = n * (12 if interval == "year" else 1)
    dt = datetime.datetime.utcfromtimestamp(ts)
    m = dt.month - 1 + months
    y, m = dt.year + m // 12, m % 12 + 1
    d = min(dt.day, calendar.monthrange(y, m)[1])
    return calendar.timegm(dt.replace(year=y, month=m, day=d).timetuple())


def _recurring(sub):
    return sub["items"]["data"][0]["price"]["recurring"]


def period_end(sub, k):
    rec = _recurring(sub)
    return shift(sub["billing_cycle_anchor"], rec["interval"], rec["interval_count"] * (k + 1))


def at(ctx, when):
    """A context for work happening automatically at `when` (no request behind it)."""
    c = Ctx(ctx.app, ctx.store, when, None, None, key_info=ctx.key_info, url=ctx.url)
    c.rng, c.emit_events = ctx.rng, ctx.emit_events
    return c


def clock_of(ctx, customer_id):
    cus = ctx.store.get(customer_id, "customer") if customer_id else None
    clock_id = (cus or {}).get("test_clock")
    return ctx.store.get(clock_id, "test_helpers.test_clock") if clock_id else None


def now_for(ctx, customer_id):
    clock = clock_of(ctx, customer_id)
    return clock["frozen_time"] if clock else ctx.now


# -- events ----------------------------------------------------------------------------------------

def sub_updated(ctx, sub, before):
    after = clone(sub)
    previous = {k: before.get(k) for k in after if before.get(k) != after.get(k)}
    if previous:
        ctx.event("customer.subscription.updated", sub, previous)


# -- invoices ------------------------------------------------------------------------------------

def _describe(price, qty, product_name):
    rec = price.get("recurring")
    amount = fmt(price["unit_amount"] or 0, price["currency"])
    if not rec:
        return "%d × %s" % (qty, product_name)
    every = rec["interval"] if rec["interval_count"] == 1 else "every %d %ss" % (
        rec["interval_count"], rec["interval"])
    return "%d × %s (at %s / %s)" % (qty, product_name, amount, every)


def product_name(ctx, price):
    prod = ctx.store.get(price["product"], "product") or {}
    return prod.get("name") or price["product"]


def sub_line(ctx, sub, item, start, end, trial=False):
    price, qty = item["price"], item["quantity"]
    amount = 0 if trial else (price["unit_amount"] or 0) * qty
    desc = ("Trial period for %s" % product_name(ctx, price)) if trial else \
        _describe(price, qty, product_name(ctx, price))
    return line(ctx, amount, price, qty, desc, start, end, sub["id"], item["id"],
                kind="subscription")


def line(ctx, amount, price, qty, desc, start, end, sub_id=None, item_id=None,
         kind="invoiceitem", proration=False):
    return {"id": ctx.new_id("il_"), "object": "line_item", "amount": amount,
            "amount_excluding_tax": amount, "currency": price["currency"], "description": desc,
            "discount_amounts": [], "discountable": not proration, "discounts": [],
            "invoice_item": ctx.new_id("ii_") if kind == "invoiceitem" else None,
            "livemode": ctx.livemode, "metadata": {}, "period": {"start": start, "end": end},
            "price": clone(price), "proration": proration,
            "proration_details": {"credited_items": None}, "quantity": qty,
            "subscription": sub_id, "subscription_item": item_id, "tax_amounts": [],
            "tax_rates": [], "type": kind,
            "unit_amount_excluding_tax": str(price["unit_amount"] or 0)}


def new_invoice(ctx, customer_id, lines, currency, sub=None, reason="manual", period=None,
                collection_method="charge_automatically", days_until_due=None, insert=True):
    cus = ctx.store.get(customer_id, "customer") or {}
    total = sum(li["amount"] for li in lines)
    start, end = period or (ctx.now, ctx.now)
    inv = ctx.complete({
        "id": ctx.new_id("in_"), "object": "invoice", "account_country": "US",
        "account_name": ctx.app.accounts.get(ctx.account_id, {}).get(
            "settings", {}).get("dashboard", {}).get("display_name"),
        "account_tax_ids": None, "amount_due": max(total, 0), "amount_paid": 0,
        "amount_remaining": max(total, 0), "amount_shipping": 0, "application": None,
        "application_fee_amount": None, "attempt_count": 0, "attempted": False,
        "auto_advance": True, "automatic_tax": {"enabled": False, "status": None},
        "billing_reason": reason, "charge": None, "collection_method": collection_method,
        "created": ctx.now, "currency": currency, "custom_fields": None,
        "customer": customer_id, "customer_address": cus.get("address"),
        "customer_email": cus.get("email"), "customer_name": cus.get("name"),
        "customer_phone": cus.get("phone"), "customer_shipping": None,
        "customer_tax_exempt": cus.get("tax_exempt", "none"), "customer_tax_ids": [],
        "default_payment_method": None, "default_source": None, "default_tax_rates": [],
        "description": None, "discount": None, "discounts": [], "due_date": None,
        "ending_balance": None, "footer": None, "from_invoice": None,
        "hosted_invoice_url": None, "invoice_pdf": None, "last_finalization_error": None,
        "latest_revision": None,
        "lines": {"object": "list", "data": lines, "has_more": False,
                  "total_count": len(lines), "url": None},
        "livemode": ctx.livemode, "metadata": {}, "next_payment_attempt": None,
        "number": None, "on_behalf_of": None, "paid": False, "paid_out_of_band": False,
        "payment_intent": None,
        "payment_settings": {"default_mandate": None, "payment_method_options": None,
                             "payment_method_types": None},
        "period_end": end, "period_start": start, "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0, "quote": None, "receipt_number": None,
        "rendering_options": None, "shipping_cost": None, "shipping_details": None,
        "starting_balance": 0, "statement_descriptor": None, "status": "draft",
        "status_transitions": {"finalized_at": None, "marked_uncollectible_at": None,
                               "paid_at": None, "voided_at": None},
        "subscription": sub["id"] if sub else None, "subtotal": total,
        "subtotal_excluding_tax": total, "tax": None,
        "test_clock": (ctx.store.get(customer_id, "customer") or {}).get("test_clock"),
        "total": total, "total_discount_amounts": [], "total_excluding_tax": total,
        "total_tax_amounts": [], "transfer_data": None, "webhooks_delivered_at": ctx.now,
    })
    inv["lines"]["url"] = "/v1/invoices/%s/lines" % inv["id"]
    if collection_method == "send_invoice":
        inv["due_date"] = ctx.now + (days_until_due or 30) * 86400
    if insert:
        ctx.store.insert(inv)
        ctx.event("invoice.created", inv)
    return inv


def recompute(inv):
    total = sum(li["amount"] for li in inv["lines"]["data"])
    inv.update(subtotal=total, subtotal_excluding_tax=total, total=total,
               total_excluding_tax=total, amount_due=max(total, 0),
               amount_remaining=max(total, 0) - inv["amount_paid"])
    inv["lines"]["total_count"] = len(inv["lines"]["data"])


def finalize(ctx, inv, auto_advance=None):
    if inv["status"] != "draft":
        raise invalid("This invoice is already finalized, you can't re-finalize a non-draft "
                      "invoice.")
    cus = ctx.store.get(inv["customer"], "customer")
    if cus is not None:
        seq = cus.get("next_invoice_sequence", 1)
        inv["number"] = "%s-%04d" % (cus.get("invoice_prefix") or "INV", seq)
        cus["next_invoice_sequence"] = seq + 1
    inv["status"] = "open"
    inv["status_transitions"]["finalized_at"] = ctx.now
    token = ctx.new_id("")[:20]
    inv["hosted_invoice_url"] = "https://invoice.stripe.com/i/%s/test_%s" % (ctx.account_id, token)
    inv["invoice_pdf"] = "https://pay.stripe.com/invoice/%s/test_%s/pdf" % (ctx.account_id, token)
    if auto_advance is not None:
        inv["auto_advance"] = auto_advance
    ctx.event("invoice.finalized", inv)
    if inv["amount_due"] == 0:
        mark_paid(ctx, inv)
    return inv


def mark_paid(ctx, inv, out_of_band=False):
    inv["status"] = "paid"
    inv["paid"] = True
    inv["paid_out_of_band"] = out_of_band
    inv["amount_paid"] = inv["amount_due"]
    inv["amount_remaining"] = 0
    inv["next_payment_attempt"] = None
    inv["status_transitions"]["paid_at"] = ctx.now
    inv["ending_balance"] = 0
    ctx.event("invoice.paid", inv)
    ctx.event("invoice.payment_succeeded", inv)
    sub = ctx.store.get(inv["subscription"] or "", "subscription")
    if sub is not None and sub["status"] in ("incomplete", "past_due", "unpaid") and \
            not _other_open(ctx, sub, inv):
        before = clone(sub)
        sub["status"] = "active"
        sub_updated(ctx, sub, before)


def _other_open(ctx, sub, inv):
    for inv_id in sub.get("_invoice_ids", []):
        other = ctx.store.get(inv_id, "invoice")
        if other and other["id"] != inv["id"] and other["status"] == "open" and \
                other["collection_method"] == "charge_automatically":
            return True
    return False


def default_pm(ctx, sub=None, inv=None, customer_id=None):
    for holder in (inv, sub):
        if holder and holder.get("default_payment_method"):
            return holder["default_payment_method"]
    cus = ctx.store.get(customer_id or (inv or sub)["customer"], "customer") or {}
    return (cus.get("invoice_settings") or {}).get("default_payment_method")


def attempt(ctx, inv, pm_id=None, off_session=True, raise_errors=False, confirm=True):
    """One payment attempt for an open invoice through its PaymentIntent."""
    from .payment_intents import confirm_intent, create_intent
    from ..errors import StripeError
    if inv["status"] != "open":
        raise invalid("Invoice is already %s." % inv["status"])
    sub = ctx.store.get(inv["subscription"] or "", "subscription")
    pm_id = pm_id or default_pm(ctx, sub, inv)
    pi = ctx.store.get(inv["payment_intent"] or "", "payment_intent")
    if pi is None:
        desc = {"subscription_create": "Subscription creation",
                "subscription_cycle": "Subscription update",
                "subscription_update": "Subscription update"}.get(inv["billing_reason"])
        pi = create_intent(ctx, {"amount": inv["amount_due"], "currency": inv["currency"],
                                 "customer": inv["customer"], "description": desc,
                                 "payment_method_types": ["card"]})
        pi["invoice"] = inv["id"]
        inv["payment_intent"] = pi["id"]
    inv["attempted"] = True
    if not confirm:
        return inv
    if pm_id is None:
        if raise_errors:
            raise invalid("There is no `default_payment_method` set on this Customer or Invoice.")
        inv["attempt_count"] += 1
        payment_failed(ctx, inv, pi)
        return inv
    try:
        # the hooks below (_on_pi_succeeded / _on_pi_failed) count the attempt and react
        confirm_intent(ctx, pi, {"payment_method": pm_id, "off_session": off_session})
    except StripeError:
        if raise_errors:
            raise
    if pi["status"] == "requires_action":
        inv["attempt_count"] += 1
        ctx.event("invoice.payment_action_required", inv)
    return inv


def payment_failed(ctx, inv, pi):
    """Called when an invoice's payment attempt fails (hook from payment_intents)."""
    sub = ctx.store.get(inv["subscription"] or "", "subscription")
    retry_days = settings(ctx.app)["retry_days"]
    first = inv.setdefault("_first_failure", ctx.now)
    n = inv["attempt_count"]
    auto = inv["collection_method"] == "charge_automatically" and inv["auto_advance"]
    inv["next_payment_attempt"] = (first + retry_days[n - 1] * 86400
                                   if auto and n - 1 < len(retry_days) and sub and
                                   sub["status"] != "incomplete" else None)
    ctx.event("invoice.payment_failed", inv)
    if sub is None:
        return
    before = clone(sub)
    if sub["status"] in ("active", "trialing") and inv["billing_reason"] != "subscription_create":
        sub["status"] = "past_due"
    if inv["next_payment_attempt"] is None and n > len(retry_days) and \
            sub["status"] == "past_due":
        exhausted(ctx, sub, inv)
        return
    sub_updated(ctx, sub, before)


def exhausted(ctx, sub, inv):
    s = settings(ctx.app)
    if s["invoice_after_retries"] == "uncollectible":
        mark_uncollectible(ctx, inv)
    if s["after_retries"] == "canceled":
        cancel(ctx, sub)
    elif s["after_retries"] == "unpaid":
        before = clone(sub)
        sub["status"] = "unpaid"
        sub_updated(ctx, sub, before)


def mark_uncollectible(ctx, inv):
    inv["status"] = "uncollectible"
    inv["next_payment_attempt"] = None
    inv["status_transitions"]["marked_uncollectible_at"] = ctx.now
    ctx.event("invoice.marked_uncollectible", inv)


def void(ctx, inv):
    if inv["status"] not in ("open", "uncollectible"):
        raise invalid("You can only pass in open or uncollectible invoices.", param="invoice")
    inv["status"] = "void"
    inv["next_payment_attempt"] = None
    inv["status_transitions"]["voided_at"] = ctx.now
    pi = ctx.store.get(inv["payment_intent"] or "", "payment_intent")
    if pi is not None and pi["status"] in ("requires_payment_method", "requires_confirmation",
                                           "requires_action"):
        from .payment_intents import cancel_intent
        cancel_intent(ctx, pi, None)
        pi["cancellation_reason"] = "void_invoice"
    ctx.event("invoice.voided", inv)
    return inv


def _on_pi_succeeded(ctx, pi):
    inv = ctx.store.get(pi.get("invoice") or "", "invoice")
    if inv is not None and inv["status"] in ("open", "uncollectible"):
        inv["charge"] = pi["latest_charge"]
        inv["attempted"] = True
        inv["attempt_count"] += 1
        mark_paid(ctx, inv)


def _on_pi_failed(ctx, pi):
    inv = ctx.store.get(pi.get("invoice") or "", "invoice")
    if inv is not None and inv["status"] == "open":
        inv["charge"] = pi["latest_charge"]
        inv["attempt_count"] += 1
        payment_failed(ctx, inv, pi)


def _register_hooks():
    from . import payment_intents
    if _on_pi_succeeded not in payment_intents.SUCCEEDED_HOOKS:
        payment_intents.SUCCEEDED_HOOKS.append(_on_pi_succeeded)
        payment_intents.FAILED_HOOKS.append(_on_pi_failed)


_register_hooks()


# -- subscription steps ------------------------------------------------------------------------------

def bill_period(ctx, sub, reason, extra_lines=(), trial=False):
    """Invoice for the current period (plus pending prorations), finalized and paid if due."""
    start, end = sub["current_period_start"], sub["current_period_end"]
    lines = list(extra_lines) + list(sub.pop("_pending", []) if not trial else [])
    lines += [sub_line(ctx, sub, item, start, end, trial=trial) for item in sub["items"]["data"]]
    inv = new_invoice(ctx, sub["customer"], lines, sub["currency"], sub, reason, (start, end),
                      sub["collection_method"], sub.get("days_until_due"))
    sub.setdefault("_invoice_ids", []).append(inv["id"])
    sub["latest_invoice"] = inv["id"]
    pause = sub.get("pause_collection")
    if pause and not trial:
        if pause["behavior"] == "keep_as_draft":
            inv["auto_advance"] = False
            return inv
        finalize(ctx, inv, auto_advance=False)
        if inv["status"] == "open":
            if pause["behavior"] == "void":
                void(ctx, inv)
            else:
                mark_uncollectible(ctx, inv)
        return inv
    if sub["status"] == "unpaid":
        inv["auto_advance"] = False     # unpaid: invoices are created but left as drafts
        return inv
    finalize(ctx, inv)
    if inv["status"] == "open" and sub["collection_method"] == "charge_automatically":
        attempt(ctx, inv, confirm=sub.get("_confirm_first", True))
    return inv


def cancel(ctx, sub, details=None):
    before = clone(sub)
    sub["status"] = "canceled"
    sub["canceled_at"] = sub.get("canceled_at") or ctx.now
    sub["ended_at"] = ctx.now
    if details:
        sub["cancellation_details"] = details
    for inv_id in sub.get("_invoice_ids", []):
        inv = ctx.store.get(inv_id, "invoice")
        if inv and inv["status"] == "open":
            inv["next_payment_attempt"] = None
    sub_updated_silent = clone(sub)
    previous = {k: before.get(k) for k in sub_updated_silent
                if before.get(k) != sub_updated_silent.get(k)}
    ctx.event("customer.subscription.deleted", sub, previous or None)
    return sub


def start_period(sub, k):
    sub["_k"] = k
    sub["current_period_start"] = period_end(sub, k - 1) if k > 0 else sub["billing_cycle_anchor"]
    sub["current_period_end"] = period_end(sub, k)


def due_actions(ctx, sub):
    """(time, kind, payload) of everything that will happen to this subscription by itself."""
    acts = []
    st = sub["status"]
    if st == "trialing":
        if not sub.get("_trial_will_end_sent") and sub["trial_end"] - TRIAL_WILL_END > sub["created"]:
            acts.append((sub["trial_end"] - TRIAL_WILL_END, "trial_will_end", None))
        acts.append((sub["trial_end"], "trial_end", None))
    elif st == "incomplete":
        acts.append((sub["created"] + INCOMPLETE_TTL, "expire_incomplete", None))
    elif st in ("active", "past_due", "unpaid"):
        if sub["cancel_at"] and sub["cancel_at"] < sub["current_period_end"]:
            acts.append((sub["cancel_at"], "cancel", None))
        acts.append((sub["current_period_end"], "period_end", None))
        pause = sub.get("pause_collection")
        if pause and pause.get("resumes_at"):
            acts.append((pause["resumes_at"], "unpause", None))
        for inv_id in sub.get("_invoice_ids", [])[-3:]:
            inv = ctx.store.get(inv_id, "invoice")
            if inv is None or inv["status"] != "open":
                continue
            if inv["next_payment_attempt"]:
                acts.append((inv["next_payment_attempt"], "retry", inv))
            if inv["collection_method"] == "send_invoice" and inv["due_date"] and \
                    not inv.get("_overdue") and st == "active":
                acts.append((inv["due_date"], "overdue", inv))
    return acts


def step(ctx, sub, kind, inv):
    before = clone(sub)
    if kind == "trial_will_end":
        sub["_trial_will_end_sent"] = True
        ctx.event("customer.subscription.trial_will_end", sub)
    elif kind == "trial_end":
        end_trial(ctx, sub, before)
    elif kind == "expire_incomplete":
        sub["status"] = "incomplete_expired"
        sub["ended_at"] = ctx.now
        inv = ctx.store.get(sub.get("latest_invoice") or "", "invoice")
        if inv is not None and inv["status"] == "open":
            void(ctx, inv)
        sub_updated(ctx, sub, before)
    elif kind == "cancel":
        cancel(ctx, sub)
    elif kind == "period_end":
        if sub["cancel_at_period_end"] or (sub["cancel_at"] and
                                           sub["cancel_at"] <= sub["current_period_end"]):
            cancel(ctx, sub)
            return
        start_period(sub, sub["_k"] + 1)
        bill_period(ctx, sub, "subscription_cycle")
        sub_updated(ctx, sub, before)
    elif kind == "unpause":
        sub["pause_collection"] = None
        sub_updated(ctx, sub, before)
    elif kind == "retry":
        attempt(ctx, inv)
    elif kind == "overdue":
        inv["_overdue"] = True
        sub["status"] = "past_due"
        sub_updated(ctx, sub, before)


def end_trial(ctx, sub, before):
    has_pm = default_pm(ctx, sub) is not None
    behaviour = ((sub.get("trial_settings") or {}).get("end_behavior") or {}).get(
        "missing_payment_method", "create_invoice")
    if not has_pm and sub["collection_method"] == "charge_automatically" and behaviour != "create_invoice":
        if behaviour == "cancel":
            cancel(ctx, sub)
        else:
            sub["status"] = "paused"
            sub_updated(ctx, sub, before)
            ctx.event("customer.subscription.paused", sub)
        return
    sub["status"] = "active"
    sub["billing_cycle_anchor"] = sub["trial_end"]
    start_period(sub, 0)
    bill_period(ctx, sub, "subscription_cycle")
    sub_updated(ctx, sub, before)


def advance(ctx, sub, until):
    """Run everything due for one subscription up to `until`."""
    for _ in range(10000):
        acts = [a for a in due_actions(ctx, sub) if a[0] <= until]
        if not acts:
            return
        when, kind, payload = min(acts, key=lambda a: a[0])
        step(at(ctx, when), sub, kind, payload)


def next_due(ctx, sub):
    acts = due_actions(ctx, sub)
    return min(a[0] for a in acts) if acts else None


def reschedule(ctx):
    """Cache, on the store, the earliest moment any clock-less subscription needs work."""
    due = None
    for sub_id in ctx.store.index("subscription").ids:
        sub = ctx.store.objects[sub_id]
        if sub.get("test_clock"):
            continue
        t = next_due(ctx, sub)
        if t is not None and (due is None or t < due):
            due = t
    ctx.store.billing_due = due


def catch_up(ctx):
    """Bring subscriptions without a test clock up to the fake clock's now (cheap when idle)."""
    due = getattr(ctx.store, "billing_due", None)
    if due is None or due > ctx.now:
        return
    for sub_id in list(ctx.store.index("subscription").ids):
        sub = ctx.store.objects[sub_id]
        if not sub.get("test_clock"):
            advance(ctx, sub, ctx.now)
    reschedule(ctx)


def subscriptions_of_clock(ctx, clock_id):
    out = []
    for sub_id in ctx.store.index("subscription").ids:
        sub = ctx.store.objects[sub_id]
        if sub.get("test_clock") == clock_id:
            out.append(sub)
    return out


def advance_clock(ctx, clock, until):
    """Move everything attached to a test clock up to `until`, in time order."""
    subs = subscriptions_of_clock(ctx, clock["id"])
    for _ in range(100000):
        best = None
        for sub in subs:
            acts = [a for a in due_actions(ctx, sub) if a[0] <= until]
            if acts:
                a = min(acts, key=lambda x: x[0])
                if best is None or a[0] < best[1][0]:
                    best = (sub, a)
        if best is None:
            break
        sub, (when, kind, payload) = best
        clock["frozen_time"] = when
        step(at(ctx, when), sub, kind, payload)
    clock["frozen_time"] = until
