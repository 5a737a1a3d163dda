/* A card held on a reader: the booking's SetupIntent (card_present, usage
 * off_session, metadata client, appointment, policy version) handed to a
 * Terminal reader with process_setup_intent. The client taps or inserts
 * the card; Stripe saves a generated card on the customer, which the desk
 * charges later off-session (fees). Watched and cancelled as a reader
 * payment is (payments_reader.c): the reader's action decides, and when
 * the reader no longer shows it the SetupIntent's own status does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/customers.h"
#include "paydesk/policies.h"
#include "paydesk/reader_holds.h"
#include "payments_internal.h"

static void audit_hold(sqlite3 *db, const struct session *who, const char *action,
		       const struct reader_hold *h, const char *detail)
{
	struct audit_entry en = {.actor = pay_actor(who), .action = action, .detail = detail,
				 .object_id = h->setup_intent_id[0] ? h->setup_intent_id : NULL};
	audit_append(db, &en, NULL);
}

/* Close an open try with its audit entry, in one transaction. A try some
 * other desk closed first is left as that desk wrote it (no second entry). */
static int close_hold(const struct pay_env *e, struct reader_hold *h, const char *action,
		      struct pd_error *err)
{
	int rc = db_begin(e->db, err);
	if (rc)
		return rc;
	struct pd_error cerr = {0};
	rc = reader_holds_close(e->db, h, &cerr);
	if (!rc) {
		char detail[700];
		struct client c;
		bool named = clients_get(e->db, h->client_id, &c, NULL) == PD_OK;
		snprintf(detail, sizeof detail, "%s · reader %s · %s", named ? c.name : "?",
			 h->reader_id, h->message);
		if (named)
			client_free(&c);
		audit_hold(e->db, e->who, action, h, detail);
		return db_commit(e->db, err);
	}
	db_rollback(e->db);
	if (rc == PD_ERR_CONFLICT) {
		struct reader_hold now;
		if (reader_holds_latest(e->db, h->client_id, &now, NULL) == PD_OK && now.id == h->id)
			*h = now;
		return PD_OK;
	}
	*err = cerr;
	return rc;
}

/* The appointment the card is held for: the one given, else the client's
 * next booking whose policy holds a card (as the save-a-card link). */
static int64_t held_for(sqlite3 *db, int64_t client_id, int64_t given)
{
	if (given)
		return given;
	int64_t next = 0;
	struct appointment a;
	if (policies_next_appointment(db, client_id, (int64_t)time(NULL), &next, NULL) != PD_OK ||
	    !next || appointments_get(db, next, &a, NULL) != PD_OK)
		return 0;
	struct booking_policy pol;
	bool holds = policies_effective(db, a.service_id, &pol, NULL) == PD_OK && pol.hold_card;
	appointment_free(&a);
	return holds ? next : 0;
}

static void hold_result(const struct reader_hold *h, struct pay_result *r)
{
	r->done = h->status != HOLD_OPEN;
	pay_copy(r->object_id, sizeof r->object_id, h->setup_intent_id);
	pay_copy(r->message, sizeof r->message, h->message);
}

