#include "paydesk/refund_limits.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

int refund_limits_set(sqlite3 *db, const struct refund_limit *l, const char *set_by,
		      struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT OR REPLACE INTO refund_limits"
			    " (currency, per_payment, per_day, set_by, updated_at)"
			    " VALUES (?, ?, ?, ?, ?)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, l->currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, l->per_payment);
	if (l->per_day == REFUND_NO_DAILY_LIMIT)
		sqlite3_bind_null(st, 3);
	else
		sqlite3_bind_int64(st, 3, l->per_day);
	sqlite3_bind_text(st, 4, set_by ? set_by : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "setting a refund limit", err);
	sqlite3_finalize(st);
	return rc;
}

static int read_limit(sqlite3_stmt *st, void *p)
{
	struct refund_limit *l = p;
	snprintf(l->currency, sizeof l->currency, "%s", (const char *)sqlite3_column_text(st, 0));
	l->per_payment = sqlite3_column_int64(st, 1);
	l->per_day = sqlite3_column_type(st, 2) == SQLITE_NULL ? REFUND_NO_DAILY_LIMIT
								: sqlite3_column_int64(st, 2);
	return 0;
}

#define LIMIT_COLUMNS "currency, per_payment, per_day"

int refund_limits_get(sqlite3 *db, const char *currency, struct refund_limit *out,
		      struct pd_error *err)
{
	return db_read_one(db, "SELECT " LIMIT_COLUMNS " FROM refund_limits WHERE currency = ?", 0,
			   currency, read_limit, NULL, out, "reading refund limits", err,
			   "no refund limit in %s", currency);
}

int refund_limits_each(sqlite3 *db, void (*fn)(void *ctx, const struct refund_limit *l),
		       void *ctx, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT " LIMIT_COLUMNS " FROM refund_limits ORDER BY currency",
			    &st, err);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct refund_limit l;
		read_limit(st, &l);
		fn(ctx, &l);
	}
	if (step != SQLITE_DONE)
		rc = db_fail(db, "reading refund limits", err);
	sqlite3_finalize(st);
	return rc;
}

/* One sum of the counted (not released) staff refunds. */
static int sum(sqlite3 *db, const char *sql, int64_t user_id, const char *a, const char *b,
	       int64_t *out, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st, err);
	if (rc)
		return rc;
	int i = 1;
	if (user_id)
		sqlite3_bind_int64(st, i++, user_id);
	sqlite3_bind_text(st, i++, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, i, b, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = db_fail(db, "reading staff refunds", err);
	sqlite3_finalize(st);
	return rc;
}

int staff_refunds_sum_payment(sqlite3 *db, const char *payment, int64_t *out,
			      struct pd_error *err)
{
	return sum(db,
		   "SELECT ifnull(sum(amount), 0) FROM staff_refunds"
		   " WHERE payment = ? AND state != 'released'",
		   0, payment, NULL, out, err);
}

int staff_refunds_sum_day(sqlite3 *db, int64_t user_id, const char *currency, const char *day,
			  int64_t *out, struct pd_error *err)
{
	return sum(db,
		   "SELECT ifnull(sum(amount), 0) FROM staff_refunds"
		   " WHERE user_id = ? AND day = ? AND currency = ? AND state != 'released'",
		   user_id, day, currency, out, err);
}

int staff_refunds_add(sqlite3 *db, int64_t user_id, const char *user_name,
		      const char *payment, const char *currency, int64_t amount, const char *day,
		      int64_t *id, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO staff_refunds"
			    " (user_id, user_name, payment, currency, amount, day, created_at)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, user_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, payment, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, amount);
	sqlite3_bind_text(st, 6, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "reserving a staff refund", err);
	else
		*id = sqlite3_last_insert_rowid(db);
	sqlite3_finalize(st);
	return rc;
}

int staff_refunds_settle(sqlite3 *db, int64_t id, bool made, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE staff_refunds SET state = ? WHERE id = ? AND state = 'pending'",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, made ? "made" : "released", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "settling a staff refund", err);
	sqlite3_finalize(st);
	return rc;
}
