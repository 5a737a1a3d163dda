/* The card readers' display copy (store/terminal_readers.c): written in
 * Stripe's order, replaced whole, and an empty listing still says when
 * Stripe was asked (the Setup panel tells "none registered" from "not
 * listed yet"). */
#include "testutil.h"

#include "paydesk/db.h"
#include "paydesk/terminal_readers.h"

static void test_replace_and_list(void **state)
{
	(void)state;
	char *dir = tu_tempdir(), *path = tu_path(dir, "paydesk.db");
	sqlite3 *db = NULL;
	struct pd_error err = {0};
	assert_int_equal(db_open(path, &db, &err), 0);
	struct reader_info *out = NULL;
	size_t n = 9;
	int64_t at = -1;
	assert_int_equal(terminal_readers_list(db, &out, &n, &at, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(at, 0); /* never listed */

	struct reader_info two[2] = {
		{.id = "tmr_1", .label = "Front counter", .status = "online",
		 .device_type = "simulated_wisepos_e", .location = "tml_1"},
		{.id = "tmr_2", .label = "Back room", .status = "offline"},
	};
	assert_int_equal(terminal_readers_replace(db, two, 2, &err), 0);
	assert_int_equal(terminal_readers_list(db, &out, &n, &at, &err), 0);
	assert_int_equal(n, 2);
	assert_true(at > 0);
	assert_string_equal(out[0].label, "Front counter");
	assert_string_equal(out[0].location, "tml_1");
	assert_string_equal(out[1].id, "tmr_2");
	assert_string_equal(out[1].status, "offline");
	free(out);

	/* all deleted at Stripe: none, but listed */
	assert_int_equal(terminal_readers_replace(db, NULL, 0, &err), 0);
	assert_int_equal(terminal_readers_list(db, &out, &n, &at, &err), 0);
	assert_int_equal(n, 0);
	assert_null(out);
	assert_true(at > 0);
	db_close(&db);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace_and_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
