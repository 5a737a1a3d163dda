#include "paydesk/customers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/clients.h"
#include "paydesk/log.h"
#include "paydesk/policies.h"
#include "paydesk/settings.h"
#include "payments_internal.h"

bool customers_billing_on(sqlite3 *db)
{
	char *v = NULL;
	bool on = settings_get(db, "bill_with_stripe", &v, NULL) == PD_OK && v &&
		  strcmp(v, "on") == 0;
	free(v);
	return on;
}

static void audit_client(sqlite3 *db, const struct session *who, const char *action,
			 const struct client *c, const char *object_id)
{
	struct audit_entry en = {.actor = pay_actor(who), .action = action, .detail = c->name,
				 .object_id = object_id};
	audit_append(db, &en, NULL);
}

int customers_cards_refresh(const struct pay_env *e, int64_t client_id, struct pay_result *r,
			    struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct client c;
	int rc = clients_get(e->db, client_id, &c, err);
	if (rc)
		return rc;
	if (!c.stripe_customer_id) {
		client_free(&c);
		r->done = true;
		snprintf(r->message, sizeof r->message, "No Stripe customer: no saved cards.");
		return client_cards_replace(e->db, client_id, NULL, 0, err);
	}
	char path[160];
	snprintf(path, sizeof path, "/v1/customers/%s/payment_methods", c.stripe_customer_id);
	client_free(&c);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "type", "card");
	stripe_params_add_int(p, "limit", 20);
	struct stripe_response resp;
	rc = pay_send(e, STRIPE_GET, path, p, &resp, err);
	stripe_params_free(&p);
	if (rc) {
		stripe_response_clear(&resp);
		return rc;
	}
	json_t *data = json_object_get(resp.json, "data");
	size_t n = json_array_size(data);
	struct client_card *cards = calloc(n ? n : 1, sizeof *cards);
	size_t k = 0;
	for (size_t i = 0; cards && i < n; i++) {
		json_t *pm = json_array_get(data, i);
		json_t *card = json_object_get(pm, "card");
		const char *id = pay_json_str(pm, "id");
		if (!id || !json_is_object(card))
			continue;
		struct client_card *cc = &cards[k++];
		pay_copy(cc->payment_method_id, sizeof cc->payment_method_id, id);
		pay_copy(cc->brand, sizeof cc->brand, pay_json_str(card, "brand"));
		pay_copy(cc->last4, sizeof cc->last4, pay_json_str(card, "last4"));
		cc->exp_month = (int)json_integer_value(json_object_get(card, "exp_month"));
		cc->exp_year = (int)json_integer_value(json_object_get(card, "exp_year"));
	}
	if (!cards)
		rc = pd_error_set(err, PD_ERR, "out of memory");
	else
		rc = client_cards_replace(e->db, client_id, cards, k, err);
	free(cards);
	stripe_response_clear(&resp);
	r->done = true;
	/* "0 saved cards." is read by the pay form (pay_panel.c): keep the wording */
	snprintf(r->message, sizeof r->message, "%zu saved card%s.", k, k == 1 ? "" : "s");
	return rc;
}

/* Whether cus is the Stripe customer paydesk made for client id (its
 * metadata says so): a create whose answer was lost. */
static bool customer_made_for(json_t *cus, const char *id)
{
	json_t *md = json_object_get(cus, "metadata");
	const char *cid = json_string_value(json_object_get(md, "client_id"));
	const char *src = json_string_value(json_object_get(md, "source"));
	return cid && src && strcmp(cid, id) == 0 && strcmp(src, "paydesk") == 0;
}

/* Before creating a Stripe customer for a client with an email, look for
 * one Stripe already has (the business's own from before paydesk, or one
 * paydesk made when the answer was lost): listing by email is strongly
 * consistent, where search is not. found[0] stays "" when there is none;
 * several unrelated ones are refused rather than guessed between. */
