#include "paydesk/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/db_check.h"
#include "paydesk/log.h"
#include "paydesk/money.h"
#include "paydesk/refund_limits.h"
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

int auth_session_check(sqlite3 *db, const struct session *who, enum user_role *role,
		       struct pd_error *err)
{
	if (!who || !who->signed_in)
		return pd_error_set(err, PD_ERR_FORBIDDEN, "sign in first");
	if (who->user_id == 0) { /* proven by the vault passphrase: no user row */
		if (role)
			*role = who->role;
		return PD_OK;
	}
	struct user u;
	int rc = users_get_id(db, who->user_id, &u, err);
	if (rc == PD_ERR_NOT_FOUND)
		return pd_error_set(err, PD_ERR_FORBIDDEN, "%s is no longer a user: sign in again",
				    who->name);
	if (rc)
		return rc;
	if (u.disabled)
		return pd_error_set(err, PD_ERR_FORBIDDEN,
				    "%s is disabled: ask an admin to enable the account", u.name);
	if (role)
		*role = u.role;
	return PD_OK;
}

int auth_allow_now(sqlite3 *db, const struct session *who, enum auth_action a,
		   struct pd_error *err)
{
	enum user_role role;
	int rc = auth_session_check(db, who, &role, err);
	if (rc)
		return rc;
	struct session now = *who;
	now.role = role; /* a role changed since sign-in counts from now */
	return auth_allow(&now, a, err);
}

/* The desk's calendar day, for the daily limit. */
static void local_day(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Why a staff refund of these parts goes over a limit ("" when it does not). */
static int over_limit(sqlite3 *db, const struct session *who, const char *cur,
		      const struct auth_refund_part *parts, size_t n, char *why, size_t len,
		      struct pd_error *err)
{
	char CUR[4], want[48], max[48], done[48];
	money_currency_code(cur, CUR);
	struct refund_limit l;
	int rc = refund_limits_get(db, cur, &l, err);
	if (rc == PD_ERR_NOT_FOUND) {
		snprintf(why, len, "staff may not refund in %s until an admin sets a %s refund limit",
			 CUR, CUR);
		return PD_OK;
	}
	int64_t total = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		int64_t before = 0;
		rc = staff_refunds_sum_payment(db, parts[i].payment, &before, err);
		if (!rc && before + parts[i].amount > l.per_payment) {
			money_format(parts[i].amount, cur, want, sizeof want);
			money_format(l.per_payment, cur, max, sizeof max);
			money_format(before, cur, done, sizeof done);
			char already[96] = "";
			if (before > 0)
				snprintf(already, sizeof already,
					 " (%s of it refunded by staff already)", done);
			snprintf(why, len,
				 "a refund of %s is above the staff limit of %s a payment%s: "
				 "ask an admin",
				 want, max, already);
			return PD_OK;
		}
		total += parts[i].amount;
	}
	if (rc || l.per_day == REFUND_NO_DAILY_LIMIT)
		return rc;
	char day[11];
	local_day(day);
	int64_t today = 0;
	rc = staff_refunds_sum_day(db, who->user_id, cur, day, &today, err);
	if (!rc && today + total > l.per_day) {
		money_format(total, cur, want, sizeof want);
		money_format(l.per_day, cur, max, sizeof max);
		money_format(today, cur, done, sizeof done);
		snprintf(why, len,
			 "a refund of %s is above %s's daily staff limit of %s (%s refunded today): "
			 "ask an admin",
			 want, who->name, max, done);
	}
	return rc;
}

/* The same rule as auth_refund_reserve (over_limit), read only: nothing is
 * reserved or audited, so the desk can be told before it confirms. */
