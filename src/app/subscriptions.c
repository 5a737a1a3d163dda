/* Client subscriptions as use cases: subscribe, change, cancel, undo,
 * pause/resume, sync. Admins only for changes; every POST/DELETE through
 * the outbox; store + audit in one transaction. */
#include "paydesk/subscriptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/clients.h"
#include "paydesk/customers.h"
#include "paydesk/db.h"
#include "paydesk/log.h"
#include "paydesk/money.h"
#include "paydesk/outbox_runner.h"
#include "paydesk/plans.h"
#include "payments_internal.h"

#define EXPAND_INVOICE "latest_invoice.payment_intent"

bool subs_enabled(sqlite3 *db, char *why, size_t len)
{
	if (customers_billing_on(db)) {
		if (why && len)
			why[0] = '\0';
		return true;
	}
	if (why && len)
		snprintf(why, len,
			 "Bill clients with Stripe is off (Setup tab): subscriptions cannot be "
			 "changed.");
	return false;
}

/* What a change does to the money a subscription takes. */
enum subs_effect {
	SUBS_MAY_CHARGE,   /* subscribe, change, resume, undo a cancel */
	SUBS_STOPS_CHARGE, /* cancel, pause: always allowed, or Stripe keeps charging */
};

/* Subscriptions move clients' money every period: admins only. With
 * "Bill clients with Stripe" off nothing may start charging, but what is
 * already charging can always be stopped. */
static int need_admin(const struct pay_env *e, enum subs_effect effect, struct pd_error *err)
{
	if (!e->who || !e->who->signed_in || e->who->role != ROLE_ADMIN)
		return pd_error_set(err, PD_ERR_FORBIDDEN, "only an admin can manage subscriptions");
	char why[200];
	if (effect == SUBS_MAY_CHARGE && !subs_enabled(e->db, why, sizeof why))
		return pd_error_set(err, PD_ERR_USAGE, "%s", why);
	if (!e->key)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	return PD_OK;
}

int subs_check(const struct subs_input *in, int64_t now, struct pd_error *err)
{
	if (in->quantity < 1 || in->quantity > 999)
		return pd_error_set(err, PD_ERR_USAGE, "quantity: 1 to 999");
	if (in->trial == SUBS_TRIAL_DAYS && (in->trial_days < 1 || in->trial_days > 730))
		return pd_error_set(err, PD_ERR_USAGE, "trial: 1 to 730 days");
	if (in->trial == SUBS_TRIAL_UNTIL &&
	    (in->trial_until <= now + 60 || in->trial_until > now + 730 * 86400LL))
		return pd_error_set(err, PD_ERR_USAGE,
				    "trial end: a date in the future, within two years");
	if (in->send_invoice && (in->days_until_due < 1 || in->days_until_due > 365))
		return pd_error_set(err, PD_ERR_USAGE, "invoice due: 1 to 365 days");
	return PD_OK;
}

/* A money-moving call (POST or DELETE) through the outbox. */
static int send_money(const struct pay_env *e, enum stripe_method m, const char *path,
		      const struct stripe_params *p, struct stripe_response *resp,
		      struct pd_error *err)
{
	char acct[64];
	struct outbox_call call = {m, path, p, pay_account(e->db, acct)};
	int64_t id;
	enum outbox_state state;
	return outbox_send(e->db, e->client, e->key, &call, e->cancel, &id, &state, resp, err);
}

static void describe(const struct subscription *s, char *out, size_t len)
{
	char money[64];
	money_format(s->amount, s->currency, money, sizeof money);
	snprintf(out, len, "%s: %s ×%d, %s", s->client_name ? s->client_name : s->customer_id,
		 s->plan_name ? s->plan_name : s->product_id, s->quantity, money);
}

/* What the desk reads about s. */
static void fill_result(const struct subscription *s, struct subs_result *r, const char *what)
{
	r->id = s->id;
	pay_copy(r->stripe_id, sizeof r->stripe_id, s->stripe_id);
	pay_copy(r->status, sizeof r->status, s->status);
	pay_copy(r->invoice_status, sizeof r->invoice_status, s->invoice_status);
	char inv[300] = "";
	if (!strcmp(s->invoice_status, "paid"))
		snprintf(inv, sizeof inv, "; invoice paid");
	else if (!strcmp(s->invoice_status, "open") && s->last_failure[0])
		snprintf(inv, sizeof inv, "; payment failed: %.200s", s->last_failure);
	else if (s->invoice_status[0])
		snprintf(inv, sizeof inv, "; invoice %s", s->invoice_status);
	char when[80] = "";
	if (!strcmp(s->status, "trialing") && s->trial_end) {
		time_t t = (time_t)s->trial_end;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(when, sizeof when, ", trial until %Y-%m-%d", &tm);
	}
	snprintf(r->message, sizeof r->message, "%s %s: %s%s%s%s.", what, s->stripe_id, s->status,
		 when, s->cancel_at_period_end ? ", cancels at period end" : "", inv);
}

