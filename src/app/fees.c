/* Fees proposed at a no-show or a late cancellation, and the local steps of
 * the fees queue (change the amount, waive). Charging and pay links, which
 * talk to Stripe, live in fees_stripe.c. See fees.h for the rules. */
#include "paydesk/fees.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/audit.h"
#include "paydesk/civil.h"
#include "paydesk/db.h"
#include "paydesk/fee_cap.h"
#include "paydesk/money.h"
#include "paydesk/payments_store.h"
#include "paydesk/refund_fee.h"
#include "paydesk/policies.h"
#include "paydesk/policy.h"
#include "paydesk/tz.h"
#include "fees_internal.h"

const char *fees_actor(const struct session *who)
{
	return who && who->name[0] ? who->name : "system";
}

/* fee.* entries: "fee 3 · no-show · Amy Pond · Haircut · visit 2026-12-04 ·
 * policy v4 · …" with the amount. */
int fees_audit(sqlite3 *db, const struct session *who, const char *action,
	       const struct appt_fee *f, const char *extra, struct pd_error *err)
{
	char detail[900], obj[80];
	snprintf(detail, sizeof detail, "fee %lld · %s · appointment %lld · %s · %s · policy v%lld%s%s",
		 (long long)f->id, fee_kind_label(f->kind), (long long)f->appointment_id, f->client,
		 f->service, (long long)f->policy_version, extra && *extra ? " · " : "",
		 extra ? extra : "");
	snprintf(obj, sizeof obj, "%s", f->payment_intent_id);
	if (!*obj)
		snprintf(obj, sizeof obj, "fee:%lld", (long long)f->id);
	struct audit_entry en = {.actor = fees_actor(who), .action = action, .detail = detail,
				 .has_amount = true, .amount = f->amount, .currency = f->currency,
				 .object_id = obj};
	return audit_append(db, &en, err);
}

int fees_propose_in(sqlite3 *db, const struct session *who, const struct appointment *a,
		    enum appt_state to, int64_t now, struct pd_error *err)
{
	if (to != APPT_NO_SHOW && to != APPT_CANCELLED)
		return PD_OK;
	/* The same plan the desk's confirmation showed (policies.h). */
	struct policy_cancel_plan plan;
	int rc = to == APPT_NO_SHOW ? policy_no_show_plan(db, a->id, &plan, err)
				    : policy_cancel_plan(db, a->id, now, &plan, err);
	if (rc)
		return rc;
	if (to == APPT_CANCELLED && !plan.late)
		return PD_OK;
	/* Refunds run before the close: what is still held now is what was
	 * kept, whatever the desk decided, and it counts toward the fee. */
	int64_t due = policy_fee_due(plan.fee, plan.held);
	if (due <= 0)
		return PD_OK;
	struct appt_fee f = {.appointment_id = a->id,
			     .kind = to == APPT_NO_SHOW ? FEE_NO_SHOW : FEE_LATE_CANCEL,
			     .amount = due, .policy_amount = due, .policy_id = plan.policy_id,
			     .policy_version = plan.policy_version, .visit_at = a->starts_at,
			     .proposed_at = now};
	snprintf(f.currency, sizeof f.currency, "%s", a->currency);
	snprintf(f.proposed_by, sizeof f.proposed_by, "%s", fees_actor(who));
	rc = fees_insert(db, &f, &f.id, err);
	if (rc == PD_ERR_EXISTS) /* one fee per appointment: the first one stands */
		return PD_OK;
	if (!rc)
		rc = fees_get(db, f.id, &f, err);
	char extra[160] = "";
	if (!rc && plan.held > 0) {
		char money[64];
		snprintf(extra, sizeof extra, "%s kept counted toward it",
			 money_format(plan.held, a->currency, money, sizeof money));
	}
	if (!rc)
		rc = fees_audit(db, who, "fee.propose", &f, extra, err);
	return rc;
}

