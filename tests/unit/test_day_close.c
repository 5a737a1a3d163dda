/* Closing a day at the desk: the expected takings per desk and per user
 * (desk tenders taken and handed back where and by whom), the counted cash
 * and the comment a difference needs, one close per day, desk and user,
 * and its audit entry. */
#include "pay_fixture.h"
#include "testutil.h"

#include <stdlib.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/day_close.h"
#include "paydesk/payments.h"
#include "paydesk/payments_desk.h"

static void today(char out[16])
{
	int y, m, d;
	tz_today(&y, &m, &d);
	snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
}

static const struct day_close_line *line(const struct day_close_sheet *s, const char *tender)
{
	for (int i = 0; i < s->nlines; i++)
		if (strcmp(s->lines[i].tender, tender) == 0)
			return &s->lines[i];
	return NULL;
}

static void expect_cash(sqlite3 *db, const char *desk, const char *user, int64_t taken,
			int64_t refunded)
{
	char day[16];
	today(day);
	struct day_close_sheet s;
	struct pd_error err = {0};
	assert_int_equal(day_close_read(db, day, desk, user, NULL, &s, &err), 0);
	const struct day_close_line *l = line(&s, "cash");
	assert_non_null(l);
	assert_int_equal(l->taken, taken);
	assert_int_equal(l->refunded, refunded);
	assert_int_equal(s.expected_cash, taken - refunded);
	assert_string_equal(s.cash_currency, "eur");
	assert_false(s.closed);
}

/* Sam takes 10.00 in cash at the front desk, Alex 35.00 at the back, and
 * hands 5.00 back at the front: each desk and user sees its own part. */
static void take_the_day(struct fx *f)
{
	struct pd_error err = {0};
	struct pay_result r;
	setenv("PAYDESK_DESK", "front", 1);
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 1000, "", &r,
					    &err),
			 0);
	setenv("PAYDESK_DESK", "back", 1);
	assert_int_equal(payments_desk_take(f->db, &f->admin, f->appt, PAYROW_CASH, 0, "", &r,
					    &err),
			 0);
	setenv("PAYDESK_DESK", "front", 1);
	assert_int_equal(payments_desk_refund(f->db, &f->admin, f->appt, 500, "", &r, &err), 0);
}

static void test_expected_per_desk_and_user(void **state)
{
	struct fx *f = *state;
	take_the_day(f);
	expect_cash(f->db, "", "", 4500, 500);
	expect_cash(f->db, "front", "", 1000, 500);
	expect_cash(f->db, "back", "", 3500, 0);
	expect_cash(f->db, "", "sam", 1000, 0); /* names as people type them */
	expect_cash(f->db, "", "Alex", 3500, 500);
	char day[16];
	today(day);
	struct day_close_sheet s;
	struct pd_error err = {0};
	assert_int_equal(day_close_read(f->db, day, "nowhere", "", NULL, &s, &err), 0);
	assert_int_equal(s.nlines, 0);
	assert_int_equal(s.expected_cash, 0);
	/* another day is empty */
	assert_int_equal(day_close_read(f->db, "2001-02-03", "", "", NULL, &s, &err), 0);
	assert_int_equal(s.nlines, 0);
	assert_int_not_equal(day_close_read(f->db, "2001-02-30", "", "", NULL, &s, &err), 0);
	unsetenv("PAYDESK_DESK");
}

static void test_close_with_difference(void **state)
{
	struct fx *f = *state;
	take_the_day(f);
	char day[16];
	today(day);
	struct day_close_sheet s;
	struct pd_error err = {0};
	/* front expects 5.00; 4,50 counted needs a comment */
	assert_int_equal(day_close_save(f->db, &f->staff, day, "front", "", NULL, "4,50", "", &s,
					&err),
			 PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "counted 4.50 EUR, expected 5.00 EUR: short 0.50 EUR "
					"needs a comment"));
	assert_int_equal(day_close_save(f->db, &f->staff, day, "front", "", NULL, "", "", &s,
					&err),
			 PD_ERR_USAGE);
	assert_int_equal(day_close_save(f->db, &f->staff, day, "front", "", NULL, "4.5.0", "x",
					&s, &err),
			 PD_ERR_USAGE);
	assert_int_equal(day_close_save(f->db, &f->staff, day, "front", "", NULL, "4,50",
					"coin dropped behind the till", &s, &err),
			 0);
	assert_true(s.closed);
	assert_int_equal(s.close.counted_cash, 450);
	assert_int_equal(s.close.expected_cash, 500);
	assert_string_equal(s.close.closed_by, "Sam");
	struct audit_filter af = {.actor = "Sam", .action = "day.close"};
	int64_t n = 0;
	assert_int_equal(audit_count(f->db, &af, &n, &err), 0);
	assert_int_equal(n, 1);

	/* Closed once: a second close is refused and says who closed it. */
	assert_int_equal(day_close_save(f->db, &f->admin, day, "front", "", NULL, "5.00", "", &s,
					&err),
			 PD_ERR_EXISTS);
	assert_non_null(strstr(err.msg, "already closed: by Sam"));
	/* The stored close stands as it was, whatever is taken later. */
	struct pay_result r;
	struct session alex = f->admin;
	assert_int_equal(payments_desk_refund(f->db, &alex, f->appt, 100, "", &r, &err), 0);
	assert_int_equal(day_close_read(f->db, day, "front", "", NULL, &s, &err), 0);
	assert_true(s.closed);
	assert_int_equal(s.expected_cash, 500);
	assert_string_equal(s.close.comment, "coin dropped behind the till");
	/* Other scopes are closed apart; the exact count needs no comment. */
	assert_int_equal(day_close_save(f->db, &f->admin, day, "back", "", NULL, "35", "", &s,
					&err),
			 0);
	unsetenv("PAYDESK_DESK");
}

