#include "paydesk/reach_job.h"

#include <sodium.h>
#include <stdatomic.h>
#include <string.h>

#include "paydesk/log.h"
#include "paydesk/stripe_reach.h"

static atomic_bool probe_pending;

static enum jobs_status run_probe(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	(void)size;
	result[0] = '\0';
	if (!stripe_reach_down(NULL) || !ctx->client)
		return JOBS_DONE; /* another call found it back meanwhile */
	struct stripe_request req = {.method = STRIPE_GET, .path = "/v1/balance",
				     .key = arg, .cancel = ctx->cancel};
	struct stripe_response resp;
	struct pd_error err = {0};
	/* stripe_client_send notes the outcome in stripe_reach: that is the result */
	stripe_client_send(ctx->client, &req, &resp, &err);
	log_msg(LOG_INFO, "Stripe reachability check: %s",
		stripe_reach_down(NULL) ? "still unreachable" : "answering again");
	stripe_response_clear(&resp);
	return JOBS_DONE;
}

static void free_probe(void *arg)
{
	sodium_free(arg);
	atomic_store(&probe_pending, false);
}

uint64_t reach_probe_submit(struct jobs *jobs, const char *key, double delay)
{
	if (!jobs || !key || atomic_exchange(&probe_pending, true))
		return 0;
	size_t len = strlen(key);
	char *copy = sodium_malloc(len + 1);
	if (!copy) {
		atomic_store(&probe_pending, false);
		return 0;
	}
	memcpy(copy, key, len + 1);
	uint64_t id = jobs_submit_after(jobs, JOBS_BACKGROUND, delay, run_probe, copy, free_probe);
	if (!id) {
		sodium_free(copy);
		atomic_store(&probe_pending, false);
	}
	return id;
}

bool reach_probe_pending(void)
{
	return atomic_load(&probe_pending);
}
