/* Subscription plans: Stripe products with one recurring price each
 * (memberships, packages, mailbox rentals). Features and limits are kept in
 * the product's metadata (keys "features", "limits") and shown as text.
 *
 * The store keeps a copy of every plan (table plans, schema 7) so the
 * Subscriptions screen is instant and works offline; plans_sync refreshes
 * it from Stripe. Changes are use cases run on a worker: admins only, every
 * POST through the outbox, the outcome and an audit entry written in one
 * transaction. A new amount or interval is a new price (Stripe prices are
 * immutable): edit changes names and texts only. */
#ifndef PAYDESK_PLANS_H
#define PAYDESK_PLANS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/error.h"
#include "paydesk/payments.h"
#include "paydesk/plans_store.h"

/* Fill p from a Stripe product whose default_price is expanded (or from
 * price when given). PD_ERR_USAGE when it is not a product. */
int plans_from_stripe(json_t *product, json_t *price, struct plan *p, struct pd_error *err);

/* ---- use cases (worker: network) --------------------------------------- */

struct plan_input {
	const char *name, *description, *features, *limits; /* "" for none */
	int64_t amount;       /* minor units, > 0 */
	const char *currency; /* ISO code, any case */
	const char *interval; /* day | week | month | year */
	int interval_count;   /* 1.. (at most one year in all) */
};

/* Check a new plan without the network; err names the field. */
int plans_check(const struct plan_input *in, struct pd_error *err);

/* Create the product with its recurring price (default_price_data), store
 * it, audit "plan.create". *id the local plan. */
int plans_create(const struct pay_env *e, const struct plan_input *in, int64_t *id,
		 struct pd_error *err);

/* Rename / describe / new features or limits: NULL keeps a field. Audits
 * "plan.edit". */
int plans_edit(const struct pay_env *e, int64_t id, const char *name, const char *description,
	       const char *features, const char *limits, struct pd_error *err);

/* Archive (active=false: no new subscriptions; existing ones go on) or
 * restore. Audits "plan.archive" / "plan.restore". */
int plans_archive(const struct pay_env *e, int64_t id, bool archive, struct pd_error *err);

/* Re-read every recurring product from Stripe into the store (any
 * signed-in user: it changes nothing at Stripe). *n how many. */
int plans_sync(const struct pay_env *e, size_t *n, struct pd_error *err);

#endif
