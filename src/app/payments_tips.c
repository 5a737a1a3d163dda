/* Tips and receipts on the PaymentIntents of appointments: what the
 * payment paths (payments.c, payments_link.c, payments_reader.c) add to
 * the PaymentIntent they create, and the tip read back from a reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/appt_money.h"
#include "paydesk/money.h"
#include "paydesk/receipts.h"
#include "paydesk/settings.h"
#include "payments_internal.h"

void pay_add_tip_receipt(const struct pay_env *e, struct stripe_params *p, const char *prefix,
			 const struct appointment *a, int64_t tip)
{
	char key[96], val[32];
	bool nested = *prefix != '\0';
	snprintf(key, sizeof key, "%s%stip_amount]", prefix, nested ? "metadata][" : "metadata[");
	snprintf(val, sizeof val, "%lld", (long long)tip);
	stripe_params_add(p, key, val);
	char email[256];
	receipts_email_for(e->db, a->client_id, email, sizeof email);
	if (email[0]) {
		snprintf(key, sizeof key, "%sreceipt_email%s", prefix, nested ? "]" : "");
		stripe_params_add(p, key, email);
	}
}

char *pay_tip_words(int64_t tip, const char *currency, char *out, size_t len)
{
	char m[64];
	if (tip > 0)
		snprintf(out, len, " + tip %s", money_format(tip, currency, m, sizeof m));
	else if (len)
		out[0] = '\0';
	return out;
}

bool pay_reader_tips_on(sqlite3 *db)
{
	char *v = NULL;
	bool on = true;
	if (settings_get(db, "tips.on_reader", &v, NULL) == PD_OK && v)
		on = strcmp(v, "off") != 0;
	free(v);
	return on;
}

int64_t pay_tip_from_intent(const struct pay_env *e, struct pay_attempt *row, json_t *pi)
{
	int64_t typed = 0;
	payrow_tip_get(e->db, row->id, &typed, NULL);
	struct stripe_response resp = {0};
	bool called = false;
	if (!pi && row->payment_intent_id) {
		char path[160];
		snprintf(path, sizeof path, "/v1/payment_intents/%s", row->payment_intent_id);
		called = true;
		if (pay_send(e, STRIPE_GET, path, NULL, &resp, NULL) == PD_OK &&
		    resp.outcome == STRIPE_OUTCOME_OK)
			pi = resp.json;
	}
	json_t *tip = json_object_get(json_object_get(json_object_get(pi, "amount_details"), "tip"),
				      "amount");
	int64_t on_reader = json_is_integer(tip) ? json_integer_value(tip) : 0;
	if (on_reader > 0 && on_reader != typed &&
	    payrow_tip_set(e->db, row->id, on_reader, NULL) == PD_OK)
		typed = on_reader;
	if (called)
		stripe_response_clear(&resp);
	return typed;
}
