"""Disputes: Stripe's test card pm_card_createDispute (4000000000000259) pays, then is disputed.

No endpoints: the spec subset describes the Dispute object (components/schemas/dispute) but no
/v1/disputes path, so GET /v1/disputes answers 404 like any path the spec lacks. What exists is
what a billing-history sync sees: the charge's `disputed` flag and a `charge.dispute.created`
event whose data.object is the Dispute. The dispute is stored (GET /_fake/objects/dp_…).

Simplified: the funds stay where they are (no dispute balance transactions, so
`balance_transactions` is [], no `charge.dispute.funds_withdrawn`), the dispute never moves past
`needs_response`, and a disputed charge can still be refunded here (Stripe refuses).
"""

BEHAVIOUR = "dispute"
EVIDENCE_WINDOW = 7 * 86400     # the fake's choice of evidence_details.due_by


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
    charge["disputed"] = True
    ctx.event("charge.dispute.created", dispute)
    return dispute


def dispute_if_test_card(ctx, charge, pm):
    """After a charge's funds are captured: the dispute test card gets its dispute."""
    if pm and pm.get("_behaviour") == BEHAVIOUR and charge.get("captured"):
        return create_dispute(ctx, charge)
    return None
