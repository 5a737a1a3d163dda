/* Plans and subscriptions: the local copy (schema 7), what stands out, the
 * filters, Stripe shapes read into rows, and the checks every change passes
 * before anything is sent (role, billing switch, input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/plans.h"
#include "paydesk/settings.h"
#include "paydesk/subscriptions.h"
#include "testutil.h"

struct fx {
	char *dir, *path;
	sqlite3 *db;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->dir = tu_tempdir();
	f->path = tu_path(f->dir, "t.db");
	struct pd_error err;
	assert_int_equal(db_open(f->path, &f->db, &err), PD_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	db_close(&f->db);
	tu_rm_rf(f->dir);
	free(f->path);
	free(f->dir);
	free(f);
	return 0;
}

static const char *SUB_JSON =
	"{\"id\":\"sub_1\",\"object\":\"subscription\",\"customer\":\"cus_A\","
	"\"status\":\"past_due\",\"collection_method\":\"charge_automatically\","
	"\"current_period_end\":1800000000,\"trial_end\":null,\"cancel_at_period_end\":false,"
	"\"cancel_at\":null,\"canceled_at\":null,\"pause_collection\":null,\"created\":1700000000,"
	"\"items\":{\"data\":[{\"id\":\"si_1\",\"quantity\":2,\"price\":{\"id\":\"price_1\","
	"\"product\":\"prod_1\",\"unit_amount\":4900,\"currency\":\"usd\","
	"\"recurring\":{\"interval\":\"month\",\"interval_count\":1}}}]},"
	"\"latest_invoice\":{\"id\":\"in_1\",\"status\":\"open\",\"attempt_count\":1,"
	"\"amount_due\":9800,\"payment_intent\":{\"id\":\"pi_1\",\"status\":"
	"\"requires_payment_method\",\"last_payment_error\":{\"message\":\"Your card was "
	"declined.\"}}}}";

static void test_from_stripe_and_store(void **state)
{
	struct fx *f = *state;
	struct pd_error err;
	struct client_input ci = {"Liam", "liam@example.com", "", "", true};
	int64_t cid;
	assert_int_equal(clients_insert(f->db, &ci, &cid, &err), PD_OK);
	assert_int_equal(sqlite3_exec(f->db,
				      "UPDATE clients SET stripe_customer_id = 'cus_A'", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	json_t *prod = json_loads("{\"id\":\"prod_1\",\"object\":\"product\",\"name\":\"Gold\","
				  "\"active\":true,\"metadata\":{\"features\":\"sauna\","
				  "\"limits\":\"2 guests\"},\"default_price\":{\"id\":\"price_1\","
				  "\"unit_amount\":4900,\"currency\":\"usd\",\"recurring\":"
				  "{\"interval\":\"month\",\"interval_count\":1}}}",
				  0, NULL);
	struct plan p;
	assert_int_equal(plans_from_stripe(prod, NULL, &p, &err), PD_OK);
	assert_string_equal(p.features, "sauna");
	assert_int_equal(plans_store_put(f->db, &p, &err), PD_OK);
	plan_free(&p);
	json_decref(prod);

	json_t *j = json_loads(SUB_JSON, 0, NULL);
	assert_non_null(j);
	struct subscription s;
	assert_int_equal(subs_from_stripe(f->db, j, &s, &err), PD_OK);
	json_decref(j);
	assert_int_equal(s.client_id, cid);
	assert_int_equal(s.amount, 9800);
	assert_string_equal(s.last_failure, "Your card was declined.");
	assert_int_equal(subs_store_put(f->db, &s, &err), PD_OK);
	assert_int_equal(subs_store_put(f->db, &s, &err), PD_OK); /* upsert, no duplicate */
	subscription_free(&s);

	struct subscription *list;
	size_t n;
	struct subs_filter filt = {.status = "attention"};
	assert_int_equal(subs_store_list(f->db, &filt, &list, &n, &err), PD_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].client_name, "Liam");
	assert_string_equal(list[0].plan_name, "Gold");
	assert_int_equal(list[0].version, 2);
	assert_int_equal(subs_attention(&list[0], time(NULL)), SUBS_ATTN_FAILED);
	subs_free_list(&list, n);
	filt = (struct subs_filter){.status = "active"};
	assert_int_equal(subs_store_list(f->db, &filt, &list, &n, &err), PD_OK);
	assert_int_equal(n, 0);
	filt = (struct subs_filter){.product_id = "prod_2"};
	assert_int_equal(subs_store_list(f->db, &filt, &list, &n, &err), PD_OK);
	assert_int_equal(n, 0);
}

static void test_attention(void **state)
{
	(void)state;
	struct subscription s = {0};
	int64_t now = 1700000000;
	strcpy(s.status, "trialing");
	s.trial_end = now + 2 * 86400;
	assert_int_equal(subs_attention(&s, now), SUBS_ATTN_TRIAL_SOON);
	s.trial_end = now + 4 * 86400;
	assert_int_equal(subs_attention(&s, now), SUBS_ATTN_NONE);
	strcpy(s.status, "active");
	assert_int_equal(subs_attention(&s, now), SUBS_ATTN_NONE);
	strcpy(s.status, "unpaid");
	assert_int_equal(subs_attention(&s, now), SUBS_ATTN_FAILED);
}

