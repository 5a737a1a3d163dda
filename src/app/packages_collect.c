/* Packages sold by pay link or on the reader: the client pays Stripe
 * themselves (Checkout) or taps the reader, so the sale is recorded pending
 * first and made the client's only when Stripe says it was paid — read
 * back by packages_sale_check (the TUI's watch, `paydesk packages check`,
 * recovery), never from what the desk is told. Settling is one transaction
 * that finds the sale still pending, so two desks watching, a retry or a
 * restart in between record it once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/money.h"
#include "paydesk/settings.h"
#include "packages_internal.h"
#include "payments_internal.h"

/* Paid, failed or cancelled: written only if the sale is still open (in the
 * write lock), with its audit entry. *moved false: another desk or an
 * earlier check settled it first; c is then re-read as it stands. */
static int settle_open(const struct pay_env *e, struct client_package *c, const char *action,
		       bool *moved, struct pd_error *err)
{
	*moved = false;
	int rc = db_begin(e->db, err);
	if (rc)
		return rc;
	struct client_package now;
	rc = cpkg_get(e->db, c->id, &now, err);
	if (!rc && now.state != CPKG_PENDING && now.state != CPKG_UNKNOWN) {
		*c = now;
		return pkg_finish(e->db, PD_OK, err);
	}
	if (!rc && c->state == CPKG_ACTIVE) {
		/* It counts from the payment: validity and the day close's day. */
		int64_t paid = (int64_t)time(NULL);
		if (c->expires_at)
			c->expires_at += paid - c->bought_at;
		c->bought_at = paid;
	}
	if (!rc)
		rc = cpkg_update(e->db, c, err);
	char detail[900];
	pkg_sale_detail(e->db, c, detail, sizeof detail);
	size_t used = strlen(detail);
	snprintf(detail + used, sizeof detail - used, " · %s · %s%s%s", c->collect, c->message,
		 *c->payment_intent_id ? " · " : "", c->payment_intent_id);
	if (!rc)
		rc = pkg_audit(e->db, e->who, action, detail, c->price, c->currency, c->id, err);
	rc = pkg_finish(e->db, rc, err);
	*moved = rc == PD_OK;
	return rc;
}

/* A new pending sale by card money collected as collect, committed with
 * its audit entry before anything is sent. */
static int begin_sale(const struct pay_env *e, int64_t package_id, int64_t client_id,
		      const char *collect, struct client_package *c, struct pd_error *err)
{
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (!rc && !e->key)
		rc = pd_error_set(err, PD_ERR_LOCKED,
				  "Stripe is not unlocked: enter the admin passphrase first");
	if (!rc)
		rc = pkg_new_sale(e->db, e->who, package_id, client_id, "card", NULL, c, err);
	if (rc)
		return rc;
	pay_copy(c->collect, sizeof c->collect, collect);
	c->state = CPKG_PENDING;
	snprintf(c->message, sizeof c->message, "%s",
		 strcmp(collect, "link") == 0 ? "making the pay link" : "asking the reader");
	rc = db_begin(e->db, err);
	if (!rc)
		rc = cpkg_insert(e->db, c, &c->id, err);
	char detail[900];
	pkg_sale_detail(e->db, c, detail, sizeof detail);
	size_t used = strlen(detail);
	snprintf(detail + used, sizeof detail - used, " · by %s", collect);
	if (!rc)
		rc = pkg_audit(e->db, e->who, "package.sell.start", detail, c->price, c->currency,
			       c->id, err);
	return pkg_finish(e->db, rc, err);
}

/* Send a sale's request to Stripe (p freed); false when Stripe did not take
 * it: the sale is recorded as failed, r says so and *rc is what to return. */
static bool sale_sent(const struct pay_env *e, const char *path, struct stripe_params **p,
		      struct client_package *c, struct stripe_response *resp, struct pay_result *r,
		      int *rc, struct pd_error *err)
{
	struct pd_error send_err = {0};
	enum outbox_state state;
	pay_send_money_state(e, path, *p, resp, &state, &send_err);
	stripe_params_free(p);
	if (resp->outcome == STRIPE_OUTCOME_OK)
		return true;
	*rc = pkg_sale_failed(e, c, resp, state, err);
	stripe_response_clear(resp);
	r->done = true;
	snprintf(r->message, sizeof r->message, "%s was not sold: %s", c->name, c->message);
	return false;
}

