/* The worker pool and the shared progress records under contention, the way
 * the UI uses them and more: several threads submit (both lanes, delayed,
 * exclusive, jobs that submit follow-ups) and cancel while one thread plays
 * the UI loop (poll the wake-up fd, drain, count pending); progress records
 * are snapshotted from that thread while verify and sync jobs against the
 * fake Stripe publish into them. Every job runs at most once, is freed once,
 * and completes once. `make tsan` runs this under ThreadSanitizer, which
 * fails the program on any data race. */
#include "testutil.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "paydesk/db.h"
#include "paydesk/history_sync_job.h"
#include "paydesk/job_progress.h"
#include "paydesk/jobs.h"
#include "paydesk/verify_job.h"

#define SUBMITTERS 4
#define PER_SUBMITTER 250
#define FOLLOW_UPS_MAX 64
#define TICKETS (SUBMITTERS * PER_SUBMITTER + FOLLOW_UPS_MAX)
#define IDS_MAX (TICKETS + 16)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- many jobs, many threads -------------------------------------------- */

static struct jobs *pool;
static atomic_int runs[TICKETS];   /* per ticket: times its job ran */
static atomic_int frees[TICKETS];  /* per ticket: times its argument was freed */
static atomic_int next_ticket;     /* tickets handed out */
static atomic_int follow_ups;      /* follow-up jobs submitted from workers */
static atomic_ullong shared_sum;   /* every job adds its ticket: a shared write */
static atomic_int submitted;       /* jobs the pool accepted */

static int ticket_of(void *arg)
{
	return (int)(intptr_t)arg - 1;
}

static void free_ticket(void *arg)
{
	atomic_fetch_add(&frees[ticket_of(arg)], 1);
}

static enum jobs_status job_count(struct jobs_ctx *ctx, void *arg, char *result, size_t size);

/* Submit a job for a new ticket; the ticket is dropped when the pool refuses. */
static uint64_t submit_ticket(int kind)
{
	int t = atomic_fetch_add(&next_ticket, 1);
	if (t >= TICKETS)
		return 0;
	void *arg = (void *)(intptr_t)(t + 1);
	uint64_t id;
	switch (kind % 10) {
	case 0: id = jobs_submit_after(pool, JOBS_BACKGROUND, 0.001 * (kind % 7), job_count, arg,
				       free_ticket); break;
	case 1: id = jobs_submit_exclusive(pool, job_count, arg, free_ticket); break;
	default:
		id = jobs_submit(pool, kind % 2 ? JOBS_INTERACTIVE : JOBS_BACKGROUND, job_count, arg,
				 free_ticket);
	}
	if (id)
		atomic_fetch_add(&submitted, 1);
	return id;
}

static enum jobs_status job_count(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	int t = ticket_of(arg);
	/* Long enough that jobs on different workers overlap: a race is only
	 * seen when both sides run with no lock between them. */
	struct timespec nap = {0, 100000};
	nanosleep(&nap, NULL);
	atomic_fetch_add(&runs[t], 1);
	atomic_fetch_add(&shared_sum, (unsigned long long)t);
	/* Every 40th job queues another from the worker, as a poll re-queues itself. */
	if (t % 40 == 0 && atomic_fetch_add(&follow_ups, 1) < FOLLOW_UPS_MAX)
		submit_ticket(t + 3);
	if (atomic_load(ctx->cancel)) {
		snprintf(result, size, "stopped %d", t);
		return JOBS_CANCELLED;
	}
	snprintf(result, size, "ran %d", t);
	return JOBS_DONE;
}

static void *submitter(void *p)
{
	int me = (int)(intptr_t)p;
	for (int i = 0; i < PER_SUBMITTER; i++) {
		uint64_t id = submit_ticket(me * PER_SUBMITTER + i);
		/* Cancel some just after submitting: queued or already running. */
		if (id && i % 7 == 3)
			jobs_cancel(pool, id);
		if (i % 25 == 0)
			(void)jobs_pending_lane(pool, JOBS_INTERACTIVE);
	}
	return NULL;
}

