/* Billing history totals per currency: from the day and month roll-ups
 * (history_day, history_month) for date/type/status/currency filters, else
 * from the rows a filter matches (history_build_where, history_query.c). */
#include "paydesk/history.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_internal.h"
#include "paydesk/civil.h"
#include "paydesk/db.h"

static void add_total(struct history_total *out, int max, int *n, const char *cur, int64_t count,
                      int64_t gross, int64_t refunds, int64_t fees, int64_t net,
                      const int64_t desk[3], const int64_t dispute[2], int sign)
{
	int i;
	for (i = 0; i < *n; i++)
		if (strcmp(out[i].currency, cur) == 0)
			break;
	if (i == *n) {
		if (*n >= max)
			return;
		memset(&out[i], 0, sizeof out[i]);
		snprintf(out[i].currency, sizeof out[i].currency, "%s", cur);
		(*n)++;
	}
	out[i].count += sign * count;
	out[i].gross += sign * gross;
	out[i].refunds += sign * refunds;
	out[i].fees += sign * fees;
	out[i].net += sign * net;
	out[i].desk += sign * desk[0];
	out[i].desk_refunds += sign * desk[1];
	out[i].desk_count += sign * desk[2];
	out[i].disputed += sign * dispute[0];
	out[i].dispute_lost += sign * dispute[1];
}

void history_total_add_row(sqlite3_stmt *st, struct history_total *out, int max, int *n, int sign)
{
	const char *cur = (const char *)sqlite3_column_text(st, 0);
	const int64_t desk[3] = {sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7),
	                         sqlite3_column_int64(st, 8)};
	const int64_t dispute[2] = {sqlite3_column_int64(st, 9), sqlite3_column_int64(st, 10)};
	add_total(out, max, n, cur ? cur : "", sqlite3_column_int64(st, 1),
	          sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
	          sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5), desk, dispute, sign);
}

int history_run_totals(sqlite3 *db, const char *text, const struct history_sql *binds,
                       struct history_total *out, int max, int *n, int sign, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, text, &st, err);
	if (rc)
		return rc;
	if (binds)
		history_sql_bind(binds, st, 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		history_total_add_row(st, out, max, n, sign);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? PD_OK : db_fail(db, "adding up history", err);
}

/* Totals straight from the history rows matching f. */
static int totals_rows(sqlite3 *db, const struct history_filter *f, struct history_total *out,
                       int max, int *n, int sign, struct pd_error *err)
{
	struct history_sql q = {0};
	snprintf(q.text, sizeof q.text, "%s", SUMS("h.", "count(*)", "1"));
	history_build_where(db, f, &q, false, false);
	history_sql_add(&q, " GROUP BY h.currency");
	if (history_sql_overflow(&q))
		return pd_error_set(err, PD_ERR_USAGE, HISTORY_SQL_TOO_LONG);
	return history_run_totals(db, q.text, &q, out, max, n, sign, err);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Month index (year * 12 + month - 1) of a day, and the first day of a month. */
static int64_t month_of_day(int64_t day, bool *first)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	*first = d == 1;
	return (int64_t)y * 12 + m - 1;
}

static int64_t month_first_day(int64_t month)
{
	return civil_days((int)floor_div(month, 12), (int)(month - floor_div(month, 12) * 12 + 1), 1);
}

/* Sum a roll-up table over [lo, hi) of its key (each bound only when has_*). */
static int sum_rollup(sqlite3 *db, const char *table, const char *key, bool has_lo, int64_t lo,
                      bool has_hi, int64_t hi, const struct history_filter *f,
                      struct history_total *out, int max, int *n, struct pd_error *err)
{
	if (has_lo && has_hi && lo >= hi)
		return PD_OK;
	struct history_sql q = {0};
	snprintf(q.text, sizeof q.text, "%s FROM %s WHERE 1", SUMS("", "sum(n)", "n"), table);
	if (has_lo) {
		history_cat(q.text, sizeof q.text, " AND %s >= ?", key);
		history_sql_int(&q, lo);
	}
	if (has_hi) {
		history_cat(q.text, sizeof q.text, " AND %s < ?", key);
		history_sql_int(&q, hi);
	}
	if (f->status[0]) {
		history_sql_add(&q, " AND status = ?");
		history_sql_text(&q, f->status);
	}
	if (f->type[0]) {
		history_sql_add(&q, " AND type = ?");
		history_sql_text(&q, f->type);
	}
	if (f->currency[0]) {
		history_sql_add(&q, " AND currency = ?");
		history_sql_text(&q, f->currency);
	}
	history_sql_add(&q, " GROUP BY currency");
	return history_run_totals(db, q.text, &q, out, max, n, 1, err);
}

