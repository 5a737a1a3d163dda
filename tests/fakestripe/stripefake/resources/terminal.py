"""Terminal: locations, (simulated) readers, server-driven payment and setup actions.

process_payment_intent / process_setup_intent leave reader.action in_progress until the test
helper present_payment_method plays the customer tapping a card (or cancel_action aborts it).
A SetupIntent processed on a reader saves a *generated card*: a card PaymentMethod made from the
card_present one, attached to the SetupIntent's customer (the card_present one never is).
"""
import datetime

from . import route
from . import payment_methods
from .common import apply_metadata, fetch, fetch_param, list_url, set_fields
from .payment_intents import confirm_intent
from .. import testcards
from ..errors import StripeError, invalid
from ..listing import list_response

SIMULATED = {"simulated-wpe": ("simulated_wisepos_e", "2.11.1.0"),
             "simulated-s700": ("stripe_s700", "2.11.1.0")}


# -- locations -----------------------------------------------------------------------------------

@route("POST", "/v1/terminal/locations")
def create_location(ctx):
    p = ctx.params
    addr = {k: p["address"].get(k) for k in ("city", "country", "line1", "line2", "postal_code",
                                              "state")}
    loc = ctx.complete({"id": ctx.new_id("tml_")[:18], "object": "terminal.location",
                        "address": addr, "configuration_overrides": p.get("configuration_overrides"),
                        "display_name": p["display_name"], "livemode": ctx.livemode,
                        "metadata": {}, "created": ctx.now})
    apply_metadata(loc, p.get("metadata"))
    ctx.store.insert(loc)
    return ctx.render(loc)


@route("GET", "/v1/terminal/locations/{location}")
def retrieve_location(ctx):
    return ctx.render(fetch(ctx, "terminal.location", ctx.path_params["location"]))


@route("POST", "/v1/terminal/locations/{location}")
def update_location(ctx):
    loc = fetch(ctx, "terminal.location", ctx.path_params["location"])
    set_fields(loc, ctx.params, ("display_name", "configuration_overrides"))
    if ctx.params.get("address"):
        loc["address"].update(ctx.params["address"])
    apply_metadata(loc, ctx.params.get("metadata"))
    return ctx.render(loc)


@route("DELETE", "/v1/terminal/locations/{location}")
def delete_location(ctx):
    loc = fetch(ctx, "terminal.location", ctx.path_params["location"])
    ctx.store.unlist(loc["id"])
    ctx.store.objects[loc["id"]] = {"id": loc["id"], "object": "terminal.location",
                                    "deleted": True}
    return {"id": loc["id"], "object": "terminal.location", "deleted": True}


@route("GET", "/v1/terminal/locations")
def list_locations(ctx):
    return list_response(ctx.store, "terminal.location", ctx.params, list_url(ctx))


# -- readers -------------------------------------------------------------------------------------

def _reader(ctx):
    return fetch(ctx, "terminal.reader", ctx.path_params["reader"])


@route("POST", "/v1/terminal/readers")
def register(ctx):
    p = ctx.params
    code = p["registration_code"]
    if code not in SIMULATED or ctx.livemode:
        raise invalid("The registration code provided is invalid or has expired. Please try "
                      "again with a new code.", param="registration_code")
    location = None
    if p.get("location"):
        location = fetch_param(ctx, "terminal.location", p["location"], "location")["id"]
    device_type, version = SIMULATED[code]
    suffix = ctx.new_id("")[:8].lower()
    reader = ctx.complete({
        "id": ctx.new_id("tmr_")[:18], "object": "terminal.reader", "action": None,
        "device_sw_version": version, "device_type": device_type, "ip_address": "0.0.0.0",
        "label": p.get("label") or "%s-%s" % (code, suffix), "livemode": ctx.livemode,
        "location": location, "metadata": {},
        "serial_number": "%s-%s" % (code, ctx.new_id("")[:12].lower()), "status": "online",
        "created": ctx.now,
    })
    apply_metadata(reader, p.get("metadata"))
    ctx.store.insert(reader)
    return ctx.render(reader)


@route("GET", "/v1/terminal/readers/{reader}")
def retrieve(ctx):
    return ctx.render(_reader(ctx))


@route("POST", "/v1/terminal/readers/{reader}")
def update(ctx):
    reader = _reader(ctx)
    set_fields(reader, ctx.params, ("label",))
    apply_metadata(reader, ctx.params.get("metadata"))
    return ctx.render(reader)


