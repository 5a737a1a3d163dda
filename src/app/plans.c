/* Subscription plans as use cases: create, rename/describe, archive, sync. */
#include "paydesk/plans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/money.h"
#include "paydesk/subscriptions.h"
#include "paydesk/textcheck.h"
#include "payments_internal.h"

/* Plans are the business's catalogue: admins only (staff see them), and,
 * like every subscription action, not while billing through Stripe is off. */
static int need_admin(const struct pay_env *e, struct pd_error *err)
{
	const struct session *who = e->who;
	if (!who || !who->signed_in || who->role != ROLE_ADMIN)
		return pd_error_set(err, PD_ERR_FORBIDDEN, "only an admin can manage plans");
	char why[200];
	if (!subs_enabled(e->db, why, sizeof why))
		return pd_error_set(err, PD_ERR_USAGE, "%s", why);
	return PD_OK;
}

static int need_key(const struct pay_env *e, struct pd_error *err)
{
	if (!e->key)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	return PD_OK;
}

static bool valid_interval(const char *s)
{
	return s && (!strcmp(s, "day") || !strcmp(s, "week") || !strcmp(s, "month") ||
		     !strcmp(s, "year"));
}

int plans_check(const struct plan_input *in, struct pd_error *err)
{
	int rc = text_check("name", in->name, PLAN_NAME_MAX, true, false, err);
	if (!rc)
		rc = text_check("description", in->description ? in->description : "", PLAN_TEXT_MAX,
				false, false, err);
	if (!rc)
		rc = text_check("features", in->features ? in->features : "", PLAN_TEXT_MAX, false,
				false, err);
	if (!rc)
		rc = text_check("limits", in->limits ? in->limits : "", PLAN_TEXT_MAX, false, false,
				err);
	if (rc)
		return rc;
	if ((rc = money_currency_check(in->currency, NULL, err)))
		return rc;
	if (in->amount <= 0 || in->amount > 99999999)
		return pd_error_set(err, PD_ERR_USAGE, "amount: more than zero, at most 999,999.99");
	if (!valid_interval(in->interval))
		return pd_error_set(err, PD_ERR_USAGE, "interval: day, week, month or year");
	int max = !strcmp(in->interval, "day")	  ? 365
		  : !strcmp(in->interval, "week") ? 52
		  : !strcmp(in->interval, "month") ? 12
						   : 1;
	if (in->interval_count < 1 || in->interval_count > max)
		return pd_error_set(err, PD_ERR_USAGE,
				    "interval count: 1 to %d %ss (Stripe bills at least once a year)",
				    max, in->interval);
	return PD_OK;
}

/* Store what Stripe answered (a product with default_price expanded) and
 * audit it, in one transaction. */
static int record(const struct pay_env *e, json_t *product, const char *action, int64_t *id,
		  struct pd_error *err)
{
	struct plan p;
	int rc = plans_from_stripe(product, NULL, &p, err);
	if (rc)
		return rc;
	if (!p.price_id[0]) {
		/* Not expanded: keep the price we knew. */
		struct plan old;
		if (plans_store_find(e->db, p.product_id, &old, NULL) == PD_OK) {
			free(p.price_id);
			p.price_id = strdup(old.price_id);
			p.amount = old.amount;
			memcpy(p.currency, old.currency, sizeof p.currency);
			memcpy(p.interval, old.interval, sizeof p.interval);
			p.interval_count = old.interval_count;
			plan_free(&old);
		}
	}
	rc = db_begin(e->db, err);
	if (!rc)
		rc = plans_store_put(e->db, &p, err);
	if (!rc && action) {
		struct audit_entry en = {.actor = pay_actor(e->who), .action = action,
					 .detail = p.name, .has_amount = p.amount > 0,
					 .amount = p.amount,
					 .currency = p.currency[0] ? p.currency : NULL,
					 .object_id = p.product_id};
		rc = audit_append(e->db, &en, err);
	}
	if (!rc)
		rc = db_commit(e->db, err);
	else
		db_rollback(e->db);
	if (!rc && id) {
		struct plan back;
		if (plans_store_find(e->db, p.product_id, &back, err) == PD_OK) {
			*id = back.id;
			plan_free(&back);
		}
	}
	plan_free(&p);
	return rc;
}

int plans_create(const struct pay_env *e, const struct plan_input *in, int64_t *id,
		 struct pd_error *err)
{
	int rc = need_admin(e, err);
	if (!rc)
		rc = plans_check(in, err);
	if (!rc)
		rc = need_key(e, err);
	if (rc)
		return rc;
	char cur[4];
	for (int i = 0; i < 4; i++)
		cur[i] = (char)(in->currency[i] | (i < 3 ? 0x20 : 0));
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "name", in->name);
	if (in->description && *in->description)
		stripe_params_add(p, "description", in->description);
	if (in->features && *in->features)
		stripe_params_add(p, "metadata[features]", in->features);
	if (in->limits && *in->limits)
		stripe_params_add(p, "metadata[limits]", in->limits);
	stripe_params_add(p, "metadata[source]", "paydesk");
	stripe_params_add(p, "default_price_data[currency]", cur);
	stripe_params_add_int(p, "default_price_data[unit_amount]", in->amount);
	stripe_params_add(p, "default_price_data[recurring][interval]", in->interval);
	stripe_params_add_int(p, "default_price_data[recurring][interval_count]",
			      in->interval_count);
	stripe_params_add(p, "expand[]", "default_price");
	struct stripe_response resp;
	rc = pay_send_money(e, "/v1/products", p, &resp, err);
	stripe_params_free(&p);
	if (!rc)
		rc = record(e, resp.json, "plan.create", id, err);
	stripe_response_clear(&resp);
	return rc;
}

