/* Balance transactions for the accounting exports. See accounting_store.h. */
#include "paydesk/accounting_store.h"

#include <stdio.h>
#include <string.h>

#include "history_internal.h"
#include "paydesk/db.h"

static const char *text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

static void bind_range(sqlite3_stmt *st, int64_t since, int64_t until, const char *currency,
		       const char *payout)
{
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	sqlite3_bind_text(st, 3, currency ? currency : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, payout ? payout : "", -1, SQLITE_TRANSIENT);
}

/* One payout's statement: what it paid out (payout_txns, from the payout
 * sync) and the payout itself (its own balance transaction's source). */
#define PAYOUT_FILTER                                                                     \
	" AND (?4 = '' OR b.source = ?4 OR b.id IN"                                        \
	"  (SELECT id FROM payout_txns WHERE payout_id = ?4))"

int accounting_txns_each(sqlite3 *db, int64_t since, int64_t until, const char *currency,
			 const char *payout, int (*fn)(void *ctx, const struct accounting_txn *t), void *ctx,
			 struct pd_error *err)
{
	sqlite3_stmt *st;
	/* A charge's record is found by its charge id, a refund's (or a
	 * dispute's, when the sync keeps one) by its own id. */
	int rc = db_prepare(
		db,
		"SELECT b.id, ifnull(b.type, ''), ifnull(b.amount, 0), ifnull(b.fee, 0),"
		" b.currency, ifnull(b.created, 0), ifnull(b.source, ''),"
		" coalesce(p.client_name, r.client_name, ''),"
		" coalesce(p.description, r.description, '')"
		" FROM history_balance b"
		" LEFT JOIN history p ON p.id = "
		HISTORY_ROW_NEAR("charge_id", "CASE WHEN " HISTORY_SOURCE_IS_CHARGE("b.source")
				 " THEN b.source END", "b.created", " AND n.type = 'payment'")
		" LEFT JOIN history r ON r.id = "
		HISTORY_ROW_NEAR("stripe_id", "CASE WHEN NOT " HISTORY_SOURCE_IS_CHARGE("b.source")
				 " THEN b.source END", "b.created", "")
		" WHERE b.created >= ?1 AND b.created < ?2 AND (?3 = '' OR b.currency = ?3)"
		" AND b.currency IS NOT NULL" PAYOUT_FILTER
		" ORDER BY b.created, b.id",
		&st, err);
	if (rc)
		return rc;
	bind_range(st, since, until, currency, payout);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct accounting_txn t = {
			.id = text(st, 0), .type = text(st, 1),
			.amount = sqlite3_column_int64(st, 2), .fee = sqlite3_column_int64(st, 3),
			.currency = text(st, 4), .created = sqlite3_column_int64(st, 5),
			.source = text(st, 6), .client = text(st, 7), .description = text(st, 8)};
		rc = fn(ctx, &t);
		if (rc)
			break;
	}
	sqlite3_finalize(st);
	if (rc)
		return rc;
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "reading the balance transactions", err);
}

int accounting_txns_count(sqlite3 *db, int64_t since, int64_t until, const char *currency,
			  const char *payout, int64_t *txns, int64_t *with_fee, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT count(*), ifnull(sum(ifnull(b.fee, 0) != 0), 0)"
			    " FROM history_balance b"
			    " WHERE b.created >= ?1 AND b.created < ?2 AND (?3 = '' OR b.currency = ?3)"
			    " AND b.currency IS NOT NULL" PAYOUT_FILTER,
			    &st, err);
	if (rc)
		return rc;
	bind_range(st, since, until, currency, payout);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*txns = sqlite3_column_int64(st, 0);
		*with_fee = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return step == SQLITE_ROW ? PD_OK : db_fail(db, "counting the balance transactions", err);
}

int accounting_currencies(sqlite3 *db, int64_t since, int64_t until, const char *payout,
			  char (*out)[4], int max, int *n, struct pd_error *err)
{
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT DISTINCT b.currency FROM history_balance b"
			    " WHERE b.created >= ?1 AND b.created < ?2 AND (?3 = '' OR b.currency = ?3)"
			    " AND b.currency IS NOT NULL" PAYOUT_FILTER " ORDER BY 1",
			    &st, err);
	if (rc)
		return rc;
	bind_range(st, since, until, NULL, payout);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (*n < max)
			snprintf(out[(*n)++], 4, "%s", text(st, 0));
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "reading the currencies", err);
}
