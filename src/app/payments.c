/* Payments for appointments: what all collection paths share (sending,
 * recording outcomes), the card on file and cancelling. Refunds live in
 * payments_refund.c, pay links in payments_link.c, Terminal readers in
 * payments_reader.c. */
#include "paydesk/payments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/appt_money.h"
#include "paydesk/audit.h"
#include "paydesk/booking_policy.h"
#include "paydesk/booking.h"
#include "paydesk/charge_queue.h"
#include "paydesk/clients.h"
#include "paydesk/customers.h"
#include "paydesk/day_close_store.h"
#include "paydesk/db.h"
#include "paydesk/log.h"
#include "paydesk/money.h"
#include "paydesk/outbox_runner.h"
#include "paydesk/packages.h"
#include "paydesk/settings.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_account.h"
#include "paydesk/stripe_reach.h"
#include "paydesk/readers.h"
#include "paydesk/refund_fee.h"
#include "payments_internal.h"

/* ---- shared helpers ------------------------------------------------------ */

void pay_copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

void pay_return_url(sqlite3 *db, char *out, size_t len)
{
	char *v = NULL;
	if (settings_get(db, "pay_link_return_url", &v, NULL) == PD_OK && v && *v)
		pay_copy(out, len, v);
	else
		pay_copy(out, len, PAYMENTS_RETURN_URL_DEFAULT);
	free(v);
}

const char *pay_actor(const struct session *who)
{
	return who && who->name[0] ? who->name : "system";
}

const char *pay_account(sqlite3 *db, char buf[64])
{
	struct stripe_account_row row;
	if (stripe_account_get(db, &row, NULL) != PD_OK || !row.connected_account[0])
		return NULL;
	snprintf(buf, 64, "%s", row.connected_account);
	return buf;
}

int pay_send_money_state(const struct pay_env *e, const char *path,
			 const struct stripe_params *p, struct stripe_response *resp,
			 enum outbox_state *state, struct pd_error *err)
{
	char acct[64];
	struct outbox_call call = {STRIPE_POST, path, p, pay_account(e->db, acct)};
	int64_t id = 0;
	*state = OUTBOX_FAILED;
	int rc = outbox_send(e->db, e->client, e->key, &call, e->cancel, &id, state, resp, err);
	if (!id)
		*state = OUTBOX_FAILED; /* nothing was written, so nothing was sent */
	return rc;
}

int pay_send_money(const struct pay_env *e, const char *path, const struct stripe_params *p,
		   struct stripe_response *resp, struct pd_error *err)
{
	enum outbox_state state;
	return pay_send_money_state(e, path, p, resp, &state, err);
}

bool pay_refund_unresolved(sqlite3 *db, const char *payment_intent)
{
	struct outbox_row *rows = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	char needle[128];
	snprintf(needle, sizeof needle, "payment_intent=%s", payment_intent);
	bool found = false;
	if (outbox_list_unresolved(db, &rows, &n, &err) == PD_OK)
		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(rows[i].path, "/v1/refunds") == 0 && rows[i].params &&
				strstr(rows[i].params, needle) != NULL;
	outbox_rows_free(&rows, n);
	return found;
}

int pay_send(const struct pay_env *e, enum stripe_method m, const char *path,
	     const struct stripe_params *p, struct stripe_response *resp, struct pd_error *err)
{
	char acct[64];
	struct stripe_request req = {.method = m, .path = path, .params = p, .key = e->key,
				     .account = pay_account(e->db, acct), .cancel = e->cancel};
	return stripe_client_send(e->client, &req, resp, err);
}

const char *pay_json_str(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	if (json_is_object(v))
		v = json_object_get(v, "id");
	return json_is_string(v) ? json_string_value(v) : NULL;
}

void pay_add_metadata(struct stripe_params *p, const char *prefix, const struct appointment *a)
{
	char key[96], val[32];
	snprintf(key, sizeof key, "%sappointment_id]", prefix);
	snprintf(val, sizeof val, "%lld", (long long)a->id);
	stripe_params_add(p, key, val);
	snprintf(key, sizeof key, "%sclient_id]", prefix);
	snprintf(val, sizeof val, "%lld", (long long)a->client_id);
	stripe_params_add(p, key, val);
	snprintf(key, sizeof key, "%sservice]", prefix);
	stripe_params_add(p, key, a->service_name ? a->service_name : "");
	snprintf(key, sizeof key, "%ssource]", prefix);
	stripe_params_add(p, key, "paydesk");
}

