"""Refunds by payment_intent or charge; partial and full; never more than what remains."""
from . import route
from .common import first_filter, apply_metadata, fetch, fetch_param, list_url
from .balance import create_txn
from ..errors import invalid
from ..listing import list_response
from ..money import fmt


def _charge_for(ctx, p):
    if p.get("charge"):
        charge = fetch_param(ctx, "charge", p["charge"], "charge")
        if p.get("payment_intent") and charge.get("payment_intent") != p["payment_intent"]:
            raise invalid("The charge %s does not belong to PaymentIntent %s."
                          % (charge["id"], p["payment_intent"]), param="charge")
        return charge
    if p.get("payment_intent"):
        pi = fetch_param(ctx, "payment_intent", p["payment_intent"], "payment_intent")
        charge = ctx.store.get(pi.get("latest_charge") or "", "charge")
        if charge is None or charge["status"] != "succeeded":
            raise invalid("This PaymentIntent (%s) does not have a successful charge to refund."
                          % pi["id"], param="payment_intent")
        return charge
    raise invalid("One of the following params should be provided for this request: "
                  "payment_intent or charge.", param="charge", code="parameter_missing")


def create_refund(ctx, p):
    charge = _charge_for(ctx, p)
    if not charge["captured"]:
        raise invalid("Charge %s has not been captured; cancel the PaymentIntent %s to release "
                      "the authorization instead." % (charge["id"], charge["payment_intent"]),
                      param="charge", code="charge_not_refundable")
    if charge["refunded"]:
        raise invalid("Charge %s has already been refunded." % charge["id"],
                      param="charge", code="charge_already_refunded")
    remaining = charge["amount_captured"] - charge["amount_refunded"]
    amount = p.get("amount", remaining)
    if amount < 1:
        raise invalid("Invalid positive integer", param="amount")
    if amount > remaining:
        raise invalid("Refund amount (%s) is greater than unrefunded amount on charge (%s)"
                      % (fmt(amount, charge["currency"]), fmt(remaining, charge["currency"])),
                      param="amount", code="amount_too_large")
    refund = ctx.complete({
        "id": ctx.new_id("re_"), "object": "refund", "amount": amount,
        "balance_transaction": None, "charge": charge["id"], "created": ctx.now,
        "currency": charge["currency"], "metadata": {}, "payment_intent": charge["payment_intent"],
        "reason": p.get("reason"), "receipt_number": None, "source_transfer_reversal": None,
        "status": "succeeded", "transfer_reversal": None,
    })
    apply_metadata(refund, p.get("metadata"))
    txn = create_txn(ctx, refund["id"], -amount, refund["currency"], "refund",
                     "REFUND FOR CHARGE (%s)" % (charge.get("description") or charge["id"]),
                     immediate=True)
    refund["balance_transaction"] = txn["id"]
    ctx.store.insert(refund)

    previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
    charge["_refund_ids"].append(refund["id"])
    ctx.event("charge.refunded", charge, previous)
    ctx.event("refund.created", refund)
    return refund


@route("POST", "/v1/refunds")
def create(ctx):
    return ctx.render(create_refund(ctx, ctx.params))


@route("GET", "/v1/refunds/{refund}")
def retrieve(ctx):
    return ctx.render(fetch(ctx, "refund", ctx.path_params["refund"]))


@route("POST", "/v1/refunds/{refund}")
def update(ctx):
    refund = fetch(ctx, "refund", ctx.path_params["refund"])
    apply_metadata(refund, ctx.params.get("metadata"))
    ctx.event("refund.updated", refund)
    return ctx.render(refund)


@route("GET", "/v1/refunds")
def list_(ctx):
    p = ctx.params
    want = {k: p[k] for k in ("charge", "payment_intent") if p.get(k)}
    pred = (lambda r: all(r.get(k) == v for k, v in want.items())) if want else None
    return list_response(ctx.store, "refund", p, list_url(ctx), pred, index_by=first_filter(want))
