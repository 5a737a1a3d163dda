"""Stripe-looking random identifiers."""
import random
import string

_ALNUM = string.ascii_letters + string.digits
_rng = random.SystemRandom()


def new_id(prefix, length=24, rng=None):
    r = rng or _rng
    return prefix + "".join(r.choice(_ALNUM) for _ in range(length))


def request_id():
    return new_id("req_", 14)
