/* The fees queue's Stripe side: charging a fee on the client's saved card
 * off-session (one PaymentIntent created with confirm=true and
 * off_session=true: one outbox row, one Idempotency-Key per attempt), reading
 * back a charge whose outcome was lost, and a pay link when the card is
 * declined or the bank wants the client to authenticate. See fees.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "payments_internal.h"
#include "fees_internal.h"
#include "paydesk/clients.h"
#include "paydesk/customers.h"
#include "paydesk/db.h"
#include "paydesk/money.h"
#include "paydesk/outbox_runner.h"
#include "paydesk/readers.h"
#include "paydesk/settings.h"

/* Words both the queue (c) and `paydesk fees charge ID` fit: each adds its
 * own key or command (fees_view.c, cli/fees.c). */
#define FEE_UNKNOWN                                                                      \
	"No clear answer from Stripe (%.300s): charging it again re-checks this same charge " \
	"(nothing is charged twice)"
#define FEE_NOT_SENT                                                                     \
	"Not sent: Stripe could not be reached (%.300s); nothing was charged. Charge it "    \
	"again once Stripe answers"

static int finish(sqlite3 *db, int rc, struct pd_error *err)
{
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	return rc;
}

/* Move f (read in state from) to f->state with an audit entry, one transaction. */
static int record(const struct pay_env *e, struct appt_fee *f, enum fee_state from,
		  const char *action, struct pd_error *err)
{
	snprintf(f->updated_by, sizeof f->updated_by, "%s", fees_actor(e->who));
	if (f->state == FEE_CHARGED && !f->charged_at) {
		/* card money of this desk and user in the day close (schema 27) */
		readers_desk_name(f->desk, sizeof f->desk);
		snprintf(f->charged_by, sizeof f->charged_by, "%s", fees_actor(e->who));
		f->charged_at = (int64_t)time(NULL);
	}
	int rc = db_begin(e->db, err);
	if (!rc)
		rc = fees_move(e->db, f, from, err);
	if (!rc && action)
		rc = fees_audit(e->db, e->who, action, f, f->message, err);
	return finish(e->db, rc, err);
}

static void result_of(const struct appt_fee *f, struct pay_result *r)
{
	r->offer_link = f->state == FEE_DECLINED || f->state == FEE_NEEDS_ACTION;
	r->done = f->state != FEE_CHARGING;
	pay_copy(r->object_id, sizeof r->object_id, f->payment_intent_id);
	pay_copy(r->message, sizeof r->message, f->message);
	pay_copy(r->url, sizeof r->url, f->pay_link_url);
}

/* A card refusal (code / decline_code as Stripe gave them) recorded on f. */
static void refused(struct appt_fee *f, const char *code, const char *decline_code)
{
	bool auth = (code && strcmp(code, "authentication_required") == 0) ||
		    (decline_code && strcmp(decline_code, "authentication_required") == 0);
	f->state = auth ? FEE_NEEDS_ACTION : FEE_DECLINED;
	char words[400];
	payments_decline_words(code, decline_code, words, sizeof words);
	snprintf(f->message, sizeof f->message, "%s (l: pay link)", words);
}

/* What a PaymentIntent's status says of the charge. */
static void from_intent(struct appt_fee *f, json_t *pi)
{
	const char *id = pay_json_str(pi, "id");
	const char *status = pay_json_str(pi, "status");
	char money[64];
	money_format(f->amount, f->currency, money, sizeof money);
	if (id)
		pay_copy(f->payment_intent_id, sizeof f->payment_intent_id, id);
	if (status && strcmp(status, "succeeded") == 0) {
		f->state = FEE_CHARGED;
		snprintf(f->message, sizeof f->message, "Charged %s to the saved card.", money);
	} else if (status && strcmp(status, "requires_action") == 0) {
		refused(f, "authentication_required", NULL);
	} else if (status && strcmp(status, "processing") == 0) {
		f->state = FEE_CHARGING;
		snprintf(f->message, sizeof f->message,
			 "%s is processing at the bank: c re-checks it later.", money);
	} else {
		json_t *last = json_object_get(pi, "last_payment_error");
		refused(f, pay_json_str(last, "code"), pay_json_str(last, "decline_code"));
	}
}

/* What one answer to the create says (state: its outbox row's after the
 * send); false when Stripe gave no clear answer. */
