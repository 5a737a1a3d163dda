#include "paydesk/payments_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

static const char *const method_keys[] = {"card",    "link",     "reader",  "cash",  "cheque",
					  "voucher", "terminal", "package", "credit"};
static const char *const method_labels[] = {"card",         "pay link",           "reader",
					    "cash",         "cheque",             "gift voucher",
					    "other card machine", "package", "credit"};
static const char *const status_keys[] = {"starting", "open",      "succeeded", "failed",
					  "expired",  "cancelled", "unknown"};

const char *payrow_method_key(enum payrow_method m)
{
	return (unsigned)m < PAYROW_METHOD_COUNT ? method_keys[m] : "card";
}

bool payrow_method_is_desk(enum payrow_method m)
{
	return m >= PAYROW_CASH && m <= PAYROW_TERMINAL;
}

bool payrow_method_is_drawn(enum payrow_method m)
{
	return m == PAYROW_PACKAGE || m == PAYROW_CREDIT;
}

const char *payrow_method_label(enum payrow_method m)
{
	return (unsigned)m < PAYROW_METHOD_COUNT ? method_labels[m] : "card";
}

int payrow_method_from_key(const char *key)
{
	for (int i = 0; key && i < PAYROW_METHOD_COUNT; i++)
		if (strcmp(key, method_keys[i]) == 0)
			return i;
	return -1;
}

const char *payrow_status_key(enum payrow_status s)
{
	return (unsigned)s < 7 ? status_keys[s] : "unknown";
}

static int parse_key(const char *const *keys, int n, const unsigned char *v)
{
	for (int i = 0; v && i < n; i++)
		if (strcmp((const char *)v, keys[i]) == 0)
			return i;
	return 0;
}

void pay_attempt_free(struct pay_attempt *p)
{
	if (!p)
		return;
	free(p->payment_intent_id);
	free(p->checkout_session_id);
	free(p->reader_id);
	free(p->url);
	free(p->message);
	free(p->request_id);
	free(p->actor);
	free(p->note);
	memset(p, 0, sizeof *p);
}

void pay_attempts_free_list(struct pay_attempt **list, size_t n)
{
	if (!list || !*list)
		return;
	for (size_t i = 0; i < n; i++)
		pay_attempt_free(&(*list)[i]);
	free(*list);
	*list = NULL;
}