/* Read the subscription back (latest invoice expanded), store it and audit
 * action — one transaction. */
static int fetch_and_record(const struct pay_env *e, const char *stripe_id, const char *action,
			    const char *detail_extra, struct subs_result *r, struct pd_error *err)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/subscriptions/%s", stripe_id);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "expand[]", EXPAND_INVOICE);
	struct stripe_response resp;
	int rc = pay_send(e, STRIPE_GET, path, p, &resp, err);
	stripe_params_free(&p);
	struct subscription s;
	if (!rc)
		rc = subs_from_stripe(e->db, resp.json, &s, err);
	stripe_response_clear(&resp);
	if (rc)
		return rc;
	rc = db_begin(e->db, err);
	if (!rc)
		rc = subs_store_put(e->db, &s, err);
	struct subscription back;
	memset(&back, 0, sizeof back);
	if (!rc)
		rc = subs_store_find(e->db, stripe_id, &back, err);
	if (!rc && action) {
		char detail[400];
		describe(&back, detail, sizeof detail - 100);
		if (detail_extra)
			snprintf(detail + strlen(detail), sizeof detail - strlen(detail), " (%s)",
				 detail_extra);
		struct audit_entry en = {.actor = pay_actor(e->who), .action = action,
					 .detail = detail, .has_amount = true, .amount = back.amount,
					 .currency = back.currency[0] ? back.currency : NULL,
					 .object_id = stripe_id};
		rc = audit_append(e->db, &en, err);
	}
	if (!rc)
		rc = db_commit(e->db, err);
	else
		db_rollback(e->db);
	if (!rc && r)
		fill_result(&back, r, action ? "Subscription" : "Subscription");
	subscription_free(&back);
	subscription_free(&s);
	return rc;
}

/* Statuses of a subscription that bills (or will) the client every period. */
static bool subs_live(const char *status)
{
	static const char *const live[] = {"trialing", "active", "past_due", "unpaid", "paused",
					    NULL};
	for (int i = 0; live[i]; i++)
		if (!strcmp(status, live[i]))
			return true;
	return false;
}

/* An earlier subscribe of this client to this price whose end paydesk
 * does not know yet: still open in the outbox, or done at Stripe but not in
 * the store (paydesk stopped in between). PD_ERR_CONFLICT naming it. */
static int unsettled_subscribe(sqlite3 *db, int64_t client_id, const char *price_id,
			       struct pd_error *err)
{
	char cpair[48], ppair[96];
	snprintf(cpair, sizeof cpair, "metadata[client_id]=%lld", (long long)client_id);
	snprintf(ppair, sizeof ppair, "items[0][price]=%s", price_id);
	const char *const pairs[] = {cpair, ppair, NULL};
	struct outbox_row *rows;
	size_t n;
	int rc = outbox_list_for(db, "/v1/subscriptions", pairs, 0, &rows, &n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct outbox_row *o = &rows[i];
		bool open = o->state == OUTBOX_PENDING || o->state == OUTBOX_SENT ||
			    o->state == OUTBOX_UNKNOWN;
		struct subscription known;
		bool unstored = o->state == OUTBOX_DONE && o->object_id &&
				subs_store_find(db, o->object_id, &known, NULL) == PD_ERR_NOT_FOUND;
		if (!unstored && o->state == OUTBOX_DONE && o->object_id)
			subscription_free(&known);
		if (open || unstored)
			rc = pd_error_set(err, PD_ERR_CONFLICT,
					  "an earlier subscribe of this client to this plan (outbox "
					  "#%lld) has an outcome paydesk has not recorded yet: run "
					  "`paydesk recover` (or restart paydesk) first; nothing will be "
					  "charged twice",
					  (long long)o->id);
	}
	outbox_rows_free(&rows, n);
	return rc;
}

