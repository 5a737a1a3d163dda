/* The accounting exports (accounting_export.h) on a background worker, for
 * the History screen's export form: the range and currency of the screen's
 * filter, audited in the user's name once written. */
#ifndef PAYDESK_ACCOUNTING_EXPORT_JOB_H
#define PAYDESK_ACCOUNTING_EXPORT_JOB_H

#include <stdint.h>

#include "paydesk/accounting_export.h"
#include "paydesk/jobs.h"

/* Queue the export of o to path (new files only). The completion says
 * "exported N statement lines to PATH" (or "… in K files from PATH-1…"),
 * or JOBS_FAILED with why. Returns the job id, 0 when not queued. */
uint64_t accounting_export_job_submit(struct jobs *jobs, const struct accounting_opts *o,
				      const char *path, const char *actor);

#endif
