/* Taking payment for appointments: the use cases behind the Appointments
 * tab. Each runs on a worker (network), checks the user's role before
 * anything is sent, sends every money-moving call through the outbox (its
 * Idempotency-Key committed first), and records the outcome — appointment
 * state and payment state, Stripe ids, the Request-Id — in one transaction
 * with an audit entry naming the user. No card number ever passes through
 * paydesk: cards are charged by saved PaymentMethod id, on Stripe's hosted
 * Checkout page (pay link / QR code), or on a Terminal reader.
 *
 * Every PaymentIntent carries payment_method_types[]=card (card_present for
 * readers) and metadata appointment_id, client_id, service and
 * source=paydesk, so Stripe's dashboard traces it back; a connected Express
 * account (stripe_account.connected_account) is sent as Stripe-Account on
 * every call. */
#ifndef PAYDESK_PAYMENTS_H
#define PAYDESK_PAYMENTS_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/appointments.h"
#include "paydesk/auth.h"
#include "paydesk/error.h"
#include "paydesk/stripe_client.h"

/* Where Checkout sends the client's browser after paying or leaving: paydesk
 * runs no web server, so any fixed page will do (the outcome is always read
 * back from Stripe). Settings key pay_link_return_url overrides it. */
#define PAYMENTS_RETURN_URL_DEFAULT "https://dashboard.stripe.com/"
/* Pay links last this long (Stripe allows 30 min to 24 h). */
#define PAYMENTS_LINK_TTL (24 * 3600)
/* Polling of links and readers: every this many seconds, at most this many times. */
#define PAYMENTS_POLL_SECONDS 3
#define PAYMENTS_POLL_MAX 1200

/* What a use case runs with: the worker's connection and client, the key
 * (guarded memory), the job's cancel flag (may be NULL), and who acts. */
struct pay_env {
	sqlite3 *db;
	struct stripe_client *client;
	const char *key;
	const atomic_bool *cancel;
	const struct session *who;
	int64_t queued_charge; /* a charge confirmed from the queue (charge_queue.h), or 0 */
};

/* What the desk is told. */
struct pay_result {
	enum appt_state state;     /* the appointment after the call */
	enum appt_payment payment;
	bool done;        /* polls: nothing more to wait for */
	bool offer_link;  /* a decline or authentication_required: a pay link is the next step */
	char object_id[64];  /* pi_…, cs_…, re_… of the call, or "" */
	char request_id[64]; /* Request-Id of the last answer, or "" */
	char url[512];       /* pay links: the URL to show (and QR-encode) */
	char message[512];   /* plain words: what happened and what to do next */
};

/* The "take payment at booking" setting: enum setup_payment_at_booking. */
int payments_booking_mode(sqlite3 *db);

/* After booking: with payment at booking required, the appointment waits
 * for its payment (awaiting_payment) and is confirmed only when Stripe says
 * a PaymentIntent succeeded. No network. */
int payments_after_booking(sqlite3 *db, const struct session *who, int64_t appointment_id,
			   struct pd_error *err);

/* What is still due: price minus what was paid (0 when settled). */
int payments_due(sqlite3 *db, int64_t appointment_id, int64_t *due, int64_t *paid,
		 int64_t *refunded, struct pd_error *err);

/* (1) Charge a card saved on the client, off-session: create the
 * PaymentIntent (customer, payment_method, metadata), then confirm it with
 * off_session=true. amount 0: all that is due; less: a deposit.
 * payment_method NULL: the client's first saved card. A decline or
 * authentication_required is PD_OK with r->payment failed, r->offer_link
 * set and the next step in r->message. */
int payments_charge_card(const struct pay_env *e, int64_t appointment_id, int64_t amount,
			 const char *payment_method, struct pay_result *r, struct pd_error *err);

/* (2) A pay link: a Checkout Session for the appointment (r->url). An open,
 * unexpired link is shown again rather than duplicated; an expired one is
 * replaced by a new one (re-sent). */
int payments_link_create(const struct pay_env *e, int64_t appointment_id, int64_t amount,
			 struct pay_result *r, struct pd_error *err);

/* Read the link back from Stripe once: paid → payment recorded and the
 * appointment confirmed; expired → recorded, r->done. */
