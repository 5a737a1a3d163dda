/* A booking held to its policy: what it asks of the client (a deposit,
 * required or not; a card held on file) and where the booking stands with
 * it (paid so far, a card saved or not); recording the client's acceptance
 * as the booking is made and keeping a booking whose required deposit is
 * unpaid awaiting payment. The rules are core/policy.h; the terms are
 * policies.h. */
#ifndef PAYDESK_BOOKING_POLICY_H
#define PAYDESK_BOOKING_POLICY_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/appointments.h"
#include "paydesk/auth.h"
#include "paydesk/error.h"
#include "paydesk/payments.h"
#include "paydesk/policies.h"

struct policy_ask {
	bool any;              /* the policy asks or charges anything (else nothing to accept) */
	int64_t deposit;       /* for the appointment's price, minor units (0: none) */
	bool deposit_required; /* confirmed only once the deposit is paid */
	bool hold_card;        /* a card must be saved on the client's Stripe customer */
	bool card_saved;       /* the client has a saved card (as Stripe last listed them) */
	int64_t held;          /* paid and not refunded */
	char currency[4];
	int64_t policy_version;
	char text[POLICY_TEXT_MAX + 1]; /* what the client is shown and accepts */
};

/* What appointment a's policy asks and where a stands with it (read only). */
int policy_ask_for(sqlite3 *db, const struct appointment *a, struct policy_ask *out,
		   struct pd_error *err);

/* "deposit 9.00 EUR required · card to hold" (what is asked; "" when
 * nothing). Returns out. */
char *policy_ask_text(const struct policy_ask *ask, char *out, size_t len);

/* "card held" / "card needed" for an appointment whose policy holds a card,
 * "" otherwise. */
const char *policy_card_word(const struct policy_ask *ask);

/* Right after booking appointment id: when its policy asks anything, the
 * client's acceptance is recorded (how: desk or phone; policy_accept), and
 * a required deposit not yet paid puts the booking awaiting payment
 * (audited payment.required, "deposit 9.00 EUR required by the booking
 * policy"). *ask (may be NULL) gets what the policy asks. */
int policy_after_booking(sqlite3 *db, const struct session *who, int64_t id,
			 enum policy_accepted_how how, struct policy_ask *ask,
			 struct pd_error *err);

/* What must be paid before appointment a is confirmed: its policy's
 * deposit when required, else 1 (any payment confirms). */
int64_t policy_confirm_threshold(sqlite3 *db, const struct appointment *a);

/* Cancel appointment id at now by its policy (headless; the Appointments
 * tab does the same in steps, as jobs): the plan's refund (Stripe's money
 * through payments_refund — outbox, refund limits, audit — and desk money
 * through payments_desk_refund), then the appointment cancelled with what
 * is kept audited (booking_close). A refund refused or failed cancels
 * nothing. *plan (may be NULL) gets the numbers used. */
int policy_cancel(const struct pay_env *e, int64_t id, int64_t now,
		  struct policy_cancel_plan *plan, struct pay_result *r, struct pd_error *err);

#endif
