/* number_parse: the one parser for numbers typed on the command line. The
 * whole text is a number in range, or it is refused naming the option. */
#include "testutil.h"

#include <stdbool.h>

#include "paydesk/number.h"

struct number_case {
	const char *text;
	int64_t min, max;
	int64_t want;        /* when refused is NULL */
	const char *refused; /* the message, whole */
};

static const struct number_case cases[] = {
	{"1", 1, 999, 1, NULL},
	{"999", 1, 999, 999, NULL},
	{"030", 1, 365, 30, NULL},
	{"0", 0, 1023, 0, NULL},
	{"9223372036854775807", 1, INT64_MAX, INT64_MAX, NULL},
	{"-5", -10, 10, -5, NULL},
	{"-9223372036854775808", INT64_MIN, 0, INT64_MIN, NULL},
	{"abc", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not 'abc'"},
	{"thirty", 1, 365, 0, "--quantity takes a whole number from 1 to 365, not 'thirty'"},
	{"1abc", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not '1abc'"},
	{"", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not ''"},
	{" 5", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not ' 5'"},
	{"5 ", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not '5 '"},
	{"+5", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not '+5'"},
	{"0x10", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not '0x10'"},
	{"2.5", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not '2.5'"},
	{"-1", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not '-1'"},
	{"-", -5, 5, 0, "--quantity takes a whole number from -5 to 5, not '-'"},
	{"0", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not '0'"},
	{"1000", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not '1000'"},
	{"9223372036854775808", 1, INT64_MAX, 0,
	 "--quantity takes a whole number from 1 to 9223372036854775807, not "
	 "'9223372036854775808'"},
	{"99999999999999999999999", 1, 999, 0,
	 "--quantity takes a whole number from 1 to 999, not '99999999999999999999999'"},
	{"-9223372036854775809", INT64_MIN, 0, 0,
	 "--quantity takes a whole number from -9223372036854775808 to 0, not "
	 "'-9223372036854775809'"},
	{"4294967297", 1, 999, 0, "--quantity takes a whole number from 1 to 999, not '4294967297'"},
	{"2", 1, 1, 0, "--quantity takes 1, not '2'"},
};

static void test_number_table(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct number_case *c = &cases[i];
		struct pd_error err = {0};
		int64_t v = 77;
		int rc = number_parse(c->text, "--quantity", c->min, c->max, &v, &err);
		bool ok = c->refused ? rc == PD_ERR_USAGE && v == 77 && !strcmp(err.msg, c->refused)
				     : rc == PD_OK && v == c->want;
		if (!ok) {
			print_error("'%s' [%lld, %lld]: rc %d value %lld: %s\n", c->text,
				    (long long)c->min, (long long)c->max, rc, (long long)v, err.msg);
			failures++;
		}
	}
	if (failures)
		fail_msg("%d numbers read wrongly", failures);
}

/* Counts as people read them ("Mark 91562 records" was hard to read at a
 * glance): thousands grouped by commas, as amounts are. */
static void test_counts_are_grouped(void **state)
{
	(void)state;
	char out[32];
	assert_string_equal(number_grouped(0, out, sizeof out), "0");
	assert_string_equal(number_grouped(999, out, sizeof out), "999");
	assert_string_equal(number_grouped(91562, out, sizeof out), "91,562");
	assert_string_equal(number_grouped(10000000, out, sizeof out), "10,000,000");
	assert_string_equal(number_grouped(-1234, out, sizeof out), "-1,234");
	assert_string_equal(number_grouped(INT64_MIN, out, sizeof out),
			    "-9,223,372,036,854,775,808");
	char small[6];
	assert_string_equal(number_grouped(1234567, small, sizeof small), "1,234"); /* cut, ended */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_table),
		cmocka_unit_test(test_counts_are_grouped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
