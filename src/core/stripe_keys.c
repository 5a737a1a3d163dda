#include "paydesk/stripe_keys.h"

#include <ctype.h>
#include <string.h>

enum stripe_key_kind stripe_key_kind(const char *key)
{
	if (!key)
		return STRIPE_KEY_UNKNOWN;
	if (strncmp(key, "sk_", 3) == 0)
		return STRIPE_KEY_SECRET;
	if (strncmp(key, "rk_", 3) == 0)
		return STRIPE_KEY_RESTRICTED;
	if (strncmp(key, "pk_", 3) == 0)
		return STRIPE_KEY_PUBLISHABLE;
	return STRIPE_KEY_UNKNOWN;
}

enum stripe_key_mode stripe_key_mode(const char *key)
{
	if (!key || stripe_key_kind(key) == STRIPE_KEY_UNKNOWN)
		return STRIPE_MODE_UNKNOWN;
	if (strncmp(key + 3, "test_", 5) == 0)
		return STRIPE_MODE_TEST;
	if (strncmp(key + 3, "live_", 5) == 0)
		return STRIPE_MODE_LIVE;
	return STRIPE_MODE_UNKNOWN;
}

const char *stripe_key_mode_name(enum stripe_key_mode m)
{
	return m == STRIPE_MODE_TEST ? "test" : m == STRIPE_MODE_LIVE ? "live" : "unknown";
}

/* Letters and digits only, between min and max characters. */
static bool alnum_run(const char *s, size_t min, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]))
			return false;
	return n >= min && n <= max;
}

int stripe_check_account_id(const char *id, struct pd_error *err)
{
	if (!id || !*id)
		return pd_error_set(err, PD_ERR_USAGE,
				    "enter the Stripe Account ID (acct_…, from Settings > Business "
				    "in the Stripe Dashboard)");
	if (strncmp(id, "acct_", 5) != 0 || !alnum_run(id + 5, 8, 64))
		return pd_error_set(err, PD_ERR_USAGE,
				    "an Account ID starts with acct_ followed by letters and digits");
	return PD_OK;
}

/* Stripe keys: prefix, then at least 16 letters/digits (real ones are ~100). */
static bool key_shape(const char *key)
{
	return alnum_run(key + 8, 16, 255);
}

int stripe_check_publishable_key(const char *key, struct pd_error *err)
{
	if (!key || !*key)
		return pd_error_set(err, PD_ERR_USAGE,
				    "enter the publishable key (pk_test_… or pk_live_…)");
	if (stripe_key_kind(key) != STRIPE_KEY_PUBLISHABLE ||
	    stripe_key_mode(key) == STRIPE_MODE_UNKNOWN)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a publishable key starts with pk_test_ or pk_live_");
	if (!key_shape(key))
		return pd_error_set(err, PD_ERR_USAGE,
				    "this publishable key looks cut short or has stray characters; "
				    "copy it again from the Dashboard");
	return PD_OK;
}

int stripe_check_secret_key(const char *key, bool allow_secret, struct pd_error *err)
{
	if (!key || !*key)
		return pd_error_set(err, PD_ERR_USAGE,
				    "enter the restricted key (rk_test_… or rk_live_…)");
	enum stripe_key_kind kind = stripe_key_kind(key);
	if (kind == STRIPE_KEY_PUBLISHABLE)
		return pd_error_set(err, PD_ERR_USAGE,
				    "that is a publishable key (pk_…); paste the restricted key "
				    "(rk_…) here");
	if (kind == STRIPE_KEY_SECRET && !allow_secret)
		return pd_error_set(err, PD_ERR_USAGE,
				    "that is a secret key (sk_…), which can do everything on the "
				    "account; a restricted key (rk_…) is safer — confirm to use it "
				    "anyway");
	if ((kind != STRIPE_KEY_RESTRICTED && kind != STRIPE_KEY_SECRET) ||
	    stripe_key_mode(key) == STRIPE_MODE_UNKNOWN)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a restricted key starts with rk_test_ or rk_live_");
	if (!key_shape(key))
		return pd_error_set(err, PD_ERR_USAGE,
				    "this key looks cut short or has stray characters (spaces, "
				    "quotes); copy it again from the Dashboard");
	return PD_OK;
}

int stripe_check_same_mode(const char *publishable, const char *secret, struct pd_error *err)
{
	if (!publishable || !*publishable || !secret || !*secret)
		return PD_OK;
	enum stripe_key_mode a = stripe_key_mode(publishable), b = stripe_key_mode(secret);
	if (a != STRIPE_MODE_UNKNOWN && b != STRIPE_MODE_UNKNOWN && a != b)
		return pd_error_set(err, PD_ERR_USAGE,
				    "the publishable key is a %s key but the restricted key is a "
				    "%s key: use two keys of the same mode",
				    stripe_key_mode_name(a), stripe_key_mode_name(b));
	return PD_OK;
}
