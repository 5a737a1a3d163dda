/* paydesk's own users: an admin (keys, settings, users, large refunds) and
 * staff (bookings, payments, small refunds), each signing in with a PIN or
 * passphrase stored only as a crypto_pwhash_str hash. */
#ifndef PAYDESK_USERS_H
#define PAYDESK_USERS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/error.h"

enum user_role { ROLE_STAFF = 0, ROLE_ADMIN = 1 };

#define USER_NAME_MAX 64
#define USER_PIN_MIN 4
/* After this many failures in a row, each further attempt waits longer. */
#define USER_FREE_ATTEMPTS 3

struct user {
	int64_t id;
	char name[USER_NAME_MAX + 1];
	enum user_role role;
	bool disabled;
	int failed_attempts;
	int64_t locked_until; /* unix seconds; sign-in refused before it */
};

const char *user_role_name(enum user_role r); /* "admin" | "staff" */
int user_role_parse(const char *s, enum user_role *out);

/* How many users exist (0 on a first run). */
int users_count(sqlite3 *db, int *count, struct pd_error *err);

/* A PIN a guesser tries first: one character repeated (0000, aaaa), digits
 * in a straight run up or down (1234, 98765), a repeated pair (1212), or one
 * of the 20 most common 4-digit PINs. Refused wherever a PIN is set. */
bool users_pin_is_trivial(const char *pin);
#define USER_PIN_TRIVIAL_MSG "too easy to guess (like 1234, 1111): pick 4+ random digits"

/* Add a user. Name: 1..64 printable characters; PIN: at least 4
 * characters (digits or a passphrase), not trivial (users_pin_is_trivial).
 * PD_ERR_EXISTS for a taken name. */
int users_add(sqlite3 *db, const char *name, enum user_role role, const char *pin,
	      struct pd_error *err);

/* Check name + PIN. A failure is counted (atomically with reading the
 * pause) before the PIN is checked; on success *out is the user and the
 * count is reset. N wrong PINs at once count N; from USER_FREE_ATTEMPTS
 * on the account waits 5 s, doubling with each further failure (at most
 * 5 minutes) (PD_ERR_LOCKED says how long; the right PIN waits too).
 * A disabled user is refused. Every failure is logged and audited. */
int users_sign_in(sqlite3 *db, const char *name, const char *pin, struct user *out,
		  struct pd_error *err);

int users_get(sqlite3 *db, const char *name, struct user *out, struct pd_error *err);
int users_get_id(sqlite3 *db, int64_t id, struct user *out, struct pd_error *err);
int users_set_disabled(sqlite3 *db, const char *name, bool disabled, struct pd_error *err);
int users_reset_pin(sqlite3 *db, const char *name, const char *pin, struct pd_error *err);

/* Call fn for each user, by name. */
int users_each(sqlite3 *db, void (*fn)(void *ctx, const struct user *u), void *ctx,
	       struct pd_error *err);

#endif
