"""Legacy Sources and Tokens: paydesk never creates either, but an admin's
restricted key is checked for Write on both (the permissions the Stripe
integration guides ask for), so the endpoints exist for those probes.

This fake creates no sources: retrieving or updating one answers
resource_missing. Tokens: PII tokens are created; a request naming no
token data is refused as Stripe refuses it."""
from . import route
from .common import fetch
from ..errors import invalid


@route("GET", "/v1/sources/{source}")
def retrieve_source(ctx):
    return fetch(ctx, "source", ctx.path_params["source"])


@route("POST", "/v1/sources/{source}")
def update_source(ctx):
    return fetch(ctx, "source", ctx.path_params["source"])


@route("POST", "/v1/tokens")
def create_token(ctx):
    p = ctx.params
    if p.get("pii", {}).get("id_number"):
        tok = {"id": ctx.new_id("tok_")[:28], "object": "token", "type": "pii",
               "client_ip": None, "created": ctx.now, "livemode": ctx.livemode, "used": False}
        ctx.store.objects[tok["id"]] = tok
        return tok
    if p.get("customer") or p.get("cvc_update"):
        raise invalid("This fake does not simulate customer or CVC-update tokens.")
    raise invalid("You must supply either a card, customer, PII data, bank account, or account "
                  "legal entity to create a token.")
