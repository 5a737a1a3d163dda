/* The audit log: every money and settings action, append-only, each entry
 * chained to the previous one by a BLAKE2b hash so an edit or a deletion
 * inside the log is detected. */
#ifndef PAYDESK_AUDIT_H
#define PAYDESK_AUDIT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

struct audit_entry {
	const char *actor;     /* user name, or "system" */
	const char *action;    /* short verb phrase: "vault.create", "payment.refund" */
	const char *detail;    /* free text for people; may be NULL */
	bool has_amount;
	int64_t amount;        /* minor units, when has_amount */
	const char *currency;  /* lowercase ISO code, or NULL */
	const char *object_id; /* Stripe or local id, or NULL */
};

/* Append e (inside the caller's transaction, if one is open). */
int audit_append(sqlite3 *db, const struct audit_entry *e, struct pd_error *err);

/* Which entries audit_each returns: all fields optional (0 / NULL). */
struct audit_filter {
	int64_t since_ms, until_ms; /* [since, until) in unix milliseconds */
	const char *actor;          /* exact user name */
	const char *action;         /* prefix: "payment." matches payment.refund… */
};

/* One stored entry, as audit_each hands it over (valid during the call). */
struct audit_row {
	int64_t id, at_ms;
	struct audit_entry e;
};

/* Call fn for each entry matching f, oldest first. */
int audit_each(sqlite3 *db, const struct audit_filter *f,
	       void (*fn)(void *ctx, const struct audit_row *row), void *ctx,
	       struct pd_error *err);

/* How many entries match f. */
int audit_count(sqlite3 *db, const struct audit_filter *f, int64_t *count, struct pd_error *err);

/* Keyset paging: up to max entries matching f, newest first with ids below
 * after (0: from the newest), or oldest first with ids above after (0: from
 * the oldest). *rows holds copies (free with audit_rows_free); no OFFSET,
 * so a page costs the same anywhere in a large log. */
int audit_page(sqlite3 *db, const struct audit_filter *f, bool newest_first, int64_t after,
	       size_t max, struct audit_row **rows, size_t *n, struct pd_error *err);
void audit_rows_free(struct audit_row **rows, size_t n);

/* Walk the chain. *broken_id is 0 when intact, else the id of the first entry
 * whose hash or link does not match (err says how). */
int audit_verify(sqlite3 *db, int64_t *broken_id, int64_t *entries, struct pd_error *err);

#endif
