#include "paydesk/jobs.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "paydesk/db.h"
#include "paydesk/log.h"

struct job {
	uint64_t id;
	enum jobs_lane lane;
	jobs_fn fn;
	void *arg;
	jobs_free_fn free_fn;
	atomic_bool cancel;
	double not_before; /* CLOCK_MONOTONIC seconds; 0: at once */
	bool exclusive;    /* runs alone: see jobs_submit_exclusive */
	struct job *next;
};

struct completion {
	struct jobs_completion c;
	struct completion *next;
};

struct worker {
	struct jobs *pool;
	int index;
	pthread_t thread;
	bool started;
	sqlite3 *db;
	struct stripe_client *client;
	char open_error[512]; /* why db or client could not be made: its jobs fail with it */
	struct job *current;  /* under pool->lock */
};

struct queue {
	struct job *head, *tail;
	size_t len;
};

struct jobs {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct queue lanes[2];
	struct completion *done_head, *done_tail;
	size_t running;
	size_t running_lane[2]; /* of running, per lane */
	uint64_t next_id;
	bool stopping;
	bool warm; /* jobs_warm: workers open their connections without waiting for a job */
	int exclusive_queued;  /* exclusive jobs waiting: nothing else starts meanwhile */
	bool exclusive_running;
	int wake_fd;
	char *db_path;
	char *api_base;
	struct stripe_client_opts client_opts;
	int (*open_key)(void *ctx, sqlite3 *db, char **key, struct pd_error *err);
	void *open_key_ctx;
	int nworkers;
	struct worker workers[JOBS_WORKERS_MAX];
};

static const char *const status_names[] = {"done", "failed", "cancelled", "reconcile"};

const char *jobs_status_name(enum jobs_status s)
{
	return (unsigned)s <= JOBS_RECONCILE ? status_names[s] : "?";
}

static void queue_push(struct queue *q, struct job *job)
{
	job->next = NULL;
	if (q->tail)
		q->tail->next = job;
	else
		q->head = job;
	q->tail = job;
	q->len++;
}

static struct job *queue_pop(struct queue *q)
{
	struct job *job = q->head;
	if (job) {
		q->head = job->next;
		if (!q->head)
			q->tail = NULL;
		q->len--;
	}
	return job;
}

static struct job *queue_remove(struct queue *q, uint64_t id)
{
	for (struct job **p = &q->head, *prev = NULL; *p; prev = *p, p = &(*p)->next) {
		if ((*p)->id != id)
			continue;
		struct job *job = *p;
		*p = job->next;
		if (q->tail == job)
			q->tail = prev;
		q->len--;
		return job;
	}
	return NULL;
}

