/* Desk tenders (cash, cheque, gift voucher, another card machine): taking
 * and refunding them with no Stripe at all (no key, no network), what the
 * appointment, the billing history, its totals, the day's takings and the
 * audit log then say. */
#include "pay_fixture.h"
#include "testutil.h"

#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/booking.h"
#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/history.h"
#include "paydesk/history_desk.h"
#include "paydesk/payments.h"
#include "paydesk/payments_desk.h"
#include "paydesk/payments_store.h"
#include "paydesk/services.h"
#include "paydesk/staff.h"
#include "paydesk/tz.h"
#include "paydesk/users.h"
#include "paydesk/vault.h"

static int64_t q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t audits(sqlite3 *db, const char *actor, const char *action)
{
	int64_t n = -1;
	struct pd_error err = {0};
	struct audit_filter af = {.actor = actor, .action = action};
	assert_int_equal(audit_count(db, &af, &n, &err), 0);
	return n;
}

static struct history_total total_eur(sqlite3 *db, const struct history_filter *f)
{
	struct history_total t[HISTORY_MAX_CURRENCIES];
	int n = 0;
	struct pd_error err = {0};
	assert_int_equal(history_totals(db, f, t, HISTORY_MAX_CURRENCIES, &n, &err), 0);
	for (int i = 0; i < n; i++)
		if (strcmp(t[i].currency, "eur") == 0)
			return t[i];
	return (struct history_total){0};
}

/* A deposit in cash, the rest by cheque: the appointment reads as for card
 * payments, each is a history record of type desk with its tender, the
 * totals keep them apart from Stripe's gross, and the audit names the user. */
static void test_take_deposit_then_rest(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct pay_result r;
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 1000, "", &r,
					    &err),
			 0);
	struct appointment a;
	assert_int_equal(appointments_get(f->db, f->appt, &a, &err), 0);
	assert_int_equal(a.state, APPT_CONFIRMED);
	assert_int_equal(a.deposit, 1000);
	char text[160];
	assert_string_equal(appt_payment_text(&a, false, text, sizeof text),
			    "deposit 10.00 · 35.00 due");
	appointment_free(&a);
	assert_non_null(strstr(r.message, "cash"));

	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CHEQUE, 0,
					    "cheque 004512", &r, &err),
			 0);
	assert_int_equal(r.payment, PAY_PAID);
	assert_int_equal(appointments_get(f->db, f->appt, &a, &err), 0);
	assert_int_equal(a.deposit, 0);
	assert_int_equal(a.payment, PAY_PAID);
	appointment_free(&a);
	struct pay_attempt last;
	assert_int_equal(payrows_latest(f->db, f->appt, -1, &last, &err), 0);
	assert_int_equal(last.method, PAYROW_CHEQUE);
	assert_int_equal(last.amount, 3500);
	assert_string_equal(last.note, "cheque 004512");
	assert_string_equal(last.actor, "Sam");
	pay_attempt_free(&last);

	assert_int_equal(q_int(f->db, "SELECT count(*) FROM history WHERE type = 'desk'"), 2);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM history WHERE type = 'desk' AND"
				      " payment_method = 'cheque' AND amount = 3500 AND"
				      " client_name = 'Zoë Martin' AND description LIKE"
				      " '%by Sam%cheque 004512%'"),
			 1);
	/* found by the client's name, like any record */
	struct history_filter sf = {0};
	snprintf(sf.search, sizeof sf.search, "martin");
	struct history_total t = total_eur(f->db, &sf);
	assert_int_equal(t.count, 2);
	struct history_filter all = {0};
	t = total_eur(f->db, &all);
	assert_int_equal(t.gross, 0); /* Stripe's money: none */
	assert_int_equal(t.desk, 4500);
	assert_int_equal(t.desk_count, 2);
	struct history_filter desk = {.type = "desk"};
	assert_int_equal(total_eur(f->db, &desk).desk, 4500);
	assert_int_equal(audits(f->db, "Sam", "payment.desk"), 2);
	/* nothing is due any more */
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 0, "", &r,
					    &err),
			 PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "nothing is due"));
}

/* A client cancels and the desk keeps the 10.00 deposit: nothing is due on
 * a cancelled (or no-show) visit, so the row says what was kept, not
 * "35.00 due" as if the desk still had money to collect. */
static void test_cancelled_with_deposit_kept(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct pay_result r;
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 1000, "", &r,
					    &err),
			 0);
	struct appointment a;
	assert_int_equal(appointments_get(f->db, f->appt, &a, &err), 0);
	assert_int_equal(booking_close(f->db, &f->staff, f->appt, a.version, APPT_CANCELLED, 1000,
				       a.currency, &err),
			 0);
	appointment_free(&a);
	assert_int_equal(appointments_get(f->db, f->appt, &a, &err), 0);
	char text[160];
	assert_string_equal(appt_payment_text(&a, false, text, sizeof text), "deposit 10.00 kept");
	assert_string_equal(appt_payment_text(&a, true, text, sizeof text), "10.00 kept");
	appointment_free(&a);
}

