/* The fees queue's Stripe steps as worker jobs (interactive lane): the
 * screen submits, and re-reads the fees when the completion arrives; the
 * completion's result line is the message for the desk. */
#ifndef PAYDESK_FEES_JOB_H
#define PAYDESK_FEES_JOB_H

#include <stdint.h>

#include "paydesk/auth.h"
#include "paydesk/jobs.h"

enum fees_job_op { FEES_JOB_CHARGE, FEES_JOB_LINK, FEES_JOB_REFUND, FEES_JOB_EXPIRE };

/* Queue fees_charge / fees_pay_link / fees_expire_link / fees_refund (all that is left, as
 * requested by the customer) of fee id as who (the key is opened on
 * the worker). Returns the job id, 0 when it could not be queued. */
uint64_t fees_job_submit(struct jobs *jobs, enum fees_job_op op, int64_t id,
			 const struct session *who);

#endif
