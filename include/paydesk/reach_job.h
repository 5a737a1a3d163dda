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

/* Queue one check in delay seconds, unless one is queued or running
 * already (then 0). key (guarded memory) is copied for the job. */
uint64_t reach_probe_submit(struct jobs *jobs, const char *key, double delay);

/* Whether a check is queued or running. */
bool reach_probe_pending(void);

#endif
