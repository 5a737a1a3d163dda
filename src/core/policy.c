#include "paydesk/policy.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "paydesk/money.h"

void policy_none(struct booking_policy *p)
{
	memset(p, 0, sizeof *p);
	p->cancel_window_hours = 24;
	p->in_time = POLICY_REFUND_ALL;
	p->late = POLICY_REFUND_ALL;
}

bool policy_is_empty(const struct booking_policy *p)
{
	return p->deposit.kind == POLICY_AMOUNT_NONE && !p->hold_card &&
	       p->late_fee.kind == POLICY_AMOUNT_NONE && p->no_show_fee.kind == POLICY_AMOUNT_NONE &&
	       p->in_time == POLICY_REFUND_ALL && p->late == POLICY_REFUND_ALL;
}

/* The smallest amount Stripe charges in: 10 for three-decimal currencies. */
static int64_t coin(const char *currency)
{
	return money_exponent(currency) == 3 ? 10 : 1;
}

int64_t policy_amount_for(const struct policy_amount *a, const char *policy_currency,
			  int64_t price, const char *currency, bool *mismatch)
{
	if (mismatch)
		*mismatch = false;
	if (price < 0)
		price = 0;
	int64_t v = 0;
	switch (a->kind) {
	case POLICY_AMOUNT_NONE:
		return 0;
	case POLICY_AMOUNT_FIXED:
		if (!policy_currency || strcasecmp(policy_currency, currency) != 0) {
			if (mismatch)
				*mismatch = true;
			return 0;
		}
		v = a->value;
		break;
	case POLICY_AMOUNT_PERCENT: {
		/* price ≤ 99,999,999 and value ≤ 10,000: the product fits easily. */
		int64_t step = coin(currency);
		int64_t units = price / step;
		v = (units * a->value + 100 * POLICY_PERCENT_SCALE / 2) /
		    (100 * POLICY_PERCENT_SCALE) * step;
		break;
	}
	}
	return v > price ? price : v;
}

int64_t policy_fee_due(int64_t fee, int64_t kept)
{
	return fee > kept ? fee - kept : 0;
}

bool policy_is_late(const struct booking_policy *p, int64_t starts_at, int64_t now)
{
	return starts_at - now < (int64_t)p->cancel_window_hours * 3600;
}

static bool is_none(const char *t)
{
	while (isspace((unsigned char)*t))
		t++;
	if (!*t)
		return true;
	if (!strcasecmp(t, "none") || !strcasecmp(t, "no") || !strcmp(t, "-"))
		return true;
	for (; *t; t++)
		if (*t != '0' && *t != '.' && *t != ',' && !isspace((unsigned char)*t))
			return false;
	return true;
}

/* "12.5" / "12,5" (the text before '%') as basis points. */
static int parse_percent(const char *t, size_t n, int64_t *bp, struct pd_error *err)
{
	while (n && isspace((unsigned char)*t))
		t++, n--;
	while (n && isspace((unsigned char)t[n - 1]))
		n--;
	int64_t whole = 0, frac = 0;
	size_t i = 0, digits = 0, decimals = 0;
	for (; i < n && isdigit((unsigned char)t[i]); i++, digits++)
		if ((whole = whole * 10 + (t[i] - '0')) > 1000)
			break;
	if (i < n && (t[i] == '.' || t[i] == ',')) {
		for (i++; i < n && isdigit((unsigned char)t[i]); i++, decimals++)
			if (decimals < 2)
				frac = frac * 10 + (t[i] - '0');
	}
	if (!digits || i != n || decimals > 2)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a percentage is a number from 0 to 100 with at most two "
				    "decimals, such as 20%% or 12.5%%");
	if (decimals == 1)
		frac *= 10;
	*bp = whole * POLICY_PERCENT_SCALE + frac;
	if (*bp > 100 * POLICY_PERCENT_SCALE)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a percentage is at most 100%%: type a fixed amount for more");
	return PD_OK;
}

