#include "paydesk/connect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/sanitize.h"
#include "paydesk/textcheck.h"

/* Send one Connect call; fills *json on success (caller json_decref). */
static int call(struct stripe_client *c, enum stripe_method method, const char *path,
		const struct stripe_params *params, const char *key, json_t **json,
		struct pd_error *err)
{
	struct stripe_request req = {.method = method, .path = path, .params = params, .key = key};
	struct stripe_response resp;
	int rc = stripe_client_send(c, &req, &resp, err);
	if (rc == PD_OK) {
		*json = json_incref(resp.json);
	} else if (resp.http_status == 404 ||
		   (resp.error.code && (strcmp(resp.error.code, "resource_missing") == 0 ||
					/* Stripe's answer for an account the platform
					 * cannot act for, or that does not exist */
					strcmp(resp.error.code, "account_invalid") == 0))) {
		rc = PD_ERR_NOT_FOUND;
		err->code = rc;
	}
	stripe_response_clear(&resp);
	return rc;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

int connect_check_replace(const char *current, const char *next, bool replace,
			  struct pd_error *err)
{
	if (!current || !*current || replace || (next && strcmp(current, next) == 0))
		return PD_OK;
	/* The linked account is where payments land: swapping it is never a
	 * side effect of running a command twice. */
	return pd_error_set(err, PD_ERR_EXISTS,
			    "paydesk already acts for %s: unlink it first (paydesk connect unlink), "
			    "or add --replace to act for another account instead",
			    current);
}

int connect_create_express(struct stripe_client *c, const char *platform_key, const char *email,
			   const char *country, char account_id[64], struct pd_error *err)
{
	int bad = text_check_email(email, err);
	if (bad)
		return bad;
	struct stripe_params *p = stripe_params_new();
	if (!p)
		return pd_error_set(err, PD_ERR, "out of memory");
	stripe_params_add(p, "type", "express");
	if (email && *email)
		stripe_params_add(p, "email", email);
	if (country && *country)
		stripe_params_add(p, "country", country);
	stripe_params_add_bool(p, "capabilities[card_payments][requested]", true);
	stripe_params_add_bool(p, "capabilities[transfers][requested]", true);
	json_t *acct = NULL;
	int rc = call(c, STRIPE_POST, "/v1/accounts", p, platform_key, &acct, err);
	stripe_params_free(&p);
	if (rc)
		return rc;
	snprintf(account_id, 64, "%s", str(acct, "id"));
	json_decref(acct);
	if (strncmp(account_id, "acct_", 5) != 0)
		return pd_error_set(err, PD_ERR, "Stripe's answer had no account id");
	return PD_OK;
}

int connect_onboarding_link(struct stripe_client *c, const char *platform_key,
			    const char *account_id, const char *return_url, char **url,
			    long long *expires_at, struct pd_error *err)
{
	*url = NULL;
	struct stripe_params *p = stripe_params_new();
	if (!p)
		return pd_error_set(err, PD_ERR, "out of memory");
	stripe_params_add(p, "account", account_id);
	stripe_params_add(p, "type", "account_onboarding");
	/* Stripe sends the admin to refresh_url when the one-time link was used
	 * or expired: paydesk makes a new one on request, so both go home. */
	stripe_params_add(p, "refresh_url", return_url);
	stripe_params_add(p, "return_url", return_url);
	json_t *link = NULL;
	int rc = call(c, STRIPE_POST, "/v1/account_links", p, platform_key, &link, err);
	stripe_params_free(&p);
	if (rc)
		return rc;
	*url = sanitize_dup(str(link, "url"));
	*expires_at = (long long)json_integer_value(json_object_get(link, "expires_at"));
	json_decref(link);
	if (!*url || !**url) {
		free(*url);
		*url = NULL;
		return pd_error_set(err, PD_ERR, "Stripe's answer had no onboarding URL");
	}
	return PD_OK;
}

int connect_get_status(struct stripe_client *c, const char *platform_key, const char *account_id,
		       struct connect_status *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	char path[128];
	snprintf(path, sizeof path, "/v1/accounts/%s", account_id);
	json_t *acct = NULL;
	int rc = call(c, STRIPE_GET, path, NULL, platform_key, &acct, err);
	if (rc == PD_ERR_NOT_FOUND)
		return pd_error_set(err, PD_ERR_NOT_FOUND,
				    "the platform cannot see account %s: check the id, or that it "
				    "was created under this platform",
				    account_id);
	if (rc)
		return rc;
	snprintf(out->account_id, sizeof out->account_id, "%s", str(acct, "id"));
	sanitize_text(str(acct, "email"), out->email, sizeof out->email);
	out->details_submitted = json_is_true(json_object_get(acct, "details_submitted"));
	out->charges_enabled = json_is_true(json_object_get(acct, "charges_enabled"));
	out->payouts_enabled = json_is_true(json_object_get(acct, "payouts_enabled"));
	json_t *due = json_object_get(json_object_get(acct, "requirements"), "currently_due");
	out->currently_due = (int)json_array_size(due);
	json_decref(acct);
	return PD_OK;
}

int connect_login_link(struct stripe_client *c, const char *platform_key, const char *account_id,
		       char **url, struct pd_error *err)
{
	*url = NULL;
	char path[128];
	snprintf(path, sizeof path, "/v1/accounts/%s/login_links", account_id);
	json_t *link = NULL;
	int rc = call(c, STRIPE_POST, path, NULL, platform_key, &link, err);
	if (rc)
		return rc;
	*url = sanitize_dup(str(link, "url"));
	json_decref(link);
	return *url && **url ? PD_OK : pd_error_set(err, PD_ERR, "Stripe's answer had no URL");
}

bool connect_ready(const struct connect_status *s)
{
	return s->details_submitted && s->charges_enabled;
}
