/* The day close's reads and writes (schema 23). See day_close_store.h. */
#include "paydesk/day_close_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/db.h"

static const char *const tender_order[] = {"cash", "cheque", "voucher", "terminal", "card", NULL};

static int tender_rank(const char *t)
{
	for (int i = 0; tender_order[i]; i++)
		if (strcmp(t, tender_order[i]) == 0)
			return i;
	return 9;
}

static int cmp_line(const void *a, const void *b)
{
	const struct day_close_line *x = a, *y = b;
	int rx = tender_rank(x->tender), ry = tender_rank(y->tender);
	if (rx != ry)
		return rx - ry;
	int c = strcmp(x->tender, y->tender);
	return c ? c : strcmp(x->currency, y->currency);
}

static struct day_close_line *slot(struct day_close_line *out, int max, int *n, const char *tender,
				   const char *currency)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(out[i].tender, tender) == 0 && strcmp(out[i].currency, currency) == 0)
			return &out[i];
	if (*n >= max)
		return NULL;
	struct day_close_line *l = &out[(*n)++];
	memset(l, 0, sizeof *l);
	snprintf(l->tender, sizeof l->tender, "%s", tender);
	snprintf(l->currency, sizeof l->currency, "%s", currency);
	return l;
}

static const char *text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* Each statement gives: tender, currency, count, taken, refunded, in_history. */
static int add_rows(sqlite3 *db, const char *sql, const struct day_close_scope *s,
		    struct day_close_line *out, int max, int *n, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, s->since);
	sqlite3_bind_int64(st, 2, s->until);
	sqlite3_bind_text(st, 3, s->desk ? s->desk : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, s->user ? s->user : "", -1, SQLITE_TRANSIENT);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct day_close_line *l = slot(out, max, n, text(st, 0), text(st, 1));
		if (!l)
			continue;
		l->count += sqlite3_column_int64(st, 2);
		l->taken += sqlite3_column_int64(st, 3);
		l->refunded += sqlite3_column_int64(st, 4);
		l->in_history += sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "adding up the day's takings", err);
}

/* What the day's scope expected, one statement a kind of money (each row as
 * add_rows reads it). */
static const char *const expected_sql[] = {
	/* Desk tenders taken: the history record "desk_<payment row>" and its row
	 * (desk, who); the partial index history_desk finds the day's records. */
	"SELECT ifnull(h.payment_method, 'cash'), h.currency, count(*), sum(h.amount), 0, 0"
	" FROM history h JOIN appointment_payments p"
	"  ON p.id = CAST(substr(h.stripe_id, 6) AS INTEGER)"
	" WHERE h.type = 'desk' AND h.created >= ?1 AND h.created < ?2"
	"  AND (?3 = '' OR p.desk = ?3) AND (?4 = '' OR p.actor = ?4 COLLATE NOCASE)"
	" GROUP BY 1, 2",
	/* Desk refunds: who handed it back where (desk_refunds), else — before
	 * schema 23 — the desk and user who took the payment. */
	"SELECT ifnull(h.payment_method, 'cash'), h.currency, count(*), 0,"
	" sum(h.amount), 0"
	" FROM history h LEFT JOIN desk_refunds r ON r.history_id = h.stripe_id"
	" LEFT JOIN appointment_payments p"
	"  ON p.id = CAST(substr(h.payment_intent, 6) AS INTEGER)"
	" WHERE h.type = 'desk_refund' AND h.created >= ?1 AND h.created < ?2"
	"  AND (?3 = '' OR coalesce(r.desk, p.desk) = ?3)"
	"  AND (?4 = '' OR coalesce(r.actor, p.actor) = ?4 COLLATE NOCASE)"
	" GROUP BY 1, 2",
	/* Packages and credit sold here: desk tenders into the till, a saved
	 * card as Stripe's. A sale's refund is its desk_refund record, above, on
	 * the day it was handed back. */
	"SELECT CASE method WHEN 'card' THEN 'card' ELSE method END, currency,"
	" count(*), sum(price), 0, 0"
	" FROM client_packages"
	" WHERE state IN ('active', 'refunded') AND bought_at >= ?1 AND bought_at < ?2"
	"  AND (?3 = '' OR desk = ?3) AND (?4 = '' OR sold_by = ?4 COLLATE NOCASE)"
	" GROUP BY 1, 2",
	/* A card sale's refunds: at the desk and user that made them, on the
	 * day made (package_refunds, schema 33); a desk tender's are the
	 * desk_refund records above. */
	"SELECT 'card', currency, count(*), 0, sum(amount), 0 FROM package_refunds"
	" WHERE tender = 'card' AND refunded_at >= ?1 AND refunded_at < ?2"
	"  AND (?3 = '' OR desk = ?3) AND (?4 = '' OR actor = ?4 COLLATE NOCASE)"
	" GROUP BY 2",
	/* Cards: what Stripe confirmed to this desk, a tip typed with it
	 * included (Stripe took amount + tip); a payment's history row has its
	 * PaymentIntent as stripe_id (unique index). */
	"SELECT 'card', p.currency, count(*), sum(p.amount + p.tip),"
	" sum(p.refunded - (SELECT ifnull(sum(r.amount), 0) FROM card_refunds r"
	"   WHERE r.payment_intent_id = p.payment_intent_id)),"
	" sum(EXISTS (SELECT 1 FROM history h WHERE h.stripe_id = p.payment_intent_id))"
	" FROM appointment_payments p"
	" WHERE p.method IN ('card', 'link', 'reader') AND p.status = 'succeeded'"
	"  AND p.created_at >= ?1 AND p.created_at < ?2"
	"  AND (?3 = '' OR p.desk = ?3) AND (?4 = '' OR p.actor = ?4 COLLATE NOCASE)"
	" GROUP BY 2",
	/* Card refunds of appointments' payments, where and by whom made
	 * (schema 33); a refund noted nowhere stays with its payment, above. */
	"SELECT 'card', currency, count(*), 0, sum(amount), 0 FROM card_refunds"
	" WHERE refunded_at >= ?1 AND refunded_at < ?2"
	"  AND (?3 = '' OR desk = ?3) AND (?4 = '' OR actor = ?4 COLLATE NOCASE)"
	" GROUP BY 2",
	/* No-show and late-cancellation fees: card money of the desk and user
	 * that charged them, on the day Stripe confirmed it (schema 27). */
	"SELECT 'card', f.currency, count(*), sum(f.amount), sum(f.refunded),"
	" sum(EXISTS (SELECT 1 FROM history h WHERE h.stripe_id = f.payment_intent_id))"
	" FROM appointment_fees f"
	" WHERE f.state = 'charged' AND f.charged_at >= ?1 AND f.charged_at < ?2"
	"  AND (?3 = '' OR f.desk = ?3) AND (?4 = '' OR f.charged_by = ?4 COLLATE NOCASE)"
	" GROUP BY 2",
	NULL,
};

