/* Desk tenders as history records: written one at a time, with the
 * day/month roll-ups and the search index the sync's ingest keeps for
 * Stripe records (schema 8 writes those from code, not by trigger). */
#include "paydesk/history_desk.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history_internal.h"
#include "paydesk/db.h"
#include "paydesk/history.h"

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int history_desk_add(sqlite3 *db, const struct history_desk_record *r, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO history (stripe_id, type, created, amount, currency, status,"
			    " customer_id, client_name, email, description, card_brand, payment_method,"
			    " appointment_id, payment_intent, succeeded_at, synced_at)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, 'succeeded', ?6, ?7, ?8, ?9, ?10, ?10, ?11,"
			    " ?12, ?3, ?13)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, r->created);
	sqlite3_bind_int64(st, 4, r->amount);
	sqlite3_bind_text(st, 5, r->currency, -1, SQLITE_TRANSIENT);
	bind_opt(st, 6, r->customer_id);
	bind_opt(st, 7, r->client);
	bind_opt(st, 8, r->email);
	bind_opt(st, 9, r->description);
	sqlite3_bind_text(st, 10, r->tender, -1, SQLITE_TRANSIENT);
	bind_opt(st, 11, r->appointment_id);
	/* a refund names its payment the way Stripe refunds do (detail pane) */
	bind_opt(st, 12, r->payment_of);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)time(NULL));
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "adding a desk record to the history", err);
	int64_t rowid = sqlite3_last_insert_rowid(db);
	rc = db_prepare(db,
			HISTORY_FTS_INDEX_ROWS " WHERE id = ?",
			&st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, rowid);
	step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "indexing a desk record", err);
	struct history_terms *terms = NULL;
	rc = history_terms_new(db, &terms, err);
	if (!rc)
		rc = history_terms_add_rows(terms, rowid, rowid, err);
	history_terms_free(&terms);
	if (rc)
		return rc;
	struct history_sums *sums = NULL;
	rc = history_sums_new(db, &sums, err);
	if (!rc)
		rc = history_sums_add(sums, r->created, r->type, "succeeded", r->currency, r->amount,
				      0, 0, err);
	if (!rc)
		rc = history_sums_write(sums, err);
	history_sums_free(&sums);
	return rc;
}

int history_desk_set_refunded(sqlite3 *db, const char *id, int64_t amount_refunded,
			      struct pd_error *err)
{
	sqlite3_stmt *st;
	/* the update trigger moves the roll-ups to the new status */
	int rc = db_prepare(db,
			    "UPDATE history SET amount_refunded = ?1, status = CASE"
			    " WHEN ?1 >= amount THEN 'refunded' WHEN ?1 > 0 THEN 'partially_refunded'"
			    " ELSE 'succeeded' END, synced_at = ?2 WHERE stripe_id = ?3 AND type = 'desk'",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, amount_refunded);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 3, id, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "marking a desk record refunded", err);
}

static const char *const tender_order[] = {"cash", "cheque", "voucher", "terminal", NULL};

const char *history_tender_label(const char *tender)
{
	if (strcmp(tender, "voucher") == 0)
		return "gift voucher";
	if (strcmp(tender, "terminal") == 0)
		return "other card machine";
	if (strcmp(tender, "stripe") == 0)
		return "Stripe";
	return tender;
}

static int tender_rank(const char *t)
{
	for (int i = 0; tender_order[i]; i++)
		if (strcmp(t, tender_order[i]) == 0)
			return i;
	return 9;
}

static int cmp_taking(const void *a, const void *b)
{
	const struct history_taking *x = a, *y = b;
	int rx = tender_rank(x->tender), ry = tender_rank(y->tender);
	if (rx != ry)
		return rx - ry;
	int c = strcmp(x->tender, y->tender);
	return c ? c : strcmp(x->currency, y->currency);
}

static struct history_taking *taking_slot(struct history_taking *out, int max, int *n,
					  const char *tender, const char *currency)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(out[i].tender, tender) == 0 && strcmp(out[i].currency, currency) == 0)
			return &out[i];
	if (*n >= max)
		return NULL;
	struct history_taking *t = &out[(*n)++];
	memset(t, 0, sizeof *t);
	snprintf(t->tender, sizeof t->tender, "%s", tender);
	snprintf(t->currency, sizeof t->currency, "%s", currency);
	return t;
}

static int desk_takings(sqlite3 *db, int64_t since, int64_t until, const char *currency,
			struct history_taking *out, int max, int *n, struct pd_error *err)
{
	sqlite3_stmt *st;
	/* the partial index history_desk holds the desk rows only */
	int rc = db_prepare(db,
			    "SELECT ifnull(payment_method, 'cash'), currency, type, count(*),"
			    " sum(amount) FROM history WHERE type IN ('desk', 'desk_refund')"
			    " AND created >= ?1 AND created < ?2 AND (?3 = '' OR currency = ?3)"
			    " GROUP BY 1, 2, 3",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	sqlite3_bind_text(st, 3, currency ? currency : "", -1, SQLITE_TRANSIENT);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct history_taking *t =
			taking_slot(out, max, n, (const char *)sqlite3_column_text(st, 0),
				    (const char *)sqlite3_column_text(st, 1));
		if (!t)
			continue;
		bool refund = strcmp((const char *)sqlite3_column_text(st, 2), "desk_refund") == 0;
		t->count += sqlite3_column_int64(st, 3);
		*(refund ? &t->refunded : &t->taken) += sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "adding up the desk takings", err);
	return PD_OK;
}

int history_desk_takings(sqlite3 *db, int64_t since, int64_t until, const char *currency,
			 struct history_taking *out, int max, int *n, struct pd_error *err)
{
	*n = 0;
	int rc = desk_takings(db, since, until, currency, out, max, n, err);
	if (!rc)
		qsort(out, (size_t)*n, sizeof *out, cmp_taking);
	return rc;
}

int history_takings(sqlite3 *db, int64_t since, int64_t until, const char *currency,
		    struct history_taking *out, int max, int *n, struct pd_error *err)
{
	*n = 0;
	int rc = desk_takings(db, since, until, currency, out, max, n, err);
	if (rc)
		return rc;
	/* Stripe's money from the roll-ups (payments and refunds only) */
	struct history_filter f = {.since = since, .until = until};
	if (currency)
		snprintf(f.currency, sizeof f.currency, "%s", currency);
	struct history_total tot[HISTORY_MAX_CURRENCIES];
	int nt = 0;
	rc = history_totals(db, &f, tot, HISTORY_MAX_CURRENCIES, &nt, err);
	for (int i = 0; !rc && i < nt; i++) {
		if (!tot[i].gross && !tot[i].refunds)
			continue;
		struct history_taking *t = taking_slot(out, max, n, "stripe", tot[i].currency);
		if (t) {
			t->count = tot[i].count - tot[i].desk_count;
			t->taken = tot[i].gross;
			t->refunded = tot[i].refunds;
		}
	}
	if (!rc)
		qsort(out, (size_t)*n, sizeof *out, cmp_taking);
	return rc;
}
