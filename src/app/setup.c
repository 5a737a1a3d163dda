#include "paydesk/setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/log.h"
#include "paydesk/secret_mask.h"
#include "paydesk/settings.h"
#include "paydesk/stripe_account.h"
#include "paydesk/stripe_keys.h"
#include "paydesk/vault.h"

int setup_check_input(const struct setup_input *in, struct pd_error *err)
{
	int rc = stripe_check_account_id(in->account_id, err);
	if (!rc && in->publishable && *in->publishable)
		rc = stripe_check_publishable_key(in->publishable, err);
	if (!rc)
		rc = stripe_check_secret_key(in->secret_key, in->allow_secret, err);
	if (!rc)
		rc = stripe_check_same_mode(in->publishable, in->secret_key, err);
	if (!rc && in->connected && *in->connected) {
		rc = stripe_check_account_id(in->connected, err);
		if (rc)
			rc = pd_error_set(err, PD_ERR_USAGE,
					  "the connected account must be an acct_… id");
	}
	if (!rc && stripe_key_kind(in->secret_key) == STRIPE_KEY_SECRET &&
	    stripe_key_mode(in->secret_key) == STRIPE_MODE_LIVE && !in->live_secret_confirmed)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "a live secret key (sk_live_…) gives full control of real money: "
				  "confirm a second time to use it, or use a restricted key");
	return rc;
}

static const char *const booking_names[] = {"off", "optional", "required"};

int setup_save(sqlite3 *db, struct vault *v, const struct setup_input *in,
	       const struct verify_report *report, const struct session *who,
	       struct pd_error *err)
{
	int rc = auth_allow_now(db, who, AUTH_SETUP, err);
	if (!rc)
		rc = setup_check_input(in, err);
	if (rc)
		return rc;
	if (!report || !report->key_ok || report->failures > 0)
		return pd_error_set(err, PD_ERR_USAGE,
				    "the connection did not pass verification; fix the failing rows "
				    "and verify again before saving");
	struct stripe_account_row row = {0};
	snprintf(row.account_id, sizeof row.account_id, "%s", in->account_id);
	snprintf(row.mode, sizeof row.mode, "%s",
		 stripe_key_mode_name(stripe_key_mode(in->secret_key)));
	snprintf(row.display_name, sizeof row.display_name, "%s", report->display_name);
	snprintf(row.publishable_key, sizeof row.publishable_key, "%s",
		 in->publishable ? in->publishable : "");
	snprintf(row.connected_account, sizeof row.connected_account, "%s",
		 in->connected ? in->connected : "");
	secret_mask(in->secret_key, row.key_hint, sizeof row.key_hint);
	row.verified_at = (int64_t)time(NULL);