void pay_add_policy(sqlite3 *db, struct stripe_params *p, const char *prefix,
		    const struct appointment *a, bool custom_text)
{
	struct policy_acceptance acc;
	struct booking_policy pol;
	char text[POLICY_TEXT_MAX + 1] = "";
	int64_t version = 0;
	if (policies_acceptance_last(db, a->id, &acc, NULL) == PD_OK && acc.policy_id) {
		version = acc.policy_version;
		snprintf(text, sizeof text, "%s", acc.text);
	} else if (policy_for_appointment(db, a, &pol, text, sizeof text, NULL) == PD_OK &&
		   !policy_is_empty(&pol)) {
		version = pol.version;
	}
	if (!version)
		return;
	char key[96], val[32];
	snprintf(key, sizeof key, "%spolicy_version]", prefix);
	snprintf(val, sizeof val, "%lld", (long long)version);
	stripe_params_add(p, key, val);
	if (custom_text)
		stripe_params_add(p, "custom_text[submit][message]", text);
}

int payments_booking_mode(sqlite3 *db)
{
	char *v = NULL;
	int mode = BOOKING_PAY_OFF;
	if (settings_get(db, "payment_at_booking", &v, NULL) == PD_OK && v) {
		if (strcmp(v, "required") == 0)
			mode = BOOKING_PAY_REQUIRED;
		else if (strcmp(v, "optional") == 0)
			mode = BOOKING_PAY_OPTIONAL;
	}
	free(v);
	return mode;
}

static int audit(sqlite3 *db, const struct session *who, const char *action,
		 const struct appointment *a, int64_t amount, const char *object_id,
		 const char *extra, struct pd_error *err)
{
	char detail[800];
	booking_describe(a, detail, sizeof detail);
	if (extra && *extra) {
		size_t n = strlen(detail);
		snprintf(detail + n, sizeof detail - n, " · %s", extra);
	}
	char obj[96];
	snprintf(obj, sizeof obj, "%s", object_id ? object_id : "");
	if (!*obj)
		snprintf(obj, sizeof obj, "appointment:%lld", (long long)a->id);
	struct audit_entry en = {.actor = pay_actor(who), .action = action, .detail = detail,
				 .has_amount = amount >= 0, .amount = amount < 0 ? 0 : amount,
				 .currency = amount >= 0 ? a->currency : NULL, .object_id = obj};
	return audit_append(db, &en, err);
}

static bool open_row(enum payrow_status s)
{
	return s == PAYROW_STARTING || s == PAYROW_OPEN || s == PAYROW_UNKNOWN;
}

/* The appointment's payment state from all its attempts. */
static enum appt_payment derive_payment(sqlite3 *db, int64_t id, int64_t paid, int64_t refunded)
{
	if (paid > 0)
		return refunded >= paid ? PAY_REFUNDED : refunded > 0 ? PAY_PARTIALLY_REFUNDED
								 : PAY_PAID;
	struct pay_attempt last;
	if (payrows_latest(db, id, -1, &last, NULL) != PD_OK)
		return PAY_NONE;
	enum appt_payment p = open_row(last.status)		 ? PAY_PENDING
			      : last.status == PAYROW_FAILED ? PAY_FAILED
							     : PAY_NONE;
	pay_attempt_free(&last);
	return p;
}

void pay_result_from(sqlite3 *db, int64_t appointment_id, struct pay_result *r)
{
	struct appointment a;
	if (appointments_get(db, appointment_id, &a, NULL) == PD_OK) {
		r->state = a.state;
		r->payment = a.payment;
		appointment_free(&a);
	}
}

int pay_settle(const struct pay_env *e, struct pay_attempt *row, const char *request_id,
	       const char *action, int64_t audit_amount, const char *object_id,
	       struct pay_result *r, struct pd_error *err)
{
	int rc = db_begin(e->db, err);
	if (rc)
		return rc;
	rc = pay_settle_in(e, row, request_id, action, audit_amount, object_id, r, err);
	rc = db_finish(e->db, rc, err);
	if (rc)
		log_msg(LOG_ERROR, "payment %lld: outcome not recorded: %s", (long long)row->id,
			err ? err->msg : "");
	return rc;
}

