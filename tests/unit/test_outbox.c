/* The outbox: migration 2 over a schema-1 database, rows through their
 * states, refusal of duplicate keys and secrets, and the runner's decisions
 * when Stripe cannot be reached (never "failed" once a row may have run). */
#include "testutil.h"

#include "../../src/store/migrations.h"
#include "paydesk/db.h"
#include "paydesk/outbox.h"
#include "paydesk/outbox_runner.h"

#define KEY "sk_test_unitKey0000000000001234"

struct fixture {
	char *dir, *path;
	sqlite3 *db;
	struct stripe_client *client; /* points at a port where nothing listens */
	int sleeps;
};

static void count_sleep(void *ctx, double seconds, const atomic_bool *cancel)
{
	(void)seconds, (void)cancel;
	((struct fixture *)ctx)->sleeps++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	f->dir = tu_tempdir();
	f->path = tu_path(f->dir, "paydesk.db");
	struct pd_error err;
	assert_int_equal(db_open(f->path, &f->db, &err), 0);
	struct stripe_client_opts o = {.api_base = "http://127.0.0.1:9",
	                               .retry = stripe_retry_policy_default(2),
	                               .sleep = count_sleep,
	                               .sleep_ctx = f};
	assert_int_equal(stripe_client_new(&o, &f->client, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	stripe_client_free(&f->client);
	db_close(&f->db);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static int64_t add_row(sqlite3 *db, const char *key, const char *path)
{
	int64_t id = 0;
	struct pd_error err;
	int rc = outbox_insert(db, key, "POST", path, "amount=500&currency=usd", NULL, &id, &err);
	if (rc)
		fail_msg("outbox_insert: %s", err.msg);
	return id;
}

static void test_migration_from_schema_1(void **state)
{
	struct fixture *f = *state;
	char *old = tu_path(f->dir, "v1.db");
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(old, &raw), SQLITE_OK);
	assert_int_equal(store_migrations[0].version, 1);
	assert_int_equal(sqlite3_exec(raw, store_migrations[0].sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw,
	                              "PRAGMA user_version = 1; PRAGMA application_id = 1346655051;"
	                              "INSERT INTO settings VALUES ('theme', 'dark', 1);",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(raw);

	sqlite3 *db;
	struct pd_error err;
	assert_int_equal(db_open(old, &db, &err), 0);
	assert_true(db_schema_latest() >= 2);
	sqlite3_stmt *st;
	assert_int_equal(
	    db_prepare(db, "SELECT value FROM settings WHERE key = 'theme'", &st, &err), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "dark"); /* data kept */
	sqlite3_finalize(st);
	int64_t id = add_row(db, "k-migrated", "/v1/refunds");
	assert_true(id > 0);
	db_close(&db);
	free(old);
}

static void test_row_lifecycle(void **state)
{
	struct fixture *f = *state;
	struct pd_error err;
	int64_t a = add_row(f->db, "key-a", "/v1/payment_intents");
	int64_t b = add_row(f->db, "key-b", "/v1/refunds");
	int64_t c = add_row(f->db, "key-c", "/v1/payment_intents/pi_1/capture");

	struct outbox_row row;
	assert_int_equal(outbox_get(f->db, a, &row, &err), 0);
	assert_int_equal(row.state, OUTBOX_PENDING);
	assert_string_equal(row.idempotency_key, "key-a");
	assert_string_equal(row.method, "POST");
	assert_string_equal(row.params, "amount=500&currency=usd");
	assert_null(row.stripe_account);
	assert_int_equal(row.attempts, 0);
	assert_int_equal(row.http_status, 0);
	assert_true(row.created_at > 0 && row.updated_at == row.created_at);
	outbox_row_clear(&row);

	assert_int_equal(outbox_mark_sent(f->db, a, &err), 0);
	struct outbox_result done = {.state = OUTBOX_DONE,
	                             .attempts = 2,
	                             .http_status = 200,
	                             .request_id = "req_1",
	                             .object_id = "pi_1",
	                             .object_status = "requires_payment_method"};
	assert_int_equal(outbox_record(f->db, a, &done, &err), 0);
	struct outbox_result declined = {.state = OUTBOX_FAILED,
	                                 .attempts = 1,
	                                 .http_status = 402,
	                                 .request_id = "req_2",
	                                 .error_type = "card_error",
	                                 .error_code = "card_declined",
	                                 .decline_code = "insufficient_funds",
	                                 .error_message = "Your card has insufficient funds."};
	assert_int_equal(outbox_record(f->db, b, &declined, &err), 0);
	assert_int_equal(outbox_mark_sent(f->db, c, &err), 0);

	assert_int_equal(outbox_get(f->db, a, &row, &err), 0);
	assert_int_equal(row.state, OUTBOX_DONE);
	assert_int_equal(row.attempts, 2);
	assert_int_equal(row.http_status, 200);
	assert_string_equal(row.object_id, "pi_1");
	assert_string_equal(row.object_status, "requires_payment_method");
	assert_null(row.error_code);
	outbox_row_clear(&row);
	assert_int_equal(outbox_get(f->db, b, &row, &err), 0);
	assert_int_equal(row.state, OUTBOX_FAILED);
	assert_string_equal(row.decline_code, "insufficient_funds");
	assert_string_equal(row.error_type, "card_error");
	outbox_row_clear(&row);

	/* Only the one left in "sent" is unresolved. */
	struct outbox_row *rows;
	size_t n;
	assert_int_equal(outbox_list_unresolved(f->db, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, c);
	assert_int_equal(rows[0].state, OUTBOX_SENT);
	outbox_rows_free(&rows, n);
	assert_null(rows);

	assert_int_equal(outbox_get(f->db, 999, &row, &err), PD_ERR_NOT_FOUND);
	assert_int_equal(outbox_mark_sent(f->db, 999, &err), PD_ERR_NOT_FOUND);
	assert_int_equal(outbox_record(f->db, 999, &done, &err), PD_ERR_NOT_FOUND);
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	struct pd_error err;
	int64_t id;
	add_row(f->db, "dup", "/v1/refunds");
	assert_int_equal(outbox_insert(f->db, "dup", "POST", "/v1/refunds", "", NULL, &id, &err),
	                 PD_ERR_EXISTS);
	assert_int_equal(outbox_insert(f->db, "s1", "POST", "/v1/refunds",
	                               "metadata[k]=sk_live_abcdefghijklmn1234", NULL, &id, &err),
	                 PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "secret"));
	assert_int_equal(outbox_insert(f->db, "s2", "GET", "/v1/refunds", "", NULL, &id, &err),
	                 PD_ERR_IO); /* the table only takes POST and DELETE */
	struct outbox_row *rows;
	size_t n;
	assert_int_equal(outbox_list_unresolved(f->db, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	outbox_rows_free(&rows, n);
}

static void test_state_names(void **state)
{
	(void)state;
	enum outbox_state s;
	for (int i = OUTBOX_PENDING; i <= OUTBOX_UNKNOWN; i++) {
		assert_int_equal(outbox_state_parse(outbox_state_name((enum outbox_state)i), &s),
		                 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(outbox_state_parse("lost", &s), -1);
	assert_int_equal(outbox_state_parse(NULL, &s), -1);
}

static void test_send_unreachable_is_failed(void **state)
{
	struct fixture *f = *state;
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_int(p, "amount", 500);
	stripe_params_add(p, "currency", "usd");
	struct outbox_call call = {STRIPE_POST, "/v1/payment_intents", p, "acct_1Conn"};
	int64_t id;
	enum outbox_state st;
	struct stripe_response resp;
	struct pd_error err;
	assert_int_equal(outbox_send(f->db, f->client, KEY, &call, NULL, &id, &st, &resp, &err),
	                 PD_ERR);
	assert_int_equal(resp.outcome, STRIPE_OUTCOME_NETWORK);
	/* Nothing ever connected: safe to call it failed, and to try afresh. */
	assert_int_equal(st, OUTBOX_FAILED);
	stripe_response_clear(&resp);
	struct outbox_row row;
	assert_int_equal(outbox_get(f->db, id, &row, &err), 0);
	assert_int_equal(row.state, OUTBOX_FAILED);
	assert_int_equal(row.attempts, 3);
	assert_int_equal(f->sleeps, 2);
	assert_string_equal(row.params, "amount=500&currency=usd");
	assert_string_equal(row.stripe_account, "acct_1Conn");
	assert_int_equal(strlen(row.idempotency_key), 36);
	assert_non_null(strstr(row.error_message, "no answer from Stripe"));
	outbox_row_clear(&row);

	/* A GET never goes through the outbox. */
	call.method = STRIPE_GET;
	assert_int_equal(outbox_send(f->db, f->client, KEY, &call, NULL, &id, &st, &resp, &err),
	                 PD_ERR_USAGE);
	assert_int_equal(id, 0);
	stripe_params_free(&p);
}

static void test_resend_of_sent_row_stays_open(void **state)
{
	struct fixture *f = *state;
	struct pd_error err;
	/* As a crash leaves it: sent, outcome never recorded. */
	int64_t id = add_row(f->db, "crashed-key", "/v1/payment_intents");
	assert_int_equal(outbox_mark_sent(f->db, id, &err), 0);

	struct outbox_resolution *list;
	size_t n;
	assert_int_equal(outbox_recover(f->db, f->client, KEY, NULL, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, id);
	assert_int_equal(list[0].before, OUTBOX_SENT);
	/* Stripe unreachable now, but the first send may have run: not failed. */
	assert_int_equal(list[0].after, OUTBOX_UNKNOWN);
	assert_non_null(strstr(list[0].message, "unknown"));
	assert_null(list[0].object_id);
	outbox_resolutions_free(&list, n);
	assert_null(list);

	struct outbox_row row;
	assert_int_equal(outbox_get(f->db, id, &row, &err), 0);
	assert_int_equal(row.state, OUTBOX_UNKNOWN);
	assert_int_equal(row.attempts, 3);
	assert_string_equal(row.idempotency_key, "crashed-key");
	outbox_row_clear(&row);
}

static void test_stale_row_not_resent(void **state)
{
	struct fixture *f = *state;
	struct pd_error err;
	int64_t id = add_row(f->db, "old-key", "/v1/refunds");
	assert_int_equal(outbox_mark_sent(f->db, id, &err), 0);
	assert_int_equal(db_exec(f->db, "UPDATE outbox SET created_at = created_at - 90000", &err),
	                 0);
	enum outbox_state st;
	struct stripe_response resp;
	assert_int_equal(outbox_resend(f->db, f->client, KEY, id, NULL, &st, &resp, &err),
	                 PD_ERR_USAGE);
	assert_int_equal(st, OUTBOX_UNKNOWN);
	assert_non_null(strstr(err.msg, "Dashboard"));
	assert_int_equal(resp.attempts, 0);
	assert_int_equal(f->sleeps, 0);
	struct outbox_row row;
	assert_int_equal(outbox_get(f->db, id, &row, &err), 0);
	assert_int_equal(row.state, OUTBOX_UNKNOWN);
	assert_int_equal(row.attempts, 0);
	outbox_row_clear(&row);

	/* Closed rows are left alone. */
	struct outbox_result done = {.state = OUTBOX_DONE, .object_id = "re_1"};
	assert_int_equal(outbox_record(f->db, id, &done, &err), 0);
	assert_int_equal(outbox_resend(f->db, f->client, KEY, id, NULL, &st, &resp, &err), 0);
	assert_int_equal(st, OUTBOX_DONE);
	struct outbox_resolution *list;
	size_t n;
	assert_int_equal(outbox_recover(f->db, f->client, KEY, NULL, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(list);
}

/* What recovery and the subscribe guard read back: rows by path pattern and
 * whole key=value pairs, and one parameter's value. */
static void test_list_for_and_param(void **state)
{
	struct fixture *f = *state;
	struct pd_error err;
	int64_t id;
	assert_int_equal(outbox_insert(f->db, "k1", "POST", "/v1/subscriptions",
	                               "customer=cus_1&items[0][price]=price_A&metadata[client_id]=7",
	                               NULL, &id, &err),
	                 0);
	assert_int_equal(outbox_insert(f->db, "k2", "POST", "/v1/subscriptions",
	                               "customer=cus_1&items[0][price]=price_A&metadata[client_id]=17",
	                               NULL, &id, &err),
	                 0);
	assert_int_equal(outbox_insert(f->db, "k3", "POST", "/v1/subscriptions/sub_9",
	                               "quantity=2", NULL, &id, &err),
	                 0);
	const char *const pairs[] = {"metadata[client_id]=7", "items[0][price]=price_A", NULL};
	struct outbox_row *rows;
	size_t n;
	assert_int_equal(outbox_list_for(f->db, "/v1/subscriptions", pairs, 0, &rows, &n, &err), 0);
	assert_int_equal(n, 1); /* client_id=17 does not hold client_id=7 */
	assert_string_equal(rows[0].idempotency_key, "k1");
	outbox_rows_free(&rows, n);
	assert_int_equal(outbox_list_for(f->db, "/v1/subscriptions*", NULL, 0, &rows, &n, &err), 0);
	assert_int_equal(n, 3);
	outbox_rows_free(&rows, n);
	assert_int_equal(outbox_list_for(f->db, "/v1/subscriptions*", NULL, INT64_MAX, &rows, &n,
	                                 &err),
	                 0);
	assert_int_equal(n, 0);
	assert_null(rows);
	char *v = outbox_param("customer=cus_1&items[0][price]=price_A", "items[0][price]");
	assert_string_equal(v, "price_A");
	free(v);
	v = outbox_param("xcustomer=cus_2&customer=cus_1", "customer");
	assert_string_equal(v, "cus_1");
	free(v);
	assert_null(outbox_param("amount=5", "customer"));
}

/* A marked create past the idempotency window is looked up, never re-sent:
 * Stripe unreachable, the row stays open and nothing is sent. */
static void test_stale_marked_row_is_looked_up_not_resent(void **state)
{
	struct fixture *f = *state;
	struct pd_error err;
	int64_t id;
	assert_int_equal(outbox_insert(f->db, "marked", "POST", "/v1/refunds",
	                               "payment_intent=pi_1&amount=500&" OUTBOX_MARKER "=marked",
	                               NULL, &id, &err),
	                 0);
	assert_int_equal(outbox_mark_sent(f->db, id, &err), 0);
	assert_int_equal(db_exec(f->db, "UPDATE outbox SET created_at = created_at - 90000", &err),
	                 0);
	enum outbox_state st;
	struct stripe_response resp;
	assert_int_equal(outbox_resend(f->db, f->client, KEY, id, NULL, &st, &resp, &err), PD_ERR);
	assert_non_null(strstr(err.msg, "forgotten its idempotency key"));
	stripe_response_clear(&resp);
	struct outbox_row row;
	assert_int_equal(outbox_get(f->db, id, &row, &err), 0);
	assert_int_equal(row.state, OUTBOX_SENT); /* open, for the next try */
	assert_int_equal(row.attempts, 0);        /* the POST never went out again */
	outbox_row_clear(&row);
}

static void test_cancel_before_send(void **state)
{
	struct fixture *f = *state;
	atomic_bool cancel;
	atomic_init(&cancel, true);
	struct outbox_call call = {STRIPE_POST, "/v1/refunds", NULL, NULL};
	int64_t id;
	enum outbox_state st;
	struct stripe_response resp;
	struct pd_error err;
	assert_int_equal(outbox_send(f->db, f->client, KEY, &call, &cancel, &id, &st, &resp, &err),
	                 PD_ERR);
	assert_int_equal(resp.outcome, STRIPE_OUTCOME_CANCELLED);
	assert_int_equal(st, OUTBOX_FAILED);
	stripe_response_clear(&resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_migration_from_schema_1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_row_lifecycle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test_setup_teardown(test_send_unreachable_is_failed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resend_of_sent_row_stays_open, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_row_not_resent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_before_send, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_for_and_param, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_marked_row_is_looked_up_not_resent, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
