/* Connect (Express account) calls on a worker, for the Setup screen: the
 * job fills a small result record under its lock, and writes what must
 * persist (the connected account id) to the store. */
#ifndef PAYDESK_CONNECT_JOB_H
#define PAYDESK_CONNECT_JOB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/connect.h"
#include "paydesk/job_progress.h"
#include "paydesk/jobs.h"

enum connect_op {
	CONNECT_OP_CREATE,     /* create an Express account, act for it, make a link */
	CONNECT_OP_ONBOARDING, /* a new one-time onboarding link */
	CONNECT_OP_STATUS,     /* read onboarding state (after delay_ms) */
	CONNECT_OP_LINK,       /* act for an existing account (checked first) */
	CONNECT_OP_LOGIN,      /* an Express dashboard link */
};

struct connect_result {
	struct job_progress pub; /* lock + generation: each submit begins one; an older
	                            job (a poll overtaken, an account unlinked) writes nothing */
	bool running;
	bool have_status;
	struct connect_status status;
	char url[1024];     /* the last link made, or "" */
	long long expires_at;
	char error[512];    /* the last failure, or "" */
};

void connect_result_init(struct connect_result *r);
void connect_result_destroy(struct connect_result *r);
void connect_result_snapshot(struct connect_result *r, struct connect_result *out);
/* Forget the link and status shown (unlinked): a job still running writes nothing. */
void connect_result_forget(struct connect_result *r);

struct connect_request {
	enum connect_op op;
	const char *key;        /* the platform's key, copied into guarded memory; NULL: the
	                           job opens the sealed key on its worker (jobs_open_key) */
	const char *account;    /* LINK: the id; STATUS/ONBOARDING/LOGIN: the connected one */
	const char *email;      /* CREATE, may be NULL */
	const char *return_url; /* CREATE/ONBOARDING */
	const char *actor;      /* for the audit log */
	int delay_ms;           /* STATUS: run no sooner (polling); the wait is spent in the
	                           queue, not on a worker, and is not pending work */
};

/* Queue the call (interactive lane, STATUS polls on the background lane). */
uint64_t connect_job_submit(struct jobs *jobs, struct connect_result *r,
			    const struct connect_request *req);

#endif
