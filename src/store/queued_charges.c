/* queued_charges (schema 16): storage only; see queued_charges.h. */
#include "paydesk/queued_charges.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

static const char *const state_keys[] = {"queued", "sent", "dropped"};

const char *qcharge_state_key(enum qcharge_state s)
{
	return (unsigned)s <= QCHARGE_DROPPED ? state_keys[s] : "?";
}

#define QCHARGE_SELECT                                                                         \
	"SELECT q.id, q.appointment_id, q.state, q.amount, q.currency, q.payment_method_id,"    \
	" q.card, q.queued_by, q.queued_at, q.down_since, q.done_by, q.done_at,"               \
	" q.payment_row, q.reason, c.name, s.name, a.starts_at"                                  \
	" FROM queued_charges q JOIN appointments a ON a.id = q.appointment_id"                 \
	" JOIN clients c ON c.id = a.client_id JOIN services s ON s.id = a.service_id"

/* A charge queued on an appointment since cancelled or marked no-show waits
 * unseen (sending it would be refused); an undo brings it back. */
#define OPEN_APPT "a.state NOT IN ('cancelled', 'no_show')"

static void text_col(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(out, size, "%s", t ? (const char *)t : "");
}

static int read_row(sqlite3_stmt *st, void *elem)
{
	struct queued_charge *q = elem;
	memset(q, 0, sizeof *q);
	q->id = sqlite3_column_int64(st, 0);
	q->appointment_id = sqlite3_column_int64(st, 1);
	const unsigned char *state = sqlite3_column_text(st, 2);
	for (int i = 0; i <= QCHARGE_DROPPED; i++)
		if (state && strcmp((const char *)state, state_keys[i]) == 0)
			q->state = (enum qcharge_state)i;
	q->amount = sqlite3_column_int64(st, 3);
	text_col(st, 4, q->currency, sizeof q->currency);
	text_col(st, 5, q->payment_method, sizeof q->payment_method);
	text_col(st, 6, q->card, sizeof q->card);
	text_col(st, 7, q->queued_by, sizeof q->queued_by);
	q->queued_at = sqlite3_column_int64(st, 8);
	q->down_since = sqlite3_column_int64(st, 9);
	text_col(st, 10, q->done_by, sizeof q->done_by);
	q->done_at = sqlite3_column_int64(st, 11);
	q->payment_row = sqlite3_column_int64(st, 12);
	text_col(st, 13, q->reason, sizeof q->reason);
	text_col(st, 14, q->client, sizeof q->client);
	text_col(st, 15, q->service, sizeof q->service);
	q->starts_at = sqlite3_column_int64(st, 16);
	return 0;
}

int qcharges_insert(sqlite3 *db, const struct queued_charge *q, int64_t *id,
		    struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO queued_charges (appointment_id, amount, currency,"
			    " payment_method_id, card, queued_by, queued_at, down_since)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, q->appointment_id);
	sqlite3_bind_int64(st, 2, q->amount);
	sqlite3_bind_text(st, 3, q->currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, q->payment_method, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, q->card, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, q->queued_by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, q->queued_at ? q->queued_at : (int64_t)time(NULL));
	sqlite3_bind_int64(st, 8, q->down_since);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step == SQLITE_CONSTRAINT)
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "a charge of this appointment is queued already");
	if (step != SQLITE_DONE)
		return db_fail(db, "queueing the charge", err);
	if (id)
		*id = sqlite3_last_insert_rowid(db);
	return PD_OK;
}

int qcharges_get(sqlite3 *db, int64_t id, struct queued_charge *out, struct pd_error *err)
{
	return db_read_one(db, QCHARGE_SELECT " WHERE q.id = ?1", id, NULL, read_row, NULL, out,
			   "reading a queued charge", err, "queued charge %lld does not exist",
			   (long long)id);
}

int qcharges_open_for(sqlite3 *db, int64_t appointment_id, struct queued_charge *out,
		      struct pd_error *err)
{
	return db_read_one(db, QCHARGE_SELECT " WHERE q.appointment_id = ?1 AND q.state = 'queued'",
			   appointment_id, NULL, read_row, NULL, out, "reading a queued charge", err,
			   "no charge of this appointment is queued");
}

int qcharges_list_open(sqlite3 *db, struct queued_charge **out, size_t *n, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, QCHARGE_SELECT " WHERE q.state = 'queued' AND " OPEN_APPT
					      " ORDER BY q.id",
			    &st, err);
	if (rc)
		return rc;
	void *list = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_row, NULL, &list, n,
			  "listing queued charges", err);
	*out = list;
	return rc;
}

int qcharges_count_open(sqlite3 *db, int *n, struct pd_error *err)
{
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT count(*) FROM queued_charges q JOIN appointments a"
			    " ON a.id = q.appointment_id WHERE q.state = 'queued' AND " OPEN_APPT,
			    &st, err);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int(st, 0);
	else
		rc = db_fail(db, "counting queued charges", err);
	sqlite3_finalize(st);
	return rc;
}

static int leave_queue(sqlite3 *db, int64_t id, const char *state, int64_t payment_row,
		       const char *by, const char *reason, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE queued_charges SET state = ?2, payment_row = ?3, done_by = ?4,"
			    " done_at = ?5, reason = ?6 WHERE id = ?1 AND state = 'queued'",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	if (payment_row > 0)
		sqlite3_bind_int64(st, 3, payment_row);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, (int64_t)time(NULL));
	sqlite3_bind_text(st, 6, reason ? reason : "", -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "updating a queued charge", err);
	if (sqlite3_changes(db) == 0)
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "that charge is no longer queued (sent or dropped already)");
	return PD_OK;
}

int qcharges_mark_sent(sqlite3 *db, int64_t id, int64_t payment_row, const char *by,
		       struct pd_error *err)
{
	return leave_queue(db, id, "sent", payment_row, by, NULL, err);
}

int qcharges_mark_dropped(sqlite3 *db, int64_t id, const char *by, const char *reason,
			  struct pd_error *err)
{
	return leave_queue(db, id, "dropped", 0, by, reason, err);
}