int fees_withdraw_in(sqlite3 *db, const struct session *who, int64_t appointment_id,
		     struct pd_error *err)
{
	struct appt_fee f;
	int rc = fees_live_for(db, appointment_id, &f, NULL);
	if (!rc && f.state == FEE_CHARGING) /* it may land charged: undone, it would stay */
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "not undone: the %s fee's charge is under way or its outcome is "
				    "not known: F shows its answer (c re-checks it), then U offers "
				    "its refund",
				    fee_kind_label(f.kind));
	if (rc || f.state != FEE_PROPOSED)
		return PD_OK;
	if (f.checkout_session_id[0]) /* withdrawn, the client could still pay the link */
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "not undone: the fee's pay link is still open: F then x expires "
				    "it");
	f.state = FEE_WITHDRAWN;
	snprintf(f.updated_by, sizeof f.updated_by, "%s", fees_actor(who));
	rc = fees_move(db, &f, FEE_PROPOSED, err);
	if (!rc)
		rc = fees_audit(db, who, "fee.withdraw", &f, "the no-show or cancellation was undone",
				err);
	return rc;
}

static int finish(sqlite3 *db, int rc, struct pd_error *err)
{
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	return rc;
}

/* Why fee f cannot be changed now, or PD_OK. */
static int still_workable(const struct appt_fee *f, struct pd_error *err)
{
	char money[64];
	money_format(f->amount, f->currency, money, sizeof money);
	switch (f->state) {
	case FEE_PROPOSED:
	case FEE_DECLINED:
	case FEE_NEEDS_ACTION:
		return PD_OK;
	case FEE_CHARGING:
		return pd_error_set(err, PD_ERR_USAGE,
				    "a charge of this fee is under way (%s): c re-checks it at Stripe",
				    f->message[0] ? f->message : "started");
	case FEE_CHARGED:
		return pd_error_set(err, PD_ERR_USAGE, "fee %lld was charged already (%s, by %s)",
				    (long long)f->id, money, f->updated_by);
	case FEE_WAIVED:
		return pd_error_set(err, PD_ERR_USAGE, "fee %lld was waived by %s: %s",
				    (long long)f->id, f->updated_by, f->reason);
	default:
		return pd_error_set(err, PD_ERR_USAGE,
				    "fee %lld was withdrawn (the visit's no-show or cancellation "
				    "was undone)",
				    (long long)f->id);
	}
}

static int need_reason(const char *reason, struct pd_error *err)
{
	const char *r = reason ? reason : "";
	while (*r == ' ')
		r++;
	if (!*r)
		return pd_error_set(err, PD_ERR_USAGE,
				    "say why (a reason is kept in the audit log with it)");
	if (strlen(reason) >= sizeof((struct appt_fee *)0)->reason)
		return pd_error_set(err, PD_ERR_USAGE, "the reason is too long: keep it under %zu "
						       "characters",
				    sizeof((struct appt_fee *)0)->reason - 1);
	return PD_OK;
}

