/* Desk tenders in the billing history (schema 10): money taken or handed
 * back at the desk without Stripe — cash, cheque, gift voucher, another card
 * machine — as history rows of type "desk" (the tender in payment_method and
 * card_brand) and "desk_refund", so the History tab, its totals (kept apart
 * from Stripe money) and exports show them; and the day's takings by tender. */
#ifndef PAYDESK_HISTORY_DESK_H
#define PAYDESK_HISTORY_DESK_H

#include <sqlite3.h>
#include <stdint.h>

#include "paydesk/error.h"

/* One desk record. id is its history key ("desk_<payment row>",
 * "deskre_<payment row>_<n>"), unique like a Stripe id. */
struct history_desk_record {
	const char *id;
	const char *type;       /* "desk" | "desk_refund" */
	int64_t created;
	int64_t amount;         /* minor units, > 0 */
	const char *currency;
	const char *tender;     /* payrow_method_key: cash, cheque, voucher, terminal */
	const char *client, *email, *customer_id; /* may be NULL */
	const char *description; /* service · by who · note */
	const char *appointment_id;
	const char *payment_of;  /* a refund: the id of the desk record it refunds */
};

/* Add r to the history with its roll-ups and search terms. Call inside the
 * caller's transaction (the payment row and audit entry commit with it). */
int history_desk_add(sqlite3 *db, const struct history_desk_record *r, struct pd_error *err);

/* A desk record's refunded amount (its status follows: partially_refunded,
 * refunded). */
int history_desk_set_refunded(sqlite3 *db, const char *id, int64_t amount_refunded,
			      struct pd_error *err);

/* Takings of [since, until) per tender and currency: desk tenders from
 * their rows, Stripe ("stripe") from the history totals (as last synced). */
struct history_taking {
	char tender[16]; /* cash | cheque | voucher | terminal | stripe */
	char currency[4];
	int64_t count;   /* records: payments and refunds */
	int64_t taken, refunded;
};

#define HISTORY_MAX_TAKINGS 48

/* Desk tenders first (cash, cheque, voucher, terminal), then Stripe; one
 * entry per tender and currency with money in the range. */
int history_takings(sqlite3 *db, int64_t since, int64_t until, const char *currency,
		    struct history_taking *out, int max, int *n, struct pd_error *err);

/* The desk tenders' part of history_takings only (no Stripe line). */
int history_desk_takings(sqlite3 *db, int64_t since, int64_t until, const char *currency,
			 struct history_taking *out, int max, int *n, struct pd_error *err);

/* "cash", "cheque", "gift voucher", "other card machine", "Stripe". */
const char *history_tender_label(const char *tender);

#endif
