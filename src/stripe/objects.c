#include "paydesk/stripe_objects.h"

#include <stdlib.h>
#include <string.h>

/* A string member, or the id of an expanded object in its place. */
static char *string_or_id(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	if (json_is_object(v))
		v = json_object_get(v, "id");
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

void stripe_object_ref_clear(struct stripe_object_ref *r)
{
	free(r->id);
	free(r->object);
	free(r->status);
	memset(r, 0, sizeof *r);
}

int stripe_object_ref_read(json_t *obj, struct stripe_object_ref *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	out->id = string_or_id(obj, "id");
	if (!out->id)
		return pd_error_set(err, PD_ERR, "Stripe's answer has no object id");
	out->object = string_or_id(obj, "object");
	out->status = string_or_id(obj, "status");
	return PD_OK;
}

void stripe_payment_intent_clear(struct stripe_payment_intent *pi)
{
	free(pi->id);
	free(pi->status);
	free(pi->currency);
	free(pi->customer);
	free(pi->latest_charge);
	free(pi->payment_method);
	free(pi->appointment_id);
	memset(pi, 0, sizeof *pi);
}

int stripe_payment_intent_read(json_t *obj, struct stripe_payment_intent *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	json_t *kind = json_object_get(obj, "object");
	if (!json_is_string(kind) || strcmp(json_string_value(kind), "payment_intent") != 0)
		return pd_error_set(err, PD_ERR, "Stripe's answer is not a payment intent");
	json_t *amount = json_object_get(obj, "amount");
	json_t *received = json_object_get(obj, "amount_received");
	out->id = string_or_id(obj, "id");
	out->status = string_or_id(obj, "status");
	out->currency = string_or_id(obj, "currency");
	out->customer = string_or_id(obj, "customer");
	out->latest_charge = string_or_id(obj, "latest_charge");
	out->payment_method = string_or_id(obj, "payment_method");
	out->appointment_id = string_or_id(json_object_get(obj, "metadata"), "appointment_id");
	const char *missing = !out->id                   ? "id"
	                      : !out->status             ? "status"
	                      : !out->currency           ? "currency"
	                      : !json_is_integer(amount) ? "amount"
	                                                 : NULL;
	if (missing) {
		stripe_payment_intent_clear(out);
		return pd_error_set(err, PD_ERR, "Stripe's payment intent has no valid %s",
		                    missing);
	}
	out->amount = json_integer_value(amount);
	out->amount_received = json_is_integer(received) ? json_integer_value(received) : 0;
	return PD_OK;
}