int fees_set_amount(sqlite3 *db, const struct session *who, int64_t id, int64_t amount,
		    const char *reason, struct pd_error *err)
{
	int rc = auth_allow_now(db, who, AUTH_TAKE_PAYMENT, err);
	if (!rc)
		rc = need_reason(reason, err);
	if (rc)
		return rc;
	if (amount <= 0)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a fee is more than 0: to charge nothing, waive it (w)");
	if ((rc = db_begin(db, err)))
		return rc;
	struct appt_fee f;
	rc = fees_get(db, id, &f, err);
	if (!rc)
		rc = still_workable(&f, err);
	if (!rc && f.pay_link_url[0])
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "a pay link for %s was sent already: the client pays that amount",
				  "this fee");
	char was[64], now[64], policy[64];
	if (!rc && amount > f.policy_amount) {
		struct pd_error admin = {0};
		if (auth_allow_now(db, who, AUTH_SETUP, &admin) != PD_OK)
			rc = pd_error_set(err, PD_ERR_FORBIDDEN,
					  "only an admin raises a fee above the policy's %s",
					  money_format(f.policy_amount, f.currency, policy,
						       sizeof policy));
	}
	if (!rc) /* above the visit's price: a typo, not a fee */
		rc = fee_cap_check(db, &f, amount, err);
	if (!rc) {
		money_format(f.amount, f.currency, was, sizeof was);
		money_format(amount, f.currency, now, sizeof now);
		enum fee_state from = f.state;
		f.amount = amount;
		snprintf(f.reason, sizeof f.reason, "%s", reason);
		snprintf(f.updated_by, sizeof f.updated_by, "%s", fees_actor(who));
		rc = fees_move(db, &f, from, err);
		char extra[600];
		snprintf(extra, sizeof extra, "%s → %s: %.400s", was, now, reason);
		if (!rc)
			rc = fees_audit(db, who, "fee.amount", &f, extra, err);
	}
	return finish(db, rc, err);
}

int fees_waive(sqlite3 *db, const struct session *who, int64_t id, const char *reason,
	       struct pd_error *err)
{
	int rc = auth_allow_now(db, who, AUTH_TAKE_PAYMENT, err);
	if (!rc)
		rc = need_reason(reason, err);
	if (rc)
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	struct appt_fee f;
	rc = fees_get(db, id, &f, err);
	if (!rc)
		rc = still_workable(&f, err);
	if (!rc && f.checkout_session_id[0]) /* waived, the client could still pay the link */
		rc = pd_error_set(err, PD_ERR_CONFLICT,
				  "not waived: its pay link is open: x expires it first, then waive");
	if (!rc) {
		enum fee_state from = f.state;
		f.state = FEE_WAIVED;
		snprintf(f.reason, sizeof f.reason, "%s", reason);
		snprintf(f.updated_by, sizeof f.updated_by, "%s", fees_actor(who));
		rc = fees_move(db, &f, from, err);
		if (!rc)
			rc = fees_audit(db, who, "fee.waive", &f, reason, err);
	}
	return finish(db, rc, err);
}

char *fee_visit_ago(int64_t visit_at, int64_t now, char *out, size_t len)
{
	/* Calendar days at the desk: a visit on Friday is "3 days ago" all Monday. */
	struct tz_civil v, n;
	tz_to_civil(visit_at, &v);
	tz_to_civil(now, &n);
	int64_t days = civil_days(n.year, n.month, n.day) - civil_days(v.year, v.month, v.day);
	if (days < 0)
		days = 0;
	if (days == 0)
		snprintf(out, len, "visit today");
	else if (days == 1)
		snprintf(out, len, "visit yesterday");
	else if (days < 14)
		snprintf(out, len, "visit %lld days ago", (long long)days);
	else
		snprintf(out, len, "visit %lld weeks ago", (long long)(days / 7));
	return out;
}

char *fee_describe(const struct appt_fee *f, char *out, size_t len)
{
	char money[64];
	snprintf(out, len, "%s · %s · %s", fee_kind_label(f->kind),
		 money_format(f->amount, f->currency, money, sizeof money),
		 fee_state_label(f->state));
	return out;
}

char *fees_card(sqlite3 *db, const struct appt_fee *f, char *out, size_t len)
{
	out[0] = '\0';
	/* A charged fee: the card its payment was on, once the history knows it. */
	if (f->payment_intent_id[0])
		refund_fee_stored(db, f->payment_intent_id, out, len);
	if (out[0])
		return out;
	/* Else the saved card a charge takes (fees_stripe.c: the first one). */
	struct client_card *cards = NULL;
	size_t n = 0;
	if (client_cards_list(db, f->client_id, &cards, &n, NULL) == PD_OK && n > 0)
		refund_fee_card(cards[0].brand, cards[0].last4, out, len);
	free(cards);
	return out;
}
