/* Booking policies (table booking_policies: one per service, and the
 * business default with service_id NULL) and each client's acceptance of
 * one (policy_acceptances: the text as it was shown, when and how). The
 * rules live in core/policy.c; who may change them, and the audit, in
 * app/policies.c. */
#ifndef PAYDESK_POLICIES_STORE_H
#define PAYDESK_POLICIES_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "paydesk/error.h"
#include "paydesk/policy.h"
#include "paydesk/users.h"

/* The policy stored for service_id (0: the business default);
 * PD_ERR_NOT_FOUND when none. */
int policies_get(sqlite3 *db, int64_t service_id, struct booking_policy *out,
		 struct pd_error *err);

/* The policy that applies to service_id: its own, else the business
 * default, else policy_none (id 0). */
int policies_effective(sqlite3 *db, int64_t service_id, struct booking_policy *out,
		       struct pd_error *err);

/* Insert or replace the policy of p->service_id with a new version (greater
 * than every version given before, even of policies since removed):
 * p->id, p->version and p->updated_at are set. Checked with policy_check. */
int policies_put(sqlite3 *db, struct booking_policy *p, const char *by, struct pd_error *err);

/* Remove the policy of service_id (it falls back to the default);
 * PD_ERR_NOT_FOUND when it had none. */
int policies_remove(sqlite3 *db, int64_t service_id, struct pd_error *err);

/* Call fn for each stored policy: the default first, then by service id. */
int policies_each(sqlite3 *db, void (*fn)(void *ctx, const struct booking_policy *p),
		  void *ctx, struct pd_error *err);

enum policy_accepted_how { POLICY_AT_DESK, POLICY_BY_PHONE, POLICY_ON_LINK, POLICY_ON_READER };

struct policy_acceptance {
	int64_t id, appointment_id;
	int64_t policy_id;      /* 0: the built-in policy */
	int64_t policy_version;
	enum policy_accepted_how how;
	int64_t accepted_at;
	char actor[USER_NAME_MAX + 1]; /* who recorded it (the desk user) */
	char text[POLICY_TEXT_MAX + 1];
};

const char *policy_how_name(enum policy_accepted_how how); /* "desk", "phone", "link", "reader" */
int policy_how_parse(const char *text, enum policy_accepted_how *out, struct pd_error *err);

/* Record an acceptance (inside the caller's transaction); *id may be NULL. */
int policies_accept(sqlite3 *db, const struct policy_acceptance *a, int64_t *id,
		    struct pd_error *err);

/* The latest acceptance recorded for an appointment; PD_ERR_NOT_FOUND when none. */
int policies_acceptance_last(sqlite3 *db, int64_t appointment_id, struct policy_acceptance *out,
			     struct pd_error *err);

#endif
