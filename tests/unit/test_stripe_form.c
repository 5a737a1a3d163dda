/* Stripe form encoding: nested keys, arrays, booleans, percent-encoding of
 * every awkward byte, empty values, insertion order. */
#include "testutil.h"

#include "paydesk/stripe_params.h"

/* Encode p, compare, free. */
static void assert_encodes(struct stripe_params *p, const char *want)
{
	char *got = stripe_params_encode(p);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_empty_and_null(void **state)
{
	(void)state;
	struct stripe_params *p = stripe_params_new();
	assert_encodes(p, "");
	assert_encodes(NULL, "");
	assert_int_equal(stripe_params_count(p), 0);
	stripe_params_free(&p);
	assert_null(p);
	stripe_params_free(&p); /* twice is harmless */
}

static void test_scalars_keep_order(void **state)
{
	(void)state;
	struct stripe_params *p = stripe_params_new();
	assert_int_equal(stripe_params_add_int(p, "amount", 5000), 0);
	assert_int_equal(stripe_params_add(p, "currency", "usd"), 0);
	assert_int_equal(stripe_params_add_int(p, "application_fee_amount", -1), 0);
	assert_int_equal(stripe_params_add_int(p, "big", INT64_MAX), 0);
	assert_encodes(p, "amount=5000&currency=usd&application_fee_amount=-1"
	                  "&big=9223372036854775807");
	assert_string_equal(stripe_params_get(p, "currency"), "usd");
	assert_null(stripe_params_get(p, "customer"));
	stripe_params_free(&p);
}

static void test_booleans(void **state)
{
	(void)state;
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_bool(p, "confirm", true);
	stripe_params_add_bool(p, "off_session", false);
	assert_encodes(p, "confirm=true&off_session=false");
	stripe_params_free(&p);
}

static void test_nested_and_arrays(void **state)
{
	(void)state;
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "metadata[appointment_id]", "A-1");
	stripe_params_add(p, "items[0][price]", "price_123");
	stripe_params_add_int(p, "items[0][quantity]", 1);
	stripe_params_add(p, "line_items[0][price_data][product_data][name]", "Cut");
	stripe_params_add_bool(p, "capabilities[card_payments][requested]", true);
	stripe_params_add(p, "expand[]", "customer");
	stripe_params_add(p, "expand[]", "latest_charge.balance_transaction");
	assert_encodes(p, "metadata[appointment_id]=A-1&items[0][price]=price_123"
	                  "&items[0][quantity]=1&line_items[0][price_data][product_data][name]=Cut"
	                  "&capabilities[card_payments][requested]=true"
	                  "&expand[]=customer&expand[]=latest_charge.balance_transaction");
	assert_int_equal(stripe_params_count(p), 7);
	stripe_params_free(&p);
}

static void test_percent_encoding(void **state)
{
	(void)state;
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "description", "Cut & colour = 2+1 deal");
	stripe_params_add(p, "metadata[note]", "café ☕");
	stripe_params_add(p, "metadata[path]", "a/b?c#d%e");
	stripe_params_add(p, "safe", "AZaz09-._~");
	stripe_params_add(p, "metadata[crlf]", "x\r\ny");
	assert_encodes(p, "description=Cut%20%26%20colour%20%3D%202%2B1%20deal"
	                  "&metadata[note]=caf%C3%A9%20%E2%98%95"
	                  "&metadata[path]=a%2Fb%3Fc%23d%25e"
	                  "&safe=AZaz09-._~"
	                  "&metadata[crlf]=x%0D%0Ay");
	stripe_params_free(&p);
}

static void test_brackets_in_values_and_odd_keys(void **state)
{
	(void)state;
	struct stripe_params *p = stripe_params_new();
	/* Brackets stay literal in keys (Stripe reads them as nesting) but are
	 * escaped in values, where they are just text. */
	stripe_params_add(p, "metadata[a b]", "[x]");
	stripe_params_add(p, "metadata[k&=]", "v");
	assert_encodes(p, "metadata[a%20b]=%5Bx%5D&metadata[k%26%3D]=v");
	stripe_params_free(&p);
}

static void test_empty_value_unsets(void **state)
{
	(void)state;
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "metadata[old]", "");
	stripe_params_add(p, "description", "");
	assert_encodes(p, "metadata[old]=&description=");
	stripe_params_free(&p);
}

static void test_bad_input_refused(void **state)
{
	(void)state;
	struct stripe_params *p = stripe_params_new();
	assert_int_equal(stripe_params_add(p, "", "x"), -1);
	assert_int_equal(stripe_params_add(p, NULL, "x"), -1);
	assert_int_equal(stripe_params_add(p, "k", NULL), -1);
	assert_int_equal(stripe_params_add(NULL, "k", "v"), -1);
	assert_int_equal(stripe_params_count(p), 0);
	stripe_params_free(&p);
}

static void test_many_pairs_grow(void **state)
{
	(void)state;
	struct stripe_params *p = stripe_params_new();
	char key[32];
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof key, "expand[%d]", i);
		assert_int_equal(stripe_params_add_int(p, key, i), 0);
	}
	char *s = stripe_params_encode(p);
	assert_non_null(strstr(s, "expand[0]=0&expand[1]=1&"));
	assert_non_null(strstr(s, "&expand[199]=199"));
	assert_int_equal(s[strlen(s) - 1], '9');
	free(s);
	stripe_params_free(&p);
}

static void test_escape_binary(void **state)
{
	(void)state;
	const char raw[] = {'a', 0, (char)0xff, ' '};
	char *s = stripe_form_escape(raw, sizeof raw, false);
	assert_string_equal(s, "a%00%FF%20");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_and_null),
	    cmocka_unit_test(test_scalars_keep_order),
	    cmocka_unit_test(test_booleans),
	    cmocka_unit_test(test_nested_and_arrays),
	    cmocka_unit_test(test_percent_encoding),
	    cmocka_unit_test(test_brackets_in_values_and_odd_keys),
	    cmocka_unit_test(test_empty_value_unsets),
	    cmocka_unit_test(test_bad_input_refused),
	    cmocka_unit_test(test_many_pairs_grow),
	    cmocka_unit_test(test_escape_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