static bool from_response(struct appt_fee *f, const struct stripe_response *resp,
			  enum outbox_state state)
{
	if (resp->outcome == STRIPE_OUTCOME_OK) {
		from_intent(f, resp->json);
		return true;
	}
	if (state == OUTBOX_FAILED && resp->outcome != STRIPE_OUTCOME_API_ERROR) {
		f->state = FEE_PROPOSED; /* never reached Stripe: it waits again */
		snprintf(f->message, sizeof f->message, FEE_NOT_SENT,
			 resp->error.message ? resp->error.message : "no answer");
		return true;
	}
	bool lost = resp->outcome != STRIPE_OUTCOME_API_ERROR || resp->http_status == 409 ||
		    resp->http_status == 429 || resp->http_status >= 500;
	if (lost) {
		f->state = FEE_CHARGING;
		snprintf(f->message, sizeof f->message, FEE_UNKNOWN,
			 resp->error.message ? resp->error.message : "no answer");
		return false;
	}
	if (resp->error.type && strcmp(resp->error.type, "card_error") == 0) {
		refused(f, resp->error.code, resp->error.decline_code);
	} else {
		f->state = FEE_PROPOSED; /* nothing was charged: it waits again */
		snprintf(f->message, sizeof f->message, "Stripe refused it, nothing was charged: %s",
			 resp->error.message ? resp->error.message : "no reason given");
	}
	return true;
}

static const char *action_for(enum fee_state s)
{
	return s == FEE_CHARGED ? "fee.charge.succeeded"
	       : s == FEE_CHARGING ? "fee.charge.unknown"
				   : "fee.charge.failed";
}

static void add_metadata(struct stripe_params *p, const char *prefix, const struct appt_fee *f,
			 const struct appointment *a)
{
	char key[96], val[32];
	pay_add_metadata(p, prefix, a);
	snprintf(key, sizeof key, "%sfee_id]", prefix);
	snprintf(val, sizeof val, "%lld", (long long)f->id);
	stripe_params_add(p, key, val);
	snprintf(key, sizeof key, "%sfee_kind]", prefix);
	stripe_params_add(p, key, fee_kind_key(f->kind));
	snprintf(key, sizeof key, "%spolicy_version]", prefix);
	snprintf(val, sizeof val, "%lld", (long long)f->policy_version);
	stripe_params_add(p, key, val);
}

/* The client's Stripe customer and first saved card, or why not. */
static int client_card(const struct pay_env *e, const struct appt_fee *f, char customer[64],
		       char pm[64], struct pd_error *err)
{
	struct client c;
	int rc = clients_get(e->db, f->client_id, &c, err);
	if (rc)
		return rc;
	pay_copy(customer, 64, c.stripe_customer_id);
	struct client_card *cards = NULL;
	size_t n = 0;
	if (*customer && (client_cards_list(e->db, c.id, &cards, &n, NULL) != PD_OK || n == 0)) {
		struct pay_result r;
		customers_cards_refresh(e, c.id, &r, NULL); /* saved since, elsewhere? */
		free(cards);
		cards = NULL;
		n = 0;
		client_cards_list(e->db, c.id, &cards, &n, NULL);
	}
	if (!*customer || n == 0)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "%s has no saved card to charge: send a pay link (l), or waive the "
				  "fee (w)",
				  c.name);
	else
		pay_copy(pm, 64, cards[0].payment_method_id);
	free(cards);
	client_free(&c);
	return rc;
}

/* Start a new attempt: committed as charging (and audited) before it is sent. */
static int send_charge(const struct pay_env *e, struct appt_fee *f, struct pd_error *err)
{
	/* A price payment of the visit whose outcome is open is settled first:
	 * its re-check reads the visit's newest PaymentIntent create. */
	struct pay_attempt last;
	if (payrows_latest(e->db, f->appointment_id, -1, &last, NULL) == PD_OK) {
		bool open = last.status == PAYROW_STARTING || last.status == PAYROW_UNKNOWN;
		pay_attempt_free(&last);
		if (open)
			return pd_error_set(err, PD_ERR_USAGE,
					    "the visit's last payment's outcome is not known yet: Y "
					    "re-checks it (Appointments), then charge the fee");
	}
	char customer[64] = "", pm[64] = "";
	int rc = client_card(e, f, customer, pm, err);
	if (rc)
		return rc;
	struct appointment a;
	if ((rc = appointments_get(e->db, f->appointment_id, &a, err)))
		return rc;
	enum fee_state from = f->state;
	f->state = FEE_CHARGING;
	f->attempts++;
	f->payment_intent_id[0] = '\0';
	snprintf(f->message, sizeof f->message, "charging the saved card (attempt %d)", f->attempts);
	rc = record(e, f, from, "fee.charge", err);
	if (rc) {
		appointment_free(&a);
		return rc;
	}
	char desc[300], attempt[16];
	snprintf(desc, sizeof desc, "%s fee: %s", f->kind == FEE_NO_SHOW ? "No-show" : "Late cancellation",
		 a.service_name ? a.service_name : "");
	snprintf(attempt, sizeof attempt, "%d", f->attempts);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_int(p, "amount", f->amount);
	stripe_params_add(p, "currency", f->currency);
	stripe_params_add(p, "customer", customer);
	stripe_params_add(p, "payment_method", pm);
	stripe_params_add(p, "payment_method_types[]", "card");
	stripe_params_add_bool(p, "confirm", true);
	stripe_params_add_bool(p, "off_session", true);
	stripe_params_add(p, "description", desc);
	add_metadata(p, "metadata[", f, &a);
	stripe_params_add(p, "metadata[fee_attempt]", attempt);
	appointment_free(&a);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	enum outbox_state sent;
	pay_send_money_state(e, "/v1/payment_intents", p, &resp, &sent, &send_err);
	stripe_params_free(&p);
	from_response(f, &resp, sent);
	stripe_response_clear(&resp);
	return record(e, f, FEE_CHARGING, action_for(f->state), err);
}

