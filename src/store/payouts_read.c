/* Payouts as the screen and the CLI read them: pages, one payout's
 * transactions with the records behind them, a month's reconciliation. */
#include "paydesk/payouts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history_internal.h"
#include "paydesk/db.h"
#include "paydesk/tz.h"

static void text(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(out, len, "%s", t ? (const char *)t : "");
}

/* Each payout with what its transactions say: their count, the instant fee
 * on its own transaction, and their net sum (0 when they add up). */
#define PAYOUT_COLUMNS                                                                     \
	"p.id, p.created, p.arrival_date, p.amount, p.currency, p.status, p.automatic,"    \
	" p.method, p.description, p.failure_message, p.txns_done,"                        \
	" (SELECT count(*) FROM payout_txns t WHERE t.payout_id = p.id),"                 \
	" (SELECT coalesce(sum(t.net), 0) FROM payout_txns t WHERE t.payout_id = p.id),"  \
	" (SELECT coalesce(sum(t.fee), 0) FROM payout_txns t WHERE t.id = p.balance_txn)"

static int read_payout(sqlite3_stmt *st, void *elem)
{
	struct payout_row *p = elem;
	memset(p, 0, sizeof *p);
	text(st, 0, p->id, sizeof p->id);
	p->created = sqlite3_column_int64(st, 1);
	p->arrival_date = sqlite3_column_int64(st, 2);
	p->amount = sqlite3_column_int64(st, 3);
	text(st, 4, p->currency, sizeof p->currency);
	text(st, 5, p->status, sizeof p->status);
	p->automatic = sqlite3_column_int(st, 6);
	text(st, 7, p->method, sizeof p->method);
	text(st, 8, p->description, sizeof p->description);
	text(st, 9, p->failure, sizeof p->failure);
	p->txns_done = sqlite3_column_int(st, 10);
	p->txns = sqlite3_column_int(st, 11);
	p->difference = sqlite3_column_int64(st, 12);
	p->payout_fee = sqlite3_column_int64(st, 13);
	return 0;
}

int payouts_page(sqlite3 *db, int64_t before_created, const char *before_id, size_t limit,
		 struct payout_row **out, size_t *n, struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT " PAYOUT_COLUMNS " FROM payouts p"
			    " WHERE ?1 = '' OR (p.created, p.id) < (?2, ?1)"
			    " ORDER BY p.created DESC, p.id DESC LIMIT ?3",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, before_id ? before_id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, before_created);
	sqlite3_bind_int64(st, 3, (int64_t)limit);
	void *rows = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_payout, NULL, &rows, n, "reading payouts",
			  err);
	*out = rows;
	return rc;
}

int payout_get(sqlite3 *db, const char *id, struct payout_row *out, struct pd_error *err)
{
	if (!id || strlen(id) < 6 || strlen(id) > 60)
		return pd_error_set(err, PD_ERR_USAGE,
				    "give a payout id (po_…, at least its first 6 characters): "
				    "paydesk payouts list shows them");
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT " PAYOUT_COLUMNS " FROM payouts p WHERE p.id = ?1"
			    " OR substr(p.id, 1, length(?1)) = ?1 ORDER BY p.id = ?1 DESC LIMIT 2",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	struct payout_row *rows = NULL;
	void *got = NULL;
	size_t n = 0;
	rc = db_read_rows(db, st, sizeof *rows, read_payout, NULL, &got, &n, "reading a payout",
			  err);
	rows = got;
	if (!rc && n == 0)
		rc = pd_error_set(err, PD_ERR_NOT_FOUND,
				  "no payout %s here: paydesk payouts list shows the synced ones "
				  "(paydesk sync fetches new ones)",
				  id);
	else if (!rc && n > 1 && strcmp(rows[0].id, id) != 0)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "%s is the start of more than one payout: give more of its id", id);
	if (!rc)
		*out = rows[0];
	free(rows);
	return rc;
}

static int read_txn(sqlite3_stmt *st, void *elem)
{
	struct payout_txn_row *t = elem;
	memset(t, 0, sizeof *t);
	text(st, 0, t->id, sizeof t->id);
	t->created = sqlite3_column_int64(st, 1);
	t->available_on = sqlite3_column_int64(st, 2);
	text(st, 3, t->type, sizeof t->type);
	text(st, 4, t->category, sizeof t->category);
	t->amount = sqlite3_column_int64(st, 5);
	t->fee = sqlite3_column_int64(st, 6);
	t->net = sqlite3_column_int64(st, 7);
	text(st, 8, t->currency, sizeof t->currency);
	text(st, 9, t->source, sizeof t->source);
	text(st, 10, t->description, sizeof t->description);
	text(st, 11, t->record, sizeof t->record);
	text(st, 12, t->client, sizeof t->client);
	text(st, 13, t->appointment, sizeof t->appointment);
	text(st, 14, t->subscription, sizeof t->subscription);
	text(st, 15, t->plan, sizeof t->plan);
	return 0;
}

