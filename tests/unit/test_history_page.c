/* A sync page read into history objects (history_page.c): what each kind
 * of Stripe object gives, what the writer is left to look up, and pages
 * refused whole. Pure: no store, no network. */
#include "testutil.h"

#include <jansson.h>

#include "paydesk/history.h"

static void read_page(const char *text, struct history_page *pg)
{
	struct pd_error err = {0};
	if (history_page_from_text(text, strlen(text), pg, &err))
		fail_msg("page refused: %s", err.msg);
}

static void test_payment_with_everything_expanded(void **state)
{
	(void)state;
	struct history_page pg;
	read_page("{\"object\":\"list\",\"has_more\":true,\"data\":[{\"id\":\"pi_1\","
		  "\"object\":\"payment_intent\",\"amount\":4200,\"created\":1767225600,"
		  "\"currency\":\"eur\",\"status\":\"succeeded\",\"livemode\":true,"
		  "\"description\":\"Colour \\\"deluxe\\\"\",\"metadata\":{\"appointment_id\":\"apt_9\"},"
		  "\"customer\":{\"id\":\"cus_1\",\"object\":\"customer\",\"name\":\"Zo\\u00eb \\ud83d\\ude00\","
		  "\"email\":null},\"receipt_email\":\"zoe@example.com\","
		  "\"latest_charge\":{\"id\":\"ch_1\",\"object\":\"charge\",\"amount_refunded\":1000,"
		  "\"created\":1767225601,\"status\":\"succeeded\",\"disputed\":false,\"refunded\":false,"
		  "\"billing_details\":{\"name\":\"Card Holder\",\"email\":\"card@example.com\"},"
		  "\"payment_method_details\":{\"type\":\"card\",\"card\":{\"brand\":\"visa\","
		  "\"last4\":\"4242\"}},\"balance_transaction\":{\"id\":\"txn_1\",\"fee\":152,"
		  "\"net\":4048}}}]}",
		  &pg);
	assert_int_equal(pg.n, 1);
	assert_true(pg.has_more);
	const struct history_obj *o = &pg.objs[0];
	assert_int_equal(o->kind, HISTORY_OBJ_PAYMENT);
	assert_string_equal(o->stripe_id, "pi_1");
	assert_string_equal(o->payment_intent, "pi_1");
	assert_string_equal(o->currency, "eur");
	/* partly refunded: the status says what happened to the money */
	assert_string_equal(o->status, "partially_refunded");
	assert_int_equal(o->amount, 4200);
	assert_int_equal(o->amount_refunded, 1000);
	assert_string_equal(o->description, "Colour \"deluxe\"");
	assert_string_equal(o->client, "Zo\xc3\xab \xf0\x9f\x98\x80");
	assert_null(o->email); /* null: the writer falls back to the receipt email */
	assert_string_equal(o->receipt_email, "zoe@example.com");
	assert_string_equal(o->billing_name, "Card Holder");
	assert_string_equal(o->customer_id, "cus_1");
	assert_string_equal(o->appointment_id, "apt_9");
	assert_string_equal(o->charge_id, "ch_1");
	assert_string_equal(o->brand, "visa");
	assert_string_equal(o->last4, "4242");
	assert_string_equal(o->payment_method, "card");
	assert_true(o->has_fee);
	assert_int_equal(o->fee, 152);
	assert_int_equal(o->net, 4048);
	assert_string_equal(o->balance_txn, "txn_1");
	assert_false(o->lookup_fee);
	assert_true(o->has_succeeded);
	assert_int_equal(o->succeeded_at, 1767225601);
	assert_true(o->livemode);
	history_page_clear(&pg);
	assert_int_equal(pg.n, 0);
}

