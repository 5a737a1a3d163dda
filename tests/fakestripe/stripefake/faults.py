"""Fault injection rules, switchable per test.

kinds:
  latency         sleep `ms` before executing
  error           answer `status` (default 500) with an api_error body
  rate_limit      answer 429 with Retry-After: `retry_after`
  drop            close the connection without any response
  malformed_json  answer 200-ish status with a body that is not valid JSON
  truncated       announce the full Content-Length, send half the body, close
`error`/`rate_limit` do not execute the request unless `execute: true`; `drop`, `malformed_json`
and `truncated` execute it first (effects committed, response lost) unless `execute: false`.
Each rule may be limited to a `method`, a `path_prefix` and a `count` of matching requests.
"""
import itertools
import threading

KINDS = ("latency", "error", "rate_limit", "drop", "malformed_json", "truncated")
EXECUTES_BY_DEFAULT = {"drop", "malformed_json", "truncated"}


class Fault:
    _ids = itertools.count(1)

    def __init__(self, kind, method=None, path_prefix=None, count=None, ms=0, status=None,
                 retry_after=1, should_retry=None, execute=None, message=None):
        if kind not in KINDS:
            raise ValueError("kind must be one of %s" % ", ".join(KINDS))
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ValueError("count must be a positive integer or null (unlimited)")
        self.id = "fault_%d" % next(Fault._ids)
        self.kind = kind
        self.method = method.upper() if method else None
        self.path_prefix = path_prefix
        self.remaining = count
        self.ms = int(ms or 0)
        self.status = int(status) if status else {"rate_limit": 429, "error": 500}.get(kind, 200)
        self.retry_after = retry_after
        self.should_retry = should_retry
        self.execute = (kind in EXECUTES_BY_DEFAULT) if execute is None else bool(execute)
        self.message = message
        self.fired = 0

    def matches(self, method, path):
        return ((self.method is None or self.method == method) and
                (self.path_prefix is None or path.startswith(self.path_prefix)))

    def describe(self):
        return {"id": self.id, "kind": self.kind, "method": self.method,
                "path_prefix": self.path_prefix, "remaining": self.remaining, "ms": self.ms,
                "status": self.status, "retry_after": self.retry_after,
                "should_retry": self.should_retry, "execute": self.execute, "fired": self.fired}


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    def add(self, **kw):
        fault = Fault(**kw)
        with self.lock:
            self.rules.append(fault)
        return fault

    def clear(self):
        with self.lock:
            self.rules = []

    def remove(self, fault_id):
        with self.lock:
            before = len(self.rules)
            self.rules = [f for f in self.rules if f.id != fault_id]
            return len(self.rules) != before

    def _consume(self, fault):
        fault.fired += 1
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self.rules.remove(fault)

    def take_latency(self, method, path):
        """Total delay in ms from every matching latency rule (each consumes one use)."""
        total = 0
        with self.lock:
            for f in [f for f in self.rules if f.kind == "latency" and f.matches(method, path)]:
                total += f.ms
                self._consume(f)
        return total

    def take_action(self, method, path):
        """The first matching non-latency rule, consumed, or None."""
        with self.lock:
            for f in self.rules:
                if f.kind != "latency" and f.matches(method, path):
                    self._consume(f)
                    return f
        return None

    def list(self):
        with self.lock:
            return [f.describe() for f in self.rules]
