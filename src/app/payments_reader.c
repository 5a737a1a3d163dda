/* (3) Stripe Terminal, server-driven: the PaymentIntent is handed to a
 * registered reader, whose action paydesk polls until it succeeds, fails
 * or is cancelled from the keyboard. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/money.h"
#include "paydesk/readers.h"
#include "paydesk/settings.h"
#include "payments_internal.h"

/* The reader to use: the one given, else the one this desk chose
 * (readers_use), else the only one Stripe has. None registered, or several
 * and none chosen: refused before anything is created, saying what to do. */
int pay_pick_reader(const struct pay_env *e, const char *given, char out[64],
		       char label[128], struct pd_error *err)
{
	label[0] = '\0';
	if (given && *given) {
		pay_copy(out, 64, given);
		return PD_OK;
	}
	readers_desk_reader(e->db, out, label);
	if (out[0])
		return PD_OK;
	char *v = NULL; /* before readers were chosen per desk */
	if (settings_get(e->db, "terminal_reader", &v, NULL) == PD_OK && v && *v) {
		pay_copy(out, 64, v);
		free(v);
		return PD_OK;
	}
	free(v);
	struct reader_info *list = NULL;
	size_t n = 0;
	int rc = readers_list(e, &list, &n, err);
	if (rc)
		return rc;
	if (n == 1) {
		pay_copy(out, 64, list[0].id);
		pay_copy(label, 128, list[0].label);
	} else if (n == 0) {
		rc = pd_error_set(err, PD_ERR_NOT_FOUND, "%s", READERS_NONE_HELP);
	} else {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "%zu card readers are registered and this desk has not chosen "
				  "one: an admin chooses it in Setup (5, r: card readers), or run "
				  "paydesk readers use LABEL",
				  n);
	}
	free(list);
	return rc;
}

static int fail_row(const struct pay_env *e, struct pay_attempt *row,
		    const struct stripe_response *resp, const char *why, struct pay_result *r,
		    struct pd_error *err)
{
	const char *code = resp ? resp->error.code : NULL;
	char msg[512];
	if (code && strcmp(code, "terminal_reader_busy") == 0)
		snprintf(msg, sizeof msg,
			 "The reader is busy with another payment: finish or cancel it there, then "
			 "try again.");
	else if (code && strcmp(code, "terminal_reader_offline") == 0)
		snprintf(msg, sizeof msg,
			 "The reader is offline: check its power and network, or send a pay link.");
	else
		snprintf(msg, sizeof msg, "The reader payment did not start: %.400s", why);
	row->status = resp && resp->outcome != STRIPE_OUTCOME_API_ERROR ? PAYROW_UNKNOWN
								       : PAYROW_FAILED;
	free(row->message);
	row->message = strdup(msg);
	pay_copy(r->message, sizeof r->message, msg);
	r->offer_link = true;
	r->done = true;
	return pay_settle(e, row, resp ? resp->request_id : NULL, "payment.reader.failed",
			  row->amount, row->payment_intent_id, r, err);
}

