/* The permission list is declared once (verify.c) and must match what the
 * README tells admins to grant. Key checks that need no network. */
#include "testutil.h"

#include "paydesk/setup.h"
#include "paydesk/stripe_keys.h"
#include "paydesk/verify.h"

static void test_readme_lists_every_permission(void **state)
{
	(void)state;
	size_t len;
	char *readme = (char *)tu_read_file("README.md", &len);
	if (!readme)
		fail_msg("README.md not found (run from the repository root)");
	for (int i = 0; i < verify_permission_count; i++) {
		const struct verify_permission *p = &verify_permissions[i];
		char row[160];
		snprintf(row, sizeof row, "| %s | %s | %s |", p->resource, p->write ? "Write" : "Read",
			 p->why);
		if (!strstr(readme, row))
			fail_msg("README.md lacks the row: %s", row);
	}
	for (int i = 0; i < verify_not_needed_count; i++) {
		char row[240];
		snprintf(row, sizeof row, "| %s | %s |", verify_not_needed[i].resource,
			 verify_not_needed[i].why);
		if (!strstr(readme, row))
			fail_msg("README.md lacks the not-needed row: %s", row);
	}
	free(readme);
}

static void test_key_checks(void **state)
{
	(void)state;
	struct pd_error err;
	assert_int_equal(stripe_key_kind("rk_live_x"), STRIPE_KEY_RESTRICTED);
	assert_int_equal(stripe_key_mode("rk_live_x"), STRIPE_MODE_LIVE);
	assert_int_equal(stripe_key_mode("pk_test_x"), STRIPE_MODE_TEST);
	assert_int_equal(stripe_key_mode("rk_prod_x"), STRIPE_MODE_UNKNOWN);
	assert_int_equal(stripe_check_account_id("acct_1Abcdefgh", &err), 0);
	assert_int_equal(stripe_check_account_id("acct_", &err), PD_ERR_USAGE);
	assert_int_equal(stripe_check_account_id("acct_12 34", &err), PD_ERR_USAGE);
	assert_int_equal(stripe_check_secret_key("rk_test_51abcdefghijklmnop", false, &err), 0);
	assert_int_equal(stripe_check_secret_key("sk_test_51abcdefghijklmnop", false, &err),
			 PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "restricted key (rk_…) is safer"));
	assert_int_equal(stripe_check_secret_key("sk_test_51abcdefghijklmnop", true, &err), 0);
	assert_int_equal(stripe_check_secret_key("rk_test_51abc defghijklmnop", false, &err),
			 PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "cut short or has stray characters"));
	assert_int_equal(stripe_check_secret_key("\"rk_test_51abcdefghijklmnop\"", false, &err),
			 PD_ERR_USAGE);
	assert_int_equal(stripe_check_same_mode("pk_live_1", "rk_test_1", &err), PD_ERR_USAGE);
	assert_int_equal(stripe_check_same_mode("pk_test_1", "rk_test_1", &err), 0);
	assert_int_equal(stripe_check_same_mode("", "rk_live_1", &err), 0);

	struct setup_input in = {.account_id = "acct_1Abcdefgh",
				 .secret_key = "sk_live_51abcdefghijklmnop",
				 .allow_secret = true};
	assert_int_equal(setup_check_input(&in, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "confirm a second time"));
	in.live_secret_confirmed = true;
	assert_int_equal(setup_check_input(&in, &err), 0);
}

static void test_passphrase_hint(void **state)
{
	(void)state;
	assert_non_null(strstr(setup_passphrase_hint("short"), "too short"));
	assert_non_null(strstr(setup_passphrase_hint("abcdefghijk"), "weak"));
	assert_string_equal(setup_passphrase_hint("correct horse battery staple"), "");
	assert_string_equal(setup_passphrase_hint("Tr0ub4dor&3x"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readme_lists_every_permission),
		cmocka_unit_test(test_key_checks),
		cmocka_unit_test(test_passphrase_hint),
	};
	return cmocka_run_group_tests_name("verify", tests, NULL, NULL);
}
