/* Payments without the network: decline wording, the attempt store and its
 * totals, payment-at-booking gating, and the checks made before anything is
 * sent (role, locked key, cancelled appointment, amount). */
#include "pay_fixture.h"
#include "testutil.h"

#include "paydesk/audit.h"
#include "paydesk/booking.h"
#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/payments.h"
#include "paydesk/payments_desk.h"
#include "paydesk/payments_store.h"
#include "paydesk/services.h"
#include "paydesk/settings.h"
#include "paydesk/setup.h"
#include "paydesk/staff.h"
#include "paydesk/tz.h"
#include "paydesk/users.h"
#include "paydesk/vault.h"

static void test_decline_words(void **state)
{
	(void)state;
	char out[300];
	payments_decline_words("card_declined", "insufficient_funds", out, sizeof out);
	assert_non_null(strstr(out, "insufficient funds"));
	assert_non_null(strstr(out, "pay link"));
	payments_decline_words("authentication_required", "authentication_required", out,
			       sizeof out);
	assert_non_null(strstr(out, "confirm"));
	assert_non_null(strstr(out, "pay link"));
	payments_decline_words("expired_card", NULL, out, sizeof out);
	assert_non_null(strstr(out, "expired"));
	payments_decline_words(NULL, NULL, out, sizeof out);
	assert_non_null(strstr(out, "declined"));
}

static void test_attempts_and_totals(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct pay_attempt p = {.appointment_id = f->appt, .method = PAYROW_CARD,
				.status = PAYROW_SUCCEEDED, .amount = 2000, .currency = "eur",
				.actor = "Alex"};
	int64_t id1, id2;
	assert_int_equal(payrows_insert(f->db, &p, &id1, &err), 0);
	p.method = PAYROW_LINK;
	p.status = PAYROW_OPEN;
	p.amount = 2500;
	assert_int_equal(payrows_insert(f->db, &p, &id2, &err), 0);
	int64_t paid, refunded, due;
	assert_int_equal(payrows_totals(f->db, f->appt, &paid, &refunded, &err), 0);
	assert_int_equal(paid, 2000);
	assert_int_equal(payments_due(f->db, f->appt, &due, NULL, NULL, &err), 0);
	assert_int_equal(due, 2500);
	struct pay_attempt last;
	assert_int_equal(payrows_latest(f->db, f->appt, -1, &last, &err), 0);
	assert_int_equal(last.id, id2);
	assert_int_equal(last.method, PAYROW_LINK);
	last.status = PAYROW_EXPIRED;
	last.url = strdup("https://checkout.example/x");
	assert_int_equal(payrows_update(f->db, &last, &err), 0);
	pay_attempt_free(&last);
	assert_int_equal(payrows_latest(f->db, f->appt, PAYROW_CARD, &last, &err), 0);
	assert_int_equal(last.id, id1);
	pay_attempt_free(&last);
	assert_int_equal(payrows_get(f->db, id2, &last, &err), 0);
	assert_int_equal(last.status, PAYROW_EXPIRED);
	assert_string_equal(last.url, "https://checkout.example/x");
	pay_attempt_free(&last);
	/* A refund larger than the payment is refused by the schema. */
	assert_int_equal(payrows_get(f->db, id1, &last, &err), 0);
	last.refunded = 2001;
	assert_int_not_equal(payrows_update(f->db, &last, &err), 0);
	pay_attempt_free(&last);
}

static void test_required_payment_waits(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct appointment a;
	/* off: nothing changes */
	assert_int_equal(payments_after_booking(f->db, &f->admin, f->appt, &err), 0);
	assert_int_equal(appointments_get(f->db, f->appt, &a, &err), 0);
	assert_int_equal(a.state, APPT_BOOKED);
	appointment_free(&a);
	assert_int_equal(settings_set(f->db, "payment_at_booking", "required", &err), 0);
	assert_int_equal(payments_booking_mode(f->db), BOOKING_PAY_REQUIRED);
	assert_int_equal(payments_after_booking(f->db, &f->admin, f->appt, &err), 0);
	assert_int_equal(appointments_get(f->db, f->appt, &a, &err), 0);
	assert_int_equal(a.state, APPT_AWAITING_PAYMENT);
	appointment_free(&a);
}

