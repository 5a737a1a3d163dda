#include "paydesk/appointments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"
#include "paydesk/money.h"

static const char *const state_keys[] = {"booked", "awaiting_payment", "confirmed",
					 "completed", "cancelled", "no_show"};
static const char *const state_labels[] = {"booked", "awaiting payment", "confirmed",
					   "completed", "cancelled", "no-show"};
static const char *const pay_keys[] = {"none", "pending", "paid", "partially_refunded",
				       "refunded", "failed"};
static const char *const pay_labels[] = {"none", "pending", "paid", "partially refunded",
					 "refunded", "failed"};

const char *appt_state_key(enum appt_state s)
{
	return s < APPT_STATE_COUNT ? state_keys[s] : "booked";
}

const char *appt_state_label(enum appt_state s)
{
	return s < APPT_STATE_COUNT ? state_labels[s] : "?";
}

const char *appt_payment_key(enum appt_payment p)
{
	return p < PAY_STATE_COUNT ? pay_keys[p] : "none";
}

const char *appt_payment_label(enum appt_payment p)
{
	return p < PAY_STATE_COUNT ? pay_labels[p] : "?";
}

char *appt_payment_text(const struct appointment *a, bool brief, char *out, size_t size)
{
	if (a->payment != PAY_PAID || a->deposit <= 0 || a->deposit >= a->amount) {
		snprintf(out, size, "%s", appt_payment_label(a->payment));
		return out;
	}
	char paid[64], due[64];
	money_format(a->deposit, a->currency, paid, sizeof paid);
	money_format(a->amount - a->deposit, a->currency, due, sizeof due);
	/* "15.00 USD": the price beside it says the currency. */
	char *code = strrchr(paid, ' ');
	if (code)
		*code = '\0';
	if ((code = strrchr(due, ' ')))
		*code = '\0';
	/* A visit that will not happen has nothing due: the deposit was kept. */
	bool closed = a->state == APPT_CANCELLED || a->state == APPT_NO_SHOW;
	if (closed)
		snprintf(out, size, "%s%s kept", brief ? "" : "deposit ", paid);
	else if (brief)
		snprintf(out, size, "%s due", due);
	else
		snprintf(out, size, "deposit %s \u00b7 %s due", paid, due);
	return out;
}

enum appt_state appt_state_parse(const char *key)
{
	for (int i = 0; key && i < APPT_STATE_COUNT; i++)
		if (strcmp(key, state_keys[i]) == 0)
			return (enum appt_state)i;
	return APPT_BOOKED;
}

enum appt_payment appt_payment_parse(const char *key)
{
	for (int i = 0; key && i < PAY_STATE_COUNT; i++)
		if (strcmp(key, pay_keys[i]) == 0)
			return (enum appt_payment)i;
	return PAY_NONE;
}

bool appt_state_holds_slot(enum appt_state s)
{
	return s != APPT_CANCELLED && s != APPT_NO_SHOW;
}

void appointment_free(struct appointment *a)
{
	if (!a)
		return;
	free(a->notes);
	free(a->payment_intent_id);
	free(a->checkout_session_id);
	free(a->last_request_id);
	free(a->client_name);
	free(a->service_name);
	free(a->staff_name);
	memset(a, 0, sizeof *a);
}

void appointments_free_list(struct appointment **list, size_t n)
{
	if (!list || !*list)
		return;
	for (size_t i = 0; i < n; i++)
		appointment_free(&(*list)[i]);
	free(*list);
	*list = NULL;
}

#define APPT_SELECT                                                                           \
	"SELECT a.id, a.client_id, a.service_id, a.staff_id, a.starts_at, a.ends_at, a.state,"   \
	" a.payment_state, a.amount, a.deposit, a.currency, a.notes, a.payment_intent_id,"       \
	" a.checkout_session_id, a.last_request_id, a.version, a.created_at, a.updated_at,"      \
	" c.name, s.name, t.name FROM appointments a JOIN clients c ON c.id = a.client_id"       \
	" JOIN services s ON s.id = a.service_id JOIN staff t ON t.id = a.staff_id"

static char *opt_text(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return strdup((const char *)sqlite3_column_text(st, i));
}

static char *text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return strdup(t ? (const char *)t : "");
}

static int read_row(sqlite3_stmt *st, struct appointment *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(st, 0);
	a->client_id = sqlite3_column_int64(st, 1);
	a->service_id = sqlite3_column_int64(st, 2);
	a->staff_id = sqlite3_column_int64(st, 3);
	a->starts_at = sqlite3_column_int64(st, 4);
	a->ends_at = sqlite3_column_int64(st, 5);
	a->state = appt_state_parse((const char *)sqlite3_column_text(st, 6));
	a->payment = appt_payment_parse((const char *)sqlite3_column_text(st, 7));
	a->amount = sqlite3_column_int64(st, 8);
	a->deposit = sqlite3_column_int64(st, 9);
	snprintf(a->currency, sizeof a->currency, "%s", (const char *)sqlite3_column_text(st, 10));
	a->notes = text(st, 11);
	a->payment_intent_id = opt_text(st, 12);
	a->checkout_session_id = opt_text(st, 13);
	a->last_request_id = opt_text(st, 14);
	a->version = sqlite3_column_int64(st, 15);
	a->created_at = sqlite3_column_int64(st, 16);
	a->updated_at = sqlite3_column_int64(st, 17);
	a->client_name = text(st, 18);
	a->service_name = text(st, 19);
	a->staff_name = text(st, 20);
	return a->notes && a->client_name && a->service_name && a->staff_name ? 0 : -1;
}

/* For db_read_rows and db_read_one, which see rows as void *. */
static int read_any(sqlite3_stmt *st, void *p)
{
	return read_row(st, p);
}

