/* Money as integers in the currency's minor unit, never floating point.
 * Knows Stripe's zero-decimal and three-decimal currencies. */
#ifndef PAYDESK_MONEY_H
#define PAYDESK_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

/* Stripe's limit: at most 8 digits in minor units. */
#define MONEY_MAX_MINOR 99999999LL

/* A currency as typed ("EUR", "usd"): PD_OK and lower (may be NULL) set to
 * the lowercase code when it is an ISO 4217 code of money in use, else a
 * message saying what to type ("usb" is refused, not stored). */
int money_currency_check(const char *text, char lower[4], struct pd_error *err);

/* Decimal places of currency (lowercase or uppercase ISO code): 0, 2 or 3. */
int money_exponent(const char *currency);

/* Parse what a person typed into minor units of currency: a decimal point
 * or comma ("12.50", "12,50"), thousands separated by ',' '.' space or '\''
 * where that cannot be read otherwise ("1,234.50", "1.234,50", "1 234,50").
 * "1,234" (thousands or decimals?) is read as 1234 only in zero-decimal
 * currencies, "5.120" as 5.12 in three-decimal ones (as money_format shows
 * it); elsewhere it is refused with both readings. Refuses more decimals than
 * the currency has (never rounds), negative amounts, odd grouping ("1,2,3")
 * and amounts above MONEY_MAX_MINOR, with a message saying how the text was
 * read and what to type. *minor is written only on success. */
int money_parse(const char *text, const char *currency, int64_t *minor, struct pd_error *err);

/* For a form field before its currency is known: PD_OK when text is an
 * amount in some currency (money_parse checks it again with the currency),
 * else why not. */
int money_check(const char *text, struct pd_error *err);

/* currency's ISO code as people read it ("usd" -> "USD"; at most 3
 * letters, "" for NULL), in code. Returns code. */
char *money_currency_code(const char *currency, char code[4]);

/* Format minor units of currency as "1,234.50 USD" (code uppercase);
 * negative amounts get a leading '-'. Returns out. */
char *money_format(int64_t minor, const char *currency, char *out, size_t outlen);

/* Minor units as a plain decimal for files other programs read: "1234.50",
 * "-3.00", "1200" (no separators, no code). Returns out. */
char *money_plain(int64_t minor, const char *currency, char *out, size_t outlen);

#endif