int pay_settle_in(const struct pay_env *e, struct pay_attempt *row, const char *request_id,
		  const char *action, int64_t audit_amount, const char *object_id,
		  struct pay_result *r, struct pd_error *err)
{
	if (request_id) {
		free(row->request_id);
		row->request_id = strdup(request_id);
	}
	struct appointment a;
	int rc = payrows_update(e->db, row, err);
	if (!rc)
		rc = appointments_get(e->db, row->appointment_id, &a, err);
	if (rc)
		return rc;
	int64_t paid = 0, refunded = 0;
	rc = payrows_totals(e->db, a.id, &paid, &refunded, err);
	a.payment = derive_payment(e->db, a.id, paid, refunded);
	/* Paid (or a deposit paid): the booking is confirmed — once its booking
	 * policy's required deposit is in, when it asks one. */
	if (paid > 0 && paid - refunded >= policy_confirm_threshold(e->db, &a) &&
	    (a.state == APPT_BOOKED || a.state == APPT_AWAITING_PAYMENT))
		a.state = APPT_CONFIRMED;
	/* A deposit: collected, less than the price (0 once the rest is in). */
	a.deposit = paid > 0 && paid < a.amount ? paid : 0;
	if (row->payment_intent_id) {
		free(a.payment_intent_id);
		a.payment_intent_id = strdup(row->payment_intent_id);
	}
	if (row->checkout_session_id) {
		free(a.checkout_session_id);
		a.checkout_session_id = strdup(row->checkout_session_id);
	}
	if (row->request_id) {
		free(a.last_request_id);
		a.last_request_id = strdup(row->request_id);
	}
	if (!rc)
		rc = appointments_set_payment(e->db, &a, err);
	if (!rc && action)
		rc = audit(e->db, e->who, action, &a, audit_amount, object_id, row->message, err);
	if (r) {
		r->state = a.state;
		r->payment = a.payment;
		pay_copy(r->request_id, sizeof r->request_id, row->request_id);
		if (object_id)
			pay_copy(r->object_id, sizeof r->object_id, object_id);
	}
	appointment_free(&a);
	return rc;
}

int payments_due(sqlite3 *db, int64_t appointment_id, int64_t *due, int64_t *paid,
		 int64_t *refunded, struct pd_error *err)
{
	struct appointment a;
	int rc = appointments_get(db, appointment_id, &a, err);
	if (rc)
		return rc;
	int64_t p = 0, r = 0;
	rc = payrows_totals(db, appointment_id, &p, &r, err);
	if (!rc) {
		*due = a.amount > p ? a.amount - p : 0;
		if (paid)
			*paid = p;
		if (refunded)
			*refunded = r;
	}
	appointment_free(&a);
	return rc;
}

int payments_after_booking(sqlite3 *db, const struct session *who, int64_t appointment_id,
			   struct pd_error *err)
{
	if (payments_booking_mode(db) != BOOKING_PAY_REQUIRED)
		return PD_OK;
	struct appointment a;
	int rc = appointments_begin_get(db, appointment_id, &a, err);
	if (rc)
		return rc;
	if (a.state == APPT_BOOKED && a.amount > 0) {
		a.state = APPT_AWAITING_PAYMENT;
		rc = appointments_set_payment(db, &a, err);
		if (!rc)
			rc = audit(db, who, "payment.required", &a, a.amount, NULL,
				   "confirmed once the payment succeeds", err);
	}
	appointment_free(&a);
	return db_finish(db, rc, err);
}

