/* Packages with Stripe: a sale charged to the client's saved card, and the
 * refund of what is unused (through Stripe for a card sale, recorded as
 * handed back at the desk otherwise). Runs on a worker or a headless
 * command: every money-moving POST goes through the outbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/clients.h"
#include "paydesk/customers.h"
#include "paydesk/db.h"
#include "paydesk/history_desk.h"
#include "paydesk/money.h"
#include "paydesk/readers.h"
#include "paydesk/outbox.h"
#include "paydesk/stripe_reach.h"
#include "packages_internal.h"
#include "payments_internal.h"

void pkg_add_metadata(struct stripe_params *p, const char *prefix,
		      const struct client_package *c)
{
	char v[32], k[96];
#define PKG_MD(name, value)                                              \
	do {                                                             \
		snprintf(k, sizeof k, "%s%s]", prefix, name);            \
		stripe_params_add(p, k, value);                          \
	} while (0)
	PKG_MD("package", c->name);
	snprintf(v, sizeof v, "%lld", (long long)c->package_id);
	PKG_MD("package_id", v);
	snprintf(v, sizeof v, "%lld", (long long)c->id);
	PKG_MD("client_package_id", v);
	snprintf(v, sizeof v, "%lld", (long long)c->client_id);
	PKG_MD("client_id", v);
	PKG_MD("source", "paydesk");
#undef PKG_MD
}

/* The client's Stripe customer and first saved card, listing Stripe's
 * cards once when none is known here. */
static int card_of(const struct pay_env *e, int64_t client_id, char customer[64], char pm[64],
		   struct pd_error *err)
{
	struct client c;
	int rc = clients_get(e->db, client_id, &c, err);
	if (rc)
		return rc;
	if (!c.stripe_customer_id) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "%s has no Stripe customer yet: turn on Stripe billing for them "
				  "(Clients tab), or take cash",
				  c.name);
		client_free(&c);
		return rc;
	}
	pay_copy(customer, 64, c.stripe_customer_id);
	struct client_card *cards = NULL;
	size_t n = 0;
	for (int pass = 0; pass < 2 && n == 0; pass++) {
		if (pass) {
			struct pay_result r;
			if (customers_cards_refresh(e, client_id, &r, NULL) != PD_OK)
				break;
		}
		free(cards);
		cards = NULL;
		if (client_cards_list(e->db, client_id, &cards, &n, NULL) != PD_OK)
			n = 0;
	}
	if (n)
		pay_copy(pm, 64, cards[0].payment_method_id);
	else if (stripe_reach_down(NULL))
		rc = pd_error_set(err, PD_ERR,
				  "Stripe does not answer: %s's saved cards could not be listed, "
				  "nothing was charged. Take cash, or try again once Stripe is back",
				  c.name);
	else
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "%s has no saved card: save one (Clients tab) or take cash", c.name);
	free(cards);
	client_free(&c);
	return rc;
}

/* Write the sale's outcome with its audit entry. */
static int settle_sale(const struct pay_env *e, struct client_package *c, const char *action,
		       struct pd_error *err)
{
	int rc = db_begin(e->db, err);
	if (rc)
		return rc;
	rc = cpkg_update(e->db, c, err);
	char detail[700];
	pkg_sale_detail(e->db, c, detail, sizeof detail);
	size_t used = strlen(detail);
	snprintf(detail + used, sizeof detail - used, " · %s%s%s", c->message,
		 *c->payment_intent_id ? " · " : "", c->payment_intent_id);
	if (!rc)
		rc = pkg_audit(e->db, e->who, action, detail, c->price, c->currency, c->id, err);
	return pkg_finish(e->db, rc, err);
}

/* A refusal or a lost answer: the sale failed, or is unknown. */
int pkg_sale_failed(const struct pay_env *e, struct client_package *c,
		       const struct stripe_response *resp, enum outbox_state state,
		       struct pd_error *err)
{
	bool lost = state != OUTBOX_DONE && state != OUTBOX_FAILED;
	if (lost) {
		c->state = CPKG_UNKNOWN;
		snprintf(c->message, sizeof c->message,
			 "no clear answer from Stripe (%s): paydesk recover finishes the call; "
			 "nothing is charged twice",
			 resp->error.message ? resp->error.message : "no answer");
	} else if (resp->error.type && strcmp(resp->error.type, "card_error") == 0) {
		c->state = CPKG_FAILED;
		payments_decline_words(resp->error.code, resp->error.decline_code, c->message,
				       sizeof c->message);
	} else {
		c->state = CPKG_FAILED;
		snprintf(c->message, sizeof c->message, "Stripe refused it: %s",
			 resp->error.message ? resp->error.message : "no reason given");
	}
	return settle_sale(e, c, lost ? "package.sell.unknown" : "package.sell.failed", err);
}

