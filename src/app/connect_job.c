#include "paydesk/connect_job.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/stripe_account.h"

struct connect_job {
	struct connect_result *result;
	enum connect_op op;
	char *key; /* sodium_malloc */
	char account[64], email[256], return_url[512], actor[72];
	int delay_ms;
};

void connect_result_init(struct connect_result *r)
{
	memset(r, 0, sizeof *r);
	pthread_mutex_init(&r->lock, NULL);
}

void connect_result_destroy(struct connect_result *r)
{
	pthread_mutex_destroy(&r->lock);
}

void connect_result_snapshot(struct connect_result *r, struct connect_result *out)
{
	pthread_mutex_lock(&r->lock);
	out->running = r->running;
	out->have_status = r->have_status;
	out->status = r->status;
	memcpy(out->url, r->url, sizeof out->url);
	out->expires_at = r->expires_at;
	memcpy(out->error, r->error, sizeof out->error);
	pthread_mutex_unlock(&r->lock);
}

static void audit(sqlite3 *db, const char *actor, const char *action, const char *account)
{
	struct pd_error err;
	struct audit_entry e = {.actor = actor, .action = action, .object_id = account};
	audit_append(db, &e, &err);
}

/* Wait in slices so a cancel (or quitting) is noticed at once. */
static bool wait_cancellable(int ms, const atomic_bool *cancel)
{
	for (; ms > 0; ms -= 50) {
		if (cancel && atomic_load(cancel))
			return false;
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return !(cancel && atomic_load(cancel));
}

static enum jobs_status run_connect(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct connect_job *j = arg;
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
		rc = connect_create_express(ctx->client, j->key, j->email, NULL, account, &err);
		if (!rc)
			rc = stripe_account_set_connected(ctx->db, account, &err);
		if (!rc) {
			audit(ctx->db, j->actor, "connect.express.create", account);
			rc = connect_onboarding_link(ctx->client, j->key, account, j->return_url, &url,
						     &expires, &err);
		}
		if (!rc)
			rc = connect_get_status(ctx->client, j->key, account, &st, &err);
		have_status = !rc;
		break;
	case CONNECT_OP_ONBOARDING:
		rc = connect_onboarding_link(ctx->client, j->key, account, j->return_url, &url,
					     &expires, &err);
		break;
	case CONNECT_OP_STATUS:
		if (!wait_cancellable(j->delay_ms, ctx->cancel))
			return JOBS_CANCELLED;
		rc = connect_get_status(ctx->client, j->key, account, &st, &err);
		have_status = !rc;
		break;
	case CONNECT_OP_LINK:
		rc = connect_get_status(ctx->client, j->key, account, &st, &err);
		if (!rc)
			rc = stripe_account_set_connected(ctx->db, account, &err);
		if (!rc)
			audit(ctx->db, j->actor, "connect.link", account);
		have_status = !rc;
		break;
	case CONNECT_OP_LOGIN:
		rc = connect_login_link(ctx->client, j->key, account, &url, &err);
		break;
	}
	pthread_mutex_lock(&r->lock);
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
	pthread_mutex_unlock(&r->lock);
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
	sodium_free(j->key);
	free(j);
}

uint64_t connect_job_submit(struct jobs *jobs, struct connect_result *r,
			    const struct connect_request *req)
{
	if (!jobs || !req->key)
		return 0;
	struct connect_job *j = calloc(1, sizeof *j);
	size_t n = strlen(req->key);
	if (!j || !(j->key = sodium_malloc(n + 1))) {
		free(j);
		return 0;
	}
	memcpy(j->key, req->key, n + 1);
	j->result = r;
	j->op = req->op;
	j->delay_ms = req->delay_ms;
	snprintf(j->account, sizeof j->account, "%s", req->account ? req->account : "");
	snprintf(j->email, sizeof j->email, "%s", req->email ? req->email : "");
	snprintf(j->return_url, sizeof j->return_url, "%s",
		 req->return_url ? req->return_url : "https://dashboard.stripe.com/");
	snprintf(j->actor, sizeof j->actor, "%s", req->actor ? req->actor : "admin");
	pthread_mutex_lock(&r->lock);
	r->running = true;
	if (req->op != CONNECT_OP_STATUS)
		r->error[0] = '\0';
	pthread_mutex_unlock(&r->lock);
	uint64_t id = jobs_submit(jobs, req->op == CONNECT_OP_STATUS ? JOBS_BACKGROUND
								     : JOBS_INTERACTIVE,
				  run_connect, j, free_connect);
	if (!id) {
		free_connect(j);
		pthread_mutex_lock(&r->lock);
		r->running = false;
		pthread_mutex_unlock(&r->lock);
	}
	return id;
}