int auth_refund_check(sqlite3 *db, const struct session *who, const char *currency,
		      const struct auth_refund_part *parts, size_t n, char *why, size_t len,
		      struct pd_error *err)
{
	why[0] = '\0';
	char cur[4];
	snprintf(cur, sizeof cur, "%s", currency ? currency : "");
	for (int i = 0; cur[i]; i++)
		cur[i] = (char)tolower((unsigned char)cur[i]);
	enum user_role role = ROLE_STAFF;
	struct pd_error e = {0};
	int rc = auth_session_check(db, who, &role, &e);
	if (rc == PD_ERR_FORBIDDEN) {
		snprintf(why, len, "%s", e.msg);
		return PD_OK;
	}
	if (rc) {
		if (err)
			*err = e;
		return rc;
	}
	if (role == ROLE_ADMIN)
		return PD_OK;
	return over_limit(db, who, cur, parts, n, why, len, err);
}

int auth_refund_room(sqlite3 *db, const struct session *who, const char *currency,
		     struct auth_refund_room *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	char cur[4];
	snprintf(cur, sizeof cur, "%s", currency ? currency : "");
	for (int i = 0; cur[i]; i++)
		cur[i] = (char)tolower((unsigned char)cur[i]);
	enum user_role role = ROLE_STAFF;
	int rc = auth_session_check(db, who, &role, err);
	if (rc)
		return rc;
	if (role == ROLE_ADMIN) {
		out->unlimited = true;
		return PD_OK;
	}
	rc = refund_limits_get(db, cur, &out->limit, err);
	if (rc == PD_ERR_NOT_FOUND)
		return PD_OK; /* has_limit false: staff may not refund in it */
	if (rc)
		return rc;
	out->has_limit = true;
	out->day_left = -1;
	if (out->limit.per_day == REFUND_NO_DAILY_LIMIT)
		return PD_OK;
	char day[11];
	local_day(day);
	int64_t today = 0;
	rc = staff_refunds_sum_day(db, who->user_id, cur, day, &today, err);
	if (!rc)
		out->day_left = out->limit.per_day > today ? out->limit.per_day - today : 0;
	return rc;
}

int auth_refund_reserve(sqlite3 *db, const struct session *who, const char *currency,
			struct auth_refund_part *parts, size_t n, struct pd_error *err)
{
	for (size_t i = 0; i < n; i++)
		parts[i].reservation = 0;
	if (!who || !who->signed_in)
		return pd_error_set(err, PD_ERR_FORBIDDEN, "sign in to refund");
	char cur[4];
	snprintf(cur, sizeof cur, "%s", currency ? currency : "");
	for (int i = 0; cur[i]; i++)
		cur[i] = (char)tolower((unsigned char)cur[i]);
	/* One write transaction for the check and the reservation: two desks
	 * refunding at once are serialised here, the second sees the first. */
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	enum user_role role = ROLE_STAFF;
	char why[sizeof err->msg] = "";
	rc = auth_session_check(db, who, &role, err);
	if (rc == PD_ERR_FORBIDDEN) { /* disabled since signing in: refused, audited */
		snprintf(why, sizeof why, "%s", err->msg);
		rc = PD_OK;
	} else if (rc || role == ROLE_ADMIN) {
		db_rollback(db);
		return rc;
	} else {
		rc = over_limit(db, who, cur, parts, n, why, sizeof why, err);
	}
	int64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += parts[i].amount;
	if (!rc && why[0]) {
		char detail[sizeof err->msg + 96];
		snprintf(detail, sizeof detail, "refused to %s: %s", who->name, why);
		struct audit_entry e = {.actor = who->name, .action = "refund.refused",
					.detail = detail, .has_amount = true, .amount = total,
					.currency = cur, .object_id = n ? parts[0].payment : NULL};
		rc = audit_append(db, &e, err);
		if (!rc)
			rc = db_commit(db, err);
		if (!rc)
			rc = pd_error_set(err, PD_ERR_FORBIDDEN, "%s", why);
		else
			db_rollback(db);
		return rc;
	}
	char day[11];
	local_day(day);
	for (size_t i = 0; !rc && i < n; i++)
		rc = staff_refunds_add(db, who->user_id, who->name, parts[i].payment, cur,
				       parts[i].amount, day, &parts[i].reservation, err);
	if (!rc)
		rc = db_commit(db, err);
	if (rc) {
		db_rollback(db);
		for (size_t i = 0; i < n; i++)
			parts[i].reservation = 0;
	}
	return rc;
}

