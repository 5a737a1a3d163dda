"""Events: one per state change, recorded by Ctx.event(); list and retrieve."""
from . import route
from .common import fetch, list_url
from ..errors import invalid
from ..listing import list_response
from ..versions import render_event


def _render(ctx):
    """Events in the account's default API version (POST /_fake/api_version), as Stripe does."""
    version = ctx.app.account_versions.get(ctx.account_id)
    return lambda evt: render_event(evt, version)


def _matcher(pattern):
    if pattern.endswith("*"):       # type=charge.* wildcard
        stem = pattern[:-1]
        return lambda t: t.startswith(stem)
    return lambda t: t == pattern


@route("GET", "/v1/events")
def list_(ctx):
    p = ctx.params
    if p.get("type") and p.get("types"):
        raise invalid("You may only specify one of these parameters: type, types.", param="types")
    patterns = p.get("types") or ([p["type"]] if p.get("type") else [])
    if len(patterns) > 20:
        raise invalid("You may pass at most 20 event types.", param="types")
    matchers = [_matcher(x) for x in patterns]
    pred = (lambda e: any(m(e["type"]) for m in matchers)) if matchers else None
    exact = patterns[0] if len(patterns) == 1 and not patterns[0].endswith("*") else None
    return list_response(ctx.store, "event", p, list_url(ctx), pred,
                         index_by=("type", exact) if exact else None, render=_render(ctx))


@route("GET", "/v1/events/{id}")
def retrieve(ctx):
    return _render(ctx)(fetch(ctx, "event", ctx.path_params["id"]))
