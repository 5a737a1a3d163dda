/* A history export on a background worker, for the History screen: the job
 * writes the file (beside it, renamed into place when whole), publishes how
 * many records it has written (job_progress), stops between pages when
 * cancelled — leaving no file — and audits a finished export. */
#ifndef PAYDESK_HISTORY_EXPORT_JOB_H
#define PAYDESK_HISTORY_EXPORT_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "paydesk/history_export.h"
#include "paydesk/job_progress.h"
#include "paydesk/jobs.h"

struct history_export_progress {
	struct job_progress pub;
	bool running;
	long rows;       /* written so far */
	long total;      /* what the filter's totals count, < 0: not known */
	char path[1024]; /* where it goes */
};

void history_export_progress_init(struct history_export_progress *p);
void history_export_progress_destroy(struct history_export_progress *p);
/* Copy p's state under its lock (for drawing). */
void history_export_progress_snapshot(struct history_export_progress *p,
				      struct history_export_progress *out);

/* Queue the export of f, in the order of sort and descending (the list's),
 * to path (a new file) on the background lane, in actor's name. The completion says what happened: JOBS_DONE "exported N
 * records to PATH", JOBS_CANCELLED when stopped (no file), JOBS_FAILED with
 * why. Returns the job id, 0 when it could not be queued. */
uint64_t history_export_job_submit(struct jobs *jobs, struct history_export_progress *p,
				   const struct history_filter *f, enum history_sort sort,
				   bool descending, enum history_format fmt, const char *path,
				   const char *actor);

#endif