/* Whole UTC months and days from the roll-ups, the ragged ends from the rows. */
static int totals_rollup(sqlite3 *db, const struct history_filter *f, struct history_total *out,
                         int max, int *n, struct pd_error *err)
{
	const int64_t DAY = 86400;
	bool has_lo = f->since != 0, has_hi = f->until != 0;
	int64_t lo = has_lo ? floor_div(f->since + DAY - 1, DAY) : 0; /* first whole day */
	int64_t hi = has_hi ? floor_div(f->until, DAY) : 0;           /* day after the last */
	if (has_lo && has_hi && lo >= hi)
		return totals_rows(db, f, out, max, n, 1, err); /* less than a day */
	int64_t mlo = 0, mhi = 0;
	bool first;
	if (has_lo) {
		mlo = month_of_day(lo, &first);
		if (!first)
			mlo++;
	}
	if (has_hi)
		mhi = month_of_day(hi, &first);
	int rc;
	if (!has_lo || !has_hi || mlo < mhi) {
		rc = sum_rollup(db, "history_month", "month", has_lo, mlo, has_hi, mhi, f, out, max,
		                n, err);
		if (!rc && has_lo)
			rc = sum_rollup(db, "history_day", "day", true, lo, true,
			                month_first_day(mlo), f, out, max, n, err);
		if (!rc && has_hi)
			rc = sum_rollup(db, "history_day", "day", true, month_first_day(mhi), true,
			                hi, f, out, max, n, err);
	} else {
		rc = sum_rollup(db, "history_day", "day", has_lo, lo, has_hi, hi, f, out, max, n,
		                err);
	}
	if (!rc && has_lo && f->since < lo * DAY) {
		struct history_filter edge = *f;
		edge.until = lo * DAY;
		rc = totals_rows(db, &edge, out, max, n, 1, err);
	}
	if (!rc && has_hi && f->until > hi * DAY) {
		struct history_filter edge = *f;
		edge.since = hi * DAY;
		rc = totals_rows(db, &edge, out, max, n, 1, err);
	}
	return rc;
}

int history_cmp_total(const void *a, const void *b)
{
	const struct history_total *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->currency, y->currency);
}

int history_totals(sqlite3 *db, const struct history_filter *f, struct history_total *out, int max,
                   int *n, struct pd_error *err)
{
	*n = 0;
	int rc = history_filter_check(f, err);
	if (rc)
		return rc;
	if (f->review == HISTORY_REVIEW_UNREVIEWED) {
		/* unreviewed = all − reviewed: both cheap, the difference exact */
		struct history_filter all = *f, done = *f;
		all.review = HISTORY_REVIEW_ANY;
		done.review = HISTORY_REVIEW_REVIEWED;
		rc = history_totals(db, &all, out, max, n, err);
		if (!rc)
			rc = totals_rows(db, &done, out, max, n, -1, err);
	} else if (!f->client[0] && !f->search[0] && !f->amount_min_set && !f->amount_max_set &&
	           f->review == HISTORY_REVIEW_ANY) {
		rc = totals_rollup(db, f, out, max, n, err);
	} else {
		rc = totals_rows(db, f, out, max, n, 1, err);
	}
	if (rc)
		return rc;
	/* drop currencies whose rows all went away (roll-up rows at zero) */
	int k = 0;
	for (int i = 0; i < *n; i++)
		if (out[i].count != 0)
			out[k++] = out[i];
	*n = k;
	qsort(out, (size_t)*n, sizeof *out, history_cmp_total);
	return PD_OK;
}
