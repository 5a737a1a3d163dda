/* A history filter's known values, its checks (what the store cannot use,
 * with what to do), its one-line description for the filter bar, and its
 * amount range as SQL (in the currency's units, or each currency's). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "history_internal.h"
#include "paydesk/history.h"
#include "paydesk/money.h"

const char *const history_statuses[] = {
    "succeeded",
    "partially_refunded",
    "refunded",
    "disputed",
    "dispute_lost",
    "failed",
    "processing",
    "requires_payment_method",
    "requires_action",
    "requires_capture",
    "canceled",
    "pending",
    "paid",
    "open",
    "void",
    "uncollectible",
    "draft",
    NULL,
};
const char *const history_types[] = {"payment", "refund", "invoice", "desk", "desk_refund", NULL};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

int history_filter_check(const struct history_filter *f, struct pd_error *err)
{
	if (f->status[0] && !in_list(history_statuses, f->status))
		return pd_error_set(
		    err, PD_ERR_USAGE,
		    "unknown status '%s' (allowed: succeeded, partially_refunded, "
		    "refunded, disputed, dispute_lost, failed, processing, "
		    "requires_payment_method, "
		    "requires_action, requires_capture, canceled, pending, paid, open, "
		    "void, uncollectible, draft)",
		    f->status);
	if (f->type[0] && !in_list(history_types, f->type))
		return pd_error_set(err, PD_ERR_USAGE,
		                    "unknown type '%s' (allowed: payment, refund, invoice, desk, "
		                    "desk_refund)",
		                    f->type);
	if (f->currency[0] && strlen(f->currency) != 3)
		return pd_error_set(err, PD_ERR_USAGE,
		                    "currency '%s' is not a 3-letter ISO code such as usd",
		                    f->currency);
	if (f->since && f->until && f->since >= f->until)
		return pd_error_set(err, PD_ERR_USAGE, "the date range ends before it starts");
	if (f->amount_min_set && f->amount_max_set && f->amount_min > f->amount_max)
		return pd_error_set(err, PD_ERR_USAGE, "the minimum amount is above the maximum");
	return PD_OK;
}

/* "1,250.00 EUR" -> "1,250.00" */
static void cut_code(char *money)
{
	char *sp = strchr(money, ' ');
	if (sp)
		*sp = '\0';
}

bool history_filter_is_empty(const struct history_filter *f)
{
	return !f->since && !f->until && !f->status[0] && !f->type[0] && !f->currency[0] &&
	       !f->client[0] && !f->amount_min_set && !f->amount_max_set &&
	       f->review == HISTORY_REVIEW_ANY && !f->search[0];
}

char *history_filter_describe(const struct history_filter *f, char *out, size_t len)
{
	out[0] = '\0';
	const char *sep = "";
	if (f->search[0]) {
		history_cat(out, len, "%s/%s", sep, f->search);
		sep = " · ";
	}
	if (f->since || f->until) {
		char a[16] = "…", b[16] = "…";
		time_t t;
		struct tm tm;
		if (f->since) {
			t = (time_t)f->since;
			strftime(a, sizeof a, "%Y-%m-%d", localtime_r(&t, &tm));
		}
		if (f->until) {
			t = (time_t)(f->until - 1);
			strftime(b, sizeof b, "%Y-%m-%d", localtime_r(&t, &tm));
		}
		history_cat(out, len, "%s%s..%s", sep, a, b);
		sep = " · ";
	}
	if (f->type[0]) {
		history_cat(out, len, "%s%s", sep, f->type);
		sep = " · ";
	}
	if (f->status[0]) {
		history_cat(out, len, "%s%s", sep, f->status);
		sep = " · ";
	}
	if (f->currency[0]) {
		history_cat(out, len, "%s%s", sep, f->currency);
		sep = " · ";
	}
	if (f->client[0]) {
		history_cat(out, len, "%sclient %s", sep, f->client);
		sep = " · ";
	}
	if (f->amount_min_set || f->amount_max_set) {
		/* as money in the currency they were read in */
		const char *cur = f->currency[0] ? f->currency : f->amount_currency;
		char a[48] = "", b[48] = "";
		if (f->amount_min_set)
			money_format(f->amount_min, cur, a, sizeof a);
		if (f->amount_max_set)
			money_format(f->amount_max, cur, b, sizeof b);
		cut_code(a);
		cut_code(b);
		/* without a currency: each currency's own units (history_query.c) */
		history_cat(out, len, "%samount %s..%s%s", sep, a, b,
		            f->currency[0] ? "" : " in each currency");
		sep = " · ";
	}
	static const char *const rv[] = {"", "reviewed", "unreviewed", "flagged"};
	if (f->review != HISTORY_REVIEW_ANY) {
		history_cat(out, len, "%s%s", sep, rv[f->review]);
		sep = " · ";
	}
	if (!out[0])
		snprintf(out, len, "all records");
	return out;
}

/* Minor units of a currency of `from` decimals in one of `to`, rounded
 * inward (up for a lower bound, down for an upper one). */
static int64_t minor_in(int64_t minor, int from, int to, bool up)
{
	for (; from < to; from++)
		minor *= 10;
	for (; from > to; from--)
		minor = up ? (minor + (minor >= 0 ? 9 : 0)) / 10 : (minor - (minor < 0 ? 9 : 0)) / 10;
	return minor;
}

/* The amount range: in the filter's currency as typed; without one, in
 * each currency's own units (1,250.00 to 1,300.00 is 1,250 to 1,300 yen,
 * not 125,000). */
void history_filter_amount_sql(struct history_sql *q, const struct history_filter *f)
{
	if (!f->amount_min_set && !f->amount_max_set)
		return;
	if (f->currency[0] || !f->amount_currency[0]) {
		if (f->amount_min_set) {
			history_sql_add(q, " AND h.amount >= ?");
			history_sql_int(q, f->amount_min);
		}
		if (f->amount_max_set) {
			history_sql_add(q, " AND h.amount <= ?");
			history_sql_int(q, f->amount_max);
		}
		return;
	}
	static const char *const groups[3] = {
	    "NOT IN " ZERO_DECIMAL " AND +h.currency NOT IN " THREE_DECIMAL, "IN " ZERO_DECIMAL,
	    "IN " THREE_DECIMAL};
	static const int decimals[3] = {2, 0, 3};
	int typed = money_exponent(f->amount_currency);
	for (int g = 0; g < 3; g++) {
		history_cat(q->text, sizeof q->text, "%s(+h.currency %s", g ? " OR " : " AND (",
		            groups[g]);
		if (f->amount_min_set) {
			history_sql_add(q, " AND h.amount >= ?");
			history_sql_int(q, minor_in(f->amount_min, typed, decimals[g], true));
		}
		if (f->amount_max_set) {
			history_sql_add(q, " AND h.amount <= ?");
			history_sql_int(q, minor_in(f->amount_max, typed, decimals[g], false));
		}
		history_sql_add(q, ")");
	}
	history_sql_add(q, ")");
}