int payout_txns(sqlite3 *db, const char *payout_id, struct payout_txn_row **out, size_t *n,
		struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	/* the record behind: joined at read time, so a history synced after the
	 * payout still shows */
	int rc = db_prepare(db,
			    "SELECT t.id, t.created, t.available_on, t.type, t.category, t.amount,"
			    " t.fee, t.net, t.currency, t.source, t.description, h.stripe_id,"
			    " h.client_name, h.appointment_id, h.subscription_id, h.plan"
			    " FROM payout_txns t LEFT JOIN history h ON h.id = "
			    HISTORY_ROW_NEAR("stripe_id", "t.link", "t.created", "")
			    " WHERE t.payout_id = ?1 ORDER BY t.type = 'payout', t.created, t.id",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, payout_id, -1, SQLITE_TRANSIENT);
	void *rows = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_txn, NULL, &rows, n,
			  "reading a payout's transactions", err);
	*out = rows;
	return rc;
}

int payouts_month_range(const char *month, int64_t *start, int64_t *end, struct pd_error *err)
{
	int y = 0, m = 0;
	char tail = 0;
	if (!month || strlen(month) != 7 || sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2 ||
	    y < 2000 || y > 2100 || m < 1 || m > 12)
		return pd_error_set(err, PD_ERR_USAGE,
				    "the month is YYYY-MM (for example 2026-11), not \"%s\"",
				    month ? month : "");
	/* the configured time zone's month, as the rest of paydesk counts days */
	*start = tz_day_start(y, m, 1);
	*end = tz_day_start(y + (m == 12), m % 12 + 1, 1);
	return PD_OK;
}

static int read_month(sqlite3_stmt *st, void *elem)
{
	struct payout_month *m = elem;
	memset(m, 0, sizeof *m);
	text(st, 0, m->currency, sizeof m->currency);
	m->gross = sqlite3_column_int64(st, 1);
	m->refunds = sqlite3_column_int64(st, 2);
	m->disputes = sqlite3_column_int64(st, 3);
	m->adjustments = sqlite3_column_int64(st, 4);
	m->fees = sqlite3_column_int64(st, 5);
	m->net = sqlite3_column_int64(st, 6);
	m->paid_out = sqlite3_column_int64(st, 7);
	m->in_balance = sqlite3_column_int64(st, 8);
	m->txn_count = sqlite3_column_int(st, 9);
	return 0;
}

/* The payouts made in the month, added to the currencies' rows. */
static int month_payouts(sqlite3 *db, int64_t start, int64_t end, struct payout_month **rows,
			 size_t *n, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT p.currency, sum(p.amount), count(*),"
			    " coalesce(sum((SELECT t.fee FROM payout_txns t WHERE t.id = p.balance_txn)), 0)"
			    " FROM payouts p WHERE p.created >= ?1 AND p.created < ?2"
			    " AND p.status NOT IN ('failed', 'canceled') GROUP BY p.currency",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, end);
	int s;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		char cur[4];
		text(st, 0, cur, sizeof cur);
		size_t i = 0;
		while (i < *n && strcmp((*rows)[i].currency, cur) != 0)
			i++;
		if (i == *n) {
			void *grown = realloc(*rows, (*n + 1) * sizeof **rows);
			if (!grown) {
				rc = pd_error_set(err, PD_ERR, "out of memory");
				break;
			}
			*rows = grown;
			memset(&(*rows)[i], 0, sizeof **rows);
			snprintf((*rows)[i].currency, sizeof (*rows)[i].currency, "%s", cur);
			(*n)++;
		}
		(*rows)[i].payouts = sqlite3_column_int64(st, 1);
		(*rows)[i].payout_count = sqlite3_column_int(st, 2);
		(*rows)[i].payout_fees = sqlite3_column_int64(st, 3);
	}
	if (!rc && s != SQLITE_DONE)
		rc = db_fail(db, "reading the month's payouts", err);
	sqlite3_finalize(st);
	return rc;
}

int payouts_month(sqlite3 *db, const char *month, struct payout_month **out, size_t *n,
		  struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	int64_t start, end;
	int rc = payouts_month_range(month, &start, &end, err);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	/* payout transactions move money to the bank: not earnings */
	rc = db_prepare(db,
			"SELECT currency,"
			" sum(CASE WHEN type IN ('charge', 'payment') THEN amount ELSE 0 END),"
			" sum(CASE WHEN type IN ('refund', 'payment_refund', 'refund_failure',"
			"  'payment_failure_refund') THEN amount ELSE 0 END),"
			" sum(CASE WHEN category IN ('dispute', 'dispute_reversal') THEN amount"
			"  ELSE 0 END),"
			" sum(CASE WHEN type NOT IN ('charge', 'payment', 'refund', 'payment_refund',"
			"  'refund_failure', 'payment_failure_refund') AND category NOT IN ('dispute',"
			"  'dispute_reversal') THEN amount ELSE 0 END),"
			" sum(fee), sum(net),"
			" sum(CASE WHEN payout_id IS NOT NULL THEN net ELSE 0 END),"
			" sum(CASE WHEN payout_id IS NULL THEN net ELSE 0 END), count(*)"
			" FROM payout_txns WHERE created >= ?1 AND created < ?2"
			" AND type NOT IN ('payout', 'payout_cancel', 'payout_failure')"
			" GROUP BY currency ORDER BY currency",
			&st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, end);
	void *rows = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_month, NULL, &rows, n,
			  "reading the month's balance transactions", err);
	*out = rows;
	if (!rc)
		rc = month_payouts(db, start, end, out, n, err);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
