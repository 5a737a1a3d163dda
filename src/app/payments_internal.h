/* Shared by src/app/payments*.c and customers.c: sending, recording outcomes. */
#ifndef PAYDESK_PAYMENTS_INTERNAL_H
#define PAYDESK_PAYMENTS_INTERNAL_H

#include <jansson.h>

#include "paydesk/payments.h"
#include "paydesk/outbox.h"
#include "paydesk/payments_store.h"
#include "paydesk/stripe_params.h"

/* Who the audit log names. */
const char *pay_actor(const struct session *who);

/* The connected account to send as Stripe-Account ("" → NULL). */
const char *pay_account(sqlite3 *db, char buf[64]);

/* A money-moving POST through the outbox. resp is always filled (clear it). */
int pay_send_money(const struct pay_env *e, const char *path, const struct stripe_params *p,
		   struct stripe_response *resp, struct pd_error *err);
/* pay_send_money, also saying what the outbox row now is (*state): neither
 * done nor failed means the outcome is not known yet, and the call must
 * not be made again by hand. */
int pay_send_money_state(const struct pay_env *e, const char *path,
			 const struct stripe_params *p, struct stripe_response *resp,
			 enum outbox_state *state, struct pd_error *err);

/* A refund of this PaymentIntent sent earlier whose outcome is not known
 * yet (a crash, a lost answer): another one could refund twice. */
bool pay_refund_unresolved(sqlite3 *db, const char *payment_intent);
/* A refund reason Stripe takes: duplicate, fraudulent or requested_by_customer. */
bool pay_refund_reason_valid(const char *r);

/* What to say when a refund's outcome is not known. */
#define PAY_REFUND_UNKNOWN                                                             \
	"the refund's outcome is not known yet (%s): paydesk finishes it at the next "  \
	"start (or paydesk recover); do not refund again"

/* The same for an appointment's refund, which Y on Appointments re-checks
 * (payments_recheck) without closing the desk; %s: what Stripe said. */
#define PAY_REFUND_PENDING                                                              \
	"the refund's outcome is not known yet (%.200s): Y re-checks it at Stripe; do not " \
	"refund again (nothing is refunded twice)"
/* A no-show / late-cancellation fee's Stripe calls carry this key and the
 * appointment's id too: finding the visit's own payment call passes them over. */
#define PAY_FEE_KEY "metadata[fee_id]"

#define PAY_REFUND_PENDING_ROW "refund pending: Y re-checks it at Stripe (%s, no clear answer yet)"

/* Refunds Stripe made (done in the outbox) that the attempts do not show
 * yet: written onto them (payment.refund, in the name of who started
 * them); *settled counts them. */
int pay_settle_refunds(const struct pay_env *e, size_t *settled, struct pd_error *err);

/* A call that moves no money (GET, expire, cancel_action). */
int pay_send(const struct pay_env *e, enum stripe_method m, const char *path,
	     const struct stripe_params *p, struct stripe_response *resp, struct pd_error *err);

/* Before money is taken for a (amount 0: all that is due): not cancelled
 * or a no-show, something due and no more than it, no payment of it under
 * way or of unknown outcome (the client could pay twice). *due: what is
 * due. The refusal (PD_ERR_USAGE) says why. pay_due.c. */
int pay_due_check(sqlite3 *db, const struct appointment *a, int64_t amount, int64_t *due,
		  struct pd_error *err);

/* A string member of obj, or NULL (an expanded object gives its "id"). */
const char *pay_json_str(json_t *obj, const char *name);

/* The standard PaymentIntent metadata (appointment, client, service). */
void pay_add_metadata(struct stripe_params *p, const char *prefix, const struct appointment *a);
/* The booking policy a's client accepted (else the one a is held to now),
 * when it asks anything: metadata policy_version under prefix, and, with
 * custom_text, its text as Checkout's custom_text[submit][message] (shown
 * above the pay / save button), so the Dashboard and the client's page
 * carry the terms. */
void pay_add_policy(sqlite3 *db, struct stripe_params *p, const char *prefix,
		    const struct appointment *a, bool custom_text);

/* Tip and receipt on a PaymentIntent being created (prefix "" or
 * "payment_intent_data["): metadata[tip_amount] and, when the business
 * emails receipts and the client has an email, receipt_email. */
void pay_add_tip_receipt(const struct pay_env *e, struct stripe_params *p, const char *prefix,
			 const struct appointment *a, int64_t tip);

/* " + tip 5.00 USD", or "" with no tip (out). */
char *pay_tip_words(int64_t tip, const char *currency, char *out, size_t len);

/* Record row's tip as Stripe has it on its PaymentIntent: from pi (the
 * PaymentIntent's JSON) or, NULL, read with a GET. amount_details.tip.amount
 * is what the client added on the reader; a tip typed at the desk is kept.
 * Returns the tip. */
int64_t pay_tip_from_intent(const struct pay_env *e, struct pay_attempt *row, json_t *pi);

/* Whether the reader offers the client a tip (setting tips.on_reader, on
 * unless "off"). */
bool pay_reader_tips_on(sqlite3 *db);

/* Record a payment attempt's new state (row), recompute the appointment's
 * payment state and state from every attempt, keep the Stripe ids and
 * request_id on it, and append an audit entry — one transaction.
 * action NULL: no audit entry. audit_amount < 0: none shown. */
int pay_settle(const struct pay_env *e, struct pay_attempt *row, const char *request_id,
	       const char *action, int64_t audit_amount, const char *object_id,
	       struct pay_result *r, struct pd_error *err);

/* pay_settle inside the caller's transaction (it neither begins nor ends one). */
int pay_settle_in(const struct pay_env *e, struct pay_attempt *row, const char *request_id,
		  const char *action, int64_t audit_amount, const char *object_id,
		  struct pay_result *r, struct pd_error *err);

/* Fill r from the appointment as stored now. */
void pay_result_from(sqlite3 *db, int64_t appointment_id, struct pay_result *r);

/* Start an attempt: checks (role, state, amount), inserts the row as
 * starting and marks the appointment pending, in one transaction.
 * *amount 0 becomes what is due. */
int pay_begin(const struct pay_env *e, int64_t appointment_id, enum payrow_method method,
	      int64_t *amount, struct appointment *a, struct pay_attempt *row,
	      struct pd_error *err);

/* Give one attempt left starting / unknown the outcome its outbox rows
 * hold, as payments_recover does (pay links and readers read back from
 * Stripe), in the name of whoever started it. *closed false: a call is
 * still open, nothing was written. recheck: worded for a re-check at the
 * desk rather than a restart. */
int pay_recover_attempt(const struct pay_env *e, struct pay_attempt *row, bool recheck,
			bool *closed, struct pd_error *err);

/* The reader to use: given, else this desk's (readers_use), else the only
 * one Stripe lists; refused with what to do when none or several. out is
 * its id, label its label when known. */
int pay_pick_reader(const struct pay_env *e, const char *given, char out[64], char label[128],
		    struct pd_error *err);

/* Set dst (size n) from src, "" for NULL. */
void pay_copy(char *dst, size_t n, const char *src);

/* Where Stripe's pages send the client back (settings pay_link_return_url,
 * else PAYMENTS_RETURN_URL_DEFAULT): the success and cancel URL of a link. */
void pay_return_url(sqlite3 *db, char *out, size_t len);

#endif