static void clear_any(void *p)
{
	appointment_free(p);
}

int appointments_get(sqlite3 *db, int64_t id, struct appointment *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	return db_read_one(db, APPT_SELECT " WHERE a.id = ?", id, NULL, read_any, clear_any, out,
			   "reading an appointment", err, "appointment %lld no longer exists",
			   (long long)id);
}

int appointments_begin_get(sqlite3 *db, int64_t id, struct appointment *out,
			   struct pd_error *err)
{
	int rc = db_begin(db, err);
	if (!rc && (rc = appointments_get(db, id, out, err)) != PD_OK)
		db_rollback(db);
	return rc;
}

int appointments_range(sqlite3 *db, int64_t from, int64_t to, int64_t staff_id,
		       struct appointment **out, size_t *n, struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    APPT_SELECT " WHERE a.starts_at >= ?1 AND a.starts_at < ?2"
					" AND (?3 = 0 OR a.staff_id = ?3)"
					" ORDER BY a.starts_at, fold(t.name), t.name, a.id",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int64(st, 3, staff_id);
	void *rows;
	rc = db_read_rows(db, st, sizeof **out, read_any, clear_any, &rows, n,
			  "reading appointments", err);
	*out = rows;
	return rc;
}

/* The longest service is 720 minutes: that bounds the index range scanned. */
#define APPT_LONGEST (720 * 60)

int appointments_find_clash(sqlite3 *db, int64_t staff_id, int64_t start, int64_t end,
			    int64_t exclude_id, struct appointment *clash, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    APPT_SELECT " WHERE a.staff_id = ?1 AND a.starts_at < ?3"
					" AND a.starts_at > ?2 - ?5 AND a.ends_at > ?2 AND a.id <> ?4"
					" AND a.state NOT IN ('cancelled', 'no_show')"
					" ORDER BY a.starts_at LIMIT 1",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, staff_id);
	sqlite3_bind_int64(st, 2, start);
	sqlite3_bind_int64(st, 3, end);
	sqlite3_bind_int64(st, 4, exclude_id);
	sqlite3_bind_int64(st, 5, APPT_LONGEST);
	int step = sqlite3_step(st);
	int found = 0;
	if (step == SQLITE_ROW) {
		found = 1;
		if (read_row(st, clash)) {
			appointment_free(clash);
			found = pd_error_set(err, PD_ERR, "out of memory");
		}
	} else if (step != SQLITE_DONE) {
		found = db_fail(db, "checking for clashes", err);
	}
	sqlite3_finalize(st);
	return found;
}

static void bind_common(sqlite3_stmt *st, const struct appointment *a)
{
	sqlite3_bind_int64(st, 1, a->client_id);
	sqlite3_bind_int64(st, 2, a->service_id);
	sqlite3_bind_int64(st, 3, a->staff_id);
	sqlite3_bind_int64(st, 4, a->starts_at);
	sqlite3_bind_int64(st, 5, a->ends_at);
	sqlite3_bind_text(st, 6, appt_state_key(a->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, appt_payment_key(a->payment), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, a->amount);
	sqlite3_bind_text(st, 9, a->currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 10, a->deposit);
	sqlite3_bind_text(st, 11, a->notes ? a->notes : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)time(NULL));
}

int appointments_insert(sqlite3 *db, const struct appointment *a, int64_t *id,
			struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO appointments (client_id, service_id, staff_id, starts_at,"
			    " ends_at, state, payment_state, amount, currency, deposit, notes,"
			    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
			    " ?11, ?12, ?12)",
			    &st, err);
	if (rc)
		return rc;
	bind_common(st, a);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving an appointment", err);
	*id = sqlite3_last_insert_rowid(db);
	return PD_OK;
}

int appointments_update(sqlite3 *db, const struct appointment *a, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE appointments SET client_id = ?1, service_id = ?2, staff_id = ?3,"
			    " starts_at = ?4, ends_at = ?5, state = ?6, payment_state = ?7,"
			    " amount = ?8, currency = ?9, deposit = ?10, notes = ?11, updated_at = ?12,"
			    " version = version + 1 WHERE id = ?13 AND version = ?14",
			    &st, err);
	if (rc)
		return rc;
	bind_common(st, a);
	sqlite3_bind_int64(st, 13, a->id);
	sqlite3_bind_int64(st, 14, a->version);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving an appointment", err);
	if (sqlite3_changes(db) == 0)
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "someone else changed this appointment since you opened it; "
				    "nothing was saved — look at it again, then retry");
	return PD_OK;
}

int appointments_count_client(sqlite3 *db, int64_t client_id, int64_t *n, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT count(*) FROM appointments WHERE client_id = ?", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, client_id);
	*n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return PD_OK;
}

int appointments_note_state_change(sqlite3 *db, int64_t id, bool has_prev, enum appt_state prev,
				   int64_t at, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE appointments SET prev_state = ?1, state_changed_at = ?2"
			    " WHERE id = ?3",
			    &st, err);
	if (rc)
		return rc;
	if (has_prev)
		sqlite3_bind_text(st, 1, appt_state_key(prev), -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_int64(st, 3, id);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving an appointment", err);
	return PD_OK;
}

int appointments_last_state_change(sqlite3 *db, int64_t id, bool *has_prev, enum appt_state *prev,
				   int64_t *at, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT prev_state, state_changed_at FROM appointments WHERE id = ?", &st,
			    err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	*has_prev = false;
	if (step == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		*has_prev = key != NULL;
		*prev = key ? appt_state_parse(key) : APPT_BOOKED;
		*at = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (step == SQLITE_DONE)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "that appointment no longer exists");
	if (step != SQLITE_ROW)
		return db_fail(db, "reading an appointment", err);
	return PD_OK;
}
