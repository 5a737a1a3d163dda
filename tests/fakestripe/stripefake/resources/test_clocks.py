"""Test clocks: customers created with test_clock=clock_… (and their subscriptions) live at the
clock's frozen_time; advancing the clock runs trial ends, renewals and retries in time order."""
from . import route
from . import billing
from .common import fetch, list_url
from ..errors import invalid
from ..listing import list_response


def _clock(ctx):
    if ctx.livemode:
        raise invalid("Test clocks are only available in test mode.")
    return fetch(ctx, "test_helpers.test_clock", ctx.path_params["test_clock"],
                 kind="test_helpers.test_clock")


@route("POST", "/v1/test_helpers/test_clocks")
def create(ctx):
    if ctx.livemode:
        raise invalid("Test clocks are only available in test mode.")
    clock = {"id": ctx.new_id("clock_"), "object": "test_helpers.test_clock",
             "created": ctx.now, "deletes_after": ctx.now + 30 * 86400,
             "frozen_time": ctx.params["frozen_time"], "livemode": False,
             "name": ctx.params.get("name"), "status": "ready"}
    ctx.store.insert(clock)
    return dict(clock)


@route("GET", "/v1/test_helpers/test_clocks/{test_clock}")
def retrieve(ctx):
    return ctx.render(_clock(ctx))


@route("GET", "/v1/test_helpers/test_clocks")
def list_(ctx):
    return list_response(ctx.store, "test_helpers.test_clock", ctx.params, list_url(ctx),
                         kind="test_helpers.test_clock")


@route("DELETE", "/v1/test_helpers/test_clocks/{test_clock}")
def delete(ctx):
    clock = _clock(ctx)
    # Stripe deletes every object attached to the clock with it
    for sub in billing.subscriptions_of_clock(ctx, clock["id"]):
        ctx.store.unlist(sub["id"])
        ctx.store.objects[sub["id"]] = {"id": sub["id"], "object": "subscription",
                                        "deleted": True}
    for cus_id in list(ctx.store.index("customer").ids):
        cus = ctx.store.objects[cus_id]
        if cus.get("test_clock") == clock["id"]:
            ctx.store.unlist(cus_id)
            ctx.store.objects[cus_id] = {"id": cus_id, "object": "customer", "deleted": True}
    ctx.store.unlist(clock["id"])
    ctx.store.objects[clock["id"]] = {"id": clock["id"], "object": "test_helpers.test_clock",
                                      "deleted": True}
    return {"id": clock["id"], "object": "test_helpers.test_clock", "deleted": True}


@route("POST", "/v1/test_helpers/test_clocks/{test_clock}/advance")
def advance(ctx):
    clock = _clock(ctx)
    target = ctx.params["frozen_time"]
    if target <= clock["frozen_time"]:
        raise invalid("The test clock's frozen_time can only move forward: %d is not after %d."
                      % (target, clock["frozen_time"]), param="frozen_time")
    ctx.event("test_helpers.test_clock.advancing", dict(clock, status="advancing"))
    billing.advance_clock(ctx, clock, target)
    clock["status"] = "ready"
    ctx.event("test_helpers.test_clock.ready", clock)
    # Stripe answers while the clock is still advancing; by the next GET it is ready
    return dict(clock, status="advancing")
