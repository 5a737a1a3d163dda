/* Saved-card charges queued during a Stripe outage: see charge_queue.h. */
#include "paydesk/charge_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/audit.h"
#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/money.h"
#include "paydesk/payments_store.h"
#include "paydesk/stripe_reach.h"
#include "paydesk/textcheck.h"
#include "paydesk/tz.h"
#include "payments_internal.h"

/* A reason to drop a queued charge, as for a refund note. */
#define DROP_REASON_MAX 200

/* "14:05" today, else "2026-12-05 14:05" (local time). */
static void when_text(int64_t t, char *out, size_t size)
{
	struct tz_civil c, now;
	tz_to_civil(t, &c);
	tz_to_civil((int64_t)time(NULL), &now);
	if (c.year == now.year && c.month == now.month && c.day == now.day)
		snprintf(out, size, "%02d:%02d", c.hour % 100, c.minute % 100);
	else
		snprintf(out, size, "%04d-%02d-%02d %02d:%02d", c.year % 10000, c.month % 100,
			 c.day % 100, c.hour % 100, c.minute % 100);
}

void charge_queue_describe(const struct queued_charge *q, char *out, size_t size)
{
	char money[64], when[32];
	money_format(q->amount, q->currency, money, sizeof money);
	when_text(q->queued_at, when, sizeof when);
	snprintf(out, size, "%s on %s, queued %s by %s", money,
		 q->card[0] ? q->card : "the saved card", when, q->queued_by);
}

int charge_queue_add(sqlite3 *db, const struct session *who, int64_t appointment_id,
		     int64_t amount, const char *payment_method, const char *card,
		     time_t down_since, int64_t *id, struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(db, who, AUTH_TAKE_PAYMENT, err);
	struct appointment a;
	if (!rc)
		rc = appointments_begin_get(db, appointment_id, &a, err);
	if (rc)
		return rc;
	struct client c = {0};
	bool have_client = clients_get(db, a.client_id, &c, NULL) == PD_OK;
	int64_t due = 0;
	rc = pay_due_check(db, &a, amount, &due, err);
	if (!rc && (!have_client || !c.stripe_customer_id)) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "%s has no Stripe customer: a saved-card charge cannot be queued "
				  "(take cash, or send a pay link once Stripe is back)",
				  have_client ? c.name : "the client");
	}
	if (have_client)
		client_free(&c);
	struct queued_charge q = {0};
	if (!rc && (!payment_method || !*payment_method)) {
		/* the card it would be sent with today, as the desk knows it; none
		 * stored: the client's first saved card at Stripe when it is sent */
		struct client_card *cards = NULL;
		size_t n = 0;
		if (client_cards_list(db, a.client_id, &cards, &n, NULL) == PD_OK && n > 0) {
			pay_copy(q.payment_method, sizeof q.payment_method, cards[0].payment_method_id);
			snprintf(q.card, sizeof q.card, "%s \u00b7%s", cards[0].brand, cards[0].last4);
		}
		free(cards);
	} else if (!rc) {
		pay_copy(q.payment_method, sizeof q.payment_method, payment_method);
		pay_copy(q.card, sizeof q.card, card);
	}
	if (!rc) {
		q.appointment_id = appointment_id;
		q.amount = amount ? amount : due;
		memcpy(q.currency, a.currency, sizeof q.currency);
		pay_copy(q.queued_by, sizeof q.queued_by, pay_actor(who));
		q.queued_at = (int64_t)time(NULL);
		q.down_since = (int64_t)down_since;
		rc = qcharges_insert(db, &q, id, err);
	}
	char detail[400], oid[32], money[64];
	if (!rc) {
		money_format(q.amount, q.currency, money, sizeof money);
		snprintf(detail, sizeof detail,
			 "%s on %s queued for %s · %s while Stripe was unreachable (not charged)",
			 money, q.card[0] ? q.card : "the saved card", a.client_name, a.service_name);
		snprintf(oid, sizeof oid, "appointment %lld", (long long)appointment_id);
		struct audit_entry ae = {.actor = pay_actor(who), .action = "payment.queued",
					 .detail = detail, .has_amount = true, .amount = q.amount,
					 .currency = q.currency, .object_id = oid};
		rc = audit_append(db, &ae, err);
	}
	rc = db_finish(db, rc, err);
	if (!rc) {
		snprintf(r->message, sizeof r->message,
			 "Queued %s on %s: not charged. When Stripe is back, confirm it (p) to "
			 "send it.",
			 money, q.card[0] ? q.card : "the saved card");
		r->state = a.state;
		r->payment = a.payment;
	}
	appointment_free(&a);
	return rc;
}