static char *opt_text(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return strdup((const char *)sqlite3_column_text(st, i));
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

#define PAYROW_SELECT                                                                          \
	"SELECT id, appointment_id, method, status, amount, refunded, currency,"                \
	" payment_intent_id, checkout_session_id, reader_id, url, message, request_id, actor,"  \
	" ifnull(expires_at, 0), created_at, updated_at, note FROM appointment_payments"

static void read_row(sqlite3_stmt *st, struct pay_attempt *p)
{
	memset(p, 0, sizeof *p);
	p->id = sqlite3_column_int64(st, 0);
	p->appointment_id = sqlite3_column_int64(st, 1);
	p->method = (enum payrow_method)parse_key(method_keys, PAYROW_METHOD_COUNT,
						  sqlite3_column_text(st, 2));
	p->status = (enum payrow_status)parse_key(status_keys, 7, sqlite3_column_text(st, 3));
	p->amount = sqlite3_column_int64(st, 4);
	p->refunded = sqlite3_column_int64(st, 5);
	snprintf(p->currency, sizeof p->currency, "%s", (const char *)sqlite3_column_text(st, 6));
	p->payment_intent_id = opt_text(st, 7);
	p->checkout_session_id = opt_text(st, 8);
	p->reader_id = opt_text(st, 9);
	p->url = opt_text(st, 10);
	p->message = opt_text(st, 11);
	p->request_id = opt_text(st, 12);
	p->actor = opt_text(st, 13);
	p->expires_at = sqlite3_column_int64(st, 14);
	p->created_at = sqlite3_column_int64(st, 15);
	p->updated_at = sqlite3_column_int64(st, 16);
	const unsigned char *note = sqlite3_column_text(st, 17);
	p->note = note && *note ? strdup((const char *)note) : NULL;
}

/* For db_read_rows, which sees rows as void *. */
static int read_any(sqlite3_stmt *st, void *p)
{
	read_row(st, p);
	return 0;
}

static void clear_any(void *p)
{
	pay_attempt_free(p);
}

int payrows_insert(sqlite3 *db, const struct pay_attempt *p, int64_t *id, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO appointment_payments (appointment_id, method, status, amount,"
			    " currency, payment_intent_id, checkout_session_id, reader_id, url,"
			    " expires_at, message, request_id, actor, created_at, updated_at, note, desk)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14,"
			    " ?15, ?16)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, p->appointment_id);
	sqlite3_bind_text(st, 2, payrow_method_key(p->method), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, payrow_status_key(p->status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, p->amount);
	sqlite3_bind_text(st, 5, p->currency, -1, SQLITE_TRANSIENT);
	bind_opt(st, 6, p->payment_intent_id);
	bind_opt(st, 7, p->checkout_session_id);
	bind_opt(st, 8, p->reader_id);
	bind_opt(st, 9, p->url);
	if (p->expires_at)
		sqlite3_bind_int64(st, 10, p->expires_at);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_text(st, 11, p->message ? p->message : "", -1, SQLITE_TRANSIENT);
	bind_opt(st, 12, p->request_id);
	sqlite3_bind_text(st, 13, p->actor ? p->actor : "system", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 14, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 15, p->note ? p->note : "", -1, SQLITE_TRANSIENT);
	bind_opt(st, 16, p->desk); /* the day close counts it for this desk */
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving a payment", err);
	*id = sqlite3_last_insert_rowid(db);
	return PD_OK;
}

int payrows_update(sqlite3 *db, const struct pay_attempt *p, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE appointment_payments SET status = ?1, refunded = ?2,"
			    " payment_intent_id = ?3, checkout_session_id = ?4, reader_id = ?5,"
			    " url = ?6, expires_at = ?7, message = ?8, request_id = ?9, updated_at = ?10"
			    " WHERE id = ?11",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, payrow_status_key(p->status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, p->refunded);
	bind_opt(st, 3, p->payment_intent_id);
	bind_opt(st, 4, p->checkout_session_id);
	bind_opt(st, 5, p->reader_id);
	bind_opt(st, 6, p->url);
	if (p->expires_at)
		sqlite3_bind_int64(st, 7, p->expires_at);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_text(st, 8, p->message ? p->message : "", -1, SQLITE_TRANSIENT);
	bind_opt(st, 9, p->request_id);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 11, p->id);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving a payment", err);
	return PD_OK;
}

static int get_one(sqlite3 *db, sqlite3_stmt *st, struct pay_attempt *out, const char *what,
		   struct pd_error *err)
{
	int step = sqlite3_step(st);
	int rc = PD_OK;
	if (step == SQLITE_ROW)
		read_row(st, out);
	else if (step == SQLITE_DONE)
		rc = pd_error_set(err, PD_ERR_NOT_FOUND, "%s", what);
	else
		rc = db_fail(db, "reading a payment", err);
	sqlite3_finalize(st);
	return rc;
}

int payrows_get(sqlite3 *db, int64_t id, struct pay_attempt *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st;
	int rc = db_prepare(db, PAYROW_SELECT " WHERE id = ?", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	return get_one(db, st, out, "that payment no longer exists", err);
}

int payrows_latest(sqlite3 *db, int64_t appointment_id, int method, struct pay_attempt *out,
		   struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    PAYROW_SELECT " WHERE appointment_id = ?1 AND (?2 = '' OR method = ?2)"
					  " ORDER BY id DESC LIMIT 1",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, appointment_id);
	sqlite3_bind_text(st, 2, method < 0 ? "" : payrow_method_key((enum payrow_method)method),
			  -1, SQLITE_STATIC);
	return get_one(db, st, out, "no payment has been started for this appointment", err);
}

int payrows_list(sqlite3 *db, int64_t appointment_id, struct pay_attempt **out, size_t *n,
		 struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db, PAYROW_SELECT " WHERE appointment_id = ? ORDER BY id", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, appointment_id);
	void *rows;
	rc = db_read_rows(db, st, sizeof **out, read_any, clear_any, &rows, n, "reading payments",
			  err);
	*out = rows;
	return rc;
}

enum sum_of { SUM_ALL, SUM_DESK, SUM_DRAWN };

static int sum_rows(sqlite3 *db, int64_t appointment_id, enum sum_of which, int64_t *paid,
		    int64_t *refunded, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    which == SUM_DRAWN
				    ? "SELECT ifnull(sum(amount), 0), ifnull(sum(refunded), 0) FROM"
				      " appointment_payments WHERE appointment_id = ? AND status ="
				      " 'succeeded' AND method IN ('package', 'credit')"
			    : which == SUM_DESK ? "SELECT ifnull(sum(amount), 0), ifnull(sum(refunded), 0) FROM"
					" appointment_payments WHERE appointment_id = ? AND status ="
					" 'succeeded' AND method IN ('cash', 'cheque', 'voucher',"
					" 'terminal')"
				      : "SELECT ifnull(sum(amount), 0), ifnull(sum(refunded), 0) FROM"
					" appointment_payments WHERE appointment_id = ? AND status ="
					" 'succeeded'",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, appointment_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*paid = sqlite3_column_int64(st, 0);
		*refunded = sqlite3_column_int64(st, 1);
	} else {
		rc = db_fail(db, "adding up payments", err);
	}
	sqlite3_finalize(st);
	return rc;
}

