"""Payouts: automatic ones on a schedule the tests play, manual ones by POST /v1/payouts.

- Automatic (`POST /_fake/payouts/run`, Stripe's daily schedule played on demand): every balance
  transaction that is available (available_on <= the fake clock) and not yet paid out goes into
  one payout per currency, of their net total. `GET /v1/balance_transactions?payout=po_…` lists
  them, plus the payout's own transaction (type `payout`, -amount), so they sum to zero.
- Manual (`POST /v1/payouts`, method `standard` or `instant`): the amount must be covered by the
  available balance (else 400 `balance_insufficient`). As Stripe's `payout` filter is "for
  automatic Stripe payouts only", listing by a manual payout gives its own transaction alone.
  Internally the transactions it drew on (oldest available first, whole ones while they fit)
  are marked so a later automatic payout does not pay them out again.
- Instant: arrives at once (arrival_date = created) and costs a fee on the payout's own balance
  transaction (1.5%, at least 50 minor units: the fake's choice, Stripe's is per country).
- Status: `pending` when created; `POST /_fake/payouts/{id}/status {"status": "in_transit"|
  "paid"|"failed"}` moves it on (emitting payout.updated / payout.paid / payout.failed). A failed
  payout's money comes back as a `payout_failure` transaction.
"""
from . import route
from .balance import create_txn
from .common import apply_metadata, fetch, list_url
from ..errors import invalid
from ..listing import created_bounds, list_response

ARRIVAL_DAYS = 2       # standard payouts arrive two days after they are created (fake's choice)
STATUSES = ("pending", "in_transit", "paid", "failed", "canceled")


def instant_fee(amount):
    return max(50, (amount * 15 + 500) // 1000)


def _available(ctx, currency=None):
    """Available balance transactions not yet paid out, oldest available first."""
    now = ctx.app.clock.now()
    out = []
    for txn_id in ctx.store.index("balance_transaction").ids:
        t = ctx.store.objects[txn_id]
        if t.get("_payout") or t.get("_drawn") or t["available_on"] > now:
            continue
        if currency and t["currency"] != currency:
            continue
        out.append(t)
    out.sort(key=lambda t: (t["available_on"], t["created"]))
    return out


def _new_payout(ctx, amount, currency, automatic, method, params=None):
    params = params or {}
    payout = ctx.complete({
        "id": ctx.new_id("po_"), "object": "payout", "amount": amount,
        "arrival_date": ctx.now + (0 if method == "instant" else ARRIVAL_DAYS * 86400),
        "automatic": automatic, "balance_transaction": None, "created": ctx.now,
        "currency": currency, "description": params.get("description") or
        ("STRIPE PAYOUT" if automatic else None),
        "destination": "ba_" + ctx.account_id[5:], "failure_balance_transaction": None,
        "failure_code": None, "failure_message": None, "livemode": ctx.livemode, "metadata": {},
        "method": method, "original_payout": None, "reconciliation_status":
        "completed" if automatic else "not_applicable", "reversed_by": None,
        "source_type": params.get("source_type") or "card",
        "statement_descriptor": params.get("statement_descriptor"), "status": "pending",
        "type": "bank_account",
    })
    apply_metadata(payout, params.get("metadata"))
    ctx.store.insert(payout)
    txn = create_txn(ctx, payout["id"], -amount, currency, "payout", payout["description"]
                     or "STRIPE PAYOUT", immediate=True,
                     fee=instant_fee(amount) if method == "instant" else 0)
    payout["balance_transaction"] = txn["id"]
    ctx.event("payout.created", payout)
    return payout, txn


def run_schedule(ctx, currency=None):
    """The automatic schedule's run: one payout per currency of what is available."""
    by_currency = {}
    for t in _available(ctx, currency):
        by_currency.setdefault(t["currency"], []).append(t)
    payouts = []
    for cur, txns in sorted(by_currency.items()):
        total = sum(t["net"] for t in txns)
        if total <= 0:
            continue
        payout, own = _new_payout(ctx, total, cur, True, "standard")
        for t in txns + [own]:
            ctx.store.set_indexed(t, "_payout", payout["id"])
        payouts.append(payout)
    return payouts


def set_status(ctx, payout_id, status):
    payout = fetch(ctx, "payout", payout_id)
    if status not in ("in_transit", "paid", "failed"):
        raise ValueError("status must be in_transit, paid or failed")
    if payout["status"] in ("paid", "failed", "canceled"):
        raise ValueError("payout %s is already %s" % (payout_id, payout["status"]))
    previous = {"status": payout["status"]}
    payout["status"] = status
    if status == "failed":
        payout["failure_code"] = "account_closed"
        payout["failure_message"] = "The bank account has been closed."
        back = create_txn(ctx, payout["id"], payout["amount"], payout["currency"],
                          "payout_failure", "STRIPE PAYOUT FAILURE", immediate=True)
        payout["failure_balance_transaction"] = back["id"]
    ctx.event("payout." + ("updated" if status == "in_transit" else status), payout, previous)
    return payout


@route("POST", "/v1/payouts")
def create(ctx):
    p = ctx.params
    amount, currency = p["amount"], p["currency"].lower()
    if amount < 1:
        raise invalid("Invalid positive integer", param="amount")
    method = p.get("method") or "standard"
    fee = instant_fee(amount) if method == "instant" else 0
    txns = _available(ctx, currency)
    available = sum(t["net"] for t in txns)
    if amount + fee > available:
        raise invalid("You have insufficient funds in your Stripe account for this transfer. "
                      "Your card balance is too low.  You can use the /v1/balance endpoint to "
                      "view your Stripe balance (for more details, see "
                      "stripe.com/docs/api#balance).", param="amount",
                      code="balance_insufficient")
    payout, own = _new_payout(ctx, amount, currency, False, method, p)
    left = amount + fee
    for t in txns:      # whole transactions, oldest first, while they fit
        if t["net"] > left:
            break
        t["_drawn"] = payout["id"]
        left -= t["net"]
    own["_drawn"] = payout["id"]
    return ctx.render(payout)


@route("GET", "/v1/payouts")
def list_(ctx):
    p = ctx.params
    status = p.get("status")
    lo, hi = created_bounds(p.get("arrival_date"))

    def pred(po):
        return ((not status or po["status"] == status)
                and (lo is None or po["arrival_date"] >= lo)
                and (hi is None or po["arrival_date"] <= hi)
                and (not p.get("destination") or po["destination"] == p["destination"]))
    want = status or p.get("arrival_date") is not None or p.get("destination")
    return list_response(ctx.store, "payout", p, list_url(ctx), pred if want else None)


@route("GET", "/v1/payouts/{payout}")
def retrieve(ctx):
    return ctx.render(fetch(ctx, "payout", ctx.path_params["payout"]))
