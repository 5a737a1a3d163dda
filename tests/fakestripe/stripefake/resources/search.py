"""Search endpoints and the subset of Stripe's search query language they understand.

    clause  := [-]field op value          op: ":" exact (case-insensitive), "~" substring (≥3
                                              chars), ">", "<", ">=", "<=" numeric
    field   := name[.name…] | metadata["key"]
    value   := "quoted string" | number | null
    query   := clause ((" " | " AND ") clause)*  |  clause (" OR " clause)*   (no mixing)

Results are newest first; `page` / `next_page` are opaque cursors; `expand[]=total_count` adds
total_count. Data is searchable at once (Stripe: usually within a minute).
"""
import base64
import bisect
import re

from . import route
from ..errors import invalid
from ..store import clone

FIELDS = {
    "customers": ("customer", {"created": "n", "email": "s~", "metadata": "m", "name": "s~",
                               "phone": "s~"}),
    "payment_intents": ("payment_intent", {"amount": "n", "created": "n", "currency": "s",
                                           "customer": "s", "metadata": "m", "status": "s"}),
    "charges": ("charge", {"amount": "n", "billing_details.address.postal_code": "s",
                           "created": "n", "currency": "s", "customer": "s", "disputed": "b",
                           "metadata": "m", "payment_intent": "s",
                           "payment_method_details.card.last4": "s", "refunded": "b",
                           "status": "s"}),
    "invoices": ("invoice", {"created": "n", "currency": "s", "customer": "s", "metadata": "m",
                             "number": "s", "receipt_number": "s", "status": "s",
                             "subscription": "s", "total": "n"}),
    "subscriptions": ("subscription", {"created": "n", "metadata": "m", "status": "s"}),
}

_TOKEN = re.compile(r'''\s*(?:
    (?P<join>AND|OR)(?=\s)
  | (?P<neg>-)?(?P<field>metadata\["(?P<mkey>[^"]*)"\]|[a-z_][a-z0-9_.]*)
    (?P<op>>=|<=|:|~|>|<)
    (?P<value>"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|null|[A-Za-z0-9_.@+-]+)
)''', re.X | re.I)


def _bad(message):
    return invalid(message, param="query")


def parse(resource, query):
    """-> (mode 'and'|'or', [(negated, field, metadata key, op, value)])"""
    kinds = FIELDS[resource][1]
    pos, clauses, joins = 0, [], set()
    query = query.strip()
    if not query:
        raise _bad("Query must not be empty.")
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise _bad("Invalid query: could not parse the query at character %d: '%s'."
                       % (pos, query[pos:pos + 20]))
        pos = m.end()
        if m.group("join"):
            joins.add(m.group("join").upper())
            continue
        field = "metadata" if m.group("mkey") is not None else m.group("field")
        if field not in kinds:
            raise _bad("Field `%s` is an unsupported search field for resource `%s`. See "
                       "http://stripe.com/docs/search#query-fields-for-%s for a list of "
                       "supported fields." % (field, resource, resource.replace("_", "-")))
        raw, op = m.group("value"), m.group("op")
        if raw.startswith('"'):
            value = raw[1:-1].replace('\\"', '"')
        elif raw.lower() == "null":
            value = None
        else:
            value = raw
        kind = kinds[field]
        if op in "<>" or op in (">=", "<="):
            if kind != "n":
                raise _bad("Field `%s` does not support numeric comparisons." % field)
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise _bad("Field `%s` requires a number for `%s`." % (field, op))
        if op == "~":
            if "~" not in kind:
                raise _bad("Field `%s` does not support substring matching (`~`)." % field)
            if value is None or len(value) < 3:
                raise _bad("Substring matches (`~`) need at least 3 characters.")
        clauses.append((bool(m.group("neg")), field, m.group("mkey"), op, value))
    if len(joins) > 1:
        raise _bad("Queries cannot mix AND and OR.")
    if len(clauses) > 10:
        raise _bad("Queries can contain at most 10 clauses.")
    if not clauses:
        raise _bad("Query must contain at least one clause.")
    return ("or" if joins == {"OR"} else "and"), clauses


def _get(obj, field):
    for part in field.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _test(obj, clause):
    neg, field, mkey, op, value = clause
    actual = (obj.get("metadata") or {}).get(mkey) if field == "metadata" else _get(obj, field)
    if op == ":":
        if value is None:
            ok = actual is None
        elif isinstance(actual, bool):
            ok = str(actual).lower() == str(value).lower()
        elif isinstance(actual, int):
            ok = str(actual) == str(value)
        elif field == "metadata":
            ok = actual == value
        else:
            ok = actual is not None and str(actual).lower() == str(value).lower()
    elif op == "~":
        ok = actual is not None and str(value).lower() in str(actual).lower()
    else:
        if not isinstance(actual, int):
            ok = False
        else:
            ok = {">": actual > value, "<": actual < value, ">=": actual >= value,
                  "<=": actual <= value}[op]
    return ok != neg


def _encode(key):
    return base64.urlsafe_b64encode(("%d:%d" % key).encode()).decode().rstrip("=")


def _decode(page):
    try:
        raw = base64.urlsafe_b64decode(page + "=" * (-len(page) % 4)).decode()
        a, b = raw.split(":")
        return int(a), int(b)
    except Exception:
        raise invalid("Invalid page: '%s'" % page, param="page")


def search(ctx, resource):
    p = ctx.params
    obj_type = FIELDS[resource][0]
    mode, clauses = parse(resource, p["query"])
    limit = p.get("limit", 10)
    if not 1 <= limit <= 100:
        raise invalid("Invalid limit: must be an integer between 1 and 100 (got %d)" % limit,
                      param="limit")
    combine = any if mode == "or" else all

    def match(obj):
        return combine(_test(obj, c) for c in clauses)
    index = ctx.store.index(obj_type)
    i = len(index.keys) - 1
    if p.get("page"):
        i = bisect.bisect_left(index.keys, _decode(p["page"])) - 1
    found = []
    while i >= 0 and len(found) <= limit:
        obj = ctx.store.objects[index.ids[i]]
        if match(obj):
            found.append(obj)
        i -= 1
    has_more = len(found) > limit
    found = found[:limit]
    out = {"object": "search_result", "data": [clone(o) for o in found], "has_more": has_more,
           "next_page": _encode(ctx.store.key_of(found[-1]["id"])) if has_more else None,
           "url": ctx.url}
    expand = p.get("expand") or []
    if "total_count" in expand:
        p["expand"] = [e for e in expand if e != "total_count"]
        out["total_count"] = min(sum(1 for obj_id in index.ids
                                     if match(ctx.store.objects[obj_id])), 10000)
    return out


def _make(resource):
    def handler(ctx):
        return search(ctx, resource)
    return handler


for _res in FIELDS:
    route("GET", "/v1/%s/search" % _res)(_make(_res))
