"""PaymentIntents and the state machine Stripe moves them through.

requires_payment_method -> requires_confirmation -> confirm ->
    requires_action (3DS, on-session) | requires_capture (manual) | succeeded
    | back to requires_payment_method with last_payment_error (decline, HTTP 402)
any requires_* -> cancel -> canceled
"""
from . import route
from .charges import capture_funds, create_charge
from .common import apply_metadata, fetch, fetch_param, list_url, set_fields
from .disputes import dispute_if_test_card
from . import payment_methods
from .. import money, testcards
from ..errors import StripeError, invalid
from ..listing import list_response

KIND = "payment_intent"
AUTH_REQUIRED = "auth_required"
# Other modules (invoices) follow PaymentIntent outcomes: fn(ctx, pi) after success / failure.
SUCCEEDED_HOOKS = []
FAILED_HOOKS = []
CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation",
              "requires_action", "processing")


def _unexpected_state(message):
    return invalid(message, code="payment_intent_unexpected_state")


def _check_amount(amount, currency, param="amount"):
    minimum = money.MINIMUM.get(currency, 1)
    if amount < minimum:
        raise invalid("Amount must be at least %s %s" % (money.fmt(minimum, currency), currency)
                      if currency in money.SYMBOL else "Amount must be at least 1",
                      param=param, code="amount_too_small")
    if amount > money.MAX_AMOUNT:
        raise invalid("Amount must be no more than %s" % money.fmt(money.MAX_AMOUNT, currency),
                      param=param, code="amount_too_large")


def _currency(value):
    cur = value.lower()
    if len(cur) != 3 or not cur.isalpha():
        raise invalid("Invalid currency: %s. Stripe currently supports these currencies: ..."
                      % value, param="currency")
    return cur


def _set_payment_method(ctx, pi, pm_id, param="payment_method"):
    pm = payment_methods.resolve(ctx, pm_id, param)
    if pm.get("customer") and pm["customer"] != pi.get("customer"):
        raise invalid("The provided PaymentMethod %s belongs to Customer %s; pass that customer "
                      "in `customer` to use it." % (pm["id"], pm["customer"]), param=param)
    pi["payment_method"] = pm["id"]
    return pm


def create_intent(ctx, p):
    currency = _currency(p["currency"])
    _check_amount(p["amount"], currency)
    confirm = p.get("confirm", False)
    for only_with_confirm in ("off_session", "error_on_requires_action", "return_url"):
        if only_with_confirm in p and not confirm and p[only_with_confirm] not in (False, ""):
            raise invalid("You can only pass `%s` when `confirm=true`." % only_with_confirm,
                          param=only_with_confirm)
    pi = ctx.complete({
        "id": ctx.new_id("pi_"), "object": "payment_intent", "amount": p["amount"],
        "amount_capturable": 0, "amount_details": {"tip": {}}, "amount_received": 0,
        "application": None, "application_fee_amount": p.get("application_fee_amount"),
        "automatic_payment_methods": None, "canceled_at": None, "cancellation_reason": None,
        "capture_method": p.get("capture_method", "automatic"), "client_secret": None,
        "confirmation_method": p.get("confirmation_method", "automatic"),
        "created": ctx.now, "currency": currency, "customer": None,
        "description": p.get("description") or None, "invoice": None,
        "last_payment_error": None, "latest_charge": None, "livemode": ctx.livemode,
        "metadata": {}, "next_action": None, "on_behalf_of": None, "payment_method": None,
        "payment_method_options": {"card": {"installments": None, "mandate_options": None,
                                            "network": None,
                                            "request_three_d_secure": "automatic"}},
        "payment_method_types": p.get("payment_method_types") or ["card"],
        "processing": None, "receipt_email": p.get("receipt_email") or None, "review": None,
        "setup_future_usage": p.get("setup_future_usage") or None, "shipping": None,
        "statement_descriptor": p.get("statement_descriptor") or None,
        "statement_descriptor_suffix": p.get("statement_descriptor_suffix") or None,
        "status": "requires_payment_method", "transfer_data": None, "transfer_group": None,
    })
    pi["client_secret"] = "%s_secret_%s" % (pi["id"], ctx.new_id("")[:25])
    if p.get("customer"):
        pi["customer"] = fetch_param(ctx, "customer", p["customer"], "customer")["id"]
    apply_metadata(pi, p.get("metadata"))
    if p.get("payment_method"):
        _set_payment_method(ctx, pi, p["payment_method"])
        pi["status"] = "requires_confirmation"
    ctx.store.insert(pi)
    ctx.event("payment_intent.created", pi)
    if confirm:
        confirm_intent(ctx, pi, p, from_create=True)
    return pi


