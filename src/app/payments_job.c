#include "paydesk/payments_job.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/charge_queue.h"
#include "paydesk/customers.h"
#include "paydesk/log.h"
#include "paydesk/packages.h"
#include "paydesk/payments.h"
#include "paydesk/vault.h"
#include "paydesk/readers.h"
#include "paydesk/receipts.h"

struct pay_job {
	struct pay_job_request req;
	struct session who;
	struct jobs *jobs;
	char *key; /* sodium_malloc, or NULL */
	int polls; /* watches: polls done so far */
};

static void free_job(void *arg)
{
	struct pay_job *j = arg;
	if (!j)
		return;
	if (j->key)
		sodium_free(j->key);
	free(j);
}

static struct pay_job *new_job(struct jobs *jobs, const struct pay_job_request *req,
			       const char *key, const struct session *who)
{
	struct pay_job *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->req = *req;
	if (who)
		j->who = *who;
	j->jobs = jobs;
	if (key) {
		size_t n = strlen(key);
		if (!(j->key = sodium_malloc(n + 1))) {
			free(j);
			return NULL;
		}
		memcpy(j->key, key, n + 1);
	}
	return j;
}

/* Save-a-card links the desk shows, by client: each link made (or shown
 * again) starts a new generation, and only the newest one's watch goes on,
 * and not once its view is left. A handful at most (one a desk view), so a
 * small ring under a mutex; a client pushed out only means its watch runs
 * to its own end, as before. */
struct card_watch {
	int64_t client, gen;
	bool left;
};
static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;
static struct card_watch watches[16];
static int64_t watch_gen;

static struct card_watch *card_watch_find(int64_t client_id)
{
	for (size_t i = 0; i < sizeof watches / sizeof watches[0]; i++)
		if (watches[i].client == client_id)
			return &watches[i];
	return NULL;
}

/* A new link shown for client_id: its generation. */
static int64_t card_watch_start(int64_t client_id)
{
	pthread_mutex_lock(&watch_mu);
	struct card_watch *w = card_watch_find(client_id);
	if (!w) {
		memmove(watches + 1, watches, sizeof watches - sizeof watches[0]);
		w = &watches[0];
		w->client = client_id;
	}
	w->gen = ++watch_gen;
	w->left = false;
	int64_t gen = w->gen;
	pthread_mutex_unlock(&watch_mu);
	return gen;
}

/* Whether the watch of generation gen should still ask Stripe. */
static bool card_watch_wanted(int64_t client_id, int64_t gen)
{
	pthread_mutex_lock(&watch_mu);
	const struct card_watch *w = card_watch_find(client_id);
	bool wanted = !w || (w->gen == gen && !w->left);
	pthread_mutex_unlock(&watch_mu);
	return wanted;
}

void payments_job_unwatch_card(int64_t client_id)
{
	pthread_mutex_lock(&watch_mu);
	struct card_watch *w = card_watch_find(client_id);
	if (w)
		w->left = true;
	pthread_mutex_unlock(&watch_mu);
}

static bool is_watch(enum pay_op op)
{
	return op == PAY_OP_LINK_WATCH || op == PAY_OP_READER_WATCH || op == PAY_OP_SAVE_CARD_WATCH ||
	       op == PAY_OP_HOLD_READER_WATCH || op == PAY_OP_PACKAGE_WATCH;
}

static enum jobs_status run_job(struct jobs_ctx *ctx, void *arg, char *result, size_t size);

/* Queue the watch of what j just started (or the next poll of a watch). */
static void queue_watch(struct pay_job *j, enum pay_op op)
{
	struct pay_job *next = new_job(j->jobs, &j->req, j->key, &j->who);
	if (!next)
		return;
	next->req.op = op;
	next->polls = op == j->req.op ? j->polls + 1 : 0;
	/* The wait between polls is spent in the queue, not on a worker. */
	double wait = j->req.poll_seconds > 0 ? j->req.poll_seconds : PAYMENTS_POLL_SECONDS;
	if (!jobs_submit_after(j->jobs, JOBS_BACKGROUND, wait, run_job, next, free_job))
		free_job(next);
}

static enum jobs_status run_op(struct jobs_ctx *ctx, struct pay_job *j, struct pay_env *ep,
			       char *result, size_t size);
