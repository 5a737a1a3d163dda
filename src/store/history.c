/* History records one at a time: a row, the detail pane, review marks,
 * and the sync cursors. */
#include "paydesk/history.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history_internal.h"
#include "paydesk/db.h"
#include "paydesk/money.h"

/* For db_read_one, which sees rows as void *. */
static int read_any(sqlite3_stmt *st, void *p)
{
	history_row_from_stmt(st, p);
	return 0;
}

int history_row_get(sqlite3 *db, int64_t id, struct history_row *row, struct pd_error *err)
{
	return db_read_one(db,
			   HISTORY_ROW_COLUMNS " FROM history h LEFT JOIN reviews r"
					       " ON r.stripe_id = h.stripe_id WHERE h.id = ?",
			   id, NULL, read_any, NULL, row, "reading history", err, "no such record");
}

static char *dup_col(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return strdup(t ? (const char *)t : "");
}

static int64_t int_col(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, col);
}

/* "re_… 12.00 USD succeeded 2026-01-02" lines for the refunds of a payment. */
static char *refund_lines(sqlite3 *db, const char *pi, int64_t *last_at)
{
	sqlite3_stmt *st;
	char *out = strdup("");
	if (!out || !pi[0] ||
	    sqlite3_prepare_v2(db,
			       "SELECT stripe_id, amount, currency, status, created FROM history"
			       " WHERE payment_intent = ? AND type = 'refund' ORDER BY created",
			       -1, &st, NULL) != SQLITE_OK)
		return out;
	sqlite3_bind_text(st, 1, pi, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char money[48], day[16];
		time_t t = (time_t)sqlite3_column_int64(st, 4);
		struct tm tm;
		strftime(day, sizeof day, "%Y-%m-%d", localtime_r(&t, &tm));
		money_format(sqlite3_column_int64(st, 1), (const char *)sqlite3_column_text(st, 2),
			     money, sizeof money);
		char *next = NULL;
		if (asprintf(&next, "%s%s%s %s %s %s", out, out[0] ? "\n" : "",
			     (const char *)sqlite3_column_text(st, 0), money,
			     (const char *)sqlite3_column_text(st, 3), day) < 0)
			break;
		free(out);
		out = next;
		if (t > *last_at)
			*last_at = t;
	}
	sqlite3_finalize(st);
	return out;
}

int history_detail_get(sqlite3 *db, int64_t id, struct history_detail *d, struct pd_error *err)
{
	memset(d, 0, sizeof *d);
	int rc = history_row_get(db, id, &d->row, err);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	rc = db_prepare(db,
			"SELECT h.client_name, h.email, h.description, h.charge_id, h.payment_intent,"
			" h.invoice_id, h.subscription_id, h.appointment_id, h.balance_txn,"
			" h.request_id, h.payment_method, h.succeeded_at, h.synced_at, h.disputed,"
			" h.livemode, r.reviewed_by, r.reviewed_at, r.flagged_by, r.flagged_at,"
			" r.note, r.note_by, r.note_at,"
			" (SELECT o.request_id FROM outbox o WHERE o.object_id = h.stripe_id"
			"  ORDER BY o.id LIMIT 1),"
			" (SELECT i.subscription_id FROM history i WHERE i.stripe_id = h.invoice_id)"
			" FROM history h LEFT JOIN reviews r ON r.stripe_id = h.stripe_id WHERE h.id = ?",
			&st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_fail(db, "reading a history record", err);
	}
	d->client = dup_col(st, 0);
	d->email = dup_col(st, 1);
	d->description = dup_col(st, 2);
	d->charge_id = dup_col(st, 3);
	d->payment_intent = dup_col(st, 4);
	d->invoice_id = dup_col(st, 5);
	d->subscription_id = dup_col(st, 6);
	if (!d->subscription_id[0] && sqlite3_column_type(st, 23) != SQLITE_NULL) {
		free(d->subscription_id);
		d->subscription_id = dup_col(st, 23);
	}
	d->appointment_id = dup_col(st, 7);
	d->balance_txn = dup_col(st, 8);
	d->request_id = dup_col(st, 9);
	d->payment_method = dup_col(st, 10);
	d->succeeded_at = int_col(st, 11);
	d->synced_at = int_col(st, 12);
	d->disputed = int_col(st, 13) != 0;
	d->livemode = int_col(st, 14) != 0;
	d->reviewed_by = dup_col(st, 15);
	d->reviewed_at = int_col(st, 16);
	d->flagged_by = dup_col(st, 17);
	d->flagged_at = int_col(st, 18);
	d->note = dup_col(st, 19);
	d->note_by = dup_col(st, 20);
	d->note_at = int_col(st, 21);
	d->created_request_id = dup_col(st, 22);
	sqlite3_finalize(st);
	d->refunds = refund_lines(db, strcmp(d->row.type, "payment") == 0 ? d->payment_intent : "",
				  &d->refunded_at);
	return PD_OK;
}

