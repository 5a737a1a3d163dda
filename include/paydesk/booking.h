/* Booking use cases: book, edit/reschedule, cancel, complete, no-show. Each
 * runs in one BEGIN IMMEDIATE transaction, so the clash check and the write
 * cannot interleave with another paydesk process on the same database, and
 * each change is appended to the audit log in that same transaction. */
#ifndef PAYDESK_BOOKING_H
#define PAYDESK_BOOKING_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/appointments.h"
#include "paydesk/auth.h"
#include "paydesk/error.h"

struct booking_request {
	const struct session *who; /* must be signed in (AUTH_BOOK); named in the audit log */
	int64_t client_id, service_id, staff_id;
	int64_t starts_at;  /* UTC; the end comes from the service's duration */
	const char *notes;  /* may be NULL */
};

/* Book. Refused with PD_ERR_CLASH (err names the other booking) when the
 * staff member is booked then, PD_ERR_USAGE outside their working hours or
 * for an inactive service or staff member. */
/* The checks booking_create (edit_id 0) or booking_update (edit_id) would
 * make — client, service, staff hours, a clash — without writing: to refuse
 * before the desk is asked anything else. */
int booking_check(sqlite3 *db, const struct booking_request *req, int64_t edit_id,
		  struct pd_error *err);

int booking_create(sqlite3 *db, const struct booking_request *req, int64_t *id,
		   struct pd_error *err);

/* Edit or reschedule appointment id, read at version (PD_ERR_CONFLICT when
 * someone changed it since). The same checks as booking_create. */
int booking_update(sqlite3 *db, int64_t id, int64_t version, const struct booking_request *req,
		   struct pd_error *err);

/* Cancel, complete or mark as no-show (to: APPT_CANCELLED, APPT_COMPLETED,
 * APPT_NO_SHOW), from a booked, awaiting-payment or confirmed appointment.
 * An appointment awaiting payment cannot be completed: take the payment, or
 * cancel it. who as in booking_request. */
int booking_set_state(sqlite3 *db, const struct session *who, int64_t id, int64_t version,
		      enum appt_state to, struct pd_error *err);

/* booking_set_state, and with kept > 0 the desk's choice to keep that much
 * paid (in currency) audited in the same transaction (booking.keep,
 * "cancelled, 45.00 USD kept · …"). */
int booking_close(sqlite3 *db, const struct session *who, int64_t id, int64_t version,
		  enum appt_state to, int64_t kept, const char *currency, struct pd_error *err);

/* Whether cur may go to state to at time now (the rules of
 * booking_set_state, for asking before anything else is done). */
int booking_check_state(const struct appointment *cur, enum appt_state to, int64_t now,
			struct pd_error *err);

/* Undo the last cancel / complete / no-show of appointment id (read at
 * version): back to the state it left, if that change was made today
 * (local time) and, for a freed slot, nobody has taken it since. Audited
 * as booking.undo. *restored (may be NULL): the state it is in now. */
int booking_undo_state(sqlite3 *db, const struct session *who, int64_t id, int64_t version,
		       enum appt_state *restored, struct pd_error *err);

/* Audit that the desk chose to keep amount paid on an appointment closed
 * already (after a cancel through Stripe): booking.keep, as booking_close. */
int booking_money_kept(sqlite3 *db, const struct session *who, int64_t id, int64_t amount,
		       const char *currency, struct pd_error *err);

/* The client's first other appointment that holds its slot, with another
 * staff member, and overlaps [start, end) (exclude_id: the one being
 * edited): 1 and *other filled (free it), 0 when none, or an error. */
int booking_client_overlap(sqlite3 *db, int64_t client_id, int64_t staff_id, int64_t start,
			   int64_t end, int64_t exclude_id, struct appointment *other,
			   struct pd_error *err);

/* "Tue 2025-03-25 10:00-11:00 Jane Doe · Haircut with Alice" (local time). */
void booking_describe(const struct appointment *a, char *out, size_t len);

#endif
