/* While Stripe is unreachable (stripe_reach.h), a light check now and then
 * tells when it is back without waiting for the desk's next payment: one
 * GET /v1/balance, queued on the background lane after a delay (the job
 * pool's delayed queue, never a worker asleep), at most one at a time. Any
 * answer, even a refusal of the key, means Stripe is there again. */
#ifndef PAYDESK_REACH_JOB_H
#define PAYDESK_REACH_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "paydesk/jobs.h"

/* Seconds between checks while Stripe stays unreachable. */
#define REACH_PROBE_SECONDS 15

/* Queue one check in delay seconds (while Stripe is unreachable; skipped if
 * it answered meanwhile), or with delay 0 one now whatever is known (the
 * desk is about to need Stripe: a payment form opened, a queued charge to
 * send). At most one of each kind at a time (else 0). key (guarded memory)
 * is copied for the job. */
uint64_t reach_probe_submit(struct jobs *jobs, const char *key, double delay);

/* Whether a delayed check is queued or running. */
bool reach_probe_pending(void);

/* Checks in the pool, queued or running (0-2): the desk's job count and
 * "quit while jobs run?" leave them out — a check moves nothing. */
int reach_probe_count(void);

#endif
