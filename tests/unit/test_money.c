/* money_parse as a desk types amounts: decimal comma or point, thousands
 * separators only where they cannot be read another way, each currency's
 * exponent (0, 2, 3) and Stripe's 8-digit limit. One table: text, currency,
 * the minor units it must give or a phrase the refusal must contain. */
#include "testutil.h"

#include "paydesk/money.h"

struct money_case {
	const char *text, *currency;
	int64_t minor;      /* what it is read as (when refused is NULL) */
	const char *refused; /* a phrase of the message (NULL: accepted) */
};

static const struct money_case cases[] = {
	/* exponent 2: a decimal comma is a decimal mark */
	{"12.50", "eur", 1250, NULL},
	{"12,50", "eur", 1250, NULL},
	{"12,5", "eur", 1250, NULL},
	{"0,05", "eur", 5, NULL},
	{",5", "eur", 50, NULL},
	{".5", "usd", 50, NULL},
	{"45", "usd", 4500, NULL},
	{" 45 ", "usd", 4500, NULL},
	{"007", "usd", 700, NULL},
	/* grouping where it cannot be read otherwise */
	{"1.234,56", "eur", 123456, NULL},
	{"1,234.56", "usd", 123456, NULL},
	{"1,234.5", "eur", 123450, NULL},
	{"1 234,56", "eur", 123456, NULL},
	{"1 234.56", "gbp", 123456, NULL},
	{"1\xc2\xa0" "234,56", "eur", 123456, NULL},     /* no-break space */
	{"1\xe2\x80\xaf" "234,56", "eur", 123456, NULL}, /* narrow no-break space */
	{"1'234.50", "chf", 123450, NULL},
	{"1 234", "eur", 123400, NULL},
	{"123,456", "jpy", 123456, NULL},
	{"123.456,78", "eur", 12345678, NULL},
	{"999,999.99", "usd", 99999999, NULL},
	{"999.999,99", "eur", 99999999, NULL},
	/* a single separator before exactly three digits: thousands or decimals? */
	{"1,234", "usd", 0, "ambiguous"},
	{"1.234", "eur", 0, "ambiguous"},
	{"12,500", "eur", 0, "type 12500 for 12,500.00 EUR"},
	{"1,230", "kwd", 0, " or 1.230 for 1.230 KWD"},
	/* odd shapes are refused, saying what to type */
	{"1,2,3", "eur", 0, "grouped in threes"},
	/* found by the tester: points not in threes are decimal points, not groups */
	{"1.2.3", "usd", 0, "'1.2.3' is not an amount: it has 2 decimal points"},
	{"30.5.0", "usd", 0, "'30.5.0' is not an amount: it has 2 decimal points"},
	{"1,23,456.00", "usd", 0, "grouped in threes"},
	{"1,234,56", "eur", 0, "grouped in threes"},
	{"12 50", "eur", 0, "grouped in threes"},
	{"1,234.567,89", "eur", 0, "not an amount"},
	{"1.234,567.89", "eur", 0, "not an amount"},
	{"1 234.567,89", "eur", 0, "not an amount"},
	{"0,500.00", "usd", 0, "grouped in threes"},
	{",", "usd", 0, "not an amount"},
	{"12.", "usd", 0, "no digits after"},
	{"12,", "eur", 0, "no digits after"},
	{"$12", "usd", 0, "not an amount"},
	{"12 EUR", "eur", 0, "not an amount"},
	{"abc", "usd", 0, "not an amount"},
	{"1e3", "usd", 0, "not an amount"},
	{"", "usd", 0, "type an amount"},
	{"   ", "usd", 0, "type an amount"},
	{"-5", "usd", 0, "negative"},
	{"+5", "usd", 0, "not an amount"},
	/* too many decimals is refused, never rounded */
	{"12,505", "eur", 0, "ambiguous"},
	{"1,2345", "eur", 0, "at most 2 decimal places"},
	{"0.001", "usd", 0, "at most 2 decimal places"},
	/* Stripe's limit: 8 digits in minor units */
	{"1000000", "usd", 0, "above Stripe's limit of 999,999.99 USD"},
	{"1234567890", "usd", 0, "above Stripe's limit"},
	{"1234567890", "jpy", 0, "above Stripe's limit of 99,999,999 JPY"},
	{"99999999999999999999999", "eur", 0, "above Stripe's limit"},
	{"1.000.000,00", "eur", 0, "above Stripe's limit"},
	{"100000", "kwd", 0, "above Stripe's limit of 99,999.990 KWD"},
	/* exponent 0 */
	{"1200", "jpy", 1200, NULL},
	{"1,200", "jpy", 1200, NULL},
	{"1.200", "jpy", 1200, NULL},
	{"1 200", "krw", 1200, NULL},
	{"12,345,678", "krw", 12345678, NULL},
	{"99,999,999", "jpy", 99999999, NULL},
	{"12.5", "jpy", 0, "no decimal places"},
	{"12,50", "jpy", 0, "no decimal places"},
	{"1.200,00", "jpy", 0, "no decimal places"},
	{"0,500", "jpy", 0, "no decimal places"},
	{"100000000", "jpy", 0, "above Stripe's limit"},
	/* exponent 3: paydesk shows 5.120 KWD, and reads it back so */
	{"5.12", "kwd", 5120, NULL},
	{"5,12", "kwd", 5120, NULL},
	{"5.120", "kwd", 5120, NULL},
	{"0,120", "kwd", 120, NULL},
	{"1,234.560", "bhd", 1234560, NULL},
	{"1.234,56", "jod", 1234560, NULL},
	{"1 234,5", "tnd", 1234500, NULL},
	{"99,999.99", "omr", 99999990, NULL},
	{"5.124", "kwd", 0, "steps of 0.010"},
	{"5.1234", "kwd", 0, "at most 3 decimal places"},
	{"5,120", "kwd", 0, "ambiguous"},
	/* unknown and mixed-case codes: two decimals */
	{"12,50", "EUR", 1250, NULL},
	{"12,50", "xyz", 1250, NULL},
};

