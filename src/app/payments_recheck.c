/* Re-checking, from the desk, a payment whose outcome is not known (a
 * Stripe outage, an answer lost on the way), without restarting paydesk.
 * The open create is re-sent with its own Idempotency-Key (Stripe replays
 * what it first answered, or runs it now: a create charges no one); a
 * confirm is never re-sent — the PaymentIntent is read back by its id, and
 * one Stripe never confirmed is cancelled so it can never be charged later.
 * The outcome is then written exactly as payments_recover writes it, so `p`
 * can take the payment again when nothing was charged. */
#include "paydesk/payments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/audit.h"
#include "paydesk/money.h"
#include "paydesk/outbox_runner.h"
#include "payments_internal.h"

#define STILL_UNKNOWN                                                                    \
	"Stripe still gives no clear answer (%s): nothing was changed; press Y again in a " \
	"moment (nothing is charged twice)"

static bool call_open(enum outbox_state s)
{
	return s == OUTBOX_PENDING || s == OUTBOX_SENT || s == OUTBOX_UNKNOWN;
}

/* Re-send outbox row id with its own key; PD_ERR (STILL_UNKNOWN) while Stripe
 * still gives no clear answer. */
static int resend(const struct pay_env *e, int64_t id, struct pd_error *err)
{
	enum outbox_state state;
	struct stripe_response resp;
	struct pd_error send_err = {0};
	outbox_resend(e->db, e->client, e->key, id, e->cancel, &state, &resp, &send_err);
	stripe_response_clear(&resp);
	if (call_open(state))
		return pd_error_set(err, PD_ERR, STILL_UNKNOWN,
				    send_err.msg[0] ? send_err.msg : "no answer");
	return PD_OK;
}

/* GET the PaymentIntent: its status (and the GET's Request-Id) into *resp. */
static int read_intent(const struct pay_env *e, const char *pi, struct stripe_response *resp,
		       struct pd_error *err)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s", pi);
	struct pd_error send_err = {0};
	if (pay_send(e, STRIPE_GET, path, NULL, resp, &send_err) != PD_OK)
		return pd_error_set(err, PD_ERR, STILL_UNKNOWN, send_err.msg);
	return PD_OK;
}

/* A PaymentIntent Stripe never confirmed: cancel it (through the outbox),
 * then read it again — a confirm still running at Stripe wins over the
 * cancel, and then it reads as succeeded. */
static int cancel_intent(const struct pay_env *e, const char *pi, struct stripe_response *resp,
			 struct pd_error *err)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s/cancel", pi);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "cancellation_reason", "abandoned");
	struct pd_error send_err = {0};
	pay_send_money(e, path, p, resp, &send_err);
	stripe_params_free(&p);
	stripe_response_clear(resp);
	return read_intent(e, pi, resp, err);
}

static bool status_is(const struct stripe_response *resp, const char *want)
{
	const char *s = pay_json_str(resp->json, "status");
	return s && strcmp(s, want) == 0;
}

/* Write onto the open confirm row what Stripe's PaymentIntent shows it did:
 * done (it ran), failed with the decline (it ran and was declined), or
 * failed "not made" (it never ran; the PaymentIntent is cancelled). */
static int record_confirm(const struct pay_env *e, int64_t confirm_id, const char *pi,
			  const struct stripe_response *resp, struct pd_error *err)
{
	json_t *last = json_object_get(resp->json, "last_payment_error");
	struct outbox_result r = {.http_status = resp->http_status,
				  .request_id = resp->request_id,
				  .object_id = pi,
				  .object_status = pay_json_str(resp->json, "status")};
	if (status_is(resp, "canceled")) {
		r.state = OUTBOX_FAILED;
		r.object_status = NULL;
		r.error_message = "not made: Stripe never ran the payment and it is cancelled";
	} else if (status_is(resp, "requires_payment_method") && json_is_object(last)) {
		r.state = OUTBOX_FAILED;
		r.object_status = NULL;
		r.error_type = pay_json_str(last, "type");
		r.error_code = pay_json_str(last, "code");
		r.decline_code = pay_json_str(last, "decline_code");
		r.error_message = pay_json_str(last, "message");
	} else {
		r.state = OUTBOX_DONE;
	}
	return outbox_record(e->db, confirm_id, &r, err);
}

