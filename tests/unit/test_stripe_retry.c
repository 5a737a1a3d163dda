/* The retry policy as a decision table (status × Stripe-Should-Retry ×
 * attempt), backoff bounds under jitter, Retry-After, and header parsing. */
#include "testutil.h"

#include "paydesk/stripe_retry.h"

static const struct stripe_retry_policy policy = {3, 0.5, 8.0, 60.0};

static struct stripe_attempt http(long status, int should_retry, double retry_after)
{
	return (struct stripe_attempt){STRIPE_NET_OK, status, should_retry, retry_after};
}

static void test_decision_table(void **state)
{
	(void)state;
	static const struct row {
		enum stripe_transport transport;
		long status;
		int should_retry; /* -1 absent */
		int attempts_made;
		bool retry;
	} table[] = {
	    {STRIPE_NET_OK, 200, -1, 1, false},
	    {STRIPE_NET_OK, 200, 1, 1, false}, /* success is final, whatever the header */
	    {STRIPE_NET_OK, 400, -1, 1, false},
	    {STRIPE_NET_OK, 401, -1, 1, false},
	    {STRIPE_NET_OK, 402, -1, 1, false}, /* a decline is final */
	    {STRIPE_NET_OK, 403, -1, 1, false},
	    {STRIPE_NET_OK, 404, -1, 1, false},
	    {STRIPE_NET_OK, 409, -1, 1, true},
	    {STRIPE_NET_OK, 424, -1, 1, false},
	    {STRIPE_NET_OK, 429, -1, 1, true},
	    {STRIPE_NET_OK, 500, -1, 1, true},
	    {STRIPE_NET_OK, 501, -1, 1, false},
	    {STRIPE_NET_OK, 502, -1, 1, true},
	    {STRIPE_NET_OK, 503, -1, 1, true},
	    {STRIPE_NET_OK, 504, -1, 1, true},
	    /* Stripe-Should-Retry overrides both ways. */
	    {STRIPE_NET_OK, 500, 0, 1, false},
	    {STRIPE_NET_OK, 503, 0, 1, false},
	    {STRIPE_NET_OK, 429, 0, 1, false},
	    {STRIPE_NET_OK, 400, 1, 1, true},
	    {STRIPE_NET_OK, 402, 0, 1, false},
	    /* Network: transient retried, fatal never. */
	    {STRIPE_NET_TRANSIENT, 0, -1, 1, true},
	    {STRIPE_NET_TRANSIENT, 0, 0, 1, true}, /* no answer, no header to obey */
	    {STRIPE_NET_FATAL, 0, -1, 1, false},
	    /* The attempt bound: 3 retries = 4 attempts. */
	    {STRIPE_NET_OK, 503, -1, 3, true},
	    {STRIPE_NET_OK, 503, -1, 4, false},
	    {STRIPE_NET_OK, 503, 1, 4, false},
	    {STRIPE_NET_TRANSIENT, 0, -1, 4, false},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const struct row *r = &table[i];
		struct stripe_attempt a = {r->transport, r->status, r->should_retry, -1};
		double delay = -1;
		bool got = stripe_retry_decide(&policy, &a, r->attempts_made, 0.5, &delay);
		if (got != r->retry)
			fail_msg("row %zu: status %ld should_retry %d attempt %d: got %d", i,
			         r->status, r->should_retry, r->attempts_made, got);
		if (got)
			assert_true(delay >= 0.5 && delay <= 8.0);
		else
			assert_true(delay == 0);
	}
}

static void test_zero_retries(void **state)
{
	(void)state;
	struct stripe_retry_policy none = stripe_retry_policy_default(0);
	struct stripe_attempt a = http(503, 1, -1);
	double d;
	assert_false(stripe_retry_decide(&none, &a, 1, 0, &d));
	struct stripe_retry_policy neg = stripe_retry_policy_default(-3);
	assert_int_equal(neg.max_retries, 0);
}

