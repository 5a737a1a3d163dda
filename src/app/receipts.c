/* Receipts (receipts.h): Stripe's email receipt asked for and re-sent; the
 * desk's printable text receipt. */
#include "paydesk/receipts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/appt_money.h"
#include "paydesk/appt_price.h"
#include "paydesk/audit.h"
#include "paydesk/clients.h"
#include "paydesk/money.h"
#include "paydesk/settings.h"
#include "paydesk/stripe_account.h"
#include "paydesk/tz.h"
#include "payments_internal.h"

bool receipts_email_on(sqlite3 *db)
{
	char *v = NULL;
	bool on = true; /* on by default: clients expect a receipt for a card payment */
	if (settings_get(db, RECEIPTS_EMAIL_SETTING, &v, NULL) == PD_OK && v)
		on = strcmp(v, "off") != 0;
	free(v);
	return on;
}

void receipts_email_for(sqlite3 *db, int64_t client_id, char *out, size_t size)
{
	out[0] = '\0';
	struct client c;
	if (!receipts_email_on(db) || clients_get(db, client_id, &c, NULL) != PD_OK)
		return;
	snprintf(out, size, "%s", c.email ? c.email : "");
	client_free(&c);
}

static int audit_receipt(const struct pay_env *e, const char *object, const char *email,
			 const char *what, struct pd_error *err)
{
	char detail[600];
	snprintf(detail, sizeof detail, "Stripe receipt emailed again to %s · %s", email, what);
	struct audit_entry en = {.actor = pay_actor(e->who), .action = "receipt.email",
				 .detail = detail, .object_id = object};
	return audit_append(e->db, &en, err);
}

/* The charge of a PaymentIntent (its latest_charge), read from Stripe. */
static int charge_of(const struct pay_env *e, const char *pi, char out[64], struct pd_error *err)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s", pi);
	struct stripe_response resp;
	int rc = pay_send(e, STRIPE_GET, path, NULL, &resp, err);
	const char *ch = rc ? NULL : pay_json_str(resp.json, "latest_charge");
	if (!rc && !ch)
		rc = pd_error_set(err, PD_ERR_USAGE, "%s has no charge yet: nothing to send", pi);
	if (!rc)
		snprintf(out, 64, "%s", ch);
	stripe_response_clear(&resp);
	return rc;
}

int receipts_resend_payment(const struct pay_env *e, const char *payment_id, const char *email,
			    struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	if (!e->key)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "Stripe is not unlocked: enter the admin passphrase first");
	if (!email || !*email)
		return pd_error_set(err, PD_ERR_USAGE,
				    "no email address to send the receipt to: add the client's "
				    "email (Clients tab)");
	if (!payment_id || (strncmp(payment_id, "ch_", 3) && strncmp(payment_id, "pi_", 3) &&
			    strncmp(payment_id, "py_", 3)))
		return pd_error_set(err, PD_ERR_USAGE,
				    "only a card payment taken through Stripe has a Stripe receipt");
	char charge[64];
	if (strncmp(payment_id, "pi_", 3) == 0) {
		if ((rc = charge_of(e, payment_id, charge, err)))
			return rc;
	} else {
		snprintf(charge, sizeof charge, "%s", payment_id);
	}
	char path[160];
	snprintf(path, sizeof path, "/v1/charges/%s", charge);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "receipt_email", email);
	struct stripe_response resp;
	rc = pay_send(e, STRIPE_POST, path, p, &resp, err);
	stripe_params_free(&p);
	if (!rc && resp.outcome != STRIPE_OUTCOME_OK)
		rc = pd_error_set(err, PD_ERR, "Stripe did not send it: %s",
				  resp.error.message ? resp.error.message : "no answer");
	pay_copy(r->request_id, sizeof r->request_id, resp.request_id);
	stripe_response_clear(&resp);
	if (!rc)
		rc = audit_receipt(e, charge, email, payment_id, err);
	if (!rc) {
		pay_copy(r->object_id, sizeof r->object_id, charge);
		snprintf(r->message, sizeof r->message, "Stripe emails the receipt again to %.400s.",
			 email);
	}
	return rc;
}

int receipts_resend(const struct pay_env *e, int64_t appointment_id, struct pay_result *r,
		    struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	int rc = payrows_list(e->db, appointment_id, &rows, &n, err);
	if (rc)
		return rc;
	const char *pi = NULL;
	for (size_t i = n; i-- > 0 && !pi;)
		if (rows[i].status == PAYROW_SUCCEEDED && rows[i].payment_intent_id &&
		    !payrow_method_is_desk(rows[i].method))
			pi = rows[i].payment_intent_id;
	struct appointment a;
	char email[256] = "";
	if (appointments_get(e->db, appointment_id, &a, err) == PD_OK) {
		struct client c;
		if (clients_get(e->db, a.client_id, &c, NULL) == PD_OK) {
			snprintf(email, sizeof email, "%s", c.email ? c.email : "");
			client_free(&c);
		}
		appointment_free(&a);
	}
	if (!pi)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "no card payment of this appointment: for cash, print a receipt "
				  "(paydesk receipt %lld)",
				  (long long)appointment_id);
	else
		rc = receipts_resend_payment(e, pi, email, r, err);
	pay_attempts_free_list(&rows, n);
	pay_result_from(e->db, appointment_id, r);
	return rc;
}