static void test_what_the_writer_looks_up(void **state)
{
	(void)state;
	struct history_page pg;
	/* charge not expanded; a refund naming its charge; a failed payment */
	read_page("[{\"id\":\"pi_2\",\"object\":\"payment_intent\",\"amount\":100,"
		  "\"created\":1767225600,\"currency\":\"usd\",\"status\":\"requires_payment_method\","
		  "\"last_payment_error\":{\"code\":\"card_declined\"},\"customer\":\"cus_2\","
		  "\"latest_charge\":\"ch_2\"},"
		  "{\"id\":\"re_1\",\"object\":\"refund\",\"amount\":50,\"created\":1767225700,"
		  "\"currency\":\"usd\",\"status\":\"succeeded\",\"charge\":{\"id\":\"ch_2\","
		  "\"payment_intent\":\"pi_2\"},\"balance_transaction\":\"txn_r\"},"
		  "{\"id\":\"in_1\",\"object\":\"invoice\",\"amount_due\":900,\"amount_paid\":900,"
		  "\"created\":1767225800,\"currency\":\"usd\",\"status\":\"paid\",\"customer\":\"cus_2\","
		  "\"number\":\"INV-1\",\"parent\":{\"subscription_details\":{\"subscription\":\"sub_1\"}},"
		  "\"status_transitions\":{\"paid_at\":1767225900}}]",
		  &pg);
	assert_int_equal(pg.n, 3);
	assert_false(pg.has_more);
	const struct history_obj *pi = &pg.objs[0], *re = &pg.objs[1], *inv = &pg.objs[2];
	assert_string_equal(pi->status, "failed");
	assert_string_equal(pi->customer_id, "cus_2");
	assert_null(pi->client);
	assert_true(pi->lookup_fee);
	assert_null(pi->balance_txn);
	assert_string_equal(pi->fee_source, "ch_2");
	assert_int_equal(re->kind, HISTORY_OBJ_REFUND);
	assert_string_equal(re->payment_intent, "pi_2");
	assert_string_equal(re->charge_id, "ch_2");
	assert_true(re->lookup_fee);
	assert_string_equal(re->balance_txn, "txn_r");
	assert_string_equal(re->fee_source, "re_1");
	assert_int_equal(inv->kind, HISTORY_OBJ_INVOICE);
	assert_int_equal(inv->amount, 900);
	assert_string_equal(inv->description, "INV-1");
	assert_string_equal(inv->subscription_id, "sub_1");
	assert_string_equal(inv->invoice_id, "in_1");
	assert_int_equal(inv->succeeded_at, 1767225900);
	assert_false(inv->lookup_fee);
	history_page_clear(&pg);
}

static void test_objects_skipped(void **state)
{
	(void)state;
	struct history_page pg;
	read_page("{\"data\":[{\"id\":\"ch_3\",\"object\":\"charge\",\"created\":1,\"currency\":\"usd\"},"
		  "{\"id\":\"pi_4\",\"object\":\"payment_intent\",\"created\":1,\"currency\":\"usdx\"},"
		  "{\"id\":\"pi_5\",\"object\":\"payment_intent\",\"created\":1.5,\"currency\":\"usd\"},"
		  "{\"id\":\"cus_6\",\"object\":\"customer\",\"deleted\":true},"
		  "42,\"text\",null,"
		  "{\"id\":\"cus_7\",\"object\":\"customer\",\"name\":\"Kept\",\"created\":5}]}",
		  &pg);
	assert_int_equal(pg.n, 8);
	for (int i = 0; i < 7; i++)
		assert_int_equal(pg.objs[i].kind, HISTORY_OBJ_SKIP);
	assert_int_equal(pg.objs[7].kind, HISTORY_OBJ_CUSTOMER);
	assert_string_equal(pg.objs[7].client, "Kept");
	assert_int_equal(pg.objs[7].created, 5);
	history_page_clear(&pg);
}

static void test_bad_pages_refused_whole(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"{\"data\":[{\"id\":\"pi_1\"}]",              /* cut short */
		"{\"data\":[{\"id\":\"pi_1\",}]}",            /* trailing comma */
		"{\"data\":[{\"id\":\"pi_\xff\"}]}",          /* not UTF-8 */
		"{\"data\":[{\"id\":\"pi_\\u0000\"}]}",       /* NUL in a string */
		"{\"data\":[{\"amount\":99999999999999999999}]}", /* beyond 64 bits */
		"{\"object\":\"list\"}",                      /* no data */
		"{\"data\":{}}",                              /* data not an array */
		"\"data\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct history_page pg;
		struct pd_error err = {0};
		assert_int_not_equal(history_page_from_text(bad[i], strlen(bad[i]), &pg, &err), 0);
		assert_true(err.msg[0] != '\0');
		assert_int_equal(pg.n, 0);
		assert_null(pg.objs);
	}
	struct history_page pg;
	struct pd_error err = {0};
	const char *cut = "{\"data\":[{\"id\":\"pi_1\"}";
	assert_int_not_equal(history_page_from_text(cut, strlen(cut), &pg, &err), 0);
	assert_non_null(strstr(err.msg, "not valid JSON"));
	assert_non_null(strstr(err.msg, "byte"));
}

