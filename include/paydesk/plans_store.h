/* Storage of subscription plans (table plans, schema 7): the local copy of
 * Stripe's recurring products that the Subscriptions screen shows, instant
 * and offline. The use cases that change plans are in plans.h. */
#ifndef PAYDESK_PLANS_STORE_H
#define PAYDESK_PLANS_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

#define PLAN_NAME_MAX 120
#define PLAN_TEXT_MAX 500 /* Stripe metadata values hold at most 500 characters */

struct plan {
	int64_t id;
	char *product_id, *price_id; /* price_id "" when the product has no recurring price */
	char *name, *description, *features, *limits;
	int64_t amount; /* minor units per interval and unit */
	char currency[4];
	char interval[8]; /* day | week | month | year */
	int interval_count;
	bool active;
	int64_t synced_at, version;
};

void plan_free(struct plan *p);
void plans_free_list(struct plan **list, size_t n);

/* Insert or update the plan with p->product_id (id and version ignored). */
int plans_store_put(sqlite3 *db, const struct plan *p, struct pd_error *err);
/* Plans ordered by name; archived ones too when with_archived. *out heap. */
int plans_store_list(sqlite3 *db, bool with_archived, struct plan **out, size_t *n,
		     struct pd_error *err);
/* One plan by local id; PD_ERR_NOT_FOUND when absent. */
int plans_store_get(sqlite3 *db, int64_t id, struct plan *out, struct pd_error *err);
/* One plan by Stripe product id; PD_ERR_NOT_FOUND when absent. */
int plans_store_find(sqlite3 *db, const char *product_id, struct plan *out, struct pd_error *err);

/* "every month", "every 2 weeks", "every year". */
void plans_interval_words(const char *interval, int count, char *out, size_t len);

#endif
