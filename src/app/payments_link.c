/* (2) Pay links: a Stripe Checkout Session per appointment, shown as a URL
 * and a QR code; the outcome is always read back from Stripe (the
 * success/cancel pages prove nothing and paydesk serves none). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/clients.h"
#include "paydesk/money.h"
#include "paydesk/settings.h"
#include "payments_internal.h"

int payments_link_create(const struct pay_env *e, int64_t appointment_id, int64_t amount,
			 struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	/* An open link is shown again; one past its time is checked (and so
	 * recorded as expired) before a new one is made. */
	struct pay_attempt last;
	if (payrows_latest(e->db, appointment_id, PAYROW_LINK, &last, NULL) == PD_OK) {
		bool open = last.status == PAYROW_OPEN;
		bool stale = open && last.expires_at && last.expires_at <= (int64_t)time(NULL);
		pay_attempt_free(&last);
		if (open && e->key) {
			int rc = payments_link_check(e, appointment_id, r, err);
			if (rc)
				return rc;
			(void)stale;
			if (!r->done) {
				snprintf(r->message, sizeof r->message,
					 "The pay link is still open: show it to the client again.");
				return PD_OK;
			}
			if (r->payment == PAY_PAID)
				return PD_OK;
			memset(r, 0, sizeof *r);
		}
	}
	struct appointment a;
	struct pay_attempt row;
	struct client c;
	int rc = appointments_get(e->db, appointment_id, &a, err);
	if (rc)
		return rc;
	rc = clients_get(e->db, a.client_id, &c, err);
	appointment_free(&a);
	if (rc)
		return rc;
	rc = pay_begin(e, appointment_id, PAYROW_LINK, &amount, &a, &row, err);
	if (rc) {
		client_free(&c);
		return rc;
	}
	char url[512], ref[32], name[400];
	pay_return_url(e->db, url, sizeof url);
	snprintf(ref, sizeof ref, "appointment-%lld", (long long)a.id);
	snprintf(name, sizeof name, "%s%s", a.service_name, amount < a.amount ? " (deposit)" : "");
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "mode", "payment");
	stripe_params_add(p, "payment_method_types[]", "card");
	stripe_params_add(p, "line_items[0][price_data][currency]", a.currency);
	stripe_params_add_int(p, "line_items[0][price_data][unit_amount]", amount);
	stripe_params_add(p, "line_items[0][price_data][product_data][name]", name);
	stripe_params_add_int(p, "line_items[0][quantity]", 1);
	if (e->tip > 0) { /* its own line: the client sees the price and the tip apart */
		stripe_params_add(p, "line_items[1][price_data][currency]", a.currency);
		stripe_params_add_int(p, "line_items[1][price_data][unit_amount]", e->tip);
		stripe_params_add(p, "line_items[1][price_data][product_data][name]", "Tip");
		stripe_params_add_int(p, "line_items[1][quantity]", 1);
	}
	stripe_params_add(p, "success_url", url);
	stripe_params_add(p, "cancel_url", url);
	stripe_params_add(p, "client_reference_id", ref);
	if (c.stripe_customer_id)
		stripe_params_add(p, "customer", c.stripe_customer_id);
	else if (c.email[0])
		stripe_params_add(p, "customer_email", c.email);
	pay_add_metadata(p, "metadata[", &a);
	pay_add_metadata(p, "payment_intent_data[metadata][", &a);
	pay_add_policy(e->db, p, "metadata[", &a, true);
	pay_add_policy(e->db, p, "payment_intent_data[metadata][", &a, false);
	stripe_params_add(p, "payment_intent_data[description]", a.service_name);
	pay_add_tip_receipt(e, p, "payment_intent_data[", &a, e->tip);
	client_free(&c);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	enum outbox_state sent;
	pay_send_money_state(e, "/v1/checkout/sessions", p, &resp, &sent, &send_err);
	stripe_params_free(&p);
	if (resp.outcome != STRIPE_OUTCOME_OK) {
		char msg[512];
		if (sent == OUTBOX_FAILED && resp.outcome != STRIPE_OUTCOME_API_ERROR) {
			/* Certain: nothing reached Stripe, so no link exists to wait for. */
			row.status = PAYROW_CANCELLED;
			snprintf(msg, sizeof msg, PAY_NOT_SENT, send_err.msg);
		} else {
			row.status = resp.outcome == STRIPE_OUTCOME_API_ERROR &&
						     resp.http_status < 500 && resp.http_status != 409 &&
						     resp.http_status != 429
					     ? PAYROW_FAILED
					     : PAYROW_UNKNOWN;
			snprintf(msg, sizeof msg, "The pay link was not made: %.400s", send_err.msg);
		}
		row.message = strdup(msg);
		pay_copy(r->message, sizeof r->message, msg);
		rc = pay_settle(e, &row, resp.request_id, "payment.link.failed", amount, NULL, r, err);
		goto out;
	}
	const char *cs = pay_json_str(resp.json, "id");
	const char *link = pay_json_str(resp.json, "url");
	json_t *exp = json_object_get(resp.json, "expires_at");
	row.checkout_session_id = strdup(cs ? cs : "");
	row.url = strdup(link ? link : "");
	row.expires_at = json_is_integer(exp) ? json_integer_value(exp) : 0;
	row.status = PAYROW_OPEN;
	char money[64], msg[512];
	char tipped[96];
	snprintf(msg, sizeof msg, "Pay link for %s%s: show the client this code or link.",
		 money_format(amount, a.currency, money, sizeof money),
		 pay_tip_words(e->tip, a.currency, tipped, sizeof tipped));
	row.message = strdup(msg);
	pay_copy(r->message, sizeof r->message, msg);
	pay_copy(r->url, sizeof r->url, row.url);
	rc = pay_settle(e, &row, resp.request_id, "payment.link.create", amount,
			row.checkout_session_id, r, err);
