/* When to try a Stripe call again and how long to wait first. Pure logic:
 * the HTTP layer reports each attempt, this decides; tests drive it with
 * fixed jitter and no sleeping. */
#ifndef PAYDESK_STRIPE_RETRY_H
#define PAYDESK_STRIPE_RETRY_H

#include <stdbool.h>

struct stripe_retry_policy {
	int max_retries;        /* attempts after the first (config stripe.max_retries) */
	double base_delay;      /* seconds before the first retry, doubled each time */
	double max_delay;       /* ceiling of the doubling */
	double retry_after_cap; /* a longer Retry-After is cut to this */
};

/* 0.5 s doubling to 8 s, Retry-After honoured up to 60 s. */
struct stripe_retry_policy stripe_retry_policy_default(int max_retries);

enum stripe_transport {
	STRIPE_NET_OK,        /* an HTTP response arrived */
	STRIPE_NET_TRANSIENT, /* connect failure, timeout, reset: outcome unknown, retryable */
	STRIPE_NET_FATAL, /* TLS verification, bad URL, oversized body…: retrying won't help */
};

/* What one attempt produced. */
struct stripe_attempt {
	enum stripe_transport transport;
	long http_status;   /* meaningful when transport is STRIPE_NET_OK */
	int should_retry;   /* Stripe-Should-Retry: 1 true, 0 false, -1 absent */
	double retry_after; /* Retry-After in seconds, negative when absent */
};

/* Whether to try again after attempts_made attempts (1 after the first), and
 * if so the delay in seconds. jitter in [0, 1] (random in production).
 * Retries connection errors and timeouts, and HTTP 409, 429, 500, 502, 503,
 * 504; Stripe-Should-Retry true/false overrides the status rule; never more
 * than max_retries retries; a 2xx is never retried. */
bool stripe_retry_decide(const struct stripe_retry_policy *p, const struct stripe_attempt *a,
                         int attempts_made, double jitter, double *delay);

/* Delay before retry number retry (1-based): min(base·2^(retry−1), max)
 * scaled by a jitter factor in [0.5, 1], never below base. */
double stripe_retry_backoff(const struct stripe_retry_policy *p, int retry, double jitter);

/* Header parsers: "true"/"false" (case-insensitive) → 1/0, else -1;
 * Retry-After as non-negative whole seconds, else -1. NULL → absent. */
int stripe_retry_parse_should_retry(const char *value);
double stripe_retry_parse_retry_after(const char *value);

#endif
