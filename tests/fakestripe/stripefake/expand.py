"""`expand[]` support: replaces id strings by the objects they name, following dotted paths.

Which fields may be expanded comes from the spec (anyOf(string id, $ref object) properties).
A few expansions are not plain id lookups (charge.refunds is a list); resources register
those in VIRTUAL.
"""
from .errors import invalid
from .store import view

MAX_DEPTH = 4

# (object type, field) -> fn(ctx, rendered_parent) -> rendered value
VIRTUAL = {}


def virtual(obj_type, field):
    def deco(fn):
        VIRTUAL[(obj_type, field)] = fn
        return fn
    return deco


def apply(ctx, rendered, paths):
    for path in paths or []:
        parts = path.split(".")
        depth = len(parts) - (1 if rendered.get("object") in ("list", "search_result")
                              and parts[0] == "data" else 0)
        if depth > MAX_DEPTH:
            raise invalid("You cannot expand more than %d levels of a property. Property: %s"
                          % (MAX_DEPTH, path), param="expand")
        _walk(ctx, rendered, parts, path)
    return rendered


def _walk(ctx, node, parts, full):
    if not parts or not isinstance(node, dict):
        return
    field, rest = parts[0], parts[1:]
    obj_type = node.get("object")
    if obj_type in ("list", "search_result") and field == "data":
        items = node.get("data", [])
        if rest:
            # rendered nodes may share what lies below them with the store (store.view):
            # copy each level before changing it
            items = node["data"] = [dict(i) if isinstance(i, dict) else i for i in items]
        for item in items:
            _walk(ctx, item, rest, full)
        return
    hook = VIRTUAL.get((obj_type, field))
    if hook is not None:
        if not isinstance(node.get(field), dict):
            node[field] = hook(ctx, node)
    else:
        value = node.get(field)
        target = ctx.app.spec.expandable_target(obj_type, field) if obj_type else None
        if not isinstance(value, dict) and target is None:
            # already-embedded objects may be walked through; anything else is not expandable
            raise invalid("This property cannot be expanded (%s)." % field, param="expand")
        if isinstance(value, str):
            obj = ctx.store.get(value)
            if obj is not None:
                node[field] = view(obj)
    if rest and isinstance(node.get(field), dict):
        node[field] = dict(node[field])     # walked into and changed below: a copy of its own
    _walk(ctx, node.get(field), rest, full)
