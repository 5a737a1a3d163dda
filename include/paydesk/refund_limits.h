/* What staff may refund, set by an admin per currency, and the staff
 * refunds counted against it. The rules (who is bound, what is refused)
 * live in app/auth.c; this is their storage. */
#ifndef PAYDESK_REFUND_LIMITS_H
#define PAYDESK_REFUND_LIMITS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/error.h"

#define REFUND_NO_DAILY_LIMIT (-1)

struct refund_limit {
	char currency[4];    /* lowercase ISO code */
	int64_t per_payment; /* minor units: staff refunds of one payment, together */
	int64_t per_day;     /* minor units a staff user a day, or REFUND_NO_DAILY_LIMIT */
};

/* Insert or replace the limit of l->currency. */
int refund_limits_set(sqlite3 *db, const struct refund_limit *l, const char *set_by,
		      struct pd_error *err);

/* The limit of a currency; PD_ERR_NOT_FOUND when none is set. */
int refund_limits_get(sqlite3 *db, const char *currency, struct refund_limit *out,
		      struct pd_error *err);

/* Call fn for each limit, by currency. */
int refund_limits_each(sqlite3 *db, void (*fn)(void *ctx, const struct refund_limit *l),
		       void *ctx, struct pd_error *err);

/* Staff refunds not released: of one payment (pi_… or ch_…), by all staff;
 * and of one user in one currency on one local day (YYYY-MM-DD). */
int staff_refunds_sum_payment(sqlite3 *db, const char *payment, int64_t *sum,
			      struct pd_error *err);
int staff_refunds_sum_day(sqlite3 *db, int64_t user_id, const char *currency, const char *day,
			  int64_t *sum, struct pd_error *err);

/* Record a pending staff refund (inside the caller's transaction). */
int staff_refunds_add(sqlite3 *db, int64_t user_id, const char *user_name,
		      const char *payment, const char *currency, int64_t amount, const char *day,
		      int64_t *id, struct pd_error *err);

/* Stripe made it (made) or certainly did not (!made: released, it no longer
 * counts). A pending row whose outcome is unknown is left alone. */
int staff_refunds_settle(sqlite3 *db, int64_t id, bool made, struct pd_error *err);

#endif
