/* The worker pool: interactive jobs overtake background ones, completions
 * arrive through the wake-up fd, cancel of queued and running jobs, the
 * pending count, per-worker store connections, and a clean stop. */
#include "testutil.h"

#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <time.h>

#include "paydesk/connect_job.h"
#include "paydesk/db.h"
#include "paydesk/job_progress.h"
#include "paydesk/jobs.h"
#include "paydesk/vault.h"

struct fixture {
	char *dir, *path;
	struct jobs *jobs;
};

static atomic_int freed;    /* free_fn calls */
static atomic_bool release; /* lets blocking jobs finish */
static atomic_int started;  /* blocking jobs that began running */

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	f->dir = tu_tempdir();
	f->path = tu_path(f->dir, "paydesk.db");
	atomic_store(&freed, 0);
	atomic_store(&release, false);
	atomic_store(&started, 0);
	struct jobs_opts o = {
	    .db_path = f->path,
	    .workers = 2,
	    .client = {.api_base = "http://127.0.0.1:9", .retry = stripe_retry_policy_default(0)}};
	struct pd_error err;
	if (jobs_start(&o, &f->jobs, &err))
		fail_msg("jobs_start: %s", err.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	jobs_stop(&f->jobs);
	assert_null(f->jobs);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Runs until released or cancelled (5 s at most, so a bug cannot hang). */
static enum jobs_status job_block(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	(void)arg;
	atomic_fetch_add(&started, 1);
	for (int i = 0; i < 5000; i++) {
		if (atomic_load(ctx->cancel)) {
			snprintf(result, size, "stopped");
			return JOBS_CANCELLED;
		}
		if (atomic_load(&release))
			break;
		sleep_ms(1);
	}
	snprintf(result, size, "released");
	return JOBS_DONE;
}

/* Proves it has its own working store connection and client. */
static enum jobs_status job_quick(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	sqlite3_stmt *st;
	if (!ctx->db || !ctx->client ||
	    sqlite3_prepare_v2(ctx->db, "SELECT count(*) FROM outbox", -1, &st, NULL) != SQLITE_OK)
		return JOBS_FAILED;
	int ok = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	snprintf(result, size, "quick %s", (const char *)arg);
	return ok ? JOBS_DONE : JOBS_FAILED;
}

static void free_arg(void *arg)
{
	(void)arg;
	atomic_fetch_add(&freed, 1);
}

struct seen {
	struct jobs_completion list[16];
	size_t n;
};

static void collect(void *ctx, const struct jobs_completion *c)
{
	struct seen *s = ctx;
	if (s->n < 16)
		s->list[s->n++] = *c;
}

/* Poll the wake fd like the UI loop does until want completions arrived. */
static void wait_for(struct jobs *j, struct seen *s, size_t want)
{
	for (int i = 0; i < 500 && s->n < want; i++) {
		struct pollfd pfd = {.fd = jobs_wake_fd(j), .events = POLLIN};
		if (poll(&pfd, 1, 10) > 0)
			jobs_drain(j, collect, s);
	}
	if (s->n < want)
		fail_msg("only %zu of %zu completions arrived", s->n, want);
}

static void wait_started(int n)
{
	for (int i = 0; i < 2000 && atomic_load(&started) < n; i++)
		sleep_ms(1);
	assert_int_equal(atomic_load(&started), n);
}

static void test_interactive_overtakes_background(void **state)
{
	struct fixture *f = *state;
	static char name[] = "pay";
	uint64_t bg[3];
	for (int i = 0; i < 3; i++)
		bg[i] = jobs_submit(f->jobs, JOBS_BACKGROUND, job_block, NULL, free_arg);
	wait_started(1); /* worker 1 is busy; worker 0 never takes background work */
	assert_int_equal(jobs_pending(f->jobs), 3);
	uint64_t pay = jobs_submit(f->jobs, JOBS_INTERACTIVE, job_quick, name, free_arg);
	assert_true(pay > bg[2]);

	struct seen s = {0};
	wait_for(f->jobs, &s, 1);
	assert_int_equal(s.list[0].id, pay);
	assert_int_equal(s.list[0].lane, JOBS_INTERACTIVE);
	assert_int_equal(s.list[0].status, JOBS_DONE);
	assert_string_equal(s.list[0].result, "quick pay");
	assert_int_equal(atomic_load(&started), 1); /* no second background job ran */

	atomic_store(&release, true);
	wait_for(f->jobs, &s, 4);
	for (int i = 1; i < 4; i++) {
		assert_int_equal(s.list[i].id, bg[i - 1]); /* a lane is first in, first out */
		assert_int_equal(s.list[i].status, JOBS_DONE);
	}
	assert_int_equal(jobs_pending(f->jobs), 0);
	assert_int_equal(atomic_load(&freed), 4);
}

static void test_cancel_queued_and_running(void **state)
{
	struct fixture *f = *state;
	uint64_t running = jobs_submit(f->jobs, JOBS_BACKGROUND, job_block, NULL, free_arg);
	uint64_t queued = jobs_submit(f->jobs, JOBS_BACKGROUND, job_block, NULL, free_arg);
	wait_started(1);
	assert_int_equal(jobs_pending(f->jobs), 2);

	assert_int_equal(jobs_cancel(f->jobs, queued), PD_OK);
	assert_int_equal(atomic_load(&freed), 1); /* removed and freed at once */
	assert_int_equal(jobs_pending(f->jobs), 1);
	assert_int_equal(jobs_cancel(f->jobs, running), PD_OK);

	struct seen s = {0};
	wait_for(f->jobs, &s, 2);
	assert_int_equal(s.list[0].id, queued);
	assert_int_equal(s.list[0].status, JOBS_CANCELLED);
	assert_int_equal(s.list[1].id, running);
	assert_int_equal(s.list[1].status, JOBS_CANCELLED);
	assert_string_equal(s.list[1].result, "stopped");
	assert_int_equal(atomic_load(&started), 1);
	assert_int_equal(jobs_pending(f->jobs), 0);

	/* Finished or unknown jobs cannot be cancelled. */
	assert_int_equal(jobs_cancel(f->jobs, running), PD_ERR_NOT_FOUND);
	assert_int_equal(jobs_cancel(f->jobs, 12345), PD_ERR_NOT_FOUND);
}

static void test_wake_fd_and_drain(void **state)
{
	struct fixture *f = *state;
	static char name[] = "x";
	struct pollfd pfd = {.fd = jobs_wake_fd(f->jobs), .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 0), 0); /* nothing yet */
	assert_int_equal(jobs_drain(f->jobs, collect, NULL), 0);
	uint64_t a = jobs_submit(f->jobs, JOBS_INTERACTIVE, job_quick, name, NULL);
	uint64_t b = jobs_submit(f->jobs, JOBS_INTERACTIVE, job_quick, name, NULL);
	assert_true(a > 0 && b == a + 1);
	struct seen s = {0};
	wait_for(f->jobs, &s, 2);
	assert_int_equal(poll(&pfd, 1, 0), 0); /* drained: quiet again */
	assert_int_equal(s.list[0].status, JOBS_DONE);
	assert_int_equal(s.list[1].status, JOBS_DONE);
	assert_int_equal(jobs_submit(f->jobs, 7, job_quick, name, NULL), 0);
	assert_int_equal(jobs_submit(f->jobs, JOBS_BACKGROUND, NULL, name, NULL), 0);
}

