#include "paydesk/audit_events.h"

#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paydesk/audit.h"
#include "paydesk/log.h"
#include "paydesk/users.h"

static const char *os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	return pw && pw->pw_name ? pw->pw_name : "?";
}

int audit_event_export(sqlite3 *db, const char *actor, const char *what, long count,
		       const char *noun, const char *dest, struct pd_error *err)
{
	char action[48];
	snprintf(action, sizeof action, "export.%s", what);
	char *detail = NULL;
	if (asprintf(&detail, "%ld %s to %s%s%s", count, noun, dest ? dest : "standard output",
		     actor ? "" : ", by OS user ", actor ? "" : os_user()) < 0)
		return pd_error_set(err, PD_ERR, "out of memory");
	struct audit_entry e = {.actor = actor ? actor : "command line", .action = action,
				.detail = detail};
	int rc = audit_append(db, &e, err);
	free(detail);
	return rc;
}

void audit_event_sign_in(sqlite3 *db, const char *name, const char *previous, int rc,
			 const char *via)
{
	struct pd_error err = {0};
	char detail[160];
	struct audit_entry e = {.detail = detail};
	if (!rc) {
		bool sw = previous && *previous && strcmp(previous, name) != 0;
		e.actor = name;
		e.action = sw ? "user.switch" : "user.sign_in";
		if (sw)
			snprintf(detail, sizeof detail, "signed in at the %s, after %s", via, previous);
		else
			snprintf(detail, sizeof detail, "signed in at the %s", via);
	} else {
		struct user u;
		struct pd_error ignored = {0};
		bool known = users_get(db, name, &u, &ignored) == PD_OK;
		if (known && rc != PD_ERR_LOCKED)
			return; /* the store audited the wrong PIN or disabled account */
		e.actor = known ? name : "unknown user";
		e.action = "user.sign_in_refused";
		snprintf(detail, sizeof detail, "sign-in at the %s refused: %s", via,
			 known ? "paused after wrong PINs" : "unknown name");
	}
	if (audit_append(db, &e, &err))
		log_msg(LOG_ERROR, "could not audit a sign-in: %s", err.msg);
}

void audit_event_vault_holder(sqlite3 *db, char *name, size_t len)
{
	snprintf(name, len, "vault passphrase");
	sqlite3_stmt *st;
	/* Who connected Stripe: the actor of the last connect entry that is a
	 * user; else the first enabled admin. */
	if (sqlite3_prepare_v2(db,
			       "SELECT a.actor FROM audit_log a JOIN users u ON u.name = a.actor"
			       " WHERE a.action IN ('stripe.connect', 'stripe.rotate') AND u.role = 'admin'"
			       " AND u.disabled = 0 ORDER BY a.id DESC LIMIT 1",
			       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(name, len, "%s", (const char *)sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
			return;
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(db,
			       "SELECT name FROM users WHERE role = 'admin' AND disabled = 0"
			       " ORDER BY id LIMIT 1",
			       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(name, len, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
}
