"""In-memory object store, one per (account, livemode).

Objects are plain dicts in their API shape; keys starting with "_" are internal state that is
never rendered. Each object type keeps its ids sorted by (created, seq) so that lists, cursors and
`created` ranges are binary searches rather than scans, which keeps 100k-object histories fast.
"""
import bisect
import itertools
import threading


def clone(value):
    """Deep copy of JSON-like data, dropping internal "_" keys. Much faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items() if not (isinstance(k, str) and k.startswith("_"))}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


class TypeIndex:
    """Ids of one object type, ascending by (created, seq)."""

    def __init__(self):
        self.keys = []
        self.ids = []

    def add(self, key, obj_id):
        if not self.keys or key >= self.keys[-1]:
            self.keys.append(key)           # the common case: objects arrive in time order
            self.ids.append(obj_id)
        else:
            i = bisect.bisect_left(self.keys, key)
            self.keys.insert(i, key)
            self.ids.insert(i, obj_id)

    def position(self, key):
        i = bisect.bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            return i
        return None

    def remove(self, key):
        i = self.position(key)
        if i is not None:
            del self.keys[i]
            del self.ids[i]

    def __len__(self):
        return len(self.ids)


class Store:
    _seq = itertools.count(1)      # shared so ties break the same way across stores

    def __init__(self, account_id, livemode=False):
        self.account_id = account_id
        self.livemode = livemode
        self.objects = {}            # id -> object dict
        self.keys = {}               # id -> (created, seq)
        self.types = {}              # object type -> TypeIndex
        self.lock = threading.RLock()

    def insert(self, obj):
        key = (obj["created"], next(Store._seq))
        self.objects[obj["id"]] = obj
        self.keys[obj["id"]] = key
        self.types.setdefault(obj["object"], TypeIndex()).add(key, obj["id"])
        return obj

    def get(self, obj_id, obj_type=None):
        obj = self.objects.get(obj_id)
        if obj is None or (obj_type and obj.get("object") != obj_type):
            return None
        return obj

    def unlist(self, obj_id):
        """Remove from lists (e.g. a deleted customer) while keeping it retrievable."""
        obj = self.objects.get(obj_id)
        if obj is not None and obj_id in self.keys:
            self.types[obj["object"]].remove(self.keys.pop(obj_id))

    def index(self, obj_type):
        return self.types.setdefault(obj_type, TypeIndex())

    def key_of(self, obj_id):
        return self.keys.get(obj_id)

    def counts(self):
        return {t: len(ix) for t, ix in self.types.items()}
