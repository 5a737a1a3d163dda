"""SetupIntents: save a card for later (usage off_session by default) and attach it.

requires_payment_method -> requires_confirmation -> confirm ->
    succeeded (PM attached to the customer, set up for off-session use)
    | requires_action (3DS; the customer finishes it: POST /_fake/setup_intents/{id}/authenticate)
    | requires_payment_method with last_setup_error (decline, HTTP 402)
requires_* -> cancel -> canceled
"""
from . import route
from .common import apply_metadata, fetch, fetch_param, list_url, set_fields
from . import payment_methods
from .. import testcards
from ..errors import StripeError, invalid
from ..listing import list_response

CANCELABLE = ("requires_payment_method", "requires_confirmation", "requires_action")


def _unexpected(message):
    return invalid(message, code="setup_intent_unexpected_state")


def _set_pm(ctx, si, pm_id, param="payment_method"):
    pm = payment_methods.resolve(ctx, pm_id, param)
    if pm.get("customer") and si.get("customer") and pm["customer"] != si["customer"]:
        raise invalid("The provided PaymentMethod %s belongs to Customer %s; pass that customer "
                      "in `customer` to use it." % (pm["id"], pm["customer"]), param=param)
    si["payment_method"] = pm["id"]
    return pm


def create_setup_intent(ctx, p):
    confirm = p.get("confirm", False)
    if p.get("return_url") and not confirm:
        raise invalid("You can only pass `return_url` when `confirm=true`.", param="return_url")
    si = ctx.complete({
        "id": ctx.new_id("seti_"), "object": "setup_intent", "application": None,
        "attach_to_self": p.get("attach_to_self"), "automatic_payment_methods": None,
        "cancellation_reason": None, "client_secret": None, "created": ctx.now,
        "customer": None, "description": p.get("description") or None,
        "flow_directions": p.get("flow_directions"), "last_setup_error": None,
        "latest_attempt": None, "livemode": ctx.livemode, "mandate": None, "metadata": {},
        "next_action": None, "on_behalf_of": None, "payment_method": None,
        "payment_method_options": {"card": {"mandate_options": None, "network": None,
                                            "request_three_d_secure": "automatic"}},
        "payment_method_types": p.get("payment_method_types") or ["card"],
        "single_use_mandate": None, "status": "requires_payment_method",
        "usage": p.get("usage") or "off_session",
    })
    si["client_secret"] = "%s_secret_%s" % (si["id"], ctx.new_id("")[:25])
    if p.get("customer"):
        si["customer"] = fetch_param(ctx, "customer", p["customer"], "customer")["id"]
    apply_metadata(si, p.get("metadata"))
    if p.get("payment_method"):
        _set_pm(ctx, si, p["payment_method"])
        si["status"] = "requires_confirmation"
    ctx.store.insert(si)
    ctx.event("setup_intent.created", si)
    if confirm:
        confirm_setup_intent(ctx, si, p, from_create=True)
    return si


def confirm_setup_intent(ctx, si, p, from_create=False):
    if si["status"] not in CANCELABLE:
        raise _unexpected("You cannot confirm this SetupIntent because it has a status of %s."
                          % si["status"])
    if not from_create and p.get("payment_method"):
        _set_pm(ctx, si, p["payment_method"])
    if not si.get("payment_method"):
        raise _unexpected("You cannot confirm this SetupIntent because it's missing a payment "
                          "method. Update the SetupIntent with a payment method and then "
                          "confirm it again.")
    pm = ctx.store.get(si["payment_method"], "payment_method")
    behaviour = pm.get("_behaviour", "success")
    si["last_setup_error"] = None
    si["next_action"] = None
    if behaviour == "auth_required":
        si["status"] = "requires_action"
        si["next_action"] = {"type": "use_stripe_sdk", "use_stripe_sdk": {
            "type": "three_d_secure_redirect",
            "stripe_js": "https://hooks.stripe.com/redirect/authenticate/src_fake?client_secret="
                         + si["client_secret"]}}
        if p.get("return_url"):
            si["next_action"] = {"type": "redirect_to_url", "redirect_to_url": {
                "return_url": p["return_url"],
                "url": "https://hooks.stripe.com/3d_secure_2/hosted?setup_intent=" + si["id"]}}
        ctx.event("setup_intent.requires_action", si)
        return si
    if behaviour in testcards.DECLINES:
        _fail(ctx, si, pm, testcards.DECLINES[behaviour])
    succeed_setup(ctx, si, pm)
    return si


