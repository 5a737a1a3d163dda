"""Resource handlers. Each module registers its endpoints with @route(METHOD, spec path).

A handler takes a Ctx (validated params in ctx.params, path values in ctx.path_params) and
returns the rendered response dict, or raises StripeError.
"""
import importlib

HANDLERS = {}

MODULES = ("account", "customers", "payment_methods", "payment_intents", "charges", "refunds",
           "balance", "events", "products", "setup_intents", "checkout", "terminal", "billing", "subscriptions",
           "invoices", "test_clocks", "search", "sources_tokens", "disputes", "payouts",
           "placeholders")


def route(method, spec_path):
    def deco(fn):
        HANDLERS[(method, spec_path)] = fn
        return fn
    return deco


def load_all(spec):
    for name in MODULES:
        importlib.import_module(__name__ + "." + name)
    missing = [k for k in HANDLERS if spec.operation(*k) is None]
    if missing:
        raise RuntimeError("handlers for paths not in the spec: %r" % missing)
    return HANDLERS
