/* Schema 39: history's Stripe ids keyed by a 30-day bucket of the record's
 * date (created_bucket), not by the id alone.
 *
 * Why: Stripe ids are random. An index keyed by them alone puts each new
 * record on a random page: once the history outgrows the page cache every
 * record read and wrote back a page of each (the UNIQUE stripe_id, the
 * charge and card-digit indexes). Keyed by (bucket, id), a sync's new
 * records land in the newest bucket's few pages: 100k records onto 1M
 * went from 15-18k to 40-43k a second, onto 10M from 3.4-5.6k to 13.2k
 * (the amount and client indexes are what is left in random order).
 *
 * A record whose date is known is looked up in its bucket (the ingest's
 * upsert). Anything else (a refund's payment, a dispute's, a balance
 * transaction's charge) walks the buckets newest first from its own date
 * (HISTORY_BUCKET_WALK). A lookup by id alone (the detail pane, an id
 * search, review marks) is a skip-scan: one probe a bucket, ~120 for ten
 * years; SQLite skip-scans only when sqlite_stat1 says each bucket holds
 * many rows, which history_buckets_stats writes.
 *
 * The UNIQUE constraint on stripe_id cannot be dropped in place: the table
 * is rebuilt (SQLite's documented way: new table, copy, drop, rename), with
 * every index, trigger and view on it made again from its own text. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_internal.h"
#include "paydesk/db.h"

/* History's table text at schema 38 starts with these two; a database
 * that differs is refused rather than guessed at. */
#define TABLE_HEAD "CREATE TABLE history ("
#define UNIQUE_ID "stripe_id TEXT NOT NULL UNIQUE,"

/* The indexes keyed by an id, made again by bucket (the others keep their text). */
static const char *const bucket_indexes =
    "CREATE UNIQUE INDEX history_sid ON history(created_bucket, stripe_id);"
    "CREATE INDEX history_charge ON history(created_bucket, charge_id)"
    "  WHERE charge_id IS NOT NULL;"
    "CREATE INDEX history_refunds_of ON history(created_bucket, payment_intent)"
    "  WHERE type = 'refund';"
    "CREATE INDEX history_subscription ON history(created_bucket, subscription_id)"
    "  WHERE subscription_id IS NOT NULL;"
    /* a card's digits: 10,000 values in random order too (`/4242` skip-scans) */
    "CREATE INDEX history_last4 ON history(created_bucket, card_last4)"
    "  WHERE card_last4 IS NOT NULL;";

struct saved {
	char **sql;
	size_t n, cap;
};

static void saved_free(struct saved *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->sql[i]);
	free(s->sql);
}

static int save_schema(sqlite3 *db, struct saved *s, struct pd_error *err)
{
	sqlite3_stmt *st;
	/* History's triggers, its indexes but the id ones (dropped with the
	 * old table), and the view that reads it (in the way of its rename):
	 * made again after the copy, indexes last (built from sorted keys). */
	int rc = db_prepare(db,
			    "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND ("
			    " (type = 'view' AND name = 'history_currencies')"
			    " OR (type IN ('trigger', 'index') AND tbl_name = 'history' AND name NOT IN"
			    " ('history_charge', 'history_refunds_of', 'history_subscription',"
			    " 'history_last4')))"
			    " ORDER BY type = 'index', name",
			    &st, err);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			char **grown = realloc(s->sql, cap * sizeof *grown);
			if (!grown)
				break;
			s->sql = grown;
			s->cap = cap;
		}
		s->sql[s->n] = strdup((const char *)sqlite3_column_text(st, 0));
		if (!s->sql[s->n])
			break;
		s->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW ? pd_error_set(err, PD_ERR, "out of memory")
					: db_fail(db, "reading the schema", err);
	return PD_OK;
}