void auth_refund_settle(sqlite3 *db, struct auth_refund_part *part,
			enum auth_refund_outcome outcome)
{
	if (!part->reservation)
		return; /* an admin's, or settled already */
	if (outcome == AUTH_REFUND_UNKNOWN) {
		part->reservation = 0; /* stays pending: counted until it is known */
		return;
	}
	struct pd_error err = {0};
	if (staff_refunds_settle(db, part->reservation, outcome == AUTH_REFUND_MADE, &err))
		log_msg(LOG_WARN, "staff refund %lld stays counted: %s",
			(long long)part->reservation, err.msg);
	part->reservation = 0;
}

int auth_set_refund_limit(sqlite3 *db, const struct session *who, const char *currency,
			  int64_t per_payment, int64_t per_day, struct pd_error *err)
{
	if (per_payment < 0 || (per_day < 0 && per_day != REFUND_NO_DAILY_LIMIT) || !currency ||
	    strlen(currency) != 3)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a limit is an amount a payment and a currency (and an amount a "
				    "day)");
	struct refund_limit l = {.per_payment = per_payment, .per_day = per_day};
	for (int i = 0; i < 3; i++)
		l.currency[i] = (char)tolower((unsigned char)currency[i]);
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	rc = auth_allow_now(db, who, AUTH_USERS, err);
	if (!rc)
		rc = refund_limits_set(db, &l, who->name, err);
	if (!rc) {
		char detail[200];
		auth_refund_limit_describe(&l, detail, sizeof detail);
		struct audit_entry e = {.actor = who->name, .action = "settings.refund_limit",
					.detail = detail, .has_amount = true, .amount = per_payment,
					.currency = l.currency};
		rc = audit_append(db, &e, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	return rc;
}

char *auth_refund_limit_describe(const struct refund_limit *l, char *out, size_t len)
{
	char a[48], d[64];
	money_format(l->per_payment, l->currency, a, sizeof a);
	if (l->per_day == REFUND_NO_DAILY_LIMIT)
		snprintf(d, sizeof d, "no daily limit");
	else {
		char m[40];
		money_format(l->per_day, l->currency, m, sizeof m);
		snprintf(d, sizeof d, "%s a day each", m);
	}
	snprintf(out, len, "%s a payment, %s", a, d);
	return out;
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
	if (count > 0 && (rc = auth_allow_now(db, who, AUTH_USERS, err)))
		return rc;
	rc = users_add(db, name, role, pin, err);
	return audited(db, who, role == ROLE_ADMIN ? "user.add_admin" : "user.add_staff", name,
		       rc, err);
}

int auth_user_disable(sqlite3 *db, const struct session *who, const char *name, bool disabled,
		      struct pd_error *err)
{
	int rc = auth_allow_now(db, who, AUTH_USERS, err);
	if (!rc && disabled && strcmp(who->name, name) == 0)
		rc = pd_error_set(err, PD_ERR_USAGE, "you cannot disable yourself");
	if (!rc)
		rc = users_set_disabled(db, name, disabled, err);
	return audited(db, who, disabled ? "user.disable" : "user.enable", name, rc, err);
}

int auth_user_reset_pin(sqlite3 *db, const struct session *who, const char *name,
			const char *pin, struct pd_error *err)
{
	int rc = auth_allow_now(db, who, AUTH_USERS, err);
	if (!rc)
		rc = users_reset_pin(db, name, pin, err);
	return audited(db, who, "user.reset_pin", name, rc, err);
}
