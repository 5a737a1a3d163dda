/* The start-up recovery job when the store fails part-way through the
 * outbox: it says how far it got, and (under `make asan`) frees what it
 * looked at (the list leaked when outbox_recover stopped early). */
#include "testutil.h"

#include <poll.h>
#include <sodium.h>

#include "paydesk/db.h"
#include "paydesk/jobs.h"
#include "paydesk/outbox.h"
#include "paydesk/recover_job.h"

#define KEY "sk_test_unitKey0000000000001234"

static void no_sleep(void *ctx, double seconds, const atomic_bool *cancel)
{
	(void)ctx, (void)seconds, (void)cancel;
}

static void take(void *ctx, const struct jobs_completion *c)
{
	*(struct jobs_completion *)ctx = *c;
}

static void test_store_failing_part_way(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "paydesk.db");
	sqlite3 *db;
	struct pd_error err;
	assert_int_equal(db_open(path, &db, &err), 0);
	int64_t first = 0, second = 0;
	assert_int_equal(outbox_insert(db, "idem-recover-1", "POST", "/v1/refunds",
				       "payment_intent=pi_1&amount=500", NULL, &first, &err), 0);
	assert_int_equal(outbox_insert(db, "idem-recover-2", "POST", "/v1/refunds",
				       "payment_intent=pi_2&amount=700", NULL, &second, &err), 0);
	/* The store refuses to record anything about the second row, as a full
	 * disk would: recovery stops there, after the first. */
	char sql[200];
	snprintf(sql, sizeof sql,
		 "CREATE TRIGGER disk_full BEFORE UPDATE ON outbox WHEN OLD.id = %lld "
		 "BEGIN SELECT RAISE(ABORT, 'disk full'); END",
		 (long long)second);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	db_close(&db);

	struct jobs *jobs = NULL;
	struct jobs_opts o = {.db_path = path,
			      .client = {.api_base = "http://127.0.0.1:9", /* nothing listens */
					 .retry = stripe_retry_policy_default(1),
					 .sleep = no_sleep}};
	assert_int_equal(jobs_start(&o, &jobs, &err), 0);
	uint64_t id = recover_job_submit(jobs, KEY);
	assert_true(id > 0);
	struct jobs_completion done = {0};
	for (int i = 0; i < 200 && done.id != id; i++) {
		struct pollfd p = {jobs_wake_fd(jobs), POLLIN, 0};
		poll(&p, 1, 100);
		jobs_drain(jobs, take, &done);
	}
	assert_int_equal(done.id, id);
	assert_int_equal(done.status, JOBS_FAILED);
	assert_non_null(strstr(done.result, "stopped after 2"));
	assert_non_null(strstr(done.result, "disk full"));
	jobs_stop(&jobs);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_failing_part_way),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
