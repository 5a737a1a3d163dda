#include "paydesk/verify_job.h"
#include "paydesk/vault.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct verify_job {
	struct verify_progress *progress;
	unsigned generation;
	char *key; /* sodium_malloc */
	char account[64];
	char connected[64];
};

void verify_progress_init(struct verify_progress *p)
{
	memset(p, 0, sizeof *p);
	job_progress_init(&p->pub);
}

void verify_progress_destroy(struct verify_progress *p)
{
	job_progress_destroy(&p->pub);
}

void verify_progress_reset(struct verify_progress *p)
{
	job_progress_begin(&p->pub); /* a job of the old generation writes nothing from now on */
	p->running = false;
	p->done = false;
	memset(&p->report, 0, sizeof p->report);
	p->error[0] = '\0';
	job_progress_end(&p->pub);
}

void verify_progress_snapshot(struct verify_progress *p, struct verify_progress *out)
{
	job_progress_lock(&p->pub);
	out->running = p->running;
	out->done = p->done;
	out->report = p->report;
	memcpy(out->error, p->error, sizeof out->error);
	job_progress_end(&p->pub);
}

/* Called on the worker after each row: publish it if this job is current. */
static void publish_row(void *ctx, const struct verify_row *row)
{
	struct verify_job *j = ctx;
	struct verify_progress *p = j->progress;
	if (job_progress_claim(&p->pub, j->generation)) {
		if (p->report.n < VERIFY_ROWS_MAX)
			p->report.rows[p->report.n++] = *row;
		job_progress_end(&p->pub);
	}
}

static enum jobs_status run_verify(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct verify_job *j = arg;
	struct verify_report report;
	struct pd_error err = {0};
	memset(&report, 0, sizeof report);
	/* Queued without a key (the TUI, the saved key): opened here, wiped after. */
	char *opened = NULL;
	const char *key = jobs_key(ctx, j->key, &opened, &err);
	int rc = key ? verify_run(ctx->client, key, j->account, j->connected[0] ? j->connected : NULL,
				  &report, publish_row, j, ctx->cancel, &err)
		     : PD_ERR;
	vault_secret_free(&opened);
	struct verify_progress *p = j->progress;
	if (job_progress_claim(&p->pub, j->generation)) {
		p->running = false;
		p->done = rc == PD_OK;
		if (rc == PD_OK)
			p->report = report; /* the totals, with every row */
		snprintf(p->error, sizeof p->error, "%s", rc ? err.msg : "");
		job_progress_end(&p->pub);
	}
	if (rc) {
		snprintf(result, size, "verification stopped: %s", err.msg);
		return ctx->cancel && atomic_load(ctx->cancel) ? JOBS_CANCELLED : JOBS_FAILED;
	}
	snprintf(result, size, "verified %s: %d failing, %d warnings", report.account_id,
		 report.failures, report.warnings);
	return JOBS_DONE;
}

static void free_verify(void *arg)
{
	struct verify_job *j = arg;
	if (j->key)
		sodium_free(j->key);
	free(j);
}

uint64_t verify_job_submit(struct jobs *jobs, struct verify_progress *p, const char *key,
			   const char *account_id, const char *connected)
{
	if (!jobs)
		return 0;
	struct verify_job *j = calloc(1, sizeof *j);
	size_t n = key ? strlen(key) : 0;
	if (!j || (key && !(j->key = sodium_malloc(n + 1)))) {
		free(j);
		return 0;
	}
	if (key)
		memcpy(j->key, key, n + 1);
	snprintf(j->account, sizeof j->account, "%s", account_id ? account_id : "");
	snprintf(j->connected, sizeof j->connected, "%s", connected ? connected : "");
	j->progress = p;
	j->generation = job_progress_begin(&p->pub);
	memset(&p->report, 0, sizeof p->report);
	p->running = true;
	p->done = false;
	p->error[0] = '\0';
	job_progress_end(&p->pub);
	uint64_t id = jobs_submit(jobs, JOBS_INTERACTIVE, run_verify, j, free_verify);
	if (!id) {
		free_verify(j);
		job_progress_lock(&p->pub);
		p->running = false;
		job_progress_end(&p->pub);
	}
	return id;
}
