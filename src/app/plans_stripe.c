/* A Stripe product with its recurring price, as the store keeps it (struct plan). */
#include "paydesk/plans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *nz(const char *s)
{
	return s ? s : "";
}

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int plans_from_stripe(json_t *product, json_t *price, struct plan *p, struct pd_error *err)
{
	memset(p, 0, sizeof *p);
	const char *obj = jstr(product, "object");
	if (!obj || strcmp(obj, "product") != 0 || !jstr(product, "id"))
		return pd_error_set(err, PD_ERR_USAGE, "not a Stripe product");
	if (!price)
		price = json_object_get(product, "default_price");
	json_t *md = json_object_get(product, "metadata");
	p->product_id = strdup(jstr(product, "id"));
	p->name = strdup(nz(jstr(product, "name")));
	p->description = strdup(nz(jstr(product, "description")));
	p->features = strdup(nz(jstr(md, "features")));
	p->limits = strdup(nz(jstr(md, "limits")));
	p->active = json_is_true(json_object_get(product, "active"));
	json_t *rec = json_object_get(price, "recurring");
	if (json_is_object(price) && json_is_object(rec)) {
		p->price_id = strdup(nz(jstr(price, "id")));
		p->amount = json_integer_value(json_object_get(price, "unit_amount"));
		snprintf(p->currency, sizeof p->currency, "%s", nz(jstr(price, "currency")));
		snprintf(p->interval, sizeof p->interval, "%s", nz(jstr(rec, "interval")));
		p->interval_count = (int)json_integer_value(json_object_get(rec, "interval_count"));
	} else {
		p->price_id = strdup("");
		snprintf(p->interval, sizeof p->interval, "month");
	}
	if (p->interval_count < 1)
		p->interval_count = 1;
	p->synced_at = (int64_t)time(NULL);
	if (!p->product_id || !p->name || !p->description || !p->features || !p->limits ||
	    !p->price_id) {
		plan_free(p);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	return PD_OK;
}