static void test_stop_with_work_in_flight(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < 3; i++)
		jobs_submit(f->jobs, JOBS_INTERACTIVE, job_block, NULL, free_arg);
	for (int i = 0; i < 3; i++)
		jobs_submit(f->jobs, JOBS_BACKGROUND, job_block, NULL, free_arg);
	wait_started(2);
	assert_int_equal(jobs_pending(f->jobs), 6);
	jobs_stop(&f->jobs); /* cancels the two running, drops the four queued */
	assert_null(f->jobs);
	assert_int_equal(atomic_load(&freed), 6);
	assert_int_equal(atomic_load(&started), 2);
}

/* A delayed job waits in the queue, not on a worker: jobs queued after it on
 * the same lane run first, and it runs once due; cancelled while waiting, it
 * never runs. */
static void test_delayed_job_waits_in_the_queue(void **state)
{
	struct fixture *f = *state;
	static char late[] = "late", now[] = "now", never[] = "never";
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t a = jobs_submit_after(f->jobs, JOBS_BACKGROUND, 0.3, job_quick, late, free_arg);
	uint64_t c = jobs_submit_after(f->jobs, JOBS_BACKGROUND, 0.2, job_quick, never, free_arg);
	uint64_t b = jobs_submit(f->jobs, JOBS_BACKGROUND, job_quick, now, free_arg);
	assert_true(a && b && c);
	assert_true(jobs_pending(f->jobs) <= 1); /* b, unless it is done; a and c wait */
	assert_int_equal(jobs_cancel(f->jobs, c), 0);
	struct seen s = {0};
	wait_for(f->jobs, &s, 3);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	size_t at_a = 99, at_b = 99;
	bool saw_cancel = false;
	for (size_t i = 0; i < s.n; i++) {
		if (s.list[i].id == c)
			saw_cancel = s.list[i].status == JOBS_CANCELLED;
		if (s.list[i].id == a && strcmp(s.list[i].result, "quick late") == 0)
			at_a = i;
		if (s.list[i].id == b && strcmp(s.list[i].result, "quick now") == 0)
			at_b = i;
	}
	assert_true(at_b < at_a && at_a < 3); /* queued last, ran first */
	bool saw_late = at_a < 3;
	assert_true(saw_cancel && saw_late);
	double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(took >= 0.3);
	assert_int_equal(jobs_pending(f->jobs), 0);
}

