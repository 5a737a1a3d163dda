/* Checks the desk can make before it confirms a payment or a refund, so a
 * request that would be refused is refused under the field, before `y`.
 * The use cases (payments.c, payments_desk.c) keep their own checks: they
 * are the guard; these use the same rules (payments_due, auth_refund_check)
 * so the two cannot disagree. */
#ifndef PAYDESK_PAY_PRECHECK_H
#define PAYDESK_PAY_PRECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/payments_store.h"
#include "paydesk/auth.h"

/* Taking `amount` (0: all that is due) by `method`: why[] is what the
 * payment would be refused for ("" when nothing is known against it): more
 * than is due; a saved-card charge for a client with no Stripe customer,
 * or with no saved card when cards_listed (the store's cards were just
 * listed from Stripe: otherwise the charge asks Stripe itself). */
int pay_precheck_take(sqlite3 *db, int64_t appointment_id, int64_t amount,
		      enum payrow_method method, bool cards_listed, char *why, size_t len);

/* Whether a saved-card charge of the appointment would need Stripe's list
 * of the client's cards first: a Stripe customer, no card in the store. */
bool pay_precheck_cards_unknown(sqlite3 *db, int64_t appointment_id, int64_t *client_id);

/* Refunding `amount` (0: all that is left), at the desk or through Stripe:
 * more than is left that way, or beyond this user's refund limits. */
int pay_precheck_refund(sqlite3 *db, const struct session *who, int64_t appointment_id,
			int64_t amount, bool desk, char *why, size_t len);

/* Whether a refund of one of the appointment's payments was sent and its
 * outcome is not known yet (Y re-checks it): another could refund twice. */
bool pay_precheck_refund_unresolved(sqlite3 *db, int64_t appointment_id);

/* "your limit: 50.00 EUR a payment, 40.00 EUR left today" for staff; "" for
 * admins. */
char *pay_refund_limit_text(sqlite3 *db, const struct session *who, const char *currency,
			    char *out, size_t len);

#endif