int packages_sell_link(const struct pay_env *e, int64_t package_id, int64_t client_id,
		       int64_t *sale, struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct client_package c;
	int rc = begin_sale(e, package_id, client_id, "link", &c, err);
	if (rc)
		return rc;
	if (sale)
		*sale = c.id;
	struct client cl;
	rc = clients_get(e->db, client_id, &cl, err);
	if (rc)
		return rc;
	char url[512], ref[48], desc[400];
	pay_return_url(e->db, url, sizeof url);
	snprintf(ref, sizeof ref, "client-package-%lld", (long long)c.id);
	snprintf(desc, sizeof desc, "Package: %s", c.name);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "mode", "payment");
	stripe_params_add(p, "payment_method_types[]", "card");
	stripe_params_add(p, "line_items[0][price_data][currency]", c.currency);
	stripe_params_add_int(p, "line_items[0][price_data][unit_amount]", c.price);
	stripe_params_add(p, "line_items[0][price_data][product_data][name]", c.name);
	stripe_params_add_int(p, "line_items[0][quantity]", 1);
	stripe_params_add(p, "success_url", url);
	stripe_params_add(p, "cancel_url", url);
	stripe_params_add(p, "client_reference_id", ref);
	stripe_params_add_int(p, "expires_at", (int64_t)time(NULL) + PAYMENTS_LINK_TTL);
	if (cl.stripe_customer_id)
		stripe_params_add(p, "customer", cl.stripe_customer_id);
	else if (cl.email[0])
		stripe_params_add(p, "customer_email", cl.email);
	client_free(&cl);
	pkg_add_metadata(p, "metadata[", &c);
	pkg_add_metadata(p, "payment_intent_data[metadata][", &c); /* on the PaymentIntent too */
	stripe_params_add(p, "payment_intent_data[description]", desc);
	struct stripe_response resp;
	if (!sale_sent(e, "/v1/checkout/sessions", &p, &c, &resp, r, &rc, err))
		return rc;
	pay_copy(c.checkout_session_id, sizeof c.checkout_session_id, pay_json_str(resp.json, "id"));
	pay_copy(c.url, sizeof c.url, pay_json_str(resp.json, "url"));
	json_t *exp = json_object_get(resp.json, "expires_at");
	c.link_expires_at = json_is_integer(exp) ? json_integer_value(exp) : 0;
	char money[64];
	snprintf(c.message, sizeof c.message, "pay link sent: waiting for the client to pay %s",
		 money_format(c.price, c.currency, money, sizeof money));
	stripe_response_clear(&resp);
	rc = cpkg_update(e->db, &c, err);
	pay_copy(r->url, sizeof r->url, c.url);
	pay_copy(r->object_id, sizeof r->object_id, c.checkout_session_id);
	snprintf(r->message, sizeof r->message,
		 "Pay link for %s (%s): the package is the client's once Stripe says it is paid.",
		 c.name, money);
	return rc;
}

/* The PaymentIntent of a reader sale is no use without the reader. */
static void cancel_intent(const struct pay_env *e, const char *pi, const char *why)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s/cancel", pi);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "cancellation_reason", why);
	struct stripe_response resp;
	struct pd_error err = {0};
	pay_send_money(e, path, p, &resp, &err);
	stripe_params_free(&p);
	stripe_response_clear(&resp);
}

