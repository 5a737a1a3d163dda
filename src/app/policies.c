#include "paydesk/policies.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/money.h"
#include "paydesk/payments_store.h"
#include "paydesk/services.h"

char *policy_summary(const struct booking_policy *p, const char *service_name, char *out,
		     size_t len)
{
	char dep[40], late[40], ns[40];
	policy_amount_format(&p->deposit, p->currency, dep, sizeof dep);
	policy_amount_format(&p->late_fee, p->currency, late, sizeof late);
	policy_amount_format(&p->no_show_fee, p->currency, ns, sizeof ns);
	snprintf(out, len,
		 "%s: deposit %s%s \u00b7 card %s \u00b7 cancel %d h before: %s \u00b7 late: fee %s,"
		 " %s \u00b7 no-show: fee %s",
		 service_name ? service_name : "business default", dep,
		 p->deposit.kind != POLICY_AMOUNT_NONE
			 ? (p->deposit_required ? " required" : " optional")
			 : "",
		 p->hold_card ? "held" : "not held", p->cancel_window_hours,
		 policy_rule_name(p->in_time), late, policy_rule_name(p->late), ns);
	return out;
}

/* The service's name for messages, or NULL for the default. */
static int service_name(sqlite3 *db, int64_t service_id, struct service *s, const char **name,
			struct pd_error *err)
{
	*name = NULL;
	if (!service_id)
		return PD_OK;
	int rc = services_get(db, service_id, s, err);
	if (!rc)
		*name = s->name;
	return rc;
}

/* A fixed deposit above the service's price would ask more at booking than
 * the visit costs (and the texts clamp it): refused, saying the most. */
static int deposit_within_price(const struct booking_policy *p, const struct service *s,
				struct pd_error *err)
{
	if (p->deposit.kind != POLICY_AMOUNT_FIXED || strcmp(p->currency, s->currency) != 0 ||
	    p->deposit.value <= s->price)
		return PD_OK;
	char dep[64], price[64];
	return pd_error_set(err, PD_ERR_USAGE,
			    "a deposit of %s is more than the price of %s (%s): type at most "
			    "that, or a percentage of the price (50%%); nothing was changed",
			    money_format(p->deposit.value, p->currency, dep, sizeof dep), s->name,
			    money_format(s->price, s->currency, price, sizeof price));
}

static int audit_policy(sqlite3 *db, const struct session *who, const char *action,
			const char *detail, int64_t service_id, struct pd_error *err)
{
	char object[32];
	snprintf(object, sizeof object, service_id ? "service %lld" : "default",
		 (long long)service_id);
	struct audit_entry e = {.actor = who->name, .action = action, .detail = detail,
				.object_id = object};
	return audit_append(db, &e, err);
}

