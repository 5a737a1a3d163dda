#include "paydesk/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/db_check.h"
#include "paydesk/money.h"
#include "paydesk/settings.h"

struct session session_system_admin(void)
{
	struct session s = {.signed_in = true, .role = ROLE_ADMIN};
	snprintf(s.name, sizeof s.name, "admin");
	return s;
}

struct session session_for(const struct user *u)
{
	struct session s = {.signed_in = true, .user_id = u->id, .role = u->role};
	snprintf(s.name, sizeof s.name, "%s", u->name);
	return s;
}

static const char *const what[] = {
	[AUTH_SETUP] = "change the Stripe connection or settings",
	[AUTH_KEY_MATERIAL] = "see the Stripe key",
	[AUTH_USERS] = "manage users",
	[AUTH_BOOK] = "book appointments",
	[AUTH_TAKE_PAYMENT] = "take payments",
	[AUTH_REVIEW] = "review billing history",
	[AUTH_AUDIT] = "read the audit log",
};

int auth_allow(const struct session *who, enum auth_action a, struct pd_error *err)
{
	if (!who || !who->signed_in)
		return pd_error_set(err, PD_ERR_FORBIDDEN, "sign in to %s", what[a]);
	switch (a) {
	case AUTH_SETUP:
	case AUTH_KEY_MATERIAL:
	case AUTH_USERS:
	case AUTH_AUDIT:
		if (who->role != ROLE_ADMIN)
			return pd_error_set(err, PD_ERR_FORBIDDEN, "only an admin can %s", what[a]);
		return PD_OK;
	case AUTH_BOOK:
	case AUTH_TAKE_PAYMENT:
	case AUTH_REVIEW:
		return PD_OK;
	}
	return pd_error_set(err, PD_ERR_FORBIDDEN, "not allowed");
}

/* The stored limit: "AMOUNT CURRENCY" in minor units, e.g. "5000 usd". */
static bool read_limit(sqlite3 *db, int64_t *amount, char currency[4])
{
	char *v = NULL;
	struct pd_error err;
	if (settings_get(db, "staff_refund_limit", &v, &err) != PD_OK)
		return false;
	long long a = 0;
	char cur[8] = "";
	bool ok = sscanf(v, "%lld %3s", &a, cur) == 2 && a >= 0;
	free(v);
	if (ok) {
		*amount = a;
		memcpy(currency, cur, 4);
	}
	return ok;
}

int auth_allow_refund(sqlite3 *db, const struct session *who, int64_t amount,
		      const char *currency, struct pd_error *err)
{
	if (!who || !who->signed_in)
		return pd_error_set(err, PD_ERR_FORBIDDEN, "sign in to refund");
	if (who->role == ROLE_ADMIN)
		return PD_OK;
	int64_t limit;
	char cur[4];
	if (!read_limit(db, &limit, cur))
		return pd_error_set(err, PD_ERR_FORBIDDEN,
				    "staff may not refund until an admin sets a refund limit");
	char want[48], max[48];
	money_format(amount, currency, want, sizeof want);
	money_format(limit, cur, max, sizeof max);
	if (strcasecmp(cur, currency) != 0 || amount > limit)
		return pd_error_set(err, PD_ERR_FORBIDDEN,
				    "a refund of %s is above the staff limit of %s: ask an admin",
				    want, max);
	return PD_OK;
}

int auth_set_refund_limit(sqlite3 *db, const struct session *who, int64_t amount,
			  const char *currency, struct pd_error *err)
{
	int rc = auth_allow(who, AUTH_USERS, err);
	if (rc)
		return rc;
	if (amount < 0 || !currency || strlen(currency) != 3)
		return pd_error_set(err, PD_ERR_USAGE, "a limit is an amount and a currency");
	char value[48], shown[48];
	snprintf(value, sizeof value, "%lld %s", (long long)amount, currency);
	rc = db_begin(db, err);
	if (!rc)
		rc = settings_set(db, "staff_refund_limit", value, err);
	if (!rc) {
		money_format(amount, currency, shown, sizeof shown);
		char detail[96];
		snprintf(detail, sizeof detail, "staff refund limit set to %s", shown);
		struct audit_entry e = {.actor = who->name, .action = "settings.refund_limit",
					.detail = detail, .has_amount = true, .amount = amount,
					.currency = currency};
		rc = audit_append(db, &e, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	return rc;
}

static int audited(sqlite3 *db, const struct session *who, const char *action, const char *name,
		   int rc, struct pd_error *err)
{
	if (rc)
		return rc;
	struct audit_entry e = {.actor = who && who->signed_in ? who->name : "first run",
				.action = action, .object_id = name};
	return audit_append(db, &e, err);
}

int auth_user_add(sqlite3 *db, const struct session *who, const char *name,
		  enum user_role role, const char *pin, struct pd_error *err)
{
	int count = 0;
	int rc = users_count(db, &count, err);
	if (rc)
		return rc;
	if (count == 0 && role != ROLE_ADMIN)
		return pd_error_set(err, PD_ERR_USAGE, "the first user must be an admin");
	/* No users on a database with data: damage, not a first run; only the
	 * vault passphrase holder (a signed-in session without users) may add
	 * an admin then. */
	if (count == 0 && !(who && who->signed_in) && (rc = db_first_run_check(db, err)))
		return rc;
	if (count > 0 && (rc = auth_allow(who, AUTH_USERS, err)))
		return rc;
	rc = users_add(db, name, role, pin, err);
	return audited(db, who, role == ROLE_ADMIN ? "user.add_admin" : "user.add_staff", name,
		       rc, err);
}

int auth_user_disable(sqlite3 *db, const struct session *who, const char *name, bool disabled,
		      struct pd_error *err)
{
	int rc = auth_allow(who, AUTH_USERS, err);
	if (!rc && disabled && strcmp(who->name, name) == 0)
		rc = pd_error_set(err, PD_ERR_USAGE, "you cannot disable yourself");
	if (!rc)
		rc = users_set_disabled(db, name, disabled, err);
	return audited(db, who, disabled ? "user.disable" : "user.enable", name, rc, err);
}

int auth_user_reset_pin(sqlite3 *db, const struct session *who, const char *name,
			const char *pin, struct pd_error *err)
{
	int rc = auth_allow(who, AUTH_USERS, err);
	if (!rc)
		rc = users_reset_pin(db, name, pin, err);
	return audited(db, who, "user.reset_pin", name, rc, err);
}