static void test_money_table(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct money_case *c = &cases[i];
		struct pd_error err = {0};
		int64_t v = -1;
		int rc = money_parse(c->text, c->currency, &v, &err);
		if (!c->refused && (rc != PD_OK || v != c->minor)) {
			print_error("'%s' %s: want %lld, got rc %d value %lld (%s)\n", c->text,
				    c->currency, (long long)c->minor, rc, (long long)v, err.msg);
			failures++;
		} else if (c->refused && (rc != PD_ERR_USAGE || !strstr(err.msg, c->refused))) {
			print_error("'%s' %s: want refused with '%s', got rc %d value %lld: %s\n",
				    c->text, c->currency, c->refused, rc, (long long)v, err.msg);
			failures++;
		} else if (c->refused && v != -1) {
			print_error("'%s' %s: refused but the output was written\n", c->text,
				    c->currency);
			failures++;
		}
	}
	if (failures)
		fail_msg("%d of %zu amounts read wrongly", failures, sizeof cases / sizeof cases[0]);
}

/* A refusal says how the text was read: both readings of an ambiguous one. */
static void test_money_messages(void **state)
{
	(void)state;
	struct pd_error err;
	int64_t v;
	assert_int_equal(money_parse("1,234", "usd", &v, &err), PD_ERR_USAGE);
	assert_string_equal(err.msg, "'1,234' is ambiguous: type 1234 for 1,234.00 USD (USD has "
				     "at most 2 decimal places)");
	assert_int_equal(money_parse("1,230", "kwd", &v, &err), PD_ERR_USAGE);
	assert_string_equal(err.msg, "'1,230' is ambiguous: type 1230 for 1,230.000 KWD or 1.230 "
				     "for 1.230 KWD");
	assert_int_equal(money_parse("1234567890", "usd", &v, &err), PD_ERR_USAGE);
	assert_string_equal(err.msg, "'1234567890' is 1,234,567,890.00 USD, above Stripe's limit "
				     "of 999,999.99 USD");
}

