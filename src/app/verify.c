#include "paydesk/verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "paydesk/log.h"
#include "paydesk/sanitize.h"

/* How each permission is probed. A write: an update of an object id that
 * cannot exist, so that a key allowed to write gets 404 resource_missing
 * and nothing changes. A read: a list of one, or a fetch of an id that
 * cannot exist (404 again). */
/* Declared once (clang, like the C standard, will not take probes[i] as a
 * constant initialiser): the probe table and the public permission list.
 * Exactly what paydesk's own calls (src/app/) use: Read where it only reads.
 * Charges are read only inside a PaymentIntent (latest_charge, expanded, for
 * the card and the fee); a new plan's price is created with its product. */
#define VERIFY_PROBES(X) \
	X("Charges", false, STRIPE_GET, "/v1/charges?limit=1", false, false, "the card and fee of each payment") \
	X("Customers", true, STRIPE_POST, "/v1/customers/cus_0paydeskprobe", false, false, "clients billed through Stripe") \
	X("Payment Methods", false, STRIPE_GET, "/v1/payment_methods/pm_0paydeskprobe", false, false, "a client's saved cards") \
	X("Payment Intents", true, STRIPE_POST, "/v1/payment_intents/pi_0paydeskprobe", false, false, "taking payments") \
	X("Setup Intents", false, STRIPE_GET, "/v1/setup_intents?limit=1", false, false, "checking a card saved for next time") \
	X("Products", true, STRIPE_POST, "/v1/products/prod_0paydeskprobe", false, false, "subscription plans") \
	X("Prices", true, STRIPE_POST, "/v1/prices/price_0paydeskprobe", false, false, "plan prices") \
	X("Subscriptions", true, STRIPE_POST, "/v1/subscriptions/sub_0paydeskprobe", true, false, "recurring billing") \
	X("Invoices", true, STRIPE_POST, "/v1/invoices/in_0paydeskprobe", false, false, "subscription invoices; retrying a failed renewal") \
	X("Checkout Sessions", true, STRIPE_POST, "/v1/checkout/sessions/cs_test_0paydeskprobe/expire", false, false, "pay links and QR codes") \
	X("Refunds", true, STRIPE_POST, "/v1/refunds/re_0paydeskprobe", false, false, "refunds") \
	X("Terminal", true, STRIPE_POST, "/v1/terminal/readers/tmr_0paydeskprobe", false, false, "card readers at the desk") \
	X("Balance Transactions", false, STRIPE_GET, "/v1/balance_transactions?limit=1", false, false, "fees and net amounts in history") \
	X("Events", false, STRIPE_GET, "/v1/events?limit=1", false, false, "incremental history sync") \
	X("Disputes", false, STRIPE_GET, "/v1/disputes?limit=1", false, true, "the status of disputed payments in history")

/* What some setup guides ask a key for and paydesk never uses: named in the
 * checklist so an admin can leave them off (or take them away). */
const struct verify_not_needed verify_not_needed[] = {
	{"Sources", "paydesk never handles card numbers: cards are typed on Stripe's page or a reader"},
	{"Tokens", "paydesk never handles card numbers: cards are typed on Stripe's page or a reader"},
	{"Balance", "paydesk never reads the balance or payouts (it asks only whether Stripe answers, and a refusal is an answer); fees come from balance transactions"},
	{"Write on Charges", "paydesk never creates or changes a charge: payments are Payment Intents, refunds are Refunds"},
};
const int verify_not_needed_count = (int)(sizeof verify_not_needed / sizeof verify_not_needed[0]);

static const struct probe {
	const char *resource;
	bool write;
	enum stripe_method method;
	const char *path;
	/* The route is one the client guards as money-moving; a probe of an
	 * object that does not exist cannot move money, so it may pass. */
	bool guarded_route;
	bool optional; /* missing: a warning, paydesk works without that part */
	const char *why;
} probes[] = {
#define X(resource, write, method, path, guarded, optional, why) \
	{resource, write, method, path, guarded, optional, why},
	VERIFY_PROBES(X)
#undef X
};
#define N_PROBES (int)(sizeof probes / sizeof probes[0])

