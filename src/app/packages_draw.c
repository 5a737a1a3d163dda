/* Paying an appointment from the client's package or credit, and giving
 * that back when the appointment's payment is undone. No money moves: the
 * appointment gets a payment row in tender package / credit (so its payment
 * state, deposit and confirmation follow as for any payment) and the sale a
 * draw, in one transaction with the audit entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"
#include "paydesk/money.h"
#include "packages_internal.h"
#include "payments_internal.h"

static bool covers(const struct client_package *c, const struct appointment *a)
{
	if (strcmp(c->currency, a->currency) != 0)
		return false;
	return c->kind == PACKAGE_CREDIT || c->service_id == a->service_id;
}

int packages_for_appointment(sqlite3 *db, int64_t appointment_id, struct client_package *out,
			     struct pd_error *err)
{
	struct appointment a;
	int rc = appointments_get(db, appointment_id, &a, err);
	if (rc)
		return rc;
	struct client_package *list = NULL;
	size_t n = 0;
	rc = cpkg_list(db, a.client_id, &list, &n, err);
	int64_t now = (int64_t)time(NULL);
	const struct client_package *pick = NULL, *lapsed = NULL;
	/* Visits of this very service first, then credit; oldest sale first
	 * (the list is newest first), so what expires first is used first. */
	for (int pass = 0; !rc && pass < 2 && !pick; pass++)
		for (size_t k = n; k-- > 0 && !pick;) {
			const struct client_package *c = &list[k];
			if ((pass == 0) != (c->kind == PACKAGE_VISITS) || !covers(c, &a))
				continue;
			if (cpkg_usable(c, now))
				pick = c;
			else if (c->state == CPKG_ACTIVE && cpkg_left(c) > 0)
				lapsed = c;
		}
	if (!rc && pick) {
		*out = *pick;
	} else if (!rc && lapsed) {
		char day[16];
		pkg_day(lapsed->expires_at, day, sizeof day);
		rc = pd_error_set(err, PD_ERR_NOT_FOUND,
				  "%s's %s expired on %s: expired credit cannot pay; take another "
				  "payment",
				  a.client_name, lapsed->name, day);
	} else if (!rc) {
		rc = pd_error_set(err, PD_ERR_NOT_FOUND,
				  "%s has no package or credit that covers %s: sell one (visit "
				  "history: H, then b) or take another payment",
				  a.client_name, a.service_name ? a.service_name : "this service");
	}
	free(list);
	appointment_free(&a);
	return rc;
}

static bool open_status(enum payrow_status s)
{
	return s == PAYROW_STARTING || s == PAYROW_OPEN || s == PAYROW_UNKNOWN;
}

/* Why appointment a cannot be paid from c now, or PD_OK. */
static int check_draw(const struct client_package *c, const struct appointment *a, int64_t now,
		      struct pd_error *err)
{
	char day[16];
	if (c->client_id != a->client_id)
		return pd_error_set(err, PD_ERR_USAGE, "that package belongs to another client");
	if (c->state != CPKG_ACTIVE)
		return pd_error_set(err, PD_ERR_USAGE, "%s is %s: it cannot pay", c->name,
				    c->state == CPKG_REFUNDED ? "refunded" : "not paid for");
	if (c->expires_at && now >= c->expires_at) {
		pkg_day(c->expires_at, day, sizeof day);
		return pd_error_set(err, PD_ERR_USAGE,
				    "%s expired on %s: expired credit cannot pay", c->name, day);
	}
	if (!covers(c, a))
		return pd_error_set(err, PD_ERR_USAGE, "%s does not cover %s (%s)", c->name,
				    a->service_name ? a->service_name : "this service", a->currency);
	if (cpkg_left(c) <= 0)
		return pd_error_set(err, PD_ERR_USAGE, "%s is used up", c->name);
	return PD_OK;
}

