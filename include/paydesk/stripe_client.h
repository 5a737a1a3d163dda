/* The Stripe API over HTTPS (libcurl): one client per thread, keeping its
 * connection open between calls; retries with backoff and one
 * Idempotency-Key per logical POST; every response's Request-Id kept.
 *
 * TLS verification is always on. The secret key is handed in per request
 * (it lives in guarded memory opened from the vault); the client copies it
 * only into the request's header, which is zeroed when the call returns. */
#ifndef PAYDESK_STRIPE_CLIENT_H
#define PAYDESK_STRIPE_CLIENT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "paydesk/config.h"
#include "paydesk/error.h"
#include "paydesk/stripe_error.h"
#include "paydesk/stripe_params.h"
#include "paydesk/stripe_retry.h"

/* The API version every request pins (the wire format our parsers expect). */
#define STRIPE_API_VERSION "2022-11-15"
/* Larger response bodies are refused as an error, never buffered. */
#define STRIPE_BODY_MAX ((size_t)16 << 20)
/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" plus NUL. */
#define STRIPE_IDEMPOTENCY_KEY_SIZE 37

/* Waits between retries. Must return early once *cancel becomes true
 * (cancel may be NULL). Tests inject one that records instead of sleeping. */
typedef void (*stripe_sleep_fn)(void *ctx, double seconds, const atomic_bool *cancel);

struct stripe_client_opts {
	const char *api_base; /* validated by api_base_check; copied */
	long connect_timeout; /* seconds */
	long timeout;         /* seconds for a whole attempt */
	struct stripe_retry_policy retry;
	stripe_sleep_fn sleep; /* NULL: the real, cancellable sleep */
	void *sleep_ctx;
};

/* Options from the config: api_base, stripe.connect_timeout, stripe.timeout,
 * stripe.max_retries with the default backoff. Points into cfg. */
void stripe_client_opts_from_config(struct stripe_client_opts *o, const struct config *cfg);

enum stripe_method { STRIPE_GET, STRIPE_POST, STRIPE_DELETE };

struct stripe_request {
	enum stripe_method method;
	const char *path;                   /* "/v1/payment_intents/pi_123/confirm" */
	const struct stripe_params *params; /* NULL for none; query string for GET/DELETE */
	const char *body;                   /* pre-encoded params instead (outbox re-sends) */
	const char *key;                    /* secret or restricted key; never logged */
	const char *account;                /* Stripe-Account (connected acct_…), or NULL */
	const char *idempotency_key;        /* POST only; NULL: a fresh one for this call */
	bool via_outbox;                    /* money-moving POSTs are refused without it */
	const atomic_bool *cancel;          /* set from another thread to abort; may be NULL */
	bool raw_body; /* OK: the body is handed over unparsed (body, body_len), json is NULL */
};

enum stripe_outcome {
	STRIPE_OUTCOME_OK,        /* 2xx with a JSON object in json */
	STRIPE_OUTCOME_API_ERROR, /* Stripe answered an error: see error */
	STRIPE_OUTCOME_NETWORK,   /* no answer after the last attempt (outcome unknown) */
	STRIPE_OUTCOME_BAD_BODY,  /* an answer whose body is malformed, truncated or too big */
	STRIPE_OUTCOME_CANCELLED, /* aborted through cancel */
	STRIPE_OUTCOME_REFUSED,   /* not sent: bad request from the caller */
};

struct stripe_response {
	enum stripe_outcome outcome;
	long http_status;          /* of the last answer, 0 when none */
	char *request_id;          /* Request-Id of the last answer, or NULL */
	json_t *json;              /* OUTCOME_OK: the parsed object (owned) */
	char *body;                /* OUTCOME_OK with raw_body: the body as received (owned) */
	size_t body_len;
	struct stripe_error error; /* every outcome but OK: what went wrong */
	int attempts;              /* requests made (1 + retries) */
	bool replayed;             /* Stripe said Idempotent-Replayed: true */
	bool maybe_executed; /* a POST may have reached Stripe: never re-send with a new key */
	double waited;       /* seconds of backoff asked of the sleep function */
	char idempotency_key[STRIPE_IDEMPOTENCY_KEY_SIZE]; /* the key sent ("" for GET) */
};

struct stripe_client;

/* A client for one thread. Initialises libcurl and libsodium once per process.
 * PD_ERR_USAGE when opts->api_base fails api_base_check (plain http is only
 * allowed to this machine). */
int stripe_client_new(const struct stripe_client_opts *opts, struct stripe_client **out,
                      struct pd_error *err);

/* Close its connection, free it and NULL *c. */
void stripe_client_free(struct stripe_client **c);

/* Run one logical call, retrying per the policy with the same
 * Idempotency-Key. resp (cleared first; free with stripe_response_clear) is
 * always filled. Returns 0 for OUTCOME_OK, else PD_ERR with err->msg one
 * line for the user (PD_ERR_USAGE for OUTCOME_REFUSED). */
int stripe_client_send(struct stripe_client *c, const struct stripe_request *req,
                       struct stripe_response *resp, struct pd_error *err);

/* Free what a response holds and zero it. */
void stripe_response_clear(struct stripe_response *resp);

/* A fresh random UUIDv4 for an Idempotency-Key. */
void stripe_idempotency_key_new(char out[STRIPE_IDEMPOTENCY_KEY_SIZE]);

/* Whether a POST to path moves money (payment intent create/confirm/capture/
 * cancel, refunds, checkout sessions, subscriptions): those must go through
 * the outbox so a crash can never lose or double them. */
bool stripe_path_moves_money(enum stripe_method method, const char *path);

/* "GET", "POST", "DELETE"; and back (PD_ERR_USAGE for anything else). */
const char *stripe_method_name(enum stripe_method m);
int stripe_method_parse(const char *name, enum stripe_method *out);

#endif