static enum jobs_status job_exclusive(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	(void)ctx;
	sleep_ms(100); /* long enough for a later job to overtake, were it allowed */
	snprintf(result, size, "exclusive %s", (const char *)arg);
	return JOBS_DONE;
}

/* An exclusive job waits for the running ones, and nothing submitted after
 * it starts before it is done. */
static void test_exclusive_job_runs_alone(void **state)
{
	struct fixture *f = *state;
	static char name[] = "recover", quick[] = "pay";
	uint64_t blocker = jobs_submit(f->jobs, JOBS_BACKGROUND, job_block, NULL, free_arg);
	wait_started(1);
	uint64_t ex = jobs_submit_exclusive(f->jobs, job_exclusive, name, free_arg);
	uint64_t pay = jobs_submit(f->jobs, JOBS_INTERACTIVE, job_quick, quick, free_arg);
	assert_true(blocker && ex && pay);
	sleep_ms(100);
	struct seen s = {0};
	jobs_drain(f->jobs, collect, &s);
	assert_int_equal(s.n, 0); /* the payment waits behind the exclusive job */
	atomic_store(&release, true);
	wait_for(f->jobs, &s, 3);
	assert_int_equal(s.list[0].id, blocker);
	assert_int_equal(s.list[1].id, ex);
	assert_string_equal(s.list[1].result, "exclusive recover");
	assert_int_equal(s.list[2].id, pay);
}

static void keep_completion(void *ctx, const struct jobs_completion *c)
{
	*(struct jobs_completion *)ctx = *c;
}

/* A worker that cannot open the store does not run the job: the job fails
 * with the reason, which the screen shows. */
static void test_unopenable_store_fails_jobs(void **state)
{
	(void)state;
	struct jobs *j = NULL;
	struct jobs_opts o = {.db_path = "/proc/paydesk-cannot-be-here/db", .workers = 2};
	struct pd_error err;
	assert_int_equal(jobs_start(&o, &j, &err), 0);
	atomic_store(&started, 0);
	atomic_store(&release, true);
	assert_true(jobs_submit(j, JOBS_INTERACTIVE, job_block, NULL, NULL) > 0);
	struct jobs_completion c = {0};
	for (int i = 0; i < 5000 && !c.id; i++) {
		jobs_drain(j, keep_completion, &c);
		if (!c.id)
			sleep_ms(1);
	}
	assert_int_equal(c.status, JOBS_FAILED);
	assert_non_null(strstr(c.result, "/proc/paydesk-cannot-be-here"));
	assert_int_equal(atomic_load(&started), 0);
	jobs_stop(&j);
	assert_null(j);
}

