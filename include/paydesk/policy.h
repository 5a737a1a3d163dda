/* A booking policy: what a service asks of a client when booked (a deposit,
 * a card held on file) and what happens to money when they cancel or do not
 * come (a window, late-cancellation and no-show fees, refund rules). Pure
 * logic: the amounts a policy gives for a price, whether a cancellation is
 * late, reading what an admin typed, and the text a client accepts.
 * Stored per service, with a business default, in store/policies_store.c;
 * set (admin only, audited) in app/policies.c. */
#ifndef PAYDESK_POLICY_H
#define PAYDESK_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

#define POLICY_WINDOW_MAX_HOURS 720 /* 30 days */
#define POLICY_PERCENT_SCALE 100    /* value of a percentage: basis points (12.5 % = 1250) */
#define POLICY_TEXT_MAX 600

enum policy_amount_kind { POLICY_AMOUNT_NONE, POLICY_AMOUNT_FIXED, POLICY_AMOUNT_PERCENT };

/* A fixed amount (minor units of the policy's currency) or a percentage of
 * the price (basis points, at most 100 %). */
struct policy_amount {
	enum policy_amount_kind kind;
	int64_t value;
};

/* What is done with money already paid when the client cancels. */
enum policy_money_rule {
	POLICY_REFUND_ALL,    /* everything paid goes back */
	POLICY_KEEP_DEPOSIT,  /* the deposit is kept, the rest goes back */
	POLICY_KEEP_ALL,      /* nothing goes back */
};

struct booking_policy {
	int64_t id;           /* 0: not stored (the built-in "no policy") */
	int64_t service_id;   /* 0: the business default */
	char currency[4];     /* of fixed amounts; "" when none is fixed */
	struct policy_amount deposit;
	bool deposit_required; /* the booking is not confirmed until it is paid */
	bool hold_card;        /* a card must be saved to hold the booking */
	int cancel_window_hours; /* a cancellation later than this before the start is late */
	struct policy_amount late_fee, no_show_fee;
	enum policy_money_rule in_time, late; /* money paid, cancelled in time / late */
	int64_t version;      /* bumped at every change; recorded with each acceptance */
	int64_t updated_at;
	char updated_by[65];
};

/* The built-in policy when none is set: nothing asked, nothing charged,
 * everything paid refunded on cancellation. */
void policy_none(struct booking_policy *p);

/* Whether p asks or charges anything at all. */
bool policy_is_empty(const struct booking_policy *p);

/* The amount a for a price in currency (minor units): a fixed amount as is
 * (0 when the policy's currency is not the price's: *mismatch set), a
 * percentage rounded half up to the currency's smallest coin (three-decimal
 * currencies to 10), never more than the price. */
int64_t policy_amount_for(const struct policy_amount *a, const char *policy_currency,
			  int64_t price, const char *currency, bool *mismatch);

/* What a fee still asks when kept (money paid and kept: a deposit) is
 * counted toward it, as the policy text says: never below 0. */
int64_t policy_fee_due(int64_t fee, int64_t kept);

/* Whether cancelling at now an appointment starting at starts_at is late. */
bool policy_is_late(const struct booking_policy *p, int64_t starts_at, int64_t now);

/* Read what an admin typed for an amount: "none" (or "" / "0"), "20%"
 * ("12.5 %", "12,5%"), or money ("10", "12,50") in currency via
 * money_parse. A percentage above 100 or with more than two decimals is
 * refused saying what to type; a fixed amount needs a currency. */
int policy_amount_parse(const char *text, const char *currency, struct policy_amount *out,
			struct pd_error *err);

/* "none", "20 %", "12.5 %", "10.00 EUR". Returns out. */
char *policy_amount_format(const struct policy_amount *a, const char *currency, char *out,
			   size_t len);

/* "refund" / "keep-deposit" / "keep-all" and back (refund-all, keep deposit
 * accepted too). */
const char *policy_rule_name(enum policy_money_rule r);
int policy_rule_parse(const char *text, enum policy_money_rule *out, struct pd_error *err);

/* Check a policy as a whole: window in range, percentages at most 100 %,
 * a currency when an amount is fixed, a required deposit that is some
 * amount, keep-deposit only with a deposit. */
int policy_check(const struct booking_policy *p, struct pd_error *err);

/* The text the client is shown and accepts, for a price in currency:
 * "Deposit 9.00 EUR at booking (required). A card is held on file.
 * Cancel at least 24 hours before the start: everything paid is refunded.
 * Later: a late-cancellation fee of 22.50 EUR; the deposit is kept.
 * No-show: a fee of 45.00 EUR." At most POLICY_TEXT_MAX bytes. */
char *policy_describe(const struct booking_policy *p, int64_t price, const char *currency,
		      char *out, size_t len);

#endif
