/* Sending money-moving Stripe calls through the outbox, and resolving what a
 * crash or a lost answer left behind. Runs on a worker thread (network). */
#ifndef PAYDESK_OUTBOX_RUNNER_H
#define PAYDESK_OUTBOX_RUNNER_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"
#include "paydesk/outbox.h"
#include "paydesk/stripe_client.h"

/* Keys older than this may have been pruned by Stripe (kept ≥ 24 h): such
 * a row is never re-sent automatically, since a re-send could run twice. */
#define OUTBOX_RESEND_MAX_AGE (23 * 3600)

/* The metadata a create that recovery may have to look up (a refund, a
 * subscription) carries: its own Idempotency-Key. Past
 * OUTBOX_RESEND_MAX_AGE such a row is settled by finding the object that
 * carries it, never by a re-send. */
#define OUTBOX_MARKER_KEY "paydesk_idempotency_key"
#define OUTBOX_MARKER "metadata[" OUTBOX_MARKER_KEY "]"

/* What every command that ends with an unknown outcome tells the person. */
#define OUTBOX_UNKNOWN_WORDS                                                                       \
	"outcome unknown: Stripe may have done it. Run `paydesk recover` (the desk does it at "    \
	"its next start) once Stripe answers: it finishes this call with its own key, so "         \
	"nothing will be charged twice"

/* One money-moving call. */
struct outbox_call {
	enum stripe_method method; /* POST, or DELETE (subscription cancel) */
	const char *path;
	const struct stripe_params *params; /* must not hold secrets */
	const char *account;                /* Stripe-Account, or NULL */
};

/* Commit call to the outbox with a fresh Idempotency-Key, send it, commit
 * its outcome. *id is the outbox row (0 if it could not be written, and then
 * nothing was sent); *state what the row now says; resp as from
 * stripe_client_send (clear it after). Returns 0 when the row is done. */
int outbox_send(sqlite3 *db, struct stripe_client *c, const char *key,
                const struct outbox_call *call, const atomic_bool *cancel, int64_t *id,
                enum outbox_state *state, struct stripe_response *resp, struct pd_error *err);

/* Re-send row id with its own key and parameters (Stripe answers a call
 * that already ran with its first result) and commit the outcome. A done or
 * failed row is left alone (PD_OK, *state its state); a row older than
 * OUTBOX_RESEND_MAX_AGE is never sent: a marked create is settled by looking
 * its object up (done when found, failed when Stripe holds none), any other
 * stays unknown (PD_ERR_USAGE). */
int outbox_resend(sqlite3 *db, struct stripe_client *c, const char *key, int64_t id,
                  const atomic_bool *cancel, enum outbox_state *state, struct stripe_response *resp,
                  struct pd_error *err);

/* What outbox_recover did with one row, to tell the user. */
struct outbox_resolution {
	int64_t id;
	char *method, *path;
	enum outbox_state before, after;
	char *object_id; /* on done */
	char *message;   /* one line: the result or why it is still open */
};

/* At start-up: resend every pending, sent or unknown row, oldest first.
 * *list (free with outbox_resolutions_free) has one entry per row looked at;
 * rows that stay open say why. Returns 0 unless the store failed. */
int outbox_recover(sqlite3 *db, struct stripe_client *c, const char *key, const atomic_bool *cancel,
                   struct outbox_resolution **list, size_t *n, struct pd_error *err);

void outbox_resolutions_free(struct outbox_resolution **list, size_t n);

#endif