int packages_sell_reader(const struct pay_env *e, int64_t package_id, int64_t client_id,
			 const char *reader_id, int64_t *sale, struct pay_result *r,
			 struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	char reader[64], label[128];
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (!rc && e->key) /* refused before a sale is written: no reader, several */
		rc = pay_pick_reader(e, reader_id, reader, label, err);
	struct client_package c;
	if (!rc)
		rc = begin_sale(e, package_id, client_id, "reader", &c, err);
	if (rc)
		return rc;
	if (sale)
		*sale = c.id;
	pay_copy(c.reader_id, sizeof c.reader_id, reader);
	char desc[400];
	snprintf(desc, sizeof desc, "Package: %s", c.name);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_int(p, "amount", c.price);
	stripe_params_add(p, "currency", c.currency);
	stripe_params_add(p, "payment_method_types[]", "card_present");
	stripe_params_add(p, "capture_method", "automatic");
	stripe_params_add(p, "description", desc);
	pkg_add_metadata(p, "metadata[", &c);
	struct stripe_response resp;
	if (!sale_sent(e, "/v1/payment_intents", &p, &c, &resp, r, &rc, err))
		return rc;
	pay_copy(c.payment_intent_id, sizeof c.payment_intent_id, pay_json_str(resp.json, "id"));
	stripe_response_clear(&resp);
	cpkg_update(e->db, &c, NULL); /* the PaymentIntent and reader, before the reader acts */
	char path[200];
	snprintf(path, sizeof path, "/v1/terminal/readers/%s/process_payment_intent", reader);
	p = stripe_params_new();
	stripe_params_add(p, "payment_intent", c.payment_intent_id);
	stripe_params_add_bool(p, "process_config[skip_tipping]", true); /* no tip on a package */
	struct pd_error send_err = {0};
	pay_send_money(e, path, p, &resp, &send_err);
	stripe_params_free(&p);
	if (resp.outcome != STRIPE_OUTCOME_OK) {
		const char *code = resp.error.code;
		cancel_intent(e, c.payment_intent_id, "abandoned");
		c.state = CPKG_FAILED;
		if (code && strcmp(code, "terminal_reader_busy") == 0)
			snprintf(c.message, sizeof c.message,
				 "the reader is busy with another payment: finish or cancel it there, "
				 "then sell again");
		else
			snprintf(c.message, sizeof c.message, "the reader did not start: %.200s",
				 send_err.msg);
		stripe_response_clear(&resp);
		bool moved;
		rc = settle_open(e, &c, "package.sell.failed", &moved, err);
		r->done = true;
		snprintf(r->message, sizeof r->message, "%s was not sold: %s", c.name, c.message);
		return rc;
	}
	stripe_response_clear(&resp);
	char money[64];
	money_format(c.price, c.currency, money, sizeof money);
	snprintf(c.message, sizeof c.message, "waiting for the card on the reader (%s)", money);
	rc = cpkg_update(e->db, &c, err);
	pay_copy(r->object_id, sizeof r->object_id, c.payment_intent_id);
	snprintf(r->message, sizeof r->message,
		 "Reader %s: waiting for the card (%s for %s). K here cancels it.",
		 label[0] ? label : reader, money, c.name);
	return rc;
}

/* What the desk is told of a settled (or still open) sale. */
static void sale_words(const struct client_package *c, struct pay_result *r)
{
	char money[64], left[160];
	money_format(c->price, c->currency, money, sizeof money);
	r->done = c->state != CPKG_PENDING && c->state != CPKG_UNKNOWN;
	pay_copy(r->url, sizeof r->url, c->url);
	pay_copy(r->object_id, sizeof r->object_id,
		 c->payment_intent_id[0] ? c->payment_intent_id : c->checkout_session_id);
	if (c->state == CPKG_ACTIVE || c->state == CPKG_REFUNDED) {
		cpkg_describe(c, (int64_t)time(NULL), left, sizeof left);
		snprintf(r->message, sizeof r->message, "Sold %s for %s %s (%s).", c->name, money,
			 strcmp(c->collect, "link") == 0 ? "through the pay link" : "on the reader",
			 left);
	} else if (r->done) {
		snprintf(r->message, sizeof r->message, "%s was not sold: %s", c->name, c->message);
	} else {
		snprintf(r->message, sizeof r->message, "%s: %s", c->name, c->message);
	}
}

static int check_link(const struct pay_env *e, struct client_package *c, struct pay_result *r,
		      struct pd_error *err)
{
	char path[200];
	snprintf(path, sizeof path, "/v1/checkout/sessions/%s", c->checkout_session_id);
	struct stripe_response resp;
	int rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	if (rc) {
		stripe_response_clear(&resp);
		return rc;
	}
	const char *status = pay_json_str(resp.json, "status");
	const char *paid = pay_json_str(resp.json, "payment_status");
	pay_copy(c->payment_intent_id, sizeof c->payment_intent_id,
		 pay_json_str(resp.json, "payment_intent"));
	const char *action = NULL;
	if (status && strcmp(status, "complete") == 0 && paid && strcmp(paid, "paid") == 0) {
		c->state = CPKG_ACTIVE;
		snprintf(c->message, sizeof c->message, "paid through the pay link");
		action = "package.sell";
	} else if (status && strcmp(status, "expired") == 0) {
		c->state = CPKG_FAILED;
		snprintf(c->message, sizeof c->message,
			 "the pay link expired unpaid: nothing was charged, sell it again");
		action = "package.sell.failed";
	}
	stripe_response_clear(&resp);
	bool moved;
	if (action)
		rc = settle_open(e, c, action, &moved, err);
	sale_words(c, r);
	if (!action)
		snprintf(r->message, sizeof r->message,
			 "Waiting for the client to pay %s through the link.", c->name);
	return rc;
}

