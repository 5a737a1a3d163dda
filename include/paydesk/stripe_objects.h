/* Typed views of the Stripe objects paydesk acts on, read from parsed JSON.
 * Strings are heap copies owned by the struct. */
#ifndef PAYDESK_STRIPE_OBJECTS_H
#define PAYDESK_STRIPE_OBJECTS_H

#include <jansson.h>
#include <stdint.h>

#include "paydesk/error.h"

/* What every object carries: enough to record an outcome. */
struct stripe_object_ref {
	char *id;     /* "pi_…", "re_…", … */
	char *object; /* "payment_intent", "refund", … */
	char *status; /* NULL for objects without one */
};

struct stripe_payment_intent {
	char *id;
	char *status;   /* requires_payment_method … succeeded, canceled */
	int64_t amount; /* minor units */
	int64_t amount_received;
	char *currency;       /* lowercase ISO code */
	char *customer;       /* cus_… or NULL (an expanded customer gives its id) */
	char *latest_charge;  /* ch_… or NULL */
	char *payment_method; /* pm_… or NULL */
	char *appointment_id; /* metadata[appointment_id] or NULL */
};

/* Read id/object/status from obj. PD_ERR when obj has no string "id". */
int stripe_object_ref_read(json_t *obj, struct stripe_object_ref *out, struct pd_error *err);
void stripe_object_ref_clear(struct stripe_object_ref *r);

/* Read a payment intent. PD_ERR (err says which field) when obj is not a
 * payment_intent or lacks id, status, amount or currency. */
int stripe_payment_intent_read(json_t *obj, struct stripe_payment_intent *out,
                               struct pd_error *err);
void stripe_payment_intent_clear(struct stripe_payment_intent *pi);

#endif