void history_detail_free(struct history_detail *d)
{
	char **all[] = {&d->client,        &d->email,          &d->description, &d->charge_id,
			&d->payment_intent, &d->invoice_id,     &d->subscription_id,
			&d->appointment_id, &d->balance_txn,    &d->request_id,
			&d->created_request_id, &d->payment_method, &d->reviewed_by,
			&d->flagged_by,     &d->note,           &d->note_by,     &d->refunds};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		free(*all[i]);
		*all[i] = NULL;
	}
}

char *history_dashboard_url(const char *type, const char *stripe_id, bool livemode, char *out,
			    size_t len)
{
	const char *kind = strcmp(type, "invoice") == 0	 ? "invoices"
			   : strcmp(type, "refund") == 0 ? "refunds"
							 : "payments";
	snprintf(out, len, "https://dashboard.stripe.com/%s%s/%s", livemode ? "" : "test/", kind,
		 stripe_id);
	return out;
}

/* ---- review marks ----------------------------------------------------------- */

int history_mark_set(sqlite3 *db, const char *stripe_id, enum history_mark mark, bool on,
		     const char *who, struct pd_error *err)
{
	const char *sql = mark == HISTORY_MARK_FLAGGED
				  ? "INSERT INTO reviews (stripe_id, flagged, flagged_by, flagged_at)"
				    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (stripe_id) DO UPDATE SET"
				    " flagged = ?2, flagged_by = ?3, flagged_at = ?4"
				  : "INSERT INTO reviews (stripe_id, reviewed, reviewed_by, reviewed_at)"
				    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (stripe_id) DO UPDATE SET"
				    " reviewed = ?2, reviewed_by = ?3, reviewed_at = ?4";
	if (mark != HISTORY_MARK_FLAGGED && mark != HISTORY_MARK_REVIEWED)
		return pd_error_set(err, PD_ERR_USAGE, "unknown review mark");
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, stripe_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, on);
	sqlite3_bind_text(st, 3, who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)time(NULL));
	rc = sqlite3_step(st) == SQLITE_DONE ? PD_OK : db_fail(db, "saving the review mark", err);
	sqlite3_finalize(st);
	return rc;
}

