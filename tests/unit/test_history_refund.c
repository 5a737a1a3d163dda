/* Refunds from the billing history, at the app layer (what the UI calls):
 * what may be refunded, how much, and by whom — each refused before
 * anything is sent (no Stripe client here: a send would crash). */
#include "store_testutil.h"

#include "paydesk/users.h"
#include "paydesk/vault.h"

#include "paydesk/auth.h"
#include "paydesk/db.h"
#include "paydesk/history.h"
#include "paydesk/history_refund.h"
#include "paydesk/refund_fee.h"

#define FIXTURES "tests/fixtures/history/"

struct t {
	char *dir, *path;
	sqlite3 *db;
	struct session admin, staff;
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof *t);
	t->dir = tu_tempdir();
	t->path = tu_path(t->dir, "paydesk.db");
	struct pd_error err = {0};
	if (db_open(t->path, &t->db, &err) != 0)
		fail_msg("%s", err.msg);
	json_error_t jerr;
	json_t *page = json_load_file(FIXTURES "payment_intents.json", 0, &jerr);
	if (!page)
		fail_msg("%s", jerr.text);
	if (history_ingest_page(t->db, page, NULL, NULL, NULL, NULL, &err))
		fail_msg("%s", err.msg);
	json_decref(page);
	/* The users the sessions are: a refund re-reads its user's state. */
	if (vault_init(&err) || users_add(t->db, "Alex", ROLE_ADMIN, "2468", &err) ||
	    users_add(t->db, "Sam", ROLE_STAFF, "1357", &err))
		fail_msg("%s", err.msg);
	t->admin = (struct session){.signed_in = true, .user_id = 1, .name = "Alex",
				    .role = ROLE_ADMIN};
	t->staff = (struct session){.signed_in = true, .user_id = 2, .name = "Sam",
				    .role = ROLE_STAFF};
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	db_close(&t->db);
	tu_rm_rf(t->dir);
	free(t->dir);
	free(t->path);
	free(t);
	return 0;
}

static int64_t row_of(sqlite3 *db, const char *stripe_id)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM history WHERE stripe_id = ?", -1,
					    &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, stripe_id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

static void test_refundable(void **state)
{
	struct t *t = *state;
	char why[300] = "";
	assert_int_equal(history_refundable(t->db, row_of(t->db, "pi_A1"), why, sizeof why), 12000);
	assert_int_equal(history_refundable(t->db, row_of(t->db, "pi_C3"), why, sizeof why), 0);
	assert_non_null(strstr(why, "canceled payment cannot be refunded"));
	assert_int_equal(history_refundable(t->db, row_of(t->db, "pi_B2"), why, sizeof why), 0);
	assert_int_equal(history_refundable(t->db, 999999, why, sizeof why), 0);
	/* a disputed payment: the dispute is answered in Stripe, not refunded here */
	assert_int_equal(sqlite3_exec(t->db, "UPDATE history SET status = 'disputed', disputed = 1"
					     " WHERE stripe_id = 'pi_A1'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(history_refundable(t->db, row_of(t->db, "pi_A1"), why, sizeof why), 0);
	assert_string_equal(why, "disputed: answer it in the Stripe Dashboard");
}

static void test_refused_before_sending(void **state)
{
	struct t *t = *state;
	struct pd_error err = {0};
	struct pay_result r;
	const char *key = "rk_test_unit";
	struct pay_env staff = {.db = t->db, .key = key, .who = &t->staff};
	struct pay_env admin = {.db = t->db, .key = key, .who = &t->admin};
	int64_t a1 = row_of(t->db, "pi_A1");

	/* staff without a limit, then above it */
	assert_int_equal(history_refund(&staff, a1, 500, "duplicate", &r, &err), PD_ERR_FORBIDDEN);
	assert_non_null(strstr(err.msg, "refund limit"));
	assert_int_equal(auth_set_refund_limit(t->db, &t->admin, "eur", 1000, -1, &err), 0);
	assert_int_equal(history_refund(&staff, a1, 1500, "duplicate", &r, &err), PD_ERR_FORBIDDEN);
	assert_non_null(strstr(err.msg, "above the staff limit of 10.00 EUR a payment"));
	/* the limit's currency only */
	assert_int_equal(history_refund(&staff, row_of(t->db, "pi_D4"), 500, "duplicate", &r, &err),
			 PD_ERR_FORBIDDEN);

	/* more than was paid, a bad reason, an unpaid payment */
	assert_int_equal(history_refund(&admin, a1, 12001, "duplicate", &r, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "at most"));
	assert_int_equal(history_refund(&admin, a1, 100, "because", &r, &err), PD_ERR_USAGE);
	assert_int_equal(history_refund(&admin, row_of(t->db, "pi_B2"), 0, "duplicate", &r, &err),
			 PD_ERR_USAGE);

	/* locked Stripe: said, nothing sent */
	struct pay_env locked = {.db = t->db, .who = &t->admin};
	assert_int_equal(history_refund(&locked, a1, 100, "duplicate", &r, &err), PD_ERR_LOCKED);

	/* nothing of it reached the audit log or the history */
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(t->db,
					    "SELECT (SELECT count(*) FROM audit_log WHERE action ="
					    " 'payment.refund'), (SELECT amount_refunded FROM history"
					    " WHERE stripe_id = 'pi_A1')",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(st, 0), 0);
	assert_int_equal(sqlite3_column_int64(st, 1), 0);
	sqlite3_finalize(st);
}

/* The refund dialog tells the fee Stripe keeps, from the stored payment:
 * read by one lookup, not a pass over the history (a pass took 0.2 s at
 * 1M records, on the screen's thread). */
static void test_the_fee_kept_is_read_without_a_pass_over_the_history(void **state)
{
	struct t *t = *state;
	assert_int_equal(sqlite3_exec(t->db,
				      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
				      " WHERE i < 20000) INSERT INTO history (stripe_id, type,"
				      " created, amount, currency, status, payment_intent, synced_at)"
				      " SELECT 'pi_N' || i, 'payment', 1767225600 + i, i, 'usd',"
				      " 'succeeded', 'pi_N' || i, 0 FROM n",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	long steps = 0;
	sqlite3_progress_handler(t->db, 100, tu_count_steps, &steps);
	char card[64];
	assert_int_equal(refund_fee_stored(t->db, "pi_A1", card, sizeof card), 378);
	sqlite3_progress_handler(t->db, 0, NULL, NULL);
	assert_string_equal(card, "Visa \u2022" "4242");
	/* a pass over 20,000 records is over 2,000 hundreds of steps */
	assert_in_range(steps, 0, 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_refundable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused_before_sending, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_the_fee_kept_is_read_without_a_pass_over_the_history, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
