"""Disputes: Stripe's test card pm_card_createDispute (4000000000000259) pays, then is disputed.

Read only: `GET /v1/disputes` (by `charge`, `payment_intent`, `created`) and
`GET /v1/disputes/{dispute}` (described in spec/extra-paths.json; the subset has the Dispute
schema only). A billing-history sync sees the charge's `disputed` flag, the
`charge.dispute.created` / `charge.dispute.closed` events whose data.object is the Dispute, and
the disputes themselves. `POST /_fake/disputes/{id}/close {"status": "won"|"lost"}` plays the
card network's decision (Stripe's test mode decides from the evidence submitted).

Funds: when the dispute opens, the disputed amount and a 15.00 dispute fee leave the balance
(a balance transaction of type `adjustment`, reporting_category `dispute`, in the dispute's
`balance_transactions`); a won dispute gives the amount back (`dispute_reversal`; the fee is
kept, as Stripe does in the US since 2023). Simplified: no `charge.dispute.funds_withdrawn`
events, no evidence can be submitted, and a disputed charge can still be refunded here.
"""
from . import route
from .balance import create_txn
from .common import fetch, first_filter, list_url
from ..listing import list_response

BEHAVIOUR = "dispute"
EVIDENCE_WINDOW = 7 * 86400     # the fake's choice of evidence_details.due_by
DISPUTE_FEE = 1500              # Stripe's US dispute fee, in the charge's currency here


def _evidence(ctx):
    schema = ctx.app.spec.schema_for_object("dispute_evidence") or {}
    return {field: None for field in schema.get("properties", {})}


def create_dispute(ctx, charge, reason="fraudulent"):
    """Dispute a captured charge: set charge.disputed and emit charge.dispute.created."""
    dispute = ctx.complete({
        "id": ctx.new_id("dp_"), "object": "dispute", "amount": charge["amount_captured"],
        "balance_transactions": [], "charge": charge["id"], "created": ctx.now,
        "currency": charge["currency"], "evidence": _evidence(ctx),
        "evidence_details": {"due_by": ctx.now + EVIDENCE_WINDOW, "has_evidence": False,
                             "past_due": False, "submission_count": 0},
        "is_charge_refundable": False, "livemode": ctx.livemode, "metadata": {},
        "payment_intent": charge.get("payment_intent"), "reason": reason,
        "status": "needs_response",
    })
    ctx.store.insert(dispute)
    txn = create_txn(ctx, dispute["id"], -dispute["amount"], dispute["currency"], "adjustment",
                     "Chargeback withdrawal for %s" % charge["id"], immediate=True,
                     fee=DISPUTE_FEE, category="dispute")
    dispute["balance_transactions"] = [ctx.render(txn)]
    charge["disputed"] = True
    ctx.event("charge.dispute.created", dispute)
    return dispute


def dispute_if_test_card(ctx, charge, pm):
    """After a charge's funds are captured: the dispute test card gets its dispute."""
    if pm and pm.get("_behaviour") == BEHAVIOUR and charge.get("captured"):
        return create_dispute(ctx, charge)
    return None


def close_dispute(ctx, dispute_id, status):
    """The dispute is decided: won (the money stays) or lost (it goes to the cardholder)."""
    if status not in ("won", "lost"):
        raise ValueError("status must be won or lost")
    dispute = fetch(ctx, "dispute", dispute_id)
    if dispute["status"] in ("won", "lost"):
        raise ValueError("dispute %s is already %s" % (dispute_id, dispute["status"]))
    previous = {"status": dispute["status"]}
    dispute["status"] = status
    if status == "won":
        txn = create_txn(ctx, dispute["id"], dispute["amount"], dispute["currency"],
                         "adjustment", "Chargeback reversal for %s" % dispute["charge"],
                         immediate=True, fee=0, category="dispute_reversal")
        dispute["balance_transactions"] = dispute["balance_transactions"] + [ctx.render(txn)]
    ctx.event("charge.dispute.closed", dispute, previous)
    return dispute


@route("GET", "/v1/disputes")
def list_(ctx):
    p = ctx.params
    want = {k: p[k] for k in ("charge", "payment_intent") if p.get(k)}
    pred = (lambda d: all(d.get(k) == v for k, v in want.items())) if want else None
    return list_response(ctx.store, "dispute", p, list_url(ctx), pred,
                         index_by=first_filter(want))


@route("GET", "/v1/disputes/{dispute}")
def retrieve(ctx):
    return ctx.render(fetch(ctx, "dispute", ctx.path_params["dispute"]))