int pay_begin(const struct pay_env *e, int64_t appointment_id, enum payrow_method method,
	      int64_t *amount, struct appointment *a, struct pay_attempt *row,
	      struct pd_error *err)
{
	memset(row, 0, sizeof *row);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	if (!e->key)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	rc = db_begin(e->db, err);
	if (rc)
		return rc;
	rc = appointments_get(e->db, appointment_id, a, err);
	if (rc)
		return db_finish(e->db, rc, err);
	/* A queued charge sent (or dropped) by someone else says so first. */
	if (e->queued_charge && (rc = charge_queue_claimable(e->db, e->queued_charge, err))) {
		appointment_free(a);
		return db_finish(e->db, rc, err);
	}
	int64_t paid = 0, refunded = 0;
	rc = payrows_totals(e->db, appointment_id, &paid, &refunded, err);
	int64_t due = a->amount > paid ? a->amount - paid : 0;
	struct pay_attempt last = {0};
	bool busy = payrows_latest(e->db, appointment_id, -1, &last, NULL) == PD_OK &&
		    open_row(last.status) && !(method == PAYROW_LINK && last.method == PAYROW_LINK);
	char money[64];
	if (rc) {
	} else if (a->state == APPT_CANCELLED || a->state == APPT_NO_SHOW) {
		rc = pd_error_set(err, PD_ERR_USAGE, "a %s appointment takes no payment",
				  appt_state_label(a->state));
	} else if (due == 0) {
		rc = pd_error_set(err, PD_ERR_USAGE, "nothing is due: %s already paid",
				  money_format(paid, a->currency, money, sizeof money));
	} else if (*amount < 0 || *amount > due) {
		rc = pd_error_set(err, PD_ERR_USAGE, "at most %s is due",
				  money_format(due, a->currency, money, sizeof money));
	} else if (busy && last.status == PAYROW_UNKNOWN) {
		rc = pd_error_set(err, PD_ERR_USAGE, PAY_UNKNOWN_REFUSAL);
	} else if (busy) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "a %s payment of this appointment is still under way (%s): "
				  "finish or cancel it first",
				  payrow_method_key(last.method), payrow_status_key(last.status));
	}
	pay_attempt_free(&last);
	if (!rc && e->tip < 0)
		rc = pd_error_set(err, PD_ERR_USAGE, "a tip is 0 or more");
	if (!rc && *amount == 0)
		*amount = due;
	if (!rc) {
		row->appointment_id = appointment_id;
		row->method = method;
		row->status = PAYROW_STARTING;
		row->amount = *amount;
		memcpy(row->currency, a->currency, sizeof row->currency);
		row->actor = strdup(pay_actor(e->who));
		readers_desk_name(row->desk, sizeof row->desk);
		rc = payrows_insert(e->db, row, &row->id, err);
	}
	if (!rc && e->tip > 0)
		rc = payrow_tip_set(e->db, row->id, e->tip, err);
	/* A queued charge leaves the queue with its attempt, or not at all. */
	if (!rc && e->queued_charge)
		rc = charge_queue_claim(e, appointment_id, *amount, row->id, err);
	if (!rc) {
		a->payment = PAY_PENDING;
		rc = appointments_set_payment(e->db, a, err);
	}
	rc = db_finish(e->db, rc, err);
	if (rc) {
		appointment_free(a);
		pay_attempt_free(row);
	}
	return rc;
}

/* Why a card was refused, and what the desk can do next. */
static const char *decline_why(const char *code, const char *decline_code, const char **next)
{
	const char *c = code ? code : "";
	const char *d = decline_code ? decline_code : "";
	const char *why = "The card was declined";
	*next = "Try another card or send a pay link.";
	if (strcmp(c, "authentication_required") == 0 || strcmp(d, "authentication_required") == 0) {
		why = "The card's bank wants the client to confirm this payment themselves";
		*next = "Send a pay link: the client confirms it on their phone.";
	} else if (strcmp(d, "insufficient_funds") == 0) {
		why = "The card was declined for insufficient funds";
	} else if (strcmp(d, "lost_card") == 0 || strcmp(d, "stolen_card") == 0) {
		why = "The card was declined (reported lost or stolen)";
		*next = "Ask for another card, or send a pay link.";
	} else if (strcmp(c, "expired_card") == 0) {
		why = "The card has expired";
		*next = "Ask for another card, or send a pay link.";
	} else if (strcmp(c, "incorrect_cvc") == 0) {
		why = "The card's security code was wrong";
	} else if (strcmp(c, "processing_error") == 0) {
		why = "The card could not be processed (an error at the bank)";
		*next = "Try again in a moment, or send a pay link.";
	} else if (strcmp(d, "call_issuer") == 0 || strcmp(d, "do_not_honor") == 0) {
		why = "The card was declined by the bank";
		*next = "The client should call their bank; or try another card or a pay link.";
	}
	return why;
}

void payments_decline_words(const char *code, const char *decline_code, char *out, size_t len)
{
	const char *next;
	const char *why = decline_why(code, decline_code, &next);
	snprintf(out, len, "%s. %s", why, next);
}

const char *payments_decline_reason(const char *code, const char *decline_code)
{
	const char *next;
	return decline_why(code, decline_code, &next);
}

