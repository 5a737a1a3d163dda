/* What must hold before money is taken for an appointment, said once for
 * the desk tenders (payments_desk.c) and the queued card charge
 * (charge_queue.c): the same refusals, worded the same. */
#include <stdbool.h>

#include "paydesk/appointments.h"
#include "paydesk/money.h"
#include "paydesk/payments_store.h"
#include "payments_internal.h"

int pay_due_check(sqlite3 *db, const struct appointment *a, int64_t amount, int64_t *due,
		  struct pd_error *err)
{
	int64_t paid = 0, refunded = 0;
	int rc = payrows_totals(db, a->id, &paid, &refunded, err);
	*due = a->amount > paid ? a->amount - paid : 0;
	struct pay_attempt last = {0};
	bool busy = payrows_latest(db, a->id, -1, &last, NULL) == PD_OK &&
		    (last.status == PAYROW_STARTING || last.status == PAYROW_OPEN ||
		     last.status == PAYROW_UNKNOWN);
	char money[64];
	if (rc) {
	} else if (a->state == APPT_CANCELLED || a->state == APPT_NO_SHOW) {
		rc = pd_error_set(err, PD_ERR_USAGE, "a %s appointment takes no payment",
				  appt_state_label(a->state));
	} else if (*due == 0) {
		rc = pd_error_set(err, PD_ERR_USAGE, "nothing is due: %s already paid",
				  money_format(paid, a->currency, money, sizeof money));
	} else if (amount < 0 || amount > *due) {
		rc = pd_error_set(err, PD_ERR_USAGE, "at most %s is due",
				  money_format(*due, a->currency, money, sizeof money));
	} else if (busy && last.status == PAYROW_UNKNOWN) {
		rc = pd_error_set(err, PD_ERR_USAGE, PAY_UNKNOWN_REFUSAL);
	} else if (busy) {
		/* the client could pay twice: the Stripe payment may still succeed */
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "a %s payment of this appointment is still under way (%s): "
				  "finish or cancel it first",
				  payrow_method_label(last.method), payrow_status_key(last.status));
	}
	pay_attempt_free(&last);
	return rc;
}
