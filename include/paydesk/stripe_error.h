/* Stripe's answer when a call fails: the HTTP status, the fields of the
 * body's "error" object and the Request-Id, in one struct. */
#ifndef PAYDESK_STRIPE_ERROR_H
#define PAYDESK_STRIPE_ERROR_H

#include <stddef.h>

#include "paydesk/error.h"

struct stripe_error {
	long http_status;   /* 0 when no HTTP response arrived */
	char *type;         /* "card_error", "invalid_request_error", … or NULL */
	char *code;         /* "card_declined", "resource_missing", … or NULL */
	char *decline_code; /* issuer reason for card_declined, or NULL */
	char *param;        /* the parameter at fault, or NULL */
	char *message;      /* human-readable, safe to show; never NULL after parse */
	char *request_id;   /* "req_…" from the Request-Id header, or NULL */
};

/* Fill e (cleared first) from an error response: body of len bytes (need not
 * be NUL-terminated), its HTTP status and Request-Id (may be NULL).
 * Returns 0 when the body held a Stripe error object; PD_ERR when it is not
 * JSON, is truncated, or has no usable "error" — e->message then says so,
 * and an "error" that is a bare string (OAuth style) becomes the message. */
int stripe_error_parse(struct stripe_error *e, long http_status, const char *body, size_t len,
                       const char *request_id);

/* Set e (cleared first) to a locally detected problem: status 0, no type. */
void stripe_error_set_local(struct stripe_error *e, const char *request_id, const char *message);

/* One line for the user and the log: "card declined (insufficient_funds):
 * Your card has insufficient funds. [HTTP 402, req_…]". */
void stripe_error_format(const struct stripe_error *e, char *buf, size_t size);

/* Free the strings and zero e. */
void stripe_error_clear(struct stripe_error *e);

#endif
