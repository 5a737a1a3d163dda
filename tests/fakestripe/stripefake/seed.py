"""Seed data: customers, payments in given states at given times, and synthetic histories.

Seeds go through the same service functions as API calls, so charges, balance transactions,
refunds and events are consistent with what the API would have produced. Format: README.md.
"""
import gc
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
    # Millions of small dicts make the cyclic GC rescan the heap over and over while seeding;
    # nothing here makes cycles worth collecting, so pause it, then freeze what was built.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(app, seed)
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


def _load(app, seed):
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
    if seed.get("platform") and account == app.platform_account:
        _platform(app, seed["platform"])
    store = app.store_for(account)
    before = store.counts()
    refs = {}
    rng = random.Random(seed["id_seed"]) if "id_seed" in seed else None
    with store.lock:
        for c in seed.get("customers", []):
            _customer(app, account, c, refs, rng)
        for pay in seed.get("payments", []):
            _payment(app, account, pay, refs, rng)
        for prod in seed.get("products", []):
            _product(app, account, prod, refs, rng)
        if "generate" in seed:
            generate(app, account, seed["generate"], refs,
                     [refs[c["ref"]] for c in seed.get("customers", []) if c.get("ref")])
        for s in seed.get("subscriptions", []):
            _subscription(app, account, s, refs, rng)
        from .resources import billing
        billing.reschedule(app.context(account))
    after = store.counts()
    return {"account": account, "refs": refs,
            "created": {t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0)}}


def _ago(app, item, default=None):
    """`created` of a seed item: an absolute "created" or "days_ago" before the fake clock."""
    if item.get("created") is not None:
        return int(item["created"])
    if item.get("days_ago") is not None:
        return app.clock.now() - int(float(item["days_ago"]) * 86400)
    return default


def _platform(app, p):
    acct = app.accounts[app.platform_account]
    if "business_name" in p:
        acct["business_profile"]["name"] = p["business_name"]
        acct["settings"]["dashboard"]["display_name"] = p["business_name"]
    if "display_name" in p:
        acct["settings"]["dashboard"]["display_name"] = p["display_name"]
    for k in ("email", "country", "default_currency"):
        if k in p:
            acct[k] = p[k]
    for k in ("support_email", "support_phone", "url", "mcc"):
        if k in p:
            acct["business_profile"][k] = p[k]


def _product(app, account, prod, refs, rng):
    from .resources.products import create_price, create_product
    ctx = _ctx(app, account, _ago(app, prod), rng, True)
    params = {k: prod[k] for k in ("id", "name", "description", "metadata", "unit_label")
              if k in prod}
    p = create_product(ctx, params)
    refs[prod.get("ref") or p["id"]] = p["id"]
    first = None
    for price in prod.get("prices", []):
        pp = {k: price[k] for k in ("unit_amount", "nickname", "lookup_key", "metadata",
                                    "recurring") if k in price}
        pp.update(currency=price.get("currency", "usd"), product=p["id"])
        pr = create_price(ctx, pp)
        refs[price.get("ref") or pr["id"]] = pr["id"]
        first = first or pr["id"]
    if first:
        p["default_price"] = first
    p["active"] = prod.get("active", True)
    return p


def _subscription(app, account, s, refs, rng):
    """A subscription started in the past and run forward to now through the billing engine,
    so its invoices, payments, renewals and failures exist as they would have happened."""
    from .resources import billing
    from .resources.payment_methods import attach
    from .resources.subscriptions import create_subscription
    now = app.clock.now()
    start = _ago(app, s, now)
    ctx = _ctx(app, account, start, rng, True)
    cus = refs.get(s["customer"], s["customer"])
    items = s.get("items") or [{"price": s["price"], "quantity": s.get("quantity", 1)}]
    params = {"customer": cus, "items": [{"price": refs.get(i["price"], i["price"]),
                                          "quantity": i.get("quantity", 1)} for i in items]}
    for k in ("trial_period_days", "collection_method", "days_until_due", "metadata",
              "description", "payment_behavior"):
        if k in s:
            params[k] = s[k]
    sub = create_subscription(ctx, params)
    refs[s.get("ref") or sub["id"]] = sub["id"]
    if s.get("failing_card"):           # the card on file starts failing after the start
        later = _ctx(app, account, start + 3600, rng, True)
        pm = attach(later, s["failing_card"], ctx.store.get(cus, "customer"))
        sub["default_payment_method"] = pm["id"]
    stop = now - int(float(s["canceled_days_ago"]) * 86400) if "canceled_days_ago" in s else now
    billing.advance(ctx, sub, stop)
    if "canceled_days_ago" in s and sub["status"] not in ("canceled", "incomplete_expired"):
        billing.cancel(billing.at(ctx, stop), sub,
                       {"comment": None, "feedback": s.get("feedback"),
                        "reason": "cancellation_requested"})
    if s.get("cancel_at_period_end") and sub["status"] in billing.ACTIVE:
        sub["cancel_at_period_end"] = True
        sub["cancel_at"] = sub["current_period_end"]
        sub["canceled_at"] = now - 86400
    return sub


