"""API keys: parsing the Authorization header, the key registry, restricted-key permissions."""
import base64
import binascii
import re
import threading

from .errors import StripeError

_KEY = re.compile(r"^(sk|rk|pk)_(test|live)_[A-Za-z0-9_]+$")
_PREFIX = re.compile(r"^(sk|rk|pk)_(test|live)_")
LEVELS = {"none": 0, "read": 1, "write": 2}

# First path segment(s) after /v1 -> (resource name used in permissions, rak_ token stem).
RESOURCES = {
    "account": ("account", "account"),
    "accounts": ("connect", "connected_account"),
    "account_links": ("connect", "connected_account"),
    "customers": ("customers", "customer"),
    "payment_methods": ("payment_methods", "payment_method"),
    "payment_intents": ("payment_intents", "payment_intent"),
    "setup_intents": ("setup_intents", "setup_intent"),
    "checkout": ("checkout_sessions", "checkout_session"),
    "payment_links": ("payment_links", "payment_link"),
    "charges": ("charges", "charge"),
    "refunds": ("refunds", "refund"),
    "disputes": ("disputes", "dispute"),
    "products": ("products", "product"),
    "prices": ("prices", "price"),
    "subscriptions": ("subscriptions", "subscription"),
    "invoices": ("invoices", "invoice"),
    "balance_transactions": ("balance_transactions", "balance_transaction"),
    "balance": ("balance", "balance"),
    "payouts": ("payouts", "payout"),
    "events": ("events", "event"),
    "terminal": ("terminal_readers", "terminal_reader"),
    "sources": ("sources", "source"),
    "tokens": ("tokens", "token"),
    "test_clocks": ("test_clocks", "test_clock"),
}
# Sub-resources whose permission is not the one of their first segment.
OVERRIDES = {
    "/v1/customers/{customer}/payment_methods": "payment_methods",
    "/v1/terminal/locations": "terminal_locations",
    "/v1/terminal/locations/{location}": "terminal_locations",
}
RAK = {res: rak for res, rak in RESOURCES.values()}
RAK["terminal_locations"] = "terminal_location"
# Every permission name a registered key may be given (README "Restricted keys").
PERMISSIONS = sorted(RAK)


def resource_for(spec_path):
    if spec_path in OVERRIDES:
        return OVERRIDES[spec_path]
    segs = [s for s in spec_path.split("/")[2:] if s]
    if segs and segs[0] == "test_helpers":
        segs = segs[1:]
    if not segs or segs[0] not in RESOURCES:
        return None
    return RESOURCES[segs[0]][0]


def mask(key):
    m = _PREFIX.match(key)
    prefix = m.group(0) if m else ""
    rest = key[len(prefix):]
    return prefix + "*" * max(4, len(rest) - 4) + rest[-4:]


class KeyInfo:
    def __init__(self, key, account, permissions=None, default=None, revoked=False, expired=False,
                 registered=True):
        m = _KEY.match(key)
        self.key = key
        self.kind = {"sk": "secret", "rk": "restricted", "pk": "publishable"}[m.group(1)]
        self.livemode = m.group(2) == "live"
        self.account = account
        self.permissions = dict(permissions or {})
        # unlisted resources: full access for secret keys, none for restricted keys
        self.default = default or ("write" if self.kind == "secret" else "none")
        self.revoked = revoked
        self.expired = expired
        self.registered = registered    # unregistered test keys get every permission

    def level(self, resource):
        if not self.registered or (self.kind == "secret" and not self.permissions):
            return LEVELS["write"]
        if resource == "account" and self.kind == "restricted":
            # Stripe offers restricted keys no permission for GET /v1/account unless granted here
            return LEVELS[self.permissions.get("account", "none")]
        return LEVELS[self.permissions.get(resource, self.default)]

    def describe(self):
        return {"mode": "live" if self.livemode else "test", "type": self.kind,
                "last4": self.key[-4:], "account": self.account}


def _err401(message, code=None):
    return StripeError(401, "invalid_request_error", message, code=code)


MISSING_KEY = ("You did not provide an API key. You need to provide your API key in the "
               "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
               "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
               "or we can help at https://support.stripe.com/.")


def key_from_header(value):
    """Returns the key string ('' when absent). Accepts Bearer and Basic (key as username)."""
    if not value or not value.strip():
        return ""
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer":
        return token
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(token, validate=True).decode("utf-8")
            return decoded.split(":", 1)[0]
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return token            # the spec also allows a raw key after "Basic"
    return value.strip()


class KeyRegistry:
    def __init__(self, platform_account):
        self.platform_account = platform_account
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.keys = {}
            self.accept_any_test_key = True

    def register(self, key, account=None, permissions=None, default=None, revoked=False,
                 expired=False):
        if not _KEY.match(key or ""):
            raise ValueError("key must look like sk_test_..., rk_test_..., sk_live_..., ...")
        for res, level in (permissions or {}).items():
            if res not in RAK:
                raise ValueError("unknown permission %r (known: %s)" % (res, ", ".join(PERMISSIONS)))
            if level not in LEVELS:
                raise ValueError("permission for %s must be none, read or write" % res)
        info = KeyInfo(key, account or self.platform_account, permissions, default, revoked, expired)
        with self.lock:
            self.keys[key] = info
        return info

    def resolve(self, key):
        """KeyInfo for a usable key, or raise the 401 Stripe would send."""
        if not key:
            raise _err401(MISSING_KEY)
        with self.lock:
            info = self.keys.get(key)
        if info is None:
            m = _KEY.match(key)
            if m and m.group(1) == "pk":
                info = KeyInfo(key, self.platform_account)
            elif m and m.group(2) == "test" and self.accept_any_test_key:
                info = KeyInfo(key, self.platform_account, registered=False)
            else:
                raise _err401("Invalid API Key provided: %s" % mask(key))
        if info.kind == "publishable":
            raise _err401("This API call cannot be made with a publishable API key. Please use a "
                          "secret API key. You can find a list of your API keys at "
                          "https://dashboard.stripe.com/account/apikeys.", code="secret_key_required")
        if info.revoked:
            raise _err401("Invalid API Key provided: %s" % mask(key))
        if info.expired:
            raise _err401("Expired API Key provided: %s. Create a new API key in the Dashboard."
                          % mask(key), code="api_key_expired")
        return info

    def check_permission(self, info, resource, write, account_id):
        if resource is None:
            return
        need = LEVELS["write" if write else "read"]
        if info.level(resource) >= need:
            return
        lead = ("The provided key '%s' does not have the required permissions for this endpoint "
                "on account '%s'. " % (mask(info.key), account_id))
        if resource == "account":
            tail = ("This is a restricted API key, but the required permissions are not available "
                    "for use by restricted keys.")
        else:
            tail = ("Having the 'rak_%s_%s' permission would allow this request to continue."
                    % (RAK[resource], "write" if write else "read"))
        raise StripeError(403, "invalid_request_error", lead + tail)

    def list(self):
        with self.lock:
            return [dict(k.describe(), key_masked=mask(k.key), permissions=k.permissions,
                         default=k.default) for k in self.keys.values()]