/* The PaymentIntent's own word, when the reader no longer shows it. */
static int reader_from_intent(const struct pay_env *e, struct client_package *c,
			      const char **action, struct pd_error *err)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s", c->payment_intent_id);
	struct stripe_response resp;
	int rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	const char *st = rc ? NULL : pay_json_str(resp.json, "status");
	if (st && strcmp(st, "succeeded") == 0) {
		c->state = CPKG_ACTIVE;
		snprintf(c->message, sizeof c->message, "paid on the reader");
		*action = "package.sell";
	} else if (st && (strcmp(st, "canceled") == 0 || strcmp(st, "requires_payment_method") == 0)) {
		c->state = CPKG_FAILED;
		snprintf(c->message, sizeof c->message,
			 "the reader was stopped before a card was read: nothing was charged");
		*action = "package.sell.failed";
	}
	stripe_response_clear(&resp);
	return rc;
}

static int check_reader(const struct pay_env *e, struct client_package *c, struct pay_result *r,
			struct pd_error *err)
{
	const char *action = NULL;
	int rc = PD_OK;
	if (!c->payment_intent_id[0] || !c->reader_id[0]) {
		/* begun, nothing recorded as sent: recovery reads the outbox */
		sale_words(c, r);
		return PD_OK;
	}
	char path[200];
	snprintf(path, sizeof path, "/v1/terminal/readers/%s", c->reader_id);
	struct stripe_response resp;
	rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	if (rc) {
		stripe_response_clear(&resp);
		return rc;
	}
	json_t *act = json_object_get(resp.json, "action");
	const char *pi = pay_json_str(json_object_get(act, "process_payment_intent"),
				      "payment_intent");
	const char *status = pay_json_str(act, "status");
	if (!pi || strcmp(pi, c->payment_intent_id) != 0) {
		rc = reader_from_intent(e, c, &action, err);
	} else if (status && strcmp(status, "succeeded") == 0) {
		c->state = CPKG_ACTIVE;
		snprintf(c->message, sizeof c->message, "paid on the reader");
		action = "package.sell";
	} else if (status && strcmp(status, "failed") == 0) {
		char words[300];
		payments_decline_words(pay_json_str(act, "failure_code"), NULL, words, sizeof words);
		c->state = CPKG_FAILED;
		snprintf(c->message, sizeof c->message, "%.250s", words);
		action = "package.sell.failed";
		cancel_intent(e, c->payment_intent_id, "abandoned");
		r->offer_link = true;
	}
	stripe_response_clear(&resp);
	bool moved;
	if (!rc && action)
		rc = settle_open(e, c, action, &moved, err);
	bool offer = r->offer_link;
	sale_words(c, r);
	r->offer_link = offer;
	if (!rc && !action)
		snprintf(r->message, sizeof r->message, "Reader: waiting for the card for %s.",
			 c->name);
	return rc;
}

int packages_sale_check(const struct pay_env *e, int64_t sale, struct pay_result *r,
			struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct client_package c;
	int rc = cpkg_get(e->db, sale, &c, err);
	if (rc)
		return rc;
	if ((c.state != CPKG_PENDING && c.state != CPKG_UNKNOWN) || !c.collect[0]) {
		sale_words(&c, r);
		return PD_OK;
	}
	if (!e->key)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	if (strcmp(c.collect, "link") == 0) {
		if (!c.checkout_session_id[0]) { /* the create's answer never came back */
			sale_words(&c, r);
			return PD_OK;
		}
		return check_link(e, &c, r, err);
	}
	return check_reader(e, &c, r, err);
}

int packages_sale_cancel(const struct pay_env *e, int64_t sale, struct pay_result *r,
			 struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	struct client_package c;
	if (!rc)
		rc = cpkg_get(e->db, sale, &c, err);
	if (rc)
		return rc;
	if (c.state != CPKG_PENDING || !c.collect[0])
		return pd_error_set(err, PD_ERR_USAGE, "%s is not waiting for a payment", c.name);
	char path[200];
	struct stripe_response resp;
	struct pd_error send_err = {0};
	if (strcmp(c.collect, "reader") == 0) {
		snprintf(path, sizeof path, "/v1/terminal/readers/%s/cancel_action", c.reader_id);
		pay_send(e, STRIPE_POST, path, NULL, &resp, &send_err);
		bool busy = resp.error.code && strcmp(resp.error.code, "terminal_reader_busy") == 0;
		stripe_response_clear(&resp);
		if (busy)
			return pd_error_set(err, PD_ERR_USAGE,
					    "the reader is reading the card right now: wait a few "
					    "seconds, then cancel again");
		cancel_intent(e, c.payment_intent_id, "requested_by_customer");
	} else {
		snprintf(path, sizeof path, "/v1/checkout/sessions/%s/expire", c.checkout_session_id);
		pay_send(e, STRIPE_POST, path, NULL, &resp, &send_err);
		stripe_response_clear(&resp);
	}
	/* Whatever was sent, Stripe's word settles it (a card read just now wins). */
	return packages_sale_check(e, sale, r, err);
}