/* A saved-card payment: settle its create, then what its confirm did. */
static int recheck_card(const struct pay_env *e, struct pay_attempt *row, struct pd_error *err)
{
	char pair[64];
	snprintf(pair, sizeof pair, "metadata[appointment_id]=%lld", (long long)row->appointment_id);
	struct outbox_row create = {0}, confirm = {0};
	struct stripe_response resp = {0};
	int rc = PD_OK;
	if (outbox_find_latest_except(e->db, "/v1/payment_intents", pair, PAY_FEE_KEY,
				      row->created_at, &create, NULL))
		return PD_OK; /* never sent: recorded as not charged */
	if (call_open(create.state)) {
		int64_t id = create.id;
		outbox_row_clear(&create);
		rc = resend(e, id, err);
		if (!rc)
			rc = outbox_get(e->db, id, &create, err);
	}
	if (rc || create.state != OUTBOX_DONE || !create.object_id)
		goto out; /* refused: recorded with Stripe's words */
	const char *pi = create.object_id;
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s/confirm", pi);
	bool has_confirm = outbox_find_latest(e->db, path, NULL, row->created_at, &confirm,
					      NULL) == PD_OK;
	if (has_confirm && !call_open(confirm.state))
		goto out; /* its answer is in the outbox already */
	rc = has_confirm ? read_intent(e, pi, &resp, err) : PD_OK;
	/* Never confirmed at Stripe (or not yet): cancel it, so it never is. */
	if (!rc && (!has_confirm || status_is(&resp, "requires_confirmation") ||
		    (status_is(&resp, "requires_payment_method") &&
		     !json_is_object(json_object_get(resp.json, "last_payment_error"))))) {
		stripe_response_clear(&resp);
		rc = cancel_intent(e, pi, &resp, err);
	}
	if (!rc && !has_confirm && !status_is(&resp, "canceled"))
		rc = pd_error_set(err, PD_ERR, STILL_UNKNOWN, "the unconfirmed payment is not cancelled");
	else if (!rc && has_confirm && (status_is(&resp, "requires_confirmation") ||
					status_is(&resp, "requires_payment_method")) &&
		 !json_is_object(json_object_get(resp.json, "last_payment_error")))
		rc = pd_error_set(err, PD_ERR, STILL_UNKNOWN, "the payment could not be cancelled");
	else if (!rc && has_confirm)
		rc = record_confirm(e, confirm.id, pi, &resp, err);
out:
	stripe_response_clear(&resp);
	outbox_row_clear(&create);
	outbox_row_clear(&confirm);
	return rc;
}

/* A pay link or reader payment: its create re-sent, then read back. */
static int recheck_other(const struct pay_env *e, struct pay_attempt *row, struct pd_error *err)
{
	char pair[64];
	snprintf(pair, sizeof pair, "metadata[appointment_id]=%lld", (long long)row->appointment_id);
	const char *path = row->method == PAYROW_LINK ? "/v1/checkout/sessions" : "/v1/payment_intents";
	struct outbox_row create = {0};
	int rc = PD_OK;
	if (outbox_find_latest_except(e->db, path, pair, PAY_FEE_KEY, row->created_at, &create,
				      NULL) == PD_OK &&
	    call_open(create.state))
		rc = resend(e, create.id, err);
	outbox_row_clear(&create);
	return rc;
}

/* Refunds of this appointment's payments left unresolved by an outage: each
 * re-sent with its own key (Stripe replays it or makes it now: once), then
 * what Stripe made written onto the payments. *found: there were some. */
