"""Charges: created by PaymentIntent confirmation; retrieve, update, list."""
from . import route
from .common import first_filter, apply_metadata, fetch, list_url, set_fields
from .balance import create_txn
from ..expand import virtual
from ..listing import list_response


def create_charge(ctx, pi, pm, failure=None):
    """A charge for one confirmation attempt. failure = (code, decline_code, message) or None."""
    card = pm.get("card") or pm["card_present"]
    captured = failure is None and pi["capture_method"] != "manual"
    charge = ctx.complete({
        "id": ctx.new_id("ch_"), "object": "charge", "amount": pi["amount"],
        "amount_captured": pi["amount"] if captured else 0, "amount_refunded": 0,
        "application": None, "application_fee": None, "application_fee_amount": None,
        "balance_transaction": None, "billing_details": dict(pm["billing_details"]),
        "calculated_statement_descriptor": "PAYDESK", "captured": captured,
        "created": ctx.now, "currency": pi["currency"], "customer": pi.get("customer"),
        "description": pi.get("description"), "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": failure[0] if failure else None,
        "failure_message": failure[2] if failure else None,
        "fraud_details": {}, "invoice": pi.get("invoice"), "livemode": ctx.livemode,
        "metadata": dict(pi.get("metadata") or {}), "on_behalf_of": None,
        "outcome": _outcome(failure), "paid": failure is None,
        "payment_intent": pi["id"], "payment_method": pm["id"],
        "payment_method_details": _details(pm, card),
        "receipt_email": pi.get("receipt_email"), "receipt_number": None,
        "receipt_url": None, "refunded": False, "review": None, "shipping": None,
        "source_transfer": None, "statement_descriptor": pi.get("statement_descriptor"),
        "statement_descriptor_suffix": pi.get("statement_descriptor_suffix"),
        "status": "failed" if failure else "succeeded", "transfer_data": None,
        "transfer_group": None, "_refund_ids": [],
    })
    if failure is None:
        charge["receipt_url"] = "https://pay.stripe.com/receipts/payment/%s" % charge["id"]
    ctx.store.insert(charge)
    if captured:
        capture_funds(ctx, charge, pi["amount"], pm.get("_behaviour") == "bypass_pending")
    return charge


def _details(pm, card):
    if pm["type"] == "card_present":
        return {"type": "card_present", "card_present": {
            "amount_authorized": None, "brand": card["brand"], "cardholder_name": None,
            "country": card["country"], "emv_auth_data": "8A023030", "exp_month": card["exp_month"],
            "exp_year": card["exp_year"], "fingerprint": card["fingerprint"],
            "funding": card["funding"], "generated_card": None, "last4": card["last4"],
            "network": card["brand"], "read_method": card.get("read_method", "contactless_emv"),
            "receipt": {"account_type": "credit", "application_cryptogram": "6AF3C3BA7C5AE5D0",
                        "application_preferred_name": card["brand"].capitalize(),
                        "authorization_code": "123456", "authorization_response_code": "3030",
                        "cardholder_verification_method": "approval",
                        "dedicated_file_name": "A0000000031010",
                        "terminal_verification_results": "0000000000",
                        "transaction_status_information": "0000"}}}
    return {"card": {
        "brand": card["brand"], "checks": dict(card["checks"]), "country": card["country"],
        "exp_month": card["exp_month"], "exp_year": card["exp_year"],
        "fingerprint": card["fingerprint"], "funding": card["funding"], "installments": None,
        "last4": card["last4"], "mandate": None, "network": card["brand"],
        "three_d_secure": None, "wallet": None}, "type": "card"}


def capture_funds(ctx, charge, amount, immediate=False):
    charge["captured"] = True
    charge["amount_captured"] = amount
    txn = create_txn(ctx, charge["id"], amount, charge["currency"], "charge",
                     charge.get("description"), immediate=immediate)
    charge["balance_transaction"] = txn["id"]


def _outcome(failure):
    if failure is None:
        return {"network_status": "approved_by_network", "reason": None, "risk_level": "normal",
                "risk_score": 20, "seller_message": "Payment complete.", "type": "authorized"}
    return {"network_status": "declined_by_network", "reason": failure[1], "risk_level": "normal",
            "risk_score": 20,
            "seller_message": "The bank did not return any further details with this decline.",
            "type": "issuer_declined"}


@virtual("charge", "refunds")
def _expand_refunds(ctx, rendered):
    # Since 2022-11-15 refunds are not embedded in charges unless expanded.
    charge = ctx.store.get(rendered["id"], "charge")
    ids = list(reversed(charge.get("_refund_ids", []))) if charge else []
    return {"object": "list", "data": [ctx.render(ctx.store.get(i)) for i in ids],
            "has_more": False, "url": "/v1/charges/%s/refunds" % rendered["id"]}


@route("GET", "/v1/charges/{charge}")
def retrieve(ctx):
    return ctx.render(fetch(ctx, "charge", ctx.path_params["charge"]))


@route("POST", "/v1/charges/{charge}")
def update(ctx):
    charge = fetch(ctx, "charge", ctx.path_params["charge"])
    previous = set_fields(charge, ctx.params, ("description", "receipt_email"))
    apply_metadata(charge, ctx.params.get("metadata"))
    ctx.event("charge.updated", charge, previous)
    return ctx.render(charge)


@route("GET", "/v1/charges")
def list_(ctx):
    p = ctx.params
    want = {k: p[k] for k in ("customer", "payment_intent", "transfer_group") if p.get(k)}
    pred = (lambda c: all(c.get(k) == v for k, v in want.items())) if want else None
    return list_response(ctx.store, "charge", p, list_url(ctx), pred, index_by=first_filter(want))