@route("DELETE", "/v1/terminal/readers/{reader}")
def delete(ctx):
    reader = _reader(ctx)
    ctx.store.unlist(reader["id"])
    ctx.store.objects[reader["id"]] = {"id": reader["id"], "object": "terminal.reader",
                                       "deleted": True}
    return {"id": reader["id"], "object": "terminal.reader", "deleted": True}


@route("GET", "/v1/terminal/readers")
def list_(ctx):
    p = ctx.params
    want = {k: p[k] for k in ("device_type", "location", "status") if p.get(k)}
    return list_response(ctx.store, "terminal.reader", p, list_url(ctx),
                         (lambda r: all(r.get(k) == v for k, v in want.items())) if want else None,
                         kind="terminal.reader")


@route("POST", "/v1/terminal/readers/{reader}/process_payment_intent")
def process_payment_intent(ctx):
    reader = _reader(ctx)
    p = ctx.params
    pi = fetch_param(ctx, "payment_intent", p["payment_intent"], "payment_intent")
    if (reader.get("action") or {}).get("status") == "in_progress":
        raise invalid("Reader is currently busy processing another request. Please reference the "
                      "integration guide for more details.", code="terminal_reader_busy")
    if "card_present" not in pi["payment_method_types"] and \
            "interac_present" not in pi["payment_method_types"]:
        raise invalid("PaymentIntent %s must include `card_present` in payment_method_types to "
                      "be processed on a reader." % pi["id"], param="payment_intent",
                      code="intent_invalid_state")
    if pi["status"] not in ("requires_payment_method", "requires_confirmation"):
        raise invalid("This PaymentIntent is in status %s and cannot be processed on a reader."
                      % pi["status"], param="payment_intent", code="intent_invalid_state")
    reader["action"] = {"failure_code": None, "failure_message": None,
                        "process_payment_intent": {"payment_intent": pi["id"],
                                                   "process_config": p.get("process_config")},
                        "status": "in_progress", "type": "process_payment_intent"}
    return ctx.render(reader)


@route("POST", "/v1/terminal/readers/{reader}/process_setup_intent")
def process_setup_intent(ctx):
    reader = _reader(ctx)
    p = ctx.params
    si = fetch_param(ctx, "setup_intent", p["setup_intent"], "setup_intent")
    if (reader.get("action") or {}).get("status") == "in_progress":
        raise invalid("Reader is currently busy processing another request. Please reference the "
                      "integration guide for more details.", code="terminal_reader_busy")
    if p["customer_consent_collected"] is not True:
        raise invalid("customer_consent_collected must be true: a card is saved on a reader only "
                      "once the customer agreed to it.", param="customer_consent_collected")
    if "card_present" not in si["payment_method_types"]:
        raise invalid("SetupIntent %s must include `card_present` in payment_method_types to be "
                      "processed on a reader." % si["id"], param="setup_intent",
                      code="intent_invalid_state")
    if si["status"] not in ("requires_payment_method", "requires_confirmation"):
        raise invalid("This SetupIntent is in status %s and cannot be processed on a reader."
                      % si["status"], param="setup_intent", code="intent_invalid_state")
    reader["action"] = {"failure_code": None, "failure_message": None,
                        "process_setup_intent": {"setup_intent": si["id"]},
                        "status": "in_progress", "type": "process_setup_intent"}
    return ctx.render(reader)


@route("POST", "/v1/terminal/readers/{reader}/cancel_action")
def cancel_action(ctx):
    reader = _reader(ctx)
    if (reader.get("action") or {}).get("status") != "in_progress":
        raise invalid("Reader %s has no in-progress action to cancel." % reader["id"])
    reader["action"] = None
    return ctx.render(reader)


def _card_present_pm(ctx, card):
    year = datetime.datetime.utcfromtimestamp(ctx.now).year
    behaviour = card["behaviour"]
    if behaviour in ("auth_required", "customer_fail"):
        behaviour = "success"          # no 3-D Secure in person
    pm = ctx.complete({
        "id": ctx.new_id("pm_"), "object": "payment_method",
        "billing_details": {"address": {"city": None, "country": None, "line1": None,
                                        "line2": None, "postal_code": None, "state": None},
                            "email": None, "name": None, "phone": None},
        "card_present": {"brand": card["brand"], "cardholder_name": None,
                         "country": card["country"], "exp_month": 12, "exp_year": year + 3,
                         "fingerprint": testcards.fingerprint(card["number"]),
                         "funding": card["funding"], "last4": card["number"][-4:],
                         "networks": {"available": [card["brand"]], "preferred": None},
                         "read_method": "contactless_emv"},
        "created": ctx.now, "customer": None, "livemode": ctx.livemode, "metadata": {},
        "type": "card_present", "_behaviour": behaviour})
    ctx.store.insert(pm)
    return pm


