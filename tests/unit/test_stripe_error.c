/* Stripe error bodies into struct stripe_error (every field, missing fields,
 * odd shapes, broken JSON); typed objects; which endpoints move money;
 * idempotency key shape. */
#include "testutil.h"

#include <ctype.h>

#include "paydesk/stripe_client.h"
#include "paydesk/stripe_error.h"
#include "paydesk/stripe_objects.h"

static int parse(struct stripe_error *e, long status, const char *body, const char *rid)
{
	return stripe_error_parse(e, status, body, body ? strlen(body) : 0, rid);
}

static void test_all_fields(void **state)
{
	(void)state;
	struct stripe_error e = {0};
	assert_int_equal(
	    parse(&e, 402,
	          "{\"error\": {\"type\": \"card_error\", \"code\": \"card_declined\","
	          " \"decline_code\": \"insufficient_funds\", \"param\": \"payment_method\","
	          " \"message\": \"Your card has insufficient funds.\","
	          " \"charge\": \"ch_1\", \"payment_intent\": {\"id\": \"pi_1\"}}}",
	          "req_abc"),
	    0);
	assert_int_equal(e.http_status, 402);
	assert_string_equal(e.type, "card_error");
	assert_string_equal(e.code, "card_declined");
	assert_string_equal(e.decline_code, "insufficient_funds");
	assert_string_equal(e.param, "payment_method");
	assert_string_equal(e.message, "Your card has insufficient funds.");
	assert_string_equal(e.request_id, "req_abc");
	char line[300];
	stripe_error_format(&e, line, sizeof line);
	assert_string_equal(line, "card_declined (insufficient_funds): Your card has insufficient "
	                          "funds. [HTTP 402, req_abc]");
	stripe_error_clear(&e);
	assert_null(e.type);
	assert_int_equal(e.http_status, 0);
}

static void test_missing_fields(void **state)
{
	(void)state;
	struct stripe_error e = {0};
	/* Only type is required by the spec; nulls count as absent. */
	assert_int_equal(parse(&e, 500,
	                       "{\"error\":{\"type\":\"api_error\",\"code\":null,"
	                       "\"param\":42}}",
	                       NULL),
	                 0);
	assert_string_equal(e.type, "api_error");
	assert_null(e.code);
	assert_null(e.decline_code);
	assert_null(e.param);
	assert_null(e.request_id);
	assert_non_null(strstr(e.message, "without a message"));
	char line[300];
	stripe_error_format(&e, line, sizeof line);
	assert_non_null(strstr(line, "api_error: "));
	assert_non_null(strstr(line, "[HTTP 500]"));
	stripe_error_clear(&e);
}

static void test_error_not_an_object(void **state)
{
	(void)state;
	struct stripe_error e = {0};
	/* Connect OAuth style: a bare string with a description. */
	assert_int_equal(parse(&e, 400,
	                       "{\"error\":\"invalid_grant\",\"error_description\":"
	                       "\"Authorization code expired\"}",
	                       "req_1"),
	                 0);
	assert_string_equal(e.code, "invalid_grant");
	assert_string_equal(e.message, "Authorization code expired");
	assert_null(e.type);
	/* Neither object nor string; no "error" at all; a JSON array. */
	assert_int_equal(parse(&e, 503, "{\"error\": 17}", "req_2"), PD_ERR);
	assert_non_null(strstr(e.message, "without an error object"));
	assert_string_equal(e.request_id, "req_2");
	assert_int_equal(parse(&e, 400, "{\"id\": \"pi_1\"}", NULL), PD_ERR);
	assert_int_equal(parse(&e, 400, "[1,2]", NULL), PD_ERR);
	assert_null(e.type);
	stripe_error_clear(&e);
}

static void test_broken_bodies(void **state)
{
	(void)state;
	struct stripe_error e = {0};
	const char *bodies[] = {
	    "{\"error\": {\"type\": \"card_error\", \"mess", /* truncated */
	    "<html>502 Bad Gateway</html>",
	    "",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		assert_int_equal(parse(&e, 502, bodies[i], "req_x"), PD_ERR);
		assert_non_null(strstr(e.message, "not valid JSON"));
		assert_int_equal(e.http_status, 502);
		assert_string_equal(e.request_id, "req_x");
	}
	/* NULL body, and a body whose length cuts it mid-way. */
	assert_int_equal(stripe_error_parse(&e, 500, NULL, 0, NULL), PD_ERR);
	const char *whole = "{\"error\":{\"type\":\"api_error\"}}";
	assert_int_equal(stripe_error_parse(&e, 500, whole, 10, NULL), PD_ERR);
	assert_int_equal(stripe_error_parse(&e, 500, whole, strlen(whole), NULL), 0);
	stripe_error_clear(&e);
}

