/* What a running job shows the UI thread, in one shape for every job that
 * publishes progress (history sync, export, verification, Connect): the job
 * writes its record and the screen copies it, both under one lock, and each
 * start (or reset) takes a new generation so a job left behind — cancelled,
 * restarted, or its account wiped — cannot overwrite a newer one's record.
 *
 * A record embeds `struct job_progress` as its `pub` member:
 *   UI thread:  gen = job_progress_begin(&r->pub); ...set the start...; job_progress_end(&r->pub);
 *   worker:     if (job_progress_claim(&r->pub, gen)) { ...write...; job_progress_end(&r->pub); }
 *   UI thread:  job_progress_lock(&r->pub); ...copy...; job_progress_end(&r->pub); */
#ifndef PAYDESK_JOB_PROGRESS_H
#define PAYDESK_JOB_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>

struct job_progress {
	pthread_mutex_t lock;
	unsigned generation; /* under lock */
};

void job_progress_init(struct job_progress *p);
void job_progress_destroy(struct job_progress *p);

/* Lock, and start a new generation (returned): jobs of older ones publish
 * nothing from now on. Write the start state, then job_progress_end. */
unsigned job_progress_begin(struct job_progress *p);

/* Lock when gen is still the current generation (true: write, then
 * job_progress_end); false, not locked, when a newer one began. */
bool job_progress_claim(struct job_progress *p, unsigned gen);

/* Lock to read (a snapshot for drawing). */
void job_progress_lock(struct job_progress *p);
void job_progress_end(struct job_progress *p);

#endif