static void test_backoff_doubles_to_cap(void **state)
{
	(void)state;
	/* With jitter 1 the factor is 1: the raw schedule. */
	double want[] = {0.5, 1, 2, 4, 8, 8, 8};
	for (int i = 0; i < 7; i++)
		assert_true(stripe_retry_backoff(&policy, i + 1, 1.0) == want[i]);
	assert_true(stripe_retry_backoff(&policy, 1000, 1.0) == 8.0);
}

static void test_backoff_jitter_bounds(void **state)
{
	(void)state;
	for (int retry = 1; retry <= 8; retry++) {
		double raw = stripe_retry_backoff(&policy, retry, 1.0);
		for (int k = 0; k <= 100; k++) {
			double d = stripe_retry_backoff(&policy, retry, k / 100.0);
			assert_true(d >= 0.5);     /* never below the base */
			assert_true(d >= raw / 2); /* at most halved */
			assert_true(d <= raw);     /* never above the schedule */
		}
	}
	/* Jitter actually spreads: 0 and 1 differ once past the floor. */
	assert_true(stripe_retry_backoff(&policy, 4, 0.0) == 2.0);
	assert_true(stripe_retry_backoff(&policy, 4, 1.0) == 4.0);
	/* Out-of-range jitter is clamped, not trusted. */
	assert_true(stripe_retry_backoff(&policy, 4, -5) == 2.0);
	assert_true(stripe_retry_backoff(&policy, 4, 7) == 4.0);
}

static void test_retry_after(void **state)
{
	(void)state;
	double d;
	struct stripe_attempt a = http(429, -1, 3);
	assert_true(stripe_retry_decide(&policy, &a, 1, 0.5, &d));
	assert_true(d == 3.0); /* longer than the backoff: wait as asked */
	a.retry_after = 0;
	assert_true(stripe_retry_decide(&policy, &a, 3, 1.0, &d));
	assert_true(d == 2.0); /* shorter: the backoff wins */
	a.retry_after = 3600;
	assert_true(stripe_retry_decide(&policy, &a, 1, 0.5, &d));
	assert_true(d == 60.0); /* capped */
	a = http(503, 1, 5);
	assert_true(stripe_retry_decide(&policy, &a, 1, 0.5, &d));
	assert_true(d == 5.0);
	a = http(503, 0, 5); /* told not to retry: Retry-After is moot */
	assert_false(stripe_retry_decide(&policy, &a, 1, 0.5, &d));
}

static void test_header_parsing(void **state)
{
	(void)state;
	assert_int_equal(stripe_retry_parse_should_retry("true"), 1);
	assert_int_equal(stripe_retry_parse_should_retry("TRUE"), 1);
	assert_int_equal(stripe_retry_parse_should_retry("false"), 0);
	assert_int_equal(stripe_retry_parse_should_retry("yes"), -1);
	assert_int_equal(stripe_retry_parse_should_retry(""), -1);
	assert_int_equal(stripe_retry_parse_should_retry(NULL), -1);
	assert_true(stripe_retry_parse_retry_after("7") == 7.0);
	assert_true(stripe_retry_parse_retry_after("0") == 0.0);
	assert_true(stripe_retry_parse_retry_after("12 ") == 12.0);
	assert_true(stripe_retry_parse_retry_after("-1") < 0);
	assert_true(stripe_retry_parse_retry_after("1.5") < 0);
	assert_true(stripe_retry_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") < 0);
	assert_true(stripe_retry_parse_retry_after("99999999999999999999999") < 0);
	assert_true(stripe_retry_parse_retry_after(NULL) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decision_table),
	    cmocka_unit_test(test_zero_retries),
	    cmocka_unit_test(test_backoff_doubles_to_cap),
	    cmocka_unit_test(test_backoff_jitter_bounds),
	    cmocka_unit_test(test_retry_after),
	    cmocka_unit_test(test_header_parsing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
