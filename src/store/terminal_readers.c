#include "paydesk/terminal_readers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

/* an empty copy still says when Stripe was asked: the row with position -1 */
#define LISTED_MARK (-1)

int terminal_readers_replace(sqlite3 *db, const struct reader_info *list, size_t n,
			     struct pd_error *err)
{
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	rc = db_exec(db, "DELETE FROM terminal_readers", err);
	if (!rc)
		rc = db_prepare(db,
				"INSERT INTO terminal_readers (position, id, label, status, "
				"device_type, location, listed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
				&st, err);
	int64_t now = (int64_t)time(NULL);
	for (long i = LISTED_MARK; !rc && i < (long)n; i++) {
		const struct reader_info *r = i < 0 ? NULL : &list[i];
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, i);
		sqlite3_bind_text(st, 2, r ? r->id : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r ? r->label : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r ? r->status : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r ? r->device_type : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r ? r->location : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(db, "saving the card readers", err);
	}
	sqlite3_finalize(st);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, err);
}

static void copy_col(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	snprintf(out, len, "%s", v ? v : "");
}

static int read_reader(sqlite3_stmt *st, void *elem)
{
	struct reader_info *r = elem;
	copy_col(st, 0, r->id, sizeof r->id);
	copy_col(st, 1, r->label, sizeof r->label);
	copy_col(st, 2, r->status, sizeof r->status);
	copy_col(st, 3, r->device_type, sizeof r->device_type);
	copy_col(st, 4, r->location, sizeof r->location);
	return 0;
}

int terminal_readers_list(sqlite3 *db, struct reader_info **out, size_t *n, int64_t *listed_at,
			  struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	*listed_at = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT max(listed_at) FROM terminal_readers", &st, err);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*listed_at = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	rc = db_prepare(db,
			"SELECT id, label, status, device_type, location FROM terminal_readers "
			"WHERE position >= 0 ORDER BY position",
			&st, err);
	if (rc)
		return rc;
	void *rows = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_reader, NULL, &rows, n, "reading the card readers",
			  err);
	*out = rows;
	return rc;
}
