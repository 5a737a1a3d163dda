/* Desk tenders: money taken or handed back at the desk with no Stripe call
 * — cash, a cheque, a gift voucher, another card machine (not Stripe's).
 * Each is recorded with who, when, amount, tender and the desk's note
 * (cheque number, voucher code, slip number) on the appointment's money
 * trail (appointment_payments), from which its payment state, deposit and
 * confirmation follow exactly as for card payments; as a billing-history
 * record of type desk / desk_refund (history_desk.h); and as an audit entry
 * naming the user — all in one transaction. No network, no vault and no
 * Stripe account are needed: a desk without Stripe can take cash. */
#ifndef PAYDESK_PAYMENTS_DESK_H
#define PAYDESK_PAYMENTS_DESK_H

#include <sqlite3.h>
#include <stdint.h>

#include "paydesk/auth.h"
#include "paydesk/error.h"
#include "paydesk/payments.h"
#include "paydesk/payments_store.h"

/* Longest note, in characters. */
#define PAYMENTS_DESK_NOTE_MAX 80

/* Take amount (0: all that is due; less: a deposit) by tender, a desk
 * method (payrow_method_is_desk). Refused like any payment: a cancelled or
 * no-show appointment, nothing due, more than is due, a Stripe payment
 * still under way (it could be paid twice), no payment right. */
int payments_desk_take(sqlite3 *db, const struct session *who, int64_t appointment_id,
		       enum payrow_method tender, int64_t amount, const char *note,
		       struct pay_result *r, struct pd_error *err);

/* payments_desk_take with a tip for the appointment's staff member, kept
 * apart from the price (appointment_payments.tip); the history record holds
 * amount + tip, what the drawer got. */
int payments_desk_take_tip(sqlite3 *db, const struct session *who, int64_t appointment_id,
			   enum payrow_method tender, int64_t amount, int64_t tip, const char *note,
			   struct pay_result *r, struct pd_error *err);

/* Hand back amount (0: all the desk took that is not refunded yet), newest
 * desk payment first, each in its own tender; staff within their refund
 * rights (auth_refund_reserve). Recorded, never sent to Stripe. */
int payments_desk_refund(sqlite3 *db, const struct session *who, int64_t appointment_id,
			 int64_t amount, const char *note, struct pay_result *r,
			 struct pd_error *err);

/* What the desk can hand back now: desk tenders taken minus refunded. */
int payments_desk_refundable(sqlite3 *db, int64_t appointment_id, int64_t *left,
			     struct pd_error *err);

#endif
