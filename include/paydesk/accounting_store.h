/* The Stripe balance as an accountant's bank account: the balance
 * transactions the sync keeps (history_balance: payments, refunds, disputes,
 * adjustments, payouts, each with its fee), read in date order with the
 * billing-history record behind each, for the accounting exports. */
#ifndef PAYDESK_ACCOUNTING_STORE_H
#define PAYDESK_ACCOUNTING_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "paydesk/error.h"

struct accounting_txn {
	const char *id;          /* txn_… */
	const char *type;        /* charge, payment, refund, adjustment, payout, … */
	int64_t amount, fee;     /* signed minor units; the net is amount - fee */
	const char *currency;
	int64_t created;
	const char *source;      /* ch_…, re_…, po_…, du_… (may be "") */
	const char *client;      /* the record's client name ("" when none) */
	const char *description; /* the record's description ("" when none) */
};

/* Calls fn for each balance transaction created in [since, until) in
 * currency — of one payout when payout (po_…) is not NULL or "": the
 * transactions it paid out and its own — oldest first (strings valid
 * during the call). fn returns 0 to go on, anything else stops and is
 * returned. */
int accounting_txns_each(sqlite3 *db, int64_t since, int64_t until, const char *currency,
			 const char *payout, int (*fn)(void *ctx, const struct accounting_txn *t), void *ctx,
			 struct pd_error *err);

/* How many such transactions, and how many of them carry a fee. */
int accounting_txns_count(sqlite3 *db, int64_t since, int64_t until, const char *currency,
			  const char *payout, int64_t *txns, int64_t *with_fee, struct pd_error *err);

/* The currencies of the range's transactions (lowercase), at most max. */
int accounting_currencies(sqlite3 *db, int64_t since, int64_t until, const char *payout,
			  char (*out)[4], int max, int *n, struct pd_error *err);

#endif