/* A fee left charging (an answer lost, a crash): its last call re-sent with
 * its own key, or the PaymentIntent read back; a call never written is sent
 * now as the same attempt. Never a second PaymentIntent for one attempt. */
static int recheck(const struct pay_env *e, struct appt_fee *f, struct pd_error *err)
{
	char pair[64];
	snprintf(pair, sizeof pair, "metadata[fee_id]=%lld", (long long)f->id);
	struct outbox_row row = {0};
	struct stripe_response resp = {0};
	struct pd_error send_err = {0};
	char want[24];
	snprintf(want, sizeof want, "%d", f->attempts);
	char *attempt = NULL;
	bool found = outbox_find_latest(e->db, "/v1/payment_intents", pair, 0, &row, NULL) == PD_OK;
	if (found) {
		attempt = outbox_param(row.params, "metadata[fee_attempt]");
		found = attempt && strcmp(attempt, want) == 0;
		free(attempt);
	}
	if (!found) { /* committed as charging, never written to the outbox: nothing was sent */
		outbox_row_clear(&row);
		f->attempts--;
		f->state = FEE_PROPOSED;
		int rc = record(e, f, FEE_CHARGING, NULL, err);
		return rc ? rc : send_charge(e, f, err);
	}
	if (row.state == OUTBOX_PENDING || row.state == OUTBOX_SENT || row.state == OUTBOX_UNKNOWN) {
		enum outbox_state state;
		outbox_resend(e->db, e->client, e->key, row.id, e->cancel, &state, &resp, &send_err);
		if (resp.outcome == STRIPE_OUTCOME_OK || state == OUTBOX_FAILED)
			from_response(f, &resp, state);
		else {
			f->state = FEE_CHARGING;
			snprintf(f->message, sizeof f->message, FEE_UNKNOWN,
				 send_err.msg[0] ? send_err.msg : "no answer");
		}
	} else if (row.state == OUTBOX_DONE && row.object_id) {
		char path[160];
		snprintf(path, sizeof path, "/v1/payment_intents/%s", row.object_id);
		if (pay_send(e, STRIPE_GET, path, NULL, &resp, &send_err) == PD_OK)
			from_intent(f, resp.json);
		else
			snprintf(f->message, sizeof f->message, FEE_UNKNOWN, send_err.msg);
	} else { /* refused at the time: the outbox kept why */
		if (row.error_type && strcmp(row.error_type, "card_error") == 0)
			refused(f, row.error_code, row.decline_code);
		else if (!row.error_type) { /* no answer at all: it never reached Stripe */
			f->state = FEE_PROPOSED;
			snprintf(f->message, sizeof f->message, FEE_NOT_SENT,
				 row.error_message ? row.error_message : "no answer");
		} else {
			f->state = FEE_PROPOSED;
			snprintf(f->message, sizeof f->message,
				 "Stripe refused it, nothing was charged: %s",
				 row.error_message ? row.error_message : "no reason given");
		}
	}
	outbox_row_clear(&row);
	stripe_response_clear(&resp);
	return record(e, f, FEE_CHARGING, action_for(f->state), err);
}

