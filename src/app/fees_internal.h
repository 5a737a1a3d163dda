/* Shared by src/app/fees.c and fees_stripe.c. */
#ifndef PAYDESK_FEES_INTERNAL_H
#define PAYDESK_FEES_INTERNAL_H

#include "paydesk/fees.h"

/* Who the audit log names. */
const char *fees_actor(const struct session *who);

/* A fee.* audit entry with the fee's amount (inside the caller's transaction). */
int fees_audit(sqlite3 *db, const struct session *who, const char *action,
	       const struct appt_fee *f, const char *extra, struct pd_error *err);

#endif