int payments_link_check(const struct pay_env *e, int64_t appointment_id, struct pay_result *r,
			struct pd_error *err);

/* (3) A Terminal reader, server-driven: create a card_present
 * PaymentIntent and hand it to reader_id (NULL: settings terminal_reader,
 * else the first reader Stripe lists). Then poll with payments_reader_check. */
int payments_reader_start(const struct pay_env *e, int64_t appointment_id, int64_t amount,
			  const char *reader_id, struct pay_result *r, struct pd_error *err);
int payments_reader_check(const struct pay_env *e, int64_t appointment_id, struct pay_result *r,
			  struct pd_error *err);
/* Stop the reader's action and cancel its PaymentIntent. */
int payments_reader_cancel(const struct pay_env *e, int64_t appointment_id, struct pay_result *r,
			   struct pd_error *err);

/* Refund amount (0: everything still refundable) with reason
 * (duplicate | fraudulent | requested_by_customer). Staff are held to the
 * admin's refund limits (auth_refund_reserve). */
int payments_refund(const struct pay_env *e, int64_t appointment_id, int64_t amount,
		    const char *reason, struct pay_result *r, struct pd_error *err);

/* Cancel the appointment (read at version): unpaid PaymentIntents are
 * cancelled and open pay links expired at Stripe first; money already paid
 * stays paid (refund it separately). */
int payments_cancel_appointment(const struct pay_env *e, int64_t appointment_id, int64_t version,
				struct pay_result *r, struct pd_error *err);

/* After outbox recovery (at start-up): every attempt a crash left open
 * (starting / unknown) gets what Stripe answered its calls, recorded on the
 * attempt and its appointment as the interrupted use case would have — paid:
 * the appointment paid (and confirmed); declined or stopped before the
 * confirm: the payment failed, the appointment unpaid — with the audit entry
 * in the name of the user who started it. Pay links are read back from
 * Stripe, a reader payment nobody watches any more is cancelled (or found
 * paid), and refunds Stripe made but the attempt does not show are added.
 * Attempts whose calls are still open stay as they are (*still_open).
 * e->who is not used; e->key NULL: only what the outbox alone can settle. */
int payments_recover(const struct pay_env *e, size_t *settled, size_t *still_open,
		     struct pd_error *err);

/* What the desk is told of a payment whose outcome is unknown: the key
 * that re-checks it (Appointments tab, payments_recheck) comes first, so
 * it shows on the detail line at 80 columns. */
#define PAY_UNKNOWN_HINT "Y re-checks it at Stripe"
/* A call that certainly never reached Stripe (the outbox never sent it):
 * the attempt is closed as not made (cancelled), with the reason (%s). */
#define PAY_NOT_SENT                                                                   \
	"Not made: Stripe could not be reached (%.300s); nothing was sent, nothing "  \
	"charged. Try again when Stripe is back, or take it at the desk."
#define PAY_UNKNOWN_REFUSAL                                                          \
	"the last payment's outcome is not known yet: Y re-checks it at Stripe, then " \
	"take payment (nothing is charged twice)"

/* Re-check, from the desk, the appointment's last payment when its outcome
 * is unknown (an outage, a lost answer): its open create is re-sent with
 * its own Idempotency-Key, a recorded PaymentIntent is read back (GET) and,
 * when Stripe never confirmed it, cancelled. The outcome is recorded as
 * payments_recover records it — paid, declined, or not charged (r->payment
 * failed: take it again) — plus an audit entry payment.recheck naming e->who.
 * Never sends a confirm, so never charges. PD_ERR while Stripe still gives
 * no clear answer (nothing changed). */
int payments_recheck(const struct pay_env *e, int64_t appointment_id, struct pay_result *r,
		     struct pd_error *err);

/* A decline in plain words with the next step, from Stripe's code /
 * decline_code ("The card was declined for insufficient funds. Try another
 * card or send a pay link."). */
void payments_decline_words(const char *code, const char *decline_code, char *out, size_t len);
/* The reason alone, for a record of what happened ("The card was declined
 * for insufficient funds"); a static string. */
const char *payments_decline_reason(const char *code, const char *decline_code);

#endif