int subs_check_duplicate(sqlite3 *db, int64_t client_id, int64_t plan_id, struct pd_error *err)
{
	struct plan pl;
	int rc = plans_store_get(db, plan_id, &pl, err);
	if (rc)
		return rc;
	rc = unsettled_subscribe(db, client_id, pl.price_id, err);
	struct subscription *list = NULL;
	size_t n = 0;
	struct subs_filter f = {.product_id = pl.product_id, .client_id = client_id};
	if (!rc)
		rc = subs_store_list(db, &f, &list, &n, err);
	for (size_t i = 0; !rc && i < n; i++)
		if (subs_live(list[i].status))
			rc = pd_error_set(err, PD_ERR_EXISTS,
					  "%.100s already has %.100s (%s, %s): a second one bills "
					  "the client twice, so it must be asked for explicitly "
					  "(--second; on screen, a second confirmation)",
					  list[i].client_name, pl.name, list[i].stripe_id,
					  list[i].status);
	subs_free_list(&list, n);
	plan_free(&pl);
	return rc;
}

int subs_subscribe(const struct pay_env *e, const struct subs_input *in, struct subs_result *r,
		   struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = need_admin(e, SUBS_MAY_CHARGE, err);
	if (!rc)
		rc = subs_check(in, (int64_t)time(NULL), err);
	if (rc)
		return rc;
	struct plan pl;
	rc = plans_store_get(e->db, in->plan_id, &pl, err);
	if (rc)
		return rc;
	struct client c = {0};
	if (!pl.active || !pl.price_id[0]) {
		rc = pd_error_set(err, PD_ERR_USAGE, "plan %s is archived or has no recurring price",
				  pl.name);
		goto out;
	}
	/* A person retrying a subscribe must not make a second paid one. */
	rc = subs_check_duplicate(e->db, in->client_id, in->plan_id, err);
	if (rc == PD_ERR_EXISTS && in->second)
		rc = PD_OK;
	if (rc)
		goto out;
	rc = clients_get(e->db, in->client_id, &c, err);
	if (rc)
		goto out;
	if (!c.bill_with_stripe) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "%s is not billed with Stripe: turn it on in the Clients tab first",
				  c.name);
		goto out;
	}
	struct pay_result pr;
	rc = c.stripe_customer_id ? customers_cards_refresh(e, c.id, &pr, err)
				  : customers_sync(e, c.id, &pr, err);
	if (rc)
		goto out;
	client_free(&c);
	rc = clients_get(e->db, in->client_id, &c, err);
	if (rc)
		goto out;
	struct client_card *cards = NULL;
	size_t ncards = 0;
	rc = client_cards_list(e->db, c.id, &cards, &ncards, err);
	if (rc)
		goto out;
	char pm[64] = "";
	if (ncards)
		pay_copy(pm, sizeof pm, cards[0].payment_method_id);
	free(cards);
	if (!in->send_invoice && !pm[0]) {
		/* No card to charge: the client saves one on Stripe's page first. */
		rc = customers_save_card_link(e, c.id, &pr, err);
		if (!rc) {
			r->needs_card = true;
			pay_copy(r->url, sizeof r->url, pr.url);
			snprintf(r->message, sizeof r->message,
				 "%.100s has no saved card: show the save-a-card link, then subscribe "
				 "again once the card is saved (or email invoices instead).",
				 c.name);
		}
		goto out;
	}
	struct stripe_params *p = stripe_params_new();
	char id[32];
	snprintf(id, sizeof id, "%lld", (long long)c.id);
	stripe_params_add(p, "customer", c.stripe_customer_id);
	stripe_params_add(p, "items[0][price]", pl.price_id);
	stripe_params_add_int(p, "items[0][quantity]", in->quantity);
	if (in->trial == SUBS_TRIAL_DAYS)
		stripe_params_add_int(p, "trial_period_days", in->trial_days);
	else if (in->trial == SUBS_TRIAL_UNTIL)
		stripe_params_add_int(p, "trial_end", in->trial_until);
	if (in->send_invoice) {
		stripe_params_add(p, "collection_method", "send_invoice");
		stripe_params_add_int(p, "days_until_due", in->days_until_due);
	} else {
		stripe_params_add(p, "collection_method", "charge_automatically");
		stripe_params_add(p, "default_payment_method", pm);
		stripe_params_add(p, "payment_behavior", "allow_incomplete");
		stripe_params_add_bool(p, "off_session", true);
	}
	stripe_params_add(p, "metadata[client_id]", id);
	stripe_params_add(p, "metadata[source]", "paydesk");
	struct stripe_response resp;
	rc = send_money(e, STRIPE_POST, "/v1/subscriptions", p, &resp, err);
	stripe_params_free(&p);
	char sub_id[64] = "";
	if (!rc)
		pay_copy(sub_id, sizeof sub_id, pay_json_str(resp.json, "id"));
	stripe_response_clear(&resp);
	if (!rc)
		rc = fetch_and_record(e, sub_id, "subscription.create", NULL, r, err);
