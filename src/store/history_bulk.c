/* A first sync's bulk load. Two of history's indexes take their keys in
 * an order not the date's (amount, customer; Stripe ids and card digits
 * are keyed by date since schema 39): once they outgrow the page
 * cache every record read and wrote back a page of each, ~60 % of the
 * writer's time. Into an (almost) empty history they are dropped for the
 * load and built once at its end, from sorted keys (1M records: ~2-3 s).
 * A sync that crashed half-way leaves them missing: the next sync's start
 * (history_indexes_ensure) builds them again. */
#include <stdbool.h>
#include <stdio.h>

#include "paydesk/db.h"
#include "paydesk/history.h"

/* As the migrations made them (3, 38: the queries rely on these exact shapes). */
static const struct {
	const char *name, *sql;
} bulk_indexes[] = {
	/* migration 38 */
	{"history_amount", "CREATE INDEX IF NOT EXISTS history_amount ON history(lower(currency),"
			   " amount, id)"},
	{"history_customer", "CREATE INDEX IF NOT EXISTS history_customer ON history(customer_id,"
			     " created) WHERE customer_id IS NOT NULL"},
};
#define NBULK (sizeof bulk_indexes / sizeof bulk_indexes[0])

static int missing_indexes(sqlite3 *db, int *n, struct pd_error *err)
{
	int64_t missing = 0;
	int rc = db_int(db,
			"SELECT 2 - count(*) FROM sqlite_schema WHERE type = 'index' AND name IN"
			" ('history_amount', 'history_customer')",
			&missing, err);
	*n = (int)missing;
	return rc;
}

int history_indexes_ensure(sqlite3 *db, struct pd_error *err)
{
	int n;
	int rc = missing_indexes(db, &n, err);
	if (rc || n == 0)
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	for (size_t i = 0; !rc && i < NBULK; i++)
		rc = db_exec(db, bulk_indexes[i].sql, err);
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	return rc;
}

int history_bulk_begin(sqlite3 *db, bool *dropped, struct pd_error *err)
{
	*dropped = false;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT count(*) FROM (SELECT 1 FROM history LIMIT " HISTORY_BULK_MAX_ROWS_S
			    ")",
			    &st, err);
	if (rc)
		return rc;
	long rows = -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		rows = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rows < 0)
		return db_fail(db, "counting history", err);
	if (rows >= HISTORY_BULK_MAX_ROWS)
		return PD_OK; /* building them again would cost more than it saves */
	if ((rc = db_begin(db, err)))
		return rc;
	for (size_t i = 0; !rc && i < NBULK; i++) {
		char sql[80];
		snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s", bulk_indexes[i].name);
		rc = db_exec(db, sql, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	else
		*dropped = true;
	return rc;
}
