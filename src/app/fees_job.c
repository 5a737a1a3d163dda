/* Fees queue jobs: see fees_job.h. */
#include "paydesk/fees_job.h"

#include <stdio.h>
#include <stdlib.h>

#include "paydesk/fees.h"
#include "paydesk/vault.h"

struct fees_job {
	enum fees_job_op op;
	int64_t id;
	struct session who;
};

static enum jobs_status run(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct fees_job *j = arg;
	if (!ctx->db) {
		snprintf(result, size, "no store for fees");
		return JOBS_FAILED;
	}
	char *opened = NULL;
	struct pd_error key_err = {0}, err = {0};
	struct pay_env e = {.db = ctx->db, .client = ctx->client,
			    .key = jobs_key(ctx, NULL, &opened, &key_err), .cancel = ctx->cancel,
			    .who = &j->who};
	struct pay_result r;
	int rc = j->op == FEES_JOB_CHARGE   ? fees_charge(&e, j->id, &r, &err)
		 : j->op == FEES_JOB_REFUND ? fees_refund(&e, j->id, 0, "requested_by_customer",
							  &r, &err)
		 : j->op == FEES_JOB_EXPIRE ? fees_expire_link(&e, j->id, &r, &err)
					    : fees_pay_link(&e, j->id, &r, &err);
	vault_secret_free(&opened);
	snprintf(result, size, "%s", rc ? err.msg : r.message);
	return rc ? JOBS_FAILED : JOBS_DONE;
}

uint64_t fees_job_submit(struct jobs *jobs, enum fees_job_op op, int64_t id,
			 const struct session *who)
{
	if (!jobs)
		return 0;
	struct fees_job *j = calloc(1, sizeof *j);
	if (!j)
		return 0;
	j->op = op;
	j->id = id;
	if (who)
		j->who = *who;
	uint64_t jid = jobs_submit(jobs, JOBS_INTERACTIVE, run, j, free);
	if (!jid)
		free(j);
	return jid;
}
