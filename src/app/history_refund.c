#include "paydesk/history_refund.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/fees.h"
#include "paydesk/history.h"
#include "paydesk/log.h"
#include "paydesk/money.h"
#include "paydesk/outbox.h"
#include "paydesk/refund_fee.h"
#include "paydesk/vault.h"
#include "payments_internal.h"

static bool refundable_status(const char *s)
{
	return strcmp(s, "succeeded") == 0 || strcmp(s, "partially_refunded") == 0;
}

int64_t history_refundable(sqlite3 *db, int64_t history_id, char *why, size_t len)
{
	struct history_row row;
	struct pd_error err = {0};
	if (history_row_get(db, history_id, &row, &err) != PD_OK) {
		snprintf(why, len, "%s", err.msg);
		return 0;
	}
	if (strncmp(row.type, "desk", 4) == 0) {
		snprintf(why, len, "desk money: refund it from its appointment (Appointments, r)");
		return 0;
	}
	if (strcmp(row.type, "payment") != 0) {
		snprintf(why, len, "only payments can be refunded: select the payment, not the %s",
			 row.type);
		return 0;
	}
	if (strcmp(row.status, "disputed") == 0) {
		/* Stripe refuses it (charge_disputed): the money is the dispute's now */
		snprintf(why, len, "disputed: answer it in the Stripe Dashboard");
		return 0;
	}
	if (!refundable_status(row.status)) {
		snprintf(why, len, "a %s payment cannot be refunded", row.status);
		return 0;
	}
	int64_t left = row.amount - row.amount_refunded;
	if (left <= 0)
		snprintf(why, len, "nothing to refund: it is refunded in full");
	return left > 0 ? left : 0;
}

/* The payment attempt of an appointment booked here that paid with this
 * PaymentIntent: true, with *out filled (pay_attempt_free it). */
static bool local_attempt(sqlite3 *db, const struct history_detail *d, struct pay_attempt *out)
{
	char *end = NULL;
	long long id = d->appointment_id[0] ? strtoll(d->appointment_id, &end, 10) : 0;
	if (id <= 0 || !end || *end || !d->payment_intent[0])
		return false;
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	bool found = false;
	if (payrows_list(db, id, &rows, &n, &err) == PD_OK)
		for (size_t i = 0; i < n && !found; i++)
			if (rows[i].payment_intent_id &&
			    strcmp(rows[i].payment_intent_id, d->payment_intent) == 0) {
				*out = rows[i];
				memset(&rows[i], 0, sizeof rows[i]); /* moved to *out */
				found = true;
			}
	pay_attempts_free_list(&rows, n);
	return found;
}

/* What folds a refund into the history now rather than at the next sync:
 * the refund's own record, and its payment read back from Stripe (amount
 * refunded, status; best effort: the next sync brings it anyway). Read
 * before any transaction opens, so none is held across the network. */
static json_t *fold_page(const struct pay_env *e, json_t *refund)
{
	json_t *page = json_pack("{s:s, s:[O]}", "object", "list", "data", refund);
	const char *pi = pay_json_str(refund, "payment_intent");
	if (!page || !pi)
		return page;
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s", pi);
	struct stripe_params *p = stripe_params_new();
	struct stripe_response resp = {0};
	struct pd_error get_err = {0};
	if (p)
		stripe_params_add(p, "expand[]", "latest_charge.balance_transaction");
	if (p && pay_send(e, STRIPE_GET, path, p, &resp, &get_err) == PD_OK && resp.json)
		json_array_append(json_object_get(page, "data"), resp.json);
	stripe_params_free(&p);
	stripe_response_clear(&resp);
	return page;
}

static int fold_ingest(sqlite3 *db, json_t *page, const char *request_id, struct pd_error *err)
{
	if (!page)
		return pd_error_set(err, PD_ERR, "out of memory");
	struct history_ingest_stats stats = {0};
	return history_ingest_page(db, page, request_id, NULL, NULL, &stats, err);
}

/* Record a refund Stripe made: on the appointment's payment attempt when
 * there is one (its state, the appointment's, the audit entry: pay_settle),
 * else an audit entry of its own; then the history. */
