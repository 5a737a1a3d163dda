/* The outbox table: money-moving Stripe calls, committed with their
 * Idempotency-Key and parameters before they are sent and with their outcome
 * after, so none is ever forgotten or sent twice under two keys. */
#ifndef PAYDESK_OUTBOX_H
#define PAYDESK_OUTBOX_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

enum outbox_state {
	OUTBOX_PENDING, /* committed, not sent yet */
	OUTBOX_SENT,    /* a send is under way (or was, when paydesk died) */
	OUTBOX_DONE,    /* Stripe answered 2xx: object_id holds the result */
	OUTBOX_FAILED,  /* Stripe refused it (decline, bad request), or cancelled unsent */
	OUTBOX_UNKNOWN, /* may or may not have run: must be re-sent with the same key */
};

struct outbox_row {
	int64_t id;
	char *idempotency_key;
	char *method; /* "POST" or "DELETE" */
	char *path;
	char *params;         /* form-encoded, never a secret */
	char *stripe_account; /* or NULL */
	enum outbox_state state;
	int attempts;
	long http_status;                                             /* 0 when none */
	char *request_id, *object_id, *object_status;                 /* or NULL */
	char *error_type, *error_code, *decline_code, *error_message; /* or NULL */
	int64_t created_at, updated_at;                               /* unix seconds */
};

/* An outcome to record; NULL strings are stored as NULL. */
struct outbox_result {
	enum outbox_state state;
	int attempts; /* added to the row's count */
	long http_status;
	const char *request_id, *object_id, *object_status;
	const char *error_type, *error_code, *decline_code, *error_message;
};

/* Commit a new pending row. PD_ERR_EXISTS when the key is already used;
 * PD_ERR_USAGE when params look like they hold a secret key. */
int outbox_insert(sqlite3 *db, const char *idempotency_key, const char *method, const char *path,
                  const char *params, const char *stripe_account, int64_t *id,
                  struct pd_error *err);

/* Mark the row sent: committed before the request goes out. */
int outbox_mark_sent(sqlite3 *db, int64_t id, struct pd_error *err);

/* Commit the outcome of a send. */
int outbox_record(sqlite3 *db, int64_t id, const struct outbox_result *r, struct pd_error *err);

/* Read one row (PD_ERR_NOT_FOUND when absent); clear it with outbox_row_clear. */
int outbox_get(sqlite3 *db, int64_t id, struct outbox_row *out, struct pd_error *err);

/* Rows still pending, sent or unknown, oldest first: an array of *n rows
 * for outbox_rows_free (NULL when none). */
int outbox_list_unresolved(sqlite3 *db, struct outbox_row **rows, size_t *n, struct pd_error *err);

/* The newest row for path created at or after since (unix seconds) whose
 * params hold pair, a whole "key=value" as sent ("metadata[appointment_id]=7";
 * NULL: any). PD_ERR_NOT_FOUND when none. */
int outbox_find_latest(sqlite3 *db, const char *path, const char *pair, int64_t since,
                       struct outbox_row *out, struct pd_error *err);
/* The same, passing over rows whose params hold except_key at all (such as
 * "metadata[fee_id]": a fee's call is not the visit's payment). */
int outbox_find_latest_except(sqlite3 *db, const char *path, const char *pair,
                              const char *except_key, int64_t since, struct outbox_row *out,
                              struct pd_error *err);

/* Sum of the integer parameter key over the done rows for path holding pair
 * (refunds of one PaymentIntent: "/v1/refunds", "payment_intent=pi_…", "amount"). */
int outbox_sum_done(sqlite3 *db, const char *path, const char *pair, const char *key,
                    int64_t *sum, struct pd_error *err);

/* Every row whose path matches path_glob (SQLite GLOB: "/v1/subscriptions/\*"),
 * updated at or after since, and whose params hold each of pairs (whole
 * "key=value"s, NULL-terminated; NULL: any), oldest first: an array of *n
 * rows for outbox_rows_free (NULL when none). */
int outbox_list_for(sqlite3 *db, const char *path_glob, const char *const *pairs, int64_t since,
                    struct outbox_row **rows, size_t *n, struct pd_error *err);

/* The value of key in form-encoded params as sent (percent-decoding is not
 * needed for the ids and numbers paydesk reads back), or NULL; heap. */
char *outbox_param(const char *params, const char *key);

void outbox_row_clear(struct outbox_row *row);
void outbox_rows_free(struct outbox_row **rows, size_t n);

/* "pending", "sent", "done", "failed", "unknown"; parse returns -1 when unknown. */
const char *outbox_state_name(enum outbox_state s);
int outbox_state_parse(const char *name, enum outbox_state *out);

#endif