out:
	client_free(&c);
	plan_free(&pl);
	return rc;
}

/* The stored subscription id, or why not. */
static int load(const struct pay_env *e, int64_t id, enum subs_effect effect,
		struct subscription *s, struct pd_error *err)
{
	int rc = need_admin(e, effect, err);
	if (!rc)
		rc = subs_store_get(e->db, id, s, err);
	if (!rc && (!strcmp(s->status, "canceled") || !strcmp(s->status, "incomplete_expired"))) {
		subscription_free(s);
		return pd_error_set(err, PD_ERR_USAGE, "the subscription has ended: nothing to change");
	}
	return rc;
}

/* The price of plan_id (0: keep s's). */
static int price_for(const struct pay_env *e, const struct subscription *s, int64_t plan_id,
		     char price[64], struct pd_error *err)
{
	if (!plan_id) {
		pay_copy(price, 64, s->price_id);
		return PD_OK;
	}
	struct plan pl;
	int rc = plans_store_get(e->db, plan_id, &pl, err);
	if (rc)
		return rc;
	if (!pl.active || !pl.price_id[0])
		rc = pd_error_set(err, PD_ERR_USAGE, "plan %s is archived or has no recurring price",
				  pl.name);
	else
		pay_copy(price, 64, pl.price_id);
	plan_free(&pl);
	return rc;
}

int subs_preview_change(const struct pay_env *e, int64_t id, int64_t plan_id, int quantity,
			int64_t *amount_due, char currency[4], int64_t *next_at, struct pd_error *err)
{
	*amount_due = 0;
	*next_at = 0;
	currency[0] = '\0';
	struct subscription s;
	int rc = load(e, id, SUBS_MAY_CHARGE, &s, err);
	if (rc)
		return rc;
	char price[64];
	rc = price_for(e, &s, plan_id, price, err);
	if (!rc) {
		struct stripe_params *p = stripe_params_new();
		stripe_params_add(p, "customer", s.customer_id);
		stripe_params_add(p, "subscription", s.stripe_id);
		stripe_params_add(p, "subscription_items[0][id]", s.item_id);
		stripe_params_add(p, "subscription_items[0][price]", price);
		stripe_params_add_int(p, "subscription_items[0][quantity]",
				      quantity > 0 ? quantity : s.quantity);
		stripe_params_add(p, "subscription_proration_behavior", "create_prorations");
		struct stripe_response resp;
		rc = pay_send(e, STRIPE_GET, "/v1/invoices/upcoming", p, &resp, err);
		stripe_params_free(&p);
		if (!rc) {
			*amount_due = json_integer_value(json_object_get(resp.json, "amount_due"));
			pay_copy(currency, 4, pay_json_str(resp.json, "currency"));
			json_t *at = json_object_get(resp.json, "next_payment_attempt");
			if (!json_is_integer(at))
				at = json_object_get(resp.json, "period_end");
			*next_at = json_is_integer(at) ? json_integer_value(at) : 0;
		}
		stripe_response_clear(&resp);
	}
	subscription_free(&s);
	return rc;
}

static int update(const struct pay_env *e, const struct subscription *s, struct stripe_params *p,
		  const char *path_suffix, const char *action, const char *extra,
		  struct subs_result *r, struct pd_error *err)
{
	char path[200];
	snprintf(path, sizeof path, "/v1/subscriptions/%s%s", s->stripe_id, path_suffix);
	struct stripe_response resp;
	int rc = send_money(e, STRIPE_POST, path, p, &resp, err);
	stripe_response_clear(&resp);
	if (!rc)
		rc = fetch_and_record(e, s->stripe_id, action, extra, r, err);
	return rc;
}

