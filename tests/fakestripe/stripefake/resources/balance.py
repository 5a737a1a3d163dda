"""Balance transactions (charge captures, refunds, dispute withdrawals and reversals, payouts,
adjustments) and GET /v1/balance. `payout=` lists what an automatic payout paid out."""
from . import route
from .common import first_filter, list_url
from ..errors import invalid
from ..listing import list_response
from ..money import stripe_fee

PENDING_DAYS = 2


def create_txn(ctx, source_id, amount, currency, type_, description=None, immediate=False,
               fee=None, category=None):
    if fee is None:
        fee = stripe_fee(amount) if type_ == "charge" else 0
    available_on = ctx.now if immediate else ctx.now + PENDING_DAYS * 86400
    txn = ctx.complete({
        "id": ctx.new_id("txn_"), "object": "balance_transaction", "amount": amount,
        "available_on": available_on, "created": ctx.now, "currency": currency,
        "description": description, "exchange_rate": None, "fee": fee,
        "fee_details": ([{"amount": fee, "application": None, "currency": currency,
                          "description": "Stripe processing fees", "type": "stripe_fee"}]
                        if fee else []),
        "net": amount - fee,
        "reporting_category": category or {"charge": "charge", "refund": "refund",
                                           "payout_failure": "payout_reversal"}.get(type_, type_),
        "source": source_id,
        # fixed at creation from the fake clock: history seeded in the past is already available
        "status": "available" if available_on <= ctx.app.clock.now() else "pending",
        "type": type_,
    })
    ctx.store.insert(txn)
    return txn


@route("GET", "/v1/balance_transactions")
def list_(ctx):
    p = ctx.params
    want = {k: p[k] for k in ("type", "source", "currency") if p.get(k)}
    index_by = first_filter(want)
    if p.get("payout"):
        # Stripe: "for automatic Stripe payouts only"; a manual one lists its own transaction
        payout = ctx.store.get(p["payout"], "payout")
        if payout is None:
            raise invalid("No such payout: '%s'" % p["payout"], param="payout",
                          code="resource_missing")
        if payout["automatic"]:
            want["_payout"] = payout["id"]
            index_by = ("_payout", payout["id"])
        else:
            want["id"] = payout["balance_transaction"]
    pred = (lambda t: all(t.get(k) == v for k, v in want.items())) if want else None
    return list_response(ctx.store, "balance_transaction", p, list_url(ctx), pred,
                         index_by=index_by)


@route("GET", "/v1/balance")
def balance(ctx):
    totals = {}
    index = ctx.store.index("balance_transaction")
    for txn_id in index.ids:
        t = ctx.store.objects[txn_id]
        cur = totals.setdefault(t["currency"], {"available": 0, "pending": 0})
        cur[t["status"]] += t["net"]

    def side(name):
        return [{"amount": v[name], "currency": c, "source_types": {"card": v[name]}}
                for c, v in sorted(totals.items())] or [
            {"amount": 0, "currency": "usd", "source_types": {"card": 0}}]
    return {"object": "balance", "available": side("available"), "livemode": ctx.livemode,
            "pending": side("pending")}
