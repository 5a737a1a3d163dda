#include "paydesk/booking_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/audit.h"
#include "paydesk/booking.h"
#include "paydesk/db.h"
#include "paydesk/money.h"
#include "paydesk/payments_desk.h"
#include "paydesk/payments_store.h"

int policy_ask_for(sqlite3 *db, const struct appointment *a, struct policy_ask *out,
		   struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	struct booking_policy p;
	int rc = policy_held_to(db, a, &p, out->text, sizeof out->text, NULL, err);
	if (rc)
		return rc;
	int64_t paid = 0, refunded = 0;
	rc = payrows_totals(db, a->id, &paid, &refunded, err);
	if (rc)
		return rc;
	out->any = !policy_is_empty(&p);
	out->deposit = policy_amount_for(&p.deposit, p.currency, a->amount, a->currency, NULL);
	out->deposit_required = p.deposit_required && out->deposit > 0;
	out->hold_card = p.hold_card;
	out->held = paid - refunded;
	out->policy_version = p.version;
	snprintf(out->currency, sizeof out->currency, "%s", a->currency);
	if (p.hold_card) {
		struct client_card *cards = NULL;
		size_t n = 0;
		if (client_cards_list(db, a->client_id, &cards, &n, NULL) == PD_OK)
			out->card_saved = n > 0;
		free(cards);
	}
	return PD_OK;
}

char *policy_ask_text(const struct policy_ask *ask, char *out, size_t len)
{
	char money[48];
	size_t n = 0;
	out[0] = '\0';
	if (ask->deposit > 0) {
		money_format(ask->deposit, ask->currency, money, sizeof money);
		n = (size_t)snprintf(out, len, "deposit %s %s", money,
				     ask->deposit_required ? "required" : "optional");
	}
	if (ask->hold_card && n < len)
		snprintf(out + n, len - n, "%scard to hold", n ? " \u00b7 " : "");
	return out;
}

const char *policy_card_word(const struct policy_ask *ask)
{
	if (!ask->hold_card)
		return "";
	return ask->card_saved ? "card held" : "card needed";
}

/* Inside the caller's transaction: a booked appointment whose required
 * deposit is unpaid waits for it. */
static int await_deposit(sqlite3 *db, const struct session *who, int64_t id,
			 const struct policy_ask *ask, struct pd_error *err)
{
	struct appointment a;
	int rc = appointments_get(db, id, &a, err);
	if (rc)
		return rc;
	if (a.state == APPT_BOOKED && ask->held < ask->deposit) {
		a.state = APPT_AWAITING_PAYMENT;
		rc = appointments_set_payment(db, &a, err);
		if (!rc) {
			char detail[800], money[48];
			booking_describe(&a, detail, sizeof detail);
			size_t n = strlen(detail);
			snprintf(detail + n, sizeof detail - n,
				 " \u00b7 deposit %s required by the booking policy (version %lld):"
				 " confirmed once paid",
				 money_format(ask->deposit, a.currency, money, sizeof money),
				 (long long)ask->policy_version);
			char obj[48];
			snprintf(obj, sizeof obj, "appointment:%lld", (long long)id);
			struct audit_entry e = {.actor = who->name, .action = "payment.required",
						.detail = detail, .has_amount = true,
						.amount = ask->deposit, .currency = a.currency,
						.object_id = obj};
			rc = audit_append(db, &e, err);
		}
	}
	appointment_free(&a);
	return rc;
}

int policy_after_booking(sqlite3 *db, const struct session *who, int64_t id,
			 enum policy_accepted_how how, struct policy_ask *ask,
			 struct pd_error *err)
{
	struct policy_ask local;
	struct policy_ask *k = ask ? ask : &local;
	struct appointment a;
	int rc = appointments_get(db, id, &a, err);
	if (rc)
		return rc;
	rc = policy_ask_for(db, &a, k, err);
	appointment_free(&a);
	if (rc || !k->any)
		return rc;
	rc = policy_accept(db, who, id, how, NULL, err);
	if (rc || !k->deposit_required)
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	rc = await_deposit(db, who, id, k, err);
	if (!rc)
		return db_commit(db, err);
	db_rollback(db);
	return rc;
}

int64_t policy_confirm_threshold(sqlite3 *db, const struct appointment *a)
{
	struct booking_policy p;
	if (policy_held_to(db, a, &p, NULL, 0, NULL, NULL) != PD_OK || !p.deposit_required)
		return 1;
	int64_t d = policy_amount_for(&p.deposit, p.currency, a->amount, a->currency, NULL);
	return d > 0 ? d : 1;
}

int policy_cancel(const struct pay_env *e, int64_t id, int64_t now,
		  struct policy_cancel_plan *plan, struct pay_result *r, struct pd_error *err)
{
	struct policy_cancel_plan local;
	struct policy_cancel_plan *pl = plan ? plan : &local;
	memset(r, 0, sizeof *r);
	int rc = policy_cancel_plan(e->db, id, now, pl, err);
	int64_t desk_left = 0;
	if (!rc)
		rc = payments_desk_refundable(e->db, id, &desk_left, err);
	if (rc)
		return rc;
	/* Stripe's money first, then what the desk took. */
	int64_t stripe_held = pl->held - desk_left;
	int64_t to_stripe = pl->refund < stripe_held ? pl->refund : stripe_held;
	if (to_stripe < 0)
		to_stripe = 0;
	int64_t to_desk = pl->refund - to_stripe;
	char kept_fee[200] = ""; /* the refund's "Stripe keeps its fee…", said again below */
	if (to_stripe > 0)
		rc = payments_refund(e, id, to_stripe, "requested_by_customer", r, err);
	const char *fee_said = to_stripe > 0 && !rc ? strstr(r->message, "Stripe keeps its fee") : NULL;
	if (fee_said)
		snprintf(kept_fee, sizeof kept_fee, " %s", fee_said);
	if (!rc && to_desk > 0) {
		struct pay_result dr;
		rc = payments_desk_refund(e->db, e->who, id, to_desk, "cancelled by the booking policy",
					  &dr, err);
	}
	struct appointment a;
	if (!rc)
		rc = appointments_get(e->db, id, &a, err);
	if (rc)
		return rc;
	rc = booking_close(e->db, e->who, id, a.version, APPT_CANCELLED, pl->kept, a.currency, err);
	if (!rc) {
		char refund[48], kept[48];
		snprintf(r->message, sizeof r->message,
			 "Cancelled %s by the booking policy (%s): %s refunded, %s kept.%s",
			 pl->late ? "late" : "in time", policy_rule_name(pl->rule),
			 money_format(pl->refund, a.currency, refund, sizeof refund),
			 money_format(pl->kept, a.currency, kept, sizeof kept), kept_fee);
		r->state = APPT_CANCELLED;
	}
	appointment_free(&a);
	return rc;
}