/* An open pay link: read back whether the client paid it. */
static int check_link(const struct pay_env *e, struct appt_fee *f, struct pd_error *err)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/checkout/sessions/%s", f->checkout_session_id);
	struct stripe_response resp = {0};
	struct pd_error send_err = {0};
	if (pay_send(e, STRIPE_GET, path, NULL, &resp, &send_err) != PD_OK) {
		stripe_response_clear(&resp);
		return pd_error_set(err, PD_ERR, "the pay link could not be checked: %s",
				    send_err.msg);
	}
	const char *paid = pay_json_str(resp.json, "payment_status");
	const char *status = pay_json_str(resp.json, "status");
	const char *pi = pay_json_str(resp.json, "payment_intent");
	enum fee_state from = f->state;
	int rc = PD_OK;
	char money[64];
	money_format(f->amount, f->currency, money, sizeof money);
	if (paid && strcmp(paid, "paid") == 0) {
		f->state = FEE_CHARGED;
		pay_copy(f->payment_intent_id, sizeof f->payment_intent_id, pi);
		snprintf(f->message, sizeof f->message, "Paid %s on the pay link.", money);
		rc = record(e, f, from, "fee.link.paid", err);
	} else if (status && strcmp(status, "expired") == 0) {
		f->checkout_session_id[0] = f->pay_link_url[0] = '\0';
		snprintf(f->message, sizeof f->message,
			 "The pay link expired unpaid: c charges the card again, l sends a new link.");
		rc = record(e, f, from, "fee.link.expired", err);
	} else {
		snprintf(f->message, sizeof f->message,
			 "The pay link for %s is still open: the client pays there.", money);
	}
	stripe_response_clear(&resp);
	return rc;
}

static int load_for_stripe(const struct pay_env *e, int64_t id, struct appt_fee *f,
			   struct pd_error *err)
{
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (!rc && !e->key)
		rc = pd_error_set(err, PD_ERR_LOCKED,
				  "Stripe is not unlocked: enter the admin passphrase first");
	if (!rc)
		rc = fees_get(e->db, id, f, err);
	return rc;
}

int fees_charge(const struct pay_env *e, int64_t id, struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct appt_fee f;
	int rc = load_for_stripe(e, id, &f, err);
	if (rc)
		return rc;
	if (f.state == FEE_CHARGING)
		rc = recheck(e, &f, err);
	else if (f.checkout_session_id[0] && fee_state_open(f.state))
		rc = check_link(e, &f, err);
	else if (f.state == FEE_PROPOSED || f.state == FEE_DECLINED ||
		 f.state == FEE_NEEDS_ACTION)
		rc = send_charge(e, &f, err);
	else if (f.state == FEE_CHARGED)
		rc = pd_error_set(err, PD_ERR_USAGE, "fee %lld was charged already (by %s)",
				  (long long)id, f.updated_by);
	else if (f.state == FEE_WAIVED)
		rc = pd_error_set(err, PD_ERR_USAGE, "fee %lld was waived by %s: %s", (long long)id,
				  f.updated_by, f.reason);
	else
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "fee %lld was withdrawn: the no-show or cancellation was undone",
				  (long long)id);
	if (!rc)
		result_of(&f, r);
	return rc;
}

int fees_pay_link(const struct pay_env *e, int64_t id, struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct appt_fee f;
	int rc = load_for_stripe(e, id, &f, err);
	if (rc)
		return rc;
	if (f.state != FEE_PROPOSED && f.state != FEE_DECLINED && f.state != FEE_NEEDS_ACTION)
		return pd_error_set(err, PD_ERR_USAGE, "fee %lld is %s: no pay link is needed",
				    (long long)id, fee_state_label(f.state));
	if (f.checkout_session_id[0]) {
		if ((rc = check_link(e, &f, err)))
			return rc;
		if (f.checkout_session_id[0] || f.state == FEE_CHARGED) {
			result_of(&f, r);
			return PD_OK;
		}
	}
	struct appointment a;
	struct client c;
	if ((rc = appointments_get(e->db, f.appointment_id, &a, err)))
		return rc;
	if ((rc = clients_get(e->db, a.client_id, &c, err))) {
		appointment_free(&a);
		return rc;
	}
	char url[512], ref[32], name[300];
	pay_return_url(e->db, url, sizeof url);
	snprintf(ref, sizeof ref, "fee-%lld", (long long)f.id);
	snprintf(name, sizeof name, "%s fee: %s",
		 f.kind == FEE_NO_SHOW ? "No-show" : "Late cancellation",
		 a.service_name ? a.service_name : "");
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "mode", "payment");
	stripe_params_add(p, "payment_method_types[]", "card");
	stripe_params_add(p, "line_items[0][price_data][currency]", f.currency);
	stripe_params_add_int(p, "line_items[0][price_data][unit_amount]", f.amount);
	stripe_params_add(p, "line_items[0][price_data][product_data][name]", name);
	stripe_params_add_int(p, "line_items[0][quantity]", 1);
	stripe_params_add(p, "success_url", url);
	stripe_params_add(p, "cancel_url", url);
	stripe_params_add(p, "client_reference_id", ref);
	if (c.stripe_customer_id)
		stripe_params_add(p, "customer", c.stripe_customer_id);
	else if (c.email[0])
		stripe_params_add(p, "customer_email", c.email);
	add_metadata(p, "metadata[", &f, &a);
	add_metadata(p, "payment_intent_data[metadata][", &f, &a);
	stripe_params_add(p, "payment_intent_data[description]", name);
	client_free(&c);
	appointment_free(&a);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	pay_send_money(e, "/v1/checkout/sessions", p, &resp, &send_err);
	stripe_params_free(&p);
	if (resp.outcome != STRIPE_OUTCOME_OK) {
		rc = pd_error_set(err, PD_ERR, "the pay link was not made: %.400s", send_err.msg);
		stripe_response_clear(&resp);
		return rc;
	}
	enum fee_state from = f.state;
	pay_copy(f.checkout_session_id, sizeof f.checkout_session_id, pay_json_str(resp.json, "id"));
	pay_copy(f.pay_link_url, sizeof f.pay_link_url, pay_json_str(resp.json, "url"));
	char money[64];
	snprintf(f.message, sizeof f.message, "Pay link for %s: show the client this link.",
		 money_format(f.amount, f.currency, money, sizeof money));
	stripe_response_clear(&resp);
	rc = record(e, &f, from, "fee.link", err);
	if (!rc)
		result_of(&f, r);
	return rc;
}

