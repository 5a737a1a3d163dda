/* Who is acting, and what their role allows. The app layer checks here
 * before every money, settings or user action, so a screen that forgot to
 * hide something still cannot do it. */
#ifndef PAYDESK_AUTH_H
#define PAYDESK_AUTH_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"
#include "paydesk/refund_limits.h"
#include "paydesk/users.h"

struct session {
	bool signed_in;
	int64_t user_id;   /* 0 for the system session */
	char name[USER_NAME_MAX + 1];
	enum user_role role;
};

enum auth_action {
	AUTH_SETUP,        /* connect, rotate, disconnect Stripe; settings */
	AUTH_KEY_MATERIAL, /* see anything of the key, even masked */
	AUTH_USERS,        /* add, disable users, reset PINs, set limits */
	AUTH_BOOK,         /* book and change appointments, clients */
	AUTH_TAKE_PAYMENT, /* charge a client */
	AUTH_REVIEW,       /* mark and annotate billing history */
	AUTH_AUDIT,        /* browse and export the audit log */
};

/* A headless admin command proven by the vault passphrase ("admin"). */
struct session session_system_admin(void);
/* A signed-in user. */
struct session session_for(const struct user *u);

/* 0 when who may do a; else PD_ERR_FORBIDDEN with "only an admin can …". */
int auth_allow(const struct session *who, enum auth_action a, struct pd_error *err);

/* Who re-read from the users table, in the caller's transaction if one is
 * open: PD_ERR_FORBIDDEN when disabled (or gone) since signing in; *role
 * (may be NULL) is the role as stored now. The system session (user_id 0)
 * has no row and keeps its role. */
int auth_session_check(sqlite3 *db, const struct session *who, enum user_role *role,
		       struct pd_error *err);

/* auth_allow with the user's state as stored now (auth_session_check): for
 * every money and settings action, so a disable or a role change counts at
 * once, not at the next sign-in. */
int auth_allow_now(sqlite3 *db, const struct session *who, enum auth_action a,
		   struct pd_error *err);

/* A refund of one payment (pi_… or ch_…), as it will be sent. */
struct auth_refund_part {
	const char *payment;
	int64_t amount;
	int64_t reservation; /* set by auth_refund_reserve for staff; 0 for admins */
};

/* Refunds: admins any amount. Staff within the limits an admin set for the
 * currency (refund_limits.h): all staff refunds of one payment together,
 * and what this user refunded today; no limit for the currency: staff may
 * not refund in it. Checked and reserved in one write transaction (pending
 * and unknown refunds count), so desks refunding at once cannot together
 * pass a limit. A refusal is PD_ERR_FORBIDDEN, audited (refund.refused). */
int auth_refund_reserve(sqlite3 *db, const struct session *who, const char *currency,
			struct auth_refund_part *parts, size_t n, struct pd_error *err);

/* auth_refund_reserve's rule without reserving or auditing: why[] is the
 * refusal it would give ("" when it would pass). For telling the desk
 * before it confirms; auth_refund_reserve stays the guard. */
int auth_refund_check(sqlite3 *db, const struct session *who, const char *currency,
		      const struct auth_refund_part *parts, size_t n, char *why, size_t len,
		      struct pd_error *err);

/* What this user may refund in a currency now, for the refund form. */
struct auth_refund_room {
	bool unlimited;	  /* an admin */
	bool has_limit;	  /* staff: false when no limit is set (no staff refunds) */
	struct refund_limit limit;
	int64_t day_left; /* -1: no daily limit */
};
int auth_refund_room(sqlite3 *db, const struct session *who, const char *currency,
		     struct auth_refund_room *out, struct pd_error *err);

enum auth_refund_outcome {
	AUTH_REFUND_MADE,     /* Stripe refunded it: it counts */
	AUTH_REFUND_NOT_MADE, /* refused by Stripe or never sent: released */
	AUTH_REFUND_UNKNOWN,  /* no answer: stays counted */
};
/* What became of a reserved part (nothing for an admin's); the first call
 * for a part decides, later ones do nothing. */
void auth_refund_settle(sqlite3 *db, struct auth_refund_part *part,
			enum auth_refund_outcome outcome);

/* Set a currency's staff refund limits (admins only): per_payment, and
 * per_day (REFUND_NO_DAILY_LIMIT: none). Audited. */
int auth_set_refund_limit(sqlite3 *db, const struct session *who, const char *currency,
			  int64_t per_payment, int64_t per_day, struct pd_error *err);

/* "50.00 USD a payment, 60.00 USD a day each" */
char *auth_refund_limit_describe(const struct refund_limit *l, char *out, size_t len);

/* User management through the app layer: admins only, except that the
 * very first user (an admin) may be created by anyone at first run. */
int auth_user_add(sqlite3 *db, const struct session *who, const char *name,
		  enum user_role role, const char *pin, struct pd_error *err);
int auth_user_disable(sqlite3 *db, const struct session *who, const char *name, bool disabled,
		      struct pd_error *err);
int auth_user_reset_pin(sqlite3 *db, const struct session *who, const char *name,
			const char *pin, struct pd_error *err);

#endif