static void test_refused(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct pay_result r;
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 4501, "", &r,
					    &err),
			 PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "at most 45.00"));
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CARD, 100, "", &r,
					    &err),
			 PD_ERR_USAGE);
	/* a Stripe payment still open could be paid twice */
	struct pay_attempt p = {.appointment_id = f->appt, .method = PAYROW_LINK,
				.status = PAYROW_OPEN, .amount = 4500, .currency = "eur",
				.actor = "Alex"};
	int64_t id;
	assert_int_equal(payrows_insert(f->db, &p, &id, &err), 0);
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 0, "", &r,
					    &err),
			 PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "still under way"));
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM history"), 0);
	/* nothing to refund at the desk */
	assert_int_equal(payments_desk_refund(f->db, &f->admin, f->appt, 0, "", &r, &err),
			 PD_ERR_USAGE);
}

/* A cash refund is recorded, within the refund rules, and Stripe's refund
 * path refuses desk money instead of asking Stripe. */
static void test_refund_in_cash(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct pay_result r;
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 2500, "", &r,
					    &err),
			 0);
	/* staff without a refund right are refused, and nothing is recorded */
	assert_int_not_equal(payments_desk_refund(f->db, &f->staff, f->appt, 500, "", &r, &err),
			     0);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM history WHERE type = 'desk_refund'"),
			 0);
	assert_non_null(strstr(err.msg, "refund limit"));
	assert_int_equal(payments_desk_refund(f->db, &f->admin, f->appt, 2600, "", &r, &err),
			 PD_ERR_USAGE);
	/* within a staff limit: made, and counted against it */
	assert_int_equal(auth_set_refund_limit(f->db, &f->admin, "eur", 300, -1, &err), 0);
	assert_int_equal(payments_desk_refund(f->db, &f->staff, f->appt, 400, "", &r, &err),
			 PD_ERR_FORBIDDEN);
	assert_int_equal(payments_desk_refund(f->db, &f->staff, f->appt, 200, "", &r, &err), 0);
	assert_int_equal(payments_desk_refund(f->db, &f->staff, f->appt, 200, "", &r, &err),
			 PD_ERR_FORBIDDEN); /* 400 of one payment together: above 300 */
	assert_int_equal(audits(f->db, "Sam", "payment.desk_refund"), 1);
	assert_int_equal(payments_desk_refund(f->db, &f->admin, f->appt, 500, "change given", &r,
					      &err),
			 0);
	assert_int_equal(r.payment, PAY_PARTIALLY_REFUNDED);
	assert_non_null(strstr(r.message, "5.00"));
	assert_non_null(strstr(r.message, "nothing was sent to Stripe"));
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM history WHERE type = 'desk_refund'"
				      " AND amount = 500 AND payment_method = 'cash'"),
			 1);
	assert_int_equal(q_int(f->db, "SELECT amount_refunded FROM history WHERE type = 'desk'"),
			 700);
	struct history_filter all = {0};
	struct history_total t = total_eur(f->db, &all);
	assert_int_equal(t.desk, 2500);
	assert_int_equal(t.desk_refunds, 700);
	assert_int_equal(t.refunds, 0);
	assert_int_equal(audits(f->db, "Alex", "payment.desk_refund"), 1);
	/* the Stripe refund path says where the money is */
	struct pay_env e = {.db = f->db, .who = &f->admin};
	assert_int_equal(payments_refund(&e, f->appt, 0, "requested_by_customer", &r, &err),
			 PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "at the desk"));
}

/* The day's takings per tender and currency; Stripe's apart. */
static void test_takings(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct pay_result r;
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_VOUCHER, 1500,
					    "GV-7781", &r, &err),
			 0);
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 2000, "", &r,
					    &err),
			 0);
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_TERMINAL, 1000,
					    "slip 31", &r, &err),
			 0);
	assert_int_equal(payments_desk_refund(f->db, &f->admin, f->appt, 2500, "", &r, &err), 0);
	/* a Stripe payment on another day */
	json_error_t jerr;
	json_t *page = json_load_file("tests/fixtures/history/payment_intents.json", 0, &jerr);
	assert_non_null(page);
	struct history_ingest_stats st = {0};
	assert_int_equal(history_ingest_page(f->db, page, "req_t", NULL, NULL, &st, &err), 0);
	json_decref(page);

	int64_t now = (int64_t)time(NULL), day = now - now % 86400;
	struct history_taking t[HISTORY_MAX_TAKINGS];
	int n = 0;
	assert_int_equal(history_takings(f->db, day, day + 86400, NULL, t, HISTORY_MAX_TAKINGS, &n,
					 &err),
			 0);
	assert_int_equal(n, 3);
	/* cash first; the refund of 25.00 took the newest first: 10.00 terminal, 15.00 cash */
	assert_string_equal(t[0].tender, "cash");
	assert_int_equal(t[0].taken, 2000);
	assert_int_equal(t[0].refunded, 1500);
	assert_string_equal(t[1].tender, "voucher");
	assert_int_equal(t[1].taken, 1500);
	assert_int_equal(t[1].refunded, 0);
	assert_string_equal(t[2].tender, "terminal");
	assert_int_equal(t[2].taken, 1000);
	assert_int_equal(t[2].refunded, 1000);
	/* 2026-01-01: Stripe only (pi_A1, 120.00 eur) */
	assert_int_equal(history_takings(f->db, 1767225600, 1767225600 + 86400, "eur", t,
					 HISTORY_MAX_TAKINGS, &n, &err),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(t[0].tender, "stripe");
	assert_int_equal(t[0].taken, 12000);
	assert_string_equal(history_tender_label("terminal"), "other card machine");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_take_deposit_then_rest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancelled_with_deposit_kept, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refund_in_cash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_takings, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
