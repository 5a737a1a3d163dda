/* Payouts and balance transactions as the sync writes them (see payouts.h). */
#include "paydesk/payouts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t num(json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

/* An id whether the field holds it or the expanded object. */
static const char *id_of(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_object(v) ? str(v, "id") : json_string_value(v);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, struct pd_error *err)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? PD_OK : db_fail(db, what, err);
	sqlite3_finalize(st);
	return rc;
}

int payouts_put(sqlite3 *db, json_t *p, struct pd_error *err)
{
	const char *id = str(p, "id"), *currency = str(p, "currency");
	if (!id || !currency || !str(p, "status"))
		return pd_error_set(err, PD_ERR, "Stripe sent a payout without id, currency or status");
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO payouts (id, created, arrival_date, amount, currency, status,"
			    " automatic, method, description, failure_message, balance_txn, synced_at)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
			    " ON CONFLICT (id) DO UPDATE SET arrival_date = ?3, amount = ?4,"
			    " status = ?6, description = ?9, failure_message = ?10,"
			    " balance_txn = ?11, synced_at = ?12",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, num(p, "created"));
	sqlite3_bind_int64(st, 3, num(p, "arrival_date"));
	sqlite3_bind_int64(st, 4, num(p, "amount"));
	sqlite3_bind_text(st, 5, currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, str(p, "status"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 7, json_is_true(json_object_get(p, "automatic")));
	sqlite3_bind_text(st, 8, str(p, "method") ? str(p, "method") : "standard", -1,
			  SQLITE_TRANSIENT);
	bind_opt(st, 9, str(p, "description"));
	bind_opt(st, 10, str(p, "failure_message"));
	bind_opt(st, 11, id_of(p, "balance_transaction"));
	sqlite3_bind_int64(st, 12, (int64_t)time(NULL));
	return step_done(db, st, "saving a payout", err);
}

/* The history row behind a transaction: a refund's own row, else the
 * payment's (PaymentIntent) when the source says which. */
static const char *link_of(json_t *t)
{
	json_t *src = json_object_get(t, "source");
	if (!json_is_object(src))
		return NULL;
	const char *kind = str(src, "object");
	if (kind && strcmp(kind, "refund") == 0)
		return str(src, "id");
	return id_of(src, "payment_intent");
}

int payout_txn_put(sqlite3 *db, json_t *t, const char *payout_id, struct pd_error *err)
{
	const char *id = str(t, "id"), *type = str(t, "type"), *currency = str(t, "currency");
	if (!id || !type || !currency)
		return pd_error_set(err, PD_ERR,
				    "Stripe sent a balance transaction without id, type or currency");
	const char *category = str(t, "reporting_category");
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO payout_txns (id, payout_id, created, available_on, type,"
			    " category, amount, fee, net, currency, source, link, description)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
			    " ON CONFLICT (id) DO UPDATE SET payout_id = coalesce(?2, payout_id),"
			    " available_on = ?4, link = coalesce(?12, link)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	bind_opt(st, 2, payout_id);
	sqlite3_bind_int64(st, 3, num(t, "created"));
	sqlite3_bind_int64(st, 4, num(t, "available_on"));
	sqlite3_bind_text(st, 5, type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, category ? category : type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, num(t, "amount"));
	sqlite3_bind_int64(st, 8, num(t, "fee"));
	sqlite3_bind_int64(st, 9, num(t, "net"));
	sqlite3_bind_text(st, 10, currency, -1, SQLITE_TRANSIENT);
	bind_opt(st, 11, id_of(t, "source"));
	bind_opt(st, 12, link_of(t));
	bind_opt(st, 13, str(t, "description"));
	return step_done(db, st, "saving a balance transaction", err);
}

int payout_txns_progress(sqlite3 *db, const char *payout_id, const char *after, bool done,
			 struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "UPDATE payouts SET txns_after = ?2, txns_done = ?3 WHERE id = ?1",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, payout_id, -1, SQLITE_TRANSIENT);
	bind_opt(st, 2, after);
	sqlite3_bind_int(st, 3, done);
	return step_done(db, st, "saving a payout's progress", err);
}

static int read_todo(sqlite3_stmt *st, void *elem)
{
	struct payout_todo *t = elem;
	const unsigned char *id = sqlite3_column_text(st, 0), *after = sqlite3_column_text(st, 2);
	snprintf(t->id, sizeof t->id, "%s", id ? (const char *)id : "");
	t->automatic = sqlite3_column_int(st, 1);
	snprintf(t->after, sizeof t->after, "%s", after ? (const char *)after : "");
	return 0;
}

static int todo_list(sqlite3 *db, const char *sql, struct payout_todo **out, size_t *n,
		     struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st, err);
	if (rc)
		return rc;
	void *rows = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_todo, NULL, &rows, n, "reading payouts", err);
	*out = rows;
	return rc;
}