out:
	stripe_response_clear(&resp);
	appointment_free(&a);
	pay_attempt_free(&row);
	return rc;
}

int payments_link_check(const struct pay_env *e, int64_t appointment_id, struct pay_result *r,
			struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct pay_attempt row;
	int rc = payrows_latest(e->db, appointment_id, PAYROW_LINK, &row, err);
	if (rc)
		return rc;
	pay_copy(r->url, sizeof r->url, row.url);
	pay_copy(r->object_id, sizeof r->object_id, row.checkout_session_id);
	if (row.status != PAYROW_OPEN || !row.checkout_session_id) {
		r->done = true;
		pay_result_from(e->db, appointment_id, r);
		pay_copy(r->message, sizeof r->message, row.message);
		pay_attempt_free(&row);
		return PD_OK;
	}
	char path[200];
	snprintf(path, sizeof path, "/v1/checkout/sessions/%s", row.checkout_session_id);
	struct stripe_response resp;
	rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	if (rc) {
		stripe_response_clear(&resp);
		pay_attempt_free(&row);
		return rc;
	}
	const char *status = pay_json_str(resp.json, "status");
	const char *paid = pay_json_str(resp.json, "payment_status");
	const char *pi = pay_json_str(resp.json, "payment_intent");
	char money[64], msg[512];
	money_format(row.amount, row.currency, money, sizeof money);
	if (pi && !row.payment_intent_id)
		row.payment_intent_id = strdup(pi);
	if (status && strcmp(status, "complete") == 0 && paid && strcmp(paid, "paid") == 0) {
		row.status = PAYROW_SUCCEEDED;
		snprintf(msg, sizeof msg, "Paid %s through the pay link.", money);
		free(row.message);
		row.message = strdup(msg);
		r->done = true;
		rc = pay_settle(e, &row, resp.request_id, "payment.link.paid", row.amount,
				row.payment_intent_id, r, err);
	} else if (status && strcmp(status, "expired") == 0) {
		row.status = PAYROW_EXPIRED;
		snprintf(msg, sizeof msg,
			 "The pay link for %s expired unpaid. Send a new one or take the card.",
			 money);
		free(row.message);
		row.message = strdup(msg);
		r->done = true;
		rc = pay_settle(e, &row, resp.request_id, "payment.link.expired", row.amount,
				row.checkout_session_id, r, err);
	} else {
		snprintf(msg, sizeof msg, "Waiting for the client to pay %s through the link.", money);
		pay_result_from(e->db, appointment_id, r);
	}
	pay_copy(r->message, sizeof r->message, msg);
	stripe_response_clear(&resp);
	pay_attempt_free(&row);
	return rc;
}