int history_note_set(sqlite3 *db, const char *stripe_id, const char *note, const char *who,
		     struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO reviews (stripe_id, note, note_by, note_at)"
			    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (stripe_id) DO UPDATE SET"
			    " note = ?2, note_by = ?3, note_at = ?4",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, stripe_id, -1, SQLITE_STATIC);
	if (note && *note)
		sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)time(NULL));
	rc = sqlite3_step(st) == SQLITE_DONE ? PD_OK : db_fail(db, "saving the note", err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- sync state ------------------------------------------------------------- */

int history_last_synced(sqlite3 *db, int64_t *at, struct pd_error *err)
{
	*at = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT max(last_synced_at) FROM sync_state", &st, err);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*at = int_col(st, 0);
	sqlite3_finalize(st);
	return PD_OK;
}

int history_sync_get(sqlite3 *db, const char *object, char **cursor, int64_t *synced_at,
		     struct pd_error *err)
{
	*cursor = NULL;
	*synced_at = 0;
	sqlite3_stmt *st;
	/* an interrupted pass resumes at its last stored page */
	int rc = db_prepare(db,
			    "SELECT coalesce(resume_after, cursor), last_synced_at FROM sync_state"
			    " WHERE object = ?",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			*cursor = dup_col(st, 0);
		*synced_at = int_col(st, 1);
	}
	sqlite3_finalize(st);
	return PD_OK;
}

int history_sync_done(sqlite3 *db, const char *object, const char *cursor, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO sync_state (object, cursor, resume_after, last_synced_at)"
			    " VALUES (?1, ?2, NULL, ?3) ON CONFLICT (object) DO UPDATE SET"
			    " cursor = ?2, resume_after = NULL, last_synced_at = ?3",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	if (cursor)
		sqlite3_bind_text(st, 2, cursor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	rc = sqlite3_step(st) == SQLITE_DONE ? PD_OK : db_fail(db, "saving the sync state", err);
	sqlite3_finalize(st);
	return rc;
}

int history_sync_state(sqlite3 *db, const char *object, char **cursor, char **resume,
		       int64_t *synced_at, struct pd_error *err)
{
	*cursor = *resume = NULL;
	*synced_at = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT cursor, resume_after, last_synced_at FROM sync_state"
			    " WHERE object = ?",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			*cursor = dup_col(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			*resume = dup_col(st, 1);
		*synced_at = int_col(st, 2);
	} else if (step != SQLITE_DONE) {
		rc = db_fail(db, "reading the sync state", err);
	}
	sqlite3_finalize(st);
	return rc;
}

int history_sync_pending_set(sqlite3 *db, const char *object, const char *resume,
			     struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO sync_state (object, resume_after) VALUES (?1, ?2)"
			    " ON CONFLICT (object) DO UPDATE SET resume_after = ?2",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, resume, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? PD_OK : db_fail(db, "saving the sync state", err);
	sqlite3_finalize(st);
	return rc;
}

int history_sync_reset(sqlite3 *db, struct pd_error *err)
{
	return db_exec(db,
		       "UPDATE sync_state SET cursor = NULL, resume_after = NULL"
		       " WHERE object <> 'events'",
		       err);
}

/* ---- review of a whole filter (its FROM and WHERE: history_query.c) ------- */

/* A whole filter's statement, prepared with its values bound; refused
 * when its text or values ran out of room (never run cut). */
static int filter_stmt(sqlite3 *db, const struct history_sql *q, sqlite3_stmt **st,
                       struct pd_error *err)
{
	if (history_sql_overflow(q))
		return pd_error_set(err, PD_ERR_USAGE, HISTORY_SQL_TOO_LONG);
	int rc = db_prepare(db, q->text, st, err);
	if (!rc)
		history_sql_bind(q, *st, 1);
	return rc;
}

int history_count_unreviewed(sqlite3 *db, const struct history_filter *f, long *n,
                             struct pd_error *err)
{
	*n = 0;
	int rc = history_filter_check(f, err);
	if (rc)
		return rc;
	struct history_sql q = {0};
	history_sql_add(&q, "SELECT count(*)");
	history_build_where(db, f, &q, false, true);
	sqlite3_stmt *st;
	if ((rc = filter_stmt(db, &q, &st, err)))
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? PD_OK : db_fail(db, "counting history", err);
}

int history_mark_filter(sqlite3 *db, const struct history_filter *f, const char *who, long *marked,
                        struct pd_error *err)
{
	*marked = 0;
	int rc = history_filter_check(f, err);
	if (rc)
		return rc;
	/* one statement: SQLite reads the SELECT whole before writing reviews,
	 * which it joins */
	struct history_sql q = {0};
	/* with the record's key (reviews_key would look each one up by id) */
	history_sql_add(&q, "INSERT INTO reviews (stripe_id, reviewed, reviewed_by, reviewed_at,"
	                    " created, hid) SELECT h.stripe_id, 1, ?, ?, h.created, h.id");
	history_sql_text(&q, who);
	history_sql_int(&q, (int64_t)time(NULL));
	history_build_where(db, f, &q, false, true);
	history_sql_add(&q,
	                " ON CONFLICT (stripe_id) DO UPDATE SET reviewed = 1,"
	                " reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at,"
	                " created = excluded.created, hid = excluded.hid");
	sqlite3_stmt *st;
	if ((rc = filter_stmt(db, &q, &st, err)))
		return rc;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, "saving the review marks", err);
	*marked = (long)sqlite3_changes(db);
	return PD_OK;
}