int packages_sell_card(const struct pay_env *e, int64_t package_id, int64_t client_id,
		       int64_t *sale, char *msg, size_t len, struct pd_error *err)
{
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (!rc && !e->key)
		rc = pd_error_set(err, PD_ERR_LOCKED,
				  "Stripe is not unlocked: enter the admin passphrase first");
	struct client_package c;
	if (!rc)
		rc = pkg_new_sale(e->db, e->who, package_id, client_id, "card", NULL, &c, err);
	char customer[64] = "", pm[64] = "";
	if (!rc)
		rc = card_of(e, client_id, customer, pm, err);
	if (rc)
		return rc;
	/* Recorded before anything is sent: a crash leaves a pending sale, never
	 * a charge paydesk does not know of (the outbox row names it). */
	c.state = CPKG_PENDING;
	snprintf(c.message, sizeof c.message, "charging the saved card");
	rc = db_begin(e->db, err);
	if (!rc)
		rc = cpkg_insert(e->db, &c, &c.id, err);
	rc = pkg_finish(e->db, rc, err);
	if (rc)
		return rc;
	if (sale)
		*sale = c.id;
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_int(p, "amount", c.price);
	stripe_params_add(p, "currency", c.currency);
	stripe_params_add(p, "customer", customer);
	stripe_params_add(p, "payment_method", pm);
	stripe_params_add(p, "payment_method_types[]", "card");
	char desc[400];
	snprintf(desc, sizeof desc, "Package: %s", c.name);
	stripe_params_add(p, "description", desc);
	pkg_add_metadata(p, "metadata[", &c);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	enum outbox_state state;
	pay_send_money_state(e, "/v1/payment_intents", p, &resp, &state, &send_err);
	stripe_params_free(&p);
	if (resp.outcome != STRIPE_OUTCOME_OK) {
		rc = pkg_sale_failed(e, &c, &resp, state, err);
		goto out;
	}
	pay_copy(c.payment_intent_id, sizeof c.payment_intent_id, pay_json_str(resp.json, "id"));
	cpkg_update(e->db, &c, NULL); /* the PaymentIntent id, before confirming */
	stripe_response_clear(&resp);
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s/confirm", c.payment_intent_id);
	p = stripe_params_new();
	stripe_params_add_bool(p, "off_session", true);
	pay_send_money_state(e, path, p, &resp, &state, &send_err);
	stripe_params_free(&p);
	if (resp.outcome != STRIPE_OUTCOME_OK) {
		rc = pkg_sale_failed(e, &c, &resp, state, err);
		goto out;
	}
	const char *status = pay_json_str(resp.json, "status");
	bool ok = status && strcmp(status, "succeeded") == 0;
	c.state = ok ? CPKG_ACTIVE : CPKG_FAILED;
	if (ok) {
		c.bought_at = (int64_t)time(NULL);
		snprintf(c.message, sizeof c.message, "paid with the saved card");
	} else {
		snprintf(c.message, sizeof c.message,
			 "the card needs the client to confirm the payment (%s): take cash, or "
			 "another card",
			 status ? status : "?");
	}
	rc = settle_sale(e, &c, ok ? "package.sell" : "package.sell.failed", err);
out:
	stripe_response_clear(&resp);
	if (!rc) {
		char money[64], left[160];
		money_format(c.price, c.currency, money, sizeof money);
		if (c.state == CPKG_ACTIVE) {
			cpkg_describe(&c, (int64_t)time(NULL), left, sizeof left);
			snprintf(msg, len, "Sold %s for %s with the saved card (%s).", c.name, money,
				 left);
		} else if (c.state == CPKG_UNKNOWN) {
			snprintf(msg, len, "%s: whether the card paid is not known yet: %s", c.name,
				 c.message);
		} else {
			snprintf(msg, len, "%s was not sold: %s", c.name, c.message);
		}
	}
	return rc;
}

