#include "paydesk/history_sync_job.h"
#include "paydesk/vault.h"

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sync_job {
	struct history_sync_progress *progress;
	unsigned generation;
	char *key; /* sodium_malloc */
	char account[64];
	bool full;
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void history_sync_progress_init(struct history_sync_progress *p)
{
	memset(p, 0, sizeof *p);
	job_progress_init(&p->pub);
}

void history_sync_progress_destroy(struct history_sync_progress *p)
{
	job_progress_destroy(&p->pub);
}

void history_sync_progress_snapshot(struct history_sync_progress *p,
				    struct history_sync_progress *out)
{
	job_progress_lock(&p->pub);
	/* everything but the lock and generation */
	size_t from = offsetof(struct history_sync_progress, running);
	memcpy((char *)out + from, (char *)p + from, sizeof *p - from);
	job_progress_end(&p->pub);
}

/* history_sync_run's callback: the count is per object type, the progress
 * record keeps the run's total; how far back in time the pass has come
 * gives the share done (when its lower bound is known). */
struct publish_ctx {
	struct sync_job *job;
	long before; /* records of the object types already done */
	long last;   /* the current type's count at its last call */
	char object[32];
	int64_t floor; /* the account's creation: a first pass's lower bound */
};

static double share_done(const struct history_sync_step *s, int64_t floor)
{
	int64_t since = s->since > 0 ? s->since : floor;
	if (s->steps <= 0 || s->index <= 0)
		return -1;
	double within = 0;
	if (since > 0 && s->newest > since && s->reached > 0)
		within = (double)(s->newest - (s->reached > since ? s->reached : since)) /
			 (double)(s->newest - since);
	else if (s->records > 0)
		return -1; /* records, but no way to tell how many are left */
	return ((double)(s->index - 1) + within) / (double)s->steps;
}

static void publish(void *ctx, const struct history_sync_step *step)
{
	struct publish_ctx *c = ctx;
	if (strcmp(c->object, step->object) != 0) {
		c->before += c->last;
		c->last = 0;
		snprintf(c->object, sizeof c->object, "%s", step->object);
	}
	c->last = step->records;
	struct history_sync_progress *p = c->job->progress;
	if (job_progress_claim(&p->pub, c->job->generation)) {
		snprintf(p->object, sizeof p->object, "%s", step->object);
		p->records = c->before + step->records;
		p->elapsed = now_seconds() - p->started;
		p->step = step->index;
		p->steps = step->steps;
		p->fraction = share_done(step, c->floor);
		job_progress_end(&p->pub);
	}
}

/* When the account was created: how far back a first sync goes. 0 when
 * Stripe does not say (the bar then shows counts and rate only). */
static int64_t account_created(struct jobs_ctx *ctx, const struct sync_job *j, const char *key)
{
	struct stripe_request req = {.method = STRIPE_GET, .path = "/v1/account", .key = key,
				     .account = j->account[0] ? j->account : NULL,
				     .cancel = ctx->cancel};
	struct stripe_response resp;
	struct pd_error err = {0};
	int64_t created = 0;
	if (stripe_client_send(ctx->client, &req, &resp, &err) == PD_OK)
		created = json_integer_value(json_object_get(resp.json, "created"));
	stripe_response_clear(&resp);
	return created;
}

static enum jobs_status run_sync(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct sync_job *j = arg;
	struct history_sync_stats stats;
	struct pd_error err = {0};
	memset(&stats, 0, sizeof stats);
	/* Queued without a key (the TUI): opened here, wiped when the sync ends. */
	char *opened = NULL;
	const char *key = jobs_key(ctx, j->key, &opened, &err);
	int rc = PD_ERR;
	if (key) {
		struct publish_ctx pc = {.job = j, .floor = account_created(ctx, j, key)};
		rc = history_sync_run(ctx->db, ctx->client, key, j->account[0] ? j->account : NULL,
				      HISTORY_SYNC_BESIDE_UI | (j->full ? HISTORY_SYNC_FULL : 0u),
				      publish, &pc, ctx->cancel, &stats, &err);
	}
	vault_secret_free(&opened);
	struct history_sync_progress *p = j->progress;
	if (job_progress_claim(&p->pub, j->generation)) {
		p->running = false;
		p->stats = stats;
		p->elapsed = now_seconds() - p->started;
		snprintf(p->error, sizeof p->error, "%s", rc ? err.msg : "");
		job_progress_end(&p->pub);
	}
	if (rc) {
		snprintf(result, size, "sync stopped: %s", err.msg);
		return ctx->cancel && atomic_load(ctx->cancel) ? JOBS_CANCELLED : JOBS_FAILED;
	}
	if (stats.note[0]) /* a full pass was needed, or the key lacks a permission */
		snprintf(result, size, "synced %ld records; %s", stats.records, stats.note);
	else
		/* short: the status line has about 35 columns for it at 80x24 */
		snprintf(result, size, "synced %ld records, %ld new", stats.records,
			 stats.ingest.inserted);
	return JOBS_DONE;
}

static void free_sync(void *arg)
{
	struct sync_job *j = arg;
	if (j->key)
		sodium_free(j->key);
	free(j);
}

uint64_t history_sync_job_submit(struct jobs *jobs, struct history_sync_progress *p,
				 const char *key, const char *account, bool full)
{
	if (!jobs)
		return 0;
	struct sync_job *j = calloc(1, sizeof *j);
	size_t n = key ? strlen(key) : 0;
	if (!j || (key && !(j->key = sodium_malloc(n + 1)))) {
		free(j);
		return 0;
	}
	if (key)
		memcpy(j->key, key, n + 1);
	snprintf(j->account, sizeof j->account, "%s", account ? account : "");
	j->full = full;
	j->progress = p;
	j->generation = job_progress_begin(&p->pub);
	p->running = true;
	p->full = full;
	p->object[0] = p->error[0] = '\0';
	p->records = 0;
	p->step = p->steps = 0;
	p->fraction = -1;
	p->started = now_seconds();
	p->elapsed = 0;
	memset(&p->stats, 0, sizeof p->stats);
	job_progress_end(&p->pub);
	uint64_t id = jobs_submit(jobs, JOBS_BACKGROUND, run_sync, j, free_sync);
	if (!id) {
		free_sync(j);
		job_progress_lock(&p->pub);
		p->running = false;
		job_progress_end(&p->pub);
	}
	return id;
}