def _apply_tip(action, pi, tip):
    """On-reader tipping: the client's tip is added to the PaymentIntent's amount and shown
    apart in amount_details.tip.amount. A reader told to skip tipping shows no tip screen."""
    if tip is None:
        return
    config = action["process_payment_intent"].get("process_config") or {}
    if config.get("skip_tipping") in (True, "true"):
        raise invalid("This reader action was told to skip tipping: amount_tip cannot be "
                      "presented.", param="amount_tip")
    if tip < 0:
        raise invalid("amount_tip must be 0 or more.", param="amount_tip")
    if tip:
        pi["amount"] += tip
        pi["amount_details"] = {"tip": {"amount": tip}}


@route("POST", "/v1/test_helpers/terminal/readers/{reader}/present_payment_method")
def present_payment_method(ctx):
    if ctx.livemode:
        raise invalid("Test helpers can only be used in test mode.")
    reader = _reader(ctx)
    p = ctx.params
    action = reader.get("action") or {}
    if action.get("status") != "in_progress" or action.get("type") not in (
            "process_payment_intent", "process_setup_intent"):
        raise invalid("Reader %s does not have an in-progress process_payment_intent or "
                      "process_setup_intent action." % reader["id"])
    kind = p.get("type", "card_present")
    if kind != "card_present":
        raise invalid("This fake only simulates type=card_present.", param="type")
    number = (p.get("card_present") or {}).get("number") or "4242424242424242"
    card = testcards.by_number(number)
    if card is None:
        raise invalid("Your card number is incorrect.", param="card_present[number]",
                      code="incorrect_number")
    if action["type"] == "process_setup_intent":
        if p.get("amount_tip") is not None:
            raise invalid("amount_tip is for a payment: this reader is saving a card.",
                          param="amount_tip")
        return _present_for_setup(ctx, reader, action, card)
    pi = ctx.store.get(action["process_payment_intent"]["payment_intent"], "payment_intent")
    _apply_tip(action, pi, p.get("amount_tip"))
    pm = _card_present_pm(ctx, card)
    try:
        confirm_intent(ctx, pi, {"payment_method": pm["id"]})
    except StripeError as e:
        action["status"] = "failed"
        action["failure_code"] = e.code
        action["failure_message"] = e.message
        ctx.event("terminal.reader.action_failed", reader)
        return ctx.render(reader)
    action["status"] = "succeeded"
    ctx.event("terminal.reader.action_succeeded", reader)
    return ctx.render(reader)


def _present_for_setup(ctx, reader, action, card):
    """The card tapped for a SetupIntent: a decline fails the action and leaves the SetupIntent
    requires_payment_method with last_setup_error; otherwise it succeeds with the card_present
    PaymentMethod, and the generated card is attached to the customer for off-session use."""
    si = ctx.store.get(action["process_setup_intent"]["setup_intent"], "setup_intent")
    present = _card_present_pm(ctx, card)
    behaviour = present["_behaviour"]
    if behaviour in testcards.DECLINES:
        code, decline_code, message = testcards.DECLINES[behaviour]
        si["payment_method"] = None
        si["status"] = "requires_payment_method"
        si["last_setup_error"] = {"type": "card_error", "code": code,
                                  "decline_code": decline_code, "message": message,
                                  "payment_method": ctx.render(present)}
        ctx.event("setup_intent.setup_failed", si)
        action["status"] = "failed"
        action["failure_code"] = code
        action["failure_message"] = message
        ctx.event("terminal.reader.action_failed", reader)
        return ctx.render(reader)
    generated = payment_methods.mint(ctx, card)
    generated["card"]["generated_from"] = {
        "charge": None, "setup_attempt": None,
        "payment_method_details": {"type": "card_present",
                                   "card_present": dict(present["card_present"])}}
    generated["_set_up_off_session"] = True
    si["payment_method"] = present["id"]
    si["last_setup_error"] = None
    si["status"] = "succeeded"
    if si.get("customer"):
        payment_methods.attach(ctx, generated["id"], ctx.store.get(si["customer"], "customer"))
    ctx.event("setup_intent.succeeded", si)
    action["process_setup_intent"]["generated_card"] = generated["id"]
    action["status"] = "succeeded"
    ctx.event("terminal.reader.action_succeeded", reader)
    return ctx.render(reader)
