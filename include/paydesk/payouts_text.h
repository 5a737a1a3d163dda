/* Payouts in words, the same in `paydesk payouts` and the Payouts view:
 * dates, bare amounts and what a balance transaction is. */
#ifndef PAYDESK_PAYOUTS_TEXT_H
#define PAYDESK_PAYOUTS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "paydesk/payouts.h"

/* "2026-12-07": t's date in the desk's zone, into out; returns out. */
const char *payouts_day(int64_t t, char *out, size_t len);
/* "1,234.50": an amount without its currency code (a column of its own). */
char *payouts_amount(int64_t minor, const char *currency, char *out, size_t len);
/* What a balance transaction is: payout, dispute, dispute won, payment,
 * refund, or Stripe's own type. */
const char *payouts_txn_kind(const struct payout_txn_row *t);

#endif