int customers_reader_hold_start(const struct pay_env *e, int64_t client_id,
				int64_t appointment_id, const char *reader_id, struct pay_result *r,
				struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	if (!e->key)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	struct reader_hold h;
	if (reader_holds_latest(e->db, client_id, &h, NULL) == PD_OK && h.status == HOLD_OPEN) {
		rc = customers_reader_hold_check(e, client_id, r, err);
		if (rc || !r->done) {
			if (!rc)
				snprintf(r->message, sizeof r->message,
					 "The reader is still waiting for the card: tap it there, or "
					 "cancel it first.");
			return rc;
		}
		memset(r, 0, sizeof *r);
	}
	struct client c;
	rc = customers_client_on_stripe(e, client_id, "held", &c, r, err);
	if (rc)
		return rc;
	char reader[64], label[128];
	rc = pay_pick_reader(e, reader_id, reader, label, err);
	if (rc) {
		client_free(&c);
		return rc;
	}
	memset(&h, 0, sizeof h);
	h.client_id = client_id;
	h.appointment_id = held_for(e->db, client_id, appointment_id);
	pay_copy(h.reader_id, sizeof h.reader_id, reader);
	snprintf(h.message, sizeof h.message, "asking Stripe for the reader");
	/* Recorded before anything is sent: a crash leaves an open try that a
	 * check closes from what Stripe holds; a SetupIntent charges no one. */
	rc = db_begin(e->db, err);
	if (!rc)
		rc = reader_holds_insert(e->db, &h, pay_actor(e->who), &h.id, err);
	if (!rc) {
		char detail[400];
		snprintf(detail, sizeof detail, "%s · reader %s", c.name, label[0] ? label : reader);
		audit_hold(e->db, e->who, "customer.reader_hold", &h, detail);
		rc = db_commit(e->db, err);
	} else {
		db_rollback(e->db);
	}
	if (rc) {
		client_free(&c);
		return rc;
	}
	char id[32], hid[32];
	snprintf(id, sizeof id, "%lld", (long long)client_id);
	snprintf(hid, sizeof hid, "%lld", (long long)h.id);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "customer", c.stripe_customer_id);
	stripe_params_add(p, "payment_method_types[]", "card_present");
	stripe_params_add(p, "usage", "off_session");
	stripe_params_add(p, "description", "Card held for bookings (paydesk)");
	stripe_params_add(p, "metadata[client_id]", id);
	stripe_params_add(p, "metadata[reader_hold_id]", hid);
	stripe_params_add(p, "metadata[source]", "paydesk");
	struct appointment a;
	if (h.appointment_id && appointments_get(e->db, h.appointment_id, &a, NULL) == PD_OK) {
		char aid[32];
		snprintf(aid, sizeof aid, "%lld", (long long)h.appointment_id);
		stripe_params_add(p, "metadata[appointment_id]", aid);
		pay_add_policy(e->db, p, "metadata[", &a, false);
		appointment_free(&a);
	}
	client_free(&c);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	pay_send_money(e, "/v1/setup_intents", p, &resp, &send_err);
	stripe_params_free(&p);
	if (resp.outcome != STRIPE_OUTCOME_OK) {
		h.status = HOLD_FAILED;
		snprintf(h.message, sizeof h.message,
			 "The card was not asked for: %.300s. Nothing was saved; try again or send "
			 "the save-a-card link.",
			 send_err.msg[0] ? send_err.msg : "Stripe did not answer");
		stripe_response_clear(&resp);
		rc = close_hold(e, &h, "customer.reader_hold.failed", err);
		hold_result(&h, r);
		return rc;
	}
	pay_copy(h.setup_intent_id, sizeof h.setup_intent_id, pay_json_str(resp.json, "id"));
	stripe_response_clear(&resp);
	reader_holds_set_intent(e->db, h.id, h.setup_intent_id, NULL);

	char path[200];
	snprintf(path, sizeof path, "/v1/terminal/readers/%s/process_setup_intent", reader);
	p = stripe_params_new();
	stripe_params_add(p, "setup_intent", h.setup_intent_id);
	/* The desk asked the client before sending (the confirm names it). */
	stripe_params_add_bool(p, "customer_consent_collected", true);
	pay_send_money(e, path, p, &resp, &send_err);
	stripe_params_free(&p);
	if (resp.outcome != STRIPE_OUTCOME_OK) {
		const char *code = resp.error.code;
		if (code && strcmp(code, "terminal_reader_busy") == 0)
			snprintf(h.message, sizeof h.message,
				 "The reader is busy with another payment: finish or cancel it "
				 "there, then try again.");
		else if (code && strcmp(code, "terminal_reader_offline") == 0)
			snprintf(h.message, sizeof h.message,
				 "The reader is offline: check its power and network, or send the "
				 "save-a-card link.");
		else
			snprintf(h.message, sizeof h.message, "The reader did not start: %.400s",
				 send_err.msg);
		stripe_response_clear(&resp);
		/* The SetupIntent is of no use without the reader. */
		snprintf(path, sizeof path, "/v1/setup_intents/%s/cancel", h.setup_intent_id);
		struct stripe_params *cp = stripe_params_new();
		stripe_params_add(cp, "cancellation_reason", "abandoned");
		struct pd_error cerr = {0};
		pay_send_money(e, path, cp, &resp, &cerr);
		stripe_params_free(&cp);
		stripe_response_clear(&resp);
		h.status = HOLD_FAILED;
		rc = close_hold(e, &h, "customer.reader_hold.failed", err);
		hold_result(&h, r);
		return rc;
	}
	stripe_response_clear(&resp);
	snprintf(h.message, sizeof h.message,
		 "Reader %s: the client taps or inserts the card to keep it on file (nothing is "
		 "charged). K here cancels it.",
		 label[0] ? label : reader);
	hold_result(&h, r);
	return PD_OK;
}