static int existing_customer(const struct pay_env *e, const struct client *c, const char *id,
			     char *found, size_t n, struct pd_error *err)
{
	found[0] = '\0';
	if (!c->email[0])
		return PD_OK;
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "email", c->email);
	stripe_params_add_int(p, "limit", 10);
	struct stripe_response resp;
	int rc = pay_send(e, STRIPE_GET, "/v1/customers", p, &resp, err);
	stripe_params_free(&p);
	if (rc) {
		stripe_response_clear(&resp);
		return rc;
	}
	json_t *data = json_object_get(resp.json, "data");
	size_t count = json_array_size(data);
	const char *pick = NULL;
	for (size_t i = 0; i < count && !pick; i++)
		if (customer_made_for(json_array_get(data, i), id))
			pick = pay_json_str(json_array_get(data, i), "id");
	if (!pick && count == 1)
		pick = pay_json_str(json_array_get(data, 0), "id");
	if (pick)
		pay_copy(found, n, pick);
	else if (count > 1)
		rc = pd_error_set(err, PD_ERR,
				  "%zu%s Stripe customers have the email %s: paydesk will not guess "
				  "which is %s. Merge them in the Stripe Dashboard, or give the client "
				  "another email, then sync again",
				  count, json_is_true(json_object_get(resp.json, "has_more")) ? "+" : "",
				  c->email, c->name);
	stripe_response_clear(&resp);
	return rc;
}

int customers_client_on_stripe(const struct pay_env *e, int64_t client_id, const char *what,
			       struct client *c, struct pay_result *r, struct pd_error *err)
{
	int rc = clients_get(e->db, client_id, c, err);
	if (rc || c->stripe_customer_id)
		return rc;
	if (!c->bill_with_stripe || !customers_billing_on(e->db))
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "a card is %s on the client's Stripe customer: turn on "
				  "Stripe billing (Setup, and for %s) first",
				  what, c->name);
	else
		rc = customers_sync(e, client_id, r, err);
	client_free(c);
	return rc ? rc : clients_get(e->db, client_id, c, err);
}

/* A customer sync Stripe failed (HTTP error), in the desk's words: what failed, why in short
 * (Stripe's HTTP status, not its long text, which goes to the log), that
 * nothing at the desk is lost, and how to send it again. */
static int sync_failed(int rc, const char *name, struct pd_error *err)
{
	const char *h = err ? strstr(err->msg, "[HTTP ") : NULL;
	if (!h) /* paydesk's own refusal ("2 Stripe customers …") says it already */
		return rc;
	char why[48];
	snprintf(why, sizeof why, "Stripe failed, HTTP %d", atoi(h + 6));
	log_msg(LOG_WARN, "customer sync failed: %s", err->msg);
	return pd_error_set(err, rc,
			    "%.80s: Stripe customer not saved (%s). The client and what was taken "
			    "at the desk is recorded; Y on Clients sends it again.",
			    name, why);
}

