/* The day close's tables (schema 23): what a day, desk and user took by
 * tender — desk tenders from their billing-history records, card payments
 * from the desk's own attempts that Stripe confirmed — and the closes
 * themselves (counted cash, comment, who closed) with the expected figures
 * as they stood when the day was closed. */
#ifndef PAYDESK_DAY_CLOSE_STORE_H
#define PAYDESK_DAY_CLOSE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/error.h"
#include "paydesk/users.h"

/* One tender and currency of a day. */
struct day_close_line {
	char tender[16]; /* cash | cheque | voucher | terminal | card */
	char currency[4];
	int64_t count;      /* payments and refunds */
	int64_t taken, refunded;
	int64_t in_history; /* card: payments the synced billing history holds */
};

#define DAY_CLOSE_MAX_LINES 32

/* Which takings: [since, until) (a local day), desk and user ("" : all). */
struct day_close_scope {
	int64_t since, until;
	const char *desk, *user;
};

/* The scope's takings, desk tenders first (cash, cheque, voucher,
 * terminal), then card. Card payments are the desk's attempts (card on
 * file, pay link, reader) started in the range and succeeded, with what has
 * been refunded of them since. */
int day_close_expected(sqlite3 *db, const struct day_close_scope *s, struct day_close_line *out,
		       int max, int *n, struct pd_error *err);

/* Record who handed desk money back, at which desk (history record id). */
int day_close_note_desk_refund(sqlite3 *db, const char *history_id, const char *desk,
			       const char *actor, struct pd_error *err);

/* Record who refunded amount of a card payment (payment_intent) at which
 * desk, now: the day close counts it there instead of at the payment's. */
int day_close_note_card_refund(sqlite3 *db, const char *payment_intent, int64_t amount,
			       const char *currency, const char *refund_id, const char *desk,
			       const char *actor, struct pd_error *err);

/* A close as stored. */
struct day_close_row {
	int64_t id;
	char day[11];
	char desk[64], user[USER_NAME_MAX + 1];
	char currency[4];
	int64_t expected_cash, counted_cash;
	char comment[400];
	char closed_by[USER_NAME_MAX + 1];
	int64_t closed_at;
	int64_t covers_from; /* a later close: from the close before it; 0: the day's start */
	int earlier;	     /* closes of the same day, desk and user before this one */
	/* A later close that counted the whole till (schema 36): expected is
	 * the till at the close before + the cash since. Older later closes
	 * counted only the cash since. */
	bool whole_till;
	/* Read, not stored: the till after this close (all closes in its
	 * currency) and the differences of the day's closes added up. */
	int64_t till_cash, day_difference;
	struct day_close_line lines[DAY_CLOSE_MAX_LINES];
	int nlines;
};

/* The latest close of day / desk / user (users compared case-insensitively),
 * with how many came before it: PD_ERR_NOT_FOUND when the day is not closed. */
int day_close_get(sqlite3 *db, const char *day, const char *desk, const char *user,
		  struct day_close_row *out, struct pd_error *err);

/* The lines of every close of day / desk / user added up (tender and
 * currency): what the closes covered. */
int day_close_closed_lines(sqlite3 *db, const char *day, const char *desk, const char *user,
			   struct day_close_line *out, int max, int *n, struct pd_error *err);

/* A close of a narrower scope than the one read: its desk and user, the
 * latest close's time and who made it, how many were made. */
struct day_close_brief {
	char desk[64], user[USER_NAME_MAX + 1];
	char closed_by[USER_NAME_MAX + 1];
	int64_t closed_at;
	int closes;
};

/* The closes of day within desk and user ("" : all) other than of that
 * very scope — a desk's users closing apart — one per desk and user. */
int day_close_others(sqlite3 *db, const char *day, const char *desk, const char *user,
		     struct day_close_brief *out, int max, int *n, struct pd_error *err);

/* Insert r with its lines (inside the caller's transaction); r->id is set. */
int day_close_insert(sqlite3 *db, struct day_close_row *r, struct pd_error *err);

#endif
