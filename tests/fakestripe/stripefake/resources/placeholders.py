"""List endpoints of resources not simulated yet (later issues add them).

They answer empty (or store-backed) lists so permission probes such as
GET /v1/subscriptions?limit=1 behave like Stripe; their parameters are still validated.
"""
from . import route
from .common import list_url
from ..listing import list_response

_LISTS = {
    "/v1/payment_links": "payment_link",
}


def _make(obj_type):
    def handler(ctx):
        return list_response(ctx.store, obj_type, ctx.params, list_url(ctx))
    return handler


for _path, _type in _LISTS.items():
    route("GET", _path)(_make(_type))
