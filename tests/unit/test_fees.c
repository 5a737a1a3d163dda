/* The fees queue says how long ago the visit was in the desk's calendar
 * days, as a person counts them (a Friday visit is "3 days ago" all Monday,
 * across a clock change too). */
#include "testutil.h"

#include "paydesk/fees.h"
#include "paydesk/tz.h"

static int64_t at(int y, int m, int d, int h, int min)
{
	int64_t t = 0;
	bool amb = false;
	assert_int_equal(tz_from_civil(y, m, d, h, min, &t, &amb, NULL), 0);
	return t;
}

static void test_visit_ago_counts_calendar_days(void **state)
{
	(void)state;
	tz_set("Europe/Paris", NULL);
	char out[48];
	int64_t friday_evening = at(2026, 12, 4, 18, 0);
	assert_string_equal(fee_visit_ago(friday_evening, at(2026, 12, 7, 9, 0), out, sizeof out),
			    "visit 3 days ago");
	assert_string_equal(fee_visit_ago(friday_evening, at(2026, 12, 4, 23, 59), out, sizeof out),
			    "visit today");
	assert_string_equal(fee_visit_ago(friday_evening, at(2026, 12, 5, 0, 1), out, sizeof out),
			    "visit yesterday");
	assert_string_equal(fee_visit_ago(friday_evening, at(2026, 12, 24, 12, 0), out, sizeof out),
			    "visit 2 weeks ago");
	/* across the end of summer time (25 October 2026): still two days */
	assert_string_equal(fee_visit_ago(at(2026, 10, 24, 23, 30), at(2026, 10, 26, 0, 10), out,
					  sizeof out),
			    "visit 2 days ago");
	/* a clock behind the visit never reads as a future visit */
	assert_string_equal(fee_visit_ago(friday_evening, friday_evening - 3600, out, sizeof out),
			    "visit today");
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(fee_state_key(FEE_NEEDS_ACTION), "needs_action");
	assert_string_equal(fee_state_label(FEE_NEEDS_ACTION), "needs action");
	assert_true(fee_state_open(FEE_DECLINED));
	assert_false(fee_state_open(FEE_WAIVED));
	assert_string_equal(fee_kind_label(FEE_LATE_CANCEL), "late cancel");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_visit_ago_counts_calendar_days),
		cmocka_unit_test(test_state_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
