/* Background work: a small pool of worker threads that run jobs (Stripe
 * calls and what they write to the store) off the UI thread.
 *
 * Two lanes: interactive jobs (a payment, a refund, key verification) and
 * background jobs (history sync, polling). Worker 0 takes only interactive
 * jobs and the others take interactive jobs first, so an interactive job
 * never waits behind background ones. Each worker owns its SQLite
 * connection and its Stripe client (one curl handle: connection reuse).
 *
 * Finished jobs come back as small completion records: the UI thread polls
 * jobs_wake_fd() with the terminal, calls jobs_drain(), and re-reads from
 * the store whatever it shows. Only jobs_* calls cross threads. */
#ifndef PAYDESK_JOBS_H
#define PAYDESK_JOBS_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"
#include "paydesk/stripe_client.h"

enum jobs_lane { JOBS_INTERACTIVE, JOBS_BACKGROUND };

enum jobs_status {
	JOBS_DONE,      /* finished; the result is in the store */
	JOBS_FAILED,    /* finished with an error; result says what */
	JOBS_CANCELLED, /* removed from the queue, or stopped before anything reached Stripe */
	JOBS_RECONCILE, /* stopped after a request may have reached Stripe: its outbox
	                   row is open and will be resolved (outbox_resend/recover) */
};

#define JOBS_WORKERS_MIN 2
#define JOBS_WORKERS_MAX 4
#define JOBS_RESULT_SIZE 512

struct jobs_opts {
	const char *db_path;              /* each worker opens it (db_open); NULL: no store */
	int workers;                      /* clamped to [JOBS_WORKERS_MIN, JOBS_WORKERS_MAX] */
	struct stripe_client_opts client; /* each worker makes its own client from these */
	/* Opens the Stripe key for a job queued without one (jobs_open_key), on
	 * the job's worker with its connection; NULL: such jobs fail. */
	int (*open_key)(void *ctx, sqlite3 *db, char **key, struct pd_error *err);
	void *open_key_ctx;
};

/* What a running job may use: its worker's store connection and client, and
 * its cancel flag (pass it to stripe requests; check it between steps). */
struct jobs_ctx {
	sqlite3 *db; /* NULL when opts.db_path was NULL */
	struct stripe_client *client;
	const atomic_bool *cancel;
	int (*open_key)(void *ctx, sqlite3 *db, char **key, struct pd_error *err);
	void *open_key_ctx;
};

/* The Stripe key for this job, opened now on its worker (the UI never holds
 * it). Wipe it with vault_secret_free as soon as the job is done with it. */
int jobs_open_key(struct jobs_ctx *ctx, char **key, struct pd_error *err);

/* A job's key: given (a copy made at submit: tests, headless commands) or
 * opened now (jobs_open_key) into *opened, which the job frees with
 * vault_secret_free when done. Returns the key to use, or NULL with err. */
const char *jobs_key(struct jobs_ctx *ctx, const char *given, char **opened,
                     struct pd_error *err);

/* A job: runs on a worker, writes its outcome to the store, and returns its
 * status with a one-line result (NUL-terminated, at most size bytes). */
typedef enum jobs_status (*jobs_fn)(struct jobs_ctx *ctx, void *arg, char *result, size_t size);
/* Frees a job's argument: called once the job ran or was dropped, before
 * its completion is posted (a completion means the job is entirely over). */
typedef void (*jobs_free_fn)(void *arg);

struct jobs_completion {
	uint64_t id;
	enum jobs_lane lane;
	enum jobs_status status;
	char result[JOBS_RESULT_SIZE];
};

struct jobs;

/* Start the threads; each opens its own connection and client first, and
 * if it cannot, fails the jobs it takes with the reason. */
int jobs_start(const struct jobs_opts *opts, struct jobs **out, struct pd_error *err);

/* jobs_submit, but not run before delay seconds from now: a poll waits in
 * the queue, not on a worker (others run meanwhile). Until it is due it is
 * not pending work (jobs_pending leaves it out: nothing spins for it); it
 * can be cancelled like any queued one. */
uint64_t jobs_submit_after(struct jobs *j, enum jobs_lane lane, double delay, jobs_fn fn,
                           void *arg, jobs_free_fn free_fn);

/* A job that runs alone: it starts once the running jobs are over, and no
 * other job starts until it is done (interactive lane). For start-up
 * recovery: it must not settle a payment this process has just begun. */
uint64_t jobs_submit_exclusive(struct jobs *j, jobs_fn fn, void *arg, jobs_free_fn free_fn);

/* Let the workers open their connections now rather than at their first
 * job (the UI calls it once the first screen is drawn). */
void jobs_warm(struct jobs *j);

/* Queue fn(arg) on lane. Returns the job id (> 0); on 0 (out of memory or
 * stopping) nothing was queued and arg still belongs to the caller. */
uint64_t jobs_submit(struct jobs *j, enum jobs_lane lane, jobs_fn fn, void *arg,
                     jobs_free_fn free_fn);

/* Readable when completions wait; poll it with the terminal. */
int jobs_wake_fd(const struct jobs *j);

typedef void (*jobs_drain_fn)(void *ctx, const struct jobs_completion *c);

/* Hand every waiting completion, oldest first, to cb on this thread.
 * Returns how many. Never blocks. */
size_t jobs_drain(struct jobs *j, jobs_drain_fn cb, void *ctx);

/* Cancel job id: a queued job is removed (a JOBS_CANCELLED completion
 * follows); a running job has its cancel flag set and its transfer aborted.
 * PD_ERR_NOT_FOUND when the job already finished or never existed. */
int jobs_cancel(struct jobs *j, uint64_t id);

/* Jobs due or running (for the status line, and for q asking first); a
 * delayed job waiting for its time is not counted. */
size_t jobs_pending(struct jobs *j);

/* Every job not finished yet, delayed ones waiting for their time included
 * (a chain of polls runs until this is 0: for drivers and tests). */
size_t jobs_outstanding(struct jobs *j);

/* Jobs of one lane due or running (the idle lock waits for interactive
 * ones: a payment or refund in flight). */
size_t jobs_pending_lane(struct jobs *j, enum jobs_lane lane);

/* Drop queued jobs, cancel running ones, join every thread, close the
 * connections, free everything; *j becomes NULL. Undrained completions are
 * dropped. */
void jobs_stop(struct jobs **j);

const char *jobs_status_name(enum jobs_status s);

#endif