def confirm_intent(ctx, pi, p, from_create=False):
    if pi["status"] not in CONFIRMABLE:
        raise _unexpected_state("You cannot confirm this PaymentIntent because it has a status of "
                                "%s." % pi["status"])
    if not from_create:
        if p.get("payment_method"):
            _set_payment_method(ctx, pi, p["payment_method"])
        set_fields(pi, p, ("receipt_email", "setup_future_usage", "capture_method"))
    if not pi.get("payment_method"):
        raise _unexpected_state("You cannot confirm this PaymentIntent because it's missing a "
                                "payment method. You can either update the PaymentIntent with a "
                                "payment method and then confirm it again, or confirm it again "
                                "directly with a payment method.")
    pm = ctx.store.get(pi["payment_method"], "payment_method")
    behaviour = pm.get("_behaviour", "success")
    off_session = p.get("off_session") not in (None, False, "")
    pi["last_payment_error"] = None
    pi["next_action"] = None

    if (behaviour == AUTH_REQUIRED and off_session and pm.get("_set_up_off_session")
            and pm.get("_setup_exempts_off_session")):
        behaviour = "success"       # authenticated once by a SetupIntent (usage=off_session)
    if behaviour == AUTH_REQUIRED:
        # only complete_authentication() (the customer) gets a requires_action PI past 3DS
        if off_session or p.get("error_on_requires_action"):
            _fail(ctx, pi, pm, testcards.DECLINES["authentication_required"])
        pi["status"] = "requires_action"
        pi["next_action"] = _next_action(pi, p.get("return_url"))
        ctx.event("payment_intent.requires_action", pi)
        return pi
    if behaviour in testcards.DECLINES:
        _fail(ctx, pi, pm, testcards.DECLINES[behaviour])
    if behaviour == "customer_fail" and pm.get("customer"):
        _fail(ctx, pi, pm, testcards.DECLINES["generic_decline"])
    _succeed(ctx, pi, pm)
    return pi


def _next_action(pi, return_url):
    if return_url:
        return {"type": "redirect_to_url", "redirect_to_url": {
            "return_url": return_url,
            "url": "https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=%s" % pi["id"]}}
    return {"type": "use_stripe_sdk", "use_stripe_sdk": {
        "type": "three_d_secure_redirect", "stripe_js": "https://hooks.stripe.com/redirect/"
        "authenticate/src_fake?client_secret=%s" % pi["client_secret"]}}


def _succeed(ctx, pi, pm):
    charge = create_charge(ctx, pi, pm)
    pi["latest_charge"] = charge["id"]
    pi["next_action"] = None
    ctx.event("charge.succeeded", charge)
    if pi["capture_method"] == "manual":
        pi["status"] = "requires_capture"
        pi["amount_capturable"] = pi["amount"]
        ctx.event("payment_intent.amount_capturable_updated", pi)
    else:
        pi["status"] = "succeeded"
        pi["amount_received"] = pi["amount"]
        ctx.event("payment_intent.succeeded", pi)
        dispute_if_test_card(ctx, charge, pm)
    if pi.get("setup_future_usage") and pi.get("customer") and not pm.get("customer"):
        ctx.store.set_indexed(pm, "customer", pi["customer"])
        ctx.event("payment_method.attached", pm)
    for hook in SUCCEEDED_HOOKS:
        hook(ctx, pi)


def _fail(ctx, pi, pm, decline):
    """Record a failed attempt and raise the 402 (the caller's state changes are kept)."""
    code, decline_code, message = decline
    charge = create_charge(ctx, pi, pm, failure=decline)
    error = {"type": "card_error", "code": code, "decline_code": decline_code,
             "doc_url": "https://stripe.com/docs/error-codes/" + code.replace("_", "-"),
             "message": message, "charge": charge["id"], "payment_method": ctx.render(pm)}
    pi["last_payment_error"] = error
    pi["latest_charge"] = charge["id"]
    pi["payment_method"] = None
    pi["status"] = "requires_payment_method"
    pi["next_action"] = None
    ctx.event("charge.failed", charge)
    ctx.event("payment_intent.payment_failed", pi)
    for hook in FAILED_HOOKS:
        hook(ctx, pi)
    raise StripeError(402, "card_error", message, code=code, decline_code=decline_code,
                      charge=charge["id"], payment_intent=ctx.render(pi),
                      payment_method=ctx.render(pm))


def complete_authentication(ctx, pi_id, outcome):
    """The customer finishes 3-D Secure (control API only: a terminal cannot do it)."""
    pi = fetch(ctx, "payment_intent", pi_id)
    if pi["status"] != "requires_action":
        raise _unexpected_state("PaymentIntent %s is %s, not requires_action."
                                % (pi_id, pi["status"]))
    pm = ctx.store.get(pi["payment_method"], "payment_method")
    if outcome == "succeed":
        _succeed(ctx, pi, pm)
    else:
        pi["status"] = "requires_payment_method"
        pi["next_action"] = None
        pi["payment_method"] = None
        pi["last_payment_error"] = {
            "type": "invalid_request_error", "code": "payment_intent_authentication_failure",
            "message": "The provided PaymentMethod has failed authentication. You can provide "
                       "payment_method_data or a new PaymentMethod to attempt to fulfill this "
                       "PaymentIntent again.", "payment_method": ctx.render(pm)}
        ctx.event("payment_intent.payment_failed", pi)
    return ctx.render(pi)


