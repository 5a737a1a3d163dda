/* Finishing what the last stop left in flight: the outbox rows whose
 * outcome is unknown are re-sent with their own Idempotency-Key (Stripe
 * replays the first result), on a worker, once the key is available. */
#ifndef PAYDESK_RECOVER_JOB_H
#define PAYDESK_RECOVER_JOB_H

#include <stdint.h>

#include "paydesk/jobs.h"

/* Queue the recovery (background lane). Its completion's result says what
 * was resolved ("" when nothing was left in flight). 0 when not queued. */
uint64_t recover_job_submit(struct jobs *jobs, const char *key);

#endif