const struct verify_permission verify_permissions[N_PROBES] = {
#define X(resource, write, method, path, guarded, optional, why) {resource, write, why},
	VERIFY_PROBES(X)
#undef X
};
const int verify_permission_count = N_PROBES;

const char *verify_state_name(enum verify_state s)
{
	switch (s) {
	case VERIFY_OK:
		return "ok";
	case VERIFY_FAIL:
		return "FAIL";
	case VERIFY_WARN:
		return "warn";
	case VERIFY_NOTE:
		return "n/a";
	default:
		return "?";
	}
}

struct run {
	struct verify_report *report;
	void (*cb)(void *ctx, const struct verify_row *row);
	void *ctx;
};

static void add_row(struct run *r, enum verify_state state, const char *label, const char *fix,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_row(struct run *r, enum verify_state state, const char *label, const char *fix,
		    const char *fmt, ...)
{
	struct verify_report *rep = r->report;
	if (rep->n >= VERIFY_ROWS_MAX)
		return;
	struct verify_row *row = &rep->rows[rep->n++];
	snprintf(row->label, sizeof row->label, "%s", label);
	row->state = state;
	va_list ap;
	va_start(ap, fmt);
	char raw[400];
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	sanitize_text(raw, row->detail, sizeof row->detail); /* Stripe's words, shown on screen */
	snprintf(row->fix, sizeof row->fix, "%s", state == VERIFY_OK ? "" : fix ? fix : "");
	if (state == VERIFY_FAIL)
		rep->failures++;
	else if (state == VERIFY_WARN)
		rep->warnings++;
	else if (state == VERIFY_UNKNOWN)
		rep->unknown++;
	if (r->cb)
		r->cb(r->ctx, row);
}

static const char *json_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

/* Stripe names the key's account in a permission error: "… on account 'acct_…'". */
static void account_from_message(const char *msg, char *out, size_t len)
{
	const char *p = msg ? strstr(msg, "on account '") : NULL;
	if (!p)
		return;
	p += strlen("on account '");
	size_t n = strcspn(p, "'");
	if (n > 0 && n < len && strncmp(p, "acct_", 5) == 0)
		snprintf(out, len, "%.*s", (int)n, p);
}

static void note_account(struct verify_report *rep, json_t *acct)
{
	snprintf(rep->account_id, sizeof rep->account_id, "%s", json_str(acct, "id"));
	json_t *profile = json_object_get(acct, "business_profile");
	const char *name = json_str(profile, "name");
	if (!*name)
		name = json_str(json_object_get(json_object_get(acct, "settings"), "dashboard"),
				"display_name");
	sanitize_text(name, rep->display_name, sizeof rep->display_name);
	snprintf(rep->country, sizeof rep->country, "%s", json_str(acct, "country"));
	snprintf(rep->default_currency, sizeof rep->default_currency, "%s",
		 json_str(acct, "default_currency"));
	rep->livemode = json_is_true(json_object_get(acct, "livemode"));
}

static void check_account_state(struct run *r, json_t *acct)
{
	static const struct {
		const char *field, *label, *fix;
	} flags[] = {
		{"charges_enabled", "Charges enabled",
		 "finish the account's activation in the Stripe Dashboard"},
		{"payouts_enabled", "Payouts enabled",
		 "add a bank account for payouts in the Stripe Dashboard"},
		{"details_submitted", "Details submitted",
		 "complete the business details in the Stripe Dashboard"},
	};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		bool on = json_is_true(json_object_get(acct, flags[i].field));
		add_row(r, on ? VERIFY_OK : (i == 0 ? VERIFY_FAIL : VERIFY_WARN), flags[i].label,
			flags[i].fix, "%s", on ? "yes" : "no");
	}
	add_row(r, VERIFY_OK, "Country and currency", NULL, "%s, %s",
		r->report->country[0] ? r->report->country : "?",
		r->report->default_currency[0] ? r->report->default_currency : "?");
	/* What the account can take, as far as its capabilities say. */
	char methods[160] = "";
	json_t *caps = json_object_get(acct, "capabilities");
	const char *name;
	json_t *val;
	json_object_foreach(caps, name, val)
	{
		if (strcmp(json_string_value(val) ? json_string_value(val) : "", "active") != 0)
			continue;
		const char *suffix = strstr(name, "_payments");
		if (!suffix)
			continue;
		size_t len = strlen(methods);
		snprintf(methods + len, sizeof methods - len, "%s%.*s", len ? ", " : "",
			 (int)(suffix - name), name);
	}
	add_row(r, methods[0] ? VERIFY_OK : VERIFY_WARN, "Payment methods",
		"turn on card payments in the Stripe Dashboard", "%s",
		methods[0] ? methods : "no active payment capability reported");
}

