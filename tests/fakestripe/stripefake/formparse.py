"""Parses Stripe-style form encoding into nested dicts/lists.

`a[b][c]=1` -> {"a": {"b": {"c": "1"}}}; `expand[]=x` -> {"expand": ["x"]};
`expand[0]=x` and `items[0][price]=p` keep the index as a dict key ("0"): whether that dict is
really an array is only known from the schema, so the validator converts it.
Brackets may arrive percent-encoded; parse_qsl decodes them before we split the key.
"""
import re
from urllib.parse import parse_qsl

from .errors import invalid

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEG = re.compile(r"\[([^\[\]]*)\]")


def split_key(key):
    """'items[0][price]' -> ['items', '0', 'price']; 'expand[]' -> ['expand', '']."""
    m = _KEY.match(key)
    if not m:
        return [key]            # malformed brackets: treated as an (unknown) literal name
    return [m.group(1)] + _SEG.findall(m.group(2))


def parse(text):
    """Parse a query string or form body. Returns (params, pairs)."""
    pairs = parse_qsl(text or "", keep_blank_values=True, errors="strict")
    root = {}
    for key, value in pairs:
        _assign(root, split_key(key), value, key)
    return root, pairs


def _assign(node, segs, value, raw_key):
    name, rest = segs[0], segs[1:]
    if not rest:
        if isinstance(node, list):
            node.append(value)
        else:
            if isinstance(node.get(name), (dict, list)):
                raise invalid("Invalid parameters: %s is given both as a hash/array and as a "
                              "scalar." % raw_key, param=raw_key)
            node[name] = value          # repeated scalar: last one wins, like Rack
        return
    nxt = rest[0]
    if nxt == "":
        # name[] or name[][field]
        child = node.setdefault(name, [])
        if not isinstance(child, list):
            raise invalid("Invalid array: %s" % raw_key, param=raw_key)
        if len(rest) == 1:
            child.append(value)
            return
        # name[][field]=v: start a new element unless the last one lacks this field (Rack rule)
        field = rest[1]
        if not child or not isinstance(child[-1], dict) or field in child[-1]:
            child.append({})
        _assign(child[-1], rest[1:], value, raw_key)
        return
    child = node.setdefault(name, {})
    if isinstance(child, list):
        # e.g. expand[]=a&expand[1]=b: fold the list into index keys so both spellings mix
        child = {str(i): v for i, v in enumerate(child)}
        node[name] = child
    if not isinstance(child, dict):
        raise invalid("Invalid hash: %s" % raw_key, param=raw_key)
    _assign(child, rest, value, raw_key)
