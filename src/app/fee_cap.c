/* The cap on a fee's amount (fee_cap.h). */
#include "paydesk/fee_cap.h"

#include "paydesk/appointments.h"
#include "paydesk/error.h"
#include "paydesk/money.h"

int64_t fee_cap_of(sqlite3 *db, const struct appt_fee *f, const char **why)
{
	struct appointment a;
	if (appointments_get(db, f->appointment_id, &a, NULL) != PD_OK)
		return 0;
	int64_t price = a.amount;
	appointment_free(&a);
	bool policy = f->policy_amount > price;
	if (why)
		*why = policy ? "the policy's fee" : "the visit's price";
	return policy ? f->policy_amount : price;
}

int fee_cap_check(sqlite3 *db, const struct appt_fee *f, int64_t amount, struct pd_error *err)
{
	const char *why = "";
	int64_t cap = fee_cap_of(db, f, &why);
	if (cap <= 0 || amount <= cap)
		return PD_OK;
	char typed[64], most[64];
	return pd_error_set(err, PD_ERR_USAGE,
			    "%s is more than this fee may be: at most %s (%s); nothing changed — "
			    "type the amount again",
			    money_format(amount, f->currency, typed, sizeof typed),
			    money_format(cap, f->currency, most, sizeof most), why);
}
