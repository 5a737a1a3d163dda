/* Fees at a no-show or a late cancellation (issue 18): proposed from the
 * appointment's booking policy, never charged without a person. The fees
 * queue (Appointments tab, `F`; `paydesk fees`) works through them with one
 * key each: charge the client's saved card off-session, change the amount,
 * waive it with a reason; a decline or an authentication request offers a
 * pay link. Every step is audited (fee.*) in the transaction that makes it.
 *
 * Who may do what: anyone who may take payment (staff and admins) charges,
 * waives (a reason is required) and lowers a fee; only an admin raises one
 * above what the policy gave. Charges go through the outbox with one
 * Idempotency-Key per attempt, committed (fee charging) before anything is
 * sent: a second `c` on a fee whose outcome is not known re-sends that same
 * call (Stripe answers it again, nothing is charged twice) instead of a new
 * one. The PaymentIntent carries metadata appointment_id, client_id,
 * service, fee_id, fee_kind and policy_version. */
#ifndef PAYDESK_FEES_H
#define PAYDESK_FEES_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/appointments.h"
#include "paydesk/auth.h"
#include "paydesk/error.h"
#include "paydesk/fees_store.h"
#include "paydesk/payments.h"

/* Inside booking_close's transaction, once a->state is to: propose the fee
 * the policy gives for a no-show, or for a cancellation later than its
 * window (policy_no_show_plan / policy_cancel_plan), less the money still
 * held (paid, not refunded: kept, it counts toward the fee). Nothing when
 * the policy has no such fee, the price is in another currency than a fixed
 * fee, or the appointment has a fee already. Audited as fee.propose. */
int fees_propose_in(sqlite3 *db, const struct session *who, const struct appointment *a,
		    enum appt_state to, int64_t now, struct pd_error *err);

/* Inside booking_undo_state's transaction: a fee still proposed for the
 * appointment is withdrawn (fee.withdraw); one already charged or worked on
 * stays as it is. One whose charge is under way or of unknown outcome, or
 * with a pay link still open (fees_expire_link first), refuses the undo
 * (PD_ERR_CONFLICT): it may land charged. */
int fees_withdraw_in(sqlite3 *db, const struct session *who, int64_t appointment_id,
		     struct pd_error *err);

/* Change the amount of fee id to amount (> 0) with a reason: staff up to the
 * policy's amount, admins above it too. Only while nobody charges it. */
int fees_set_amount(sqlite3 *db, const struct session *who, int64_t id, int64_t amount,
		    const char *reason, struct pd_error *err);

/* Waive fee id, reason required; refused while its pay link is open
 * (fees_expire_link first). */
int fees_waive(sqlite3 *db, const struct session *who, int64_t id, const char *reason,
	       struct pd_error *err);

/* Charge fee id on the client's first saved card off-session (a worker:
 * network). A decline or an authentication request is PD_OK with the fee
 * declined / needs action, r->offer_link set and the next step in
 * r->message. A fee whose last charge has no known outcome is read back
 * (its call re-sent with its own key), never charged anew. A fee with an
 * open pay link is only checked against the link. */
int fees_charge(const struct pay_env *e, int64_t id, struct pay_result *r,
		struct pd_error *err);

/* A pay link (Checkout Session) for fee id (r->url), for the client to pay
 * it themselves; an open one is shown again. */
int fees_pay_link(const struct pay_env *e, int64_t id, struct pay_result *r,
		  struct pd_error *err);

/* Close fee id's open pay link at Stripe (a worker: network), so that the
 * fee can be withdrawn (the no-show undone) or waived without the client
 * still paying it. Paid meanwhile: the fee is recorded charged instead
 * (fee.link.paid; r->message says its refund is U's). Expired:
 * fee.link.expire, the link cleared. Stripe not reached: PD_ERR, nothing
 * changed. Re-run safely: it reads the session back first. */
int fees_expire_link(const struct pay_env *e, int64_t id, struct pay_result *r,
		     struct pd_error *err);

/* What can still be refunded of fee id (*left, minor units; *out the fee),
 * or why nothing can: only a charged fee, less what was refunded of it. */
int fees_refundable(sqlite3 *db, int64_t id, struct appt_fee *out, int64_t *left,
		    struct pd_error *err);

/* Refund amount (0: all that is left) of charged fee id to the client's
 * card (a worker: network): one POST /v1/refunds of its PaymentIntent
 * through the outbox, staff within their refund limits
 * (auth_refund_reserve); recorded on the fee (refunded, so the day close
 * shows it) with a fee.refund audit entry. A refund of it whose outcome is
 * not known yet blocks another; never more than was charged. reason: a
 * Stripe refund reason (requested_by_customer, duplicate, fraudulent). */
int fees_refund(const struct pay_env *e, int64_t id, int64_t amount, const char *reason,
		struct pay_result *r, struct pd_error *err);

/* After an outage or a crash: refunds of charged fees that Stripe made
 * (done in the outbox) but were not recorded on them are added to them,
 * audited (fee.refund). Called by payment recovery. */
int fees_settle_refunds(const struct pay_env *e, struct pd_error *err);

/* Inside a transaction recording a refund of PaymentIntent pi made some
 * other way (History): when pi is a charged fee's, part is added to what was
 * refunded of it. Nothing when pi is not a fee's. */
int fees_note_refund_in(sqlite3 *db, const char *pi, int64_t part, struct pd_error *err);

/* "visit today", "visit yesterday", "visit 3 days ago", "visit 2 weeks ago". */
char *fee_visit_ago(int64_t visit_at, int64_t now, char *out, size_t len);

/* The card fee f is (or would be) charged on, as "Visa •4242": a charged
 * fee's from the billing history, else the client's first saved card (the
 * one a charge takes); "" when neither is known. No network. Returns out. */
char *fees_card(sqlite3 *db, const struct appt_fee *f, char *out, size_t len);

/* One line for lists: "no-show · 20.00 USD · proposed". */
char *fee_describe(const struct appt_fee *f, char *out, size_t len);

#endif
