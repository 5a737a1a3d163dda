/* Refunding from the billing history: any payment the history shows, not
 * only those of appointments booked here (subscription invoices, payments
 * taken elsewhere). */
#ifndef PAYDESK_HISTORY_REFUND_H
#define PAYDESK_HISTORY_REFUND_H

#include <stdint.h>

#include "paydesk/auth.h"
#include "paydesk/jobs.h"
#include "paydesk/payments.h"

/* What is still refundable on a history record (a succeeded or partly
 * refunded payment); 0 with a reason in why when nothing is. */
int64_t history_refundable(sqlite3 *db, int64_t history_id, char *why, size_t len);

/* Refund amount (0: all that is left) of the payment in history row
 * history_id, with reason (duplicate | fraudulent | requested_by_customer).
 * A payment of an appointment booked here goes through payments_refund, so
 * the appointment's money trail follows; any other is refunded directly
 * (POST /v1/refunds through the outbox, audited). Either way the refund is
 * folded into the history at once; the next sync confirms it. Staff are
 * held to the admin's refund limit. */
int history_refund(const struct pay_env *e, int64_t history_id, int64_t amount,
		   const char *reason, struct pay_result *r, struct pd_error *err);

/* history_refund on the interactive lane; the completion's result is the
 * message for the reviewer. key is copied into guarded memory. */
uint64_t history_refund_job_submit(struct jobs *jobs, int64_t history_id, int64_t amount,
				   const char *reason, const char *key, const struct session *who);

#endif
