/* Who is acting, and what their role allows. The app layer checks here
 * before every money, settings or user action, so a screen that forgot to
 * hide something still cannot do it. */
#ifndef PAYDESK_AUTH_H
#define PAYDESK_AUTH_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/error.h"
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

/* Refunds: admins any amount; staff up to the limit the admin set
 * (settings staff_refund_limit "AMOUNT CURRENCY"; none set: staff may not
 * refund). Amounts in another currency than the limit's are refused. */
int auth_allow_refund(sqlite3 *db, const struct session *who, int64_t amount,
		      const char *currency, struct pd_error *err);

/* Set the staff refund limit (admins only). */
int auth_set_refund_limit(sqlite3 *db, const struct session *who, int64_t amount,
			  const char *currency, struct pd_error *err);

/* User management through the app layer: admins only, except that the
 * very first user (an admin) may be created by anyone at first run. */
int auth_user_add(sqlite3 *db, const struct session *who, const char *name,
		  enum user_role role, const char *pin, struct pd_error *err);
int auth_user_disable(sqlite3 *db, const struct session *who, const char *name, bool disabled,
		      struct pd_error *err);
int auth_user_reset_pin(sqlite3 *db, const struct session *who, const char *name,
			const char *pin, struct pd_error *err);

#endif
