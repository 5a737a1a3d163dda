#include "paydesk/history_export_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/audit_events.h"
#include "paydesk/log.h"
#include "paydesk/number.h"

struct export_job {
	struct history_export_progress *progress;
	unsigned generation;
	struct history_filter filter;
	enum history_sort sort;
	bool descending;
	enum history_format fmt;
	char path[1024];
	char actor[72];
};

void history_export_progress_init(struct history_export_progress *p)
{
	memset(p, 0, sizeof *p);
	job_progress_init(&p->pub);
}

void history_export_progress_destroy(struct history_export_progress *p)
{
	job_progress_destroy(&p->pub);
}

void history_export_progress_snapshot(struct history_export_progress *p,
				      struct history_export_progress *out)
{
	job_progress_lock(&p->pub);
	out->running = p->running;
	out->rows = p->rows;
	out->total = p->total;
	memcpy(out->path, p->path, sizeof out->path);
	job_progress_end(&p->pub);
}

static void publish_rows(void *ctx, long rows, long total)
{
	struct export_job *j = ctx;
	if (job_progress_claim(&j->progress->pub, j->generation)) {
		j->progress->rows = rows;
		j->progress->total = total;
		job_progress_end(&j->progress->pub);
	}
}

static enum jobs_status run_export(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct export_job *j = arg;
	struct pd_error err = {0};
	long rows = 0;
	struct history_export_watch watch = {.cancel = ctx->cancel, .on_rows = publish_rows,
					     .ctx = j, .sort = j->sort, .descending = j->descending};
	int rc = ctx->db ? history_export_file_watched(ctx->db, &j->filter, j->fmt, j->path, false,
						       &watch, &rows, &err)
			 : pd_error_set(&err, PD_ERR, "no store for the export");
	bool stopped = rc && ctx->cancel && atomic_load(ctx->cancel);
	if (!rc && audit_event_export(ctx->db, j->actor, "history", rows, "records", j->path,
				      &err) != PD_OK)
		log_msg(LOG_ERROR, "history export to %s not audited: %s", j->path, err.msg);
	if (job_progress_claim(&j->progress->pub, j->generation)) {
		j->progress->running = false;
		j->progress->rows = rows;
		job_progress_end(&j->progress->pub);
	}
	if (stopped) {
		char count[32];
		snprintf(result, size, "export stopped after %s record%s: no file was written",
			 number_grouped(rows, count, sizeof count),
			 rows == 1 ? "" : "s");
		return JOBS_CANCELLED;
	}
	if (rc) {
		snprintf(result, size, "export failed: %s", err.msg);
		return JOBS_FAILED;
	}
	char count[32];
	snprintf(result, size, "exported %s record%s to %s", number_grouped(rows, count, sizeof count),
		 rows == 1 ? "" : "s", j->path);
	return JOBS_DONE;
}

uint64_t history_export_job_submit(struct jobs *jobs, struct history_export_progress *p,
				   const struct history_filter *f, enum history_sort sort,
				   bool descending, enum history_format fmt, const char *path,
				   const char *actor)
{
	if (!jobs || !path)
		return 0;
	struct export_job *j = calloc(1, sizeof *j);
	if (!j)
		return 0;
	j->progress = p;
	j->filter = *f;
	j->sort = sort;
	j->descending = descending;
	j->fmt = fmt;
	snprintf(j->path, sizeof j->path, "%s", path);
	snprintf(j->actor, sizeof j->actor, "%s", actor ? actor : "");
	j->generation = job_progress_begin(&p->pub);
	p->running = true;
	p->rows = 0;
	p->total = -1;
	snprintf(p->path, sizeof p->path, "%s", path);
	job_progress_end(&p->pub);
	uint64_t id = jobs_submit(jobs, JOBS_BACKGROUND, run_export, j, free);
	if (!id) {
		free(j);
		job_progress_lock(&p->pub);
		p->running = false;
		job_progress_end(&p->pub);
	}
	return id;
}
