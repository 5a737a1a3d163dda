/* Payouts in the store: each payout Stripe made and every balance
 * transaction (payments, refunds, fees, disputes, adjustments, payouts),
 * each tied to the payout that paid it out and to the history row behind
 * it; the checks that a payout's transactions add up to it, and a month's
 * reconciliation. A cache of Stripe, filled by payout_sync (app layer). */
#ifndef PAYDESK_PAYOUTS_H
#define PAYDESK_PAYOUTS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

struct payout_row {
	char id[64];
	int64_t created, arrival_date;
	int64_t amount;
	char currency[4];
	char status[16];
	bool automatic;
	char method[12];        /* "standard" | "instant" */
	char description[64];
	char failure[96];       /* why it failed, "" */
	/* from its transactions: */
	long txns;              /* how many, its own included */
	int64_t payout_fee;     /* an instant payout's fee */
	int64_t difference;     /* net of all its transactions, its own included: 0 when they
				 * add up to it */
	bool txns_done;         /* all its transactions are known */
};

/* One balance transaction with what is behind it (history row, if synced). */
struct payout_txn_row {
	char id[64];
	int64_t created, available_on;
	char type[24];          /* Stripe's type: charge, refund, adjustment, payout, … */
	char category[28];      /* reporting_category: charge, refund, dispute, … */
	int64_t amount, fee, net;
	char currency[4];
	char source[64];        /* ch_, re_, dp_, po_ id or "" */
	char description[96];
	/* the record behind it: "" when not in the history (yet) */
	char record[64];        /* history stripe_id: pi_…, re_…, in_… */
	char client[64];
	char appointment[40];
	char subscription[40];
	char plan[48];
};

/* ---- written by the sync ------------------------------------------------- */

/* Insert or update a payout from Stripe's object (status and the like may
 * have changed); keeps what is known of its transactions. */
int payouts_put(sqlite3 *db, json_t *payout, struct pd_error *err);
/* Insert or update a balance transaction (source expanded or an id).
 * payout_id: the automatic payout Stripe says paid it out, or NULL to keep
 * what is known. */
int payout_txn_put(sqlite3 *db, json_t *txn, const char *payout_id, struct pd_error *err);
/* A payout's transactions are listed up to after (a txn id), or all (done). */
int payout_txns_progress(sqlite3 *db, const char *payout_id, const char *after, bool done,
			 struct pd_error *err);
/* Payouts whose transactions are still to be listed (automatic ones, oldest
 * first, with where to resume), and payouts whose status may yet change. */
struct payout_todo {
	char id[64];
	bool automatic;
	char after[64]; /* "" : from the start */
};
int payouts_todo(sqlite3 *db, struct payout_todo **out, size_t *n, struct pd_error *err);
int payouts_unsettled(sqlite3 *db, struct payout_todo **out, size_t *n, struct pd_error *err);
/* Attribute a manual payout's transactions, which Stripe does not list: the
 * oldest available ones not paid out yet (available by the payout's
 * creation, whole ones while they fit its amount and fee), as Stripe drew
 * on the balance. Waits (does nothing) until the payout's own balance
 * transaction is known. *done: attributed. */
int payouts_attribute_manual(sqlite3 *db, const char *payout_id, bool *done,
			     struct pd_error *err);

/* ---- read by the screen and the CLI ---------------------------------------- */

/* Up to limit payouts, newest first, older than (before_created, before_id)
 * when before_id is not "" (keyset paging). */
int payouts_page(sqlite3 *db, int64_t before_created, const char *before_id, size_t limit,
		 struct payout_row **out, size_t *n, struct pd_error *err);
/* A payout by id (or unique prefix of at least 6 characters):
 * PD_ERR_NOT_FOUND with a message otherwise. */
int payout_get(sqlite3 *db, const char *id, struct payout_row *out, struct pd_error *err);
/* Its transactions, oldest first, with the records behind them. */
int payout_txns(sqlite3 *db, const char *payout_id, struct payout_txn_row **out, size_t *n,
		struct pd_error *err);

/* A month's money per currency, from the balance transactions created in it:
 * gross payments, refunds, Stripe fees (processing and dispute fees), disputes
 * (withdrawn and reinstated, their fees apart in fees), other adjustments,
 * net = gross + refunds + disputes + adjustments - fees; of that net, what
 * is in a payout (paid_out) and what is not yet (in_balance): net =
 * paid_out + in_balance, to the cent. payouts: the payouts made in the month. */
struct payout_month {
	char currency[4];
	int64_t gross, refunds, fees, disputes, adjustments, net;
	int64_t paid_out, in_balance;
	int64_t payouts;       /* total of payouts created in the month */
	int64_t payout_fees;   /* what instant payouts among them cost (not in fees) */
	long payout_count, txn_count;
};
/* month "YYYY-MM" in the configured time zone; PD_ERR_USAGE for another form. */
int payouts_month(sqlite3 *db, const char *month, struct payout_month **out, size_t *n,
		  struct pd_error *err);
/* [start, end) of month "YYYY-MM" in the configured time zone. */
int payouts_month_range(const char *month, int64_t *start, int64_t *end, struct pd_error *err);

#endif
