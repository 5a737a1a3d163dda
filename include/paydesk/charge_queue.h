/* Saved-card charges queued while Stripe is unreachable (issue 15, point
 * 19). The desk keeps its book during an outage: a charge of a client's
 * saved card is recorded as a promise — nothing sent, "queued, not
 * charged" — and sent only when someone at the desk confirms it again
 * after Stripe is back. Sending goes through payments_charge_card, so
 * through the outbox and its Idempotency-Keys like every charge; the queued
 * row leaves the queue in the very transaction that starts the payment
 * attempt (pay_begin), so a second confirm, or one after a crash, finds it
 * sent and charges nothing. Each step is audited (payment.queued,
 * payment.queue_sent, payment.queue_dropped). */
#ifndef PAYDESK_CHARGE_QUEUE_H
#define PAYDESK_CHARGE_QUEUE_H

#include <sqlite3.h>
#include <stdint.h>
#include <time.h>

#include "paydesk/auth.h"
#include "paydesk/error.h"
#include "paydesk/payments.h"
#include "paydesk/queued_charges.h"

/* What the desk reads on a queued charge, wherever it is shown. */
#define CHARGE_QUEUED_WORDS "queued, not charged"

/* Queue a charge of amount (0: all that is due) on the client's saved card
 * payment_method, card how the desk saw it ("visa ·4242", may be NULL).
 * payment_method NULL or "": the first card stored for the client, or when
 * none is, their first saved card at Stripe when it is sent. down_since: when
 * Stripe became unreachable (0: not known). No network. Refused like a
 * payment (role, nothing due, too much, cancelled, a payment under way, no
 * Stripe customer) and when one is queued already. */
int charge_queue_add(sqlite3 *db, const struct session *who, int64_t appointment_id,
		     int64_t amount, const char *payment_method, const char *card,
		     time_t down_since, int64_t *id, struct pay_result *r, struct pd_error *err);

/* Send queued charge id now (a worker: network): the desk confirmed it
 * again. Refused when it is no longer queued (r and err say who sent or
 * dropped it, when). Otherwise payments_charge_card's outcome; the queued
 * row is marked sent with the attempt's start, whatever Stripe then says. */
int charge_queue_send(const struct pay_env *e, int64_t id, struct pay_result *r,
		      struct pd_error *err);

/* Drop queued charge id: reason required (audited). No network. */
int charge_queue_drop(sqlite3 *db, const struct session *who, int64_t id, const char *reason,
		      struct pd_error *err);

/* For pay_begin, inside its transaction, once the attempt row exists: the
 * queued charge e->queued_charge leaves the queue as sent by that attempt
 * (same appointment and amount, still queued), audited. */
int charge_queue_claim(const struct pay_env *e, int64_t appointment_id, int64_t amount,
		       int64_t payment_row, struct pd_error *err);

/* PD_OK while queued charge id is still queued; else why not (who sent or
 * dropped it, when). For pay_begin, before its checks. */
int charge_queue_claimable(sqlite3 *db, int64_t id, struct pd_error *err);

/* One line for the desk: "25.00 USD on visa ·4242, queued 14:05 by Sam". */
void charge_queue_describe(const struct queued_charge *q, char *out, size_t size);

#endif