/* One line of the text receipt: label left, amount right, 44 columns. */
static void line(char **buf, size_t *len, size_t *cap, const char *label, const char *amount)
{
	char row[256];
	int w = snprintf(row, sizeof row, "%-30.30s %13s\n", label, amount ? amount : "");
	size_t need = *len + (size_t)(w > 0 ? w : 0) + 1;
	if (need > *cap) {
		size_t nc = need * 2;
		char *nb = realloc(*buf, nc);
		if (!nb)
			return;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, row, (size_t)w + 1);
	*len += (size_t)w;
}

int receipts_text(sqlite3 *db, int64_t appointment_id, char **out, struct pd_error *err)
{
	*out = NULL;
	struct appointment a;
	int rc = appointments_get(db, appointment_id, &a, err);
	if (rc)
		return rc;
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	if ((rc = payrows_list(db, appointment_id, &rows, &n, err))) {
		appointment_free(&a);
		return rc;
	}
	size_t len = 0, cap = 1024;
	char *buf = malloc(cap);
	if (!buf) {
		appointment_free(&a);
		pay_attempts_free_list(&rows, n);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	buf[0] = '\0';
	struct stripe_account_row acct;
	char title[200] = "Receipt";
	if (stripe_account_get(db, &acct, NULL) == PD_OK && acct.display_name[0])
		snprintf(title, sizeof title, "%s", acct.display_name);
	struct tz_civil c;
	tz_to_civil(a.starts_at, &c);
	char when[64], ref[64], m[64];
	snprintf(when, sizeof when, "%04d-%02d-%02d %02d:%02d", c.year % 10000, c.month % 100,
		 c.day % 100, c.hour % 100, c.minute % 100);
	snprintf(ref, sizeof ref, "appointment %lld", (long long)a.id);
	line(&buf, &len, &cap, title, "");
	line(&buf, &len, &cap, ref, when);
	line(&buf, &len, &cap, a.client_name ? a.client_name : "", "");
	line(&buf, &len, &cap, "--------------------------------------------", NULL);
	struct price_change pc;
	if (price_changes_latest(db, a.id, &pc, NULL) == PD_OK && pc.list_price != a.amount) {
		line(&buf, &len, &cap, a.service_name ? a.service_name : "",
		     money_format(pc.list_price, a.currency, m, sizeof m));
		char what[400];
		if (pc.kind == PRICE_PERCENT)
			snprintf(what, sizeof what, "discount %lld %% (%s)", (long long)pc.value,
				 pc.reason);
		else
			snprintf(what, sizeof what, "%s (%s)",
				 pc.kind == PRICE_SET ? "price changed" : "discount", pc.reason);
		int64_t off = pc.list_price - a.amount;
		char signed_m[72];
		snprintf(signed_m, sizeof signed_m, "%s%s", off > 0 ? "-" : "+",
			 money_format(off > 0 ? off : -off, a.currency, m, sizeof m));
		line(&buf, &len, &cap, what, signed_m);
		line(&buf, &len, &cap, "Price", money_format(a.amount, a.currency, m, sizeof m));
	} else {
		line(&buf, &len, &cap, a.service_name ? a.service_name : "",
		     money_format(a.amount, a.currency, m, sizeof m));
	}
	int64_t paid = 0, tips = 0;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].status != PAYROW_SUCCEEDED)
			continue;
		int64_t tip = 0;
		payrow_tip_get(db, rows[i].id, &tip, NULL);
		char label[96];
		snprintf(label, sizeof label, "Paid (%s)", payrow_method_label(rows[i].method));
		line(&buf, &len, &cap, label, money_format(rows[i].amount, a.currency, m, sizeof m));
		if (tip > 0) {
			snprintf(label, sizeof label, "Tip%s%s", a.staff_name ? " for " : "",
				 a.staff_name ? a.staff_name : "");
			line(&buf, &len, &cap, label, money_format(tip, a.currency, m, sizeof m));
		}
		if (rows[i].refunded > 0) {
			char back[72];
			snprintf(back, sizeof back, "-%s",
				 money_format(rows[i].refunded, a.currency, m, sizeof m));
			line(&buf, &len, &cap, "Refunded", back);
		}
		paid += rows[i].amount;
		tips += tip;
	}
	line(&buf, &len, &cap, "--------------------------------------------", NULL);
	line(&buf, &len, &cap, "Total paid", money_format(paid + tips, a.currency, m, sizeof m));
	line(&buf, &len, &cap, "Still due",
	     money_format(a.amount > paid ? a.amount - paid : 0, a.currency, m, sizeof m));
	appointment_free(&a);
	pay_attempts_free_list(&rows, n);
	*out = buf;
	return PD_OK;
}