def capture_intent(ctx, pi, p):
    if pi["status"] != "requires_capture":
        raise _unexpected_state("This PaymentIntent could not be captured because it has a status "
                                "of %s. Only a PaymentIntent with one of the following statuses "
                                "may be captured: requires_capture." % pi["status"])
    amount = p.get("amount_to_capture", pi["amount_capturable"])
    if amount > pi["amount_capturable"] or amount < 1:
        raise invalid("The amount_to_capture must be between 1 and the amount_capturable (%d)."
                      % pi["amount_capturable"], param="amount_to_capture",
                      code="amount_too_large")
    charge = ctx.store.get(pi["latest_charge"], "charge")
    pm = ctx.store.get(charge["payment_method"], "payment_method") or {}
    capture_funds(ctx, charge, amount, pm.get("_behaviour") == "bypass_pending")
    # the uncaptured remainder is released, which Stripe reports as refunded
    charge["amount_refunded"] = charge["amount"] - amount
    apply_metadata(pi, p.get("metadata"))
    pi["amount_capturable"] = 0
    pi["amount_received"] = amount
    pi["status"] = "succeeded"
    ctx.event("charge.captured", charge)
    ctx.event("payment_intent.succeeded", pi)
    dispute_if_test_card(ctx, charge, pm)
    return pi


def cancel_intent(ctx, pi, reason=None):
    if pi["status"] not in CANCELABLE:
        raise _unexpected_state("You cannot cancel this PaymentIntent because it has a status of "
                                "%s. Only a PaymentIntent with one of the following statuses may "
                                "be canceled: %s." % (pi["status"], ", ".join(CANCELABLE)))
    if pi["status"] == "requires_capture":
        charge = ctx.store.get(pi["latest_charge"], "charge")
        charge["amount_refunded"] = charge["amount"]
        charge["refunded"] = True
        ctx.event("charge.refunded", charge)
    pi["status"] = "canceled"
    pi["canceled_at"] = ctx.now
    pi["cancellation_reason"] = reason or None
    pi["amount_capturable"] = 0
    pi["next_action"] = None
    ctx.event("payment_intent.canceled", pi)
    return pi


def _intent(ctx):
    return fetch(ctx, "payment_intent", ctx.path_params["intent"])


@route("POST", "/v1/payment_intents")
def create(ctx):
    return ctx.render(create_intent(ctx, ctx.params))


@route("GET", "/v1/payment_intents/{intent}")
def retrieve(ctx):
    return ctx.render(_intent(ctx))


@route("POST", "/v1/payment_intents/{intent}")
def update(ctx):
    pi, p = _intent(ctx), ctx.params
    if pi["status"] in ("succeeded", "canceled", "processing"):
        money_fields = [k for k in ("amount", "currency", "payment_method", "customer",
                                    "capture_method") if k in p]
        if money_fields:
            raise _unexpected_state("You cannot update %s on a PaymentIntent with status %s."
                                    % (money_fields[0], pi["status"]))
    if "currency" in p:
        pi["currency"] = _currency(p["currency"])
    if "amount" in p:
        _check_amount(p["amount"], pi["currency"])
        pi["amount"] = p["amount"]
    if p.get("customer"):
        ctx.store.set_indexed(pi, "customer",
                              fetch_param(ctx, "customer", p["customer"], "customer")["id"])
    set_fields(pi, p, ("description", "receipt_email", "setup_future_usage",
                       "statement_descriptor", "statement_descriptor_suffix", "capture_method",
                       "payment_method_types"))
    apply_metadata(pi, p.get("metadata"))
    if p.get("payment_method"):
        _set_payment_method(ctx, pi, p["payment_method"])
        pi["status"] = "requires_confirmation"      # a new payment method always needs confirming
    pi["last_payment_error"] = None
    return ctx.render(pi)


@route("POST", "/v1/payment_intents/{intent}/confirm")
def confirm(ctx):
    return ctx.render(confirm_intent(ctx, _intent(ctx), ctx.params))


@route("POST", "/v1/payment_intents/{intent}/capture")
def capture(ctx):
    return ctx.render(capture_intent(ctx, _intent(ctx), ctx.params))


@route("POST", "/v1/payment_intents/{intent}/cancel")
def cancel(ctx):
    return ctx.render(cancel_intent(ctx, _intent(ctx), ctx.params.get("cancellation_reason")))


@route("GET", "/v1/payment_intents")
def list_(ctx):
    cus = ctx.params.get("customer")
    pred = (lambda pi: pi.get("customer") == cus) if cus else None
    return list_response(ctx.store, "payment_intent", ctx.params, list_url(ctx), pred,
                         index_by=("customer", cus) if cus else None)
