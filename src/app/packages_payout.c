/* A visit or credit given back to a package that was refunded already
 * cannot go back into it (nothing more can be drawn): the client paid for
 * it and got only the unused part back, so its share of the price is handed
 * back as money instead, in the package's own tender — at the desk for a
 * desk sale, a Stripe refund of the sale's PaymentIntent for a card sale.
 * The card refund is sent before packages_return_draws' transaction (as
 * packages_refund does); its metadata names the draw, so a draw whose
 * refund Stripe already made is never refunded a second time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/history_desk.h"
#include "paydesk/money.h"
#include "paydesk/readers.h"
#include "packages_internal.h"
#include "payments_internal.h"

static bool is_card(const struct client_package *c)
{
	return strcmp(c->method, "card") == 0;
}

int pkg_payouts_plan(sqlite3 *db, const struct package_draw *draws, size_t n,
		     struct pkg_payout *out, struct pd_error *err)
{
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		struct client_package c;
		int rc = cpkg_get(db, draws[i].client_package_id, &c, err);
		if (rc)
			return rc;
		if (c.state != CPKG_REFUNDED)
			continue;
		int64_t total = c.kind == PACKAGE_VISITS ? c.visits : c.credit;
		int64_t units = c.kind == PACKAGE_VISITS ? draws[i].visits : draws[i].amount;
		int64_t money = total > 0 ? c.price * units / total : 0;
		/* never more than the price altogether, counting earlier draws of it here */
		int64_t room = c.price - c.refunded;
		for (size_t k = 0; k < i; k++)
			if (draws[k].client_package_id == c.id)
				room -= out[k].amount;
		out[i].amount = money < room ? money : (room > 0 ? room : 0);
		out[i].card = is_card(&c);
	}
	return PD_OK;
}

int packages_return_payout(sqlite3 *db, int64_t appointment_id, char *out, size_t len)
{
	*out = '\0';
	struct package_draw *draws = NULL;
	size_t n = 0;
	int rc = draws_of_appointment(db, appointment_id, &draws, &n, NULL);
	struct pkg_payout *pay = n ? calloc(n, sizeof *pay) : NULL;
	if (!rc && n && pay)
		rc = pkg_payouts_plan(db, draws, n, pay, NULL);
	int64_t cash = 0, card = 0;
	char currency[4] = "", name[PACKAGE_NAME_MAX * 4 + 1] = "";
	for (size_t i = 0; !rc && pay && i < n; i++) {
		if (!pay[i].amount)
			continue;
		struct client_package c;
		if (cpkg_get(db, draws[i].client_package_id, &c, NULL) != PD_OK)
			continue;
		memcpy(currency, c.currency, sizeof currency);
		snprintf(name, sizeof name, "%s", c.name);
		if (pay[i].card)
			card += pay[i].amount;
		else
			cash += pay[i].amount;
	}
	char m1[64], m2[64];
	if (cash && card)
		snprintf(out, len, "%s was refunded: %s goes back at the desk and %s to the card "
			 "through Stripe", name, money_format(cash, currency, m1, sizeof m1),
			 money_format(card, currency, m2, sizeof m2));
	else if (cash || card)
		snprintf(out, len, "%s was refunded: %s goes back %s", name,
			 money_format(cash + card, currency, m1, sizeof m1),
			 card ? "to the card through Stripe" : "at the desk");
	free(pay);
	free(draws);
	return (cash || card) ? 1 : 0;
}

