"""Seed data: customers, payments in given states at given times, and synthetic histories.

Seeds go through the same service functions as API calls, so charges, balance transactions,
refunds and events are consistent with what the API would have produced. Format: README.md.
"""
import json
import random

from .errors import StripeError
from .resources.customers import create_customer
from .resources.payment_intents import cancel_intent, create_intent
from .resources.payment_methods import attach
from .resources.refunds import create_refund

STATUSES = ("succeeded", "refunded", "partially_refunded", "failed", "requires_capture",
            "canceled", "requires_payment_method", "requires_action")
DEFAULT_DECLINE = "pm_card_chargeDeclined"


def load_file(app, path):
    with open(path, "r", encoding="utf-8") as f:
        return load(app, json.load(f))


def load(app, seed):
    if not isinstance(seed, dict):
        raise ValueError("a seed is a JSON object")
    account = seed.get("account") or app.platform_account
    if account not in app.accounts:
        from .resources.account import connected_account_object
        connected_account_object(app, {"id": account})
    for acct in seed.get("connected_accounts", []):
        from .resources.account import connected_account_object
        connected_account_object(app, acct)
    if "clock" in seed:
        app.clock.set(int(seed["clock"]))
    store = app.store_for(account)
    before = store.counts()
    refs = {}
    rng = random.Random(seed["id_seed"]) if "id_seed" in seed else None
    with store.lock:
        for c in seed.get("customers", []):
            _customer(app, account, c, refs, rng)
        for pay in seed.get("payments", []):
            _payment(app, account, pay, refs, rng)
        if "generate" in seed:
            generate(app, account, seed["generate"], refs)
    after = store.counts()
    return {"account": account, "refs": refs,
            "created": {t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0)}}


def _ctx(app, account, created, rng, events=True):
    ctx = app.context(account, now=int(created) if created is not None else None)
    ctx.rng = rng
    ctx.emit_events = events
    return ctx


def _customer(app, account, c, refs, rng, events=True):
    ctx = _ctx(app, account, c.get("created"), rng, events)
    params = {k: c[k] for k in ("id", "email", "name", "phone", "description", "metadata")
              if k in c}
    cus = create_customer(ctx, params)
    pms = [attach(ctx, alias, cus, emit=False) for alias in c.get("payment_methods", [])]
    default = c.get("default_payment_method", 0 if pms else None)
    if default is not None:
        pm = pms[default] if isinstance(default, int) else attach(ctx, default, cus, emit=False)
        cus["invoice_settings"]["default_payment_method"] = pm["id"]
    refs[c.get("ref") or cus["id"]] = cus["id"]
    return cus


def _payment(app, account, pay, refs, rng, events=True):
    status = pay.get("status", "succeeded")
    if status not in STATUSES:
        raise ValueError("payment status must be one of %s" % ", ".join(STATUSES))
    ctx = _ctx(app, account, pay.get("created"), rng, events)
    customer = refs.get(pay.get("customer"), pay.get("customer"))
    pm = pay.get("payment_method")
    if pm is None and status == "failed":
        pm = DEFAULT_DECLINE
    elif pm is None and status == "requires_action":
        pm = "pm_card_authenticationRequired"
    elif pm is None and customer:
        cus = ctx.store.get(customer, "customer")
        pm = (cus or {}).get("invoice_settings", {}).get("default_payment_method") or "pm_card_visa"
    elif pm is None:
        pm = "pm_card_visa"
    params = {"amount": int(pay["amount"]), "currency": pay.get("currency", "usd"),
              "payment_method": pm, "confirm": status != "requires_payment_method",
              "capture_method": "manual" if status == "requires_capture" else "automatic"}
    if status == "requires_payment_method":
        del params["payment_method"]
    for k in ("description", "metadata", "receipt_email"):
        if k in pay:
            params[k] = pay[k]
    if customer:
        params["customer"] = customer
    try:
        pi = create_intent(ctx, params)
    except StripeError as e:
        if e.status != 402:
            raise
        pi = ctx.store.get(e.extra["payment_intent"]["id"])
    if status in ("refunded", "partially_refunded"):
        later = _ctx(app, account, pi["created"] + int(pay.get("refund_after", 3600)), rng, events)
        amount = pay.get("refund_amount", pi["amount"] if status == "refunded" else pi["amount"] // 2)
        create_refund(later, {"payment_intent": pi["id"], "amount": int(amount),
                              "reason": pay.get("refund_reason", "requested_by_customer")})
    elif status == "canceled":
        cancel_intent(ctx, pi, pay.get("cancellation_reason", "requested_by_customer"))
    if pay.get("ref"):
        refs[pay["ref"]] = pi["id"]
    return pi


_SERVICES = [("Haircut", 3500), ("Cut and colour", 9500), ("Beard trim", 1800),
             ("Consultation 30 min", 5000), ("Massage 60 min", 7000), ("Manicure", 2500),
             ("Package: 5 sessions", 30000)]
_DECLINES = ["pm_card_chargeDeclined", "pm_card_chargeDeclinedInsufficientFunds",
             "pm_card_chargeDeclinedExpiredCard", "pm_card_chargeDeclinedIncorrectCvc",
             "pm_card_visa_chargeDeclinedLostCard"]
_CARDS = ["pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_card_visa_debit"]
_FIRST = ["Amy", "Ben", "Chloe", "Dev", "Elif", "Farah", "Gus", "Hana", "Ivo", "Jade", "Kai",
          "Lena", "Milo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tess"]
_LAST = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hughes", "Ito", "Jones",
         "Khan", "Lopez", "Moore", "Novak", "Okafor", "Patel"]


def generate(app, account, spec, refs):
    """Deterministic synthetic history: same spec (incl. seed, start, end) -> same objects."""
    n = int(spec.get("payments", 100))
    rng = random.Random(spec.get("seed", 0))
    id_rng = random.Random("ids-%s" % spec.get("seed", 0))
    end = int(spec.get("end", app.clock.now()))
    start = int(spec.get("start", end - 365 * 86400))
    currency = spec.get("currency", "usd")
    events = spec.get("events", True)
    n_customers = int(spec.get("customers", max(1, n // 40)))
    customers = []
    for i in range(n_customers):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        cus = _customer(app, account, {
            "created": start - 86400 + i, "name": "%s %s" % (first, last),
            "email": "%s.%s%d@example.com" % (first.lower(), last.lower(), i),
            "payment_methods": [rng.choice(_CARDS)], "metadata": {"synthetic": "true"}},
            refs, id_rng, events)
        customers.append(cus["id"])
    times = sorted(rng.randint(start, end) for _ in range(n))
    for i, created in enumerate(times):
        name, amount = rng.choice(_SERVICES)
        roll = rng.random()
        if roll < 0.05:
            status, pm = "failed", rng.choice(_DECLINES)
        elif roll < 0.10:
            status, pm = "refunded", None
        elif roll < 0.13:
            status, pm = "partially_refunded", None
        elif roll < 0.15:
            status, pm = "canceled", None
        else:
            status, pm = "succeeded", None
        pay = {"created": created, "amount": amount, "currency": currency, "status": status,
               "description": name, "customer": rng.choice(customers),
               "metadata": {"appointment_id": "A-%06d" % (i + 1)}}
        if status == "canceled":
            pay["status"] = "requires_payment_method"
        if pm:
            pay["payment_method"] = pm
        pi = _payment(app, account, pay, refs, id_rng, events)
        if status == "canceled":
            cancel_intent(_ctx(app, account, created, id_rng, events), pi, "abandoned")
    return n
