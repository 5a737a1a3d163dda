/* After a crash: the payment attempts left open (starting / unknown) get the
 * outcome Stripe gave their calls, written onto the attempt and its
 * appointment exactly as the interrupted use case would have written it.
 * Card payments are settled from the outbox alone (what Stripe answered to
 * the replayed create / confirm); pay links and readers are read back from
 * Stripe. Nothing here charges anyone: a payment stopped before its confirm
 * is recorded as not made, for the desk to take again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/fees.h"
#include "paydesk/instances.h"
#include "paydesk/db.h"
#include "paydesk/log.h"
#include "paydesk/money.h"
#include "paydesk/outbox.h"
#include "payments_internal.h"

#define RECOVERED " (finished after paydesk restarted)"
#define RECHECKED " (re-checked at Stripe)"

static bool row_open(enum outbox_state s)
{
	return s == OUTBOX_PENDING || s == OUTBOX_SENT || s == OUTBOX_UNKNOWN;
}

/* The attempt's ids of open rows, oldest first (ids only: each is re-read). */
static int open_attempts(sqlite3 *db, int64_t **ids, size_t *n, struct pd_error *err)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT id FROM appointment_payments WHERE status IN ('starting', 'unknown')"
			    " ORDER BY id",
			    &st, err);
	if (rc)
		return rc;
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			int64_t *g = realloc(*ids, cap * sizeof *g);
			if (!g) {
				rc = pd_error_set(err, PD_ERR, "out of memory");
				break;
			}
			*ids = g;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_fail(db, "reading payments", err);
	sqlite3_finalize(st);
	if (rc) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}

static void set_message(struct pay_attempt *row, const char *msg)
{
	free(row->message);
	row->message = strdup(msg);
}

/* What a refused call means for the desk, as the live path words it. */
static void refusal_words(const struct outbox_row *o, char *msg, size_t len)
{
	if (o->error_type && strcmp(o->error_type, "card_error") == 0)
		payments_decline_words(o->error_code, o->decline_code, msg, len);
	else if (!o->error_type && o->error_message && !strncmp(o->error_message, "not made: ", 10))
		snprintf(msg, len, "Not charged: %.400s. Take it again.", o->error_message + 10);
	else
		snprintf(msg, len, "Stripe refused it: %.400s",
			 o->error_message ? o->error_message : "no reason given");
}

