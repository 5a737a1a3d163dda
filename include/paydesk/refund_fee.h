/* The Stripe processing fee a refund does not give back (issue 18): when
 * Stripe refunds a card payment it keeps the fee it took on the original
 * charge, which is that charge's balance transaction's `fee`. Said only
 * once Stripe has said it: a charge may have no balance transaction yet
 * (or the answer may not come), and then nothing is claimed. */
#ifndef PAYDESK_REFUND_FEE_H
#define PAYDESK_REFUND_FEE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/payments.h"

/* What the fee functions return when Stripe has not told it. */
#define REFUND_FEE_UNKNOWN (-1)

/* The fee of a PaymentIntent read with latest_charge.balance_transaction
 * expanded; REFUND_FEE_UNKNOWN when the charge or its balance transaction
 * is missing or not expanded. */
int64_t refund_fee_of_payment(json_t *payment_intent);

/* Asks Stripe (GET the PaymentIntent, its charge's balance transaction
 * expanded; moves no money). REFUND_FEE_UNKNOWN when Stripe does not say. */
int64_t refund_fee_fetch(const struct pay_env *e, const char *payment_intent);

/* What the billing history holds for this PaymentIntent (once synced or
 * folded in by a refund): its fee, and the card as "Visa •4242" in card
 * (card may be NULL; "" when unknown). No network. */
int64_t refund_fee_stored(sqlite3 *db, const char *payment_intent, char *card, size_t len);

/* The fees of the appointment's Stripe payments a refund of amount would
 * touch (newest first, as payments_refund takes them), from the billing
 * history: their sum, REFUND_FEE_UNKNOWN when one of them is not known or
 * the refund touches no Stripe payment; card as refund_fee_stored (the
 * newest payment's). No network. */
int64_t refund_fee_appointment_stored(sqlite3 *db, int64_t appointment_id, int64_t amount,
				      char *card, size_t len);

/* "Visa •4242" from Stripe's card brand and last four digits ("" when
 * either is missing). Returns out. */
char *refund_fee_card(const char *brand, const char *last4, char *out, size_t len);

/* "Stripe keeps its fee of 1.46 USD on this payment" ("these payments"
 * when several), or "" for REFUND_FEE_UNKNOWN. Returns out. */
char *refund_fee_text(int64_t fee, const char *currency, bool several, char *out, size_t len);

#endif
