/* What a Stripe key or account id looks like, checked before any network
 * call: prefixes, shapes, and test/live consistency. */
#ifndef PAYDESK_STRIPE_KEYS_H
#define PAYDESK_STRIPE_KEYS_H

#include <stdbool.h>

#include "paydesk/error.h"

enum stripe_key_kind {
	STRIPE_KEY_UNKNOWN,
	STRIPE_KEY_SECRET,      /* sk_ */
	STRIPE_KEY_RESTRICTED,  /* rk_ */
	STRIPE_KEY_PUBLISHABLE, /* pk_ */
};

enum stripe_key_mode { STRIPE_MODE_UNKNOWN, STRIPE_MODE_TEST, STRIPE_MODE_LIVE };

/* Kind and mode from the prefix ("rk_live_…" → RESTRICTED, LIVE). */
enum stripe_key_kind stripe_key_kind(const char *key);
enum stripe_key_mode stripe_key_mode(const char *key);
const char *stripe_key_mode_name(enum stripe_key_mode m); /* "test" | "live" | "unknown" */

/* One field checked on its own: 0, or PD_ERR_USAGE with a message that says
 * what was expected. */
int stripe_check_account_id(const char *id, struct pd_error *err);
int stripe_check_publishable_key(const char *key, struct pd_error *err);
/* A restricted (rk_) or, with allow_secret, a secret (sk_) key. */
int stripe_check_secret_key(const char *key, bool allow_secret, struct pd_error *err);

/* The two keys must be of one mode: a live publishable key with a test
 * restricted key is refused. Either may be NULL/"" (nothing to compare). */
int stripe_check_same_mode(const char *publishable, const char *secret, struct pd_error *err);

#endif