int payments_reader_start(const struct pay_env *e, int64_t appointment_id, int64_t amount,
			  const char *reader_id, struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	if (!e->key)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	char reader[64], label[128];
	rc = pay_pick_reader(e, reader_id, reader, label, err);
	if (rc)
		return rc;
	struct appointment a;
	struct pay_attempt row;
	rc = pay_begin(e, appointment_id, PAYROW_READER, &amount, &a, &row, err);
	if (rc)
		return rc;
	row.reader_id = strdup(reader);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_int(p, "amount", amount + e->tip);
	stripe_params_add(p, "currency", a.currency);
	stripe_params_add(p, "payment_method_types[]", "card_present");
	stripe_params_add(p, "capture_method", "automatic");
	stripe_params_add(p, "description", a.service_name);
	pay_add_metadata(p, "metadata[", &a);
	pay_add_policy(e->db, p, "metadata[", &a, false);
	pay_add_tip_receipt(e, p, "", &a, e->tip);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	enum outbox_state sent;
	pay_send_money_state(e, "/v1/payment_intents", p, &resp, &sent, &send_err);
	stripe_params_free(&p);
	if (resp.outcome != STRIPE_OUTCOME_OK && sent == OUTBOX_FAILED &&
	    resp.outcome != STRIPE_OUTCOME_API_ERROR) {
		/* Certain: nothing reached Stripe, nothing waits on the reader. */
		char msg[512];
		snprintf(msg, sizeof msg, PAY_NOT_SENT, send_err.msg);
		row.status = PAYROW_CANCELLED;
		row.message = strdup(msg);
		pay_copy(r->message, sizeof r->message, msg);
		r->done = true;
		rc = pay_settle(e, &row, NULL, "payment.reader.failed", amount, NULL, r, err);
		goto out;
	}
	if (resp.outcome != STRIPE_OUTCOME_OK) {
		rc = fail_row(e, &row, &resp, send_err.msg, r, err);
		goto out;
	}
	const char *pi = pay_json_str(resp.json, "id");
	row.payment_intent_id = strdup(pi ? pi : "");
	payrows_update(e->db, &row, NULL);
	stripe_response_clear(&resp);

	char path[200];
	snprintf(path, sizeof path, "/v1/terminal/readers/%s/process_payment_intent", reader);
	p = stripe_params_new();
	stripe_params_add(p, "payment_intent", row.payment_intent_id);
	/* The client adds a tip on the reader (where the account's Terminal
	 * configuration offers it), suggested from the price; not when the desk
	 * typed one already or the business turned reader tips off. */
	if (e->tip > 0 || !pay_reader_tips_on(e->db))
		stripe_params_add_bool(p, "process_config[skip_tipping]", true);
	else
		stripe_params_add_int(p, "process_config[tipping][amount_eligible]", amount);
	pay_send_money(e, path, p, &resp, &send_err);
	stripe_params_free(&p);
	if (resp.outcome != STRIPE_OUTCOME_OK) {
		/* The PaymentIntent is of no use without the reader: cancel it. */
		struct stripe_response cresp;
		struct pd_error cerr = {0};
		snprintf(path, sizeof path, "/v1/payment_intents/%s/cancel", row.payment_intent_id);
		struct stripe_params *cp = stripe_params_new();
		stripe_params_add(cp, "cancellation_reason", "abandoned");
		pay_send_money(e, path, cp, &cresp, &cerr);
		stripe_params_free(&cp);
		stripe_response_clear(&cresp);
		rc = fail_row(e, &row, &resp, send_err.msg, r, err);
		goto out;
	}
	row.status = PAYROW_OPEN;
	char money[64], msg[512];
	snprintf(msg, sizeof msg, "Reader %s: waiting for the card (%s). K here cancels it.",
		 label[0] ? label : reader, money_format(amount, a.currency, money, sizeof money));
	row.message = strdup(msg);
	pay_copy(r->message, sizeof r->message, msg);
	rc = pay_settle(e, &row, resp.request_id, "payment.reader.start", amount,
			row.payment_intent_id, r, err);
out:
	stripe_response_clear(&resp);
	appointment_free(&a);
	pay_attempt_free(&row);
	return rc;
}

/* The PaymentIntent's own word, when the reader no longer shows our action. */
static int settle_from_intent(const struct pay_env *e, struct pay_attempt *row,
			      struct pay_result *r, struct pd_error *err)
{
	char path[200];
	snprintf(path, sizeof path, "/v1/payment_intents/%s", row->payment_intent_id);
	struct stripe_response resp;
	int rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	if (rc) {
		stripe_response_clear(&resp);
		return rc;
	}
	const char *st = pay_json_str(resp.json, "status");
	char money[64], msg[512];
	money_format(row->amount, row->currency, money, sizeof money);
	r->done = true;
	if (st && strcmp(st, "succeeded") == 0) {
		row->status = PAYROW_SUCCEEDED;
		char tipped[96];
		pay_tip_words(pay_tip_from_intent(e, row, resp.json), row->currency, tipped,
			      sizeof tipped);
		snprintf(msg, sizeof msg, "Paid %s%s on the reader.", money, tipped);
	} else if (st && (strcmp(st, "requires_payment_method") == 0 ||
			  strcmp(st, "canceled") == 0)) {
		row->status = PAYROW_CANCELLED;
		snprintf(msg, sizeof msg, "The reader payment was stopped before a card was read.");
	} else {
		r->done = false;
		snprintf(msg, sizeof msg, "Reader payment %s.", st ? st : "?");
		pay_copy(r->message, sizeof r->message, msg);
		stripe_response_clear(&resp);
		pay_result_from(e->db, row->appointment_id, r);
		return PD_OK;
	}
	free(row->message);
	row->message = strdup(msg);
	pay_copy(r->message, sizeof r->message, msg);
	rc = pay_settle(e, row, resp.request_id,
			row->status == PAYROW_SUCCEEDED ? "payment.reader.succeeded"
							: "payment.reader.cancelled",
			row->amount, row->payment_intent_id, r, err);
	stripe_response_clear(&resp);
	return rc;
}

