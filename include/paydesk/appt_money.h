/* Storage behind appointments money (schema 20): price changes and
 * discounts of an appointment (appointment_price_changes), and tips kept
 * apart from the price on payment rows (appointment_payments.tip). The rules
 * live in appt_price.h and payments*.c; this is storage only. */
#ifndef PAYDESK_APPT_MONEY_H
#define PAYDESK_APPT_MONEY_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"
#include "paydesk/users.h"

enum price_change_kind {
	PRICE_DISCOUNT, /* value: an amount off the list price (minor units) */
	PRICE_PERCENT,  /* value: a percentage off the list price (1..100) */
	PRICE_SET,      /* value: the new price itself */
};

const char *price_change_kind_key(enum price_change_kind k);

struct price_change {
	int64_t id, appointment_id;
	enum price_change_kind kind;
	int64_t value, list_price, before_amount, after_amount;
	char reason[256];
	char actor[USER_NAME_MAX * 4 + 8];
	int64_t created_at;
};

/* Insert c (created_at now) inside the caller's transaction. */
int price_changes_insert(sqlite3 *db, const struct price_change *c, struct pd_error *err);
/* The newest change of an appointment; PD_ERR_NOT_FOUND when none. */
int price_changes_latest(sqlite3 *db, int64_t appointment_id, struct price_change *out,
			 struct pd_error *err);
/* The price the appointment had before its first change (*amount); PD_OK
 * with *found false when it was never changed. */
int price_changes_original(sqlite3 *db, int64_t appointment_id, int64_t *amount, bool *found,
			   struct pd_error *err);
/* Write the price due of an appointment and bump its version (an open form
 * then sees the change). */
int appointments_set_price(sqlite3 *db, int64_t appointment_id, int64_t amount, int64_t deposit,
			   struct pd_error *err);

/* The tip of a payment row (set when the row is started, or when Stripe
 * says what the client added on the reader). */
int payrow_tip_set(sqlite3 *db, int64_t payment_row, int64_t tip, struct pd_error *err);
int payrow_tip_get(sqlite3 *db, int64_t payment_row, int64_t *tip, struct pd_error *err);
/* Tips of an appointment's succeeded payments. */
int appointment_tips(sqlite3 *db, int64_t appointment_id, int64_t *tips, struct pd_error *err);

/* Tips taken in [since, until) per staff member and currency. */
struct staff_tips {
	char staff[64];
	char currency[4];
	int64_t count, tips;
};
#define STAFF_TIPS_MAX 64
int staff_tips_range(sqlite3 *db, int64_t since, int64_t until, struct staff_tips *out, int max,
		     int *n, struct pd_error *err);

#endif