/* A saved-card payment: create, then confirm — both in the outbox. */
static int settle_card(const struct pay_env *e, struct pay_attempt *row, const char *pair,
		       bool recheck, bool *closed, struct pd_error *err)
{
	struct outbox_row create = {0}, confirm = {0};
	char msg[512], money[64];
	const char *after = recheck ? RECHECKED : RECOVERED;
	money_format(row->amount, row->currency, money, sizeof money);
	int rc = outbox_find_latest_except(e->db, "/v1/payment_intents", pair, PAY_FEE_KEY,
					   row->created_at, &create, NULL);
	if (rc) /* nothing reached the outbox: nothing was sent */
		snprintf(msg, sizeof msg,
			 "Not charged: %s. Take it again.",
			 recheck ? "Stripe never received the payment"
				 : "paydesk stopped before sending the payment");
	else if (row_open(create.state))
		goto still_open;
	else if (create.state == OUTBOX_FAILED)
		refusal_words(&create, msg, sizeof msg);
	if (!rc && create.state == OUTBOX_DONE) {
		if (!row->payment_intent_id && create.object_id)
			row->payment_intent_id = strdup(create.object_id);
		char path[160];
		snprintf(path, sizeof path, "/v1/payment_intents/%s/confirm",
			 row->payment_intent_id ? row->payment_intent_id : "");
		if (outbox_find_latest(e->db, path, NULL, row->created_at, &confirm, NULL) != PD_OK) {
			snprintf(msg, sizeof msg,
				 "Not charged: %s (%s). Take it again.",
				 recheck ? "Stripe never ran the payment"
					 : "paydesk stopped before confirming the payment",
				 row->payment_intent_id ? row->payment_intent_id : "?");
		} else if (row_open(confirm.state)) {
			goto still_open;
		} else if (confirm.state == OUTBOX_FAILED) {
			refusal_words(&confirm, msg, sizeof msg);
		} else if (confirm.object_status && strcmp(confirm.object_status, "succeeded") == 0) {
			row->status = PAYROW_SUCCEEDED;
			snprintf(msg, sizeof msg, "Paid %s with the saved card%s.", money, after);
		} else if (confirm.object_status && strcmp(confirm.object_status, "processing") == 0) {
			row->status = PAYROW_OPEN;
			snprintf(msg, sizeof msg, "%s is processing at the bank.", money);
		} else {
			snprintf(msg, sizeof msg,
				 "The card needs the client to confirm the payment (%s). Send a "
				 "pay link.",
				 confirm.object_status ? confirm.object_status : "?");
		}
	}
	if (row->status != PAYROW_SUCCEEDED && row->status != PAYROW_OPEN)
		row->status = PAYROW_FAILED;
	set_message(row, msg);
	*closed = true;
	const struct outbox_row *last = confirm.id ? &confirm : &create;
	rc = pay_settle(e, row, last->request_id,
			row->status == PAYROW_SUCCEEDED ? "payment.card.succeeded"
							: "payment.card.failed",
			row->amount, row->payment_intent_id, NULL, err);
	outbox_row_clear(&create);
	outbox_row_clear(&confirm);
	return rc;
still_open:
	outbox_row_clear(&create);
	outbox_row_clear(&confirm);
	*closed = false;
	return PD_OK;
}

/* A pay link: the Checkout Session, once created, is read back from Stripe. */
static int settle_link(const struct pay_env *e, struct pay_attempt *row, const char *pair,
		       bool recheck, bool *closed, struct pd_error *err)
{
	struct outbox_row create = {0};
	*closed = false;
	int rc = outbox_find_latest_except(e->db, "/v1/checkout/sessions", pair, PAY_FEE_KEY,
					   row->created_at, &create, NULL);
	if (!rc && row_open(create.state)) {
		outbox_row_clear(&create);
		return PD_OK;
	}
	char msg[512];
	if (rc || create.state == OUTBOX_FAILED) {
		if (rc)
			snprintf(msg, sizeof msg, "The pay link was not made: %s.",
				 recheck ? "Stripe never ran it" : "paydesk stopped first");
		else
			refusal_words(&create, msg, sizeof msg);
		row->status = PAYROW_FAILED;
		set_message(row, msg);
		*closed = true;
		rc = pay_settle(e, row, rc ? NULL : create.request_id, "payment.link.failed",
				row->amount, NULL, NULL, err);
		outbox_row_clear(&create);
		return rc;
	}
	if (!e->key || !e->client || !create.object_id) {
		outbox_row_clear(&create);
		return PD_OK; /* Stripe is needed for the link's URL: next time */
	}
	char path[200];
	snprintf(path, sizeof path, "/v1/checkout/sessions/%s", create.object_id);
	struct stripe_response resp;
	rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	if (!rc) {
		const char *link = pay_json_str(resp.json, "url");
		json_t *exp = json_object_get(resp.json, "expires_at");
		free(row->checkout_session_id);
		row->checkout_session_id = strdup(create.object_id);
		free(row->url);
		row->url = link ? strdup(link) : NULL;
		row->expires_at = json_is_integer(exp) ? json_integer_value(exp) : 0;
		row->status = PAYROW_OPEN;
		char money[64];
		snprintf(msg, sizeof msg, "Pay link for %s: show the client this code or link%s.",
			 money_format(row->amount, row->currency, money, sizeof money),
			 recheck ? RECHECKED : RECOVERED);
		set_message(row, msg);
		*closed = true;
		rc = pay_settle(e, row, resp.request_id, "payment.link.create", row->amount,
				row->checkout_session_id, NULL, err);
	}
	stripe_response_clear(&resp);
	outbox_row_clear(&create);
	if (!rc) { /* paid or expired meanwhile: recorded now */
		struct pay_result lr;
		payments_link_check(e, row->appointment_id, &lr, NULL);
	}
	return rc;
}