int subs_change(const struct pay_env *e, int64_t id, int64_t plan_id, int quantity,
		struct subs_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	if (quantity < 0 || quantity > 999)
		return pd_error_set(err, PD_ERR_USAGE, "quantity: 1 to 999");
	struct subscription s;
	int rc = load(e, id, SUBS_MAY_CHARGE, &s, err);
	if (rc)
		return rc;
	char price[64], extra[200];
	rc = price_for(e, &s, plan_id, price, err);
	if (!rc && !strcmp(price, s.price_id) && (quantity == 0 || quantity == s.quantity))
		rc = pd_error_set(err, PD_ERR_USAGE, "nothing to change: same plan and quantity");
	if (!rc) {
		struct stripe_params *p = stripe_params_new();
		stripe_params_add(p, "items[0][id]", s.item_id);
		stripe_params_add(p, "items[0][price]", price);
		stripe_params_add_int(p, "items[0][quantity]", quantity > 0 ? quantity : s.quantity);
		stripe_params_add(p, "proration_behavior", "create_prorations");
		snprintf(extra, sizeof extra, "was %s ×%d", s.price_id, s.quantity);
		rc = update(e, &s, p, "", "subscription.change", extra, r, err);
		stripe_params_free(&p);
	}
	subscription_free(&s);
	return rc;
}

int subs_cancel(const struct pay_env *e, int64_t id, bool at_period_end, struct subs_result *r,
		struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct subscription s;
	int rc = load(e, id, SUBS_STOPS_CHARGE, &s, err);
	if (rc)
		return rc;
	if (at_period_end) {
		struct stripe_params *p = stripe_params_new();
		stripe_params_add_bool(p, "cancel_at_period_end", true);
		rc = update(e, &s, p, "", "subscription.cancel_at_period_end", NULL, r, err);
		stripe_params_free(&p);
	} else {
		char path[160];
		snprintf(path, sizeof path, "/v1/subscriptions/%s", s.stripe_id);
		struct stripe_response resp;
		rc = send_money(e, STRIPE_DELETE, path, NULL, &resp, err);
		stripe_response_clear(&resp);
		if (!rc)
			rc = fetch_and_record(e, s.stripe_id, "subscription.cancel", NULL, r, err);
	}
	subscription_free(&s);
	return rc;
}

int subs_undo_cancel(const struct pay_env *e, int64_t id, struct subs_result *r,
		     struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct subscription s;
	int rc = load(e, id, SUBS_MAY_CHARGE, &s, err);
	if (rc)
		return rc;
	if (!s.cancel_at_period_end && !s.cancel_at) {
		subscription_free(&s);
		return pd_error_set(err, PD_ERR_USAGE, "no cancel is scheduled");
	}
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_bool(p, "cancel_at_period_end", false);
	if (s.cancel_at && !s.cancel_at_period_end)
		stripe_params_add(p, "cancel_at", "");
	rc = update(e, &s, p, "", "subscription.undo_cancel", NULL, r, err);
	stripe_params_free(&p);
	subscription_free(&s);
	return rc;
}

int subs_pause(const struct pay_env *e, int64_t id, bool pause, struct subs_result *r,
	       struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct subscription s;
	int rc = load(e, id, pause ? SUBS_STOPS_CHARGE : SUBS_MAY_CHARGE, &s, err);
	if (rc)
		return rc;
	struct stripe_params *p = stripe_params_new();
	if (pause) {
		if (s.paused || !strcmp(s.status, "paused"))
			rc = pd_error_set(err, PD_ERR_USAGE, "collection is already paused");
		else {
			stripe_params_add(p, "pause_collection[behavior]", "void");
			rc = update(e, &s, p, "", "subscription.pause", NULL, r, err);
		}
	} else if (!strcmp(s.status, "paused")) {
		stripe_params_add(p, "billing_cycle_anchor", "now");
		rc = update(e, &s, p, "/resume", "subscription.resume", NULL, r, err);
	} else if (!s.paused) {
		rc = pd_error_set(err, PD_ERR_USAGE, "collection is not paused");
	} else {
		stripe_params_add(p, "pause_collection", "");
		rc = update(e, &s, p, "", "subscription.resume", NULL, r, err);
	}
	stripe_params_free(&p);
	subscription_free(&s);
	return rc;
}

int subs_refresh(const struct pay_env *e, int64_t id, struct subs_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct subscription s;
	int rc = subs_store_get(e->db, id, &s, err);
	if (!rc)
		rc = fetch_and_record(e, s.stripe_id, NULL, NULL, r, err);
	subscription_free(&s);
	return rc;
}

