/* Stripe Connect with Express accounts: the business gets its own Express
 * account under a platform's key, onboards on a phone through a one-time
 * link, and paydesk then acts for it (Stripe-Account on every call). */
#ifndef PAYDESK_CONNECT_H
#define PAYDESK_CONNECT_H

#include <stdbool.h>

#include "paydesk/stripe_client.h"

struct connect_status {
	char account_id[64];
	char email[256];
	bool details_submitted;
	bool charges_enabled;
	bool payouts_enabled;
	int currently_due;   /* requirements still owed */
};

/* Whether paydesk may start acting for next while it acts for current
 * ("" or NULL: for the platform): replacing one Express account with
 * another takes an explicit replace (PD_ERR_EXISTS otherwise, naming both
 * ways out); the same account again is fine. */
int connect_check_replace(const char *current, const char *next, bool replace,
			  struct pd_error *err);

/* Create an Express account (country may be NULL: Stripe's default). The
 * email, when given, must look like an address (PD_ERR_USAGE, nothing sent). */
int connect_create_express(struct stripe_client *c, const char *platform_key, const char *email,
			   const char *country, char account_id[64], struct pd_error *err);

/* A one-time onboarding link (account_onboarding) for account_id; the admin
 * opens it on a phone. return_url is where Stripe sends them afterwards.
 * *url is a heap string to free; *expires_at unix seconds. */
int connect_onboarding_link(struct stripe_client *c, const char *platform_key,
			    const char *account_id, const char *return_url, char **url,
			    long long *expires_at, struct pd_error *err);

/* Read the account's onboarding state (a platform key reading a connected
 * account). PD_ERR_NOT_FOUND when the platform cannot see it. */
int connect_get_status(struct stripe_client *c, const char *platform_key, const char *account_id,
		       struct connect_status *out, struct pd_error *err);

/* A link into the Express dashboard for the business (heap string). */
int connect_login_link(struct stripe_client *c, const char *platform_key, const char *account_id,
		       char **url, struct pd_error *err);

/* Onboarding is done enough to take payments. */
bool connect_ready(const struct connect_status *s);

#endif
