/* Discounts and price changes of an appointment (appt_price.h). */
#include "paydesk/appt_price.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/appointments.h"
#include "paydesk/audit.h"
#include "paydesk/booking.h"
#include "paydesk/db.h"
#include "paydesk/money.h"
#include "paydesk/payments.h"
#include "paydesk/payments_store.h"
#include "paydesk/refund_limits.h"
#include "paydesk/textcheck.h"

int appt_price_parse(const char *typed, const char *currency, enum price_change_kind *kind,
		     int64_t *value, struct pd_error *err)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%s", typed ? typed : "");
	size_t n = strlen(buf);
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	if (n && buf[n - 1] == '%') {
		buf[--n] = '\0';
		while (n && isspace((unsigned char)buf[n - 1]))
			buf[--n] = '\0';
		char *end = NULL;
		long v = n ? strtol(buf, &end, 10) : -1;
		if (!end || *end || v < 1 || v > 100)
			return pd_error_set(err, PD_ERR_USAGE,
					    "a percentage is a whole number from 1 to 100, such as 10%%");
		*kind = PRICE_PERCENT;
		*value = v;
		return PD_OK;
	}
	*kind = PRICE_DISCOUNT;
	return money_parse(buf, currency, value, err);
}

/* "40.00" without the currency code. */
static char *bare(int64_t minor, const char *cur, char *out, size_t len)
{
	money_format(minor, cur, out, len);
	char *sp = strrchr(out, ' ');
	if (sp)
		*sp = '\0';
	return out;
}

static bool busy_payment(sqlite3 *db, int64_t id)
{
	struct pay_attempt last;
	if (payrows_latest(db, id, -1, &last, NULL) != PD_OK)
		return false;
	bool busy = last.status == PAYROW_STARTING || last.status == PAYROW_OPEN ||
		    last.status == PAYROW_UNKNOWN;
	pay_attempt_free(&last);
	return busy;
}

/* Staff give away no more than an admin lets them refund of one payment. */
static int staff_may_give(sqlite3 *db, const struct session *who, const char *currency,
			  int64_t given, struct pd_error *err)
{
	if (who->role == ROLE_ADMIN || given <= 0)
		return PD_OK;
	struct refund_limit l;
	if (refund_limits_get(db, currency, &l, NULL) != PD_OK || given <= l.per_payment)
		return PD_OK;
	char m[64];
	return pd_error_set(err, PD_ERR_FORBIDDEN,
			    "staff may take at most %s off a price (the refund limit an admin "
			    "set): ask an admin",
			    money_format(l.per_payment, currency, m, sizeof m));
}

void appt_price_describe(enum price_change_kind kind, int64_t value, const char *cur, char *out,
			 size_t len)
{
	char m[64];
	if (kind == PRICE_PERCENT)
		snprintf(out, len, "discount %lld %%", (long long)value);
	else if (kind == PRICE_DISCOUNT)
		snprintf(out, len, "discount %s", bare(value, cur, m, sizeof m));
	else
		snprintf(out, len, "new price %s", bare(value, cur, m, sizeof m));
}

static int64_t list_price(sqlite3 *db, const struct appointment *a)
{
	struct price_change last;
	return price_changes_latest(db, a->id, &last, NULL) == PD_OK ? last.list_price : a->amount;
}

/* What it was booked at, before any change: staff are held to the whole
 * of what comes off it, however many changes it takes. */
static int64_t booked_price(sqlite3 *db, const struct appointment *a)
{
	int64_t original = a->amount;
	bool found = false;
	price_changes_original(db, a->id, &original, &found, NULL);
	return found ? original : a->amount;
}

static int64_t new_price(enum price_change_kind kind, int64_t value, int64_t list)
{
	return kind == PRICE_SET       ? value
	       : kind == PRICE_PERCENT ? list - (list * value + 50) / 100
				       : list - value;
}

int appt_price_preview(sqlite3 *db, int64_t appointment_id, enum price_change_kind kind,
		       int64_t value, int64_t *list, int64_t *after, struct pd_error *err)
{
	struct appointment a;
	int rc = appointments_get(db, appointment_id, &a, err);
	if (rc)
		return rc;
	*list = list_price(db, &a);
	*after = new_price(kind, value, *list);
	appointment_free(&a);
	return PD_OK;
}