int packages_draw(sqlite3 *db, const struct session *who, int64_t appointment_id, int64_t sale,
		  struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(db, who, AUTH_TAKE_PAYMENT, err);
	if (!rc)
		rc = db_begin(db, err);
	if (rc)
		return rc;
	struct appointment a;
	rc = appointments_get(db, appointment_id, &a, err);
	if (rc)
		return pkg_finish(db, rc, err);
	struct client_package c = {0};
	rc = sale ? cpkg_get(db, sale, &c, err) : packages_for_appointment(db, appointment_id, &c, err);
	int64_t paid = 0, refunded = 0, now = (int64_t)time(NULL);
	if (!rc)
		rc = payrows_totals(db, appointment_id, &paid, &refunded, err);
	int64_t due = a.amount > paid ? a.amount - paid : 0;
	struct pay_attempt last = {0};
	bool busy = payrows_latest(db, appointment_id, -1, &last, NULL) == PD_OK &&
		    open_status(last.status);
	pay_attempt_free(&last);
	char money[64];
	if (rc) {
	} else if (a.state == APPT_CANCELLED || a.state == APPT_NO_SHOW) {
		rc = pd_error_set(err, PD_ERR_USAGE, "a %s appointment takes no payment",
				  appt_state_label(a.state));
	} else if (due == 0) {
		rc = pd_error_set(err, PD_ERR_USAGE, "nothing is due: %s already paid",
				  money_format(paid, a.currency, money, sizeof money));
	} else if (busy) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "a Stripe payment of this appointment is still under way: finish "
				  "or cancel it first");
	} else {
		rc = check_draw(&c, &a, now, err);
	}
	bool visits = !rc && c.kind == PACKAGE_VISITS;
	int64_t amount = visits ? due : (!rc && cpkg_left(&c) < due ? cpkg_left(&c) : due);
	struct pay_attempt row = {0};
	char msg[400], obj[48];
	if (!rc) {
		struct client_package after = c;
		if (visits)
			after.visits_used++;
		else
			after.credit_used += amount;
		char left[96];
		if (visits)
			snprintf(left, sizeof left, "%lld of %lld visits left",
				 (long long)cpkg_left(&after), (long long)c.visits);
		else
			snprintf(left, sizeof left, "credit %s left",
				 money_format(cpkg_left(&after), c.currency, money, sizeof money));
		snprintf(msg, sizeof msg, "from %s (%s)", c.name, left);
		row.appointment_id = appointment_id;
		row.method = visits ? PAYROW_PACKAGE : PAYROW_CREDIT;
		row.status = PAYROW_SUCCEEDED;
		row.amount = amount;
		memcpy(row.currency, a.currency, sizeof row.currency);
		row.actor = strdup(pay_actor(who));
		char paid_msg[420];
		snprintf(paid_msg, sizeof paid_msg, "paid %s", msg);
		row.message = strdup(paid_msg);
		char note[64];
		snprintf(note, sizeof note, "package sale %lld", (long long)c.id);
		row.note = strdup(note);
		rc = payrows_insert(db, &row, &row.id, err);
	}
	if (!rc) {
		struct package_draw d = {.client_package_id = c.id, .appointment_id = appointment_id,
					 .payment_row = row.id, .visits = visits ? 1 : 0,
					 .amount = amount};
		rc = draws_insert(db, &d, pay_actor(who), NULL, err);
	}
	snprintf(obj, sizeof obj, "client_package:%lld", (long long)(rc ? 0 : c.id));
	if (!rc) {
		struct pay_env e = {.db = db, .who = who};
		rc = pay_settle_in(&e, &row, NULL, "package.draw", amount, obj, r, err);
	}
	rc = pkg_finish(db, rc, err);
	if (!rc) {
		r->done = true;
		char rest[96] = "";
		if (amount < due)
			snprintf(rest, sizeof rest, "; %s still due",
				 money_format(due - amount, a.currency, money, sizeof money));
		snprintf(r->message, sizeof r->message, "Paid %s %s%s.",
			 money_format(amount, a.currency, money, sizeof money), msg, rest);
	}
	pay_attempt_free(&row);
	appointment_free(&a);
	return rc;
}

/* Reserve the payouts within the staff refund limits (parts has room for n). */
static int reserve_payouts(const struct pay_env *e, const struct package_draw *draws, size_t n,
			   struct pkg_payout *pay, struct auth_refund_part *parts,
			   char (*pids)[64], size_t *nparts, struct pd_error *err)
{
	*nparts = 0;
	char currency[4] = "";
	for (size_t i = 0; i < n; i++) {
		struct client_package c;
		if (!pay[i].amount)
			continue;
		int rc = cpkg_get(e->db, draws[i].client_package_id, &c, err);
		if (rc)
			return rc;
		if (pay[i].card)
			snprintf(pids[*nparts], 64, "%s", c.payment_intent_id);
		else
			snprintf(pids[*nparts], 64, "pkg_%lld", (long long)c.id);
		parts[*nparts] = (struct auth_refund_part){pids[*nparts], pay[i].amount, 0};
		pay[i].part = (*nparts)++;
		memcpy(currency, c.currency, sizeof currency);
	}
	return *nparts ? auth_refund_reserve(e->db, e->who, currency, parts, *nparts, err) : PD_OK;
}