/* The generated card's brand and last4, read back by id. */
static void card_words(const struct pay_env *e, struct reader_hold *h)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_methods/%s", h->payment_method_id);
	struct stripe_response resp;
	if (pay_send(e, STRIPE_GET, path, NULL, &resp, NULL) == PD_OK) {
		json_t *card = json_object_get(resp.json, "card");
		pay_copy(h->brand, sizeof h->brand, pay_json_str(card, "brand"));
		pay_copy(h->last4, sizeof h->last4, pay_json_str(card, "last4"));
	}
	stripe_response_clear(&resp);
}

static int hold_succeeded(const struct pay_env *e, struct reader_hold *h, const char *generated,
			  struct pay_result *r, struct pd_error *err)
{
	pay_copy(h->payment_method_id, sizeof h->payment_method_id, generated);
	if (h->payment_method_id[0])
		card_words(e, h);
	h->status = HOLD_COMPLETE;
	if (h->last4[0])
		snprintf(h->message, sizeof h->message,
			 "Card held: %s ending %s, kept on file for fees (nothing charged).",
			 h->brand, h->last4);
	else
		snprintf(h->message, sizeof h->message,
			 "Card held on file for fees (nothing charged).");
	int rc = close_hold(e, h, "customer.reader_hold.succeeded", err);
	struct pay_result cr;
	if (!rc)
		customers_cards_refresh(e, h->client_id, &cr, NULL); /* "card held" on the booking */
	hold_result(h, r);
	return rc;
}

/* The SetupIntent's own word, when the reader no longer shows our action. */
static int settle_from_intent(const struct pay_env *e, struct reader_hold *h,
			      struct pay_result *r, struct pd_error *err)
{
	if (!h->setup_intent_id[0]) {
		h->status = HOLD_FAILED;
		snprintf(h->message, sizeof h->message,
			 "The reader was never asked (stopped before Stripe answered): nothing saved.");
		int rc = close_hold(e, h, "customer.reader_hold.failed", err);
		hold_result(h, r);
		return rc;
	}
	char path[160];
	snprintf(path, sizeof path, "/v1/setup_intents/%s", h->setup_intent_id);
	struct stripe_response resp;
	int rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	if (rc) {
		stripe_response_clear(&resp);
		return rc;
	}
	const char *st = pay_json_str(resp.json, "status");
	if (st && strcmp(st, "succeeded") == 0) {
		stripe_response_clear(&resp);
		/* The reader moved on: the generated card is the customer's newest. */
		struct pay_result cr;
		rc = customers_cards_refresh(e, h->client_id, &cr, err);
		struct client_card *cards = NULL;
		size_t n = 0;
		char pm[64] = "";
		if (!rc && client_cards_list(e->db, h->client_id, &cards, &n, NULL) == PD_OK && n)
			pay_copy(pm, sizeof pm, cards[0].payment_method_id);
		free(cards);
		return rc ? rc : hold_succeeded(e, h, pm, r, err);
	}
	if (st && (strcmp(st, "requires_payment_method") == 0 || strcmp(st, "canceled") == 0)) {
		json_t *last = json_object_get(resp.json, "last_setup_error");
		h->status = HOLD_CANCELLED;
		if (json_is_object(last)) {
			char words[300];
			payments_decline_words(pay_json_str(last, "code"),
					       pay_json_str(last, "decline_code"), words, sizeof words);
			h->status = HOLD_FAILED;
			snprintf(h->message, sizeof h->message, "No card held: %.400s", words);
		} else {
			snprintf(h->message, sizeof h->message,
				 "The reader was stopped before a card was read: no card held.");
		}
		stripe_response_clear(&resp);
		rc = close_hold(e, h,
				h->status == HOLD_FAILED ? "customer.reader_hold.failed"
							 : "customer.reader_hold.cancelled",
				err);
		hold_result(h, r);
		return rc;
	}
	snprintf(r->message, sizeof r->message, "Card on the reader: %s.", st ? st : "?");
	stripe_response_clear(&resp);
	return PD_OK;
}

