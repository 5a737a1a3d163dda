"""List endpoints: limit, cursors, created ranges, newest first."""
import bisect

from .errors import invalid
from .store import view

_MIN = -1      # sorts before any real seq


def created_bounds(created):
    """created=int or {gt,gte,lt,lte} -> inclusive (lo, hi) on created, None meaning open."""
    if created is None or created == "":
        return None, None
    if isinstance(created, int):
        return created, created
    lo = hi = None
    if "gte" in created:
        lo = created["gte"]
    if "gt" in created:
        lo = max(lo, created["gt"] + 1) if lo is not None else created["gt"] + 1
    if "lte" in created:
        hi = created["lte"]
    if "lt" in created:
        hi = min(hi, created["lt"] - 1) if hi is not None else created["lt"] - 1
    return lo, hi


def list_response(store, obj_type, params, url, predicate=None, kind=None, render=view,
                  index_by=None):
    """index_by=(field, value): walk the secondary index of that field (see store.INDEXED)
    instead of every object of the type; predicate still applies to what it yields.
    Items are views (shared below the top level): a page is expanded and encoded at once, and
    deep copies made a sync of a large history measure the fake instead of the client."""
    limit = params.get("limit", 10)
    if not 1 <= limit <= 100:
        raise invalid("Invalid limit: must be an integer between 1 and 100 (got %d)" % limit,
                      param="limit")
    after, before = params.get("starting_after"), params.get("ending_before")
    if after and before:
        raise invalid("You may only specify one of these parameters: ending_before, "
                      "starting_after.", param="ending_before")
    index = None
    if index_by is not None:
        index = store.field_index(obj_type, *index_by)
    exact = index is None
    if index is None:
        index = store.index(obj_type)
    keys = index.keys
    lo_c, hi_c = created_bounds(params.get("created"))
    lo = 0 if lo_c is None else bisect.bisect_left(keys, (lo_c, _MIN))
    hi = len(keys) if hi_c is None else bisect.bisect_left(keys, (hi_c + 1, _MIN))

    def cursor_pos(name, obj_id):
        """(position, present): where the cursor object sits in (or would go into) the index."""
        key = store.key_of(obj_id)
        obj = store.objects.get(obj_id)
        if key is None or obj is None or obj.get("object") != obj_type:
            raise invalid("No such %s: '%s'" % (kind or obj_type, obj_id), param=name,
                          code="resource_missing")
        pos = bisect.bisect_left(keys, key)
        present = pos < len(keys) and index.ids[pos] == obj_id
        if exact and not present:
            raise invalid("No such %s: '%s'" % (kind or obj_type, obj_id), param=name,
                          code="resource_missing")
        return pos, present

    found = []
    if before:
        # walk towards newer objects, then present the page newest first
        pos, present = cursor_pos("ending_before", before)
        i = max(pos + (1 if present else 0), lo)
        while i < hi and len(found) <= limit:
            obj = store.objects[index.ids[i]]
            if predicate is None or predicate(obj):
                found.append(obj)
            i += 1
        has_more = len(found) > limit
        found = found[:limit]
        found.reverse()
    else:
        i = (min(cursor_pos("starting_after", after)[0], hi) if after else hi) - 1
        while i >= lo and len(found) <= limit:
            obj = store.objects[index.ids[i]]
            if predicate is None or predicate(obj):
                found.append(obj)
            i -= 1
        has_more = len(found) > limit
        found = found[:limit]
    return {"object": "list", "data": [render(o) for o in found], "has_more": has_more, "url": url}
