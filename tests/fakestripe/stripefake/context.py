"""Per-request context handed to resource handlers."""
from .ids import new_id
from .store import clone


class Ctx:
    def __init__(self, app, store, now, request_id=None, idempotency_key=None, params=None,
                 path_params=None, key_info=None, url=None):
        self.app = app
        self.store = store
        self.now = now
        self.request_id = request_id
        self.idempotency_key = idempotency_key
        self.params = params or {}
        self.path_params = path_params or {}
        self.key_info = key_info
        self.url = url
        self.rng = None             # seeds set a random.Random so generated ids repeat
        self.emit_events = True

    @property
    def livemode(self):
        return self.store.livemode

    @property
    def account_id(self):
        return self.store.account_id

    def new_id(self, prefix):
        return new_id(prefix, rng=self.rng)

    def render(self, obj):
        return clone(obj)

    def complete(self, obj):
        """Make sure every field the spec marks required is present (null if not applicable)."""
        for field in self.app.spec.required_fields(obj["object"]):
            obj.setdefault(field, None)
        return obj

    def event(self, type_, obj, previous_attributes=None):
        if not self.emit_events:
            return None
        data = {"object": clone(obj)}
        if previous_attributes is not None:
            data["previous_attributes"] = previous_attributes
        evt = {
            "id": self.new_id("evt_"), "object": "event",
            "account": self.account_id if self.account_id != self.app.platform_account else None,
            "api_version": self.app.api_version, "created": self.now, "data": data,
            "livemode": self.livemode, "pending_webhooks": 0,
            "request": {"id": self.request_id, "idempotency_key": self.idempotency_key},
            "type": type_,
        }
        if evt["account"] is None:
            del evt["account"]
        self.store.insert(evt)
        return evt
