/* Time-zone math across DST changes (Europe/Paris, America/New_York): local
 * times that repeat or do not exist, day starts, date arithmetic, parsing;
 * staff working hours. */
#include "testutil.h"

#include "paydesk/staff.h"
#include "paydesk/tz.h"

static int64_t at(int y, int mo, int d, int h, int mi, bool *amb)
{
	int64_t t = 0;
	struct pd_error err = {0};
	assert_int_equal(tz_from_civil(y, mo, d, h, mi, &t, amb, &err), 0);
	return t;
}

static void test_paris_spring_forward(void **state)
{
	(void)state;
	assert_int_equal(tz_set("Europe/Paris", NULL), 0);
	assert_string_equal(tz_name(), "Europe/Paris");
	bool amb = true;
	/* 2025-03-30: 02:00 CET -> 03:00 CEST. 09:00 the day before is UTC+1, after UTC+2. */
	assert_int_equal(at(2025, 3, 29, 9, 0, &amb), 1743235200); /* 08:00Z */
	assert_false(amb);
	assert_int_equal(at(2025, 3, 30, 9, 0, &amb), 1743318000); /* 07:00Z */
	assert_int_equal(at(2025, 3, 31, 9, 0, &amb), 1743404400);
	/* The same 09:00 shown back as 09:00 on each side of the change. */
	struct tz_civil c;
	tz_to_civil(1743318000, &c);
	assert_int_equal(c.hour, 9);
	assert_int_equal(c.day, 30);
	assert_int_equal(c.wday, 6); /* Sunday */
	/* 02:30 does not exist that night: refused with a clear message. */
	int64_t t;
	struct pd_error err = {0};
	assert_int_equal(tz_from_civil(2025, 3, 30, 2, 30, &t, NULL, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "does not exist"));
	assert_non_null(strstr(err.msg, "Europe/Paris"));
	/* The day is 23 hours long. */
	assert_int_equal(tz_day_start(2025, 3, 31) - tz_day_start(2025, 3, 30), 23 * 3600);
}

static void test_paris_fall_back_ambiguous(void **state)
{
	(void)state;
	assert_int_equal(tz_set("Europe/Paris", NULL), 0);
	/* 2025-10-26: 03:00 CEST -> 02:00 CET; 02:30 happens twice. */
	bool amb = false;
	int64_t t = at(2025, 10, 26, 2, 30, &amb);
	assert_true(amb);
	assert_int_equal(t, 1761438600); /* the first one: 00:30Z (CEST) */
	amb = true;
	assert_int_equal(at(2025, 10, 26, 9, 0, &amb), 1761465600); /* 08:00Z, CET */
	assert_false(amb);
	assert_int_equal(tz_day_start(2025, 10, 27) - tz_day_start(2025, 10, 26), 25 * 3600);
}

static void test_new_york(void **state)
{
	(void)state;
	assert_int_equal(tz_set("America/New_York", NULL), 0);
	/* 2025-03-09 02:00 EST -> 03:00 EDT. */
	int64_t t;
	struct pd_error err = {0};
	assert_int_equal(tz_from_civil(2025, 3, 9, 2, 15, &t, NULL, &err), PD_ERR_USAGE);
	assert_int_equal(at(2025, 3, 8, 9, 0, NULL), 1741442400);  /* 14:00Z */
	assert_int_equal(at(2025, 3, 10, 9, 0, NULL), 1741611600); /* 13:00Z */
	bool amb = false;
	at(2025, 11, 2, 1, 30, &amb);
	assert_true(amb);
	struct tz_civil c;
	tz_to_civil(1741611600, &c);
	assert_int_equal(c.hour, 9);
	assert_int_equal(c.wday, 0); /* Monday */
}

static void test_utc_and_dates(void **state)
{
	(void)state;
	assert_int_equal(tz_set("UTC", NULL), 0);
	assert_int_equal(at(1970, 1, 1, 0, 0, NULL), 0);
	assert_int_equal(tz_day_start(2024, 2, 29), 1709164800);
	int y = 2024, m = 2, d = 28;
	tz_date_add(&y, &m, &d, 2);
	assert_int_equal(y * 10000 + m * 100 + d, 20240301);
	tz_date_add(&y, &m, &d, -61);
	assert_int_equal(y * 10000 + m * 100 + d, 20231231);
	assert_int_equal(tz_weekday(2025, 3, 31), 0);
	assert_int_equal(tz_weekday(2030, 1, 6), 6);
	assert_int_equal(tz_parse_date("2025-02-29", &y, &m, &d), -1);
	assert_int_equal(tz_parse_date("2024-02-29", &y, &m, &d), 0);
	assert_int_equal(tz_parse_date("2024-2-29", &y, &m, &d), -1);
	int h, mi;
	assert_int_equal(tz_parse_time("9:05", &h, &mi), 0);
	assert_int_equal(h * 100 + mi, 905);
	assert_int_equal(tz_parse_time("24:00", &h, &mi), -1);
	assert_int_equal(tz_parse_time("12:60", &h, &mi), -1);
	struct pd_error err = {0};
	int64_t t;
	assert_int_equal(tz_from_civil(2025, 2, 30, 9, 0, &t, NULL, &err), PD_ERR_USAGE);
}

static void test_working_hours(void **state)
{
	(void)state;
	struct staff_hours h;
	struct pd_error err = {0};
	assert_int_equal(staff_hours_parse("mon-fri 09:00-17:00, sat 10:00-14:00", &h, &err), 0);
	assert_int_equal(h.start[0], 540);
	assert_int_equal(h.end[4], 1020);
	assert_int_equal(h.start[5], 600);
	assert_int_equal(h.end[6], 0);
	char buf[200];
	staff_hours_format(&h, buf, sizeof buf);
	assert_string_equal(buf, "mon-fri 09:00-17:00, sat 10:00-14:00");
	staff_hours_encode(&h, buf, sizeof buf);
	struct staff_hours back;
	assert_int_equal(staff_hours_decode(buf, &back), 0);
	assert_memory_equal(&h, &back, sizeof h);
	assert_int_equal(staff_hours_parse("sat-mon 08:00-24:00", &h, &err), 0);
	assert_int_equal(h.end[6], 1440);
	assert_int_equal(h.end[0], 1440);
	assert_int_equal(h.end[1], 0);
	assert_int_not_equal(staff_hours_parse("weekdays 9-5", &h, &err), 0);
	assert_non_null(strstr(err.msg, "not a day"));
	assert_int_not_equal(staff_hours_parse("mon 17:00-09:00", &h, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paris_spring_forward),
		cmocka_unit_test(test_paris_fall_back_ambiguous),
		cmocka_unit_test(test_new_york),
		cmocka_unit_test(test_utc_and_dates),
		cmocka_unit_test(test_working_hours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