static void test_refused_before_sending(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct pay_result r;
	struct session nobody = {0};
	struct pay_env e = {.db = f->db, .client = NULL, .key = NULL, .who = &nobody};
	/* Not signed in. */
	assert_int_equal(payments_link_create(&e, f->appt, 0, &r, &err), PD_ERR_FORBIDDEN);
	/* Signed in, Stripe locked. */
	e.who = &f->staff;
	assert_int_equal(payments_link_create(&e, f->appt, 0, &r, &err), PD_ERR_LOCKED);
	/* More than is due (checked with a key; nothing is sent before the check). */
	e.key = "rk_test_never_sent";
	assert_int_equal(payments_link_create(&e, f->appt, 999999, &r, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "45.00 EUR"));
	/* Disabled since signing in: refused at once, not at the next sign-in. */
	assert_int_equal(users_set_disabled(f->db, "Sam", true, &err), 0);
	assert_int_equal(payments_link_create(&e, f->appt, 0, &r, &err), PD_ERR_FORBIDDEN);
	assert_string_equal(err.msg, "Sam is disabled: ask an admin to enable the account");
	assert_int_equal(users_set_disabled(f->db, "Sam", false, &err), 0);
	/* Staff refund without a limit, and nothing to refund anyway. */
	assert_int_equal(payments_refund(&e, f->appt, 0, "duplicate", &r, &err), PD_ERR_USAGE);
	assert_int_equal(payments_refund(&e, f->appt, 0, "because", &r, &err), PD_ERR_USAGE);
	/* A cancelled appointment takes no payment. */
	struct appointment a;
	assert_int_equal(appointments_get(f->db, f->appt, &a, &err), 0);
	assert_int_equal(booking_set_state(f->db, &f->admin, f->appt, a.version, APPT_CANCELLED, &err), 0);
	appointment_free(&a);
	assert_int_equal(payments_link_create(&e, f->appt, 0, &r, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "cancelled"));
	/* No attempt row was left behind by any refusal. */
	struct pay_attempt last;
	assert_int_equal(payrows_latest(f->db, f->appt, -1, &last, &err), PD_ERR_NOT_FOUND);
}

/* An unknown payment: re-checked only when there is one; meanwhile a new
 * payment (Stripe's or the desk's) is refused naming the re-check key. */
static void test_unknown_payment_names_the_recheck(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct pay_result r;
	struct pay_env e = {.db = f->db, .client = NULL, .key = NULL, .who = &f->staff};
	assert_int_equal(payments_recheck(&e, f->appt, &r, &err), PD_ERR_LOCKED);
	e.key = "rk_test_never_sent";
	assert_int_equal(payments_recheck(&e, f->appt, &r, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "nothing to re-check"));
	struct pay_attempt p = {.appointment_id = f->appt, .method = PAYROW_CARD,
				.status = PAYROW_FAILED, .amount = 4500, .currency = "eur",
				.actor = "Sam"};
	int64_t id;
	assert_int_equal(payrows_insert(f->db, &p, &id, &err), 0);
	assert_int_equal(payments_recheck(&e, f->appt, &r, &err), PD_ERR_USAGE);
	assert_string_equal(err.msg, "nothing to re-check: the last payment is failed");
	p.status = PAYROW_UNKNOWN;
	assert_int_equal(payrows_insert(f->db, &p, &id, &err), 0);
	assert_int_equal(payments_link_create(&e, f->appt, 0, &r, &err), PD_ERR_USAGE);
	assert_string_equal(err.msg, PAY_UNKNOWN_REFUSAL);
	assert_int_equal(payments_desk_take(f->db, &f->staff, f->appt, PAYROW_CASH, 0, "", &r,
					    &err),
			 PD_ERR_USAGE);
	assert_string_equal(err.msg, PAY_UNKNOWN_REFUSAL);
	assert_int_equal(payments_reader_cancel(&e, f->appt, &r, &err), PD_ERR_USAGE);
	assert_null(strstr(err.msg, "no payment has been started"));
	assert_non_null(strstr(err.msg, "Y re-checks"));
}

static void test_saved_cards_store(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct client_card cards[2] = {{"pm_1", "visa", "4242", 12, 2031},
				       {"pm_2", "mastercard", "4444", 1, 2030}};
	assert_int_equal(client_cards_replace(f->db, f->client, cards, 2, &err), 0);
	struct client_card *out;
	size_t n;
	assert_int_equal(client_cards_list(f->db, f->client, &out, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(out[0].payment_method_id, "pm_1");
	assert_string_equal(out[1].brand, "mastercard");
	free(out);
	assert_int_equal(client_cards_replace(f->db, f->client, NULL, 0, &err), 0);
	assert_int_equal(client_cards_list(f->db, f->client, &out, &n, &err), 0);
	assert_int_equal(n, 0);
	free(out);
	assert_int_equal(clients_set_customer(f->db, f->client, "cus_1", &err), 0);
	struct client c;
	assert_int_equal(clients_get(f->db, f->client, &c, &err), 0);
	assert_string_equal(c.stripe_customer_id, "cus_1");
	assert_int_equal(c.version, 2);
	client_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decline_words),
	    cmocka_unit_test_setup_teardown(test_attempts_and_totals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_required_payment_waits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused_before_sending, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_saved_cards_store, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_payment_names_the_recheck, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
