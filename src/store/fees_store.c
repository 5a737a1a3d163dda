/* appointment_fees (schema 19): storage only; see fees_store.h. */
#include "paydesk/fees_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

static const char *const kind_keys[] = {"no_show", "late_cancel"};
static const char *const kind_labels[] = {"no-show", "late cancel"};
static const char *const state_keys[FEE_STATE_COUNT] = {
	"proposed", "charging", "charged", "declined", "needs_action", "waived", "withdrawn"};
static const char *const state_labels[FEE_STATE_COUNT] = {
	"proposed", "charging", "charged", "declined", "needs action", "waived", "withdrawn"};

const char *fee_kind_key(enum fee_kind k)
{
	return (unsigned)k <= FEE_LATE_CANCEL ? kind_keys[k] : "?";
}

const char *fee_kind_label(enum fee_kind k)
{
	return (unsigned)k <= FEE_LATE_CANCEL ? kind_labels[k] : "?";
}

const char *fee_state_key(enum fee_state s)
{
	return (unsigned)s < FEE_STATE_COUNT ? state_keys[s] : "?";
}

const char *fee_state_label(enum fee_state s)
{
	return (unsigned)s < FEE_STATE_COUNT ? state_labels[s] : "?";
}

int fee_state_open(enum fee_state s)
{
	return s == FEE_PROPOSED || s == FEE_CHARGING || s == FEE_DECLINED ||
	       s == FEE_NEEDS_ACTION;
}

#define FEE_SELECT                                                                           \
	"SELECT f.id, f.appointment_id, f.kind, f.state, f.amount, f.policy_amount,"         \
	" f.currency, f.reason, f.message, ifnull(f.policy_id, 0), f.policy_version,"        \
	" f.visit_at, f.payment_intent_id, f.checkout_session_id, f.pay_link_url, f.attempts," \
	" f.proposed_by, f.proposed_at, f.updated_by, f.updated_at, a.client_id, c.name,"   \
	" s.name, f.desk, f.charged_by, ifnull(f.charged_at, 0), f.refunded"                 \
	" FROM appointment_fees f JOIN appointments a ON a.id = f.appointment_id"            \
	" JOIN clients c ON c.id = a.client_id JOIN services s ON s.id = a.service_id"

static void text_col(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(out, size, "%s", t ? (const char *)t : "");
}

static int read_row(sqlite3_stmt *st, void *elem)
{
	struct appt_fee *f = elem;
	memset(f, 0, sizeof *f);
	f->id = sqlite3_column_int64(st, 0);
	f->appointment_id = sqlite3_column_int64(st, 1);
	const char *kind = (const char *)sqlite3_column_text(st, 2);
	f->kind = kind && strcmp(kind, "late_cancel") == 0 ? FEE_LATE_CANCEL : FEE_NO_SHOW;
	const char *state = (const char *)sqlite3_column_text(st, 3);
	for (int i = 0; i < FEE_STATE_COUNT; i++)
		if (state && strcmp(state, state_keys[i]) == 0)
			f->state = (enum fee_state)i;
	f->amount = sqlite3_column_int64(st, 4);
	f->policy_amount = sqlite3_column_int64(st, 5);
	text_col(st, 6, f->currency, sizeof f->currency);
	text_col(st, 7, f->reason, sizeof f->reason);
	text_col(st, 8, f->message, sizeof f->message);
	f->policy_id = sqlite3_column_int64(st, 9);
	f->policy_version = sqlite3_column_int64(st, 10);
	f->visit_at = sqlite3_column_int64(st, 11);
	text_col(st, 12, f->payment_intent_id, sizeof f->payment_intent_id);
	text_col(st, 13, f->checkout_session_id, sizeof f->checkout_session_id);
	text_col(st, 14, f->pay_link_url, sizeof f->pay_link_url);
	f->attempts = sqlite3_column_int(st, 15);
	text_col(st, 16, f->proposed_by, sizeof f->proposed_by);
	f->proposed_at = sqlite3_column_int64(st, 17);
	text_col(st, 18, f->updated_by, sizeof f->updated_by);
	f->updated_at = sqlite3_column_int64(st, 19);
	f->client_id = sqlite3_column_int64(st, 20);
	text_col(st, 21, f->client, sizeof f->client);
	text_col(st, 22, f->service, sizeof f->service);
	text_col(st, 23, f->desk, sizeof f->desk);
	text_col(st, 24, f->charged_by, sizeof f->charged_by);
	f->charged_at = sqlite3_column_int64(st, 25);
	f->refunded = sqlite3_column_int64(st, 26);
	return 0;
}

