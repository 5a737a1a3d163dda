/* Discounts and price changes of an appointment: an amount or a percentage
 * off the price it was booked at, or a new price, always with a reason;
 * audited (appointment.discount / appointment.price) in the transaction that
 * writes it; never below zero. Before the appointment is fully paid the
 * price due simply changes; once paid, the change still stands and what
 * was paid above the new price is offered back (refund_due): the desk
 * refunds it with the usual refund flow. No Stripe call here. */
#ifndef PAYDESK_APPT_PRICE_H
#define PAYDESK_APPT_PRICE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/appt_money.h"
#include "paydesk/auth.h"
#include "paydesk/error.h"

#define APPT_PRICE_REASON_MAX 80

struct appt_price_result {
	int64_t list_price, before, after; /* minor units */
	int64_t due;        /* still to pay at the new price */
	int64_t refund_due; /* paid above the new price: offer it back */
	char currency[4];
	char message[1024];  /* what the desk is told, with the next step */
};

/* Parse what the desk typed: "10%" / "10 %" (a percentage, 1..100), else an
 * amount through money_parse in currency. */
int appt_price_parse(const char *typed, const char *currency, enum price_change_kind *kind,
		     int64_t *value, struct pd_error *err);

/* Change the price of appointment_id. Who: take-payment right; staff may not
 * give away more than the per-payment refund limit of the currency when an
 * admin has set one. Refused: a cancelled / no-show appointment, a payment
 * still under way, no reason, a result below zero, a percentage over 100. */
int appt_price_change(sqlite3 *db, const struct session *who, int64_t appointment_id,
		      enum price_change_kind kind, int64_t value, const char *reason,
		      struct appt_price_result *out, struct pd_error *err);

/* What appt_price_change would make the price (no write, no checks but the
 * arithmetic): *list the price it was booked at, *after the new price
 * (may be below zero: the change would be refused). */
int appt_price_preview(sqlite3 *db, int64_t appointment_id, enum price_change_kind kind,
		       int64_t value, int64_t *list, int64_t *after, struct pd_error *err);

/* "discount 10 %", "discount 5.00", "new price 45.00" (out). */
void appt_price_describe(enum price_change_kind kind, int64_t value, const char *currency,
			 char *out, size_t len);

/* The price line of the appointment: "price 40.00 · discount 10 % (loyalty)
 * · 36.00 due" ("" when its price was never changed). Returns out. */
char *appt_price_text(sqlite3 *db, int64_t appointment_id, char *out, size_t size);

#endif
