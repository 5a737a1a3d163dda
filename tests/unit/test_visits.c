/* A client's visit history (store/visits.c): past and future visits newest
 * first, what happened to each, and its money by tender — a deposit and
 * what is still due, a refund, a declined card — with the totals, and
 * nothing of another client's. */
#include "pay_fixture.h"

#include "paydesk/payments.h"
#include "paydesk/payments_desk.h"
#include "paydesk/payments_store.h"
#include "paydesk/visits.h"

/* Another visit of client, written as it was left (state, price), a
 * day-offset from the fixture's appointment. */
static int64_t visit(struct fx *f, int64_t client, int days, enum appt_state state, int64_t price)
{
	struct appointment base, a;
	struct pd_error err = {0};
	assert_int_equal(appointments_get(f->db, f->appt, &base, &err), 0);
	a = base;
	a.client_id = client;
	a.starts_at = base.starts_at + days * 86400;
	a.ends_at = base.ends_at + days * 86400;
	a.state = state;
	a.payment = PAY_NONE;
	a.amount = price;
	a.deposit = 0;
	int64_t id;
	assert_int_equal(appointments_insert(f->db, &a, &id, &err), 0);
	appointment_free(&base);
	return id;
}

static void attempt(struct fx *f, int64_t appt, enum payrow_method m, enum payrow_status s,
		    int64_t amount, int64_t refunded)
{
	struct pay_attempt p = {.appointment_id = appt, .method = m, .status = s,
				.amount = amount, .refunded = refunded, .actor = "Alex"};
	memcpy(p.currency, "eur", 4);
	int64_t id;
	struct pd_error err = {0};
	assert_int_equal(payrows_insert(f->db, &p, &id, &err), 0);
	if (refunded) { /* insert writes no refund: the update does */
		p.id = id;
		assert_int_equal(payrows_update(f->db, &p, &err), 0);
	}
}

static void test_visits_money_and_totals(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct pay_result r;
	/* the fixture's visit (45.00, 2030-01-07): a 10.00 cash deposit */
	assert_int_equal(payments_desk_take(f->db, &f->admin, f->appt, PAYROW_CASH, 1000, "",
					    &r, &err),
			 0);
	/* a week before: completed, card 30.00 of which 5.00 refunded, after a decline */
	int64_t done = visit(f, f->client, -7, APPT_COMPLETED, 3000);
	attempt(f, done, PAYROW_CARD, PAYROW_FAILED, 3000, 0);
	attempt(f, done, PAYROW_CARD, PAYROW_SUCCEEDED, 3000, 500);
	/* two weeks before: a no-show, nothing paid, nothing due */
	int64_t missed = visit(f, f->client, -14, APPT_NO_SHOW, 4500);
	/* three weeks before: cancelled after a 20.00 voucher, refunded whole */
	int64_t cancelled = visit(f, f->client, -21, APPT_CANCELLED, 2000);
	attempt(f, cancelled, PAYROW_VOUCHER, PAYROW_SUCCEEDED, 2000, 2000);
	/* someone else's visit is not this client's */
	struct client_input other = {"Amélie Dupont", "", "", "", false};
	int64_t other_id;
	assert_int_equal(clients_insert(f->db, &other, &other_id, &err), 0);
	attempt(f, visit(f, other_id, -1, APPT_COMPLETED, 9900), PAYROW_CASH, PAYROW_SUCCEEDED,
		9900, 0);

	struct visit *v = NULL;
	size_t n = 0;
	struct visit_summary s;
	/* as of the fixture's day minus three days: its visit is upcoming */
	int64_t now = 0;
	bool amb;
	assert_int_equal(tz_from_civil(2030, 1, 4, 12, 0, &now, &amb, &err), 0);
	assert_int_equal(visits_for_client(f->db, f->client, now, &v, &n, &s, &err), 0);
	assert_int_equal(n, 4);
	/* newest first */
	assert_int_equal(v[0].appointment_id, f->appt);
	assert_int_equal(v[1].appointment_id, done);
	assert_int_equal(v[2].appointment_id, missed);
	assert_int_equal(v[3].appointment_id, cancelled);
	assert_true(v[0].upcoming);
	assert_false(v[1].upcoming);
	assert_string_equal(v[0].service, "Haircut");
	assert_string_equal(v[0].staff, "Alice");
	/* a deposit: paid 10.00 in cash, 35.00 due */
	assert_int_equal(v[0].paid, 1000);
	assert_int_equal(v[0].due, 3500);
	assert_int_equal(v[0].ntenders, 1);
	assert_int_equal(v[0].tenders[0].method, PAYROW_CASH);
	assert_int_equal(v[0].tenders[0].paid, 1000);
	/* completed: card 30.00, 5.00 back, one decline, nothing due */
	assert_int_equal(v[1].state, APPT_COMPLETED);
	assert_int_equal(v[1].paid, 3000);
	assert_int_equal(v[1].refunded, 500);
	assert_int_equal(v[1].due, 0);
	assert_int_equal(v[1].failed, 1);
	assert_int_equal(v[1].tenders[0].method, PAYROW_CARD);
	/* a no-show owes nothing here; a cancelled visit neither */
	assert_int_equal(v[2].state, APPT_NO_SHOW);
	assert_int_equal(v[2].due, 0);
	assert_int_equal(v[3].state, APPT_CANCELLED);
	assert_int_equal(v[3].refunded, 2000);
	assert_int_equal(v[3].tenders[0].method, PAYROW_VOUCHER);
	/* totals */
	assert_int_equal(s.visits, 4);
	assert_int_equal(s.upcoming, 1);
	assert_int_equal(s.completed, 1);
	assert_int_equal(s.no_shows, 1);
	assert_int_equal(s.cancelled, 1);
	assert_int_equal(s.ncurrencies, 1);
	assert_string_equal(s.money[0].currency, "eur");
	assert_int_equal(s.money[0].paid, 1000 + 3000 + 2000);
	assert_int_equal(s.money[0].refunded, 500 + 2000);
	assert_int_equal(s.money[0].due, 3500);
	free(v);

	/* a client with no visits: none, and zero totals */
	assert_int_equal(visits_for_client(f->db, 9999, now, &v, &n, &s, &err), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(s.visits, 0);
	assert_int_equal(s.ncurrencies, 0);
}

/* Found by the tester: a past visit nobody closed (still confirmed the day
 * after) was counted neither upcoming nor completed: the counts did not add
 * up to the visits. It is counted as not closed, so the desk can see it. */
static void test_a_past_visit_left_open_is_counted(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	visit(f, f->client, -5, APPT_CONFIRMED, 3000); /* 2030-01-02 */
	visit(f, f->client, -9, APPT_COMPLETED, 3000);
	struct visit *v = NULL;
	size_t n = 0;
	struct visit_summary s;
	int64_t now = 0;
	bool amb;
	assert_int_equal(tz_from_civil(2030, 1, 4, 12, 0, &now, &amb, &err), 0);
	assert_int_equal(visits_for_client(f->db, f->client, now, &v, &n, &s, &err), 0);
	assert_int_equal(s.visits, 3);
	assert_int_equal(s.upcoming, 1);
	assert_int_equal(s.completed, 1);
	assert_int_equal(s.not_closed, 1);
	assert_int_equal(s.visits,
			 s.upcoming + s.completed + s.no_shows + s.cancelled + s.not_closed);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_past_visit_left_open_is_counted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_visits_money_and_totals, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