int fees_insert(sqlite3 *db, const struct appt_fee *f, int64_t *id, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO appointment_fees (appointment_id, kind, amount,"
			    " policy_amount, currency, policy_id, policy_version, visit_at,"
			    " proposed_by, proposed_at, updated_by, updated_at)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, ?8, ?9, ?10, ?9, ?10)",
			    &st, err);
	if (rc)
		return rc;
	int64_t now = f->proposed_at ? f->proposed_at : (int64_t)time(NULL);
	sqlite3_bind_int64(st, 1, f->appointment_id);
	sqlite3_bind_text(st, 2, fee_kind_key(f->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f->amount);
	sqlite3_bind_int64(st, 4, f->policy_amount);
	sqlite3_bind_text(st, 5, f->currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, f->policy_id);
	sqlite3_bind_int64(st, 7, f->policy_version);
	sqlite3_bind_int64(st, 8, f->visit_at);
	sqlite3_bind_text(st, 9, f->proposed_by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 10, now);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step == SQLITE_CONSTRAINT)
		return pd_error_set(err, PD_ERR_EXISTS, "this appointment has a fee already");
	if (step != SQLITE_DONE)
		return db_fail(db, "proposing the fee", err);
	if (id)
		*id = sqlite3_last_insert_rowid(db);
	return PD_OK;
}

int fees_get(sqlite3 *db, int64_t id, struct appt_fee *out, struct pd_error *err)
{
	return db_read_one(db, FEE_SELECT " WHERE f.id = ?1", id, NULL, read_row, NULL, out,
			   "reading a fee", err, "fee %lld does not exist", (long long)id);
}

int fees_live_for(sqlite3 *db, int64_t appointment_id, struct appt_fee *out,
		  struct pd_error *err)
{
	return db_read_one(db, FEE_SELECT " WHERE f.appointment_id = ?1 AND f.state <> 'withdrawn'",
			   appointment_id, NULL, read_row, NULL, out, "reading a fee", err,
			   "appointment %lld has no fee", (long long)appointment_id);
}

int fees_list(sqlite3 *db, int all, struct appt_fee **out, size_t *n, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    all ? FEE_SELECT " ORDER BY f.id DESC"
				: FEE_SELECT " WHERE f.state IN ('proposed', 'charging', 'declined',"
					     " 'needs_action') ORDER BY f.visit_at, f.id",
			    &st, err);
	if (rc)
		return rc;
	void *list = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_row, NULL, &list, n, "listing fees", err);
	*out = list;
	return rc;
}

static void bind_text_or_null(sqlite3_stmt *st, int col, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, col);
}

int fees_move(sqlite3 *db, const struct appt_fee *f, enum fee_state from, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE appointment_fees SET state = ?2, amount = ?3, reason = ?4,"
			    " message = ?5, payment_intent_id = ?6, checkout_session_id = ?7,"
			    " pay_link_url = ?8, attempts = ?9, updated_by = ?10, updated_at = ?11,"
			    " desk = ?13, charged_by = ?14, charged_at = nullif(?15, 0), refunded = ?16"
			    " WHERE id = ?1 AND state = ?12",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_text(st, 2, fee_state_key(f->state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f->amount);
	sqlite3_bind_text(st, 4, f->reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, f->message, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 6, f->payment_intent_id);
	bind_text_or_null(st, 7, f->checkout_session_id);
	bind_text_or_null(st, 8, f->pay_link_url);
	sqlite3_bind_int(st, 9, f->attempts);
	sqlite3_bind_text(st, 10, f->updated_by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 11, (int64_t)time(NULL));
	sqlite3_bind_text(st, 12, fee_state_key(from), -1, SQLITE_STATIC);
	bind_text_or_null(st, 13, f->desk);
	bind_text_or_null(st, 14, f->charged_by);
	sqlite3_bind_int64(st, 15, f->charged_at);
	sqlite3_bind_int64(st, 16, f->refunded);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "recording the fee", err);
	if (sqlite3_changes(db) != 1)
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "the fee was changed by someone else meanwhile: look at it again");
	return PD_OK;
}

int fees_by_intent(sqlite3 *db, const char *pi, struct appt_fee *out, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, FEE_SELECT " WHERE f.payment_intent_id = ?1 AND f.state = 'charged'",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, pi ? pi : "", -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		read_row(st, out);
	sqlite3_finalize(st);
	if (step == SQLITE_DONE)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "no fee was charged with %s", pi);
	return step == SQLITE_ROW ? PD_OK : db_fail(db, "reading a fee", err);
}

int fees_add_refund(sqlite3 *db, int64_t id, int64_t part, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE appointment_fees SET refunded = refunded + ?2"
			    " WHERE id = ?1 AND state = 'charged' AND refunded + ?2 <= amount",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, part);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "recording the fee's refund", err);
	if (sqlite3_changes(db) != 1)
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "fee %lld: the refund is more than is left of it", (long long)id);
	return PD_OK;
}