int payouts_todo(sqlite3 *db, struct payout_todo **out, size_t *n, struct pd_error *err)
{
	/* oldest first: a manual payout drew on what earlier ones left */
	return todo_list(db,
			 "SELECT id, automatic, txns_after FROM payouts WHERE NOT txns_done"
			 " ORDER BY created, id",
			 out, n, err);
}

int payouts_unsettled(sqlite3 *db, struct payout_todo **out, size_t *n, struct pd_error *err)
{
	return todo_list(db,
			 "SELECT id, automatic, NULL FROM payouts WHERE status IN ('pending',"
			 " 'in_transit') ORDER BY created, id",
			 out, n, err);
}

int payouts_attribute_manual(sqlite3 *db, const char *payout_id, bool *done,
			     struct pd_error *err)
{
	*done = false;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT p.created, p.currency, t.id, -t.net FROM payouts p"
			    " JOIN payout_txns t ON t.id = p.balance_txn WHERE p.id = ?",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, payout_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st); /* its own transaction not listed yet: next time */
		return PD_OK;
	}
	int64_t created = sqlite3_column_int64(st, 0), left = sqlite3_column_int64(st, 3);
	char currency[8], own[64];
	snprintf(currency, sizeof currency, "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(own, sizeof own, "%s", (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	sqlite3_stmt *pick, *set;
	if ((rc = db_prepare(db,
			     "SELECT id, net FROM payout_txns WHERE payout_id IS NULL"
			     " AND currency = ?1 AND available_on <= ?2 AND type NOT IN"
			     " ('payout', 'payout_cancel', 'payout_failure')"
			     " ORDER BY available_on, created, id",
			     &pick, err)))
		return rc;
	if ((rc = db_prepare(db, "UPDATE payout_txns SET payout_id = ?2 WHERE id = ?1", &set,
			     err))) {
		sqlite3_finalize(pick);
		return rc;
	}
	sqlite3_bind_text(pick, 1, currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(pick, 2, created);
	sqlite3_bind_text(set, 2, payout_id, -1, SQLITE_TRANSIENT);
	/* ids first: the update must not disturb the walk */
	char (*ids)[64] = NULL;
	size_t n = 0, cap = 0;
	int s;
	while ((s = sqlite3_step(pick)) == SQLITE_ROW) {
		int64_t net = sqlite3_column_int64(pick, 1);
		if (net > left)
			break;
		left -= net;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			void *grown = realloc(ids, cap * sizeof *ids);
			if (!grown) {
				rc = pd_error_set(err, PD_ERR, "out of memory");
				break;
			}
			ids = grown;
		}
		snprintf(ids[n++], sizeof ids[0], "%s", (const char *)sqlite3_column_text(pick, 0));
	}
	if (!rc && s != SQLITE_ROW && s != SQLITE_DONE)
		rc = db_fail(db, "reading the balance", err);
	sqlite3_finalize(pick);
	for (size_t i = 0; !rc && i <= n; i++) {
		sqlite3_reset(set);
		sqlite3_bind_text(set, 1, i < n ? ids[i] : own, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(set) != SQLITE_DONE)
			rc = db_fail(db, "attributing a payout", err);
	}
	sqlite3_finalize(set);
	free(ids);
	if (!rc)
		rc = payout_txns_progress(db, payout_id, NULL, true, err);
	if (!rc)
		*done = true;
	return rc;
}