static int recheck_refunds(const struct pay_env *e, int64_t appointment_id, bool *found,
			   struct pay_result *r, struct pd_error *err)
{
	*found = false;
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	int rc = payrows_list(e->db, appointment_id, &rows, &n, err);
	struct outbox_row *open = NULL;
	size_t nopen = 0;
	if (!rc)
		rc = outbox_list_unresolved(e->db, &open, &nopen, err);
	for (size_t i = 0; !rc && i < nopen; i++) {
		bool ours = false;
		char needle[128];
		for (size_t k = 0; k < n && !ours; k++) {
			if (!rows[k].payment_intent_id)
				continue;
			snprintf(needle, sizeof needle, "payment_intent=%s", rows[k].payment_intent_id);
			ours = strcmp(open[i].path, "/v1/refunds") == 0 && open[i].params &&
			       strstr(open[i].params, needle);
		}
		if (!ours)
			continue;
		*found = true;
		rc = resend(e, open[i].id, err);
	}
	outbox_rows_free(&open, nopen);
	int64_t paid = 0, before = 0, after = 0;
	for (size_t k = 0; k < n; k++)
		before += rows[k].refunded;
	pay_attempts_free_list(&rows, n);
	size_t settled = 0;
	if (!rc && *found)
		rc = pay_settle_refunds(e, &settled, err);
	if (!rc && *found)
		rc = payrows_totals(e->db, appointment_id, &paid, &after, err);
	char money[64] = "", currency[4] = "";
	if (!rc && *found) {
		struct appointment a;
		if (appointments_get(e->db, appointment_id, &a, NULL) == PD_OK) {
			money_format(after - before, a.currency, money, sizeof money);
			memcpy(currency, a.currency, sizeof currency);
			appointment_free(&a);
		}
		pay_result_from(e->db, appointment_id, r);
		r->done = true;
		if (after > before)
			snprintf(r->message, sizeof r->message,
				 "Refund of %s made at Stripe (re-checked); nothing was refunded twice.",
				 money);
		else
			snprintf(r->message, sizeof r->message,
				 "The refund was not made: Stripe refused it. Refund again if it is "
				 "still due.");
	}
	if (*found) {
		char obj[48];
		snprintf(obj, sizeof obj, "appointment:%lld", (long long)appointment_id);
		struct audit_entry en = {.actor = pay_actor(e->who), .action = "payment.recheck",
					 .detail = rc && err ? err->msg : r->message,
					 .has_amount = !rc && currency[0], .amount = after - before,
					 .currency = currency[0] ? currency : NULL, .object_id = obj};
		audit_append(e->db, &en, NULL);
	}
	return rc;
}

static void audit_recheck(const struct pay_env *e, const struct pay_attempt *row,
			  const char *outcome)
{
	char obj[96];
	snprintf(obj, sizeof obj, "%s", row->payment_intent_id ? row->payment_intent_id : "");
	if (!obj[0])
		snprintf(obj, sizeof obj, "appointment:%lld", (long long)row->appointment_id);
	struct audit_entry en = {.actor = pay_actor(e->who), .action = "payment.recheck",
				 .detail = outcome, .has_amount = true, .amount = row->amount,
				 .currency = row->currency, .object_id = obj};
	audit_append(e->db, &en, NULL);
}

int payments_recheck(const struct pay_env *e, int64_t appointment_id, struct pay_result *r,
		     struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	if (!e->key)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	bool refunds = false;
	rc = recheck_refunds(e, appointment_id, &refunds, r, err);
	if (rc || refunds)
		return rc;
	struct pay_attempt row;
	if (payrows_latest(e->db, appointment_id, -1, &row, NULL) != PD_OK)
		return pd_error_set(err, PD_ERR_USAGE,
				    "nothing to re-check: no payment was started for this appointment");
	if (row.status != PAYROW_UNKNOWN) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  row.status == PAYROW_STARTING
					  ? "the payment is being sent right now: wait for its answer"
					  : "nothing to re-check: the last payment is %s",
				  payrow_status_key(row.status));
		pay_attempt_free(&row);
		return rc;
	}
	rc = row.method == PAYROW_CARD ? recheck_card(e, &row, err) : recheck_other(e, &row, err);
	bool closed = false;
	if (!rc) {
		/* Another desk may have settled it meanwhile: read it again. */
		struct pay_attempt now;
		rc = payrows_get(e->db, row.id, &now, err);
		if (!rc) {
			pay_attempt_free(&row);
			row = now;
		}
	}
	if (!rc && row.status == PAYROW_UNKNOWN)
		rc = pay_recover_attempt(e, &row, true, &closed, err);
	if (!rc && !closed && row.status == PAYROW_UNKNOWN)
		rc = pd_error_set(err, PD_ERR, STILL_UNKNOWN, "the call is still open");
	audit_recheck(e, &row, rc && err ? err->msg : row.message);
	if (!rc) {
		pay_result_from(e->db, appointment_id, r);
		r->done = true;
		pay_copy(r->message, sizeof r->message, row.message);
		pay_copy(r->object_id, sizeof r->object_id, row.payment_intent_id);
	}
	pay_attempt_free(&row);
	return rc;
}