static int record_refund(const struct pay_env *e, const struct history_detail *d,
			 struct pay_attempt *attempt, int64_t amount, const char *reason,
			 json_t *refund, const char *request_id, struct pay_result *r,
			 int64_t *fee, struct pd_error *err)
{
	const char *re = pay_json_str(refund, "id");
	char detail[300];
	snprintf(detail, sizeof detail, "refund %s (%s) of %s, from the billing history",
		 re ? re : "?", reason, d->row.stripe_id);
	json_t *page = fold_page(e, refund); /* before any transaction: it reads Stripe */
	/* the payment read back, its charge's balance transaction expanded: the fee Stripe keeps */
	json_t *read_back = json_array_get(json_object_get(page, "data"), 1);
	*fee = read_back ? refund_fee_of_payment(read_back) : REFUND_FEE_UNKNOWN;
	int rc;
	if (attempt) {
		attempt->refunded += amount;
		free(attempt->message);
		attempt->message = strdup(detail);
		rc = pay_settle(e, attempt, request_id, "payment.refund", amount, re, r, err);
		if (!rc)
			rc = fold_ingest(e->db, page, request_id, err);
	} else {
		struct audit_entry en = {.actor = pay_actor(e->who), .action = "payment.refund",
					 .detail = detail, .has_amount = true, .amount = amount,
					 .currency = d->row.currency, .object_id = re};
		rc = db_begin(e->db, err);
		if (!rc)
			rc = audit_append(e->db, &en, err);
		if (!rc) /* a fee's PaymentIntent: the fee shows what was refunded of it */
			rc = fees_note_refund_in(e->db, d->payment_intent, amount, err);
		if (!rc)
			rc = fold_ingest(e->db, page, request_id, err);
		if (!rc)
			rc = db_commit(e->db, err);
		else
			db_rollback(e->db);
	}
	json_decref(page);
	return rc;
}

/* POST /v1/refunds for exactly this payment, through the outbox. */
static int send_refund(const struct pay_env *e, const struct history_detail *d,
		       struct pay_attempt *attempt, int64_t amount, const char *reason,
		       struct pay_result *r, bool *recorded_late, enum auth_refund_outcome *outcome,
		       int64_t *fee, struct pd_error *err)
{
	*outcome = AUTH_REFUND_NOT_MADE;
	*fee = REFUND_FEE_UNKNOWN;
	struct stripe_params *p = stripe_params_new();
	if (!p)
		return pd_error_set(err, PD_ERR, "out of memory");
	if (d->payment_intent[0])
		stripe_params_add(p, "payment_intent", d->payment_intent);
	else
		stripe_params_add(p, "charge", d->charge_id);
	stripe_params_add_int(p, "amount", amount);
	stripe_params_add(p, "reason", reason);
	stripe_params_add(p, "metadata[source]", "paydesk");
	if (d->appointment_id[0])
		stripe_params_add(p, "metadata[appointment_id]", d->appointment_id);
	stripe_params_add(p, "metadata[refunded_by]", pay_actor(e->who));
	enum outbox_state state;
	struct stripe_response resp;
	struct pd_error send_err = {0};
	pay_send_money_state(e, "/v1/refunds", p, &resp, &state, &send_err);
	stripe_params_free(&p);
	int rc = PD_OK;
	if (state != OUTBOX_DONE && state != OUTBOX_FAILED) {
		*outcome = AUTH_REFUND_UNKNOWN;
		rc = pd_error_set(err, PD_ERR, PAY_REFUND_UNKNOWN, send_err.msg);
	} else if (state != OUTBOX_DONE || resp.outcome != STRIPE_OUTCOME_OK) {
		rc = pd_error_set(err, PD_ERR, "refund not made: %s", send_err.msg);
	} else {
		*outcome = AUTH_REFUND_MADE;
		const char *re = pay_json_str(resp.json, "id");
		snprintf(r->object_id, sizeof r->object_id, "%s", re ? re : "");
		snprintf(r->request_id, sizeof r->request_id, "%s", resp.request_id);
		struct pd_error rec_err = {0};
		/* Made at Stripe: a store failure now (a busy database) must not
		 * read as "not refunded" — that would invite a second refund. The
		 * outbox holds the answer; the next sync brings the rest. */
		if (record_refund(e, d, attempt, amount, reason, resp.json, resp.request_id, r, fee,
				  &rec_err) != PD_OK) {
			log_msg(LOG_ERROR, "refund %s made but not recorded here: %s", r->object_id,
				rec_err.msg);
			*recorded_late = true;
		}
	}
	stripe_response_clear(&resp);
	return rc;
}