int day_close_expected(sqlite3 *db, const struct day_close_scope *s, struct day_close_line *out,
		       int max, int *n, struct pd_error *err)
{
	*n = 0;
	int rc = PD_OK;
	for (int i = 0; !rc && expected_sql[i]; i++)
		rc = add_rows(db, expected_sql[i], s, out, max, n, err);
	if (!rc)
		qsort(out, (size_t)*n, sizeof *out, cmp_line);
	return rc;
}

int day_close_note_desk_refund(sqlite3 *db, const char *history_id, const char *desk,
			       const char *actor, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "INSERT INTO desk_refunds (history_id, desk, actor) VALUES (?, ?, ?)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, history_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, desk, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "noting who refunded at the desk", err);
}

int day_close_note_card_refund(sqlite3 *db, const char *payment_intent, int64_t amount,
			       const char *currency, const char *refund_id, const char *desk,
			       const char *actor, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO card_refunds (payment_intent_id, amount, currency, refund_id,"
			    " desk, actor, refunded_at) VALUES (?, ?, ?, ?, ?, ?, strftime('%s'))",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, payment_intent, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, amount);
	sqlite3_bind_text(st, 3, currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, refund_id ? refund_id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, desk, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, actor, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "noting who refunded the card", err);
}

/* The till after the closes of r's day, desk and user, in order: a first
 * close and a whole-till one (schema 36) counted it all; an older later
 * close counted only what came after the one before, so it adds up. */
static int till_of(sqlite3 *db, struct day_close_row *r, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT expected_cash, counted_cash, whole_till FROM day_closes"
			    " WHERE day = ?1 AND desk = ?2 AND user_name = ?3 COLLATE NOCASE"
			    " AND currency = ?4 ORDER BY closed_at, id",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, r->day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->desk, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->currency, -1, SQLITE_TRANSIENT);
	r->till_cash = r->day_difference = 0;
	int step, first = 1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t counted = sqlite3_column_int64(st, 1);
		r->day_difference += counted - sqlite3_column_int64(st, 0);
		r->till_cash = first || sqlite3_column_int(st, 2) ? counted : r->till_cash + counted;
		first = 0;
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "reading the day's closes", err);
}