int payrows_totals(sqlite3 *db, int64_t appointment_id, int64_t *paid, int64_t *refunded,
		   struct pd_error *err)
{
	return sum_rows(db, appointment_id, SUM_ALL, paid, refunded, err);
}

int payrows_desk_totals(sqlite3 *db, int64_t appointment_id, int64_t *paid, int64_t *refunded,
			struct pd_error *err)
{
	return sum_rows(db, appointment_id, SUM_DESK, paid, refunded, err);
}

int payrows_drawn_totals(sqlite3 *db, int64_t appointment_id, int64_t *paid, int64_t *refunded,
			 struct pd_error *err)
{
	return sum_rows(db, appointment_id, SUM_DRAWN, paid, refunded, err);
}

int appointments_set_payment(sqlite3 *db, const struct appointment *a, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE appointments SET state = ?1, payment_state = ?2, deposit = ?3,"
			    " payment_intent_id = ?4, checkout_session_id = ?5, last_request_id = ?6,"
			    " updated_at = ?7, version = version + 1 WHERE id = ?8",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, appt_state_key(a->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, appt_payment_key(a->payment), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->deposit);
	bind_opt(st, 4, a->payment_intent_id);
	bind_opt(st, 5, a->checkout_session_id);
	bind_opt(st, 6, a->last_request_id);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 8, a->id);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving the appointment's payment", err);
	if (sqlite3_changes(db) == 0)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "appointment %lld no longer exists",
				    (long long)a->id);
	return PD_OK;
}

int clients_set_customer(sqlite3 *db, int64_t client_id, const char *customer_id,
			 struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE clients SET stripe_customer_id = ?1, updated_at = ?2,"
			    " version = version + 1 WHERE id = ?3",
			    &st, err);
	if (rc)
		return rc;
	bind_opt(st, 1, customer_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 3, client_id);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving the client's Stripe customer", err);
	return PD_OK;
}

/* ---- save-a-card links ---- */

void card_setup_free(struct card_setup *s)
{
	if (!s)
		return;
	free(s->checkout_session_id);
	free(s->url);
	free(s->status);
	free(s->payment_method_id);
	memset(s, 0, sizeof *s);
}

