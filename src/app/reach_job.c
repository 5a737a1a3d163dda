#include "paydesk/reach_job.h"

#include <sodium.h>
#include <stdatomic.h>
#include <string.h>

#include "paydesk/log.h"
#include "paydesk/stripe_reach.h"

/* At most one check waiting in the queue and one asked for now. */
static atomic_bool probe_pending, probe_now_pending;

struct probe {
	bool delayed;
	char key[]; /* the whole struct is guarded memory */
};

static enum jobs_status run_probe(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	(void)size;
	result[0] = '\0';
	struct probe *p = arg;
	if ((p->delayed && !stripe_reach_down(NULL)) || !ctx->client)
		return JOBS_DONE; /* another call found it back meanwhile */
	struct stripe_request req = {.method = STRIPE_GET, .path = "/v1/balance",
				     .key = p->key, .cancel = ctx->cancel};
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
	struct probe *p = arg;
	atomic_store(p->delayed ? &probe_pending : &probe_now_pending, false);
	sodium_free(p);
}

uint64_t reach_probe_submit(struct jobs *jobs, const char *key, double delay)
{
	atomic_bool *slot = delay > 0 ? &probe_pending : &probe_now_pending;
	if (!jobs || !key || atomic_exchange(slot, true))
		return 0;
	size_t len = strlen(key);
	struct probe *p = sodium_malloc(sizeof *p + len + 1);
	if (!p) {
		atomic_store(slot, false);
		return 0;
	}
	p->delayed = delay > 0;
	memcpy(p->key, key, len + 1);
	uint64_t id = jobs_submit_after(jobs, JOBS_BACKGROUND, delay, run_probe, p, free_probe);
	if (!id) {
		sodium_free(p);
		atomic_store(slot, false);
	}
	return id;
}

bool reach_probe_pending(void)
{
	return atomic_load(&probe_pending);
}

int reach_probe_count(void)
{
	return (int)atomic_load(&probe_pending) + (int)atomic_load(&probe_now_pending);
}
