/* Refunds of an appointment's Stripe payments: planned whole over its
 * payments (newest first) so the staff limit sees every one the refund
 * touches, then sent through the outbox (split from payments.c). */
#include "paydesk/payments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/day_close_store.h"
#include "paydesk/money.h"
#include "paydesk/packages.h"
#include "paydesk/readers.h"
#include "paydesk/refund_fee.h"
#include "payments_internal.h"

bool pay_refund_reason_valid(const char *r)
{
	return r && (strcmp(r, "duplicate") == 0 || strcmp(r, "fraudulent") == 0 ||
		     strcmp(r, "requested_by_customer") == 0);
}

/* A refund of amount over the appointment's Stripe payments: newest first,
 * each up to what is left on it, planned whole before anything is sent so
 * the limit check sees every payment the refund touches. parts and
 * part_row (the row of each part) have room for n. */
static int plan_refund(sqlite3 *db, const struct pay_attempt *rows, size_t n, int64_t amount,
		       struct auth_refund_part *parts, size_t *part_row, size_t *nparts,
		       struct pd_error *err)
{
	*nparts = 0;
	int64_t todo = amount;
	for (size_t k = n; todo > 0 && k-- > 0;) {
		const struct pay_attempt *row = &rows[k];
		int64_t room = row->amount - row->refunded;
		if (row->status != PAYROW_SUCCEEDED || room <= 0 || !row->payment_intent_id)
			continue;
		if (pay_refund_unresolved(db, row->payment_intent_id))
			return pd_error_set(err, PD_ERR_CONFLICT,
					    "a refund of this payment is still unresolved: Y re-checks "
					    "it at Stripe; refund again after that");
		int64_t part = todo < room ? todo : room;
		parts[*nparts] = (struct auth_refund_part){row->payment_intent_id, part, 0};
		if (part_row)
			part_row[*nparts] = k;
		(*nparts)++;
		todo -= part;
	}
	return PD_OK;
}