int policy_set(sqlite3 *db, const struct session *who, struct booking_policy *p,
	       struct pd_error *err)
{
	int rc = policy_check(p, err);
	if (rc)
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	struct service s;
	const char *name;
	rc = auth_allow_now(db, who, AUTH_SETUP, err);
	if (!rc)
		rc = service_name(db, p->service_id, &s, &name, err);
	if (!rc && name)
		rc = deposit_within_price(p, &s, err);
	if (!rc)
		rc = policies_put(db, p, who->name, err);
	if (!rc) {
		char detail[400];
		policy_summary(p, name, detail, sizeof detail);
		size_t n = strlen(detail);
		snprintf(detail + n, sizeof detail - n, " (version %lld)", (long long)p->version);
		rc = audit_policy(db, who, "policy.set", detail, p->service_id, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	return rc;
}

int policy_remove(sqlite3 *db, const struct session *who, int64_t service_id,
		  struct pd_error *err)
{
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	struct service s;
	const char *name;
	rc = auth_allow_now(db, who, AUTH_SETUP, err);
	if (!rc)
		rc = service_name(db, service_id, &s, &name, err);
	if (!rc)
		rc = policies_remove(db, service_id, err);
	if (!rc) {
		char detail[SERVICE_NAME_MAX * 4 + 80];
		snprintf(detail, sizeof detail, "%s: own policy removed%s",
			 name ? name : "business default",
			 name ? ", the business default applies" : "");
		rc = audit_policy(db, who, "policy.remove", detail, service_id, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	return rc;
}

int policy_for_appointment(sqlite3 *db, const struct appointment *a, struct booking_policy *p,
			   char *text, size_t text_len, struct pd_error *err)
{
	int rc = policies_effective(db, a->service_id, p, err);
	if (!rc && text)
		policy_describe(p, a->amount, a->currency, text, text_len);
	return rc;
}

int policy_held_to(sqlite3 *db, const struct appointment *a, struct booking_policy *p,
		   char *text, size_t text_len, bool *accepted, struct pd_error *err)
{
	struct policy_acceptance acc;
	if (accepted)
		*accepted = false;
	if (policies_acceptance_last(db, a->id, &acc, NULL) == PD_OK && acc.policy_id &&
	    policies_terms(db, acc.policy_version, p, NULL) == PD_OK) {
		if (text)
			snprintf(text, text_len, "%s", acc.text);
		if (accepted)
			*accepted = true;
		return PD_OK;
	}
	return policy_for_appointment(db, a, p, text, text_len, err);
}

static int plan_for(sqlite3 *db, int64_t appointment_id, int64_t now, bool no_show,
		    struct policy_cancel_plan *out, struct pd_error *err)
{
	struct appointment a = {0};
	struct booking_policy p;
	int64_t paid = 0, refunded = 0;
	memset(out, 0, sizeof *out);
	int rc = appointments_get(db, appointment_id, &a, err);
	if (!rc)
		rc = policy_held_to(db, &a, &p, NULL, 0, NULL, err);
	if (!rc)
		rc = payrows_totals(db, appointment_id, &paid, &refunded, err);
	if (!rc) {
		policy_plan_money(&p, a.amount, a.currency, paid - refunded,
				  policy_is_late(&p, a.starts_at, now), no_show, out);
		out->policy_id = p.id;
		out->policy_version = p.version;
		out->hold_card = p.hold_card;
	}
	appointment_free(&a);
	return rc;
}

int policy_cancel_plan(sqlite3 *db, int64_t appointment_id, int64_t now,
		       struct policy_cancel_plan *out, struct pd_error *err)
{
	return plan_for(db, appointment_id, now, false, out, err);
}

int policy_no_show_plan(sqlite3 *db, int64_t appointment_id, struct policy_cancel_plan *out,
			struct pd_error *err)
{
	return plan_for(db, appointment_id, (int64_t)time(NULL), true, out, err);
}

int policy_accept(sqlite3 *db, const struct session *who, int64_t appointment_id,
		  enum policy_accepted_how how, struct policy_acceptance *out,
		  struct pd_error *err)
{
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	struct appointment a = {0};
	struct booking_policy p;
	struct policy_acceptance acc = {.appointment_id = appointment_id, .how = how,
					.accepted_at = (int64_t)time(NULL)};
	rc = auth_allow(who, AUTH_BOOK, err);
	if (!rc)
		rc = appointments_get(db, appointment_id, &a, err);
	if (!rc)
		rc = policy_for_appointment(db, &a, &p, acc.text, sizeof acc.text, err);
	if (!rc) {
		acc.policy_id = p.id;
		acc.policy_version = p.version;
		snprintf(acc.actor, sizeof acc.actor, "%s", who->name);
		rc = policies_accept(db, &acc, &acc.id, err);
	}
	if (!rc) {
		char detail[POLICY_TEXT_MAX + 96];
		snprintf(detail, sizeof detail, "accepted %s (policy version %lld): %s",
			 policy_how_name(how), (long long)acc.policy_version, acc.text);
		char object[32];
		snprintf(object, sizeof object, "appointment %lld", (long long)appointment_id);
		struct audit_entry e = {.actor = who->name, .action = "policy.accept",
					.detail = detail, .object_id = object};
		rc = audit_append(db, &e, err);
	}
	appointment_free(&a);
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	else if (out)
		*out = acc;
	return rc;
}