/* A reader payment: Stripe says whether the card was read; one still
 * waiting is cancelled, since no one at the desk is watching the reader. */
static int settle_reader(const struct pay_env *e, struct pay_attempt *row, const char *pair,
			 bool recheck, bool *closed, struct pd_error *err)
{
	struct outbox_row create = {0};
	*closed = false;
	int rc = outbox_find_latest_except(e->db, "/v1/payment_intents", pair, PAY_FEE_KEY,
					   row->created_at, &create, NULL);
	if (!rc && row_open(create.state)) {
		outbox_row_clear(&create);
		return PD_OK;
	}
	char msg[512];
	if (rc || create.state == OUTBOX_FAILED || !create.object_id) {
		if (rc || !create.object_id)
			snprintf(msg, sizeof msg,
				 "The reader payment did not start: %s.",
				 recheck ? "Stripe never ran it" : "paydesk stopped first");
		else
			refusal_words(&create, msg, sizeof msg);
		row->status = PAYROW_FAILED;
		set_message(row, msg);
		*closed = true;
		rc = pay_settle(e, row, rc ? NULL : create.request_id, "payment.reader.failed",
				row->amount, row->payment_intent_id, NULL, err);
		outbox_row_clear(&create);
		return rc;
	}
	if (!row->payment_intent_id)
		row->payment_intent_id = strdup(create.object_id);
	outbox_row_clear(&create);
	if (!e->key || !e->client)
		return PD_OK;
	char path[200];
	snprintf(path, sizeof path, "/v1/payment_intents/%s/cancel", row->payment_intent_id);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "cancellation_reason", "abandoned");
	struct stripe_response resp;
	struct pd_error send_err = {0};
	pay_send_money(e, path, p, &resp, &send_err);
	stripe_params_free(&p);
	stripe_response_clear(&resp);
	/* Cancelled now, or already paid (the cancel is refused): Stripe says which. */
	snprintf(path, sizeof path, "/v1/payment_intents/%s", row->payment_intent_id);
	rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	const char *status = rc ? NULL : pay_json_str(resp.json, "status");
	char money[64];
	money_format(row->amount, row->currency, money, sizeof money);
	if (status && strcmp(status, "succeeded") == 0) {
		row->status = PAYROW_SUCCEEDED;
		char tipped[96]; /* the tip the client added on the reader, kept apart */
		pay_tip_words(pay_tip_from_intent(e, row, resp.json), row->currency, tipped,
			      sizeof tipped);
		snprintf(msg, sizeof msg, "Paid %s%s on the reader%s.", money, tipped,
			 recheck ? RECHECKED : RECOVERED);
	} else if (status && strcmp(status, "canceled") == 0) {
		row->status = PAYROW_CANCELLED;
		snprintf(msg, sizeof msg,
			 "The reader payment was stopped %s; not charged. Take it again.",
			 recheck ? "when it was re-checked" : "when paydesk restarted");
	}
	if (status && (row->status == PAYROW_SUCCEEDED || row->status == PAYROW_CANCELLED)) {
		set_message(row, msg);
		*closed = true;
		rc = pay_settle(e, row, resp.request_id,
				row->status == PAYROW_SUCCEEDED ? "payment.reader.succeeded"
								: "payment.reader.cancel",
				row->amount, row->payment_intent_id, NULL, err);
	}
	stripe_response_clear(&resp);
	return rc;
}