int packages_return_draws(const struct pay_env *e, int64_t appointment_id,
			  struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	struct package_draw *draws = NULL;
	size_t n = 0;
	if (!rc)
		rc = draws_of_appointment(e->db, appointment_id, &draws, &n, err);
	if (!rc && n == 0)
		rc = pd_error_set(err, PD_ERR_NOT_FOUND,
				  "nothing on this appointment was paid from a package or credit");
	/* A refunded package takes nothing back: its share is paid out (money
	 * first for a card, Stripe's refund made before the transaction). */
	struct pkg_payout *pay = n ? calloc(n, sizeof *pay) : NULL;
	struct auth_refund_part *parts = n ? calloc(n, sizeof *parts) : NULL;
	char(*pids)[64] = n ? calloc(n, sizeof *pids) : NULL;
	size_t nparts = 0;
	if (!rc && (!pay || !parts || !pids))
		rc = pd_error_set(err, PD_ERR, "out of memory");
	if (!rc)
		rc = pkg_payouts_plan(e->db, draws, n, pay, err);
	if (!rc)
		rc = reserve_payouts(e, draws, n, pay, parts, pids, &nparts, err);
	bool reserved = !rc;
	if (!rc)
		rc = pkg_payouts_send(e, draws, n, pay, err);
	if (!rc)
		rc = db_begin(e->db, err);
	if (rc)
		goto out;
	char names[400] = "";
	int64_t visits = 0, credit = 0, cash = 0, card = 0;
	bool all_cash = true;
	char currency[4] = "";
	for (size_t i = 0; !rc && i < n; i++) {
		struct client_package c;
		struct pay_attempt row;
		rc = cpkg_get(e->db, draws[i].client_package_id, &c, err);
		if (!rc)
			rc = draws_set_returned(e->db, draws[i].id, pay_actor(e->who), err);
		if (!rc)
			rc = payrows_get(e->db, draws[i].payment_row, &row, err);
		if (rc)
			break;
		row.status = PAYROW_CANCELLED;
		char msg[300], obj[48];
		snprintf(msg, sizeof msg, "given back to %s", c.name);
		free(row.message);
		row.message = strdup(msg);
		snprintf(obj, sizeof obj, "client_package:%lld", (long long)c.id);
		rc = pay_settle_in(e, &row, NULL, "package.return", draws[i].amount, obj, r, err);
		if (!rc)
			rc = pkg_payout_record(e, &draws[i], &pay[i], err);
		visits += draws[i].visits;
		if (!draws[i].visits)
			credit += draws[i].amount;
		*(pay[i].card ? &card : &cash) += pay[i].amount;
		if (pay[i].amount && !pay[i].card && strcmp(c.method, "cash") != 0)
			all_cash = false;
		memcpy(currency, row.currency, sizeof currency);
		if (!strstr(names, c.name)) {
			size_t used = strlen(names);
			snprintf(names + used, sizeof names - used, "%s%.120s", used ? " and " : "",
				 c.name);
		}
		pay_attempt_free(&row);
	}
	rc = pkg_finish(e->db, rc, err);
	if (!rc) {
		char what[120] = "", money[64], moved[160] = "no money moved";
		if (visits)
			snprintf(what, sizeof what, "%lld visit%s", (long long)visits,
				 visits == 1 ? "" : "s");
		if (credit) {
			size_t used = strlen(what);
			snprintf(what + used, sizeof what - used, "%s%s of credit", used ? " and " : "",
				 money_format(credit, currency, money, sizeof money));
		}
		if (cash || card)
			snprintf(moved, sizeof moved, "%s back %s",
				 money_format(cash + card, currency, money, sizeof money),
				 card && cash ? "at the desk and to the card"
				 : card	      ? "to the card through Stripe"
				 : all_cash   ? "in cash"
					      : "at the desk");
		r->done = true;
		/* what the appointment is now: a visit paid only from the package is unpaid */
		char now[64];
		if (r->payment == PAY_NONE)
			snprintf(now, sizeof now, "unpaid again");
		else
			snprintf(now, sizeof now, "now %.40s", appt_payment_label(r->payment));
		if (cash || card) /* short enough for the status line */
			snprintf(r->message, sizeof r->message, "%.150s for %.110s of %.180s; %.50s.",
				 moved, what, names, now);
		else
			snprintf(r->message, sizeof r->message, "Gave %.110s back to %.180s: %.150s, %.50s.",
				 what, names, moved, now);
	}
out:
	/* a card refund Stripe made stays made whatever the store did */
	for (size_t k = 0; reserved && k < nparts; k++) {
		bool made = !rc, unknown = false;
		for (size_t i = 0; i < n; i++) {
			if (!pay[i].amount || pay[i].part != k)
				continue;
			made = made || pay[i].sent;
			unknown = unknown || pay[i].unknown;
		}
		auth_refund_settle(e->db, &parts[k], made	 ? AUTH_REFUND_MADE
						     : unknown ? AUTH_REFUND_UNKNOWN
							       : AUTH_REFUND_NOT_MADE);
	}
	free(pids);
	free(parts);
	free(pay);
	free(draws);
	return rc;
}