struct drained {
	atomic_int *seen; /* per id: completions */
	int total, ran, cancelled_queued;
	uint64_t max_id;
};

static void on_completion(void *ctx, const struct jobs_completion *c)
{
	struct drained *d = ctx;
	assert_true(c->id > 0 && c->id < IDS_MAX);
	atomic_fetch_add(&d->seen[c->id], 1);
	d->total++;
	if (c->id > d->max_id)
		d->max_id = c->id;
	if (strncmp(c->result, "ran ", 4) == 0 || strncmp(c->result, "stopped ", 8) == 0)
		d->ran++;
	else if (c->status == JOBS_CANCELLED)
		d->cancelled_queued++;
	else
		fail_msg("unexpected completion %llu: %s (%s)", (unsigned long long)c->id,
			 jobs_status_name(c->status), c->result);
}

static void test_many_submitters_one_ui_loop(void **state)
{
	(void)state;
	char *dir = tu_tempdir(), *path = tu_path(dir, "paydesk.db");
	struct jobs_opts o = {
	    .db_path = path,
	    .workers = JOBS_WORKERS_MAX,
	    .client = {.api_base = "http://127.0.0.1:9", .retry = stripe_retry_policy_default(0)}};
	struct pd_error err;
	assert_int_equal(jobs_start(&o, &pool, &err), 0);
	jobs_warm(pool);

	pthread_t th[SUBMITTERS];
	for (int i = 0; i < SUBMITTERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, submitter, (void *)(intptr_t)i), 0);

	/* The UI loop: wait on the wake-up fd, drain, read the pending count. */
	struct drained d = {.seen = calloc(IDS_MAX, sizeof(atomic_int))};
	bool joined = false;
	double deadline = now_s() + 120;
	while (now_s() < deadline) {
		struct pollfd pfd = {jobs_wake_fd(pool), POLLIN, 0};
		poll(&pfd, 1, 20);
		jobs_drain(pool, on_completion, &d);
		size_t pending = jobs_pending(pool);
		if (!joined && d.total > 50) {
			for (int i = 0; i < SUBMITTERS; i++)
				pthread_join(th[i], NULL);
			joined = true;
		}
		if (joined && pending == 0 && d.total == atomic_load(&submitted))
			break;
	}
	if (!joined)
		for (int i = 0; i < SUBMITTERS; i++)
			pthread_join(th[i], NULL);
	int accepted = atomic_load(&submitted);
	assert_int_equal(d.total, accepted); /* every job completed, none twice (below) */
	assert_true(accepted >= SUBMITTERS * PER_SUBMITTER);
	assert_int_equal(jobs_pending(pool), 0);
	jobs_stop(&pool);

	int tickets = atomic_load(&next_ticket) < TICKETS ? atomic_load(&next_ticket) : TICKETS;
	int ran = 0;
	unsigned long long sum = 0;
	for (int t = 0; t < tickets; t++) {
		assert_true(atomic_load(&runs[t]) <= 1);
		assert_int_equal(atomic_load(&frees[t]), 1);
		if (atomic_load(&runs[t])) {
			ran++;
			sum += (unsigned long long)t;
		}
	}
	for (uint64_t id = 1; id <= d.max_id; id++)
		assert_true(atomic_load(&d.seen[id]) <= 1);
	assert_int_equal(ran, d.ran);
	assert_int_equal(ran + d.cancelled_queued, accepted);
	assert_true(d.cancelled_queued > 0); /* the cancels did reach queued jobs */
	assert_int_equal(sum, atomic_load(&shared_sum));
	free(d.seen);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

/* ---- progress records against the fake Stripe --------------------------- */

struct fake {
	pid_t pid;
	char base[64];
};

/* tests/fakestripe/fakestripe.py on a free port (the tests run from the
 * source tree's top); it prints "listening on 127.0.0.1:PORT" when ready. */