int pay_settle_refunds(const struct pay_env *e, size_t *settled, struct pd_error *err)
{
	int64_t ids[64];
	size_t n;
	int rc = db_ids(e->db,
			"SELECT id FROM appointment_payments WHERE status = 'succeeded'"
			" AND payment_intent_id IS NOT NULL AND refunded < amount AND EXISTS"
			" (SELECT 1 FROM outbox WHERE path = '/v1/refunds' AND state = 'done'"
			"  AND instr(params, appointment_payments.payment_intent_id) > 0)",
			ids, 64, &n, err);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++) {
		struct pay_attempt row;
		if (payrows_get(e->db, ids[i], &row, NULL) != PD_OK)
			continue;
		char pair[96];
		snprintf(pair, sizeof pair, "payment_intent=%s", row.payment_intent_id);
		int64_t sum = 0;
		rc = outbox_sum_done(e->db, "/v1/refunds", pair, "amount", &sum, err);
		if (sum > row.amount)
			sum = row.amount;
		if (!rc && sum > row.refunded) {
			int64_t part = sum - row.refunded;
			char msg[300];
			snprintf(msg, sizeof msg, "refund of %s%s", row.payment_intent_id, RECOVERED);
			row.refunded = sum;
			set_message(&row, msg);
			struct session who = {.signed_in = true};
			snprintf(who.name, sizeof who.name, "%s", row.actor ? row.actor : "system");
			struct pay_env as = *e;
			as.who = &who;
			rc = pay_settle(&as, &row, NULL, "payment.refund", part, row.payment_intent_id,
					NULL, err);
			*settled += !rc;
		}
		pay_attempt_free(&row);
	}
	return rc;
}

int pay_recover_attempt(const struct pay_env *e, struct pay_attempt *row, bool recheck,
			bool *closed, struct pd_error *err)
{
	/* The outcome is written in the name of whoever started it. */
	struct session who = {.signed_in = true};
	snprintf(who.name, sizeof who.name, "%s", row->actor ? row->actor : "system");
	struct pay_env as = *e;
	as.who = &who;
	char pair[64];
	snprintf(pair, sizeof pair, "metadata[appointment_id]=%lld", (long long)row->appointment_id);
	*closed = false;
	if (row->method == PAYROW_CARD)
		return settle_card(&as, row, pair, recheck, closed, err);
	if (row->method == PAYROW_LINK)
		return settle_link(&as, row, pair, recheck, closed, err);
	return settle_reader(&as, row, pair, recheck, closed, err);
}

int payments_recover(const struct pay_env *e, size_t *settled, size_t *still_open,
		     struct pd_error *err)
{
	*settled = *still_open = 0;
	if (!db_instance_alone(e->db))
		return pd_error_set(err, PD_ERR_CONFLICT, RECOVER_NOT_ALONE);
	int64_t *ids;
	size_t n;
	int rc = open_attempts(e->db, &ids, &n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct pay_attempt row;
		if (payrows_get(e->db, ids[i], &row, NULL) != PD_OK)
			continue;
		bool closed = false;
		struct pd_error one = {0};
		int one_rc = pay_recover_attempt(e, &row, false, &closed, &one);
		if (one_rc)
			log_msg(LOG_WARN, "payment %lld of appointment %lld not settled: %s",
				(long long)row.id, (long long)row.appointment_id, one.msg);
		else
			log_msg(LOG_INFO, "payment %lld of appointment %lld: %s after a restart",
				(long long)row.id, (long long)row.appointment_id,
				closed ? payrow_status_key(row.status) : "still open");
		*settled += closed && !one_rc;
		*still_open += !closed || one_rc;
		if (one_rc == PD_ERR_IO)
			rc = pd_error_set(err, PD_ERR_IO, "%s", one.msg);
		pay_attempt_free(&row);
	}
	free(ids);
	if (!rc)
		rc = pay_settle_refunds(e, settled, err);
	if (!rc) /* a fee's refund is kept on the fee, not on a payment */
		rc = fees_settle_refunds(e, err);
	return rc;
}