/* The Setup tab's reader jobs: what happened, in r->message. */
static int reader_setup(const struct pay_env *e, const struct pay_job_request *q,
			struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct reader_info info;
	char desk[64];
	readers_desk_name(desk, sizeof desk);
	int rc;
	if (q->op == PAY_OP_READERS_LIST) {
		struct reader_info *list = NULL;
		size_t n = 0;
		rc = readers_list(e, &list, &n, err);
		free(list);
		if (!rc)
			snprintf(r->message, sizeof r->message, "%zu card reader%s at Stripe", n,
				 n == 1 ? "" : "s");
	} else if (q->op == PAY_OP_READER_REGISTER) {
		bool chosen = false;
		rc = readers_register(e, q->reader, q->label, q->location, &info, &chosen, err);
		if (!rc)
			snprintf(r->message, sizeof r->message, "registered %.100s%s%.60s%s", info.label,
				 chosen ? "; this desk (" : "", chosen ? desk : "",
				 chosen ? ") uses it" : "");
	} else {
		rc = readers_use(e, q->reader, &info, err);
		if (!rc)
			snprintf(r->message, sizeof r->message, "this desk (%.60s) uses %.100s", desk,
				 info.label);
	}
	return rc;
}

static enum jobs_status run_job(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct pay_job *j = arg;
	if (!ctx->db) {
		snprintf(result, size, "no store for payments");
		return JOBS_FAILED;
	}
	/* Queued without a key (the TUI): opened here, wiped when the job ends.
	 * Locked, the use cases refuse what needs Stripe and do the rest. */
	char *opened = NULL;
	struct pd_error key_err = {0};
	struct pay_env e = {.db = ctx->db, .client = ctx->client,
			    .key = jobs_key(ctx, j->key, &opened, &key_err),
			    .cancel = ctx->cancel, .who = &j->who};
	enum jobs_status status = run_op(ctx, j, &e, result, size);
	vault_secret_free(&opened);
	return status;
}