int card_setups_insert(sqlite3 *db, int64_t client_id, const char *session, const char *url,
		       int64_t expires_at, const char *actor, int64_t *id, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO card_setups (client_id, checkout_session_id, url, status,"
			    " expires_at, actor, created_at, updated_at)"
			    " VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?6)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, client_id);
	sqlite3_bind_text(st, 2, session, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, url, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, expires_at);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving a save-a-card link", err);
	*id = sqlite3_last_insert_rowid(db);
	return PD_OK;
}

static int read_setup(sqlite3_stmt *st, void *p)
{
	struct card_setup *out = p;
	out->id = sqlite3_column_int64(st, 0);
	out->client_id = sqlite3_column_int64(st, 1);
	out->checkout_session_id = opt_text(st, 2);
	out->url = opt_text(st, 3);
	out->status = opt_text(st, 4);
	out->payment_method_id = opt_text(st, 5);
	out->expires_at = sqlite3_column_int64(st, 6);
	out->created_at = sqlite3_column_int64(st, 7);
	return 0;
}

int card_setups_latest(sqlite3 *db, int64_t client_id, struct card_setup *out,
		       struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	return db_read_one(db,
			   "SELECT id, client_id, checkout_session_id, url, status,"
			   " payment_method_id, ifnull(expires_at, 0), created_at FROM card_setups"
			   " WHERE client_id = ? ORDER BY id DESC LIMIT 1",
			   client_id, NULL, read_setup, NULL, out, "reading save-a-card links", err,
			   "no save-a-card link was made for this client");
}

int card_setups_set_status(sqlite3 *db, int64_t id, const char *status,
			   const char *payment_method_id, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE card_setups SET status = ?1, payment_method_id = ?2, updated_at = ?3"
			    " WHERE id = ?4",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_TRANSIENT);
	bind_opt(st, 2, payment_method_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 4, id);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "saving a save-a-card link", err);
}

/* ---- saved cards ---- */

int client_cards_replace(sqlite3 *db, int64_t client_id, const struct client_card *cards,
			 size_t n, struct pd_error *err)
{
	sqlite3_stmt *del, *ins;
	int rc = db_prepare(db, "DELETE FROM client_cards WHERE client_id = ?", &del, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(del, 1, client_id);
	int step = sqlite3_step(del);
	sqlite3_finalize(del);
	if (step != SQLITE_DONE)
		return db_fail(db, "forgetting saved cards", err);
	rc = db_prepare(db,
			"INSERT OR REPLACE INTO client_cards (client_id, payment_method_id, brand, last4,"
			" exp_month, exp_year, position, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			&ins, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, client_id);
		sqlite3_bind_text(ins, 2, cards[i].payment_method_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 3, cards[i].brand, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 4, cards[i].last4, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(ins, 5, cards[i].exp_month);
		sqlite3_bind_int(ins, 6, cards[i].exp_year);
		sqlite3_bind_int64(ins, 7, (sqlite3_int64)i);
		sqlite3_bind_int64(ins, 8, (sqlite3_int64)time(NULL));
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = db_fail(db, "saving saved cards", err);
	}
	sqlite3_finalize(ins);
	return rc;
}

static int read_card(sqlite3_stmt *st, void *p)
{
	struct client_card *c = p;
	snprintf(c->payment_method_id, sizeof c->payment_method_id, "%s",
		 (const char *)sqlite3_column_text(st, 0));
	snprintf(c->brand, sizeof c->brand, "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(c->last4, sizeof c->last4, "%s", (const char *)sqlite3_column_text(st, 2));
	c->exp_month = sqlite3_column_int(st, 3);
	c->exp_year = sqlite3_column_int(st, 4);
	return 0;
}

int client_cards_list(sqlite3 *db, int64_t client_id, struct client_card **out, size_t *n,
		      struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT payment_method_id, brand, last4, exp_month, exp_year FROM client_cards"
			    " WHERE client_id = ? ORDER BY position",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, client_id);
	void *rows;
	rc = db_read_rows(db, st, sizeof **out, read_card, NULL, &rows, n, "reading saved cards",
			  err);
	*out = rows;
	return rc;
}