/* Record a Stripe refusal or a lost answer on row. sent: the outbox's word
 * on the call (OUTBOX_FAILED: certainly never reached Stripe). */
static int record_failure(const struct pay_env *e, struct pay_attempt *row,
			  const struct stripe_response *resp, enum outbox_state sent,
			  const struct pd_error *send_err, const char *action,
			  struct pay_result *r, struct pd_error *err)
{
	char msg[512];
	bool lost = resp->outcome != STRIPE_OUTCOME_API_ERROR ||
		    resp->http_status == 409 || resp->http_status == 429 ||
		    resp->http_status >= 500;
	if (lost && sent == OUTBOX_FAILED && resp->outcome != STRIPE_OUTCOME_API_ERROR) {
		row->status = PAYROW_CANCELLED; /* nothing was sent: nothing can be charged */
		snprintf(msg, sizeof msg, PAY_NOT_SENT, send_err->msg);
	} else if (lost) {
		row->status = PAYROW_UNKNOWN;
		snprintf(msg, sizeof msg, PAY_UNKNOWN_HINT ": no clear answer from Stripe (%s); "
			 "nothing is charged twice.",
			 resp->error.message ? resp->error.message : "no answer");
	} else if (resp->error.type && strcmp(resp->error.type, "card_error") == 0) {
		row->status = PAYROW_FAILED;
		payments_decline_words(resp->error.code, resp->error.decline_code, msg, sizeof msg);
		r->offer_link = true;
	} else {
		row->status = PAYROW_FAILED;
		snprintf(msg, sizeof msg, "Stripe refused it: %s",
			 resp->error.message ? resp->error.message : "no reason given");
	}
	free(row->message);
	row->message = strdup(msg);
	pay_copy(r->message, sizeof r->message, msg);
	return pay_settle(e, row, resp->request_id, action, row->amount, row->payment_intent_id, r,
			  err);
}

/* ---- (1) the card on file ---------------------------------------------- */

static int first_card(sqlite3 *db, int64_t client_id, char out[64])
{
	struct client_card *cards;
	size_t n;
	if (client_cards_list(db, client_id, &cards, &n, NULL) != PD_OK || n == 0)
		return PD_ERR_NOT_FOUND;
	snprintf(out, 64, "%s", cards[0].payment_method_id);
	free(cards);
	return PD_OK;
}

/* No card known locally: Stripe may know one saved since (another desk, the dashboard). */
static int refresh_cards(const struct pay_env *e, int64_t client_id)
{
	struct pay_result r;
	return customers_cards_refresh(e, client_id, &r, NULL);
}