static enum jobs_status run_op(struct jobs_ctx *ctx, struct pay_job *j, struct pay_env *ep,
			       char *result, size_t size)
{
	const struct pay_job_request *q = &j->req;
	struct pay_env e = *ep;
	struct pay_result r;
	struct pd_error err = {0};
	int rc;
	enum pay_op watch = PAY_OP_CARD; /* none */
	if (q->op == PAY_OP_CARD || q->op == PAY_OP_LINK || q->op == PAY_OP_READER)
		e.tip = q->tip;
	switch (q->op) {
	case PAY_OP_CARD:
		if (q->queued) {
			rc = charge_queue_send(&e, q->queued, &r, &err);
			break;
		}
		rc = payments_charge_card(&e, q->id, q->amount,
					  q->payment_method[0] ? q->payment_method : NULL, &r, &err);
		break;
	case PAY_OP_LINK:
		rc = payments_link_create(&e, q->id, q->amount, &r, &err);
		watch = PAY_OP_LINK_WATCH;
		break;
	case PAY_OP_LINK_WATCH:
		rc = payments_link_check(&e, q->id, &r, &err);
		watch = PAY_OP_LINK_WATCH;
		break;
	case PAY_OP_READER:
		rc = payments_reader_start(&e, q->id, q->amount, q->reader[0] ? q->reader : NULL, &r,
					   &err);
		watch = PAY_OP_READER_WATCH;
		break;
	case PAY_OP_READER_WATCH:
		rc = payments_reader_check(&e, q->id, &r, &err);
		watch = PAY_OP_READER_WATCH;
		break;
	case PAY_OP_READER_TAP:
		rc = readers_tap(&e, q->id, q->payment_method[0] ? q->payment_method : NULL, &r, &err);
		break;
	case PAY_OP_READERS_LIST:
	case PAY_OP_READER_REGISTER:
	case PAY_OP_READER_USE:
		rc = reader_setup(&e, q, &r, &err);
		break;
	case PAY_OP_READER_CANCEL:
		rc = payments_reader_cancel(&e, q->id, &r, &err);
		break;
	case PAY_OP_REFUND:
		rc = payments_refund(&e, q->id, q->amount, q->reason, &r, &err);
		break;
	case PAY_OP_CANCEL:
		rc = payments_cancel_appointment(&e, q->id, q->version, &r, &err);
		break;
	case PAY_OP_RECHECK:
		rc = payments_recheck(&e, q->id, &r, &err);
		break;
	case PAY_OP_CUSTOMER_SYNC:
		rc = customers_sync(&e, q->id, &r, &err);
		break;
	case PAY_OP_CARDS:
		rc = customers_cards_refresh(&e, q->id, &r, &err);
		break;
	case PAY_OP_SAVE_CARD:
		j->req.version = card_watch_start(q->id); /* the watch carries it */
		rc = customers_save_card_link(&e, q->id, &r, &err);
		watch = PAY_OP_SAVE_CARD_WATCH;
		break;
	case PAY_OP_SAVE_CARD_WATCH:
		if (!card_watch_wanted(q->id, q->version)) { /* no one looks: ask nothing */
			snprintf(r.message, sizeof r.message,
				 "Stopped watching the save-a-card link (its view was left).");
			r.done = true;
			rc = PD_OK;
			break;
		}
		rc = customers_save_card_check(&e, q->id, &r, &err);
		watch = PAY_OP_SAVE_CARD_WATCH;
		break;
	case PAY_OP_PACKAGE_SELL:
		if (!q->collect[0]) {
			rc = packages_sell_card(&e, q->package, q->id, NULL, r.message,
						sizeof r.message, &err);
			break;
		}
		int64_t sale;
		sale = 0;
		rc = strcmp(q->collect, "link") == 0
			     ? packages_sell_link(&e, q->package, q->id, &sale, &r, &err)
			     : packages_sell_reader(&e, q->package, q->id,
						    q->reader[0] ? q->reader : NULL, &sale, &r, &err);
		j->req.id = sale; /* the watch reads the sale back */
		watch = PAY_OP_PACKAGE_WATCH;
		break;
	case PAY_OP_PACKAGE_WATCH:
		rc = packages_sale_check(&e, q->id, &r, &err);
		watch = PAY_OP_PACKAGE_WATCH;
		break;
	case PAY_OP_PACKAGE_CANCEL:
		rc = packages_sale_cancel(&e, q->id, &r, &err);
		break;
	case PAY_OP_HOLD_READER:
		rc = customers_reader_hold_start(&e, q->id, q->appointment,
						 q->reader[0] ? q->reader : NULL, &r, &err);
		watch = PAY_OP_HOLD_READER_WATCH;
		break;
	case PAY_OP_HOLD_READER_WATCH:
		rc = customers_reader_hold_check(&e, q->id, &r, &err);
		watch = PAY_OP_HOLD_READER_WATCH;
		break;
	case PAY_OP_HOLD_READER_CANCEL:
		rc = customers_reader_hold_cancel(&e, q->id, &r, &err);
		break;
	case PAY_OP_HOLD_READER_TAP:
		rc = readers_tap_hold(&e, q->id, q->payment_method[0] ? q->payment_method : NULL, &r,
				      &err);
		break;
	case PAY_OP_PACKAGE_TAP:
		rc = readers_tap_sale(&e, q->id, q->payment_method[0] ? q->payment_method : NULL, &r,
				      &err);
		break;
	case PAY_OP_PACKAGE_REFUND:
		rc = packages_refund(&e, q->id, r.message, sizeof r.message, &err);
		break;
	case PAY_OP_RECEIPT:
		rc = receipts_resend(&e, q->id, &r, &err);
		break;
	case PAY_OP_RECEIPT_PAYMENT:
		rc = receipts_resend_payment(&e, q->payment, q->email, &r, &err);
		break;
	default:
		rc = pd_error_set(&err, PD_ERR_USAGE, "unknown payment job");
		break;
	}
	if (rc) {
		snprintf(result, size, "%s", err.msg);
		if (is_watch(q->op) && j->polls + 1 < (q->poll_max > 0 ? q->poll_max : PAYMENTS_POLL_MAX) &&
		    rc != PD_ERR_NOT_FOUND && !(ctx->cancel && atomic_load(ctx->cancel)))
			queue_watch(j, q->op); /* a network blip: keep watching */
		return ctx->cancel && atomic_load(ctx->cancel) ? JOBS_RECONCILE : JOBS_FAILED;
	}
	snprintf(result, size, "%s", r.message);
	int max = q->poll_max > 0 ? q->poll_max : PAYMENTS_POLL_MAX;
	if (watch != PAY_OP_CARD && !r.done && j->jobs) {
		if (!is_watch(q->op) || j->polls + 1 < max)
			queue_watch(j, watch);
		else
			log_msg(LOG_INFO, "payment %lld: stopped polling after %d checks",
				(long long)q->id, max);
	}
	return JOBS_DONE;
}

uint64_t payments_job_submit(struct jobs *jobs, const struct pay_job_request *req,
			     const char *key, const struct session *who)
{
	if (!jobs || !req)
		return 0;
	struct pay_job *j = new_job(jobs, req, key, who);
	if (!j)
		return 0;
	enum jobs_lane lane = is_watch(req->op) ? JOBS_BACKGROUND : JOBS_INTERACTIVE;
	uint64_t id = jobs_submit(jobs, lane, run_job, j, free_job);
	if (!id)
		free_job(j);
	return id;
}
