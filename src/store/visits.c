#include "paydesk/visits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/db.h"

static void copy_text(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	snprintf(out, len, "%s", v ? v : "");
}

static int read_visit(sqlite3_stmt *st, void *elem)
{
	struct visit *v = elem;
	memset(v, 0, sizeof *v);
	v->appointment_id = sqlite3_column_int64(st, 0);
	v->starts_at = sqlite3_column_int64(st, 1);
	v->ends_at = sqlite3_column_int64(st, 2);
	v->state = appt_state_parse((const char *)sqlite3_column_text(st, 3));
	v->payment = appt_payment_parse((const char *)sqlite3_column_text(st, 4));
	v->price = sqlite3_column_int64(st, 5);
	copy_text(st, 6, v->currency, sizeof v->currency);
	copy_text(st, 7, v->service, sizeof v->service);
	copy_text(st, 8, v->staff, sizeof v->staff);
	return 0;
}

static struct visit *find(struct visit *list, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].appointment_id == id)
			return &list[i];
	return NULL;
}

/* Every attempt of the client's appointments, added to its visit. */
static int add_money(sqlite3 *db, int64_t client_id, struct visit *list, size_t n,
		     struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT p.appointment_id, p.method, p.status, p.amount, p.refunded"
			    " FROM appointment_payments p JOIN appointments a ON a.id = p.appointment_id"
			    " WHERE a.client_id = ? ORDER BY p.id",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, client_id);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct visit *v = find(list, n, sqlite3_column_int64(st, 0));
		int method = payrow_method_from_key((const char *)sqlite3_column_text(st, 1));
		const char *status = (const char *)sqlite3_column_text(st, 2);
		if (!v || method < 0 || !status)
			continue;
		if (strcmp(status, "failed") == 0) {
			v->failed++;
			continue;
		}
		if (strcmp(status, "succeeded") != 0)
			continue; /* open, expired, cancelled, unknown: no money moved (yet) */
		int64_t amount = sqlite3_column_int64(st, 3), refunded = sqlite3_column_int64(st, 4);
		v->paid += amount;
		v->refunded += refunded;
		int t = 0;
		while (t < v->ntenders && v->tenders[t].method != (enum payrow_method)method)
			t++;
		if (t == v->ntenders && t < PAYROW_METHOD_COUNT)
			v->tenders[v->ntenders++] = (struct visit_tender){.method = method};
		if (t < PAYROW_METHOD_COUNT) {
			v->tenders[t].paid += amount;
			v->tenders[t].refunded += refunded;
		}
	}
	if (step != SQLITE_DONE)
		rc = db_fail(db, "reading the client's payments", err);
	sqlite3_finalize(st);
	return rc;
}

/* The charged fee of each of the client's visits (appointment_fees). */
static int add_fees(sqlite3 *db, int64_t client_id, struct visit *list, size_t n,
		    struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT f.appointment_id, f.kind, f.amount, f.refunded"
			    " FROM appointment_fees f JOIN appointments a ON a.id = f.appointment_id"
			    " WHERE a.client_id = ? AND f.state = 'charged'",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, client_id);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct visit *v = find(list, n, sqlite3_column_int64(st, 0));
		if (!v)
			continue;
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		v->fee_late = kind && strcmp(kind, "late_cancel") == 0;
		v->fee_charged = sqlite3_column_int64(st, 2);
		v->fee_refunded = sqlite3_column_int64(st, 3);
	}
	if (step != SQLITE_DONE)
		rc = db_fail(db, "reading the client's fees", err);
	sqlite3_finalize(st);
	return rc;
}

static void add_up(struct visit_summary *s, const struct visit *v)
{
	s->visits++;
	s->upcoming += v->upcoming && appt_state_holds_slot(v->state);
	s->completed += v->state == APPT_COMPLETED;
	s->no_shows += v->state == APPT_NO_SHOW;
	s->cancelled += v->state == APPT_CANCELLED;
	s->not_closed += !v->upcoming && appt_state_holds_slot(v->state) &&
			 v->state != APPT_COMPLETED;
	if (!v->paid && !v->due && !v->fee_charged)
		return;
	int c = 0;
	while (c < s->ncurrencies && strcmp(s->money[c].currency, v->currency) != 0)
		c++;
	if (c == s->ncurrencies) {
		if (c == VISITS_CURRENCIES) {
			s->more_currencies = true;
			return;
		}
		snprintf(s->money[c].currency, sizeof s->money[c].currency, "%s", v->currency);
		s->ncurrencies++;
	}
	s->money[c].paid += v->paid;
	s->money[c].refunded += v->refunded;
	s->money[c].due += v->due;
	s->money[c].fees += v->fee_charged;
	s->money[c].fees_refunded += v->fee_refunded;
}

int visits_for_client(sqlite3 *db, int64_t client_id, int64_t now, struct visit **out,
		      size_t *n, struct visit_summary *sum, struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	memset(sum, 0, sizeof *sum);
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT a.id, a.starts_at, a.ends_at, a.state, a.payment_state, a.amount,"
			    " a.currency, ifnull(s.name, ''), ifnull(f.name, '')"
			    " FROM appointments a LEFT JOIN services s ON s.id = a.service_id"
			    " LEFT JOIN staff f ON f.id = a.staff_id"
			    " WHERE a.client_id = ? ORDER BY a.starts_at DESC, a.id DESC",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, client_id);
	void *rows = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_visit, NULL, &rows, n, "reading the visits",
			  err);
	*out = rows;
	if (!rc)
		rc = add_money(db, client_id, *out, *n, err);
	if (!rc)
		rc = add_fees(db, client_id, *out, *n, err);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
		return rc;
	}
	for (size_t i = 0; i < *n; i++) {
		struct visit *v = &(*out)[i];
		v->upcoming = v->starts_at >= now;
		bool owed = appt_state_holds_slot(v->state) || v->state == APPT_COMPLETED;
		v->due = owed && v->price > v->paid ? v->price - v->paid : 0;
		add_up(sum, v);
	}
	return PD_OK;
}