static void fake_start(struct fake *f)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0) {
		/* Gone with this program, even when a sanitizer stops it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execlp("python3", "python3", "tests/fakestripe/fakestripe.py", "--port", "0",
		       (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char line[128] = "";
	size_t n = 0;
	struct pollfd pfd = {fds[0], POLLIN, 0};
	double deadline = now_s() + 30;
	while (n + 1 < sizeof line && now_s() < deadline && !strchr(line, '\n')) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		ssize_t r = read(fds[0], line + n, sizeof line - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		line[n] = '\0';
	}
	close(fds[0]);
	int port = 0;
	if (sscanf(line, "listening on 127.0.0.1:%d", &port) != 1)
		fail_msg("the fake Stripe did not start (run from the source tree's top, with "
			 "python3): got \"%s\"", line);
	snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", port);
}

static void fake_stop(struct fake *f)
{
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
}

#define KEY "sk_test_fakepaydesk0000000000000000"
#define ACCOUNT "acct_1FakePlatform000"
#define ROUNDS 12

static void count_done(void *ctx, const struct jobs_completion *c)
{
	(void)c;
	(*(int *)ctx)++;
}

static void test_progress_records_while_the_ui_reads_them(void **state)
{
	(void)state;
	struct fake fake;
	fake_start(&fake);
	char *dir = tu_tempdir(), *path = tu_path(dir, "paydesk.db");
	sqlite3 *db;
	struct pd_error err;
	assert_int_equal(db_open(path, &db, &err), 0); /* the schema, before the workers */
	sqlite3_close(db);
	struct jobs_opts o = {.db_path = path, .workers = 3,
			      .client = {.api_base = fake.base,
					 .retry = stripe_retry_policy_default(0)}};
	struct jobs *jobs;
	assert_int_equal(jobs_start(&o, &jobs, &err), 0);

	struct verify_progress vp;
	struct history_sync_progress hp;
	verify_progress_init(&vp);
	history_sync_progress_init(&hp);
	int done = 0, queued = 0;
	struct verify_progress vs;
	struct history_sync_progress hs;
	/* New verifications and syncs while older ones still run: each submit
	 * starts a new generation, and only the newest may write. A reset now
	 * and then, as a disconnect does. */
	for (int round = 0; round < ROUNDS; round++) {
		queued += verify_job_submit(jobs, &vp, KEY, ACCOUNT, NULL) != 0;
		queued += history_sync_job_submit(jobs, &hp, KEY, NULL, round % 3 == 0) != 0;
		if (round == ROUNDS / 2)
			verify_progress_reset(&vp);
		for (int k = 0; k < 20; k++) {
			verify_progress_snapshot(&vp, &vs);
			history_sync_progress_snapshot(&hp, &hs);
			jobs_drain(jobs, count_done, &done);
		}
	}
	double deadline = now_s() + 120;
	while (done < queued && now_s() < deadline) {
		struct pollfd pfd = {jobs_wake_fd(jobs), POLLIN, 0};
		poll(&pfd, 1, 20);
		verify_progress_snapshot(&vp, &vs);
		history_sync_progress_snapshot(&hp, &hs);
		jobs_drain(jobs, count_done, &done);
	}
	assert_int_equal(done, queued);
	assert_int_equal(queued, 2 * ROUNDS);
	verify_progress_snapshot(&vp, &vs);
	history_sync_progress_snapshot(&hp, &hs);
	/* The newest verification finished and published its whole checklist. */
	job_progress_lock(&vp.pub); /* the snapshot copies what is drawn, not the generation */
	assert_int_equal(vp.pub.generation, ROUNDS + 1); /* + the reset */
	job_progress_end(&vp.pub);
	assert_false(vs.running);
	assert_true(vs.done);
	assert_string_equal(vs.error, "");
	assert_true(vs.report.n > 0);
	assert_string_equal(vs.report.account_id, ACCOUNT);
	/* The newest sync finished without an error. */
	job_progress_lock(&hp.pub);
	assert_int_equal(hp.pub.generation, ROUNDS);
	job_progress_end(&hp.pub);
	assert_false(hs.running);
	assert_string_equal(hs.error, "");

	jobs_stop(&jobs);
	verify_progress_destroy(&vp);
	history_sync_progress_destroy(&hp);
	fake_stop(&fake);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_many_submitters_one_ui_loop),
	    cmocka_unit_test(test_progress_records_while_the_ui_reads_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