int subs_sync(const struct pay_env *e, size_t *n, struct pd_error *err)
{
	*n = 0;
	if (!e->who || !e->who->signed_in)
		return pd_error_set(err, PD_ERR_FORBIDDEN, "sign in first");
	if (!e->key)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	char **cus = NULL;
	size_t ncus = 0;
	int rc = subs_store_customers(e->db, &cus, &ncus, err);
	for (size_t k = 0; !rc && k < ncus; k++) {
		char after[128] = "";
		for (int page = 0; !rc && page < 20; page++) {
			struct stripe_params *p = stripe_params_new();
			stripe_params_add(p, "customer", cus[k]);
			stripe_params_add(p, "status", "all");
			stripe_params_add_int(p, "limit", 100);
			stripe_params_add(p, "expand[]", "data." EXPAND_INVOICE);
			if (after[0])
				stripe_params_add(p, "starting_after", after);
			struct stripe_response resp;
			rc = pay_send(e, STRIPE_GET, "/v1/subscriptions", p, &resp, err);
			stripe_params_free(&p);
			json_t *data = rc ? NULL : json_object_get(resp.json, "data");
			if (!rc)
				rc = db_begin(e->db, err);
			size_t i;
			json_t *sub;
			json_array_foreach(data, i, sub)
			{
				struct subscription s;
				if (rc || subs_from_stripe(e->db, sub, &s, NULL))
					continue;
				rc = subs_store_put(e->db, &s, err);
				if (!rc)
					(*n)++;
				pay_copy(after, sizeof after, s.stripe_id);
				subscription_free(&s);
			}
			if (data) {
				if (!rc)
					rc = db_commit(e->db, err);
				else
					db_rollback(e->db);
			}
			bool more = data && json_is_true(json_object_get(resp.json, "has_more"));
			stripe_response_clear(&resp);
			if (!more)
				break;
		}
	}
	for (size_t k = 0; k < ncus; k++)
		free(cus[k]);
	free(cus);
	return rc;
}

/* The audit action a finished subscription call stands for. */
static const char *recovered_action(const struct outbox_row *o)
{
	if (!strcmp(o->path, "/v1/subscriptions"))
		return "subscription.create";
	if (!strcmp(o->method, "DELETE"))
		return "subscription.cancel";
	size_t n = strlen(o->path);
	if (n > 7 && !strcmp(o->path + n - 7, "/resume"))
		return "subscription.resume";
	return "subscription.change";
}

/* The subscription a done call was about: its result (a create) or its path. */
static void recovered_sub_id(const struct outbox_row *o, char out[64])
{
	out[0] = '\0';
	if (!strcmp(o->path, "/v1/subscriptions")) {
		pay_copy(out, 64, o->object_id);
		return;
	}
	const char *id = o->path + strlen("/v1/subscriptions/");
	snprintf(out, 64, "%.*s", (int)strcspn(id, "/"), id);
}

int subs_recover(const struct pay_env *e, size_t *recorded, struct pd_error *err)
{
	*recorded = 0;
	struct outbox_row *rows;
	size_t n;
	/* Creates of any age (one missing from the store is always wrong); changes
	 * of the last week, newer than the copy the store holds. */
	int rc = outbox_list_for(e->db, "/v1/subscriptions*", NULL, 0, &rows, &n, err);
	int64_t week_ago = (int64_t)time(NULL) - 7 * 86400;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct outbox_row *o = &rows[i];
		bool create = !strcmp(o->path, "/v1/subscriptions");
		char sub_id[64];
		recovered_sub_id(o, sub_id);
		if (o->state != OUTBOX_DONE || !sub_id[0] || (!create && o->updated_at < week_ago))
			continue;
		struct subscription known;
		int found = subs_store_find(e->db, sub_id, &known, NULL);
		bool stale = found == PD_OK && !create && known.synced_at < o->updated_at;
		if (found == PD_OK)
			subscription_free(&known);
		if (!(found == PD_ERR_NOT_FOUND || stale))
			continue;
		struct pd_error one = {0};
		int one_rc = fetch_and_record(e, sub_id, recovered_action(o),
					      "finished after paydesk restarted", NULL, &one);
		if (one_rc)
			log_msg(LOG_WARN, "subscription %s (outbox #%lld) not recorded: %s", sub_id,
				(long long)o->id, one.msg);
		else
			(*recorded)++;
		if (one_rc == PD_ERR_IO)
			rc = pd_error_set(err, PD_ERR_IO, "%s", one.msg);
	}
	outbox_rows_free(&rows, n);
	return rc;
}