/* ---- refunds of what is unused ------------------------------------------ */

static int refund_record(const struct pay_env *e, struct client_package *c, int64_t amount,
			 const char *refund_id, struct pd_error *err)
{
	int rc = db_begin(e->db, err);
	if (rc)
		return rc;
	bool desk = strcmp(c->method, "card") != 0;
	/* Read again in the write lock: at the desk nothing has moved yet, so a
	 * draw or refund meanwhile stops it; a card refund Stripe made is
	 * recorded whatever happened since. */
	struct client_package now;
	rc = cpkg_get(e->db, c->id, &now, err);
	if (!rc && desk && (now.state != CPKG_ACTIVE || now.version != c->version ||
			    cpkg_left(&now) != cpkg_left(c)))
		rc = pd_error_set(err, PD_ERR_CONFLICT,
				  "someone changed this package meanwhile (a draw or a refund): "
				  "nothing was refunded — look at it again");
	char sale_id[48], rid[64];
	snprintf(sale_id, sizeof sale_id, "pkg_%lld", (long long)c->id);
	if (!rc && desk) {
		struct client cl;
		bool named = clients_get(e->db, c->client_id, &cl, NULL) == PD_OK;
		char desc[400];
		snprintf(desc, sizeof desc, "package %s refunded · by %s", c->name, pay_actor(e->who));
		snprintf(rid, sizeof rid, "pkgre_%lld", (long long)c->id);
		struct history_desk_record rec = {
			.id = rid, .type = "desk_refund", .created = (int64_t)time(NULL),
			.amount = amount, .currency = c->currency, .tender = c->method,
			.client = named ? cl.name : NULL, .email = named ? cl.email : NULL,
			.customer_id = named ? cl.stripe_customer_id : NULL, .description = desc,
			.payment_of = sale_id};
		rc = history_desk_add(e->db, &rec, err);
		if (!rc)
			rc = history_desk_set_refunded(e->db, sale_id, amount, err);
		if (named)
			client_free(&cl);
		refund_id = rid;
	}
	char unused[96], money[64];
	if (c->kind == PACKAGE_VISITS)
		snprintf(unused, sizeof unused, "%lld of %lld visits unused",
			 (long long)cpkg_left(c), (long long)c->visits);
	else
		snprintf(unused, sizeof unused, "credit %s unused",
			 money_format(cpkg_left(c), c->currency, money, sizeof money));
	c->state = CPKG_REFUNDED;
	c->refunded = amount;
	pay_copy(c->refund_id, sizeof c->refund_id, refund_id);
	snprintf(c->message, sizeof c->message, "refunded %s (%s)%s",
		 money_format(amount, c->currency, money, sizeof money), unused,
		 desk ? " at the desk" : "");
	if (!rc)
		rc = cpkg_update(e->db, c, err);
	char here[64];
	readers_desk_name(here, sizeof here);
	if (!rc) /* counted in the close of this desk and user */
		rc = cpkg_refund_note(e->db, c, amount, refund_id, here, pay_actor(e->who), err);
	char detail[800];
	pkg_sale_detail(e->db, c, detail, sizeof detail);
	size_t used = strlen(detail);
	snprintf(detail + used, sizeof detail - used, " · %s · %s", c->message, refund_id);
	if (!rc)
		rc = pkg_audit(e->db, e->who, "package.refund", detail, amount, c->currency, c->id,
			       err);
	return pkg_finish(e->db, rc, err);
}

/* The payment a package refund counts against in the staff limits: the
 * card's PaymentIntent, or the sale itself for a desk tender. */
static void refund_part_id(const struct client_package *c, char *pid, size_t len)
{
	if (strcmp(c->method, "card") == 0)
		snprintf(pid, len, "%s", c->payment_intent_id);
	else
		snprintf(pid, len, "pkg_%lld", (long long)c->id);
}

void packages_refund_check(sqlite3 *db, const struct session *who, int64_t sale, char *why,
			   size_t len)
{
	why[0] = '\0';
	struct client_package c;
	if (cpkg_get(db, sale, &c, NULL) != PD_OK)
		return;
	int64_t amount = cpkg_refund_due(&c);
	if (c.state == CPKG_ACTIVE && amount > 0) {
		char pid[64];
		refund_part_id(&c, pid, sizeof pid);
		struct auth_refund_part part = {pid, amount, 0};
		auth_refund_check(db, who, c.currency, &part, 1, why, len, NULL);
	}
}

