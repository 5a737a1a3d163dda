/* Refunding a charged no-show / late-cancellation fee: its own PaymentIntent
 * refunded at Stripe through the outbox, the amount kept on the fee
 * (appointment_fees.refunded, schema 27) so the day close's card line and
 * the fees list show it. A fee is not a payment toward the visit's price,
 * so it is refunded here, not by the appointment's refund (r). See fees.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fees_internal.h"
#include "payments_internal.h"
#include "paydesk/db.h"
#include "paydesk/log.h"
#include "paydesk/money.h"
#include "paydesk/outbox.h"
#include "paydesk/refund_fee.h"

int fees_refundable(sqlite3 *db, int64_t id, struct appt_fee *out, int64_t *left,
		    struct pd_error *err)
{
	*left = 0;
	int rc = fees_get(db, id, out, err);
	if (rc)
		return rc;
	if (out->state != FEE_CHARGED || !out->payment_intent_id[0])
		return pd_error_set(err, PD_ERR_USAGE,
				    "fee %lld is %s: only a charged fee can be refunded",
				    (long long)id, fee_state_label(out->state));
	*left = out->amount - out->refunded;
	char money[64];
	if (*left <= 0)
		return pd_error_set(
		    err, PD_ERR_USAGE, "fee %lld was refunded in full already (%s)", (long long)id,
		    money_format(out->refunded, out->currency, money, sizeof money));
	return PD_OK;
}

int fees_note_refund_in(sqlite3 *db, const char *pi, int64_t part, struct pd_error *err)
{
	struct appt_fee f;
	if (!pi || !*pi || fees_by_intent(db, pi, &f, NULL) != PD_OK)
		return PD_OK;
	if (part > f.amount - f.refunded) /* Stripe never refunds more than was charged */
		part = f.amount - f.refunded;
	return part > 0 ? fees_add_refund(db, f.id, part, err) : PD_OK;
}

/* Record a refund Stripe made of fee f: its amount on the fee, audited. */
static int record(const struct pay_env *e, struct appt_fee *f, int64_t part, const char *re,
		  const char *reason, struct pd_error *err)
{
	char extra[300];
	snprintf(extra, sizeof extra, "refund %s (%s) of %s", re ? re : "?", reason,
		 f->payment_intent_id);
	struct appt_fee shown = *f;
	shown.amount = part; /* the audit entry's amount: what was refunded */
	int rc = db_begin(e->db, err);
	if (!rc)
		rc = fees_add_refund(e->db, f->id, part, err);
	if (!rc)
		rc = fees_audit(e->db, e->who, "fee.refund", &shown, extra, err);
	if (!rc)
		rc = db_commit(e->db, err);
	if (rc)
		db_rollback(e->db);
	return rc;
}

/* Refunds of fee f that Stripe made but were not recorded on it (an answer
 * lost, then finished by paydesk recover): the outbox's done refunds of its
 * PaymentIntent, added to the fee. */
static int catch_up(const struct pay_env *e, struct appt_fee *f, struct pd_error *err)
{
	if (f->state != FEE_CHARGED || !f->payment_intent_id[0])
		return PD_OK;
	char pair[96];
	snprintf(pair, sizeof pair, "payment_intent=%s", f->payment_intent_id);
	int64_t sum = 0;
	int rc = outbox_sum_done(e->db, "/v1/refunds", pair, "amount", &sum, err);
	if (rc || sum <= f->refunded)
		return rc;
	if (sum > f->amount)
		sum = f->amount;
	int64_t part = sum - f->refunded;
	rc = record(e, f, part, NULL, "finished after its answer was lost", err);
	if (!rc)
		f->refunded += part;
	return rc;
}

int fees_settle_refunds(const struct pay_env *e, struct pd_error *err)
{
	int64_t ids[64];
	size_t n;
	int rc = db_ids(e->db,
			"SELECT id FROM appointment_fees WHERE state = 'charged'"
			" AND payment_intent_id IS NOT NULL AND refunded < amount AND EXISTS"
			" (SELECT 1 FROM outbox WHERE path = '/v1/refunds' AND state = 'done'"
			"  AND instr(params, appointment_fees.payment_intent_id) > 0)",
			ids, 64, &n, err);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++) {
		struct appt_fee f;
		if (fees_get(e->db, ids[i], &f, NULL) == PD_OK)
			rc = catch_up(e, &f, err);
	}
	return rc;
}