int customers_sync(const struct pay_env *e, int64_t client_id, struct pay_result *r,
		   struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow(e->who, AUTH_BOOK, err);
	if (rc)
		return rc;
	struct client c;
	rc = clients_get(e->db, client_id, &c, err);
	if (rc)
		return rc;
	if (!customers_billing_on(e->db) || !c.bill_with_stripe) {
		snprintf(r->message, sizeof r->message,
			 "Stripe billing is off%s: %s stays local.",
			 c.bill_with_stripe ? " (Setup)" : " for this client", c.name);
		r->done = true;
		client_free(&c);
		return PD_OK;
	}
	if (!e->key) {
		client_free(&c);
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	}
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "name", c.name);
	if (c.email[0] || c.stripe_customer_id)
		stripe_params_add(p, "email", c.email);
	if (c.phone[0] || c.stripe_customer_id)
		stripe_params_add(p, "phone", c.phone);
	char id[32], path[160];
	snprintf(id, sizeof id, "%lld", (long long)c.id);
	stripe_params_add(p, "metadata[client_id]", id);
	stripe_params_add(p, "metadata[source]", "paydesk");
	char linked[64] = "";
	if (!c.stripe_customer_id)
		rc = existing_customer(e, &c, id, linked, sizeof linked, err);
	if (rc) {
		stripe_params_free(&p);
		rc = sync_failed(rc, c.name, err);
		client_free(&c);
		r->done = true;
		return rc;
	}
	bool create = !c.stripe_customer_id && !linked[0];
	if (linked[0])
		snprintf(path, sizeof path, "/v1/customers/%s", linked);
	else if (create)
		snprintf(path, sizeof path, "/v1/customers");
	else
		snprintf(path, sizeof path, "/v1/customers/%s", c.stripe_customer_id);
	struct stripe_response resp;
	rc = pay_send(e, STRIPE_POST, path, p, &resp, err);
	stripe_params_free(&p);
	if (rc)
		rc = sync_failed(rc, c.name, err);
	if (!rc) {
		const char *cus = pay_json_str(resp.json, "id");
		const char *done = create ? "added" : linked[0] ? "linked" : "updated";
		if ((create || linked[0]) && cus)
			rc = clients_set_customer(e->db, c.id, cus, err);
		if (!rc)
			audit_client(e->db, e->who,
				     create	 ? "customer.create"
				     : linked[0] ? "customer.link"
						 : "customer.update",
				     &c, cus);
		snprintf(r->message, sizeof r->message, "%s %s%s at Stripe (%s).", c.name, done,
			 linked[0] ? " to the customer already" : "", cus ? cus : "?");
		pay_copy(r->object_id, sizeof r->object_id, cus);
		pay_copy(r->request_id, sizeof r->request_id, resp.request_id);
	}
	stripe_response_clear(&resp);
	client_free(&c);
	if (!rc) {
		struct pay_result cr;
		char keep[512];
		memcpy(keep, r->message, sizeof keep);
		rc = customers_cards_refresh(e, client_id, &cr, err);
		snprintf(r->message, sizeof r->message, "%.300s %.200s", keep, cr.message);
	}
	r->done = true;
	return rc;
}

