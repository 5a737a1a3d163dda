#include "paydesk/audit_verify_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/audit_view.h"

struct verify_job {
	struct audit_verify_progress *progress;
	unsigned generation;
	struct session who;
};

void audit_verify_progress_init(struct audit_verify_progress *p)
{
	memset(p, 0, sizeof *p);
	job_progress_init(&p->pub);
}

void audit_verify_progress_destroy(struct audit_verify_progress *p)
{
	job_progress_destroy(&p->pub);
}

void audit_verify_progress_snapshot(struct audit_verify_progress *p,
				    struct audit_verify_progress *out)
{
	job_progress_lock(&p->pub);
	out->running = p->running;
	out->verified = p->verified;
	out->intact = p->intact;
	out->entries = p->entries;
	out->broken_id = p->broken_id;
	memcpy(out->verdict, p->verdict, sizeof out->verdict);
	job_progress_end(&p->pub);
}

/* SQLite calls it every few thousand steps of the walk: non-zero interrupts. */
static int stop_when_cancelled(void *cancel)
{
	return atomic_load((const atomic_bool *)cancel) ? 1 : 0;
}

static enum jobs_status run_verify(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct verify_job *j = arg;
	struct pd_error err = {0};
	int64_t broken_id = 0, entries = 0;
	int rc = PD_ERR;
	if (!ctx->db) {
		pd_error_set(&err, PD_ERR, "no store for the audit check");
	} else {
		sqlite3_progress_handler(ctx->db, 4096, stop_when_cancelled, (void *)ctx->cancel);
		rc = audit_view_verify(ctx->db, &j->who, &broken_id, &entries, &err);
		sqlite3_progress_handler(ctx->db, 0, NULL, NULL);
	}
	bool stopped = atomic_load(ctx->cancel);
	bool verdict = !stopped && (rc == PD_OK || rc == PD_ERR_TAMPERED);
	char text[sizeof j->progress->verdict];
	if (stopped)
		snprintf(text, sizeof text, "audit check stopped");
	else if (rc == PD_OK)
		snprintf(text, sizeof text, "chain intact: %lld entries verified", (long long)entries);
	else if (rc == PD_ERR_TAMPERED)
		snprintf(text, sizeof text, "CHAIN BROKEN: %.480s", err.msg);
	else
		snprintf(text, sizeof text, "the audit check failed: %.480s", err.msg);
	if (job_progress_claim(&j->progress->pub, j->generation)) {
		struct audit_verify_progress *p = j->progress;
		p->running = false;
		if (verdict) { /* a stop or a failure keeps the last verdict */
			p->verified = true;
			p->intact = rc == PD_OK;
			p->entries = entries;
			p->broken_id = broken_id;
			memcpy(p->verdict, text, sizeof p->verdict);
		}
		job_progress_end(&p->pub);
	}
	snprintf(result, size, "%.*s", (int)size - 1, text);
	return stopped ? JOBS_CANCELLED : verdict ? JOBS_DONE : JOBS_FAILED;
}

uint64_t audit_verify_job_submit(struct jobs *jobs, struct audit_verify_progress *p,
				 const struct session *who)
{
	if (!jobs || !who)
		return 0;
	struct verify_job *j = calloc(1, sizeof *j);
	if (!j)
		return 0;
	j->progress = p;
	j->who = *who;
	j->generation = job_progress_begin(&p->pub);
	p->running = true;
	job_progress_end(&p->pub);
	uint64_t id = jobs_submit(jobs, JOBS_BACKGROUND, run_verify, j, free);
	if (!id) {
		free(j);
		job_progress_lock(&p->pub);
		p->running = false;
		job_progress_end(&p->pub);
	}
	return id;
}
