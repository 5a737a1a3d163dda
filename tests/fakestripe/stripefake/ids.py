"""Stripe-looking random identifiers."""
import os
import random
import string

_ALNUM = string.ascii_letters + string.digits
# ids only need to be unique and unguessable-looking, not secret: a fast PRNG seeded from the OS
_rng = random.Random(os.urandom(32))


def new_id(prefix, length=24, rng=None):
    r = rng or _rng
    return prefix + "".join(r.choices(_ALNUM, k=length))


def request_id():
    return new_id("req_", 14)
