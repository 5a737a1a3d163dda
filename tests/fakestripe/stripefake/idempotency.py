"""Idempotency-Key handling for POST requests.

Saved: the status and exact body bytes of every request that reached execution (200, 402, 4xx
raised by a handler). Not saved: validation failures and requests refused before execution, so
retrying those with the same key runs them again. Keys are scoped per (account, mode) and expire
after 24 hours of fake-clock time.
"""
import json
import threading

TTL = 24 * 3600
MAX_KEY = 255


class Saved:
    def __init__(self, fingerprint, endpoint, status, body, request_id, created):
        self.fingerprint = fingerprint
        self.endpoint = endpoint
        self.status = status
        self.body = body
        self.request_id = request_id
        self.created = created


def _canonical(value):
    if isinstance(value, dict):
        if value and all(k.isdigit() for k in value):
            return [_canonical(value[k]) for k in sorted(value, key=int)]
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def fingerprint(method, path, params):
    # Parameters, not raw bytes: expand[]=x and expand[0]=x are the same request.
    return "%s %s %s" % (method, path, json.dumps(_canonical(params), sort_keys=True,
                                                   separators=(",", ":")))


class IdempotencyStore:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.saved = {}        # scope -> Saved
            self.in_flight = set()

    def begin(self, scope, endpoint, fp, now):
        """Returns ("replay", Saved) | ("conflict", Saved) | ("in_flight", None) | ("new", None)."""
        with self.lock:
            saved = self.saved.get(scope)
            if saved is not None and now - saved.created > TTL:
                del self.saved[scope]
                saved = None
            if saved is not None:
                return ("replay" if saved.fingerprint == fp else "conflict"), saved
            if scope in self.in_flight:
                return "in_flight", None
            self.in_flight.add(scope)
            return "new", None

    def finish(self, scope, saved):
        with self.lock:
            self.in_flight.discard(scope)
            if saved is not None:
                self.saved[scope] = saved

    def count(self):
        with self.lock:
            return len(self.saved)