/* ---- failed renewals ------------------------------------------------------ */

static bool renewal_failed(const struct subscription *s)
{
	return !strcmp(s->status, "past_due") || !strcmp(s->status, "unpaid") ||
	       (!strcmp(s->invoice_status, "open") && s->last_failure && s->last_failure[0]);
}

int subs_retry(const struct pay_env *e, int64_t id, struct subs_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct subscription s;
	int rc = load(e, id, SUBS_MAY_CHARGE, &s, err);
	if (rc)
		return rc;
	if (!renewal_failed(&s) || !s.invoice_id[0] || strcmp(s.invoice_status, "open") != 0) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "nothing to retry: the latest invoice is %s",
				  s.invoice_status[0] ? s.invoice_status : "not known (refresh first)");
		subscription_free(&s);
		return rc;
	}
	/* The client's newest saved card as Stripe lists it now (a card saved
	 * through a card-update link is the one to use). */
	char card[64] = "", card_words[64] = "the card Stripe has on file";
	if (s.client_id) {
		struct pay_result pr;
		struct pd_error cerr = {0};
		struct client_card *cards = NULL;
		size_t n = 0;
		if (customers_cards_refresh(e, s.client_id, &pr, &cerr) == PD_OK &&
		    client_cards_list(e->db, s.client_id, &cards, &n, &cerr) == PD_OK && n > 0) {
			pay_copy(card, sizeof card, cards[0].payment_method_id);
			snprintf(card_words, sizeof card_words, "%s •••• %s", cards[0].brand,
				 cards[0].last4);
		}
		free(cards);
	}
	char path[160];
	snprintf(path, sizeof path, "/v1/invoices/%s/pay", s.invoice_id);
	struct stripe_params *p = stripe_params_new();
	if (card[0])
		stripe_params_add(p, "payment_method", card);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	int sent = send_money(e, STRIPE_POST, path, p, &resp, &send_err);
	stripe_response_clear(&resp);
	stripe_params_free(&p);
	/* Either way the subscription and its invoice are read back, and the
	 * attempt audited with its outcome. */
	char extra[200];
	snprintf(extra, sizeof extra, "invoice %.40s with %s: %.80s", s.invoice_id, card_words,
		 sent ? send_err.msg : "paid");
	rc = fetch_and_record(e, s.stripe_id, sent ? "subscription.retry_failed" : "subscription.retry",
			      extra, r, err);
	if (!rc && sent) {
		rc = pd_error_set(err, sent, "the retry with %s did not pay the invoice: %s — send a "
					     "card-update link for a new card",
				  card_words, send_err.msg);
	} else if (!rc) {
		snprintf(r->message, sizeof r->message, "Invoice %s paid with %s; the subscription "
							"is %s.",
			 s.invoice_id, card_words, r->status);
	}
	subscription_free(&s);
	return rc;
}

int subs_card_link(const struct pay_env *e, int64_t id, struct subs_result *r,
		   struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct subscription s;
	/* a link charges no one: allowed while billing is off, like a pause */
	int rc = load(e, id, SUBS_STOPS_CHARGE, &s, err);
	if (!rc && !s.client_id)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "no client here has this subscription's Stripe customer: link "
				  "the client first");
	struct pay_result pr;
	if (!rc)
		rc = customers_save_card_link(e, s.client_id, &pr, err);
	if (!rc) {
		r->id = s.id;
		pay_copy(r->stripe_id, sizeof r->stripe_id, s.stripe_id);
		pay_copy(r->status, sizeof r->status, s.status);
		pay_copy(r->invoice_status, sizeof r->invoice_status, s.invoice_status);
		r->needs_card = true;
		pay_copy(r->url, sizeof r->url, pr.url);
		snprintf(r->message, sizeof r->message,
			 "Card-update link for %s: once the new card is saved, retry the invoice.",
			 s.client_name ? s.client_name : s.customer_id);
		char detail[400];
		describe(&s, detail, sizeof detail);
		struct audit_entry en = {.actor = pay_actor(e->who), .action = "subscription.card_link",
					 .detail = detail, .object_id = s.stripe_id};
		rc = audit_append(e->db, &en, err);
	}
	subscription_free(&s);
	return rc;
}