int pkg_payouts_send(const struct pay_env *e, const struct package_draw *draws, size_t n,
		     struct pkg_payout *pay, struct pd_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!pay[i].amount || !pay[i].card)
			continue;
		struct client_package c;
		int rc = cpkg_get(e->db, draws[i].client_package_id, &c, err);
		if (rc)
			return rc;
		char pair[64];
		snprintf(pair, sizeof pair, "metadata[package_draw_id]=%lld", (long long)draws[i].id);
		struct outbox_row row;
		memset(&row, 0, sizeof row);
		if (outbox_find_latest(e->db, "/v1/refunds", pair, 0, &row, NULL) == PD_OK) {
			/* sent before (an answer lost, then paydesk recover): made once */
			bool done = row.state == OUTBOX_DONE && row.object_id;
			if (done)
				pay_copy(pay[i].refund_id, sizeof pay[i].refund_id, row.object_id);
			bool failed = row.state == OUTBOX_FAILED;
			outbox_row_clear(&row);
			if (done)
				continue;
			if (!failed)
				return pd_error_set(err, PD_ERR_CONFLICT,
						    "the refund of this visit is still unresolved: "
						    "paydesk finishes it at the next start (or paydesk "
						    "recover); then give it back again");
		}
		if (!e->key)
			return pd_error_set(err, PD_ERR_LOCKED,
					    "%s was refunded by card: its money goes back through "
					    "Stripe, which is not unlocked: enter the admin passphrase "
					    "first",
					    c.name);
		struct stripe_params *p = stripe_params_new();
		stripe_params_add(p, "payment_intent", c.payment_intent_id);
		stripe_params_add_int(p, "amount", pay[i].amount);
		stripe_params_add(p, "reason", "requested_by_customer");
		pkg_add_metadata(p, "metadata[", &c);
		char v[32];
		snprintf(v, sizeof v, "%lld", (long long)draws[i].id);
		stripe_params_add(p, "metadata[package_draw_id]", v);
		snprintf(v, sizeof v, "%lld", (long long)draws[i].appointment_id);
		stripe_params_add(p, "metadata[appointment_id]", v);
		stripe_params_add(p, "metadata[refunded_by]", pay_actor(e->who));
		struct stripe_response resp;
		struct pd_error send_err = {0};
		enum outbox_state state;
		pay_send_money_state(e, "/v1/refunds", p, &resp, &state, &send_err);
		stripe_params_free(&p);
		pay[i].unknown = state != OUTBOX_DONE && state != OUTBOX_FAILED;
		if (pay[i].unknown)
			rc = pd_error_set(err, PD_ERR, PAY_REFUND_UNKNOWN, send_err.msg);
		else if (resp.outcome != STRIPE_OUTCOME_OK)
			rc = pd_error_set(err, PD_ERR, "refund not made: %s", send_err.msg);
		else
			pay_copy(pay[i].refund_id, sizeof pay[i].refund_id,
				 pay_json_str(resp.json, "id"));
		pay[i].sent = !rc;
		stripe_response_clear(&resp);
		if (rc)
			return rc;
	}
	return PD_OK;
}

int pkg_payout_record(const struct pay_env *e, const struct package_draw *d,
		      const struct pkg_payout *pay, struct pd_error *err)
{
	struct client_package c;
	int rc = cpkg_get(e->db, d->client_package_id, &c, err);
	if (rc || !pay->amount)
		return rc;
	char sale_id[48], rid[64], money[64];
	snprintf(sale_id, sizeof sale_id, "pkg_%lld", (long long)c.id);
	if (!pay->card) { /* handed back at the desk: a desk refund in the takings */
		struct client cl;
		bool named = clients_get(e->db, c.client_id, &cl, NULL) == PD_OK;
		char desc[400];
		snprintf(desc, sizeof desc, "package %s: a visit given back after its refund · by %s",
			 c.name, pay_actor(e->who));
		snprintf(rid, sizeof rid, "pkgre_%lld_%lld", (long long)c.id, (long long)d->id);
		struct history_desk_record rec = {
			.id = rid, .type = "desk_refund", .created = (int64_t)time(NULL),
			.amount = pay->amount, .currency = c.currency, .tender = c.method,
			.client = named ? cl.name : NULL, .email = named ? cl.email : NULL,
			.customer_id = named ? cl.stripe_customer_id : NULL, .description = desc,
			.payment_of = sale_id};
		rc = history_desk_add(e->db, &rec, err);
		if (!rc)
			rc = history_desk_set_refunded(e->db, sale_id, c.refunded + pay->amount, err);
		if (named)
			client_free(&cl);
	}
	c.refunded += pay->amount;
	snprintf(c.message, sizeof c.message, "refunded %s in all (a visit given back after the "
		 "refund)", money_format(c.refunded, c.currency, money, sizeof money));
	if (!rc)
		rc = cpkg_update(e->db, &c, err);
	char desk[64];
	readers_desk_name(desk, sizeof desk);
	if (!rc) /* counted in the close of this desk and user */
		rc = cpkg_refund_note(e->db, &c, pay->amount, pay->card ? pay->refund_id : rid, desk,
				      pay_actor(e->who), err);
	char detail[900];
	pkg_sale_detail(e->db, &c, detail, sizeof detail);
	size_t used = strlen(detail);
	snprintf(detail + used, sizeof detail - used, " · appointment %lld given back · %s %s",
		 (long long)d->appointment_id, money_format(pay->amount, c.currency, money,
							   sizeof money),
		 pay->card ? pay->refund_id : "handed back at the desk");
	if (!rc)
		rc = pkg_audit(e->db, e->who, "package.refund", detail, pay->amount, c.currency, c.id,
			       err);
	return rc;
}
