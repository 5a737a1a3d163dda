/* Booking policies as use cases: an admin sets or removes a service's
 * policy or the business default (audited, in one transaction with the
 * change); the policy an appointment is held to; the client's acceptance
 * recorded with the text they were shown. See core/policy.h for the rules. */
#ifndef PAYDESK_POLICIES_H
#define PAYDESK_POLICIES_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/appointments.h"
#include "paydesk/auth.h"
#include "paydesk/error.h"
#include "paydesk/policies_store.h"

/* Set the policy of p->service_id (0: the business default): admins only
 * (AUTH_SETUP, checked against the users table now), checked, audited as
 * policy.set with the service and the new terms. p->id, p->version set. */
int policy_set(sqlite3 *db, const struct session *who, struct booking_policy *p,
	       struct pd_error *err);

/* Remove a service's own policy (it falls back to the default) or the
 * default: admins only, audited as policy.remove. */
int policy_remove(sqlite3 *db, const struct session *who, int64_t service_id,
		  struct pd_error *err);

/* "Haircut: deposit 20 % required · card held · cancel 24 h before: refund ·
 * late: fee 50 %, keep-deposit · no-show: fee 100 %" — one line for lists
 * and the audit log. service_name NULL: "business default". Returns out. */
char *policy_summary(const struct booking_policy *p, const char *service_name, char *out,
		     size_t len);

/* The policy appointment a is held to (its service's, else the default),
 * and the text a client is shown for it at a's price. text may be NULL. */
int policy_for_appointment(sqlite3 *db, const struct appointment *a, struct booking_policy *p,
			   char *text, size_t text_len, struct pd_error *err);

/* Record that the client of appointment id accepted the policy it is held
 * to now, as shown (how: at the desk, by phone, on a pay/save-card link or
 * the reader), audited as policy.accept in the same transaction. out (may
 * be NULL) gets the row. */
int policy_accept(sqlite3 *db, const struct session *who, int64_t appointment_id,
		  enum policy_accepted_how how, struct policy_acceptance *out,
		  struct pd_error *err);

#endif