static bool cancelled(const atomic_bool *cancel)
{
	return cancel && atomic_load(cancel);
}

/* GET /v1/account, as the key's own account or (connected) acting for an
 * Express account. The caller clears *resp. */
static void get_account(struct stripe_client *client, const char *key, const char *connected,
			const atomic_bool *cancel, struct stripe_response *resp, struct pd_error *cerr)
{
	struct stripe_request req = {.method = STRIPE_GET, .path = "/v1/account", .key = key,
				     .account = connected, .cancel = cancel};
	stripe_client_send(client, &req, resp, cerr);
}

/* Who is this key, is it the account the admin named, and (connected) can
 * it act for the Express account? Then the state of the account that will
 * take the payments. */
static int check_identity(struct stripe_client *client, const char *key, const char *expected,
			  const char *connected, struct run *r, const atomic_bool *cancel,
			  struct pd_error *err)
{
	struct verify_report *rep = r->report;
	struct stripe_response resp;
	struct pd_error cerr = {0};
	get_account(client, key, NULL, cancel, &resp, &cerr);
	long status = resp.http_status;
	if (resp.outcome == STRIPE_OUTCOME_CANCELLED) {
		stripe_response_clear(&resp);
		return pd_error_set(err, PD_ERR, "verification cancelled");
	}
	if (resp.outcome == STRIPE_OUTCOME_OK) {
		rep->key_ok = true;
		rep->account_visible = true;
		note_account(rep, resp.json);
		add_row(r, VERIFY_OK, "Key authenticates", NULL, "account %s", rep->account_id);
	} else if (status == 403) {
		/* A restricted key may not read the account: it still authenticated. */
		rep->key_ok = true;
		account_from_message(resp.error.message, rep->account_id, sizeof rep->account_id);
		add_row(r, VERIFY_OK, "Key authenticates", NULL, "account %s",
			rep->account_id[0] ? rep->account_id : "(not named)");
	} else if (status == 401) {
		add_row(r, VERIFY_FAIL, "Key authenticates",
			"copy the key again from the Stripe Dashboard, or create a new restricted key",
			"Stripe refused the key: %s", resp.error.message ? resp.error.message : "");
	} else {
		add_row(r, VERIFY_UNKNOWN, "Key authenticates",
			"check the network and the api_base setting, then verify again", "%s",
			cerr.msg[0] ? cerr.msg : "no answer from Stripe");
	}
	if (rep->key_ok && expected && *expected) {
		if (!*rep->account_id)
			add_row(r, VERIFY_WARN, "Account ID matches",
				"check the Account ID in the Stripe Dashboard",
				"Stripe did not name the key's account");
		else if (strcmp(rep->account_id, expected) == 0)
			add_row(r, VERIFY_OK, "Account ID matches", NULL, "%s", expected);
		else
			add_row(r, VERIFY_FAIL, "Account ID matches",
				"enter the Account ID of the account this key belongs to, or use that "
				"account's key",
				"the key belongs to %s, not %s", rep->account_id, expected);
	}
	if (rep->key_ok && connected && *connected) {
		/* Payments go to the Express account: its state is what matters. */
		stripe_response_clear(&resp);
		get_account(client, key, connected, cancel, &resp, &cerr);
		if (resp.outcome == STRIPE_OUTCOME_OK) {
			add_row(r, VERIFY_OK, "Acting for connected account", NULL, "%s", connected);
			rep->account_visible = true;
			note_account(rep, resp.json);
		} else {
			rep->account_visible = false;
			add_row(r, VERIFY_FAIL, "Acting for connected account",
				"check the connected account id, or link it again (paydesk connect)",
				"%s: %s", connected,
				resp.error.message ? resp.error.message : "no answer");
		}
	}
	if (rep->account_visible)
		check_account_state(r, resp.json);
	else if (rep->key_ok && !(connected && *connected))
		add_row(r, VERIFY_WARN, "Account status",
			"check charges and payouts in the Stripe Dashboard",
			"a restricted key may not read the account; charges/payouts not checked");
	stripe_response_clear(&resp);
	return PD_OK;
}