int payments_charge_card(const struct pay_env *e, int64_t appointment_id, int64_t amount,
			 const char *payment_method, struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct client c;
	struct appointment peek;
	int rc = appointments_get(e->db, appointment_id, &peek, err);
	if (rc)
		return rc;
	rc = clients_get(e->db, peek.client_id, &c, err);
	appointment_free(&peek);
	if (rc)
		return rc;
	char pm[64] = "";
	if (!c.stripe_customer_id)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "%s has no Stripe customer yet: turn on Stripe billing for them "
				  "(Clients tab), or send a pay link",
				  c.name);
	else if (payment_method && *payment_method)
		pay_copy(pm, sizeof pm, payment_method);
	else if (first_card(e->db, c.id, pm) != PD_OK) {
		int listed = e->key ? refresh_cards(e, c.id) : PD_ERR_LOCKED;
		if (listed && stripe_reach_down(NULL)) /* not "no card": Stripe could not say */
			rc = pd_error_set(err, PD_ERR,
					  "Stripe does not answer: %s's saved cards could not be "
					  "listed, nothing was charged. Take cash, or try again once "
					  "Stripe is back",
					  c.name);
		else if (listed || first_card(e->db, c.id, pm) != PD_OK)
			rc = pd_error_set(err, PD_ERR_USAGE,
					  "%s has no saved card: send a pay link or save a card "
					  "for next time (Clients tab)",
					  c.name);
	}
	char customer[64];
	pay_copy(customer, sizeof customer, c.stripe_customer_id);
	client_free(&c);
	if (rc)
		return rc;

	struct appointment a;
	struct pay_attempt row;
	rc = pay_begin(e, appointment_id, PAYROW_CARD, &amount, &a, &row, err);
	if (rc)
		return rc;
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_int(p, "amount", amount + e->tip);
	stripe_params_add(p, "currency", a.currency);
	stripe_params_add(p, "customer", customer);
	stripe_params_add(p, "payment_method", pm);
	stripe_params_add(p, "payment_method_types[]", "card");
	stripe_params_add(p, "description", a.service_name);
	pay_add_metadata(p, "metadata[", &a);
	pay_add_policy(e->db, p, "metadata[", &a, false);
	pay_add_tip_receipt(e, p, "", &a, e->tip);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	enum outbox_state sent;
	rc = pay_send_money_state(e, "/v1/payment_intents", p, &resp, &sent, &send_err);
	stripe_params_free(&p);
	if (resp.outcome != STRIPE_OUTCOME_OK) {
		rc = record_failure(e, &row, &resp, sent, &send_err, "payment.card.failed", r, err);
		goto out;
	}
	row.payment_intent_id = strdup(pay_json_str(resp.json, "id") ? pay_json_str(resp.json, "id")
								      : "");
	payrows_update(e->db, &row, NULL); /* the PaymentIntent id, before confirming */
	stripe_response_clear(&resp);

	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s/confirm", row.payment_intent_id);
	p = stripe_params_new();
	stripe_params_add_bool(p, "off_session", true);
	rc = pay_send_money_state(e, path, p, &resp, &sent, &send_err);
	stripe_params_free(&p);
	if (resp.outcome != STRIPE_OUTCOME_OK) {
		rc = record_failure(e, &row, &resp, sent, &send_err, "payment.card.failed", r, err);
		goto out;
	}
	const char *status = pay_json_str(resp.json, "status");
	char money[64], msg[512], tipped[96];
	money_format(amount, a.currency, money, sizeof money);
	pay_tip_words(e->tip, a.currency, tipped, sizeof tipped);
	if (status && strcmp(status, "succeeded") == 0) {
		row.status = PAYROW_SUCCEEDED;
		snprintf(msg, sizeof msg, "Paid %s%s with the saved card.", money, tipped);
	} else if (status && strcmp(status, "processing") == 0) {
		row.status = PAYROW_OPEN;
		snprintf(msg, sizeof msg, "%s is processing at the bank.", money);
	} else {
		row.status = PAYROW_FAILED;
		r->offer_link = true;
		snprintf(msg, sizeof msg,
			 "The card needs the client to confirm the payment (%s). Send a pay link.",
			 status ? status : "?");
	}
	row.message = strdup(msg);
	pay_copy(r->message, sizeof r->message, msg);
	rc = pay_settle(e, &row, resp.request_id,
			row.status == PAYROW_SUCCEEDED ? "payment.card.succeeded" : "payment.card.failed",
			amount, row.payment_intent_id, r, err);
out:
	stripe_response_clear(&resp);
	appointment_free(&a);
	pay_attempt_free(&row);
	return rc;
}

/* ---- cancelling ------------------------------------------------------------ */