int day_close_get(sqlite3 *db, const char *day, const char *desk, const char *user,
		  struct day_close_row *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT id, day, desk, user_name, currency, expected_cash, counted_cash,"
			    " comment, closed_by, closed_at, covers_from, whole_till,"
			    " (SELECT count(*) - 1 FROM day_closes e WHERE e.day = ?1 AND e.desk = ?2"
			    "   AND e.user_name = ?3 COLLATE NOCASE)"
			    " FROM day_closes"
			    " WHERE day = ?1 AND desk = ?2 AND user_name = ?3 COLLATE NOCASE"
			    " ORDER BY closed_at DESC, id DESC LIMIT 1",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, desk ? desk : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, user ? user : "", -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		snprintf(out->day, sizeof out->day, "%s", text(st, 1));
		snprintf(out->desk, sizeof out->desk, "%s", text(st, 2));
		snprintf(out->user, sizeof out->user, "%s", text(st, 3));
		snprintf(out->currency, sizeof out->currency, "%s", text(st, 4));
		out->expected_cash = sqlite3_column_int64(st, 5);
		out->counted_cash = sqlite3_column_int64(st, 6);
		snprintf(out->comment, sizeof out->comment, "%s", text(st, 7));
		snprintf(out->closed_by, sizeof out->closed_by, "%s", text(st, 8));
		out->closed_at = sqlite3_column_int64(st, 9);
		out->covers_from = sqlite3_column_int64(st, 10);
		out->whole_till = sqlite3_column_int(st, 11) != 0;
		out->earlier = sqlite3_column_int(st, 12);
	}
	sqlite3_finalize(st);
	if (step == SQLITE_DONE)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "%s is not closed", day);
	if (step != SQLITE_ROW)
		return db_fail(db, "reading a day close", err);
	rc = db_prepare(db,
			"SELECT tender, currency, count, taken, refunded, in_history"
			" FROM day_close_lines WHERE close_id = ?",
			&st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, out->id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct day_close_line *l =
			slot(out->lines, DAY_CLOSE_MAX_LINES, &out->nlines, text(st, 0), text(st, 1));
		if (!l)
			continue;
		l->count = sqlite3_column_int64(st, 2);
		l->taken = sqlite3_column_int64(st, 3);
		l->refunded = sqlite3_column_int64(st, 4);
		l->in_history = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "reading a day close", err);
	qsort(out->lines, (size_t)out->nlines, sizeof out->lines[0], cmp_line);
	return till_of(db, out, err);
}

int day_close_closed_lines(sqlite3 *db, const char *day, const char *desk, const char *user,
			   struct day_close_line *out, int max, int *n, struct pd_error *err)
{
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT l.tender, l.currency, sum(l.count), sum(l.taken), sum(l.refunded),"
			    " sum(l.in_history) FROM day_close_lines l JOIN day_closes c"
			    " ON c.id = l.close_id WHERE c.day = ?1 AND c.desk = ?2"
			    " AND c.user_name = ?3 COLLATE NOCASE GROUP BY 1, 2",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, desk ? desk : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, user ? user : "", -1, SQLITE_TRANSIENT);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct day_close_line *l = slot(out, max, n, text(st, 0), text(st, 1));
		if (!l)
			continue;
		l->count = sqlite3_column_int64(st, 2);
		l->taken = sqlite3_column_int64(st, 3);
		l->refunded = sqlite3_column_int64(st, 4);
		l->in_history = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "reading the day's closes", err);
}

int day_close_others(sqlite3 *db, const char *day, const char *desk, const char *user,
		     struct day_close_brief *out, int max, int *n, struct pd_error *err)
{
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT desk, user_name, closed_by, max(closed_at), count(*)"
			    " FROM day_closes WHERE day = ?1 AND (?2 = '' OR desk = ?2)"
			    " AND (?3 = '' OR user_name = ?3 COLLATE NOCASE)"
			    " AND NOT (desk = ?2 AND user_name = ?3 COLLATE NOCASE)"
			    " GROUP BY desk, user_name COLLATE NOCASE ORDER BY desk, user_name",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, desk ? desk : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, user ? user : "", -1, SQLITE_TRANSIENT);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct day_close_brief *b = &out[(*n)++];
		snprintf(b->desk, sizeof b->desk, "%s", text(st, 0));
		snprintf(b->user, sizeof b->user, "%s", text(st, 1));
		snprintf(b->closed_by, sizeof b->closed_by, "%s", text(st, 2));
		b->closed_at = sqlite3_column_int64(st, 3);
		b->closes = sqlite3_column_int(st, 4);
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE || step == SQLITE_ROW
		       ? PD_OK
		       : db_fail(db, "reading the day's closes", err);
}

int day_close_insert(sqlite3 *db, struct day_close_row *r, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO day_closes (day, desk, user_name, currency, expected_cash,"
			    " counted_cash, comment, closed_by, closed_at, covers_from, whole_till)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, r->day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->desk, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, r->expected_cash);
	sqlite3_bind_int64(st, 6, r->counted_cash);
	sqlite3_bind_text(st, 7, r->comment, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, r->closed_by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, r->closed_at);
	sqlite3_bind_int64(st, 10, r->covers_from);
	sqlite3_bind_int(st, 11, r->whole_till);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step == SQLITE_CONSTRAINT)
		return pd_error_set(err, PD_ERR_EXISTS, "%s is already closed", r->day);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving the day close", err);
	r->id = sqlite3_last_insert_rowid(db);
	st = NULL;
	rc = db_prepare(db,
			"INSERT INTO day_close_lines (close_id, tender, currency, count, taken,"
			" refunded, in_history) VALUES (?, ?, ?, ?, ?, ?, ?)",
			&st, err);
	for (int i = 0; !rc && i < r->nlines; i++) {
		const struct day_close_line *l = &r->lines[i];
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_text(st, 2, l->tender, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, l->currency, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, l->count);
		sqlite3_bind_int64(st, 5, l->taken);
		sqlite3_bind_int64(st, 6, l->refunded);
		sqlite3_bind_int64(st, 7, l->in_history);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(db, "saving the day close", err);
	}
	sqlite3_finalize(st);
	return rc;
}