static void test_local_error(void **state)
{
	(void)state;
	struct stripe_error e = {0};
	stripe_error_set_local(&e, NULL, "no answer from Stripe: Couldn't connect to server");
	char line[300];
	stripe_error_format(&e, line, sizeof line);
	assert_string_equal(line, "no answer from Stripe: Couldn't connect to server");
	stripe_error_clear(&e);
}

static void test_payment_intent_read(void **state)
{
	(void)state;
	json_error_t jerr;
	json_t *j =
	    json_loads("{\"id\":\"pi_1\",\"object\":\"payment_intent\",\"amount\":4000,"
	               "\"amount_received\":4000,\"currency\":\"gbp\",\"status\":"
	               "\"succeeded\",\"customer\":{\"id\":\"cus_9\",\"object\":\"customer\"},"
	               "\"latest_charge\":\"ch_7\",\"payment_method\":null,"
	               "\"metadata\":{\"appointment_id\":\"A-1\"}}",
	               0, &jerr);
	assert_non_null(j);
	struct stripe_payment_intent pi;
	struct pd_error err;
	assert_int_equal(stripe_payment_intent_read(j, &pi, &err), 0);
	assert_string_equal(pi.id, "pi_1");
	assert_int_equal(pi.amount, 4000);
	assert_int_equal(pi.amount_received, 4000);
	assert_string_equal(pi.currency, "gbp");
	assert_string_equal(pi.status, "succeeded");
	assert_string_equal(pi.customer, "cus_9");
	assert_string_equal(pi.latest_charge, "ch_7");
	assert_null(pi.payment_method);
	assert_string_equal(pi.appointment_id, "A-1");
	stripe_payment_intent_clear(&pi);

	json_object_set_new(j, "amount", json_string("4000"));
	assert_int_equal(stripe_payment_intent_read(j, &pi, &err), PD_ERR);
	assert_non_null(strstr(err.msg, "amount"));
	assert_null(pi.id);
	json_object_set_new(j, "object", json_string("refund"));
	assert_int_equal(stripe_payment_intent_read(j, &pi, &err), PD_ERR);

	struct stripe_object_ref ref;
	assert_int_equal(stripe_object_ref_read(j, &ref, &err), 0);
	assert_string_equal(ref.id, "pi_1");
	assert_string_equal(ref.object, "refund");
	stripe_object_ref_clear(&ref);
	json_object_del(j, "id");
	assert_int_equal(stripe_object_ref_read(j, &ref, &err), PD_ERR);
	stripe_object_ref_clear(&ref);
	json_decref(j);
}

static void test_money_paths(void **state)
{
	(void)state;
	assert_true(stripe_path_moves_money(STRIPE_POST, "/v1/payment_intents"));
	assert_true(stripe_path_moves_money(STRIPE_POST, "/v1/payment_intents/pi_1/confirm"));
	assert_true(stripe_path_moves_money(STRIPE_POST, "/v1/payment_intents/pi_1/capture"));
	assert_true(stripe_path_moves_money(STRIPE_POST, "/v1/payment_intents/pi_1/cancel"));
	assert_true(stripe_path_moves_money(STRIPE_POST, "/v1/refunds"));
	assert_true(stripe_path_moves_money(STRIPE_POST, "/v1/checkout/sessions"));
	assert_true(stripe_path_moves_money(STRIPE_POST, "/v1/subscriptions"));
	assert_true(stripe_path_moves_money(STRIPE_POST, "/v1/subscriptions/sub_1"));
	assert_true(stripe_path_moves_money(STRIPE_DELETE, "/v1/subscriptions/sub_1"));
	assert_false(stripe_path_moves_money(STRIPE_GET, "/v1/payment_intents"));
	assert_false(stripe_path_moves_money(STRIPE_POST, "/v1/payment_intents/pi_1"));
	assert_false(stripe_path_moves_money(STRIPE_POST, "/v1/customers"));
	assert_false(stripe_path_moves_money(STRIPE_POST, "/v1/payment_intents//confirm"));
	assert_false(stripe_path_moves_money(STRIPE_POST, "/v1/checkout/sessions/cs_1/expire"));
	assert_false(stripe_path_moves_money(STRIPE_POST, NULL));
}

static void test_idempotency_key_shape(void **state)
{
	(void)state;
	char a[STRIPE_IDEMPOTENCY_KEY_SIZE], b[STRIPE_IDEMPOTENCY_KEY_SIZE];
	stripe_idempotency_key_new(a);
	stripe_idempotency_key_new(b);
	assert_int_equal(strlen(a), 36);
	assert_string_not_equal(a, b);
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_true(isxdigit((unsigned char)a[i]) && !isupper((unsigned char)a[i]));
	}
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_fields),
	    cmocka_unit_test(test_missing_fields),
	    cmocka_unit_test(test_error_not_an_object),
	    cmocka_unit_test(test_broken_bodies),
	    cmocka_unit_test(test_local_error),
	    cmocka_unit_test(test_payment_intent_read),
	    cmocka_unit_test(test_money_paths),
	    cmocka_unit_test(test_idempotency_key_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
