#include "paydesk/connect_job.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/stripe_account.h"
#include "paydesk/vault.h"

struct connect_job {
	struct connect_result *result;
	enum connect_op op;
	unsigned generation;
	char *key; /* sodium_malloc, or NULL: opened on the worker */
	char account[64], email[256], return_url[512], actor[72];
	int delay_ms;
};

void connect_result_init(struct connect_result *r)
{
	memset(r, 0, sizeof *r);
	job_progress_init(&r->pub);
}

void connect_result_destroy(struct connect_result *r)
{
	job_progress_destroy(&r->pub);
}

void connect_result_forget(struct connect_result *r)
{
	job_progress_begin(&r->pub);
	r->running = false;
	r->have_status = false;
	r->url[0] = '\0';
	r->error[0] = '\0';
	job_progress_end(&r->pub);
}

void connect_result_snapshot(struct connect_result *r, struct connect_result *out)
{
	job_progress_lock(&r->pub);
	out->running = r->running;
	out->have_status = r->have_status;
	out->status = r->status;
	memcpy(out->url, r->url, sizeof out->url);
	out->expires_at = r->expires_at;
	memcpy(out->error, r->error, sizeof out->error);
	job_progress_end(&r->pub);
}

static void audit(sqlite3 *db, const char *actor, const char *action, const char *account)
{
	struct pd_error err;
	struct audit_entry e = {.actor = actor, .action = action, .object_id = account};
	audit_append(db, &e, &err);
}

static enum jobs_status run_op(struct jobs_ctx *ctx, struct connect_job *j, const char *key,
			       char *result, size_t size);

static enum jobs_status run_connect(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct connect_job *j = arg;
	/* Queued without a key (the TUI): opened here, wiped when the job ends. */
	char *opened = NULL;
	struct pd_error err = {0};
	const char *key = jobs_key(ctx, j->key, &opened, &err);
	if (!key) {
		if (job_progress_claim(&j->result->pub, j->generation)) {
			j->result->running = false;
			snprintf(j->result->error, sizeof j->result->error, "%s", err.msg);
			job_progress_end(&j->result->pub);
		}
		snprintf(result, size, "%s", err.msg);
		return JOBS_FAILED;
	}
	enum jobs_status status = run_op(ctx, j, key, result, size);
	vault_secret_free(&opened);
	return status;
}

static enum jobs_status run_op(struct jobs_ctx *ctx, struct connect_job *j, const char *key,
			       char *result, size_t size)
{
	struct connect_result *r = j->result;
	struct pd_error err = {0};
	struct connect_status st = {0};
	char *url = NULL;
	long long expires = 0;
	bool have_status = false;
	int rc = PD_OK;
	char account[64];
	snprintf(account, sizeof account, "%s", j->account);
	switch (j->op) {
	case CONNECT_OP_CREATE:
		rc = connect_create_express(ctx->client, key, j->email, NULL, account, &err);
		if (!rc)
			rc = stripe_account_set_connected(ctx->db, account, &err);
		if (!rc) {
			audit(ctx->db, j->actor, "connect.express.create", account);
			rc = connect_onboarding_link(ctx->client, key, account, j->return_url, &url,
						     &expires, &err);
		}
		if (!rc)
			rc = connect_get_status(ctx->client, key, account, &st, &err);
		have_status = !rc;
		break;
	case CONNECT_OP_ONBOARDING:
		rc = connect_onboarding_link(ctx->client, key, account, j->return_url, &url,
					     &expires, &err);
		break;
	case CONNECT_OP_STATUS: /* a poll waited its delay in the queue */
		rc = connect_get_status(ctx->client, key, account, &st, &err);
		have_status = !rc;
		break;
	case CONNECT_OP_LINK:
		rc = connect_get_status(ctx->client, key, account, &st, &err);
		if (!rc)
			rc = stripe_account_set_connected(ctx->db, account, &err);
		if (!rc)
			audit(ctx->db, j->actor, "connect.link", account);
		have_status = !rc;
		break;
	case CONNECT_OP_LOGIN:
		rc = connect_login_link(ctx->client, key, account, &url, &err);
		break;
	}
	if (job_progress_claim(&r->pub, j->generation)) { /* else overtaken: written nothing */
		r->running = false;
		if (have_status) {
			r->status = st;
			r->have_status = true;
		}
		if (url) {
			snprintf(r->url, sizeof r->url, "%s", url);
			r->expires_at = expires;
		}
		snprintf(r->error, sizeof r->error, "%s", rc ? err.msg : "");
		job_progress_end(&r->pub);
	}
	free(url);
	if (rc) {
		snprintf(result, size, "%s", err.msg);
		return JOBS_FAILED;
	}
	snprintf(result, size, "%s", have_status && connect_ready(&st) ? "Express account ready"
				       : have_status			 ? "onboarding not finished yet"
									 : "link ready");
	return JOBS_DONE;
}

static void free_connect(void *arg)
{
	struct connect_job *j = arg;
	if (j->key)
		sodium_free(j->key);
	free(j);
}

uint64_t connect_job_submit(struct jobs *jobs, struct connect_result *r,
			    const struct connect_request *req)
{
	if (!jobs)
		return 0;
	struct connect_job *j = calloc(1, sizeof *j);
	size_t n = req->key ? strlen(req->key) : 0;
	if (!j || (req->key && !(j->key = sodium_malloc(n + 1)))) {
		free(j);
		return 0;
	}
	if (req->key)
		memcpy(j->key, req->key, n + 1);
	j->result = r;
	j->op = req->op;
	j->delay_ms = req->delay_ms;
	snprintf(j->account, sizeof j->account, "%s", req->account ? req->account : "");
	snprintf(j->email, sizeof j->email, "%s", req->email ? req->email : "");
	snprintf(j->return_url, sizeof j->return_url, "%s",
		 req->return_url ? req->return_url : "https://dashboard.stripe.com/");
	snprintf(j->actor, sizeof j->actor, "%s", req->actor ? req->actor : "admin");
	/* A call that makes a link or an account begins a generation; a status poll
	 * joins the current one (it must not drop the link a create is making). */
	if (req->op == CONNECT_OP_STATUS) {
		job_progress_lock(&r->pub);
		j->generation = r->pub.generation;
	} else {
		j->generation = job_progress_begin(&r->pub);
	}
	r->running = true;
	if (req->op != CONNECT_OP_STATUS)
		r->error[0] = '\0';
	job_progress_end(&r->pub);
	/* A status poll waits its delay in the queue, not asleep on a worker. */
	uint64_t id = jobs_submit_after(
		jobs, req->op == CONNECT_OP_STATUS ? JOBS_BACKGROUND : JOBS_INTERACTIVE,
		req->op == CONNECT_OP_STATUS && req->delay_ms > 0 ? req->delay_ms / 1000.0 : 0,
		run_connect, j, free_connect);
	if (!id) {
		free_connect(j);
		job_progress_lock(&r->pub);
		r->running = false;
		job_progress_end(&r->pub);
	}
	return id;
}