int payments_refund(const struct pay_env *e, int64_t appointment_id, int64_t amount,
		    const char *reason, struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	if (!pay_refund_reason_valid(reason))
		return pd_error_set(err, PD_ERR_USAGE,
				    "choose a reason: duplicate, fraudulent or requested by customer");
	struct appointment a;
	int rc = appointments_get(e->db, appointment_id, &a, err);
	if (rc)
		return rc;
	int64_t paid = 0, refunded = 0, desk_paid = 0, desk_refunded = 0, drawn = 0, given = 0;
	rc = payrows_totals(e->db, appointment_id, &paid, &refunded, err);
	if (!rc) /* money taken at the desk is handed back there (payments_desk_refund) */
		rc = payrows_desk_totals(e->db, appointment_id, &desk_paid, &desk_refunded, err);
	if (!rc) /* a package's visit or credit goes back to it (packages_return_draws) */
		rc = payrows_drawn_totals(e->db, appointment_id, &drawn, &given, err);
	int64_t left = paid - desk_paid - drawn - (refunded - desk_refunded - given);
	char money[64];
	/* Paid (partly) from a package or credit: refunding it all, or more
	 * than Stripe took, gives the visits / credit back to the package
	 * first (no money moves); the rest, if any, is Stripe's. */
	struct pay_result given_back = {0};
	int64_t standing = drawn - given;
	if (!rc && standing > 0 && (amount == 0 || amount > left)) {
		rc = packages_return_draws(e, appointment_id, &given_back, err);
		if (!rc && (left <= 0 || (amount && amount <= standing))) {
			appointment_free(&a);
			*r = given_back;
			return PD_OK;
		}
		if (!rc && amount)
			amount -= standing;
	}
	if (!rc && left <= 0 && desk_paid > desk_refunded)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "it was paid at the desk, not through Stripe: refund it at the desk");
	else if (!rc && left <= 0 && drawn > given)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "it was paid from the client's package or credit: give it back "
				  "to the package instead (paydesk packages undraw)");
	else if (!rc && left <= 0)
		rc = pd_error_set(err, PD_ERR_USAGE, "nothing to refund: no payment is left on it");
	else if (!rc && (amount < 0 || amount > left))
		rc = pd_error_set(err, PD_ERR_USAGE, "at most %s can be refunded",
				  money_format(left, a.currency, money, sizeof money));
	if (!rc && amount == 0)
		amount = left;
	if (!rc && !e->key)
		rc = pd_error_set(err, PD_ERR_LOCKED,
				  "Stripe is not unlocked: enter the admin passphrase first");
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	if (!rc)
		rc = payrows_list(e->db, appointment_id, &rows, &n, err);
	/* Newest payments first, each up to what is left on it: planned whole
	 * first, so the limit check sees every payment the refund touches. */
	struct auth_refund_part *parts = n ? calloc(n, sizeof *parts) : NULL;
	size_t *part_row = n ? calloc(n, sizeof *part_row) : NULL;
	size_t nparts = 0;
	if (!rc && n && (!parts || !part_row))
		rc = pd_error_set(err, PD_ERR, "out of memory");
	if (!rc)
		rc = plan_refund(e->db, rows, n, amount, parts, part_row, &nparts, err);
	if (!rc)
		rc = auth_refund_reserve(e->db, e->who, a.currency, parts, nparts, err);
	int64_t todo = amount;
	size_t sent = 0;
	/* what Stripe keeps of the payments refunded (refund_fee.h): asked once made */
	int64_t fees = 0;
	size_t refunded_parts = 0;
	bool fees_known = true;
	for (; !rc && sent < nparts; sent++) {
		struct pay_attempt *row = &rows[part_row[sent]];
		int64_t part = parts[sent].amount;
		struct stripe_params *p = stripe_params_new();
		stripe_params_add(p, "payment_intent", row->payment_intent_id);
		stripe_params_add_int(p, "amount", part);
		stripe_params_add(p, "reason", reason);
		pay_add_metadata(p, "metadata[", &a);
		stripe_params_add(p, "metadata[refunded_by]", pay_actor(e->who));
		struct stripe_response resp;
		struct pd_error send_err = {0};
		enum outbox_state state;
		pay_send_money_state(e, "/v1/refunds", p, &resp, &state, &send_err);
		stripe_params_free(&p);
		if (state != OUTBOX_DONE && state != OUTBOX_FAILED) {
			rc = pd_error_set(err, PD_ERR, PAY_REFUND_PENDING,
					  resp.error.message ? resp.error.message : "no answer");
			auth_refund_settle(e->db, &parts[sent], AUTH_REFUND_UNKNOWN);
			/* The desk sees it on the appointment, with the key that settles it. */
			char pending[200];
			snprintf(pending, sizeof pending, PAY_REFUND_PENDING_ROW,
				 money_format(part, a.currency, money, sizeof money));
			free(row->message);
			row->message = strdup(pending);
			payrows_update(e->db, row, NULL);
			stripe_response_clear(&resp);
			break;
		}
		if (resp.outcome != STRIPE_OUTCOME_OK) {
			rc = pd_error_set(err, PD_ERR, "refund not made: %s%s", send_err.msg,
					  todo < amount ? " (part of it was refunded)" : "");
			stripe_response_clear(&resp);
			break;
		}
		auth_refund_settle(e->db, &parts[sent], AUTH_REFUND_MADE);
		const char *re = pay_json_str(resp.json, "id");
		row->refunded += part;
		char extra[200];
		snprintf(extra, sizeof extra, "refund %s (%s) of %s", re ? re : "?", reason,
			 row->payment_intent_id);
		free(row->message);
		row->message = strdup(extra);
		rc = pay_settle(e, row, resp.request_id, "payment.refund", part, re, r, err);
		if (!rc) { /* the day close counts it at this desk and user */
			char desk[64];
			readers_desk_name(desk, sizeof desk);
			day_close_note_card_refund(e->db, row->payment_intent_id, part, a.currency, re,
						   desk, pay_actor(e->who), NULL);
		}
		stripe_response_clear(&resp);
		todo -= part;
		int64_t fee = rc ? REFUND_FEE_UNKNOWN : refund_fee_fetch(e, row->payment_intent_id);
		fees_known = fees_known && fee != REFUND_FEE_UNKNOWN;
		fees += fee;
		refunded_parts++;
	}
	/* What was not sent (or Stripe refused) no longer counts. */
	for (size_t i = 0; i < nparts; i++)
		auth_refund_settle(e->db, &parts[i], AUTH_REFUND_NOT_MADE);
	free(parts);
	free(part_row);
	pay_attempts_free_list(&rows, n);
	if (!rc) {
		char kept[160] = "";
		if (fees_known && refunded_parts)
			refund_fee_text(fees, a.currency, refunded_parts > 1, kept, sizeof kept);
		snprintf(r->message, sizeof r->message, "%.200s%sRefunded %s (%s).%s%s%s",
			 given_back.message, given_back.message[0] ? " " : "",
			 money_format(amount, a.currency, money, sizeof money),
			 appt_payment_label(r->payment), kept[0] ? " " : "", kept, kept[0] ? "." : "");
	}
	appointment_free(&a);
	return rc;
}