int plans_edit(const struct pay_env *e, int64_t id, const char *name, const char *description,
	       const char *features, const char *limits, struct pd_error *err)
{
	int rc = need_admin(e, err);
	if (!rc && name)
		rc = text_check("name", name, PLAN_NAME_MAX, true, false, err);
	if (!rc && description)
		rc = text_check("description", description, PLAN_TEXT_MAX, false, false, err);
	if (!rc && features)
		rc = text_check("features", features, PLAN_TEXT_MAX, false, false, err);
	if (!rc && limits)
		rc = text_check("limits", limits, PLAN_TEXT_MAX, false, false, err);
	if (!rc)
		rc = need_key(e, err);
	if (rc)
		return rc;
	struct plan old;
	rc = plans_store_get(e->db, id, &old, err);
	if (rc)
		return rc;
	struct stripe_params *p = stripe_params_new();
	if (name)
		stripe_params_add(p, "name", name);
	if (description)
		stripe_params_add(p, "description", description); /* "" unsets it */
	if (features)
		stripe_params_add(p, "metadata[features]", features);
	if (limits)
		stripe_params_add(p, "metadata[limits]", limits);
	stripe_params_add(p, "expand[]", "default_price");
	char path[160];
	snprintf(path, sizeof path, "/v1/products/%s", old.product_id);
	struct stripe_response resp;
	rc = pay_send_money(e, path, p, &resp, err);
	stripe_params_free(&p);
	if (!rc)
		rc = record(e, resp.json, "plan.edit", NULL, err);
	stripe_response_clear(&resp);
	plan_free(&old);
	return rc;
}

int plans_archive(const struct pay_env *e, int64_t id, bool archive, struct pd_error *err)
{
	int rc = need_admin(e, err);
	if (!rc)
		rc = need_key(e, err);
	if (rc)
		return rc;
	struct plan old;
	rc = plans_store_get(e->db, id, &old, err);
	if (rc)
		return rc;
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_bool(p, "active", !archive);
	stripe_params_add(p, "expand[]", "default_price");
	char path[160];
	snprintf(path, sizeof path, "/v1/products/%s", old.product_id);
	struct stripe_response resp;
	rc = pay_send_money(e, path, p, &resp, err);
	stripe_params_free(&p);
	if (!rc)
		rc = record(e, resp.json, archive ? "plan.archive" : "plan.restore", NULL, err);
	stripe_response_clear(&resp);
	plan_free(&old);
	return rc;
}

/* The first active recurring price of a product whose default price is not
 * recurring (or not set). NULL when none; the caller frees the response. */
static json_t *recurring_price(const struct pay_env *e, const char *product,
			       struct stripe_response *resp)
{
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "product", product);
	stripe_params_add(p, "type", "recurring");
	stripe_params_add_bool(p, "active", true);
	stripe_params_add_int(p, "limit", 1);
	int rc = pay_send(e, STRIPE_GET, "/v1/prices", p, resp, NULL);
	stripe_params_free(&p);
	return rc ? NULL : json_array_get(json_object_get(resp->json, "data"), 0);
}

int plans_sync(const struct pay_env *e, size_t *n, struct pd_error *err)
{
	*n = 0;
	if (!e->who || !e->who->signed_in)
		return pd_error_set(err, PD_ERR_FORBIDDEN, "sign in first");
	int rc = need_key(e, err);
	if (rc)
		return rc;
	char after[128] = "";
	for (int page = 0; page < 50; page++) {
		struct stripe_params *p = stripe_params_new();
		stripe_params_add_int(p, "limit", 100);
		stripe_params_add(p, "expand[]", "data.default_price");
		if (after[0])
			stripe_params_add(p, "starting_after", after);
		struct stripe_response resp;
		rc = pay_send(e, STRIPE_GET, "/v1/products", p, &resp, err);
		stripe_params_free(&p);
		if (rc) {
			stripe_response_clear(&resp);
			return rc;
		}
		json_t *data = json_object_get(resp.json, "data");
		size_t i;
		json_t *prod;
		json_array_foreach(data, i, prod)
		{
			json_t *price = json_object_get(prod, "default_price");
			struct stripe_response presp = {0};
			if (!json_is_object(json_object_get(price, "recurring")))
				price = recurring_price(e, pay_json_str(prod, "id"), &presp);
			if (price) {
				struct plan pl;
				if (plans_from_stripe(prod, price, &pl, NULL) == PD_OK) {
					if (plans_store_put(e->db, &pl, err) == PD_OK)
						(*n)++;
					plan_free(&pl);
				}
			}
			stripe_response_clear(&presp);
			pay_copy(after, sizeof after, pay_json_str(prod, "id"));
		}
		bool more = json_is_true(json_object_get(resp.json, "has_more"));
		stripe_response_clear(&resp);
		if (!more || !json_array_size(data))
			break;
	}
	return PD_OK;
}