/* An object wider than the reader looks at is refused with its page, not
 * read in part (Stripe's invoices have ~90 fields; the limit is 256). */
static void test_too_wide_object_refused(void **state)
{
	(void)state;
	size_t cap = 20000, len = 0;
	char *text = malloc(cap);
	len += (size_t)snprintf(text + len, cap - len,
				"{\"data\":[{\"id\":\"in_W\",\"object\":\"invoice\",\"created\":1,"
				"\"currency\":\"usd\"");
	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(text + len, cap - len, ",\"field_%03d\":%d", i, i);
	len += (size_t)snprintf(text + len, cap - len, ",\"status\":\"paid\"}]}");
	struct history_page pg;
	struct pd_error err = {0};
	assert_int_not_equal(history_page_from_text(text, len, &pg, &err), 0);
	assert_non_null(strstr(err.msg, "more than 256 fields"));
	assert_int_equal(pg.n, 0);
	free(text);
}

/* Empty strings are no value: the next source of a name or email is
 * tried, an empty status reads "unknown", an empty id skips the object. */
static void test_empty_strings_are_absent(void **state)
{
	(void)state;
	struct history_page pg;
	read_page("[{\"id\":\"pi_E\",\"object\":\"payment_intent\",\"created\":1767225600,"
		  "\"currency\":\"usd\",\"status\":\"\",\"customer\":{\"id\":\"cus_E\",\"name\":\"\"},"
		  "\"latest_charge\":{\"id\":\"ch_E\",\"billing_details\":{\"name\":\"Bill Name\"}}},"
		  "{\"id\":\"\",\"object\":\"refund\",\"created\":1767225600,\"currency\":\"usd\"},"
		  "{\"id\":\"in_E\",\"object\":\"invoice\",\"created\":1767225600,\"currency\":\"usd\","
		  "\"customer_name\":\"\",\"description\":\"\",\"number\":\"INV-0001\","
		  "\"customer\":{\"id\":\"cus_C\",\"name\":\"Carol\"}},"
		  "{\"id\":\"pi_Y\",\"object\":\"payment_intent\",\"created\":253402300800,"
		  "\"currency\":\"usd\",\"status\":\"succeeded\"}]",
		  &pg);
	assert_int_equal(pg.n, 4);
	assert_string_equal(pg.objs[0].status, "unknown");
	assert_null(pg.objs[0].client);
	assert_string_equal(pg.objs[0].billing_name, "Bill Name");
	assert_int_equal(pg.objs[1].kind, HISTORY_OBJ_SKIP);
	assert_string_equal(pg.objs[2].client, "Carol");
	assert_string_equal(pg.objs[2].description, "INV-0001");
	/* created after 9999-12-31: not a date the roll-ups can hold */
	assert_int_equal(pg.objs[3].kind, HISTORY_OBJ_SKIP);
	history_page_clear(&pg);
}

static void test_from_json_same_as_text(void **state)
{
	(void)state;
	const char *text = "{\"data\":[{\"id\":\"re_9\",\"object\":\"refund\",\"amount\":5,"
			   "\"created\":1767225600,\"currency\":\"gbp\",\"status\":\"pending\","
			   "\"payment_intent\":\"pi_9\",\"description\":\"line\\nbreak \\u00e9\"}]}";
	json_error_t jerr;
	json_t *list = json_loads(text, 0, &jerr);
	assert_non_null(list);
	struct history_page a, b;
	struct pd_error err = {0};
	assert_int_equal(history_page_from_json(list, &a, &err), 0);
	read_page(text, &b);
	json_decref(list);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 1);
	assert_string_equal(a.objs[0].description, "line\nbreak \xc3\xa9");
	assert_string_equal(a.objs[0].description, b.objs[0].description);
	assert_string_equal(a.objs[0].status, b.objs[0].status);
	assert_string_equal(a.objs[0].payment_intent, "pi_9");
	assert_false(a.objs[0].has_succeeded);
	history_page_clear(&a);
	history_page_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payment_with_everything_expanded),
		cmocka_unit_test(test_what_the_writer_looks_up),
		cmocka_unit_test(test_objects_skipped),
		cmocka_unit_test(test_bad_pages_refused_whole),
		cmocka_unit_test(test_too_wide_object_refused),
		cmocka_unit_test(test_empty_strings_are_absent),
		cmocka_unit_test(test_from_json_same_as_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