int history_refund(const struct pay_env *e, int64_t history_id, int64_t amount,
		   const char *reason, struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	if (!pay_refund_reason_valid(reason))
		return pd_error_set(err, PD_ERR_USAGE,
				    "choose a reason: duplicate, fraudulent or requested by customer");
	char why[300];
	int64_t left = history_refundable(e->db, history_id, why, sizeof why);
	if (left <= 0)
		return pd_error_set(err, PD_ERR_USAGE, "%s", why);
	struct history_detail d;
	int rc = history_detail_get(e->db, history_id, &d, err);
	if (rc)
		return rc;
	char money[64];
	if (amount < 0 || amount > left)
		rc = pd_error_set(err, PD_ERR_USAGE, "at most %s can be refunded",
				  money_format(left, d.row.currency, money, sizeof money));
	if (!rc && amount == 0)
		amount = left;
	if (!rc && !d.payment_intent[0] && !d.charge_id[0])
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "this record has no charge to refund: sync it from Stripe first");
	if (!rc && !e->key)
		rc = pd_error_set(err, PD_ERR_LOCKED,
				  "Stripe is not unlocked: enter the admin passphrase first");
	if (!rc && d.payment_intent[0] && pay_refund_unresolved(e->db, d.payment_intent))
		rc = pd_error_set(err, PD_ERR_CONFLICT,
				  "a refund of this payment is still unresolved: paydesk finishes it at "
				  "the next start (or paydesk recover); refund again after that");
	/* Last before sending: the limit check reserves the amount for staff. */
	struct auth_refund_part part = {d.payment_intent[0] ? d.payment_intent : d.charge_id,
					amount, 0};
	if (!rc)
		rc = auth_refund_reserve(e->db, e->who, d.row.currency, &part, 1, err);
	struct pay_attempt attempt = {0};
	bool has_attempt = !rc && local_attempt(e->db, &d, &attempt);
	bool late = false;
	enum auth_refund_outcome outcome = AUTH_REFUND_NOT_MADE;
	int64_t fee = REFUND_FEE_UNKNOWN;
	if (!rc)
		rc = send_refund(e, &d, has_attempt ? &attempt : NULL, amount, reason, r, &late,
				 &outcome, &fee, err);
	auth_refund_settle(e->db, &part, outcome);
	if (has_attempt)
		pay_attempt_free(&attempt);
	if (!rc) {
		char kept[160];
		refund_fee_text(fee, d.row.currency, false, kept, sizeof kept);
		snprintf(r->message, sizeof r->message, "Refunded %s %s %s%s.%s%s%s",
			 money_format(amount, d.row.currency, money, sizeof money),
			 d.row.client[0] ? "to" : "of", d.row.client[0] ? d.row.client : d.row.stripe_id,
			 late ? " (shown here after the next sync)" : "", kept[0] ? " " : "", kept,
			 kept[0] ? "." : "");
	}
	history_detail_free(&d);
	return rc;
}

/* ---- as a job ------------------------------------------------------------------ */

struct refund_job {
	int64_t history_id, amount;
	char reason[32];
	char *key; /* sodium_malloc */
	struct session who;
};

static enum jobs_status run_refund(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct refund_job *j = arg;
	struct pd_error err = {0};
	/* Queued without a key (the TUI): opened here, wiped when the job ends. */
	char *opened = NULL;
	const char *key = jobs_key(ctx, j->key, &opened, &err);
	struct pay_env e = {.db = ctx->db, .client = ctx->client, .key = key, .cancel = ctx->cancel,
			    .who = &j->who};
	struct pay_result r;
	int rc = key ? history_refund(&e, j->history_id, j->amount, j->reason, &r, &err) : PD_ERR;
	vault_secret_free(&opened);
	if (rc != PD_OK) {
		snprintf(result, size, "%s", err.msg);
		return JOBS_FAILED;
	}
	snprintf(result, size, "%s", r.message);
	return JOBS_DONE;
}

static void free_refund(void *arg)
{
	struct refund_job *j = arg;
	if (j->key)
		sodium_free(j->key);
	free(j);
}

uint64_t history_refund_job_submit(struct jobs *jobs, int64_t history_id, int64_t amount,
				   const char *reason, const char *key, const struct session *who)
{
	if (!jobs)
		return 0;
	struct refund_job *j = calloc(1, sizeof *j);
	size_t n = key ? strlen(key) : 0;
	if (!j || (key && !(j->key = sodium_malloc(n + 1)))) {
		free(j);
		return 0;
	}
	if (key)
		memcpy(j->key, key, n + 1);
	j->history_id = history_id;
	j->amount = amount;
	snprintf(j->reason, sizeof j->reason, "%s", reason ? reason : "");
	j->who = *who;
	uint64_t id = jobs_submit(jobs, JOBS_INTERACTIVE, run_refund, j, free_refund);
	if (!id)
		free_refund(j);
	return id;
}