int packages_refund(const struct pay_env *e, int64_t sale, char *msg, size_t len,
		    struct pd_error *err)
{
	struct client_package c;
	int rc = cpkg_get(e->db, sale, &c, err);
	if (rc)
		return rc;
	int64_t amount = cpkg_refund_due(&c);
	bool card = strcmp(c.method, "card") == 0;
	char money[64];
	if (c.state == CPKG_REFUNDED)
		return pd_error_set(err, PD_ERR_USAGE, "%s was refunded already (%s)", c.name,
				    money_format(c.refunded, c.currency, money, sizeof money));
	if (c.state != CPKG_ACTIVE)
		return pd_error_set(err, PD_ERR_USAGE, "%s was not paid for: nothing to refund",
				    c.name);
	if (amount <= 0)
		return pd_error_set(err, PD_ERR_USAGE, "%s is used up: nothing to refund", c.name);
	if (card && !e->key)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	if (card && pay_refund_unresolved(e->db, c.payment_intent_id))
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "a refund of this package is still unresolved: paydesk finishes "
				    "it at the next start (or paydesk recover)");
	char pid[64];
	refund_part_id(&c, pid, sizeof pid);
	struct auth_refund_part part = {pid, amount, 0};
	rc = auth_refund_reserve(e->db, e->who, c.currency, &part, 1, err);
	if (rc)
		return rc;
	char refund_id[64] = "";
	if (card) {
		struct stripe_params *p = stripe_params_new();
		stripe_params_add(p, "payment_intent", c.payment_intent_id);
		stripe_params_add_int(p, "amount", amount);
		stripe_params_add(p, "reason", "requested_by_customer");
		pkg_add_metadata(p, "metadata[", &c);
		stripe_params_add(p, "metadata[refunded_by]", pay_actor(e->who));
		struct stripe_response resp;
		struct pd_error send_err = {0};
		enum outbox_state state;
		pay_send_money_state(e, "/v1/refunds", p, &resp, &state, &send_err);
		stripe_params_free(&p);
		if (state != OUTBOX_DONE && state != OUTBOX_FAILED) {
			rc = pd_error_set(err, PD_ERR, PAY_REFUND_UNKNOWN, send_err.msg);
			auth_refund_settle(e->db, &part, AUTH_REFUND_UNKNOWN);
		} else if (resp.outcome != STRIPE_OUTCOME_OK) {
			rc = pd_error_set(err, PD_ERR, "refund not made: %s", send_err.msg);
		} else {
			auth_refund_settle(e->db, &part, AUTH_REFUND_MADE);
			pay_copy(refund_id, sizeof refund_id, pay_json_str(resp.json, "id"));
		}
		stripe_response_clear(&resp);
	}
	if (!rc)
		rc = refund_record(e, &c, amount, refund_id, err);
	if (!card)
		auth_refund_settle(e->db, &part, rc ? AUTH_REFUND_NOT_MADE : AUTH_REFUND_MADE);
	else
		auth_refund_settle(e->db, &part, AUTH_REFUND_NOT_MADE); /* no-op once settled */
	if (!rc)
		snprintf(msg, len, "Refunded %s of %s %s; nothing more can be drawn from it.",
			 money_format(amount, c.currency, money, sizeof money), c.name,
			 card ? "to the card through Stripe" : "at the desk");
	return rc;
}

/* ---- recovery ------------------------------------------------------------ */

/* The PaymentIntent of sale c as its create left it in the outbox: *pi set,
 * or *gone when nothing was made; neither while the call is still open. */
