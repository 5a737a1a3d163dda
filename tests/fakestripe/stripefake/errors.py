"""Stripe-shaped errors. Handlers raise StripeError; the server turns it into a response."""

DOC_BASE = "https://stripe.com/docs/error-codes/"


class StripeError(Exception):
    def __init__(self, status, type_, message, param=None, code=None, headers=None, **extra):
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.param = param
        self.code = code
        self.headers = headers or {}
        self.extra = extra          # decline_code, charge, payment_intent, payment_method, ...

    def body(self, request_id=None):
        err = {"type": self.type, "message": self.message}
        if self.code:
            err["code"] = self.code
            err["doc_url"] = DOC_BASE + self.code.replace("_", "-")
        if self.param is not None:
            err["param"] = self.param
        for k, v in self.extra.items():
            if v is not None:
                err[k] = v
        if request_id:
            err["request_log_url"] = ("https://dashboard.stripe.com/test/logs/%s?t=0" % request_id)
        return {"error": err}


def invalid(message, param=None, code=None, status=400):
    return StripeError(status, "invalid_request_error", message, param=param, code=code)


def not_found(kind, obj_id, param="id"):
    return StripeError(404, "invalid_request_error", "No such %s: '%s'" % (kind, obj_id),
                       param=param, code="resource_missing")


def unrecognized_url(method, path):
    return StripeError(404, "invalid_request_error",
                       "Unrecognized request URL (%s: %s). Please see https://stripe.com/docs "
                       "or we can help at https://support.stripe.com/." % (method, path))


def api_error(status=500, message=None):
    return StripeError(status, "api_error", message or
                       "An unknown error occurred while processing your request. "
                       "Please try again; if the problem persists contact support.")
