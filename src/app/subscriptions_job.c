/* Subscription use cases as worker jobs. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/jobs.h"
#include "paydesk/money.h"
#include "paydesk/plans.h"
#include "paydesk/subscriptions.h"
#include "paydesk/vault.h"
#include "paydesk/subscriptions_job.h"

struct subs_job {
	struct subs_job_request req;
	struct session who;
	char *key; /* sodium_malloc */
};

static void free_job(void *arg)
{
	struct subs_job *j = arg;
	if (!j)
		return;
	if (j->key)
		sodium_free(j->key);
	free(j);
}

static int run_plan(const struct pay_env *e, const struct subs_job_request *q, char *msg,
		    size_t len, struct pd_error *err)
{
	const struct subs_plan_fields *f = &q->plan;
	int64_t id = q->plan_id;
	int rc;
	if (q->op == SUBS_OP_PLAN_CREATE) {
		struct plan_input in = {f->name,   f->description, f->features,
					f->limits, f->amount,	   f->currency,
					f->interval, f->interval_count};
		rc = plans_create(e, &in, &id, err);
	} else if (q->op == SUBS_OP_PLAN_EDIT) {
		rc = plans_edit(e, id, f->name, f->description, f->features, f->limits, err);
	} else {
		rc = plans_archive(e, id, q->op == SUBS_OP_PLAN_ARCHIVE, err);
	}
	if (rc)
		return rc;
	struct plan p;
	if (plans_store_get(e->db, id, &p, NULL) != PD_OK) {
		snprintf(msg, len, "Plan saved.");
		return PD_OK;
	}
	char money[64], every[48];
	money_format(p.amount, p.currency, money, sizeof money);
	plans_interval_words(p.interval, p.interval_count, every, sizeof every);
	static const char *const verbs[] = {"created", "saved", "archived", "restored"};
	snprintf(msg, len, "Plan %s: %.120s, %s %s.", verbs[q->op - SUBS_OP_PLAN_CREATE], p.name,
		 money, every);
	plan_free(&p);
	return PD_OK;
}

static enum jobs_status run_op(struct subs_job *j, struct pay_env e, char *result, size_t size);

static enum jobs_status run_job(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct subs_job *j = arg;
	/* Queued without a key (the TUI): opened here, wiped when the job ends.
	 * Locked, the use cases refuse what needs Stripe. */
	char *opened = NULL;
	struct pd_error key_err = {0};
	struct pay_env e = {.db = ctx->db, .client = ctx->client,
			    .key = jobs_key(ctx, j->key, &opened, &key_err), .cancel = ctx->cancel,
			    .who = &j->who};
	enum jobs_status status = run_op(j, e, result, size);
	vault_secret_free(&opened);
	return status;
}

static enum jobs_status run_op(struct subs_job *j, struct pay_env e, char *result, size_t size)
{
	struct subs_result r = {0};
	struct pd_error err = {0};
	int rc = PD_OK;
	const struct subs_job_request *q = &j->req;
	switch (q->op) {
	case SUBS_OP_SYNC: {
		size_t np = 0, ns = 0;
		rc = plans_sync(&e, &np, &err);
		if (!rc)
			rc = subs_sync(&e, &ns, &err);
		if (!rc)
			snprintf(r.message, sizeof r.message, "Synced %zu plans, %zu subscriptions.",
				 np, ns);
		break;
	}
	case SUBS_OP_SUBSCRIBE:
		rc = subs_subscribe(&e, &q->in, &r, &err);
		if (!rc && r.needs_card)
			snprintf(r.message, sizeof r.message, "card link: %.400s", r.url);
		break;
	case SUBS_OP_PREVIEW: {
		int64_t due, at;
		char cur[4];
		rc = subs_preview_change(&e, q->id, q->plan_id, q->quantity, &due, cur, &at, &err);
		if (!rc)
			snprintf(r.message, sizeof r.message, "preview %lld %s %lld", (long long)due,
				 cur, (long long)at);
		break;
	}
	case SUBS_OP_CHANGE: rc = subs_change(&e, q->id, q->plan_id, q->quantity, &r, &err); break;
	case SUBS_OP_CANCEL_NOW: rc = subs_cancel(&e, q->id, false, &r, &err); break;
	case SUBS_OP_CANCEL_END: rc = subs_cancel(&e, q->id, true, &r, &err); break;
	case SUBS_OP_UNDO: rc = subs_undo_cancel(&e, q->id, &r, &err); break;
	case SUBS_OP_PAUSE: rc = subs_pause(&e, q->id, true, &r, &err); break;
	case SUBS_OP_RESUME: rc = subs_pause(&e, q->id, false, &r, &err); break;
	case SUBS_OP_PLAN_CREATE:
	case SUBS_OP_PLAN_EDIT:
	case SUBS_OP_PLAN_ARCHIVE:
	case SUBS_OP_PLAN_RESTORE: rc = run_plan(&e, q, r.message, sizeof r.message, &err); break;
	case SUBS_OP_RETRY: rc = subs_retry(&e, q->id, &r, &err); break;
	case SUBS_OP_CARD_LINK:
		rc = subs_card_link(&e, q->id, &r, &err);
		if (!rc)
			snprintf(r.message, sizeof r.message, "card link: %.400s", r.url);
		break;
	}
	snprintf(result, size, "%s", rc ? err.msg : r.message);
	return rc ? JOBS_FAILED : JOBS_DONE;
}

uint64_t subs_job_submit(struct jobs *jobs, const struct subs_job_request *req, const char *key,
			 const struct session *who)
{
	struct subs_job *j = calloc(1, sizeof *j);
	if (!j)
		return 0;
	j->req = *req;
	if (who)
		j->who = *who;
	if (key) {
		size_t n = strlen(key);
		if (!(j->key = sodium_malloc(n + 1))) {
			free(j);
			return 0;
		}
		memcpy(j->key, key, n + 1);
	}
	uint64_t id = jobs_submit(jobs, req->op == SUBS_OP_SYNC ? JOBS_BACKGROUND : JOBS_INTERACTIVE,
				  run_job, j, free_job);
	if (!id)
		free_job(j);
	return id;
}