/* Nothing changed at Stripe or here: the desk tries again later. */
#define FEE_EXPIRE_DOWN                                                                  \
	"pay link not expired, nothing changed: expire it again once Stripe answers " \
	"(x in the fees queue, or paydesk fees expire); Stripe could not be reached: %.300s"

/* Read the link back; PD_OK with the link still open, paid or expired on f. */
static int link_now(const struct pay_env *e, struct appt_fee *f, struct pd_error *err)
{
	struct pd_error why = {0};
	if (check_link(e, f, &why) != PD_OK)
		return pd_error_set(err, PD_ERR, FEE_EXPIRE_DOWN, why.msg);
	return PD_OK;
}

int fees_expire_link(const struct pay_env *e, int64_t id, struct pay_result *r,
		     struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct appt_fee f;
	int rc = load_for_stripe(e, id, &f, err);
	if (rc)
		return rc;
	if (!fee_state_open(f.state) || f.state == FEE_CHARGING || !f.checkout_session_id[0]) {
		if (f.state == FEE_WITHDRAWN)
			return pd_error_set(err, PD_ERR_USAGE,
					    "fee %lld was withdrawn: it has no open pay link",
					    (long long)id);
		return pd_error_set(err, PD_ERR_USAGE, "fee %lld has no open pay link (it is %s)",
				    (long long)id, fee_state_label(f.state));
	}
	/* Paid already? Then it stays paid: the fee is charged, not expired. */
	if ((rc = link_now(e, &f, err)))
		return rc;
	if (f.checkout_session_id[0] && f.state != FEE_CHARGED) {
		char path[200];
		snprintf(path, sizeof path, "/v1/checkout/sessions/%s/expire",
			 f.checkout_session_id);
		struct stripe_response resp = {0};
		struct pd_error send_err = {0};
		int sent = pay_send(e, STRIPE_POST, path, NULL, &resp, &send_err);
		const char *status = sent == PD_OK ? pay_json_str(resp.json, "status") : NULL;
		if (status && strcmp(status, "expired") == 0) {
			enum fee_state from = f.state;
			f.checkout_session_id[0] = f.pay_link_url[0] = '\0';
			snprintf(f.message, sizeof f.message,
				 "The pay link was expired at Stripe: the client can no longer pay "
				 "it.");
			rc = record(e, &f, from, "fee.link.expire", err);
		} else {
			/* Refused (paid in between: complete) or no answer: read it back. */
			if ((rc = link_now(e, &f, err)) == PD_OK && f.checkout_session_id[0] &&
			    f.state != FEE_CHARGED)
				rc = pd_error_set(err, PD_ERR, FEE_EXPIRE_DOWN, send_err.msg);
		}
		stripe_response_clear(&resp);
		if (rc)
			return rc;
	}
	if (f.state == FEE_CHARGED) {
		char money[64];
		snprintf(f.message, sizeof f.message,
			 "The client paid %s on the pay link already: the fee is charged, not "
			 "expired. Undone, U offers its refund.",
			 money_format(f.amount, f.currency, money, sizeof money));
	}
	result_of(&f, r);
	return PD_OK;
}
