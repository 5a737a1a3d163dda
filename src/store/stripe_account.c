#include "paydesk/stripe_account.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

static void copy_col(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);
	snprintf(dst, len, "%s", v ? (const char *)v : "");
}

static int read_row(sqlite3_stmt *st, void *p)
{
	struct stripe_account_row *out = p;
	copy_col(out->account_id, sizeof out->account_id, st, 0);
	copy_col(out->mode, sizeof out->mode, st, 1);
	copy_col(out->display_name, sizeof out->display_name, st, 2);
	copy_col(out->publishable_key, sizeof out->publishable_key, st, 3);
	copy_col(out->connected_account, sizeof out->connected_account, st, 4);
	copy_col(out->key_hint, sizeof out->key_hint, st, 5);
	out->verified_at = sqlite3_column_int64(st, 6);
	return 0;
}

int stripe_account_get(sqlite3 *db, struct stripe_account_row *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	/* The table holds at most one row, id 1 (a CHECK constraint). */
	return db_read_one(db,
			   "SELECT account_id, mode, display_name, publishable_key,"
			   " connected_account, key_hint, verified_at FROM stripe_account"
			   " WHERE id = ?",
			   1, NULL, read_row, NULL, out, "reading the Stripe account", err,
			   "no Stripe account is connected");
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int stripe_account_save(sqlite3 *db, const struct stripe_account_row *row, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO stripe_account (id, account_id, mode, display_name,"
			    " publishable_key, connected_account, key_hint, verified_at,"
			    " created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?8, ?8)"
			    " ON CONFLICT(id) DO UPDATE SET account_id = excluded.account_id,"
			    " mode = excluded.mode, display_name = excluded.display_name,"
			    " publishable_key = excluded.publishable_key,"
			    " connected_account = excluded.connected_account,"
			    " key_hint = excluded.key_hint, verified_at = excluded.verified_at,"
			    " updated_at = excluded.updated_at",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, row->account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, row->mode, -1, SQLITE_TRANSIENT);
	bind_opt(st, 3, row->display_name);
	bind_opt(st, 4, row->publishable_key);
	bind_opt(st, 5, row->connected_account);
	bind_opt(st, 6, row->key_hint);
	if (row->verified_at)
		sqlite3_bind_int64(st, 7, row->verified_at);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "saving the Stripe account", err);
	sqlite3_finalize(st);
	return rc;
}

int stripe_account_delete(sqlite3 *db, struct pd_error *err)
{
	return db_exec(db, "DELETE FROM stripe_account", err);
}

int stripe_account_set_connected(sqlite3 *db, const char *connected, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE stripe_account SET connected_account = ?, updated_at = ?"
			    " WHERE id = 1",
			    &st, err);
	if (rc)
		return rc;
	bind_opt(st, 1, connected);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "saving the connected account", err);
	else if (sqlite3_changes(db) == 0)
		rc = pd_error_set(err, PD_ERR_NOT_FOUND,
				  "no Stripe account is connected: run paydesk setup first");
	sqlite3_finalize(st);
	return rc;
}