int appt_price_change(sqlite3 *db, const struct session *who, int64_t appointment_id,
		      enum price_change_kind kind, int64_t value, const char *reason,
		      struct appt_price_result *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	int rc = auth_allow_now(db, who, AUTH_TAKE_PAYMENT, err);
	if (!rc && (!reason || !*reason))
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "say why the price changes (a reason such as 'loyalty')");
	if (!rc)
		rc = text_check("Reason", reason, APPT_PRICE_REASON_MAX, true, false, err);
	if (!rc && (value < 0 || (kind == PRICE_PERCENT && (value < 1 || value > 100))))
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "a percentage is a whole number from 1 to 100");
	struct appointment a;
	if (!rc)
		rc = appointments_begin_get(db, appointment_id, &a, err);
	if (rc)
		return rc;
	int64_t list = list_price(db, &a);
	int64_t after = new_price(kind, value, list);
	int64_t paid = 0, refunded = 0;
	char m1[64], m2[64];
	if (a.state == APPT_CANCELLED || a.state == APPT_NO_SHOW)
		rc = pd_error_set(err, PD_ERR_USAGE, "a %s appointment has no price to change",
				  appt_state_label(a.state));
	else if (after < 0)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "a discount of %s would take the price below zero: at most %s off",
				  bare(value, a.currency, m1, sizeof m1),
				  bare(list, a.currency, m2, sizeof m2));
	else if (busy_payment(db, a.id))
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "a payment of this appointment is still under way: finish or "
				  "cancel it, then change the price");
	if (!rc)
		rc = staff_may_give(db, who, a.currency, booked_price(db, &a) - after, err);
	if (!rc)
		rc = payrows_totals(db, a.id, &paid, &refunded, err);
	struct price_change c = {.appointment_id = a.id, .kind = kind, .value = value,
				 .list_price = kind == PRICE_SET ? value : list,
				 .before_amount = a.amount, .after_amount = after};
	snprintf(c.reason, sizeof c.reason, "%s", reason);
	snprintf(c.actor, sizeof c.actor, "%s", who->name[0] ? who->name : "system");
	if (!rc)
		rc = price_changes_insert(db, &c, err);
	int64_t kept = paid - refunded;
	if (!rc)
		rc = appointments_set_price(db, a.id, after, paid > 0 && paid < after ? paid : 0, err);
	char what[128];
	appt_price_describe(kind, value, a.currency, what, sizeof what);
	out->list_price = c.list_price;
	out->before = a.amount;
	out->after = after;
	out->due = after > paid ? after - paid : 0;
	out->refund_due = kept > after ? kept - after : 0;
	memcpy(out->currency, a.currency, sizeof out->currency);
	char detail[1200], head[600];
	booking_describe(&a, head, sizeof head);
	snprintf(detail, sizeof detail, "%s · %s (%s) · price %s → %s", head, what, reason,
		 bare(a.amount, a.currency, m1, sizeof m1), bare(after, a.currency, m2, sizeof m2));
	if (!rc) {
		char obj[48];
		snprintf(obj, sizeof obj, "appointment:%lld", (long long)a.id);
		struct audit_entry en = {.actor = c.actor,
					 .action = kind == PRICE_SET ? "appointment.price"
								     : "appointment.discount",
					 .detail = detail, .has_amount = true, .amount = after,
					 .currency = a.currency, .object_id = obj};
		rc = audit_append(db, &en, err);
	}
	rc = db_finish(db, rc, err);
	if (!rc) {
		char due[64], back[64];
		/* message: 400 bytes, a reason at most APPT_PRICE_REASON_MAX characters */
		if (out->refund_due > 0)
			snprintf(out->message, sizeof out->message,
				 "Price now %s (%s, %s). %s was paid: %s is due back, refund it "
				 "with R.",
				 bare(after, a.currency, m1, sizeof m1), what, reason,
				 bare(kept, a.currency, m2, sizeof m2),
				 money_format(out->refund_due, a.currency, back, sizeof back));
		else
			snprintf(out->message, sizeof out->message, "Price now %s (%s, %s): %s due.",
				 bare(after, a.currency, m1, sizeof m1), what, reason,
				 money_format(out->due, a.currency, due, sizeof due));
	}
	appointment_free(&a);
	return rc;
}

char *appt_price_text(sqlite3 *db, int64_t appointment_id, char *out, size_t size)
{
	out[0] = '\0';
	struct price_change c;
	if (price_changes_latest(db, appointment_id, &c, NULL) != PD_OK)
		return out;
	int64_t due = 0, paid = 0, refunded = 0;
	payments_due(db, appointment_id, &due, &paid, &refunded, NULL);
	struct appointment a;
	if (appointments_get(db, appointment_id, &a, NULL) != PD_OK)
		return out;
	char list[64], now[64], d[64], what[96];
	bare(c.list_price, a.currency, list, sizeof list);
	bare(due, a.currency, d, sizeof d);
	if (c.kind == PRICE_SET) {
		snprintf(out, size, "price %s (%s) \u00b7 %s due", bare(c.after_amount, a.currency, now,
									  sizeof now),
			 c.reason, d);
	} else {
		appt_price_describe(c.kind, c.value, a.currency, what, sizeof what);
		snprintf(out, size, "price %s \u00b7 %s (%s) \u00b7 %s due", list, what, c.reason, d);
	}
	appointment_free(&a);
	return out;
}
