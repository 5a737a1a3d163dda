"""Helpers shared by resource modules."""
from ..errors import invalid, not_found


def fetch(ctx, obj_type, obj_id, kind=None, param="id"):
    """Object by id or a 404 resource_missing (kind is the name used in the message)."""
    obj = ctx.store.get(obj_id, obj_type)
    if obj is None or obj.get("deleted"):
        raise not_found(kind or obj_type, obj_id, param=param)
    return obj


def fetch_param(ctx, obj_type, obj_id, param, kind=None):
    """Like fetch, for ids passed as parameters: Stripe answers 400 with the param named."""
    obj = ctx.store.get(obj_id, obj_type)
    if obj is None or obj.get("deleted"):
        raise invalid("No such %s: '%s'" % (kind or obj_type, obj_id), param=param,
                      code="resource_missing")
    return obj


def apply_metadata(obj, value):
    """metadata=... semantics: "" clears everything, key="" removes one key."""
    if value is None:
        return
    if value == "":
        obj["metadata"] = {}
        return
    meta = obj.setdefault("metadata", {})
    for k, v in value.items():
        if v == "":
            meta.pop(k, None)
        else:
            meta[k] = v
    if len(meta) > 50:
        raise invalid("You can specify up to 50 keys in metadata.", param="metadata")


def set_fields(obj, params, names):
    """Copy plain params onto obj ("" means unset -> null). Returns previous values of changes."""
    previous = {}
    for name in names:
        if name in params:
            value = params[name]
            if value == "":
                value = None
            if obj.get(name) != value:
                previous[name] = obj.get(name)
            obj[name] = value
    return previous


def first_filter(want, order=("customer", "subscription", "payment_intent", "charge", "source",
                                  "type")):
    """(field, value) of the most selective indexed filter among the given ones, or None."""
    for field in order:
        if want.get(field):
            return field, want[field]
    return None


def list_url(ctx):
    return ctx.url