int fees_refund(const struct pay_env *e, int64_t id, int64_t amount, const char *reason,
		struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	if (!pay_refund_reason_valid(reason))
		return pd_error_set(
		    err, PD_ERR_USAGE,
		    "choose a reason: duplicate, fraudulent or requested by customer");
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	struct appt_fee f;
	int64_t left = 0;
	if (fees_get(e->db, id, &f, NULL) == PD_OK && (rc = catch_up(e, &f, err)))
		return rc;
	if ((rc = fees_refundable(e->db, id, &f, &left, err)))
		return rc;
	char money[64];
	if (amount < 0 || amount > left)
		return pd_error_set(err, PD_ERR_USAGE, "at most %s can be refunded of fee %lld",
				    money_format(left, f.currency, money, sizeof money),
				    (long long)id);
	if (amount == 0)
		amount = left;
	if (!e->key)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	if (pay_refund_unresolved(e->db, f.payment_intent_id))
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "a refund of this fee is under way or its answer was lost: wait "
				    "for its answer; if none comes, paydesk recover (or the next "
				    "start) finishes it, then refund again if still needed");
	/* Last before sending: the limit check reserves the amount for staff. */
	struct auth_refund_part part = {f.payment_intent_id, amount, 0};
	if ((rc = auth_refund_reserve(e->db, e->who, f.currency, &part, 1, err)))
		return rc;
	char fee_id[24];
	snprintf(fee_id, sizeof fee_id, "%lld", (long long)f.id);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "payment_intent", f.payment_intent_id);
	stripe_params_add_int(p, "amount", amount);
	stripe_params_add(p, "reason", reason);
	stripe_params_add(p, "metadata[source]", "paydesk");
	stripe_params_add_int(p, "metadata[appointment_id]", f.appointment_id);
	stripe_params_add(p, "metadata[fee_id]", fee_id);
	stripe_params_add(p, "metadata[refunded_by]", fees_actor(e->who));
	enum outbox_state state;
	struct stripe_response resp;
	struct pd_error send_err = {0};
	pay_send_money_state(e, "/v1/refunds", p, &resp, &state, &send_err);
	stripe_params_free(&p);
	money_format(amount, f.currency, money, sizeof money);
	if (state != OUTBOX_DONE && state != OUTBOX_FAILED) {
		auth_refund_settle(e->db, &part, AUTH_REFUND_UNKNOWN);
		rc = pd_error_set(err, PD_ERR, PAY_REFUND_UNKNOWN, send_err.msg);
	} else if (state != OUTBOX_DONE || resp.outcome != STRIPE_OUTCOME_OK) {
		auth_refund_settle(e->db, &part, AUTH_REFUND_NOT_MADE);
		rc = pd_error_set(err, PD_ERR, "refund not made: %s", send_err.msg);
	} else {
		auth_refund_settle(e->db, &part, AUTH_REFUND_MADE);
		const char *re = pay_json_str(resp.json, "id");
		pay_copy(r->object_id, sizeof r->object_id, re);
		pay_copy(r->request_id, sizeof r->request_id, resp.request_id);
		struct pd_error rec_err = {0};
		/* Made at Stripe: a store failure now must not read as "not
		 * refunded" (that invites a second one); the outbox keeps it. */
		bool late = record(e, &f, amount, re, reason, &rec_err) != PD_OK;
		if (late)
			log_msg(LOG_ERROR, "fee refund %s made but not recorded here: %s",
				r->object_id, rec_err.msg);
		r->done = true;
		/* Said only when Stripe says it (refund_fee.h), as other refunds do. */
		char kept[160];
		refund_fee_text(refund_fee_fetch(e, f.payment_intent_id), f.currency, false, kept,
				sizeof kept);
		snprintf(r->message, sizeof r->message, "Refunded %s of the %s fee to %.120s%s.%s%s%s",
			 money, fee_kind_label(f.kind), f.client,
			 late ? " (not recorded here yet: see the log)" : "", kept[0] ? " " : "",
			 kept, kept[0] ? "." : "");
	}
	stripe_response_clear(&resp);
	return rc;
}