int customers_reader_hold_check(const struct pay_env *e, int64_t client_id, struct pay_result *r,
				struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct reader_hold h;
	int rc = reader_holds_latest(e->db, client_id, &h, err);
	if (rc)
		return rc;
	if (h.status != HOLD_OPEN) {
		hold_result(&h, r);
		return PD_OK;
	}
	char path[200];
	snprintf(path, sizeof path, "/v1/terminal/readers/%s", h.reader_id);
	struct stripe_response resp;
	rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	if (rc) {
		stripe_response_clear(&resp);
		return rc;
	}
	json_t *action = json_object_get(resp.json, "action");
	json_t *psi = json_object_get(action, "process_setup_intent");
	const char *si = pay_json_str(psi, "setup_intent");
	const char *status = pay_json_str(action, "status");
	if (!si || !h.setup_intent_id[0] || strcmp(si, h.setup_intent_id) != 0) {
		stripe_response_clear(&resp);
		return settle_from_intent(e, &h, r, err);
	}
	if (status && strcmp(status, "succeeded") == 0) {
		char generated[64];
		pay_copy(generated, sizeof generated, pay_json_str(psi, "generated_card"));
		stripe_response_clear(&resp);
		return hold_succeeded(e, &h, generated, r, err);
	}
	if (status && strcmp(status, "failed") == 0) {
		char words[300];
		payments_decline_words(pay_json_str(action, "failure_code"), NULL, words,
				       sizeof words);
		const char *why = pay_json_str(action, "failure_message");
		h.status = HOLD_FAILED;
		snprintf(h.message, sizeof h.message, "No card held: %.300s (%.150s)", words,
			 why ? why : "declined");
		stripe_response_clear(&resp);
		rc = close_hold(e, &h, "customer.reader_hold.failed", err);
		hold_result(&h, r);
		r->offer_link = true;
		return rc;
	}
	stripe_response_clear(&resp);
	snprintf(r->message, sizeof r->message,
		 "Reader %s: waiting for the card to hold (nothing is charged). K cancels it.",
		 h.reader_id);
	return PD_OK;
}

int customers_reader_hold_cancel(const struct pay_env *e, int64_t client_id,
				 struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	struct reader_hold h;
	if (reader_holds_latest(e->db, client_id, &h, NULL) != PD_OK || h.status != HOLD_OPEN)
		return pd_error_set(err, PD_ERR_USAGE, "no card is waiting on a reader");
	char path[200];
	snprintf(path, sizeof path, "/v1/terminal/readers/%s/cancel_action", h.reader_id);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	pay_send(e, STRIPE_POST, path, NULL, &resp, &send_err);
	bool busy = resp.error.code && strcmp(resp.error.code, "terminal_reader_busy") == 0;
	stripe_response_clear(&resp);
	if (busy)
		return pd_error_set(err, PD_ERR_USAGE,
				    "the reader is reading the card right now: wait a few seconds, "
				    "then cancel again");
	if (!h.setup_intent_id[0])
		return settle_from_intent(e, &h, r, err);
	snprintf(path, sizeof path, "/v1/setup_intents/%s/cancel", h.setup_intent_id);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "cancellation_reason", "requested_by_customer");
	pay_send_money(e, path, p, &resp, &send_err);
	stripe_params_free(&p);
	const char *st = resp.outcome == STRIPE_OUTCOME_OK ? pay_json_str(resp.json, "status") : NULL;
	if (!st || strcmp(st, "canceled") != 0) {
		/* Too late (the card was read) or no answer: Stripe decides. */
		stripe_response_clear(&resp);
		return settle_from_intent(e, &h, r, err);
	}
	stripe_response_clear(&resp);
	h.status = HOLD_CANCELLED;
	snprintf(h.message, sizeof h.message, "Card on the reader cancelled from the desk: no card "
					      "held.");
	rc = close_hold(e, &h, "customer.reader_hold.cancelled", err);
	hold_result(&h, r);
	return rc;
}
