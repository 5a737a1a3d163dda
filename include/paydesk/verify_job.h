/* Verification on a worker, as a live checklist: the job fills a progress
 * record row by row (under its lock) that the Setup screen draws. */
#ifndef PAYDESK_VERIFY_JOB_H
#define PAYDESK_VERIFY_JOB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/job_progress.h"
#include "paydesk/jobs.h"
#include "paydesk/verify.h"

struct verify_progress {
	struct job_progress pub; /* lock + generation: each submit begins one; older jobs stop writing */
	bool running;
	bool done;                  /* the checklist ran to its end */
	struct verify_report report;
	char error[512];            /* why it stopped early, or "" */
};

void verify_progress_init(struct verify_progress *p);
void verify_progress_destroy(struct verify_progress *p);

/* Forget any verification (after a disconnect): under the lock, a new
 * generation so a job still running publishes nothing, and no report. */
void verify_progress_reset(struct verify_progress *p);

/* Copy p's state under its lock (for drawing). */
void verify_progress_snapshot(struct verify_progress *p, struct verify_progress *out);

/* Queue a verification on the interactive lane. key is copied into guarded
 * memory owned by the job. Returns the job id, 0 when it could not be queued. */
uint64_t verify_job_submit(struct jobs *jobs, struct verify_progress *p, const char *key,
			   const char *account_id, const char *connected);

#endif