static void created_pi(sqlite3 *db, const struct client_package *c, char pi[64], bool *gone)
{
	*gone = false;
	if (c->payment_intent_id[0]) {
		pay_copy(pi, 64, c->payment_intent_id);
		return;
	}
	char pair[64];
	snprintf(pair, sizeof pair, "metadata[client_package_id]=%lld", (long long)c->id);
	struct outbox_row row;
	memset(&row, 0, sizeof row);
	int rc = outbox_find_latest(db, "/v1/payment_intents", pair, c->bought_at - 3600, &row, NULL);
	if (rc == PD_ERR_NOT_FOUND)
		*gone = true; /* committed as pending, killed before the call was written */
	else if (!rc && row.state == OUTBOX_DONE && row.object_id)
		pay_copy(pi, 64, row.object_id);
	else if (!rc && row.state == OUTBOX_FAILED)
		*gone = true;
	if (!rc)
		outbox_row_clear(&row);
}

/* A link or reader sale: a link whose create answer was lost gets its
 * session from the outbox (none made: failed); then packages_sale_check.
 * PD_OK when it was settled. */
static int link_recover(const struct pay_env *e, struct client_package *c)
{
	if (strcmp(c->collect, "link") == 0 && !c->checkout_session_id[0]) {
		char pair[64];
		snprintf(pair, sizeof pair, "metadata[client_package_id]=%lld", (long long)c->id);
		struct outbox_row row;
		memset(&row, 0, sizeof row);
		int rc = outbox_find_latest(e->db, "/v1/checkout/sessions", pair, c->bought_at - 3600,
					    &row, NULL);
		bool gone = rc == PD_ERR_NOT_FOUND || (!rc && row.state == OUTBOX_FAILED);
		if (!rc && row.state == OUTBOX_DONE && row.object_id) {
			pay_copy(c->checkout_session_id, sizeof c->checkout_session_id, row.object_id);
			cpkg_update(e->db, c, NULL);
		}
		if (!rc)
			outbox_row_clear(&row);
		if (gone) {
			c->state = CPKG_FAILED;
			snprintf(c->message, sizeof c->message,
				 "no pay link was made (found after a restart): sell it again");
			return settle_sale(e, c, "package.sell.failed", NULL);
		}
		if (!c->checkout_session_id[0])
			return PD_ERR; /* the create is still open in the outbox */
	}
	struct pay_result r;
	int rc = packages_sale_check(e, c->id, &r, NULL);
	return rc == PD_OK && r.done ? PD_OK : PD_ERR;
}

int packages_recover(const struct pay_env *e, size_t *settled, struct pd_error *err)
{
	*settled = 0;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = cpkg_open_ids(e->db, &ids, &n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct client_package c;
		if (cpkg_get(e->db, ids[i], &c, NULL) != PD_OK || strcmp(c.method, "card") != 0)
			continue;
		if (c.collect[0] && (c.payment_intent_id[0] || c.checkout_session_id[0] ||
				     strcmp(c.collect, "link") == 0)) {
			/* Paid by the client (link, reader): Stripe's word, read back;
			 * one still waiting stays pending (the link can still be paid). */
			if (e->key && link_recover(e, &c) == PD_OK)
				(*settled)++;
			continue;
		}
		char pi[64] = "";
		bool gone = false;
		created_pi(e->db, &c, pi, &gone);
		const char *status = NULL;
		struct stripe_response resp;
		memset(&resp, 0, sizeof resp);
		if (pi[0] && e->key) {
			char path[128];
			snprintf(path, sizeof path, "/v1/payment_intents/%s", pi);
			struct pd_error get_err = {0};
			if (pay_send(e, STRIPE_GET, path, NULL, &resp, &get_err) == PD_OK &&
			    resp.outcome == STRIPE_OUTCOME_OK)
				status = pay_json_str(resp.json, "status");
		}
		bool paid = status && strcmp(status, "succeeded") == 0;
		bool not_charged = gone || (status && (strcmp(status, "requires_payment_method") == 0 ||
						       strcmp(status, "requires_confirmation") == 0 ||
						       strcmp(status, "canceled") == 0));
		if (paid || not_charged) {
			pay_copy(c.payment_intent_id, sizeof c.payment_intent_id, pi);
			c.state = paid ? CPKG_ACTIVE : CPKG_FAILED;
			snprintf(c.message, sizeof c.message, "%s",
				 paid ? "paid with the saved card (recorded after a restart)"
				      : "not charged (found after a restart): sell it again");
			if (settle_sale(e, &c, paid ? "package.sell" : "package.sell.failed", NULL) ==
			    PD_OK)
				(*settled)++;
		}
		stripe_response_clear(&resp);
	}
	free(ids);
	return rc;
}
