/* Changing the admin passphrase on a worker: it costs two Argon2id
 * derivations (the old passphrase, then the new one: seconds at paydesk's
 * cost), which the desk's screen should not wait on. Only the passphrase
 * slot is re-wrapped; desk slots keep opening (vault_change_passphrase_as). */
#ifndef PAYDESK_PASSPHRASE_JOB_H
#define PAYDESK_PASSPHRASE_JOB_H

#include <stdint.h>

#include "paydesk/jobs.h"

/* Queue the change (interactive lane), audited under actor. The job keeps
 * its own guarded copies of both passphrases and zeroes them when done.
 * Its completion is JOBS_DONE, or JOBS_FAILED with the reason ("wrong
 * passphrase", …) as result. 0 when not queued. */
uint64_t passphrase_job_submit(struct jobs *jobs, const char *old_pass, const char *new_pass,
			       const char *actor);

#endif
