/* Closing a day at the desk: the day's expected takings by tender for a
 * desk and a user (or all of them) — cash, cheque, gift voucher, another
 * card machine from the desk's records, card payments Stripe confirmed to
 * the desk — against the cash counted in the till. A difference needs a
 * comment; a close is stored as it was and audited (`day.close`). Money
 * taken or refunded after a close shows apart ("since the close") and is
 * closed by a later close of the same day, desk and user, which covers
 * only what came after the one before; with nothing after, a second close
 * is refused and shows the first. */
#ifndef PAYDESK_DAY_CLOSE_H
#define PAYDESK_DAY_CLOSE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/auth.h"
#include "paydesk/day_close_store.h"
#include "paydesk/error.h"
#include "paydesk/history.h"
#include "paydesk/history_desk.h"

/* Longest comment, in characters. */
#define DAY_CLOSE_COMMENT_MAX 200
#define DAY_CLOSE_MAX_OTHERS 8

struct day_close_sheet {
	char day[11];            /* YYYY-MM-DD, local */
	char desk[64], user[USER_NAME_MAX + 1]; /* "" : all desks / all users */
	struct day_close_line lines[DAY_CLOSE_MAX_LINES];
	int nlines;
	/* Stripe's money of the whole account that day (every desk, links,
	 * subscriptions) from the billing history, as of its last sync. */
	struct history_taking stripe[HISTORY_MAX_CURRENCIES];
	int nstripe;
	int64_t synced_at; /* 0: never synced */
	/* The cash the till should hold: cash taken - refunded, in cash_currency
	 * ("" while the day took cash in several currencies: choose one). */
	char cash_currency[4];
	int64_t expected_cash;
	bool closed;               /* then close holds the latest, and lines are its own */
	struct day_close_row close;
	/* Closed, and money was taken or refunded here after that close: what
	 * a later close covers (from close.closed_at to the day's end), and
	 * the cash of it in close.currency. */
	struct day_close_line after[DAY_CLOSE_MAX_LINES];
	int nafter;
	int64_t after_cash;
	/* Closes within this scope made apart (a user's at a desk, a desk's):
	 * the first DAY_CLOSE_MAX_OTHERS of them. */
	struct day_close_brief others[DAY_CLOSE_MAX_OTHERS];
	int nothers;
};

/* Whether a close can be made now: not closed, or money came after it. */
bool day_close_open(const struct day_close_sheet *s);

/* The sheet of day ("YYYY-MM-DD") for desk and user (NULL or "" : all):
 * the stored close when the day is closed, else the takings now. currency
 * (NULL: the one currency cash was taken in) is the cash to count. */
int day_close_read(sqlite3 *db, const char *day, const char *desk, const char *user,
		   const char *currency, struct day_close_sheet *out, struct pd_error *err);

/* The counted cash as typed (money_parse in the sheet's cash currency) and
 * the comment the difference needs: 0 with *counted and *difference
 * (counted - expected) set, or PD_ERR_USAGE saying what to type. */
int day_close_check(const struct day_close_sheet *s, const char *counted_text,
		    const char *comment, int64_t *counted, int64_t *difference,
		    struct pd_error *err);

/* Close the day: re-reads the takings inside the write lock, checks as
 * day_close_check, stores the close with its lines and the audit entry in
 * one transaction; *out is the sheet of the close. A day closed already is
 * closed again only for what came after its last close (the cash counted
 * is that money's); with nothing after, it is refused (PD_ERR_EXISTS,
 * saying who closed it when, and what was counted). */
int day_close_save(sqlite3 *db, const struct session *who, const char *day, const char *desk,
		   const char *user, const char *currency, const char *counted_text,
		   const char *comment, struct day_close_sheet *out, struct pd_error *err);

/* "over 5.00 USD", "short 5.00 USD", "exact". */
char *day_close_difference_words(int64_t difference, const char *currency, char *out,
				 size_t len);

/* "cash", "cheque", "gift voucher", "other card machine", "card (Stripe)". */
const char *day_close_tender_label(const char *tender);

#endif
