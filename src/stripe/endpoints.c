/* Facts about Stripe endpoints the client enforces: which calls move money. */
#include "paydesk/stripe_client.h"

#include <string.h>

/* Path patterns; "*" is one id segment. Money-moving calls, as the outbox
 * must see them: creating, confirming, capturing or cancelling payments,
 * refunds, pay-by-link sessions and subscriptions. */
static const struct money_route {
	enum stripe_method method;
	const char *pattern;
} money_routes[] = {
    {STRIPE_POST, "/v1/payment_intents"},
    {STRIPE_POST, "/v1/payment_intents/*/confirm"},
    {STRIPE_POST, "/v1/payment_intents/*/capture"},
    {STRIPE_POST, "/v1/payment_intents/*/cancel"},
    {STRIPE_POST, "/v1/charges"},
    {STRIPE_POST, "/v1/refunds"},
    {STRIPE_POST, "/v1/refunds/*/cancel"},
    {STRIPE_POST, "/v1/checkout/sessions"},
    {STRIPE_POST, "/v1/subscriptions"},
    {STRIPE_POST, "/v1/subscriptions/*"},
    {STRIPE_DELETE, "/v1/subscriptions/*"},
    {STRIPE_POST, "/v1/invoices/*/pay"},
    {STRIPE_POST, "/v1/terminal/readers/*/process_payment_intent"},
};

static bool path_matches(const char *pattern, const char *path)
{
	while (*pattern && *path) {
		if (*pattern == '*') {
			const char *slash = strchr(path, '/');
			size_t seg = slash ? (size_t)(slash - path) : strlen(path);
			if (seg == 0)
				return false;
			path += seg;
			pattern++;
			continue;
		}
		if (*pattern++ != *path++)
			return false;
	}
	/* Ignore a query string and a trailing slash. */
	if (*path == '/')
		path++;
	return !*pattern && (!*path || *path == '?');
}

bool stripe_path_moves_money(enum stripe_method method, const char *path)
{
	if (!path)
		return false;
	for (size_t i = 0; i < sizeof money_routes / sizeof money_routes[0]; i++)
		if (money_routes[i].method == method && path_matches(money_routes[i].pattern, path))
			return true;
	return false;
}

static const char *const method_names[] = {"GET", "POST", "DELETE"};

const char *stripe_method_name(enum stripe_method m)
{
	return (unsigned)m < 3 ? method_names[m] : "?";
}

int stripe_method_parse(const char *name, enum stripe_method *out)
{
	for (int i = 0; i < 3; i++) {
		if (strcmp(name, method_names[i]) == 0) {
			*out = (enum stripe_method)i;
			return PD_OK;
		}
	}
	return PD_ERR_USAGE;
}
