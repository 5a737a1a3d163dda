/* Table plans (schema 7): the local copy of subscription plans. */
#include "paydesk/plans_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

static char *dup_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return strdup(t ? (const char *)t : "");
}

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	free(p->product_id);
	free(p->price_id);
	free(p->name);
	free(p->description);
	free(p->features);
	free(p->limits);
	memset(p, 0, sizeof *p);
}

void plans_free_list(struct plan **list, size_t n)
{
	if (!list || !*list)
		return;
	for (size_t i = 0; i < n; i++)
		plan_free(&(*list)[i]);
	free(*list);
	*list = NULL;
}

#define PLAN_COLS                                                                            \
	"id, product_id, price_id, name, description, features, limits, amount, currency,"   \
	" interval, interval_count, active, synced_at, version"

static void read_row(sqlite3_stmt *st, struct plan *p)
{
	p->id = sqlite3_column_int64(st, 0);
	p->product_id = dup_text(st, 1);
	p->price_id = dup_text(st, 2);
	p->name = dup_text(st, 3);
	p->description = dup_text(st, 4);
	p->features = dup_text(st, 5);
	p->limits = dup_text(st, 6);
	p->amount = sqlite3_column_int64(st, 7);
	copy_col(st, 8, p->currency, sizeof p->currency);
	copy_col(st, 9, p->interval, sizeof p->interval);
	p->interval_count = sqlite3_column_int(st, 10);
	p->active = sqlite3_column_int(st, 11) != 0;
	p->synced_at = sqlite3_column_int64(st, 12);
	p->version = sqlite3_column_int64(st, 13);
}

/* For db_read_rows and db_read_one, which see rows as void *. */
static int read_any(sqlite3_stmt *st, void *p)
{
	read_row(st, p);
	return 0;
}

static void clear_any(void *p)
{
	plan_free(p);
}

/* Found neither by id nor by product: the local copy lags Stripe. */
#define NOT_SYNCED "no such plan (sync plans from Stripe)"

static const char *nz(const char *s)
{
	return s ? s : "";
}

int plans_store_put(sqlite3 *db, const struct plan *p, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO plans (product_id, price_id, name, description, features,"
			    " limits, amount, currency, interval, interval_count, active, synced_at)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
			    " ON CONFLICT(product_id) DO UPDATE SET price_id = ?2, name = ?3,"
			    " description = ?4, features = ?5, limits = ?6, amount = ?7,"
			    " currency = ?8, interval = ?9, interval_count = ?10, active = ?11,"
			    " synced_at = ?12, version = version + 1",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, nz(p->product_id), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, nz(p->price_id), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, nz(p->name), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, nz(p->description), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, nz(p->features), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, nz(p->limits), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, p->amount);
	sqlite3_bind_text(st, 8, p->currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 9, p->interval[0] ? p->interval : "month", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 10, p->interval_count > 0 ? p->interval_count : 1);
	sqlite3_bind_int(st, 11, p->active);
	sqlite3_bind_int64(st, 12, p->synced_at ? p->synced_at : (int64_t)time(NULL));
	rc = sqlite3_step(st) == SQLITE_DONE ? PD_OK : db_fail(db, "saving a plan", err);
	sqlite3_finalize(st);
	return rc;
}

int plans_store_list(sqlite3 *db, bool with_archived, struct plan **out, size_t *n,
		     struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    with_archived ? "SELECT " PLAN_COLS " FROM plans ORDER BY active DESC,"
					    " name COLLATE NOCASE, id"
					  : "SELECT " PLAN_COLS " FROM plans WHERE active = 1"
					    " ORDER BY fold(name), name, id",
			    &st, err);
	if (rc)
		return rc;
	void *rows;
	rc = db_read_rows(db, st, sizeof **out, read_any, clear_any, &rows, n, "listing plans",
			  err);
	*out = rows;
	return rc;
}

int plans_store_get(sqlite3 *db, int64_t id, struct plan *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	return db_read_one(db, "SELECT " PLAN_COLS " FROM plans WHERE id = ?", id, NULL, read_any,
			   clear_any, out, "reading a plan", err, NOT_SYNCED);
}

int plans_store_find(sqlite3 *db, const char *product_id, struct plan *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	return db_read_one(db, "SELECT " PLAN_COLS " FROM plans WHERE product_id = ?", 0,
			   product_id, read_any, clear_any, out, "reading a plan", err, NOT_SYNCED);
}

void plans_interval_words(const char *interval, int count, char *out, size_t len)
{
	if (count <= 1)
		snprintf(out, len, "every %s", interval);
	else
		snprintf(out, len, "every %d %ss", count, interval);
}