	rc = db_begin(db, err);
	struct stripe_account_row before;
	struct pd_error ignored = {0};
	bool replacing = !rc && stripe_account_get(db, &before, &ignored) == PD_OK;
	/* A key sealed for another account must not linger. */
	if (!rc)
		rc = db_exec(db, "DELETE FROM vault_secret WHERE name = '" SETUP_SECRET_NAME "'", err);
	if (!rc)
		rc = vault_seal(v, db, SETUP_SECRET_NAME, in->account_id, in->secret_key,
				strlen(in->secret_key), err);
	if (!rc)
		rc = stripe_account_save(db, &row, err);
	if (!rc && in->currency && *in->currency)
		rc = settings_set(db, "currency", in->currency, err);
	if (!rc && in->payment_at_booking >= 0 && in->payment_at_booking <= BOOKING_PAY_REQUIRED)
		rc = settings_set(db, "payment_at_booking", booking_names[in->payment_at_booking],
				  err);
	if (!rc && in->bill_with_stripe >= 0)
		rc = settings_set(db, "bill_with_stripe", in->bill_with_stripe ? "on" : "off", err);
	if (!rc) {
		char detail[256];
		snprintf(detail, sizeof detail, "%s %s account %s with key %s%s%s%s%s",
			 replacing ? "replaced the key of" : "connected", row.mode, row.account_id,
			 row.key_hint, replacing ? " (was " : "", replacing ? before.key_hint : "",
			 replacing ? ")" : "", row.connected_account[0] ? ", acting for " : "");
		if (row.connected_account[0])
			snprintf(detail + strlen(detail), sizeof detail - strlen(detail), "%s",
				 row.connected_account);
		struct audit_entry e = {.actor = who->name,
					.action = replacing ? "stripe.key_replaced" : "stripe.connect",
					.detail = detail, .object_id = row.account_id};
		rc = audit_append(db, &e, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	log_msg(LOG_INFO, "Stripe account %s saved (%s mode, key %s)", row.account_id, row.mode,
		row.key_hint);
	return PD_OK;
}

int setup_open_key(sqlite3 *db, struct vault *v, char **key, struct pd_error *err)
{
	*key = NULL;
	struct stripe_account_row row;
	int rc = stripe_account_get(db, &row, err);
	if (rc)
		return rc;
	return vault_open_secret(v, db, SETUP_SECRET_NAME, row.account_id, key, NULL, err);
}

int setup_disconnect(sqlite3 *db, const struct session *who, struct pd_error *err)
{
	struct stripe_account_row row;
	int rc = auth_allow_now(db, who, AUTH_SETUP, err);
	if (rc)
		return rc;
	if (stripe_account_get(db, &row, err) != PD_OK)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "no Stripe account is connected");
	rc = db_begin(db, err);
	if (!rc)
		rc = stripe_account_delete(db, err);
	if (!rc) {
		char detail[160];
		snprintf(detail, sizeof detail, "disconnected account %s; key %s wiped",
			 row.account_id, row.key_hint);
		struct audit_entry e = {.actor = who->name, .action = "stripe.disconnect",
					.detail = detail, .object_id = row.account_id};
		rc = audit_append(db, &e, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	/* After the commit: the wipe checkpoints the WAL so no page keeps it. */
	rc = vault_wipe(db, err);
	log_msg(LOG_INFO, "Stripe account %s disconnected", row.account_id);
	return rc;
}

int setup_vault_kdf(const struct vault_kdf **out, struct pd_error *err)
{
	const char *cost = getenv("PAYDESK_VAULT_KDF");
	if (!cost || !*cost || strcmp(cost, "default") == 0)
		*out = &VAULT_KDF_DEFAULT;
	else if (strcmp(cost, "interactive") == 0)
		*out = &VAULT_KDF_INTERACTIVE;
	else
		return pd_error_set(err, PD_ERR_USAGE,
				    "PAYDESK_VAULT_KDF must be \"default\" or \"interactive\" "
				    "(the cheaper cost, for test suites): unset it for a real vault");
	return PD_OK;
}

int setup_vault_create(sqlite3 *db, const char *passphrase, struct vault **out,
		       struct pd_error *err)
{
	const struct vault_kdf *kdf = NULL;
	int rc = setup_vault_kdf(&kdf, err);
	return rc ? rc : vault_create(db, passphrase, kdf, out, err);
}

const char *setup_passphrase_hint(const char *p)
{
	size_t n = p ? strlen(p) : 0;
	if (n < VAULT_PASSPHRASE_MIN)
		return "too short: use at least 10 characters (a few unrelated words work well)";
	int kinds = 0;
	bool lower = false, upper = false, digit = false, other = false, space = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		lower |= c >= 'a' && c <= 'z';
		upper |= c >= 'A' && c <= 'Z';
		digit |= c >= '0' && c <= '9';
		space |= c == ' ';
		other |= !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
			 !(c >= '0' && c <= '9') && c != ' ';
	}
	kinds = lower + upper + digit + other + space;
	if (n < 16 && kinds < 3)
		return "weak: make it longer (16+ characters) or mix words, digits and symbols";
	return "";
}
