/* Shared by the history store modules (src/store/history*.c) only. */
#ifndef PAYDESK_STORE_HISTORY_INTERNAL_H
#define PAYDESK_STORE_HISTORY_INTERNAL_H

#include "paydesk/history.h"

/* A record's key in the search index (schema 24): created * 2^30 + id, so
 * the index's own order is the list's date order and a search pages by
 * date straight from it (ORDER BY rowid DESC LIMIT n), however many records
 * match; the row is history.id = key & HISTORY_FTS_ID_MASK (ids stay below
 * 2^30, a billion records). */
#define HISTORY_FTS_SHIFT "1073741824"
#define HISTORY_FTS_ID_MASK "1073741823"
#define HISTORY_FTS_KEY(created, id) "(" created " * " HISTORY_FTS_SHIFT " + " id ")"
#define HISTORY_FTS_ID_MAX 1073741823LL
static inline int64_t history_fts_key(int64_t created, int64_t id)
{
	return created * (HISTORY_FTS_ID_MAX + 1) + id;
}

/* The columns of ROW_COLUMNS (see history_query.c), in order, into row. */
void history_row_from_stmt(sqlite3_stmt *st, struct history_row *row);

#define HISTORY_ROW_COLUMNS                                                                  \
	"SELECT h.id, h.stripe_id, h.type, h.created, h.amount, h.currency, h.status,"       \
	" h.customer_id, h.client_name, h.email, h.description, h.card_brand, h.card_last4," \
	" h.fee, h.net, h.amount_refunded, ifnull(r.reviewed, 0), ifnull(r.flagged, 0),"     \
	" ifnull(r.note, '') <> '', h.payment_intent, h.subscription_id, h.plan,"            \
	" h.failure_code, h.decline_code, h.dispute_status, h.dispute_due_by"

/* Roll-ups of an ingest's new records, summed in memory (history_sums.c):
 * written to history_day and history_month by history_sums_write (which
 * empties them), forgotten by history_sums_drop after a rollback. */
struct history_sums;
int history_sums_new(sqlite3 *db, struct history_sums **out, struct pd_error *err);
int history_sums_add(struct history_sums *s, int64_t created, const char *type,
		     const char *status, const char *currency, int64_t amount, int64_t fee,
		     int64_t net, struct pd_error *err);
int history_sums_write(struct history_sums *s, struct pd_error *err);
void history_sums_drop(struct history_sums *s);
void history_sums_free(struct history_sums **s);

#endif