/* What paydesk shows (money_format without the code) it reads back as the
 * same amount, for every exponent and across the range. */
static void test_money_round_trip(void **state)
{
	(void)state;
	static const char *const currencies[] = {"usd", "eur", "jpy", "krw", "kwd", "bhd"};
	static const int64_t amounts[] = {0,       5,        10,        120,      1000,
					  5120,    123450,   1234560,   1000000,  12345670,
					  99999990, 99999999};
	for (size_t c = 0; c < sizeof currencies / sizeof currencies[0]; c++)
		for (size_t a = 0; a < sizeof amounts / sizeof amounts[0]; a++) {
			int64_t want = amounts[a];
			if (money_exponent(currencies[c]) == 3 && want % 10)
				continue;
			char shown[64];
			money_format(want, currencies[c], shown, sizeof shown);
			*strrchr(shown, ' ') = '\0';
			struct pd_error err = {0};
			int64_t back = -1;
			if (money_parse(shown, currencies[c], &back, &err) != PD_OK || back != want)
				fail_msg("'%s' %s read back as %lld (%s)", shown, currencies[c],
					 (long long)back, err.msg);
		}
}

/* A form field checks the shape before its currency is known: whatever
 * some currency reads passes (the currency checks it again), the rest is
 * refused with the reason. */
static void test_money_check(void **state)
{
	(void)state;
	static const char *const amounts[] = {"12,50", "1.234,56", "1,200", "5.120", "1 234",
					      "1000000"};
	static const char *const refused[][2] = {
		{"1,2,3", "grouped in threes"},
		{"30.5.0", "2 decimal points: type one, such as 30.50"},
		{"abc", "not an amount"},
		{"-5", "negative"},
		{"1,2345", "at most"},
		{"1234567890", "above Stripe's limit: at most 999,999.99, or 99,999,999"},
	};
	struct pd_error err;
	for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++)
		if (money_check(amounts[i], &err) != PD_OK)
			fail_msg("'%s' refused: %s", amounts[i], err.msg);
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		if (money_check(refused[i][0], &err) != PD_ERR_USAGE ||
		    !strstr(err.msg, refused[i][1]))
			fail_msg("'%s': want '%s', got %s", refused[i][0], refused[i][1], err.msg);
}

/* A typo in a currency is caught where it is typed, never stored. */
static void test_currency_check(void **state)
{
	(void)state;
	struct pd_error err = {0};
	char lower[4] = "";
	assert_int_equal(money_currency_check("EUR", lower, &err), 0);
	assert_string_equal(lower, "eur");
	assert_int_equal(money_currency_check("kwd", NULL, &err), 0);
	assert_int_equal(money_currency_check("jpy", NULL, &err), 0);
	assert_int_equal(money_currency_check("aed", NULL, &err), 0); /* first of the list */
	assert_int_equal(money_currency_check("zwl", NULL, &err), 0); /* last */
	const char *bad[] = {"usb", "", "euro", "eu", "e u", "xau", NULL};
	for (int i = 0; bad[i]; i++) {
		memcpy(lower, "---", 4);
		assert_int_equal(money_currency_check(bad[i], lower, &err), PD_ERR_USAGE);
		assert_string_equal(lower, "---");
	}
	assert_int_equal(money_currency_check(NULL, NULL, &err), PD_ERR_USAGE);
	money_currency_check("usb", NULL, &err);
	assert_string_equal(err.msg, "'usb' is not a currency code: type three letters such as "
				     "usd, eur or gbp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_currency_check),
		cmocka_unit_test(test_money_table),
		cmocka_unit_test(test_money_messages),
		cmocka_unit_test(test_money_round_trip),
		cmocka_unit_test(test_money_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
