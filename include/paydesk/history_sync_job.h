/* A history sync on a background worker, for the History screen: the job
 * publishes its progress (object, records, how far back in time it has
 * come) under a lock, and the screen draws it as a progress bar. */
#ifndef PAYDESK_HISTORY_SYNC_JOB_H
#define PAYDESK_HISTORY_SYNC_JOB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/history_sync.h"
#include "paydesk/job_progress.h"
#include "paydesk/jobs.h"

struct history_sync_progress {
	struct job_progress pub; /* lock + generation: each submit begins one; older jobs stop writing */
	bool running;
	bool full;
	char object[32];  /* object type being pulled */
	int step, steps;  /* which of how many object types */
	long records;     /* fetched so far, all types */
	double fraction;  /* 0..1 of the whole pass, < 0 when not known */
	double started;   /* CLOCK_MONOTONIC seconds at submit */
	double elapsed;   /* seconds, at the last update */
	struct history_sync_stats stats; /* when done */
	char error[512];  /* why it stopped, or "" */
};

void history_sync_progress_init(struct history_sync_progress *p);
void history_sync_progress_destroy(struct history_sync_progress *p);
/* Copy p's state under its lock (for drawing). */
void history_sync_progress_snapshot(struct history_sync_progress *p,
				    struct history_sync_progress *out);

/* Queue a sync on the background lane (payments keep the interactive one).
 * key is copied into guarded memory owned by the job; account: the connected
 * account or NULL. Returns the job id, 0 when it could not be queued. */
uint64_t history_sync_job_submit(struct jobs *jobs, struct history_sync_progress *p,
				 const char *key, const char *account, bool full);

#endif