int policy_amount_parse(const char *text, const char *currency, struct policy_amount *out,
			struct pd_error *err)
{
	if (!text || is_none(text)) {
		*out = (struct policy_amount){POLICY_AMOUNT_NONE, 0};
		return PD_OK;
	}
	const char *pct = strchr(text, '%');
	if (pct) {
		if (pct[1 + strspn(pct + 1, " ")] != '\0')
			return pd_error_set(err, PD_ERR_USAGE,
					    "type a percentage as 20%% (nothing after the %%)");
		int64_t bp = 0;
		int rc = parse_percent(text, (size_t)(pct - text), &bp, err);
		if (rc)
			return rc;
		*out = (struct policy_amount){bp ? POLICY_AMOUNT_PERCENT : POLICY_AMOUNT_NONE, bp};
		return PD_OK;
	}
	if (!currency || !*currency)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a fixed amount needs a currency: give --currency, or type a "
				    "percentage such as 20%%");
	int64_t minor;
	int rc = money_parse(text, currency, &minor, err);
	if (rc)
		return rc;
	*out = (struct policy_amount){minor ? POLICY_AMOUNT_FIXED : POLICY_AMOUNT_NONE, minor};
	return PD_OK;
}

char *policy_amount_format(const struct policy_amount *a, const char *currency, char *out,
			   size_t len)
{
	switch (a->kind) {
	case POLICY_AMOUNT_NONE:
		snprintf(out, len, "none");
		break;
	case POLICY_AMOUNT_FIXED:
		money_format(a->value, currency && *currency ? currency : "usd", out, len);
		break;
	case POLICY_AMOUNT_PERCENT:
		if (a->value % POLICY_PERCENT_SCALE == 0)
			snprintf(out, len, "%lld %%", (long long)(a->value / POLICY_PERCENT_SCALE));
		else if (a->value % 10 == 0)
			snprintf(out, len, "%lld.%lld %%", (long long)(a->value / 100),
				 (long long)(a->value % 100 / 10));
		else
			snprintf(out, len, "%lld.%02lld %%", (long long)(a->value / 100),
				 (long long)(a->value % 100));
		break;
	}
	return out;
}

static const char *const rule_names[] = {"refund", "keep-deposit", "keep-all"};

const char *policy_rule_name(enum policy_money_rule r)
{
	return (unsigned)r < 3 ? rule_names[r] : "refund";
}

int policy_rule_parse(const char *text, enum policy_money_rule *out, struct pd_error *err)
{
	char t[32];
	size_t n = 0;
	for (; text && *text && n < sizeof t - 1; text++)
		t[n++] = (*text == ' ' || *text == '_') ? '-' : (char)tolower((unsigned char)*text);
	t[n] = '\0';
	if (!strcmp(t, "refund") || !strcmp(t, "refund-all"))
		*out = POLICY_REFUND_ALL;
	else if (!strcmp(t, "keep-deposit"))
		*out = POLICY_KEEP_DEPOSIT;
	else if (!strcmp(t, "keep-all") || !strcmp(t, "keep"))
		*out = POLICY_KEEP_ALL;
	else
		return pd_error_set(err, PD_ERR_USAGE,
				    "what happens to money paid is refund, keep-deposit or keep-all");
	return PD_OK;
}

static bool amount_ok(const struct policy_amount *a)
{
	if (a->kind == POLICY_AMOUNT_PERCENT)
		return a->value > 0 && a->value <= 100 * POLICY_PERCENT_SCALE;
	if (a->kind == POLICY_AMOUNT_FIXED)
		return a->value > 0 && a->value <= MONEY_MAX_MINOR;
	return true;
}

