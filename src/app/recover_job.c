#include "paydesk/recover_job.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/audit_events.h"
#include "paydesk/log.h"
#include "paydesk/packages.h"
#include "paydesk/outbox_runner.h"
#include "paydesk/payments.h"
#include "paydesk/subscriptions.h"
#include "paydesk/vault.h"

static enum jobs_status run_with_key(struct jobs_ctx *ctx, const char *key, char *result,
				     size_t size);

static enum jobs_status run_recover(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	/* Queued without a key (the TUI): opened here, wiped when the job ends. */
	char *opened = NULL;
	struct pd_error err = {0};
	const char *key = jobs_key(ctx, arg, &opened, &err);
	if (!key) {
		snprintf(result, size, "could not finish the calls left in flight: %s", err.msg);
		return JOBS_FAILED;
	}
	enum jobs_status status = run_with_key(ctx, key, result, size);
	vault_secret_free(&opened);
	return status;
}

static enum jobs_status run_with_key(struct jobs_ctx *ctx, const char *key, char *result,
				     size_t size)
{
	struct outbox_resolution *list = NULL;
	size_t n = 0, open = 0;
	struct pd_error err = {0};
	int rc = outbox_recover(ctx->db, ctx->client, key, ctx->cancel, &list, &n, &err);
	if (rc == PD_ERR_CONFLICT) {
		/* Another desk is open: its calls are its own; a crash's wait for a lone start. */
		log_msg(LOG_INFO, "recovery skipped: %s", err.msg);
		result[0] = '\0';
		return JOBS_DONE;
	}
	/* Stopped part-way (the store failed) or not, what was looked at is
	 * logged and the list freed. */
	for (size_t i = 0; i < n; i++) {
		bool still_open = list[i].after != OUTBOX_DONE && list[i].after != OUTBOX_FAILED;
		open += still_open;
		log_msg(still_open ? LOG_WARN : LOG_INFO, "outbox #%lld %s %s: %s",
			(long long)list[i].id, list[i].method, list[i].path,
			list[i].message ? list[i].message : "");
	}
	if (audit_event_recovered(ctx->db, "system", list, n, &err) != PD_OK)
		log_msg(LOG_ERROR, "what recovery finished was not audited: %s", err.msg);
	outbox_resolutions_free(&list, n);
	if (rc != PD_OK) {
		snprintf(result, size, "could not finish the calls left in flight (stopped after %zu, "
			 "see the log): %s", n, err.msg);
		return JOBS_FAILED;
	}
	/* Then the appointments those calls were for, as the desk sees them. */
	struct pay_env env = {.db = ctx->db, .client = ctx->client, .key = key,
			      .cancel = ctx->cancel};
	size_t settled = 0, unsettled = 0;
	if (payments_recover(&env, &settled, &unsettled, &err) != PD_OK)
		log_msg(LOG_ERROR, "payments left open not settled: %s", err.msg);
	size_t subs = 0;
	if (subs_recover(&env, &subs, &err) != PD_OK)
		log_msg(LOG_ERROR, "subscriptions finished not recorded: %s", err.msg);
	size_t sales = 0;
	if (packages_recover(&env, &sales, &err) != PD_OK)
		log_msg(LOG_ERROR, "package sales left open not recorded: %s", err.msg);
	char paid[128] = "";
	if (settled)
		snprintf(paid, sizeof paid, "; %zu payment%s recorded", settled,
			 settled == 1 ? "" : "s");
	if (subs)
		snprintf(paid + strlen(paid), sizeof paid - strlen(paid),
			 "; %zu subscription%s recorded", subs, subs == 1 ? "" : "s");
	if (n == 0 && settled == 0 && subs == 0)
		result[0] = '\0';
	else if (open == 0)
		snprintf(result, size, "finished %zu interrupted call%s%s", n, n == 1 ? "" : "s",
			 paid);
	else
		snprintf(result, size, "%zu interrupted call%s still open (see the log)%s", open,
			 open == 1 ? "" : "s", paid);
	return JOBS_DONE;
}

static void free_key(void *arg)
{
	if (arg)
		sodium_free(arg);
}

uint64_t recover_job_submit(struct jobs *jobs, const char *key)
{
	if (!jobs)
		return 0;
	char *copy = NULL;
	if (key) {
		size_t len = strlen(key);
		if (!(copy = sodium_malloc(len + 1)))
			return 0;
		memcpy(copy, key, len + 1);
	}
	/* Alone: a payment started meanwhile waits, rather than being taken for
	 * one a crash left in flight. */
	uint64_t id = jobs_submit_exclusive(jobs, run_recover, copy, free_key);
	if (!id)
		free_key(copy);
	return id;
}
