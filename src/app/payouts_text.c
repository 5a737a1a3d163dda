/* Payouts in words, shared by the command line (cli/payouts.c) and the
 * Payouts view (ui/screen_payouts.c) so the two never describe the same
 * payout differently. */
#include "paydesk/payouts_text.h"

#include <stdio.h>
#include <string.h>

#include "paydesk/money.h"
#include "paydesk/tz.h"

const char *payouts_day(int64_t t, char *out, size_t len)
{
	struct tz_civil c;
	tz_to_civil(t, &c);
	snprintf(out, len, "%04d-%02d-%02d", c.year % 10000, c.month % 100, c.day % 100);
	return out;
}

char *payouts_amount(int64_t minor, const char *currency, char *out, size_t len)
{
	money_format(minor, currency, out, len);
	char *sp = strrchr(out, ' ');
	if (sp)
		*sp = '\0';
	return out;
}

const char *payouts_txn_kind(const struct payout_txn_row *t)
{
	if (strcmp(t->type, "payout") == 0)
		return "payout";
	if (strcmp(t->category, "dispute") == 0)
		return "dispute";
	if (strcmp(t->category, "dispute_reversal") == 0)
		return "dispute won";
	if (strcmp(t->type, "charge") == 0 || strcmp(t->type, "payment") == 0)
		return "payment";
	if (strstr(t->type, "refund"))
		return "refund";
	return t->type;
}