int policy_check(const struct booking_policy *p, struct pd_error *err)
{
	if (p->cancel_window_hours < 0 || p->cancel_window_hours > POLICY_WINDOW_MAX_HOURS)
		return pd_error_set(err, PD_ERR_USAGE,
				    "the cancellation window is 0 to %d hours before the start",
				    POLICY_WINDOW_MAX_HOURS);
	if (!amount_ok(&p->deposit) || !amount_ok(&p->late_fee) || !amount_ok(&p->no_show_fee))
		return pd_error_set(err, PD_ERR_USAGE,
				    "an amount is more than 0 and at most 100%% or 999,999.99");
	bool fixed = p->deposit.kind == POLICY_AMOUNT_FIXED ||
		     p->late_fee.kind == POLICY_AMOUNT_FIXED ||
		     p->no_show_fee.kind == POLICY_AMOUNT_FIXED;
	if (fixed && strlen(p->currency) != 3)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a fixed amount needs the policy's currency (--currency)");
	if (p->deposit_required && p->deposit.kind == POLICY_AMOUNT_NONE)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a required deposit needs an amount: type one, or make it "
				    "optional");
	if (p->deposit.kind == POLICY_AMOUNT_NONE &&
	    (p->in_time == POLICY_KEEP_DEPOSIT || p->late == POLICY_KEEP_DEPOSIT))
		return pd_error_set(err, PD_ERR_USAGE,
				    "keep-deposit needs a deposit: set one, or choose refund or "
				    "keep-all");
	return PD_OK;
}

static void amount_text(const struct booking_policy *p, const struct policy_amount *a,
			int64_t price, const char *currency, char *out, size_t len)
{
	bool mismatch;
	int64_t v = policy_amount_for(a, p->currency, price, currency, &mismatch);
	if (mismatch)
		policy_amount_format(a, p->currency, out, len);
	else
		money_format(v, currency, out, len);
}

static const char *rule_text(enum policy_money_rule r)
{
	switch (r) {
	case POLICY_KEEP_DEPOSIT:
		return "the deposit is kept, the rest is refunded";
	case POLICY_KEEP_ALL:
		return "nothing paid is refunded";
	case POLICY_REFUND_ALL:
	default:
		return "everything paid is refunded";
	}
}

char *policy_describe(const struct booking_policy *p, int64_t price, const char *currency,
		      char *out, size_t len)
{
	char a[48];
	size_t n = 0;
	out[0] = '\0';
#define PUT(...)                                                                              \
	do {                                                                                  \
		if (n < len) {                                                                \
			int w_ = snprintf(out + n, len - n, __VA_ARGS__);                     \
			n += w_ > 0 ? (size_t)w_ : 0;                                         \
		}                                                                             \
	} while (0)
	if (p->deposit.kind != POLICY_AMOUNT_NONE) {
		amount_text(p, &p->deposit, price, currency, a, sizeof a);
		PUT("Deposit %s at booking%s. ", a, p->deposit_required ? " (required)" : "");
	}
	if (p->hold_card)
		PUT("A card is held on file for fees. ");
	bool any_fee = p->late_fee.kind != POLICY_AMOUNT_NONE ||
		       p->no_show_fee.kind != POLICY_AMOUNT_NONE;
	if (p->in_time != POLICY_REFUND_ALL || p->late != POLICY_REFUND_ALL || any_fee) {
		PUT("Cancel at least %d hour%s before the start: %s. ", p->cancel_window_hours,
		    p->cancel_window_hours == 1 ? "" : "s", rule_text(p->in_time));
		PUT("Later: ");
		if (p->late_fee.kind != POLICY_AMOUNT_NONE) {
			amount_text(p, &p->late_fee, price, currency, a, sizeof a);
			PUT("a late-cancellation fee of %s%s; ", a,
			    p->late != POLICY_REFUND_ALL ? " (less anything kept)" : "");
		}
		PUT("%s. ", rule_text(p->late));
	}
	if (p->no_show_fee.kind != POLICY_AMOUNT_NONE) {
		amount_text(p, &p->no_show_fee, price, currency, a, sizeof a);
		PUT("No-show: a fee of %s", a);
		PUT("%s. ", p->deposit.kind != POLICY_AMOUNT_NONE ? ", less any deposit paid" : "");
	}
	if (!n)
		PUT("No deposit, no fees: everything paid is refunded on cancellation.");
#undef PUT
	while (n > 0 && n < len && out[n - 1] == ' ')
		out[--n] = '\0';
	return out;
}