static void test_checks_before_network(void **state)
{
	struct fx *f = *state;
	struct pd_error err;
	struct session staff = {.signed_in = true, .role = ROLE_STAFF};
	struct session admin = {.signed_in = true, .role = ROLE_ADMIN};
	struct pay_env e = {.db = f->db, .key = "rk_test_x", .who = &staff};
	struct subs_result r;
	/* No client, no key needed: these fail before any call is made. */
	assert_int_equal(subs_cancel(&e, 1, true, &r, &err), PD_ERR_FORBIDDEN);
	assert_non_null(strstr(err.msg, "only an admin"));
	e.who = &admin;
	assert_int_equal(settings_set(f->db, "bill_with_stripe", "off", &err), PD_OK);
	assert_int_equal(subs_pause(&e, 1, false, &r, &err), PD_ERR_USAGE); /* resume */
	assert_non_null(strstr(err.msg, "Bill clients with Stripe is off"));
	/* What stops charging is never refused for the setting: past it, to the lookup. */
	assert_int_equal(subs_pause(&e, 1, true, &r, &err), PD_ERR_NOT_FOUND);
	assert_int_equal(subs_cancel(&e, 1, false, &r, &err), PD_ERR_NOT_FOUND);
	char why[200];
	assert_false(subs_enabled(f->db, why, sizeof why));
	int64_t id;
	struct plan_input pi = {"Gold", "", "", "", 4900, "usd", "month", 1};
	/* Plans are subscription actions too: refused while billing is off. */
	assert_int_equal(plans_create(&e, &pi, &id, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "Bill clients with Stripe is off"));
	assert_int_equal(plans_archive(&e, 1, true, &err), PD_ERR_USAGE);
	assert_int_equal(settings_set(f->db, "bill_with_stripe", "on", &err), PD_OK);
	assert_true(subs_enabled(f->db, why, sizeof why));
	e.who = &staff;
	assert_int_equal(plans_create(&e, &pi, &id, &err), PD_ERR_FORBIDDEN);

	struct subs_input in = {.client_id = 1, .plan_id = 1, .quantity = 1};
	int64_t now = 1700000000;
	assert_int_equal(subs_check(&in, now, &err), PD_OK);
	in.quantity = 0;
	assert_int_equal(subs_check(&in, now, &err), PD_ERR_USAGE);
	in.quantity = 1;
	in.trial = SUBS_TRIAL_UNTIL;
	in.trial_until = now - 1;
	assert_int_equal(subs_check(&in, now, &err), PD_ERR_USAGE);
	in.trial_until = now + 10 * 86400;
	assert_int_equal(subs_check(&in, now, &err), PD_OK);
	in.send_invoice = true;
	in.days_until_due = 0;
	assert_int_equal(subs_check(&in, now, &err), PD_ERR_USAGE);

	pi.interval = "month";
	pi.interval_count = 13;
	assert_int_equal(plans_check(&pi, &err), PD_ERR_USAGE);
	pi.interval_count = 1;
	pi.currency = "us1";
	assert_int_equal(plans_check(&pi, &err), PD_ERR_USAGE);
}

/* The client's subscription invoices and their payments, newest first,
 * from the billing history; other customers and one-off payments stay out. */
static void test_client_billing(void **state)
{
	struct fx *f = *state;
	struct pd_error err;
	static const char *const rows[] = {
		"('in_1', 'invoice', 100, 4900, 'usd', 'paid', 'cus_A', 'in_1', 'sub_1', NULL, 1)",
		"('pi_1', 'payment', 101, 4900, 'usd', 'succeeded', 'cus_A', 'in_1', NULL, NULL, 1)",
		"('pi_2', 'payment', 102, 2500, 'usd', 'succeeded', 'cus_A', NULL, NULL, 'A-1', 1)",
		"('in_2', 'invoice', 103, 4900, 'usd', 'open', 'cus_B', 'in_2', 'sub_2', NULL, 1)",
		"('in_3', 'invoice', 200, 4900, 'usd', 'open', 'cus_A', 'in_3', 'sub_1', NULL, 1)",
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char sql[400];
		snprintf(sql, sizeof sql,
			 "INSERT INTO history (stripe_id, type, created, amount, currency, status,"
			 " customer_id, invoice_id, subscription_id, appointment_id, synced_at)"
			 " VALUES %s",
			 rows[i]);
		assert_int_equal(sqlite3_exec(f->db, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	struct subs_billing_row *out = NULL;
	size_t n = 0;
	assert_int_equal(subs_store_client_billing(f->db, "cus_A", 10, &out, &n, &err), PD_OK);
	assert_int_equal(n, 3);
	assert_string_equal(out[0].stripe_id, "in_3");
	assert_string_equal(out[1].stripe_id, "pi_1");
	assert_string_equal(out[1].type, "payment");
	assert_string_equal(out[2].stripe_id, "in_1");
	assert_string_equal(out[2].subscription_id, "sub_1");
	assert_int_equal(out[2].amount, 4900);
	free(out);
	assert_int_equal(subs_store_client_billing(f->db, "cus_A", 1, &out, &n, &err), PD_OK);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].stripe_id, "in_3");
	free(out);
	assert_int_equal(subs_store_client_billing(f->db, "cus_none", 5, &out, &n, &err), PD_OK);
	assert_int_equal(n, 0);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_from_stripe_and_store, setup, teardown),
		cmocka_unit_test(test_attention),
		cmocka_unit_test_setup_teardown(test_checks_before_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_billing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
