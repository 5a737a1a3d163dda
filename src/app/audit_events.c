#include "paydesk/audit_events.h"

#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paydesk/audit.h"
#include "paydesk/log.h"
#include "paydesk/outbox.h"
#include "paydesk/outbox_runner.h"
#include "paydesk/sanitize.h"
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
	/* A legal file name may hold any byte: stored as valid, inert text. */
	char *shown = dest ? sanitize_dup(dest) : NULL;
	char *detail = NULL;
	if ((dest && !shown) ||
	    asprintf(&detail, "%ld %s to %s%s%s", count, noun, shown ? shown : "standard output",
		     actor ? "" : ", by OS user ", actor ? "" : os_user()) < 0) {
		free(shown);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	free(shown);
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

/* The value of key in form-encoded params, or NULL (a copy to free). */
static char *param(const char *params, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = params; p && *p;) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=')
			return strndup(p + kl + 1, len - kl - 1);
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

static const char *recovered_action(const char *path)
{
	static const struct {
		const char *prefix, *action;
	} kinds[] = {
		{"/v1/refunds", "refund.recovered"},
		{"/v1/payment_intents", "payment.recovered"},
		{"/v1/checkout/sessions", "payment.link.recovered"},
		{"/v1/subscriptions", "subscription.recovered"},
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strncmp(path, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
			return kinds[i].action;
	return "stripe.recovered";
}

/* The currency of a refunded PaymentIntent, as the store knows it: the
 * desk's payment, the history, or the call that created it. */
static char *pi_currency(sqlite3 *db, const char *pi)
{
	static const char *const sql[] = {
		"SELECT currency FROM appointment_payments WHERE payment_intent_id = ?",
		"SELECT currency FROM history WHERE stripe_id = ?",
		"SELECT params FROM outbox WHERE object_id = ? AND path = '/v1/payment_intents'",
	};
	char *cur = NULL;
	for (size_t i = 0; pi && !cur && i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, sql[i], -1, &st, NULL) != SQLITE_OK)
			continue;
		sqlite3_bind_text(st, 1, pi, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
			const char *v = (const char *)sqlite3_column_text(st, 0);
			cur = i == 2 ? param(v, "currency") : strdup(v);
		}
		sqlite3_finalize(st);
	}
	return cur;
}

int audit_event_recovered(sqlite3 *db, const char *actor, const struct outbox_resolution *list,
			  size_t n, struct pd_error *err)
{
	int rc = PD_OK;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct outbox_resolution *r = &list[i];
		if (r->after != OUTBOX_DONE && r->after != OUTBOX_FAILED)
			continue; /* still open: the next recovery records it */
		struct outbox_row row = {0};
		struct pd_error ignored = {0};
		outbox_get(db, r->id, &row, &ignored);
		char *amount = param(row.params, "amount");
		char *currency = param(row.params, "currency");
		char *pi = param(row.params, "payment_intent");
		if (!currency)
			currency = pi_currency(db, pi);
		char *detail = NULL;
		if (asprintf(&detail, "%s %s %s, finished by recovery: %s", r->method, r->path,
			     r->after == OUTBOX_DONE ? "done" : "refused by Stripe",
			     r->message ? r->message : "") < 0)
			detail = NULL;
		char *end = NULL;
		long long minor = amount ? strtoll(amount, &end, 10) : 0;
		struct audit_entry e = {
			.actor = actor,
			.action = recovered_action(r->path),
			.detail = detail ? detail : "finished by recovery",
			.has_amount = amount && currency && end && !*end,
			.amount = minor,
			.currency = currency,
			.object_id = r->object_id ? r->object_id : row.object_id,
		};
		if (!e.has_amount)
			e.currency = NULL;
		rc = audit_append(db, &e, err);
		free(detail);
		free(amount);
		free(currency);
		free(pi);
		outbox_row_clear(&row);
	}
	return rc;
}
