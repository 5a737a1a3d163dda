/* How much a fee in the fees queue may ask (issue 18): a no-show or late
 * cancellation fee above what the visit itself costs is a typo (4000,00 for
 * 40,00), not a fee — refused before anything is written or charged. */
#ifndef PAYDESK_FEE_CAP_H
#define PAYDESK_FEE_CAP_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/fees_store.h"

/* The most fee f may ask: the price of its appointment, or the policy's own
 * amount when that is more. 0 when the appointment cannot be read (then no
 * cap is claimed). why: "the visit's price" or "the policy's fee". */
int64_t fee_cap_of(sqlite3 *db, const struct appt_fee *f, const char **why);

/* PD_OK when amount is within the cap; else a message naming the cap and
 * what to do (PD_ERR_USAGE). */
int fee_cap_check(sqlite3 *db, const struct appt_fee *f, int64_t amount, struct pd_error *err);

#endif