int payments_reader_check(const struct pay_env *e, int64_t appointment_id, struct pay_result *r,
			  struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct pay_attempt row;
	int rc = payrows_latest(e->db, appointment_id, PAYROW_READER, &row, err);
	if (rc)
		return rc;
	pay_copy(r->object_id, sizeof r->object_id, row.payment_intent_id);
	if (row.status != PAYROW_OPEN || !row.reader_id || !row.payment_intent_id) {
		r->done = true;
		pay_result_from(e->db, appointment_id, r);
		pay_copy(r->message, sizeof r->message, row.message);
		pay_attempt_free(&row);
		return PD_OK;
	}
	char path[200];
	snprintf(path, sizeof path, "/v1/terminal/readers/%s", row.reader_id);
	struct stripe_response resp;
	rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	if (rc)
		goto out;
	json_t *action = json_object_get(resp.json, "action");
	json_t *ppi = json_object_get(action, "process_payment_intent");
	const char *pi = pay_json_str(ppi, "payment_intent");
	const char *status = pay_json_str(action, "status");
	char money[64], msg[512];
	money_format(row.amount, row.currency, money, sizeof money);
	if (!pi || strcmp(pi, row.payment_intent_id) != 0) {
		rc = settle_from_intent(e, &row, r, err);
	} else if (status && strcmp(status, "succeeded") == 0) {
		row.status = PAYROW_SUCCEEDED;
		char tipped[96];
		pay_tip_words(pay_tip_from_intent(e, &row, NULL), row.currency, tipped,
			      sizeof tipped);
		snprintf(msg, sizeof msg, "Paid %s%s on the reader.", money, tipped);
		free(row.message);
		row.message = strdup(msg);
		pay_copy(r->message, sizeof r->message, msg);
		r->done = true;
		rc = pay_settle(e, &row, resp.request_id, "payment.reader.succeeded", row.amount,
				row.payment_intent_id, r, err);
	} else if (status && strcmp(status, "failed") == 0) {
		const char *why = pay_json_str(action, "failure_message");
		const char *code = pay_json_str(action, "failure_code");
		char words[300];
		payments_decline_words(code, NULL, words, sizeof words);
		row.status = PAYROW_FAILED;
		snprintf(msg, sizeof msg, "%.300s (%.150s)", words, why ? why : code ? code : "declined");
		free(row.message);
		row.message = strdup(msg);
		pay_copy(r->message, sizeof r->message, msg);
		r->done = true;
		r->offer_link = true;
		rc = pay_settle(e, &row, resp.request_id, "payment.reader.failed", row.amount,
				row.payment_intent_id, r, err);
	} else {
		snprintf(msg, sizeof msg, "Reader %s: waiting for the card (%s).", row.reader_id,
			 money);
		pay_copy(r->message, sizeof r->message, msg);
		pay_result_from(e->db, appointment_id, r);
	}
out:
	stripe_response_clear(&resp);
	pay_attempt_free(&row);
	return rc;
}

int payments_reader_cancel(const struct pay_env *e, int64_t appointment_id, struct pay_result *r,
			   struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	struct pay_attempt row;
	rc = payrows_latest(e->db, appointment_id, PAYROW_READER, &row, NULL);
	if (rc) { /* no reader payment; a card payment may be unknown */
		struct pay_attempt last;
		bool unknown = false;
		if (payrows_latest(e->db, appointment_id, -1, &last, NULL) == PD_OK) {
			unknown = last.status == PAYROW_UNKNOWN;
			pay_attempt_free(&last);
		}
		return pd_error_set(err, PD_ERR_USAGE, "no reader payment is waiting%s",
				    unknown ? "; " PAY_UNKNOWN_REFUSAL : "");
	}
	if (row.status != PAYROW_OPEN || !row.reader_id || !row.payment_intent_id) {
		pay_attempt_free(&row);
		return pd_error_set(err, PD_ERR_USAGE, "no reader payment is waiting");
	}
	char path[200];
	snprintf(path, sizeof path, "/v1/terminal/readers/%s/cancel_action", row.reader_id);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	pay_send(e, STRIPE_POST, path, NULL, &resp, &send_err);
	bool busy = resp.error.code && strcmp(resp.error.code, "terminal_reader_busy") == 0;
	stripe_response_clear(&resp);
	if (busy) {
		pay_attempt_free(&row);
		return pd_error_set(err, PD_ERR_USAGE,
				    "the reader is reading the card right now: wait a few seconds, "
				    "then cancel again");
	}
	snprintf(path, sizeof path, "/v1/payment_intents/%s/cancel", row.payment_intent_id);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "cancellation_reason", "requested_by_customer");
	pay_send_money(e, path, p, &resp, &send_err);
	stripe_params_free(&p);
	const char *st = resp.outcome == STRIPE_OUTCOME_OK ? pay_json_str(resp.json, "status") : NULL;
	if (!st || strcmp(st, "canceled") != 0) {
		/* Too late (the card was read) or no answer: Stripe decides. */
		stripe_response_clear(&resp);
		rc = settle_from_intent(e, &row, r, err);
		pay_attempt_free(&row);
		return rc;
	}
	row.status = PAYROW_CANCELLED;
	free(row.message);
	row.message = strdup("Reader payment cancelled from the desk.");
	pay_copy(r->message, sizeof r->message, row.message);
	r->done = true;
	rc = pay_settle(e, &row, resp.request_id, "payment.reader.cancel", row.amount,
			row.payment_intent_id, r, err);
	stripe_response_clear(&resp);
	pay_attempt_free(&row);
	return rc;
}
