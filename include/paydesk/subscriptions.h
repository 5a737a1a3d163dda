/* Client subscriptions: clients billed every period through Stripe, with
 * trials, automatic card collection or emailed invoices, plan and quantity
 * changes with proration, cancel now or at period end (and undo), pause and
 * resume of collection.
 *
 * The store keeps a copy (table subscriptions, schema 7) with each one's
 * latest invoice, so the screen is instant and works offline; subs_sync
 * refreshes it on a background job. Every change is a use case run on a
 * worker: admins only (staff see the list), refused while the setting
 * "Bill clients with Stripe" is off, every POST/DELETE through the outbox
 * (its Idempotency-Key committed first), the new state and an audit entry
 * written in one transaction. */
#ifndef PAYDESK_SUBSCRIPTIONS_H
#define PAYDESK_SUBSCRIPTIONS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"
#include "paydesk/payments.h"
#include "paydesk/plans.h"
#include "paydesk/subscriptions_store.h"

/* Fill s from a Stripe subscription (latest_invoice and its payment_intent
 * expanded or not). client_id is looked up from the customer. */
int subs_from_stripe(sqlite3 *db, json_t *sub, struct subscription *s, struct pd_error *err);

/* ---- use cases (worker: network) --------------------------------------- */

/* Whether subscription changes are possible now; when not, why in one line. */
bool subs_enabled(sqlite3 *db, char *why, size_t len);

enum subs_trial { SUBS_TRIAL_NONE, SUBS_TRIAL_DAYS, SUBS_TRIAL_UNTIL };

struct subs_input {
	int64_t client_id, plan_id;
	int quantity; /* 1.. */
	enum subs_trial trial;
	int trial_days;      /* SUBS_TRIAL_DAYS: 1..730 */
	int64_t trial_until; /* SUBS_TRIAL_UNTIL: unix seconds, in the future */
	bool send_invoice;   /* false: charge the saved card automatically */
	int days_until_due;  /* send_invoice: 1..365 */
	bool second;         /* the client already has this plan: a second one is meant */
};

/* What the desk is told after a use case. */
struct subs_result {
	int64_t id;             /* local subscription, 0 when none was made */
	char stripe_id[64];
	char status[24];
	char invoice_status[16];
	bool needs_card;        /* no saved card: url is a save-a-card link first */
	char url[512];
	char message[512];
};

/* Check an input without the network (trial, quantity, due days). */
int subs_check(const struct subs_input *in, int64_t now, struct pd_error *err);

/* Whether subscribing client_id to plan_id could bill the client twice,
 * from the store alone (no network). PD_ERR_CONFLICT: an earlier subscribe
 * of the two has an outcome paydesk has not recorded (run recovery first);
 * PD_ERR_EXISTS: the client has a live one (trialing, active, past_due,
 * unpaid, paused) of the plan, which only an explicit second one passes.
 * The message says which and what to do. */
int subs_check_duplicate(sqlite3 *db, int64_t client_id, int64_t plan_id, struct pd_error *err);

/* Subscribe a client (refused as subs_check_duplicate says, unless
 * in->second passes PD_ERR_EXISTS). The client's Stripe customer is made first when
 * needed (customers_sync). Automatic collection needs a saved card: without
 * one nothing is created, r->needs_card is set and r->url is a save-a-card
 * link (Checkout in setup mode) to show as URL and QR. The first invoice's
 * outcome is in r->invoice_status and r->message. Audits "subscription.create". */
int subs_subscribe(const struct pay_env *e, const struct subs_input *in, struct subs_result *r,
		   struct pd_error *err);

/* The proration preview of a change (GET /v1/invoices/upcoming with the
 * new item): what the next invoice will ask for. No change is made. */
int subs_preview_change(const struct pay_env *e, int64_t id, int64_t plan_id, int quantity,
			int64_t *amount_due, char currency[4], int64_t *next_at, struct pd_error *err);

/* Change plan (plan_id 0: keep) and/or quantity (0: keep), prorated on the
 * next invoice. Audits "subscription.change". */
int subs_change(const struct pay_env *e, int64_t id, int64_t plan_id, int quantity,
		struct subs_result *r, struct pd_error *err);

/* Cancel now (DELETE) or at the end of the paid period. Audits
 * "subscription.cancel" / "subscription.cancel_at_period_end". */
int subs_cancel(const struct pay_env *e, int64_t id, bool at_period_end, struct subs_result *r,
		struct pd_error *err);

/* Undo a scheduled cancel. Audits "subscription.undo_cancel". */
int subs_undo_cancel(const struct pay_env *e, int64_t id, struct subs_result *r,
		     struct pd_error *err);

/* Pause collection (invoices are voided while paused) or resume it; a
 * subscription Stripe paused (status paused) is resumed. Audits
 * "subscription.pause" / "subscription.resume". */
int subs_pause(const struct pay_env *e, int64_t id, bool pause, struct subs_result *r,
	       struct pd_error *err);

/* Re-read the subscriptions of every client with a Stripe customer (all
 * statuses) into the store. Any signed-in user. *n how many. */
int subs_sync(const struct pay_env *e, size_t *n, struct pd_error *err);

/* After a crash (paydesk recover, the TUI's start): every subscription call
 * the outbox holds as done whose result the store lacks — a create not in
 * it, a change newer than its copy — is read back from Stripe and written
 * with its audit entry (in e->who's name, "finished after paydesk
 * restarted"). *recorded how many. */
int subs_recover(const struct pay_env *e, size_t *recorded, struct pd_error *err);

/* A renewal that failed (past_due, unpaid, or its latest invoice open after
 * a failed charge): pay the open invoice now (POST /v1/invoices/{id}/pay,
 * through the outbox) with the client's newest saved card as Stripe lists
 * it. Read back and audited either way ("subscription.retry" /
 * "subscription.retry_failed"); a decline is the error, with Stripe's
 * reason. Refused when nothing is open to pay. Admins, billing on. */
int subs_retry(const struct pay_env *e, int64_t id, struct subs_result *r, struct pd_error *err);

/* A card-update link for the subscription's client: a save-a-card link
 * (Checkout in setup mode, customers_save_card_link) in r->url, to show
 * as URL and QR or send; audited "subscription.card_link". */
int subs_card_link(const struct pay_env *e, int64_t id, struct subs_result *r,
		   struct pd_error *err);

/* Re-read one subscription. */
int subs_refresh(const struct pay_env *e, int64_t id, struct subs_result *r, struct pd_error *err);

#endif
