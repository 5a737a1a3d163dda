"""Log of every API request received, for tests that assert what the client sent."""
import itertools
import threading


class RequestLog:
    def __init__(self, limit=10000):
        self.lock = threading.Lock()
        self.limit = limit
        self.entries = []
        self._seq = itertools.count(1)

    def add(self, entry):
        with self.lock:
            entry["seq"] = next(self._seq)
            self.entries.append(entry)
            if len(self.entries) > self.limit:
                del self.entries[: len(self.entries) - self.limit]

    def query(self, method=None, path_prefix=None, since=0):
        with self.lock:
            return [e for e in self.entries
                    if e["seq"] > since and (not method or e["method"] == method.upper())
                    and (not path_prefix or e["path"].startswith(path_prefix))]

    def clear(self):
        with self.lock:
            self.entries = []