/* A poll waiting for its time is not work: the status line does not spin
 * for it, q does not ask about it, the idle lock does not wait for it. */
static void test_a_delayed_job_is_not_pending_work(void **state)
{
	struct fixture *f = *state;
	static char later[] = "later";
	uint64_t id = jobs_submit_after(f->jobs, JOBS_BACKGROUND, 30, job_quick, later, free_arg);
	assert_true(id);
	assert_int_equal(jobs_pending(f->jobs), 0);
	assert_int_equal(jobs_pending_lane(f->jobs, JOBS_BACKGROUND), 0);
	uint64_t now = jobs_submit_after(f->jobs, JOBS_INTERACTIVE, 30, job_quick, later, free_arg);
	assert_int_equal(jobs_pending_lane(f->jobs, JOBS_INTERACTIVE), 0);
	/* ... yet it is still to come: a driver waiting for a chain to end sees it */
	assert_int_equal(jobs_outstanding(f->jobs), 2);
	assert_int_equal(jobs_cancel(f->jobs, id), 0);
	assert_int_equal(jobs_cancel(f->jobs, now), 0);
	struct seen s = {0};
	wait_for(f->jobs, &s, 2);
	assert_int_equal(s.list[0].status, JOBS_CANCELLED);
	assert_int_equal(s.list[1].status, JOBS_CANCELLED);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The Express onboarding poll (Setup) waits its 3 s in the queue: with the
 * one worker of the background lane, a job queued after it runs at once (it
 * slept on that worker before). */
static void test_a_delayed_connect_poll_leaves_the_worker_free(void **state)
{
	struct fixture *f = *state;
	struct connect_result r;
	connect_result_init(&r);
	struct connect_request req = {.op = CONNECT_OP_STATUS, .key = "rk_test_51PollKey000",
				      .account = "acct_1Polled0000", .delay_ms = 2000};
	uint64_t poll = connect_job_submit(f->jobs, &r, &req);
	assert_true(poll);
	sleep_ms(50); /* a poll asleep on the worker would hold it by now */
	static char now[] = "now";
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t quick = jobs_submit(f->jobs, JOBS_BACKGROUND, job_quick, now, free_arg);
	struct seen s = {0};
	wait_for(f->jobs, &s, 1);
	double took = seconds_since(&t0);
	assert_int_equal(s.list[0].id, quick);
	assert_string_equal(s.list[0].result, "quick now");
	assert_true(took < 1.0);
	assert_int_equal(jobs_pending(f->jobs), 0); /* the poll waiting is not work */
	assert_int_equal(jobs_cancel(f->jobs, poll), 0);
	wait_for(f->jobs, &s, 2);
	assert_int_equal(s.list[1].id, poll);
	assert_int_equal(s.list[1].status, JOBS_CANCELLED);
	connect_result_destroy(&r);
}

/* A job queued without a key opens it on its worker (jobs_open_key), with
 * the worker's connection; the thread that queued it never holds it. */
static pthread_t opened_on;
static atomic_int opens;

static int open_test_key(void *ctx, sqlite3 *db, char **key, struct pd_error *err)
{
	(void)err;
	assert_non_null(db);
	opened_on = pthread_self();
	atomic_fetch_add(&opens, 1);
	const char *k = ctx;
	*key = sodium_malloc(strlen(k) + 1);
	memcpy(*key, k, strlen(k) + 1);
	return PD_OK;
}

static enum jobs_status job_with_key(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	char *opened = NULL;
	struct pd_error err = {0};
	const char *key = jobs_key(ctx, arg, &opened, &err);
	snprintf(result, size, "%s %s", key ? key : "none", opened ? "opened" : "given");
	vault_secret_free(&opened);
	return key ? JOBS_DONE : JOBS_FAILED;
}

static void test_a_job_opens_the_key_on_its_worker(void **state)
{
	struct fixture *f = *state;
	jobs_stop(&f->jobs);
	static char sealed[] = "rk_test_51FromTheVault";
	struct jobs_opts o = {.db_path = f->path, .workers = 2,
			      .client = {.api_base = "http://127.0.0.1:9",
					 .retry = stripe_retry_policy_default(0)},
			      .open_key = open_test_key, .open_key_ctx = sealed};
	struct pd_error err;
	assert_int_equal(jobs_start(&o, &f->jobs, &err), 0);
	atomic_store(&opens, 0);
	static char given[] = "rk_test_51Given";
	assert_true(jobs_submit(f->jobs, JOBS_INTERACTIVE, job_with_key, NULL, NULL));
	assert_true(jobs_submit(f->jobs, JOBS_INTERACTIVE, job_with_key, given, NULL));
	struct seen s = {0};
	wait_for(f->jobs, &s, 2);
	bool saw_opened = false, saw_given = false;
	for (size_t i = 0; i < s.n; i++) {
		saw_opened |= strcmp(s.list[i].result, "rk_test_51FromTheVault opened") == 0;
		saw_given |= strcmp(s.list[i].result, "rk_test_51Given given") == 0;
	}
	assert_true(saw_opened && saw_given);
	assert_int_equal(atomic_load(&opens), 1);
	assert_false(pthread_equal(opened_on, pthread_self()));
}

/* A job left behind (restarted, or its record reset) publishes nothing: its
 * generation is stale, and only the newest job writes the record. */
struct counted {
	struct job_progress pub;
	long rows;
};

struct stale_arg {
	struct counted *rec;
	unsigned generation;
	long rows;
};

static enum jobs_status job_publish(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	(void)ctx;
	struct stale_arg *a = arg;
	bool wrote = job_progress_claim(&a->rec->pub, a->generation);
	if (wrote) {
		a->rec->rows = a->rows;
		job_progress_end(&a->rec->pub);
	}
	snprintf(result, size, "%s", wrote ? "wrote" : "ignored");
	return JOBS_DONE;
}

static void test_a_stale_generation_is_ignored(void **state)
{
	struct fixture *f = *state;
	struct counted rec = {.rows = 0};
	job_progress_init(&rec.pub);
	unsigned first = job_progress_begin(&rec.pub);
	job_progress_end(&rec.pub);
	unsigned second = job_progress_begin(&rec.pub); /* restarted: the first is stale */
	rec.rows = 0;
	job_progress_end(&rec.pub);
	assert_int_not_equal(first, second);
	struct stale_arg newer = {&rec, second, 20}, older = {&rec, first, 999};
	assert_true(jobs_submit(f->jobs, JOBS_INTERACTIVE, job_publish, &newer, NULL));
	struct seen s = {0};
	wait_for(f->jobs, &s, 1);
	assert_true(jobs_submit(f->jobs, JOBS_INTERACTIVE, job_publish, &older, NULL));
	wait_for(f->jobs, &s, 2);
	assert_string_equal(s.list[0].result, "wrote");
	assert_string_equal(s.list[1].result, "ignored");
	job_progress_lock(&rec.pub);
	assert_int_equal(rec.rows, 20); /* the late, older job did not overwrite it */
	job_progress_end(&rec.pub);
	job_progress_destroy(&rec.pub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_interactive_overtakes_background, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_queued_and_running, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wake_fd_and_drain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_with_work_in_flight, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delayed_job_waits_in_the_queue, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exclusive_job_runs_alone, setup, teardown),
	    cmocka_unit_test(test_unopenable_store_fails_jobs),
	    cmocka_unit_test_setup_teardown(test_a_delayed_job_is_not_pending_work, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_delayed_connect_poll_leaves_the_worker_free, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_a_job_opens_the_key_on_its_worker, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_stale_generation_is_ignored, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