static void save_ok(struct fx *f, const struct session *who, const char *counted,
		    const char *comment, struct day_close_sheet *s)
{
	char day[16];
	today(day);
	struct pd_error err = {0};
	assert_int_equal(day_close_save(f->db, who, day, "front", "", NULL, counted, comment, s,
					&err),
			 0);
}

/* The tester's till: closed, then 1.00 handed back in cash. A later close
 * counts the whole till (4.50 counted + -1.00 since = 3.50): never a
 * negative count, no false overage; the earlier short 0.50 not reported
 * again by this close, but kept in the day's difference. */
static void test_a_later_close_counts_the_whole_till(void **state)
{
	struct fx *f = *state;
	take_the_day(f);
	char day[16];
	today(day);
	struct day_close_sheet s;
	struct pd_error err = {0};
	struct pay_result r;
	save_ok(f, &f->staff, "4,50", "coin dropped", &s);
	setenv("PAYDESK_DESK", "front", 1);
	assert_int_equal(payments_desk_refund(f->db, &f->admin, f->appt, 100, "", &r, &err), 0);
	assert_int_equal(day_close_read(f->db, day, "front", "", NULL, &s, &err), 0);
	assert_int_equal(s.close.till_cash, 450);
	assert_int_equal(s.after_cash, -100);
	int64_t counted = 0, diff = 0;
	assert_int_equal(day_close_check(&s, "3,50", "", &counted, &diff, &err), 0);
	assert_int_equal(diff, 0);
	assert_int_equal(day_close_save(f->db, &f->staff, day, "front", "", NULL, "-1", "", &s,
					&err),
			 PD_ERR_USAGE);
	assert_int_equal(day_close_save(f->db, &f->staff, day, "front", "", NULL, "0", "", &s,
					&err),
			 PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "counted 0.00 EUR, expected 3.50 EUR: short 3.50 EUR"));
	save_ok(f, &f->staff, "3,50", "", &s);
	assert_int_equal(s.close.expected_cash, 350);
	assert_int_equal(s.close.counted_cash, 350);
	assert_true(s.close.whole_till);
	/* the day as a whole: 10.00 taken, 6.00 handed back, short 0.50 */
	const struct day_close_line *l = line(&s, "cash");
	assert_non_null(l);
	assert_int_equal(l->taken, 1000);
	assert_int_equal(l->refunded, 600);
	assert_int_equal(s.expected_cash, 400);
	assert_int_equal(s.close.till_cash, 350);
	assert_int_equal(s.close.day_difference, -50);
	unsetenv("PAYDESK_DESK");
}

/* A later close made before schema 36 counted only the cash since it: the
 * till after it adds up, so the next close still expects the whole till. */
static void test_older_later_closes_add_up(void **state)
{
	struct fx *f = *state;
	char day[16];
	today(day);
	struct day_close_sheet s;
	struct pd_error err = {0};
	struct pay_result r;
	setenv("PAYDESK_DESK", "front", 1);
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 1000, "", &r,
					    &err),
			 0);
	save_ok(f, &f->staff, "10", "", &s);
	char sql[600];
	snprintf(sql, sizeof sql,
		 "INSERT INTO day_closes (day, desk, user_name, currency, expected_cash,"
		 " counted_cash, comment, closed_by, closed_at, covers_from, whole_till)"
		 " VALUES ('%s', 'front', '', 'eur', 200, 200, '', 'Sam', %lld, %lld, 0);"
		 "INSERT INTO day_close_lines (close_id, tender, currency, count, taken, refunded,"
		 " in_history) VALUES (last_insert_rowid(), 'cash', 'eur', 1, 200, 0, 0);",
		 day, (long long)s.close.closed_at, (long long)s.close.closed_at);
	assert_int_equal(sqlite3_exec(f->db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 200, "", &r,
					    &err),
			 0);
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 100, "", &r,
					    &err),
			 0);
	assert_int_equal(day_close_read(f->db, day, "front", "", NULL, &s, &err), 0);
	assert_int_equal(s.close.till_cash, 1200); /* 10.00 + 2.00 since, counted apart */
	assert_int_equal(s.after_cash, 100);
	save_ok(f, &f->staff, "13", "", &s);
	assert_int_equal(s.close.expected_cash, 1300);
	assert_int_equal(s.expected_cash, 1300); /* the day: 13.00 taken in cash */
	assert_int_equal(s.close.day_difference, 0);
	unsetenv("PAYDESK_DESK");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_expected_per_desk_and_user, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_close_with_difference, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_later_close_counts_the_whole_till, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_older_later_closes_add_up, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
