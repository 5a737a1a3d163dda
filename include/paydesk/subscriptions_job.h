/* Subscription and plan use cases as worker jobs, for the Subscriptions
 * screen: it submits a request and re-reads the store when the completion
 * arrives. */
#ifndef PAYDESK_SUBSCRIPTIONS_JOB_H
#define PAYDESK_SUBSCRIPTIONS_JOB_H

#include <stdint.h>

#include "paydesk/auth.h"
#include "paydesk/plans_store.h"
#include "paydesk/subscriptions.h"

struct jobs;

enum subs_op {
	SUBS_OP_SYNC,       /* plans_sync + subs_sync (background lane) */
	SUBS_OP_SUBSCRIBE,  /* subs_subscribe(in) */
	SUBS_OP_PREVIEW,    /* subs_preview_change: result "preview AMOUNT CUR NEXT_AT" */
	SUBS_OP_CHANGE,     /* subs_change(id, plan_id, quantity) */
	SUBS_OP_CANCEL_NOW, /* subs_cancel(id, false) */
	SUBS_OP_CANCEL_END, /* subs_cancel(id, true) */
	SUBS_OP_UNDO,       /* subs_undo_cancel(id) */
	SUBS_OP_PAUSE,      /* subs_pause(id, true) */
	SUBS_OP_RESUME,     /* subs_pause(id, false) */
	SUBS_OP_PLAN_CREATE,  /* plans_create(plan) */
	SUBS_OP_PLAN_EDIT,    /* plans_edit(plan_id, the plan's four texts) */
	SUBS_OP_PLAN_ARCHIVE, /* plans_archive(plan_id, true) */
	SUBS_OP_PLAN_RESTORE, /* plans_archive(plan_id, false) */
	SUBS_OP_RETRY,        /* subs_retry(id): pay a failed renewal's open invoice now */
	SUBS_OP_CARD_LINK,    /* subs_card_link(id): result "card link: URL" */
};

/* A plan form's values, owned by the request (a job outlives the form). */
struct subs_plan_fields {
	char name[PLAN_NAME_MAX * 4 + 1];
	char description[PLAN_TEXT_MAX * 4 + 1];
	char features[PLAN_TEXT_MAX * 4 + 1];
	char limits[PLAN_TEXT_MAX * 4 + 1];
	int64_t amount;
	char currency[4];
	char interval[8];
	int interval_count;
};

struct subs_job_request {
	enum subs_op op;
	int64_t id, plan_id;
	int quantity;
	struct subs_input in;
	struct subs_plan_fields plan; /* SUBS_OP_PLAN_CREATE / _EDIT */
};

/* Queue req; key is copied into guarded memory the job owns, who is
 * copied. The completion's result is the line for the desk (a save-a-card
 * link starts with "card link: "). 0 when it could not be queued. */
uint64_t subs_job_submit(struct jobs *jobs, const struct subs_job_request *req, const char *key,
			 const struct session *who);

#endif
