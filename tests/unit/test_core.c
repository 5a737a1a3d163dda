/* core: secret masking and redaction, API base checks, string sets. */
#include "testutil.h"

#include "paydesk/api_base.h"
#include "paydesk/secret_mask.h"
#include "paydesk/strset.h"

static void test_mask(void **state)
{
	(void)state;
	char out[64];
	secret_mask("rk_live_51AbCdEfGhIjKl9f3a", out, sizeof out);
	assert_string_equal(out, "rk_live_\xe2\x80\xa6" "9f3a");
	secret_mask("sk_test_short", out, sizeof out);
	assert_string_equal(out, "sk_test_\xe2\x80\xa6");
	secret_mask("whsec_0123456789abcdefXYZW", out, sizeof out);
	assert_string_equal(out, "whsec_\xe2\x80\xa6XYZW");
	secret_mask(NULL, out, sizeof out);
	assert_string_equal(out, "\xe2\x80\xa6");
	secret_mask("rk_live_51AbCdEfGhIjKl9f3a", out, 5); /* truncates, terminated */
	assert_int_equal(strlen(out), 4);
}

static void test_redact(void **state)
{
	(void)state;
	char line[256] = "auth with rk_test_51AbCdEfGhIjKlMnOpQr1234, then sk_live_zzzzzzzzzzzzzzz9999.";
	secret_redact(line);
	assert_string_equal(line, "auth with rk_test_\xe2\x80\xa6" "1234, then sk_live_\xe2\x80\xa6" "9999.");
	char shortkey[] = "key=sk_test_ab end";
	secret_redact(shortkey);
	assert_string_equal(shortkey, "key=sk_test_** end");
	char notakey[] = "desk_test_value and pk_test_123 stay";
	secret_redact(notakey);
	assert_string_equal(notakey, "desk_test_value and pk_test_123 stay");
}

static void test_strset(void **state)
{
	(void)state;
	struct strset set = {0};
	bool added = false;
	char id[32];
	/* enough to grow the index several times; each kept once, in order */
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 1000; i++) {
			snprintf(id, sizeof id, "pi_%04d", i);
			const char *kept = strset_add(&set, id, &added);
			assert_non_null(kept);
			assert_string_equal(kept, id);
			assert_true(kept != id);
			assert_int_equal(added, round == 0);
		}
	assert_int_equal(set.n, 1000);
	assert_string_equal(set.items[0], "pi_0000");
	assert_string_equal(set.items[999], "pi_0999");
	/* the same copy again: interning */
	assert_ptr_equal(strset_add(&set, "pi_0500", NULL), set.items[500]);
	assert_non_null(strset_add(&set, "", &added));
	assert_true(added);
	strset_free(&set);
	assert_int_equal(set.n, 0);
	assert_null(set.items);
}

static void test_api_base(void **state)
{
	(void)state;
	struct pd_error err;
	const char *ok[] = {"https://api.stripe.com", "https://api.stripe.com/",
			    "http://127.0.0.1:12111", "http://localhost:8080/", "http://[::1]:9",
			    "http://127.1.2.3"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (api_base_check(ok[i], &err))
			fail_msg("%s refused: %s", ok[i], err.msg);
	const char *bad[] = {"http://api.stripe.com", "http://10.0.0.1:80", "ftp://localhost",
			     "https://", "https://host/v1", "https://user@host", "https://h:99999",
			     "http://127.0.0.1.evil.com", "", "api.stripe.com", "https://h?x=1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (api_base_check(bad[i], &err) != PD_ERR_USAGE)
			fail_msg("%s accepted", bad[i]);
	assert_true(api_base_is_loopback("http://localhost:1"));
	assert_false(api_base_is_loopback("https://api.stripe.com"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_api_base),
		cmocka_unit_test(test_strset),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
