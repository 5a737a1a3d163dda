#include "paydesk/reader_holds.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

static const char *const status_keys[] = {"open", "complete", "failed", "cancelled"};

const char *hold_status_key(enum hold_status s)
{
	return (unsigned)s < 4 ? status_keys[s] : "failed";
}

static void text(char *dst, size_t n, sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	snprintf(dst, n, "%s", v ? (const char *)v : "");
}

int reader_holds_insert(sqlite3 *db, const struct reader_hold *h, const char *actor, int64_t *id,
			struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO reader_holds (client_id, appointment_id, setup_intent_id,"
			    " reader_id, status, message, actor, created_at, updated_at)"
			    " VALUES (?1, nullif(?2, 0), ?3, ?4, 'open', ?5, ?6, ?7, ?7)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, h->client_id);
	sqlite3_bind_int64(st, 2, h->appointment_id);
	sqlite3_bind_text(st, 3, h->setup_intent_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, h->reader_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, h->message, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving a card held on a reader", err);
	*id = sqlite3_last_insert_rowid(db);
	return PD_OK;
}

static int read_hold(sqlite3_stmt *st, void *p)
{
	struct reader_hold *h = p;
	memset(h, 0, sizeof *h);
	h->id = sqlite3_column_int64(st, 0);
	h->client_id = sqlite3_column_int64(st, 1);
	h->appointment_id = sqlite3_column_int64(st, 2);
	text(h->setup_intent_id, sizeof h->setup_intent_id, st, 3);
	text(h->reader_id, sizeof h->reader_id, st, 4);
	const char *s = (const char *)sqlite3_column_text(st, 5);
	h->status = HOLD_FAILED;
	for (int i = 0; s && i < 4; i++)
		if (strcmp(s, status_keys[i]) == 0)
			h->status = (enum hold_status)i;
	text(h->payment_method_id, sizeof h->payment_method_id, st, 6);
	text(h->brand, sizeof h->brand, st, 7);
	text(h->last4, sizeof h->last4, st, 8);
	text(h->message, sizeof h->message, st, 9);
	h->created_at = sqlite3_column_int64(st, 10);
	h->updated_at = sqlite3_column_int64(st, 11);
	return 0;
}

int reader_holds_latest(sqlite3 *db, int64_t client_id, struct reader_hold *out,
			struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	return db_read_one(db,
			   "SELECT id, client_id, ifnull(appointment_id, 0), setup_intent_id,"
			   " reader_id, status, ifnull(payment_method_id, ''), brand, last4, message,"
			   " created_at, updated_at FROM reader_holds WHERE client_id = ?1"
			   " ORDER BY id DESC LIMIT 1",
			   client_id, NULL, read_hold, NULL, out, "reading cards held on a reader",
			   err, "no card was asked for on a reader for this client");
}

int reader_holds_close(sqlite3 *db, const struct reader_hold *h, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE reader_holds SET status = ?1, payment_method_id = nullif(?2, ''),"
			    " brand = ?3, last4 = ?4, message = ?5, updated_at = ?6"
			    " WHERE id = ?7 AND status = 'open'",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, hold_status_key(h->status), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, h->payment_method_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, h->brand, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, h->last4, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, h->message, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 7, h->id);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving a card held on a reader", err);
	if (sqlite3_changes(db) != 1)
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "this card on the reader was settled already (another desk)");
	return PD_OK;
}

int reader_holds_set_intent(sqlite3 *db, int64_t id, const char *setup_intent,
			    struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "UPDATE reader_holds SET setup_intent_id = ?1 WHERE id = ?2", &st,
			    err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, setup_intent, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, id);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "saving a card held on a reader", err);
}