def succeed_setup(ctx, si, pm):
    si["status"] = "succeeded"
    si["next_action"] = None
    if si.get("usage") == "off_session":
        pm["_set_up_off_session"] = True
    if si.get("customer") and pm.get("customer") != si["customer"]:
        payment_methods.attach(ctx, pm["id"], ctx.store.get(si["customer"], "customer"))
    ctx.event("setup_intent.succeeded", si)


def _fail(ctx, si, pm, decline):
    code, decline_code, message = decline
    error = {"type": "card_error", "code": code, "decline_code": decline_code,
             "doc_url": "https://stripe.com/docs/error-codes/" + code.replace("_", "-"),
             "message": message, "payment_method": ctx.render(pm)}
    si["last_setup_error"] = error
    si["payment_method"] = None
    si["status"] = "requires_payment_method"
    ctx.event("setup_intent.setup_failed", si)
    raise StripeError(402, "card_error", message, code=code, decline_code=decline_code,
                      setup_intent=ctx.render(si), payment_method=ctx.render(pm))


def complete_authentication(ctx, si_id, outcome):
    si = fetch(ctx, "setup_intent", si_id)
    if si["status"] != "requires_action":
        raise _unexpected("SetupIntent %s is %s, not requires_action." % (si_id, si["status"]))
    pm = ctx.store.get(si["payment_method"], "payment_method")
    if outcome == "succeed":
        succeed_setup(ctx, si, pm)
    else:
        si["status"] = "requires_payment_method"
        si["next_action"] = None
        si["payment_method"] = None
        si["last_setup_error"] = {
            "type": "invalid_request_error", "code": "setup_intent_authentication_failure",
            "message": "The latest attempt to set up the payment method has failed because "
                       "authentication failed.", "payment_method": ctx.render(pm)}
        ctx.event("setup_intent.setup_failed", si)
    return ctx.render(si)


def _intent(ctx):
    return fetch(ctx, "setup_intent", ctx.path_params["intent"])


@route("POST", "/v1/setup_intents")
def create(ctx):
    return ctx.render(create_setup_intent(ctx, ctx.params))


@route("GET", "/v1/setup_intents/{intent}")
def retrieve(ctx):
    return ctx.render(_intent(ctx))


@route("POST", "/v1/setup_intents/{intent}")
def update(ctx):
    si, p = _intent(ctx), ctx.params
    if si["status"] in ("succeeded", "canceled"):
        if any(k in p for k in ("payment_method", "customer", "payment_method_types")):
            raise _unexpected("You cannot update this SetupIntent because it has a status of %s."
                              % si["status"])
    if p.get("customer"):
        ctx.store.set_indexed(si, "customer",
                              fetch_param(ctx, "customer", p["customer"], "customer")["id"])
    set_fields(si, p, ("description", "payment_method_types"))
    apply_metadata(si, p.get("metadata"))
    if p.get("payment_method"):
        _set_pm(ctx, si, p["payment_method"])
        si["status"] = "requires_confirmation"
    return ctx.render(si)


@route("POST", "/v1/setup_intents/{intent}/confirm")
def confirm(ctx):
    return ctx.render(confirm_setup_intent(ctx, _intent(ctx), ctx.params))


@route("POST", "/v1/setup_intents/{intent}/cancel")
def cancel(ctx):
    si = _intent(ctx)
    if si["status"] not in CANCELABLE:
        raise _unexpected("You cannot cancel this SetupIntent because it has a status of %s. "
                          "Only a SetupIntent with one of the following statuses may be canceled: "
                          "%s." % (si["status"], ", ".join(CANCELABLE)))
    si["status"] = "canceled"
    si["cancellation_reason"] = ctx.params.get("cancellation_reason")
    si["next_action"] = None
    ctx.event("setup_intent.canceled", si)
    return ctx.render(si)


@route("GET", "/v1/setup_intents")
def list_(ctx):
    p = ctx.params
    cus, pm = p.get("customer"), p.get("payment_method")
    return list_response(ctx.store, "setup_intent", p, list_url(ctx),
                         lambda si: (not cus or si.get("customer") == cus) and
                         (not pm or si.get("payment_method") == pm),
                         index_by=("customer", cus) if cus else None)
