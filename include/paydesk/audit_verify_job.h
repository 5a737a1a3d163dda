/* The audit chain check on a background worker, for the Audit view: the
 * walk reads every entry (0.25 s for 200,000 here, seconds for a large
 * log), so the view keeps answering keys while it runs; a cancel stops the
 * walk inside SQLite (a progress handler on the worker's connection). The
 * verdict is published through job_progress. */
#ifndef PAYDESK_AUDIT_VERIFY_JOB_H
#define PAYDESK_AUDIT_VERIFY_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "paydesk/auth.h"
#include "paydesk/job_progress.h"
#include "paydesk/jobs.h"

struct audit_verify_progress {
	struct job_progress pub;
	bool running;
	bool verified; /* a verdict came: intact or broken (not stopped, not failed) */
	bool intact;
	int64_t entries, broken_id;
	char verdict[512]; /* "chain intact: N entries verified" / "CHAIN BROKEN: …" / why not */
};

void audit_verify_progress_init(struct audit_verify_progress *p);
void audit_verify_progress_destroy(struct audit_verify_progress *p);
void audit_verify_progress_snapshot(struct audit_verify_progress *p,
				    struct audit_verify_progress *out);

/* Queue the check as who (an admin: AUTH_AUDIT is checked on the worker).
 * JOBS_DONE with the verdict, JOBS_CANCELLED "audit check stopped". */
uint64_t audit_verify_job_submit(struct jobs *jobs, struct audit_verify_progress *p,
				 const struct session *who);

#endif