int customers_save_card_link(const struct pay_env *e, int64_t client_id, struct pay_result *r,
			     struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	struct card_setup open;
	if (card_setups_latest(e->db, client_id, &open, NULL) == PD_OK &&
	    strcmp(open.status, "open") == 0) {
		card_setup_free(&open);
		rc = customers_save_card_check(e, client_id, r, err);
		if (rc || !r->done) {
			if (!rc)
				snprintf(r->message, sizeof r->message,
					 "The save-a-card link is still open: show it again.");
			return rc;
		}
		memset(r, 0, sizeof *r);
	} else {
		card_setup_free(&open);
	}
	struct client c;
	rc = customers_client_on_stripe(e, client_id, "saved", &c, r, err);
	if (rc)
		return rc;
	char url[512], id[32];
	pay_return_url(e->db, url, sizeof url);
	snprintf(id, sizeof id, "%lld", (long long)c.id);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "mode", "setup");
	stripe_params_add(p, "customer", c.stripe_customer_id ? c.stripe_customer_id : "");
	stripe_params_add(p, "payment_method_types[]", "card");
	stripe_params_add(p, "success_url", url);
	stripe_params_add(p, "cancel_url", url);
	stripe_params_add(p, "metadata[client_id]", id);
	stripe_params_add(p, "metadata[source]", "paydesk");
	stripe_params_add(p, "setup_intent_data[metadata][client_id]", id);
	/* A card held for the client's next booking: its policy goes with the
	 * link (the text above Stripe's save button, the version in metadata). */
	int64_t next = 0;
	struct appointment na;
	if (policies_next_appointment(e->db, client_id, (int64_t)time(NULL), &next, NULL) ==
		    PD_OK &&
	    next && appointments_get(e->db, next, &na, NULL) == PD_OK) {
		struct booking_policy pol;
		if (policies_effective(e->db, na.service_id, &pol, NULL) == PD_OK && pol.hold_card) {
			char aid[32];
			snprintf(aid, sizeof aid, "%lld", (long long)next);
			stripe_params_add(p, "setup_intent_data[metadata][appointment_id]", aid);
			pay_add_policy(e->db, p, "setup_intent_data[metadata][", &na, true);
		}
		appointment_free(&na);
	}
	struct stripe_response resp;
	rc = pay_send_money(e, "/v1/checkout/sessions", p, &resp, err);
	stripe_params_free(&p);
	if (!rc) {
		const char *cs = pay_json_str(resp.json, "id");
		const char *link = pay_json_str(resp.json, "url");
		json_t *exp = json_object_get(resp.json, "expires_at");
		int64_t rowid;
		rc = card_setups_insert(e->db, client_id, cs ? cs : "", link ? link : "",
					json_is_integer(exp) ? json_integer_value(exp) : 0,
					pay_actor(e->who), &rowid, err);
		if (!rc)
			audit_client(e->db, e->who, "customer.save_card_link", &c, cs);
		pay_copy(r->url, sizeof r->url, link);
		pay_copy(r->object_id, sizeof r->object_id, cs);
		pay_copy(r->request_id, sizeof r->request_id, resp.request_id);
		snprintf(r->message, sizeof r->message,
			 "Save-a-card link for %s: the client enters the card on Stripe's page.", c.name);
	}
	stripe_response_clear(&resp);
	client_free(&c);
	return rc;
}

int customers_save_card_check(const struct pay_env *e, int64_t client_id, struct pay_result *r,
			      struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct card_setup s;
	int rc = card_setups_latest(e->db, client_id, &s, err);
	if (rc)
		return rc;
	pay_copy(r->url, sizeof r->url, s.url);
	pay_copy(r->object_id, sizeof r->object_id, s.checkout_session_id);
	if (strcmp(s.status, "open") != 0) {
		r->done = true;
		snprintf(r->message, sizeof r->message, "The save-a-card link is %s.", s.status);
		card_setup_free(&s);
		return PD_OK;
	}
	char path[200];
	snprintf(path, sizeof path, "/v1/checkout/sessions/%s", s.checkout_session_id);
	struct stripe_response resp;
	rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	const char *status = rc ? NULL : pay_json_str(resp.json, "status");
	if (status && strcmp(status, "complete") == 0) {
		char pm[64] = "";
		const char *seti = pay_json_str(resp.json, "setup_intent");
		if (seti) {
			struct stripe_response sresp;
			snprintf(path, sizeof path, "/v1/setup_intents/%s", seti);
			if (pay_send(e, STRIPE_GET, path, NULL, &sresp, NULL) == PD_OK)
				pay_copy(pm, sizeof pm, pay_json_str(sresp.json, "payment_method"));
			stripe_response_clear(&sresp);
		}
		rc = card_setups_set_status(e->db, s.id, "complete", pm[0] ? pm : NULL, err);
		if (!rc) {
			rc = customers_cards_refresh(e, client_id, r, err);
			snprintf(r->message, sizeof r->message, "Card saved for next time (%s).",
				 pm[0] ? pm : "?");
		}
		r->done = true;
	} else if (status && strcmp(status, "expired") == 0) {
		rc = card_setups_set_status(e->db, s.id, "expired", NULL, err);
		r->done = true;
		snprintf(r->message, sizeof r->message,
			 "The save-a-card link expired unused: make a new one.");
	} else if (!rc) {
		snprintf(r->message, sizeof r->message, "Waiting for the client to save a card.");
	}
	stripe_response_clear(&resp);
	card_setup_free(&s);
	return rc;
}
