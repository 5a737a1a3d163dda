/* pay_driver's commands for appointments money (schema 20): discounts, desk
 * tips, receipts. Included by pay_driver.c (one binary per tool). */
#ifndef PAY_DRIVER_MONEY_H
#define PAY_DRIVER_MONEY_H

#include "paydesk/appt_money.h"
#include "paydesk/appt_price.h"
#include "paydesk/payments_desk.h"
#include "paydesk/receipts.h"

/* {tips, price_text, amount} of an appointment. */
static json_t *money_json(sqlite3 *db, int64_t id)
{
	int64_t tips = 0;
	appointment_tips(db, id, &tips, NULL);
	char text[512];
	appt_price_text(db, id, text, sizeof text);
	json_t *o = appointment_json(db, id);
	if (json_is_object(o)) {
		json_object_set_new(o, "tips", json_integer(tips));
		json_object_set_new(o, "price_text", json_string(text));
	}
	return o;
}

/* Runs cmd when it is one of these; *out its exit status. */
static bool money_command(const char *cmd, struct pay_env *e, int64_t id, const char *arg2,
			  const char *arg3, int64_t amount, int *out)
{
	struct pay_result r;
	struct pd_error err = {0};
	int rc;
	memset(&r, 0, sizeof r);
	if (strcmp(cmd, "desk-take") == 0) { /* desk-take ID TENDER [NOTE] (--amount, --tip) */
		int tender = payrow_method_from_key(arg2);
		rc = payments_desk_take_tip(e->db, e->who, id, (enum payrow_method)(tender < 0 ? 0 : tender),
					    amount, e->tip, arg3, &r, &err);
		*out = report(rc, &err, &r, money_json(e->db, id));
	} else if (strcmp(cmd, "discount") == 0) { /* discount ID "10%"|"5.00"|"=45.00" REASON */
		struct appointment a;
		char cur[4] = "usd";
		if (appointments_get(e->db, id, &a, NULL) == PD_OK) {
			memcpy(cur, a.currency, sizeof cur);
			appointment_free(&a);
		}
		enum price_change_kind kind;
		int64_t value = 0;
		bool set = arg2[0] == '=';
		rc = appt_price_parse(set ? arg2 + 1 : arg2, cur, &kind, &value, &err);
		struct appt_price_result pr;
		if (!rc)
			rc = appt_price_change(e->db, e->who, id, set ? PRICE_SET : kind, value, arg3,
					       &pr, &err);
		if (!rc)
			snprintf(r.message, sizeof r.message, "%.500s", pr.message);
		*out = report(rc, &err, &r, money_json(e->db, id));
	} else if (strcmp(cmd, "money") == 0) {
		*out = report(PD_OK, &err, NULL, money_json(e->db, id));
	} else if (strcmp(cmd, "receipt-resend") == 0) {
		rc = receipts_resend(e, id, &r, &err);
		*out = report(rc, &err, &r, money_json(e->db, id));
	} else if (strcmp(cmd, "receipt-resend-payment") == 0) { /* 0 PAYMENT EMAIL */
		rc = receipts_resend_payment(e, arg2, arg3, &r, &err);
		*out = report(rc, &err, &r, json_null());
	} else if (strcmp(cmd, "receipt-text") == 0) {
		char *text = NULL;
		rc = receipts_text(e->db, id, &text, &err);
		*out = report(rc, &err, NULL, json_string(text ? text : ""));
		free(text);
	} else {
		return false;
	}
	return true;
}

#endif