/* The table's text without the UNIQUE and with the bucket column. */
static int new_table_sql(sqlite3 *db, char **out, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'history'",
			    &st, err);
	if (rc)
		return rc;
	const char *old = sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0)
							   : NULL;
	const char *unique = old ? strstr(old, UNIQUE_ID) : NULL;
	const char *close = old ? strrchr(old, ')') : NULL;
	if (!old || strncmp(old, TABLE_HEAD, strlen(TABLE_HEAD)) != 0 || !unique || !close ||
	    close < unique) {
		sqlite3_finalize(st);
		return pd_error_set(err, PD_ERR_IO, "the history table is not as schema 38 made it");
	}
	static const char bucket[] =
	    ", created_bucket INTEGER GENERATED ALWAYS AS (created / " HISTORY_BUCKET_S ") VIRTUAL";
	size_t n = strlen(old) + sizeof bucket;
	*out = malloc(n);
	if (*out)
		snprintf(*out, n, "%.*sstripe_id TEXT NOT NULL,%.*s%s%s", (int)(unique - old), old,
			 (int)(close - unique - strlen(UNIQUE_ID)), unique + strlen(UNIQUE_ID),
			 bucket, close);
	sqlite3_finalize(st);
	return *out ? PD_OK : pd_error_set(err, PD_ERR, "out of memory");
}

int history_buckets_stats(sqlite3 *db, struct pd_error *err)
{
	/* "rows, rows a bucket, rows a (bucket, id)": figures of a 10M
	 * history over two years; only their ratio steers the planner. A
	 * real ANALYZE (never run by paydesk) would write its own. */
	return db_exec(db,
		       "ANALYZE sqlite_schema;"
		       "DELETE FROM sqlite_stat1 WHERE tbl = 'history' AND idx IN ('history_sid',"
		       " 'history_charge', 'history_refunds_of', 'history_subscription',"
		       " 'history_last4');"
		       "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES"
		       " ('history', 'history_sid', '10000000 400000 1'),"
		       " ('history', 'history_charge', '10000000 400000 1'),"
		       " ('history', 'history_refunds_of', '10000000 400000 1'),"
		       " ('history', 'history_subscription', '10000000 400000 1'),"
		       " ('history', 'history_last4', '10000000 400000 40');"
		       "ANALYZE sqlite_schema;",
		       err);
}

/* Whether history has its bucket column already (a database whose
 * schema version was set back by hand, as a test does). */
static int has_buckets(sqlite3 *db, bool *has, struct pd_error *err)
{
	int64_t n = 0;
	int rc = db_int(db,
			"SELECT count(*) FROM pragma_table_xinfo('history')"
			" WHERE name = 'created_bucket'",
			&n, err);
	*has = n > 0;
	return rc;
}

int history_buckets_migrate(sqlite3 *db, struct pd_error *err)
{
	bool done = false;
	int rc = has_buckets(db, &done, err);
	if (rc || done)
		return rc ? rc : history_buckets_stats(db, err);
	struct saved keep = {0};
	char *table = NULL;
	rc = save_schema(db, &keep, err);
	if (!rc)
		rc = new_table_sql(db, &table, err);
	/* Views and other tables' triggers name history: renamed without
	 * rewriting them (legacy_alter_table), they name the new table after. */
	if (!rc)
		rc = db_exec(db,
			     "PRAGMA legacy_alter_table = ON;"
			     "DROP VIEW IF EXISTS history_currencies;"
			     "ALTER TABLE history RENAME TO history_old;",
			     err);
	if (!rc)
		rc = db_exec(db, table, err);
	if (!rc)
		rc = db_exec(db,
			     "INSERT INTO history SELECT * FROM history_old;"
			     "DROP TABLE history_old;"
			     "PRAGMA legacy_alter_table = OFF;",
			     err);
	for (size_t i = 0; !rc && i < keep.n; i++)
		rc = db_exec(db, keep.sql[i], err);
	if (!rc)
		rc = db_exec(db, bucket_indexes, err);
	if (!rc)
		rc = history_buckets_stats(db, err);
	/* the review filters join marks by hid now: a mark without one (its
	 * record synced after it) gets it, or stays unlisted as before */
	if (!rc)
		rc = db_exec(db,
			     "UPDATE reviews SET (created, hid) = (SELECT created, id FROM history"
			     " WHERE history.stripe_id = reviews.stripe_id) WHERE hid IS NULL",
			     err);
	if (rc)
		db_exec(db, "PRAGMA legacy_alter_table = OFF", NULL);
	free(table);
	saved_free(&keep);
	return rc;
}
