/* A Stripe subscription object, as the store keeps it (struct subscription). */
#include "paydesk/subscriptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

static const char *nz(const char *s)
{
	return s ? s : "";
}

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (json_is_object(v))
		v = json_object_get(v, "id");
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static int64_t client_of(sqlite3 *db, const char *customer)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	if (!customer || db_prepare(db, "SELECT id FROM clients WHERE stripe_customer_id = ?", &st,
				    NULL))
		return 0;
	sqlite3_bind_text(st, 1, customer, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int subs_from_stripe(sqlite3 *db, json_t *sub, struct subscription *s, struct pd_error *err)
{
	memset(s, 0, sizeof *s);
	const char *obj = jstr(sub, "object");
	if (!obj || strcmp(obj, "subscription") != 0 || !jstr(sub, "id"))
		return pd_error_set(err, PD_ERR_USAGE, "not a Stripe subscription");
	json_t *item = json_array_get(json_object_get(json_object_get(sub, "items"), "data"), 0);
	json_t *price = json_object_get(item, "price");
	json_t *rec = json_object_get(price, "recurring");
	s->stripe_id = strdup(jstr(sub, "id"));
	s->customer_id = strdup(nz(jstr(sub, "customer")));
	s->client_id = client_of(db, s->customer_id);
	s->product_id = strdup(nz(jstr(price, "product")));
	s->price_id = strdup(nz(jstr(price, "id")));
	s->item_id = strdup(nz(jstr(item, "id")));
	snprintf(s->status, sizeof s->status, "%s", nz(jstr(sub, "status")));
	s->quantity = (int)(jint(item, "quantity") ? jint(item, "quantity") : 1);
	s->amount = jint(price, "unit_amount") * s->quantity;
	snprintf(s->currency, sizeof s->currency, "%s", nz(jstr(price, "currency")));
	snprintf(s->interval, sizeof s->interval, "%s", nz(jstr(rec, "interval")));
	s->interval_count = (int)(jint(rec, "interval_count") ? jint(rec, "interval_count") : 1);
	snprintf(s->collection, sizeof s->collection, "%s", nz(jstr(sub, "collection_method")));
	s->current_period_end = jint(sub, "current_period_end");
	s->trial_end = jint(sub, "trial_end");
	s->cancel_at_period_end = json_is_true(json_object_get(sub, "cancel_at_period_end"));
	s->cancel_at = jint(sub, "cancel_at");
	s->canceled_at = jint(sub, "canceled_at");
	s->paused = json_is_object(json_object_get(sub, "pause_collection"));
	s->created = jint(sub, "created");
	json_t *inv = json_object_get(sub, "latest_invoice");
	s->invoice_id = strdup(nz(jstr(sub, "latest_invoice")));
	const char *failure = NULL;
	if (json_is_object(inv)) {
		snprintf(s->invoice_status, sizeof s->invoice_status, "%s", nz(jstr(inv, "status")));
		s->invoice_attempts = (int)jint(inv, "attempt_count");
		s->invoice_amount = jint(inv, "amount_due");
		json_t *pi = json_object_get(inv, "payment_intent");
		if (json_is_object(pi)) {
			snprintf(s->payment_status, sizeof s->payment_status, "%s",
				 nz(jstr(pi, "status")));
			json_t *lpe = json_object_get(pi, "last_payment_error");
			if (json_is_object(lpe))
				failure = jstr(lpe, "message");
		}
		if (!strcmp(s->invoice_status, "paid"))
			failure = NULL;
	}
	s->last_failure = strdup(nz(failure));
	s->synced_at = (int64_t)time(NULL);
	if (!s->stripe_id || !s->customer_id || !s->product_id || !s->price_id || !s->item_id ||
	    !s->invoice_id || !s->last_failure) {
		subscription_free(s);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	return PD_OK;
}
