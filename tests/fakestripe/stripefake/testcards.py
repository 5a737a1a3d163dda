"""Stripe's test PaymentMethod ids (pm_card_*) and tokens (tok_*) and how each one behaves."""
import hashlib

# number, brand, funding, country
_CARDS = {
    "visa": ("4242424242424242", "visa", "credit", "US"),
    "visa_debit": ("4000056655665556", "visa", "debit", "US"),
    "mastercard": ("5555555555554444", "mastercard", "credit", "US"),
    "amex": ("378282246310005", "amex", "credit", "US"),
    "discover": ("6011111111111117", "discover", "credit", "US"),
    "diners": ("3056930009020004", "diners", "credit", "US"),
    "jcb": ("3566002020360505", "jcb", "credit", "JP"),
    "unionpay": ("6200000000000005", "unionpay", "credit", "CN"),
}

# Failure outcomes: (code, decline_code, message)
DECLINES = {
    "generic_decline": ("card_declined", "generic_decline", "Your card was declined."),
    "insufficient_funds": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "lost_card": ("card_declined", "lost_card", "Your card was declined."),
    "stolen_card": ("card_declined", "stolen_card", "Your card was declined."),
    "expired_card": ("expired_card", "expired_card", "Your card has expired."),
    "incorrect_cvc": ("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
    "processing_error": ("processing_error", "processing_error",
                         "An error occurred while processing your card. Try again in a little bit."),
    "authentication_required": ("authentication_required", "authentication_required",
                                "Your card was declined. This transaction requires authentication."),
}

# behaviour names: "success", "bypass_pending", "auth_required", "customer_fail", "dispute"
# (succeeds, then the captured charge is disputed as fraudulent), or a DECLINES key
_SPECIAL = {
    # suffix after pm_card_ / tok_: (number, brand, funding, country, behaviour)
    "chargeDeclined": ("4000000000000002", "generic_decline"),
    "chargeDeclinedInsufficientFunds": ("4000000000009995", "insufficient_funds"),
    "chargeDeclinedLostCard": ("4000000000009987", "lost_card"),
    "chargeDeclinedStolenCard": ("4000000000009979", "stolen_card"),
    "chargeDeclinedExpiredCard": ("4000000000000069", "expired_card"),
    "chargeDeclinedIncorrectCvc": ("4000000000000127", "incorrect_cvc"),
    "chargeDeclinedProcessingError": ("4000000000000119", "processing_error"),
    "chargeCustomerFail": ("4000000000000341", "customer_fail"),
    "authenticationRequired": ("4000002760003184", "auth_required"),
    "authenticationRequiredOnSetup": ("4000002500003155", "auth_required"),
    "threeDSecure2Required": ("4000000000003220", "auth_required"),
    "bypassPending": ("4000000000000077", "bypass_pending"),
    "createDispute": ("4000000000000259", "dispute"),
}

# Stripe documents these under their plain name only (pm_card_createDispute, tok_createDispute).
_NO_VISA_ALIAS = {"createDispute"}


def _build():
    table = {}
    for name, (number, brand, funding, country) in _CARDS.items():
        table[name] = dict(number=number, brand=brand, funding=funding, country=country,
                           behaviour="success")
    for name, (number, behaviour) in _SPECIAL.items():
        card = dict(number=number, brand="visa", funding="credit", country="US",
                    behaviour=behaviour)
        if name == "authenticationRequiredOnSetup":
            # once set up by a SetupIntent, off-session payments need no authentication
            card["setup_exempts_off_session"] = True
        table[name] = card
        if name not in _NO_VISA_ALIAS:
            table["visa_" + name] = card     # current docs spell the Visa aliases pm_card_visa_...
    return table


CARDS = _build()


def lookup(alias):
    """Card description for pm_card_x / tok_x, or None."""
    for prefix in ("pm_card_", "tok_"):
        if alias.startswith(prefix):
            return CARDS.get(alias[len(prefix):])
    return None


def by_number(number):
    for card in CARDS.values():
        if card["number"] == number:
            return card
    return None


def fingerprint(number):
    return hashlib.sha256(number.encode()).hexdigest()[:16]