int charge_queue_claim(const struct pay_env *e, int64_t appointment_id, int64_t amount,
		       int64_t payment_row, struct pd_error *err)
{
	struct queued_charge q;
	int rc = qcharges_get(e->db, e->queued_charge, &q, err);
	if (rc)
		return rc;
	if (q.appointment_id != appointment_id || q.amount != amount)
		return pd_error_set(err, PD_ERR_USAGE,
				    "the queued charge does not match this payment: nothing sent");
	rc = qcharges_mark_sent(e->db, q.id, payment_row, pay_actor(e->who), err);
	if (rc)
		return rc;
	char detail[400], oid[32], what[200];
	charge_queue_describe(&q, what, sizeof what);
	snprintf(detail, sizeof detail, "queued charge confirmed and sent: %s", what);
	snprintf(oid, sizeof oid, "appointment %lld", (long long)appointment_id);
	struct audit_entry ae = {.actor = pay_actor(e->who), .action = "payment.queue_sent",
				 .detail = detail, .has_amount = true, .amount = q.amount,
				 .currency = q.currency, .object_id = oid};
	return audit_append(e->db, &ae, err);
}

/* Why q cannot be sent or dropped again. */
static int gone(const struct queued_charge *q, struct pd_error *err)
{
	char when[32];
	when_text(q->done_at, when, sizeof when);
	if (q->state == QCHARGE_SENT)
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "that queued charge was sent already (by %s at %s): nothing "
				    "charged again",
				    q->done_by, when);
	return pd_error_set(err, PD_ERR_CONFLICT, "that queued charge was dropped (by %s at %s: %s)",
			    q->done_by, when, q->reason);
}

int charge_queue_claimable(sqlite3 *db, int64_t id, struct pd_error *err)
{
	struct queued_charge q;
	int rc = qcharges_get(db, id, &q, err);
	if (!rc && q.state != QCHARGE_QUEUED)
		rc = gone(&q, err);
	return rc;
}

int charge_queue_send(const struct pay_env *e, int64_t id, struct pay_result *r,
		      struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct queued_charge q;
	int rc = qcharges_get(e->db, id, &q, err);
	if (rc)
		return rc;
	if (q.state != QCHARGE_QUEUED)
		return gone(&q, err);
	/* Ask first whether Stripe answers at all (a GET moves nothing): sent
	 * into an outage, the charge would only become a payment whose outcome
	 * is unknown. Any answer, a refusal of the key included, will do. */
	struct stripe_response probe;
	struct pd_error probe_err = {0};
	pay_send(e, STRIPE_GET, "/v1/balance", NULL, &probe, &probe_err);
	bool answered = probe.outcome != STRIPE_OUTCOME_NETWORK &&
			probe.outcome != STRIPE_OUTCOME_CANCELLED &&
			probe.outcome != STRIPE_OUTCOME_REFUSED &&
			!stripe_reach_status_is_down(probe.http_status);
	stripe_response_clear(&probe);
	if (!answered) {
		char since[32] = "";
		time_t t = 0;
		if (stripe_reach_down(&t) && t)
			when_text((int64_t)t, since, sizeof since);
		return pd_error_set(err, PD_ERR,
				    "Stripe is still unreachable%s%s: the charge stays queued, not "
				    "charged (confirm it again when Stripe is back)",
				    since[0] ? " since " : "", since);
	}
	struct pay_env send = *e;
	send.queued_charge = id;
	rc = payments_charge_card(&send, q.appointment_id, q.amount,
				  q.payment_method[0] ? q.payment_method : NULL, r, err);
	if (rc && stripe_reach_down(NULL) && qcharges_get(e->db, id, &q, NULL) == PD_OK &&
	    q.state == QCHARGE_QUEUED) {
		char why[sizeof err->msg];
		snprintf(why, sizeof why, "%s", err->msg);
		return pd_error_set(err, rc, "still queued, not charged: %s", why);
	}
	return rc;
}

int charge_queue_drop(sqlite3 *db, const struct session *who, int64_t id, const char *reason,
		      struct pd_error *err)
{
	int rc = auth_allow_now(db, who, AUTH_TAKE_PAYMENT, err);
	if (!rc)
		rc = text_check("Reason", reason, DROP_REASON_MAX, true, false, err);
	if (!rc)
		rc = db_begin(db, err);
	if (rc)
		return rc;
	struct queued_charge q;
	rc = qcharges_get(db, id, &q, err);
	if (!rc && q.state != QCHARGE_QUEUED)
		rc = gone(&q, err);
	if (!rc)
		rc = qcharges_mark_dropped(db, id, pay_actor(who), reason, err);
	if (!rc) {
		char detail[700], oid[32], what[200];
		charge_queue_describe(&q, what, sizeof what);
		snprintf(detail, sizeof detail, "queued charge dropped, never sent: %s · reason: %s",
			 what, reason);
		snprintf(oid, sizeof oid, "appointment %lld", (long long)q.appointment_id);
		struct audit_entry ae = {.actor = pay_actor(who), .action = "payment.queue_dropped",
					 .detail = detail, .has_amount = true, .amount = q.amount,
					 .currency = q.currency, .object_id = oid};
		rc = audit_append(db, &ae, err);
	}
	return db_finish(db, rc, err);
}
