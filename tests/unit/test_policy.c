/* Booking policies as an admin types them and a client is shown them: the
 * amounts a policy gives for a price (percentages rounded to what the
 * currency can charge), "12,50" read as 12.50, late or in time, the text a
 * client accepts kept as it was after the policy changes, admins only, and
 * every change in the audit log. */
#include "testutil.h"

#include "paydesk/audit.h"
#include "paydesk/booking.h"
#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/policies.h"
#include "paydesk/services.h"
#include "paydesk/staff.h"
#include "paydesk/tz.h"

static const struct session admin = {.signed_in = true, .user_id = 0, .name = "admin",
				     .role = ROLE_ADMIN};
static const struct session staff = {.signed_in = true, .user_id = 0, .name = "Sam",
				     .role = ROLE_STAFF};

struct fx {
	char *dir, *path;
	sqlite3 *db;
	int64_t client, haircut, colour, alice;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct pd_error err = {0};
	tz_set("Europe/Paris", NULL);
	f->dir = tu_tempdir();
	f->path = tu_path(f->dir, "paydesk.db");
	assert_int_equal(db_open(f->path, &f->db, &err), 0);
	struct client_input c = {"Zoë Martin", "zoe@example.com", "", "", false};
	assert_int_equal(clients_insert(f->db, &c, &f->client, &err), 0);
	struct service_input s = {"Haircut", 60, 4500, "eur", true};
	assert_int_equal(services_insert(f->db, &s, &f->haircut, &err), 0);
	struct service_input s2 = {"Colour", 90, 12000, "eur", true};
	assert_int_equal(services_insert(f->db, &s2, &f->colour, &err), 0);
	struct staff_input a = {.name = "Alice", .active = true};
	assert_int_equal(staff_hours_parse("mon-sun 08:00-20:00", &a.hours, &err), 0);
	assert_int_equal(staff_insert(f->db, &a, &f->alice, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	db_close(&f->db);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static struct policy_amount amount(const char *text, const char *currency)
{
	struct policy_amount a;
	struct pd_error err = {0};
	assert_int_equal(policy_amount_parse(text, currency, &a, &err), 0);
	return a;
}

static void test_amounts_as_typed(void **state)
{
	(void)state;
	struct pd_error err = {0};
	struct policy_amount a = amount("12,50", "eur");
	assert_int_equal(a.kind, POLICY_AMOUNT_FIXED);
	assert_int_equal(a.value, 1250);
	a = amount("20%", "eur");
	assert_int_equal(a.kind, POLICY_AMOUNT_PERCENT);
	assert_int_equal(a.value, 2000);
	a = amount(" 12,5 % ", NULL);
	assert_int_equal(a.value, 1250);
	assert_int_equal(amount("none", NULL).kind, POLICY_AMOUNT_NONE);
	assert_int_equal(amount("", NULL).kind, POLICY_AMOUNT_NONE);
	assert_int_equal(amount("0%", NULL).kind, POLICY_AMOUNT_NONE);

	struct policy_amount out = {POLICY_AMOUNT_FIXED, 77};
	assert_int_equal(policy_amount_parse("150%", NULL, &out, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "at most 100%"));
	assert_int_equal(policy_amount_parse("12.345%", NULL, &out, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "two decimals"));
	assert_int_equal(policy_amount_parse("20% off", NULL, &out, &err), PD_ERR_USAGE);
	assert_int_equal(policy_amount_parse("10", NULL, &out, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "needs a currency"));
	/* money_parse's refusals come through: never another amount */
	assert_int_equal(policy_amount_parse("12.555", "eur", &out, &err), PD_ERR_USAGE);
	assert_int_equal(out.kind, POLICY_AMOUNT_FIXED);
	assert_int_equal(out.value, 77);

	char buf[48];
	assert_string_equal(policy_amount_format(&(struct policy_amount){POLICY_AMOUNT_PERCENT,
									 1250},
						 NULL, buf, sizeof buf),
			    "12.5 %");
	assert_string_equal(policy_amount_format(&(struct policy_amount){POLICY_AMOUNT_FIXED, 1250},
						 "eur", buf, sizeof buf),
			    "12.50 EUR");
}

static void test_amount_for_a_price(void **state)
{
	(void)state;
	bool mismatch;
	struct policy_amount pct = {POLICY_AMOUNT_PERCENT, 2000}; /* 20 % */
	assert_int_equal(policy_amount_for(&pct, "", 4500, "eur", &mismatch), 900);
	/* half up to the cent: 12.5 % of 0.99 = 0.12375 → 0.12 */
	struct policy_amount odd = {POLICY_AMOUNT_PERCENT, 1250};
	assert_int_equal(policy_amount_for(&odd, "", 99, "eur", &mismatch), 12);
	assert_int_equal(policy_amount_for(&odd, "", 100, "eur", &mismatch), 13); /* 12.5 → 13 */
	/* no yen below one; Kuwaiti dinar to 10 fils */
	assert_int_equal(policy_amount_for(&odd, "", 1001, "jpy", &mismatch), 125);
	assert_int_equal(policy_amount_for(&odd, "", 5120, "kwd", &mismatch), 640);
	assert_int_equal(policy_amount_for(&pct, "", 5130, "kwd", &mismatch) % 10, 0);
	/* a fixed fee above the price is the price; another currency gives none */
	struct policy_amount fixed = {POLICY_AMOUNT_FIXED, 6000};
	assert_int_equal(policy_amount_for(&fixed, "eur", 4500, "eur", &mismatch), 4500);
	assert_false(mismatch);
	assert_int_equal(policy_amount_for(&fixed, "eur", 4500, "gbp", &mismatch), 0);
	assert_true(mismatch);
	/* a deposit paid counts toward the fee */
	assert_int_equal(policy_fee_due(4500, 900), 3600);
	assert_int_equal(policy_fee_due(900, 4500), 0);
}

static void test_late_or_in_time(void **state)
{
	(void)state;
	struct booking_policy p;
	policy_none(&p);
	p.cancel_window_hours = 24;
	int64_t start = 1000000;
	assert_false(policy_is_late(&p, start, start - 24 * 3600));
	assert_true(policy_is_late(&p, start, start - 24 * 3600 + 1));
	assert_true(policy_is_late(&p, start, start + 60)); /* after the start */
	p.cancel_window_hours = 0;
	assert_false(policy_is_late(&p, start, start));
}

static void test_checks_say_what_to_do(void **state)
{
	(void)state;
	struct pd_error err = {0};
	struct booking_policy p;
	policy_none(&p);
	assert_int_equal(policy_check(&p, &err), 0);
	p.deposit_required = true;
	assert_int_equal(policy_check(&p, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "required deposit needs an amount"));
	policy_none(&p);
	p.late = POLICY_KEEP_DEPOSIT;
	assert_int_equal(policy_check(&p, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "keep-deposit needs a deposit"));
	policy_none(&p);
	p.no_show_fee = (struct policy_amount){POLICY_AMOUNT_FIXED, 2000};
	assert_int_equal(policy_check(&p, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "currency"));
	policy_none(&p);
	p.cancel_window_hours = 721;
	assert_int_equal(policy_check(&p, &err), PD_ERR_USAGE);
	enum policy_money_rule r;
	assert_int_equal(policy_rule_parse("Keep deposit", &r, &err), 0);
	assert_int_equal(r, POLICY_KEEP_DEPOSIT);
	assert_int_equal(policy_rule_parse("maybe", &r, &err), PD_ERR_USAGE);
}

static struct booking_policy salon_default(void)
{
	struct booking_policy p;
	policy_none(&p);
	snprintf(p.currency, sizeof p.currency, "eur");
	p.deposit = (struct policy_amount){POLICY_AMOUNT_PERCENT, 2000};
	p.deposit_required = true;
	p.hold_card = true;
	p.cancel_window_hours = 24;
	p.late_fee = (struct policy_amount){POLICY_AMOUNT_PERCENT, 5000};
	p.no_show_fee = (struct policy_amount){POLICY_AMOUNT_FIXED, 4500};
	p.in_time = POLICY_REFUND_ALL;
	p.late = POLICY_KEEP_DEPOSIT;
	return p;
}

static void test_client_text(void **state)
{
	(void)state;
	struct booking_policy p = salon_default();
	char text[POLICY_TEXT_MAX + 1];
	policy_describe(&p, 4500, "eur", text, sizeof text);
	assert_string_equal(text,
			    "Deposit 9.00 EUR at booking (required). A card is held on file for "
			    "fees. Cancel at least 24 hours before the start: everything paid is "
			    "refunded. Later: a late-cancellation fee of 22.50 EUR (less anything "
			    "kept); the deposit is kept, the rest is refunded. No-show: a fee of "
			    "45.00 EUR, less any deposit paid.");
	struct booking_policy none;
	policy_none(&none);
	policy_describe(&none, 4500, "eur", text, sizeof text);
	assert_string_equal(text, "No deposit, no fees: everything paid is refunded on "
				  "cancellation.");
	/* a small buffer is cut, never overrun */
	char small[20];
	policy_describe(&p, 4500, "eur", small, sizeof small);
	assert_int_equal(strlen(small), sizeof small - 1);
}

static int64_t book(struct fx *f, int64_t service)
{
	struct pd_error err = {0};
	struct booking_request req = {.who = &staff, .client_id = f->client,
				      .service_id = service, .staff_id = f->alice,
				      .starts_at = 0};
	assert_int_equal(tz_from_civil(2031, 3, 12, 10, 0, &req.starts_at, NULL, NULL), 0);
	int64_t id;
	assert_int_equal(booking_create(f->db, &req, &id, &err), 0);
	return id;
}

struct audit_seen {
	int n;
	char last_action[64], last_detail[700];
};

static void count_policy(void *ctx, const struct audit_row *row)
{
	struct audit_seen *s = ctx;
	s->n++;
	snprintf(s->last_action, sizeof s->last_action, "%s", row->e.action);
	snprintf(s->last_detail, sizeof s->last_detail, "%s", row->e.detail ? row->e.detail : "");
}

static struct audit_seen policy_audit(struct fx *f)
{
	struct audit_seen s = {0};
	struct pd_error err = {0};
	struct audit_filter flt = {.action = "policy."};
	assert_int_equal(audit_each(f->db, &flt, count_policy, &s, &err), 0);
	return s;
}

static void test_admin_sets_service_falls_back_to_default(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct booking_policy p = salon_default(), got;

	/* staff cannot set one; nothing is stored or audited */
	assert_int_equal(policy_set(f->db, &staff, &p, &err), PD_ERR_FORBIDDEN);
	assert_int_equal(policies_get(f->db, 0, &got, &err), PD_ERR_NOT_FOUND);
	assert_int_equal(policy_audit(f).n, 0);

	/* no policy anywhere: the built-in one, which asks nothing */
	assert_int_equal(policies_effective(f->db, f->haircut, &got, &err), 0);
	assert_true(policy_is_empty(&got));
	assert_int_equal(got.id, 0);

	assert_int_equal(policy_set(f->db, &admin, &p, &err), 0);
	int64_t v1 = p.version;
	assert_true(v1 > 0);
	struct audit_seen s = policy_audit(f);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.last_action, "policy.set");
	assert_non_null(strstr(s.last_detail, "business default: deposit 20 % required"));

	/* the haircut follows the default until it has its own */
	assert_int_equal(policies_effective(f->db, f->haircut, &got, &err), 0);
	assert_int_equal(got.service_id, 0);
	assert_int_equal(got.deposit.value, 2000);

	struct booking_policy own = salon_default();
	own.service_id = f->haircut;
	own.deposit = (struct policy_amount){POLICY_AMOUNT_FIXED, 1000};
	assert_int_equal(policy_set(f->db, &admin, &own, &err), 0);
	assert_true(own.version > v1);
	assert_int_equal(policies_effective(f->db, f->haircut, &got, &err), 0);
	assert_int_equal(got.service_id, f->haircut);
	assert_int_equal(got.deposit.kind, POLICY_AMOUNT_FIXED);
	assert_int_equal(policies_effective(f->db, f->colour, &got, &err), 0);
	assert_int_equal(got.service_id, 0);
	s = policy_audit(f);
	assert_non_null(strstr(s.last_detail, "Haircut: deposit 10.00 EUR required"));

	/* removed: back to the default, and its version is never given again */
	int64_t own_v = own.version;
	assert_int_equal(policy_remove(f->db, &admin, f->haircut, &err), 0);
	assert_int_equal(policies_effective(f->db, f->haircut, &got, &err), 0);
	assert_int_equal(got.service_id, 0);
	assert_int_equal(policy_remove(f->db, &admin, f->haircut, &err), PD_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no policy of its own"));
	struct booking_policy again = salon_default();
	again.service_id = f->haircut;
	assert_int_equal(policy_set(f->db, &admin, &again, &err), 0);
	assert_true(again.version > own_v);
	s = policy_audit(f);
	assert_int_equal(s.n, 4);

	/* a policy for a service that does not exist is refused */
	struct booking_policy ghost = salon_default();
	ghost.service_id = 999;
	assert_int_equal(policy_set(f->db, &admin, &ghost, &err), PD_ERR_NOT_FOUND);
}

static void test_acceptance_kept_as_it_was(void **state)
{
	struct fx *f = *state;
	struct pd_error err = {0};
	struct booking_policy p = salon_default();
	assert_int_equal(policy_set(f->db, &admin, &p, &err), 0);
	int64_t appt = book(f, f->haircut);

	struct policy_acceptance acc;
	assert_int_equal(policies_acceptance_last(f->db, appt, &acc, &err), PD_ERR_NOT_FOUND);
	assert_int_equal(policy_accept(f->db, &staff, appt, POLICY_BY_PHONE, &acc, &err), 0);
	assert_int_equal(acc.policy_version, p.version);
	assert_non_null(strstr(acc.text, "Deposit 9.00 EUR at booking (required)"));

	/* the admin changes the policy: what the client accepted stays */
	p.no_show_fee = (struct policy_amount){POLICY_AMOUNT_PERCENT, 10000};
	p.deposit = (struct policy_amount){POLICY_AMOUNT_PERCENT, 5000};
	assert_int_equal(policy_set(f->db, &admin, &p, &err), 0);
	struct policy_acceptance last;
	assert_int_equal(policies_acceptance_last(f->db, appt, &last, &err), 0);
	assert_string_equal(last.text, acc.text);
	assert_int_equal(last.how, POLICY_BY_PHONE);
	assert_string_equal(last.actor, "Sam");
	assert_true(last.policy_version < p.version);

	struct audit_seen s = policy_audit(f);
	assert_string_equal(s.last_action, "policy.set");
	struct audit_filter flt = {.action = "policy.accept"};
	s = (struct audit_seen){0};
	assert_int_equal(audit_each(f->db, &flt, count_policy, &s, &err), 0);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.last_detail, "accepted phone"));
	assert_non_null(strstr(s.last_detail, "Deposit 9.00 EUR"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amounts_as_typed),
		cmocka_unit_test(test_amount_for_a_price),
		cmocka_unit_test(test_late_or_in_time),
		cmocka_unit_test(test_checks_say_what_to_do),
		cmocka_unit_test(test_client_text),
		cmocka_unit_test_setup_teardown(test_admin_sets_service_falls_back_to_default,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acceptance_kept_as_it_was, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