def _ctx(app, account, created, rng, events=True):
    ctx = app.context(account, now=int(created) if created is not None else None)
    ctx.rng = rng
    ctx.emit_events = events
    return ctx


def _customer(app, account, c, refs, rng, events=True):
    ctx = _ctx(app, account, _ago(app, c), rng, events)
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
    ctx = _ctx(app, account, _ago(app, pay), rng, events)
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


def generate(app, account, spec, refs, seeded_customers=()):
    """Deterministic synthetic history: same spec (incl. seed, start, end) -> same objects.

    "days": N instead of "start" covers the N days before `end`; "customers": "seeded" spreads
    the payments over the customers defined in the same seed instead of making synthetic ones."""
    n = int(spec.get("payments", 100))
    rng = random.Random(spec.get("seed", 0))
    id_rng = random.Random("ids-%s" % spec.get("seed", 0))
    end = int(spec.get("end", app.clock.now()))
    start = int(spec.get("start", end - int(spec.get("days", 365)) * 86400))
    currency = spec.get("currency", "usd")
    events = spec.get("events", True)
    # Stripe keeps events for 30 days: older history has objects but no events (events="all"
    # generates them anyway)
    events_from = start if events == "all" else end - 30 * 86400
    invoice_share = float(spec.get("invoices", 0))
    # an account is older than its history (a first sync's progress reads how far back it goes)
    acct = app.accounts.get(account)
    if acct is not None and acct.get("created", 0) > start - 2 * 86400:
        acct["created"] = start - 2 * 86400
    price = None
    if invoice_share:
        from .resources.products import create_price
        pctx = _ctx(app, account, start - 86400, id_rng, False)
        price = create_price(pctx, {"currency": currency, "unit_amount": 30000,
                                    "product_data": {"name": "Package: 5 sessions"}})
    use_seeded = spec.get("customers") == "seeded"
    n_customers = 0 if use_seeded else int(spec.get("customers", max(1, n // 40)))
    customers = list(seeded_customers) if use_seeded else []
    if use_seeded and not customers:
        raise ValueError('generate.customers="seeded" needs customers with a "ref" in the seed')
    for i in range(n_customers):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        cus = _customer(app, account, {
            "created": start - 86400 + i, "name": "%s %s" % (first, last),
            "email": "%s.%s%d@example.com" % (first.lower(), last.lower(), i),
            "payment_methods": [rng.choice(_CARDS)], "metadata": {"synthetic": "true"}},
            refs, id_rng, bool(events) and start - 86400 + i >= events_from)
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
        pay["refund_after"] = max(0, min(3600, end - created))
        evt = bool(events) and created >= events_from
        if price is not None and status == "succeeded" and rng.random() < invoice_share:
            _invoice_payment(app, account, pay, price, id_rng, evt)
            continue
        pi = _payment(app, account, pay, refs, id_rng, evt)
        if status == "canceled":
            cancel_intent(_ctx(app, account, created, id_rng, evt), pi, "abandoned")
    return n


def _invoice_payment(app, account, pay, price, rng, events):
    """A one-off invoice for a package, paid at once with the customer's saved card."""
    from .resources import billing
    ctx = _ctx(app, account, pay["created"], rng, events)
    li = billing.line(ctx, price["unit_amount"], price, 1, "1 × Package: 5 sessions",
                      pay["created"], pay["created"])
    inv = billing.new_invoice(ctx, pay["customer"], [li], price["currency"])
    inv["metadata"] = dict(pay.get("metadata") or {})
    billing.finalize(ctx, inv)
    billing.attempt(ctx, inv)
    return inv