/* Cancel what row left open at Stripe; paid rows are left alone. */
static int close_row(const struct pay_env *e, struct pay_attempt *row, struct pay_result *r,
		     struct pd_error *err)
{
	if (row->status == PAYROW_SUCCEEDED || row->status == PAYROW_CANCELLED ||
	    row->status == PAYROW_EXPIRED)
		return PD_OK;
	struct stripe_response resp;
	struct pd_error send_err = {0};
	char path[200];
	const char *req_id = NULL;
	if (row->method == PAYROW_LINK && row->checkout_session_id && row->status == PAYROW_OPEN) {
		/* Paid meanwhile? Then it stays paid. */
		struct pay_result lr;
		payments_link_check(e, row->appointment_id, &lr, NULL);
		struct pay_attempt now;
		if (payrows_get(e->db, row->id, &now, NULL) == PD_OK) {
			bool still_open = now.status == PAYROW_OPEN;
			pay_attempt_free(&now);
			if (!still_open)
				return PD_OK;
		}
		snprintf(path, sizeof path, "/v1/checkout/sessions/%s/expire",
			 row->checkout_session_id);
		if (pay_send(e, STRIPE_POST, path, NULL, &resp, &send_err) != PD_OK) {
			stripe_response_clear(&resp);
			return pd_error_set(err, PD_ERR, "the pay link could not be expired: %s",
					    send_err.msg);
		}
		stripe_response_clear(&resp);
	} else if (row->payment_intent_id && row->status != PAYROW_STARTING) {
		if (row->method == PAYROW_READER && row->reader_id) {
			snprintf(path, sizeof path, "/v1/terminal/readers/%s/cancel_action",
				 row->reader_id);
			pay_send(e, STRIPE_POST, path, NULL, &resp, &send_err);
			stripe_response_clear(&resp);
		}
		snprintf(path, sizeof path, "/v1/payment_intents/%s/cancel", row->payment_intent_id);
		struct stripe_params *p = stripe_params_new();
		stripe_params_add(p, "cancellation_reason", "requested_by_customer");
		pay_send_money(e, path, p, &resp, &send_err);
		stripe_params_free(&p);
		const char *st = resp.outcome == STRIPE_OUTCOME_OK ? pay_json_str(resp.json, "status")
								    : NULL;
		if (!st || strcmp(st, "canceled") != 0) {
			/* Already succeeded (a reader finishing) or no answer: don't pretend. */
			int rc = pd_error_set(err, PD_ERR,
					      "the payment %s could not be cancelled: %s — "
					      "nothing else was changed",
					      row->payment_intent_id, send_err.msg);
			stripe_response_clear(&resp);
			return rc;
		}
		req_id = resp.request_id;
		row->status = PAYROW_CANCELLED;
		free(row->message);
		row->message = strdup("payment cancelled with the appointment");
		int rc = pay_settle(e, row, req_id, "payment.cancel", row->amount,
				    row->payment_intent_id, r, err);
		stripe_response_clear(&resp);
		return rc;
	} else if (row->status == PAYROW_UNKNOWN || row->status == PAYROW_STARTING) {
		return pd_error_set(err, PD_ERR_USAGE,
				    "a payment of this appointment has no clear answer from Stripe "
				    "yet: Y re-checks it at Stripe, then cancel");
	}
	row->status = row->status == PAYROW_FAILED ? PAYROW_FAILED : PAYROW_CANCELLED;
	free(row->message);
	row->message = strdup("closed with the appointment");
	return pay_settle(e, row, NULL, "payment.cancel", row->amount,
			  row->checkout_session_id ? row->checkout_session_id : row->payment_intent_id,
			  r, err);
}

int payments_cancel_appointment(const struct pay_env *e, int64_t appointment_id, int64_t version,
				struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow(e->who, AUTH_BOOK, err);
	if (rc)
		return rc;
	struct appointment a;
	rc = appointments_get(e->db, appointment_id, &a, err);
	if (rc)
		return rc;
	if (a.version != version)
		rc = pd_error_set(err, PD_ERR_CONFLICT,
				  "someone else changed this appointment since you opened it; "
				  "nothing was cancelled — look at it again, then retry");
	appointment_free(&a);
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	if (!rc)
		rc = payrows_list(e->db, appointment_id, &rows, &n, err);
	int closed = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		bool had_intent = rows[i].status != PAYROW_SUCCEEDED &&
				  rows[i].status != PAYROW_CANCELLED && rows[i].status != PAYROW_EXPIRED;
		if (had_intent && (rows[i].status != PAYROW_FAILED || rows[i].payment_intent_id)) {
			if (!e->key) {
				rc = pd_error_set(err, PD_ERR_LOCKED,
						  "Stripe is not unlocked: its open payment cannot be "
						  "cancelled yet");
				break;
			}
			rc = close_row(e, &rows[i], r, err);
			closed++;
		}
	}
	pay_attempts_free_list(&rows, n);
	if (!rc)
		rc = appointments_get(e->db, appointment_id, &a, err);
	if (rc)
		return rc;
	int64_t now_version = a.version;
	appointment_free(&a);
	rc = booking_set_state(e->db, e->who, appointment_id, now_version, APPT_CANCELLED, err);
	if (rc)
		return rc;
	pay_result_from(e->db, appointment_id, r);
	r->done = true;
	snprintf(r->message, sizeof r->message, "Cancelled%s%s.",
		 closed ? "; its unpaid payment was cancelled at Stripe" : "",
		 r->payment == PAY_PAID || r->payment == PAY_PARTIALLY_REFUNDED
			 ? ". It was paid: refund it with r if needed"
			 : "");
	return PD_OK;
}
