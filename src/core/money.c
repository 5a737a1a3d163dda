#include "paydesk/money.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Stripe's lists: amounts in these are whole units (zero-decimal) or
 * thousandths (three-decimal). */
static const char *const zero_decimal[] = {"bif", "clp", "djf", "gnf", "jpy", "kmf",
					   "krw", "mga", "pyg", "rwf", "ugx", "vnd",
					   "vuv", "xaf", "xof", "xpf"};
static const char *const three_decimal[] = {"bhd", "jod", "kwd", "omr", "tnd"};

static bool in_list(const char *cur, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(cur, list[i]) == 0)
			return true;
	return false;
}

int money_exponent(const char *currency)
{
	if (!currency)
		return 2;
	if (in_list(currency, zero_decimal, sizeof zero_decimal / sizeof zero_decimal[0]))
		return 0;
	if (in_list(currency, three_decimal, sizeof three_decimal / sizeof three_decimal[0]))
		return 3;
	return 2;
}

int money_parse(const char *text, const char *currency, int64_t *minor, struct pd_error *err)
{
	int exp = money_exponent(currency);
	const char *s = text ? text : "";
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '-')
		return pd_error_set(err, PD_ERR_USAGE, "the amount cannot be negative");
	int64_t whole = 0;
	int digits = 0, decimals = 0;
	int64_t frac = 0;
	bool in_frac = false;
	for (; *s && !isspace((unsigned char)*s); s++) {
		if (*s == ',' && !in_frac && digits > 0)
			continue;
		if (*s == '.' && !in_frac) {
			in_frac = true;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return pd_error_set(err, PD_ERR_USAGE,
					    "'%s' is not an amount: type digits with an optional "
					    "decimal point, such as 45 or 45.50",
					    text);
		if (in_frac) {
			if (++decimals > exp)
				return pd_error_set(err, PD_ERR_USAGE,
						    exp == 0 ? "%s has no decimal places: type a "
							       "whole amount"
							     : "%s has at most %d decimal places",
						    currency, exp);
			frac = frac * 10 + (*s - '0');
		} else {
			if (whole > MONEY_MAX_MINOR)
				break;
			whole = whole * 10 + (*s - '0');
			digits++;
		}
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s)
		return pd_error_set(err, PD_ERR_USAGE,
				    "'%s' is not an amount: type digits with an optional decimal "
				    "point, such as 45 or 45.50",
				    text);
	if (digits == 0 && decimals == 0)
		return pd_error_set(err, PD_ERR_USAGE, "type an amount, such as 45 or 45.50");
	for (int i = decimals; i < exp; i++)
		frac *= 10;
	int64_t scale = 1;
	for (int i = 0; i < exp; i++)
		scale *= 10;
	if (whole > MONEY_MAX_MINOR / scale || whole * scale + frac > MONEY_MAX_MINOR) {
		char max[48];
		return pd_error_set(err, PD_ERR_USAGE, "the amount is above Stripe's limit of %s",
				    money_format(MONEY_MAX_MINOR, currency, max, sizeof max));
	}
	if (exp == 3 && frac % 10 != 0)
		return pd_error_set(err, PD_ERR_USAGE,
				    "Stripe takes %s amounts in steps of 0.010: round the last "
				    "decimal to 0",
				    currency);
	*minor = whole * scale + frac;
	return PD_OK;
}

char *money_format(int64_t minor, const char *currency, char *out, size_t outlen)
{
	int exp = money_exponent(currency);
	bool neg = minor < 0;
	uint64_t v = neg ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	uint64_t scale = 1;
	for (int i = 0; i < exp; i++)
		scale *= 10;
	uint64_t whole = v / scale, frac = v % scale;
	/* Thousands separators, built from the right. */
	char digits[32], grouped[48];
	snprintf(digits, sizeof digits, "%llu", (unsigned long long)whole);
	size_t dl = strlen(digits), g = 0;
	for (size_t i = 0; i < dl; i++) {
		if (i > 0 && (dl - i) % 3 == 0)
			grouped[g++] = ',';
		grouped[g++] = digits[i];
	}
	grouped[g] = '\0';
	char code[4] = "";
	for (int i = 0; currency && i < 3 && currency[i]; i++)
		code[i] = (char)toupper((unsigned char)currency[i]), code[i + 1] = '\0';
	if (exp)
		snprintf(out, outlen, "%s%s.%0*llu %s", neg ? "-" : "", grouped, exp,
			 (unsigned long long)frac, code);
	else
		snprintf(out, outlen, "%s%s %s", neg ? "-" : "", grouped, code);
	return out;
}
