"""Validates parsed form/query params against an operation's schema, Stripe style.

Returns the params coerced to Python types (int, bool, list, dict). "" is kept as "" where the
schema allows it (anyOf with enum [""]), which handlers read as "unset".
Error messages follow the shapes Stripe uses ("Received unknown parameter: x", ...).
"""
import re

from .errors import invalid

_INT = re.compile(r"^-?\d+$")
_NUM = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")


def pname(path):
    """['items', 0, 'price'] -> 'items[0][price]'"""
    if not path:
        return ""
    return str(path[0]) + "".join("[%s]" % p for p in path[1:])


def validate(schema, params):
    return _object(schema, params, [])


def _kind(value):
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "scalar"


def _value(schema, value, path):
    if "anyOf" in schema:
        return _any_of(schema, value, path)
    t = schema.get("type")
    if t == "object":
        return _object(schema, value, path)
    if t == "array":
        return _array(schema, value, path)
    if isinstance(value, (dict, list)):
        raise invalid("Invalid %s: %s must be a %s, not a hash or array" %
                      (_tname(t), pname(path), _tname(t)), param=pname(path))
    if t == "integer":
        if not _INT.match(value):
            raise invalid("Invalid integer: %s" % value, param=pname(path),
                          code="parameter_invalid_integer")
        return int(value)
    if t == "number":
        if not _NUM.match(value):
            raise invalid("Invalid decimal: %s" % value, param=pname(path))
        return value            # keep decimals as strings, never floats for money
    if t == "boolean":
        if value not in ("true", "false"):
            raise invalid("Invalid boolean: %s" % value, param=pname(path))
        return value == "true"
    # string (with or without enum)
    enum = schema.get("enum")
    if enum is not None and value not in enum and not schema.get("x-stripeBypassValidation"):
        raise invalid("Invalid %s: must be one of %s" % (pname(path), _one_of(enum)),
                      param=pname(path))
    max_len = schema.get("maxLength")
    if max_len is not None and len(value) > max_len:
        raise invalid("Invalid string: %s; must be at most %d characters" %
                      (_clip(value), max_len), param=pname(path))
    return value


def _tname(t):
    return {"integer": "integer", "boolean": "boolean", "number": "decimal"}.get(t, "string")


def _one_of(enum):
    vals = [v if v != "" else '""' for v in enum]
    if len(vals) <= 1:
        return "".join(vals)
    return ", ".join(vals[:-1]) + ", or " + vals[-1]


def _clip(s):
    return s if len(s) <= 40 else s[:37] + "..."


def _branch_kind(alt):
    t = alt.get("type")
    if t == "object":
        return "object"
    if t == "array":
        return "array"
    return "scalar"


def _any_of(schema, value, path):
    alts = schema["anyOf"]
    if value == "" and any(a.get("enum") == [""] for a in alts):
        return ""       # explicit unset
    kind = _kind(value)
    candidates = [a for a in alts if _branch_kind(a) == kind and a.get("enum") != [""]]
    if kind == "object" and not candidates:
        # array params sent with indices (x[0]=..) parse as dicts
        candidates = [a for a in alts if _branch_kind(a) == "array"]
    if not candidates:
        want = " or ".join(sorted({_describe(a) for a in alts}))
        raise invalid("Invalid %s: %s must be %s" % (pname(path), pname(path), want),
                      param=pname(path))
    first_error = None
    for alt in candidates:
        try:
            return _value(alt, value, path)
        except Exception as e:  # try the next alternative, report the first failure
            if first_error is None:
                first_error = e
    raise first_error


def _describe(alt):
    if alt.get("enum") == [""]:
        return 'an empty string ""'
    return {"object": "a hash", "array": "an array"}.get(alt.get("type"), "a " + _tname(alt.get("type")))


def _object(schema, value, path):
    if not isinstance(value, dict):
        raise invalid("Invalid hash" if path else "Invalid parameters", param=pname(path) or None)
    props = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    out = {}
    for key, v in value.items():
        sub = path + [key]
        if key in props:
            out[key] = _value(props[key], v, sub)
        elif isinstance(extra, dict):
            out[key] = _value(extra, v, sub)
        elif extra is True or (not props and extra is None):
            out[key] = v        # free-form hash
        else:
            raise invalid("Received unknown parameter: %s" % pname(sub), param=pname(sub),
                          code="parameter_unknown")
    for req in schema.get("required") or []:
        if req not in value:
            raise invalid("Missing required param: %s." % pname(path + [req]),
                          param=pname(path + [req]), code="parameter_missing")
    return out


def _array(schema, value, path):
    if isinstance(value, dict):
        # indexed form (a[0]=x&a[1]=y): every key must be an index; order by the index
        if not all(_INT.match(k) for k in value):
            raise invalid("Invalid array", param=pname(path))
        value = [value[k] for k in sorted(value, key=int)]
    if not isinstance(value, list):
        if value == "":
            return []
        raise invalid("Invalid array", param=pname(path))
    items = schema.get("items") or {}
    return [_value(items, v, path + [i]) for i, v in enumerate(value)]
