/* Money as integers in the currency's minor unit, never floating point.
 * Knows Stripe's zero-decimal and three-decimal currencies. */
#ifndef PAYDESK_MONEY_H
#define PAYDESK_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

/* Stripe's limit: at most 8 digits in minor units. */
#define MONEY_MAX_MINOR 99999999LL

/* Decimal places of currency (lowercase or uppercase ISO code): 0, 2 or 3. */
int money_exponent(const char *currency);

/* Parse what a person typed ("12", "12.5", "1,234.50", "¥1200" is not
 * accepted: digits, one '.', optional thousands ',') into minor units of
 * currency. Refuses more decimals than the currency has, negative amounts,
 * and amounts above MONEY_MAX_MINOR, with a message saying what to type. */
int money_parse(const char *text, const char *currency, int64_t *minor, struct pd_error *err);

/* Format minor units of currency as "1,234.50 USD" (code uppercase);
 * negative amounts get a leading '-'. Returns out. */
char *money_format(int64_t minor, const char *currency, char *out, size_t outlen);

#endif