static void check_permission(struct stripe_client *client, const char *key, const char *connected,
			     const struct probe *p, struct run *r, const atomic_bool *cancel)
{
	char label[64], fix[200];
	snprintf(label, sizeof label, "%s on %s", p->write ? "Write" : "Read", p->resource);
	snprintf(fix, sizeof fix, "give the key %s on %s (for %s)%s", p->write ? "Write" : "Read",
		 p->resource, p->why,
		 p->optional ? "; without it paydesk works, and sync goes on without them" : "");
	struct stripe_request req = {.method = p->method, .path = p->path, .key = key,
				     .account = connected, .cancel = cancel,
				     .via_outbox = p->guarded_route};
	struct stripe_response resp;
	struct pd_error cerr = {0};
	stripe_client_send(client, &req, &resp, &cerr);
	long status = resp.http_status;
	const char *code = resp.error.code ? resp.error.code : "";
	if (resp.outcome == STRIPE_OUTCOME_OK || (status == 404 && strcmp(code, "resource_missing") == 0) ||
	    status == 400)
		add_row(r, VERIFY_OK, label, NULL, "allowed");
	else if (status == 403)
		add_row(r, p->optional ? VERIFY_WARN : VERIFY_FAIL, label, fix, "missing");
	else
		add_row(r, VERIFY_UNKNOWN, label, "verify again later",
			"could not check: %s", cerr.msg[0] ? cerr.msg : "unexpected answer");
	stripe_response_clear(&resp);
}

int verify_run(struct stripe_client *client, const char *key, const char *expected_account,
	       const char *connected, struct verify_report *report,
	       void (*row_cb)(void *ctx, const struct verify_row *row), void *cb_ctx,
	       const atomic_bool *cancel, struct pd_error *err)
{
	memset(report, 0, sizeof *report);
	struct run r = {report, row_cb, cb_ctx};
	int rc = check_identity(client, key, expected_account, connected, &r, cancel, err);
	if (rc)
		return rc;
	if (!report->key_ok)
		return PD_OK; /* nothing else can be learnt with a key Stripe refuses */
	for (int i = 0; i < N_PROBES; i++) {
		if (cancelled(cancel))
			return pd_error_set(err, PD_ERR, "verification cancelled");
		check_permission(client, key, connected, &probes[i], &r, cancel);
	}
	for (int i = 0; i < verify_not_needed_count; i++) {
		char label[64];
		snprintf(label, sizeof label, "Not needed: %s", verify_not_needed[i].resource);
		add_row(&r, VERIFY_NOTE, label, NULL, "%s", verify_not_needed[i].why);
	}
	log_msg(LOG_INFO, "verified Stripe account %s: %d failing, %d warnings, %d unchecked",
		report->account_id, report->failures, report->warnings, report->unknown);
	return PD_OK;
}