/* Under lock. The eventfd counter only says "look"; the list is the data. */
static void completion_post(struct jobs *j, uint64_t id, enum jobs_lane lane,
                            enum jobs_status status, const char *result)
{
	struct completion *c = calloc(1, sizeof *c);
	if (!c) {
		log_msg(LOG_ERROR, "job %llu: out of memory for its completion",
		        (unsigned long long)id);
		return;
	}
	c->c.id = id;
	c->c.lane = lane;
	c->c.status = status;
	snprintf(c->c.result, sizeof c->c.result, "%s", result ? result : "");
	if (j->done_tail)
		j->done_tail->next = c;
	else
		j->done_head = c;
	j->done_tail = c;
	uint64_t one = 1;
	if (write(j->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
		log_msg(LOG_ERROR, "jobs: cannot signal a completion: %s", strerror(errno));
}

static void job_free(struct job *job)
{
	if (job->free_fn)
		job->free_fn(job->arg);
	free(job);
}

static double monotonic_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Under lock: the first job of q that is due, taken off q; else NULL, with
 * *next_due lowered to the earliest not_before still waiting. */
static struct job *queue_take_due(struct queue *q, double now, double *next_due)
{
	for (struct job *job = q->head; job; job = job->next) {
		if (job->not_before <= now)
			return queue_remove(q, job->id);
		if (*next_due == 0 || job->not_before < *next_due)
			*next_due = job->not_before;
	}
	return NULL;
}

/* Under lock: the next job this worker may run, or NULL with *next_due the
 * time a delayed one becomes due (0: none waits). */
static struct job *job_take(struct jobs *j, const struct worker *w, double *next_due)
{
	double now = monotonic_now();
	*next_due = 0;
	if (j->exclusive_running)
		return NULL;
	if (j->exclusive_queued) {
		/* It starts once the running jobs are over; nothing starts before it. */
		if (j->running > 0)
			return NULL;
		for (int lane = 0; lane < 2; lane++)
			for (struct job *job = j->lanes[lane].head; job; job = job->next)
				if (job->exclusive) {
					j->exclusive_queued--;
					j->exclusive_running = true;
					return queue_remove(&j->lanes[lane], job->id);
				}
	}
	struct job *job = queue_take_due(&j->lanes[JOBS_INTERACTIVE], now, next_due);
	if (!job && w->index != 0) /* worker 0 stays free for interactive work */
		job = queue_take_due(&j->lanes[JOBS_BACKGROUND], now, next_due);
	return job;
}

/* Under lock: sleep until a submit, a stop, or the delayed job's time. */
static void worker_wait(struct jobs *j, double due)
{
	if (due == 0) {
		pthread_cond_wait(&j->work, &j->lock);
		return;
	}
	struct timespec ts = {(time_t)due, (long)((due - (double)(time_t)due) * 1e9)};
	pthread_cond_timedwait(&j->work, &j->lock, &ts);
}

/* On the worker's own thread, at jobs_warm or its first job: the store
 * connection and the curl handle (loading libcurl on the first) cost
 * milliseconds each, which would otherwise delay the first screen. */
static void worker_open(struct worker *w)
{
	struct jobs *j = w->pool;
	struct pd_error err = {0};
	int rc = j->db_path ? db_open(j->db_path, &w->db, &err) : PD_OK;
	if (!rc)
		rc = stripe_client_new(&j->client_opts, &w->client, &err);
	if (rc) {
		snprintf(w->open_error, sizeof w->open_error, "%s", err.msg);
		log_msg(LOG_ERROR, "worker %d cannot run jobs: %s", w->index, err.msg);
	}
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct jobs *j = w->pool;
	bool opened = false;
	pthread_mutex_lock(&j->lock);
	while (!j->stopping) {
		if (!opened && j->warm) {
			pthread_mutex_unlock(&j->lock);
			worker_open(w);
			opened = true;
			pthread_mutex_lock(&j->lock);
			continue;
		}
		double due;
		struct job *job = job_take(j, w, &due);
		if (!job) {
			worker_wait(j, due);
			continue;
		}
		w->current = job;
		j->running++;
		j->running_lane[job->lane]++;
		pthread_mutex_unlock(&j->lock);

		if (!opened) { /* on the first job: an idle worker costs nothing at start */
			worker_open(w);
			opened = true;
		}
		char result[JOBS_RESULT_SIZE] = "";
		struct jobs_ctx ctx = {w->db, w->client, &job->cancel, j->open_key, j->open_key_ctx};
		enum jobs_status status = JOBS_FAILED;
		if (w->open_error[0])
			snprintf(result, sizeof result, "%.*s", (int)sizeof result - 1, w->open_error);
		else
			status = job->fn(&ctx, job->arg, result, sizeof result);

		pthread_mutex_lock(&j->lock);
		w->current = NULL; /* from here jobs_cancel cannot reach the job */
		pthread_mutex_unlock(&j->lock);
		uint64_t id = job->id;
		enum jobs_lane lane = job->lane;
		bool exclusive = job->exclusive;
		/* Freed before the completion is posted: a completion means the job
		 * is over, argument included. Outside the lock: it is caller code. */
		job_free(job);
		pthread_mutex_lock(&j->lock);
		j->running--;
		j->running_lane[lane]--;
		if (j->exclusive_running && exclusive) {
			j->exclusive_running = false;
			pthread_cond_broadcast(&j->work); /* the others may start again */
		} else if (j->exclusive_queued && j->running == 0) {
			pthread_cond_broadcast(&j->work); /* the exclusive one may start */
		}
		completion_post(j, id, lane, status, result);
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

int jobs_start(const struct jobs_opts *opts, struct jobs **out, struct pd_error *err)
{
	*out = NULL;
	struct jobs *j = calloc(1, sizeof *j);
	if (!j)
		return pd_error_set(err, PD_ERR, "out of memory");
	pthread_mutex_init(&j->lock, NULL);
	/* Monotonic, for the waits until a delayed job is due. */
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&j->work, &attr);
	pthread_condattr_destroy(&attr);
	j->next_id = 1;
	j->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int n = opts->workers;
	n = n < JOBS_WORKERS_MIN ? JOBS_WORKERS_MIN : n > JOBS_WORKERS_MAX ? JOBS_WORKERS_MAX : n;
	j->nworkers = n;
	int rc = PD_OK;
	j->client_opts = opts->client;
	j->open_key = opts->open_key;
	j->open_key_ctx = opts->open_key_ctx;
	if (j->wake_fd < 0)
		rc = pd_error_set(err, PD_ERR, "cannot create the jobs wake-up fd: %s",
		                  strerror(errno));
	else if ((opts->db_path && !(j->db_path = strdup(opts->db_path))) ||
		 (opts->client.api_base && !(j->client_opts.api_base = j->api_base =
						      strdup(opts->client.api_base))))
		rc = pd_error_set(err, PD_ERR, "out of memory");
	for (int i = 0; !rc && i < n; i++) {
		struct worker *w = &j->workers[i];
		w->pool = j;
		w->index = i;
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
			rc = pd_error_set(err, PD_ERR, "cannot start a worker thread");
		else
			w->started = true;
	}
	if (rc) {
		jobs_stop(&j);
		return rc;
	}
	*out = j;
	return PD_OK;
}

void jobs_warm(struct jobs *j)
{
	if (!j)
		return;
	pthread_mutex_lock(&j->lock);
	j->warm = true;
	pthread_cond_broadcast(&j->work);
	pthread_mutex_unlock(&j->lock);
}

uint64_t jobs_submit(struct jobs *j, enum jobs_lane lane, jobs_fn fn, void *arg,
                     jobs_free_fn free_fn)
{
	return jobs_submit_after(j, lane, 0, fn, arg, free_fn);
}

static uint64_t submit(struct jobs *j, enum jobs_lane lane, double delay, bool exclusive,
                       jobs_fn fn, void *arg, jobs_free_fn free_fn);

uint64_t jobs_submit_after(struct jobs *j, enum jobs_lane lane, double delay, jobs_fn fn,
                           void *arg, jobs_free_fn free_fn)
{
	return submit(j, lane, delay, false, fn, arg, free_fn);
}

uint64_t jobs_submit_exclusive(struct jobs *j, jobs_fn fn, void *arg, jobs_free_fn free_fn)
{
	return submit(j, JOBS_INTERACTIVE, 0, true, fn, arg, free_fn);
}

static uint64_t submit(struct jobs *j, enum jobs_lane lane, double delay, bool exclusive,
                       jobs_fn fn, void *arg, jobs_free_fn free_fn)
{
	if ((unsigned)lane > JOBS_BACKGROUND || !fn)
		return 0;
	struct job *job = calloc(1, sizeof *job);
	if (!job)
		return 0;
	job->lane = lane;
	job->fn = fn;
	job->arg = arg;
	job->free_fn = free_fn;
	job->not_before = delay > 0 ? monotonic_now() + delay : 0;
	job->exclusive = exclusive;
	atomic_init(&job->cancel, false);
	pthread_mutex_lock(&j->lock);
	if (j->stopping) {
		pthread_mutex_unlock(&j->lock);
		free(job);
		return 0;
	}
	job->id = j->next_id++;
	queue_push(&j->lanes[lane], job);
	if (exclusive)
		j->exclusive_queued++;
	uint64_t id = job->id;
	/* Broadcast: only some workers may take this lane. */
	pthread_cond_broadcast(&j->work);
	pthread_mutex_unlock(&j->lock);
	return id;
}

int jobs_open_key(struct jobs_ctx *ctx, char **key, struct pd_error *err)
{
	*key = NULL;
	if (!ctx->open_key || !ctx->db)
		return pd_error_set(err, PD_ERR_USAGE, "no Stripe key for this job");
	return ctx->open_key(ctx->open_key_ctx, ctx->db, key, err);
}

const char *jobs_key(struct jobs_ctx *ctx, const char *given, char **opened,
                     struct pd_error *err)
{
	*opened = NULL;
	if (given)
		return given;
	return jobs_open_key(ctx, opened, err) == PD_OK ? *opened : NULL;
}

int jobs_wake_fd(const struct jobs *j)
{
	return j->wake_fd;
}

size_t jobs_drain(struct jobs *j, jobs_drain_fn cb, void *ctx)
{
	/* Reset the counter under the lock posts take: the fd is readable
	 * exactly when the list is not empty, never spuriously. */
	pthread_mutex_lock(&j->lock);
	uint64_t count;
	while (read(j->wake_fd, &count, sizeof count) > 0)
		;
	struct completion *list = j->done_head;
	j->done_head = j->done_tail = NULL;
	pthread_mutex_unlock(&j->lock);
	size_t n = 0;
	while (list) {
		struct completion *next = list->next;
		if (cb)
			cb(ctx, &list->c);
		free(list);
		list = next;
		n++;
	}
	return n;
}

int jobs_cancel(struct jobs *j, uint64_t id)
{
	int rc = PD_ERR_NOT_FOUND;
	struct job *removed = NULL;
	pthread_mutex_lock(&j->lock);
	for (int lane = 0; lane < 2 && !removed; lane++)
		removed = queue_remove(&j->lanes[lane], id);
	if (removed && removed->exclusive) {
		j->exclusive_queued--;
		pthread_cond_broadcast(&j->work); /* what waited behind it may start */
	}
	for (int i = 0; !removed && i < j->nworkers; i++) {
		if (j->workers[i].current && j->workers[i].current->id == id) {
			atomic_store(&j->workers[i].current->cancel, true);
			rc = PD_OK;
		}
	}
	pthread_mutex_unlock(&j->lock);
	if (removed) {
		enum jobs_lane lane = removed->lane;
		job_free(removed);
		pthread_mutex_lock(&j->lock);
		completion_post(j, id, lane, JOBS_CANCELLED, "cancelled before it started");
		pthread_mutex_unlock(&j->lock);
		rc = PD_OK;
	}
	return rc;
}

/* Under lock: the jobs of q due now (a poll waiting for its time is not work yet). */
static size_t queue_due(const struct queue *q, double now)
{
	size_t n = 0;
	for (const struct job *job = q->head; job; job = job->next)
		n += job->not_before <= now;
	return n;
}

size_t jobs_pending_lane(struct jobs *j, enum jobs_lane lane)
{
	double now = monotonic_now();
	pthread_mutex_lock(&j->lock);
	size_t n = queue_due(&j->lanes[lane], now) + j->running_lane[lane];
	pthread_mutex_unlock(&j->lock);
	return n;
}

size_t jobs_pending(struct jobs *j)
{
	double now = monotonic_now();
	pthread_mutex_lock(&j->lock);
	size_t n = queue_due(&j->lanes[0], now) + queue_due(&j->lanes[1], now) + j->running;
	pthread_mutex_unlock(&j->lock);
	return n;
}

size_t jobs_outstanding(struct jobs *j)
{
	pthread_mutex_lock(&j->lock);
	size_t n = queue_due(&j->lanes[0], HUGE_VAL) + queue_due(&j->lanes[1], HUGE_VAL) +
		   j->running;
	pthread_mutex_unlock(&j->lock);
	return n;
}

void jobs_stop(struct jobs **jp)
{
	if (!jp || !*jp)
		return;
	struct jobs *j = *jp;
	struct job *dropped = NULL;
	pthread_mutex_lock(&j->lock);
	j->stopping = true;
	for (int lane = 0; lane < 2; lane++) {
		struct job *job;
		while ((job = queue_pop(&j->lanes[lane]))) {
			job->next = dropped;
			dropped = job;
		}
	}
	for (int i = 0; i < j->nworkers; i++)
		if (j->workers[i].current)
			atomic_store(&j->workers[i].current->cancel, true);
	pthread_cond_broadcast(&j->work);
	pthread_mutex_unlock(&j->lock);
	while (dropped) {
		struct job *next = dropped->next;
		job_free(dropped);
		dropped = next;
	}
	for (int i = 0; i < j->nworkers; i++) {
		struct worker *w = &j->workers[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		stripe_client_free(&w->client);
		db_close(&w->db);
	}
	jobs_drain(j, NULL, NULL);
	if (j->wake_fd >= 0)
		close(j->wake_fd);
	pthread_cond_destroy(&j->work);
	pthread_mutex_destroy(&j->lock);
	free(j->db_path);
	free(j->api_base);
	free(j);
	*jp = NULL;
}
