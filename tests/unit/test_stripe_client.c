/* The HTTP client against a scripted in-process server: the headers every
 * request carries, one Idempotency-Key across retries, GET params in the
 * query, Request-Id kept, malformed/truncated/oversized bodies reported,
 * no retry of a decline, cancel, and the calls it refuses to make. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "paydesk/stripe_client.h"
#include "paydesk/stripe_reach.h"

#define KEY           "sk_test_unitKey0000000000001234"
#define MAX_EXCHANGES 8

/* One scripted answer: status line and extra headers (each ending CRLF),
 * then body, announced as claim bytes (0: its real length); head NULL closes
 * without answering; big_body streams that many filler bytes instead. */
struct answer {
	const char *head;
	const char *body;
	size_t claim;
	size_t big_body;
};

struct server {
	int fd;
	int port;
	pthread_t thread;
	struct answer answers[MAX_EXCHANGES];
	int nanswers;
	char *requests[MAX_EXCHANGES]; /* head + body of each request received */
	int nrequests;
};

static char *read_request(int c)
{
	size_t cap = 65536, len = 0;
	char *buf = calloc(1, cap);
	ssize_t n;
	char *end = NULL;
	while (!end && (n = recv(c, buf + len, cap - 1 - len, 0)) > 0) {
		len += (size_t)n;
		end = strstr(buf, "\r\n\r\n");
	}
	if (!end) {
		free(buf);
		return NULL;
	}
	const char *cl = strcasestr(buf, "\r\nContent-Length:");
	size_t body = cl ? strtoul(cl + 17, NULL, 10) : 0;
	size_t want = (size_t)(end + 4 - buf) + body;
	while (len < want && (n = recv(c, buf + len, cap - 1 - len, 0)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return buf;
}

static void *server_main(void *p)
{
	struct server *s = p;
	for (int i = 0; i < s->nanswers; i++) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			break;
		s->requests[s->nrequests++] = read_request(c);
		const struct answer *a = &s->answers[i];
		if (a->head) {
			const char *body = a->body ? a->body : "";
			size_t claim = a->big_body ? a->big_body
			               : a->claim  ? a->claim
			                           : strlen(body);
			char *text = NULL;
			int n =
			    asprintf(&text, "%sConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
			             a->head, claim, body);
			if (n < 0 || send(c, text, (size_t)n, MSG_NOSIGNAL) < 0)
				fprintf(stderr, "test server: send failed\n");
			free(text);
		}
		if (a->big_body) {
			static char chunk[65536];
			memset(chunk, ' ', sizeof chunk);
			for (size_t sent = 0; sent < a->big_body; sent += sizeof chunk)
				if (send(c, chunk, sizeof chunk, MSG_NOSIGNAL) < 0)
					break; /* the client hung up, as it should */
		}
		close(c);
	}
	return NULL;
}

static void server_start(struct server *s)
{
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	struct sockaddr_in addr = {.sin_family = AF_INET,
	                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(s->fd, (struct sockaddr *)&addr, sizeof addr), 0);
	assert_int_equal(listen(s->fd, 8), 0);
	socklen_t len = sizeof addr;
	getsockname(s->fd, (struct sockaddr *)&addr, &len);
	s->port = ntohs(addr.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

/* Wait until every scripted answer went out; requests stay readable. */
static void server_join(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
}

static void server_free(struct server *s)
{
	for (int i = 0; i < s->nrequests; i++)
		free(s->requests[i]);
}

/* Retry sleeps are recorded, never slept. */
struct sleeps {
	double delays[16];
	int n;
};

static void record_sleep(void *ctx, double seconds, const atomic_bool *cancel)
{
	(void)cancel;
	struct sleeps *sl = ctx;
	if (sl->n < 16)
		sl->delays[sl->n++] = seconds;
}

static struct stripe_client *client_for(struct server *s, struct sleeps *sl, int retries)
{
	char base[64];
	snprintf(base, sizeof base, "http://127.0.0.1:%d/", s ? s->port : 9);
	struct stripe_client_opts o = {
	    .api_base = base,
	    .connect_timeout = 5,
	    .timeout = 10,
	    .retry = stripe_retry_policy_default(retries),
	    .sleep = record_sleep,
	    .sleep_ctx = sl,
	};
	struct stripe_client *c;
	struct pd_error err;
	assert_int_equal(stripe_client_new(&o, &c, &err), 0);
	return c;
}

#define OK_PI                                                                                      \
	{                                                                                          \
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nRequest-Id: req_ok1\r\n",    \
		    "{\"id\":\"pi_1\",\"object\":\"payment_intent\",\"amount\":5}", 0, 0           \
	}

/* Header value of name in raw request text, or "" (static buffer). */
static const char *req_header(const char *req, const char *name)
{
	static char value[256];
	value[0] = '\0';
	char pat[64];
	snprintf(pat, sizeof pat, "\r\n%s: ", name);
	const char *p = strcasestr(req, pat);
	if (p) {
		p += strlen(pat);
		size_t n = strcspn(p, "\r");
		snprintf(value, sizeof value, "%.*s", (int)n, p);
	}
	return value;
}

static void test_post_headers_and_body(void **state)
{
	(void)state;
	struct server s = {.answers = {OK_PI}, .nanswers = 1};
	server_start(&s);
	struct sleeps sl = {0};
	struct stripe_client *c = client_for(&s, &sl, 2);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_int(p, "amount", 5);
	stripe_params_add(p, "metadata[note]", "a b&c");
	struct stripe_request req = {.method = STRIPE_POST,
	                             .path = "/v1/payment_intents",
	                             .params = p,
	                             .key = KEY,
	                             .account = "acct_1Conn",
	                             .via_outbox = true};
	struct stripe_response resp;
	struct pd_error err;
	assert_int_equal(stripe_client_send(c, &req, &resp, &err), 0);
	assert_int_equal(resp.outcome, STRIPE_OUTCOME_OK);
	assert_int_equal(resp.http_status, 200);
	assert_string_equal(resp.request_id, "req_ok1");
	assert_string_equal(json_string_value(json_object_get(resp.json, "id")), "pi_1");
	assert_int_equal(resp.attempts, 1);
	assert_true(resp.maybe_executed);
	server_join(&s);

	const char *r = s.requests[0];
	assert_non_null(r);
	assert_true(strncmp(r, "POST /v1/payment_intents HTTP/1.1\r\n", 35) == 0);
	assert_string_equal(req_header(r, "Authorization"), "Bearer " KEY);
	assert_string_equal(req_header(r, "User-Agent"), "paydesk/" PAYDESK_VERSION);
	assert_string_equal(req_header(r, "Stripe-Version"), "2022-11-15");
	assert_string_equal(req_header(r, "Stripe-Account"), "acct_1Conn");
	assert_string_equal(req_header(r, "Content-Type"), "application/x-www-form-urlencoded");
	assert_string_equal(req_header(r, "Idempotency-Key"), resp.idempotency_key);
	assert_int_equal(strlen(resp.idempotency_key), 36);
	assert_non_null(strstr(r, "\r\n\r\namount=5&metadata[note]=a%20b%26c"));
	stripe_response_clear(&resp);
	stripe_params_free(&p);
	server_free(&s);
	stripe_client_free(&c);
	assert_null(c);
}

static void test_get_query_no_idempotency(void **state)
{
	(void)state;
	struct server s = {.answers = {OK_PI}, .nanswers = 1};
	server_start(&s);
	struct sleeps sl = {0};
	struct stripe_client *c = client_for(&s, &sl, 2);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_int(p, "limit", 3);
	stripe_params_add(p, "expand[]", "data.customer");
	struct stripe_request req = {
	    .method = STRIPE_GET, .path = "/v1/payment_intents", .params = p, .key = KEY};
	struct stripe_response resp;
	assert_int_equal(stripe_client_send(c, &req, &resp, NULL), 0);
	assert_false(resp.maybe_executed);
	assert_string_equal(resp.idempotency_key, "");
	server_join(&s);
	assert_true(strncmp(s.requests[0],
	                    "GET /v1/payment_intents?limit=3&expand[]=data.customer HTTP/1.1",
	                    63) == 0);
	assert_string_equal(req_header(s.requests[0], "Idempotency-Key"), "");
	assert_string_equal(req_header(s.requests[0], "Stripe-Account"), "");
	stripe_response_clear(&resp);
	stripe_params_free(&p);
	server_free(&s);
	stripe_client_free(&c);
}

static void test_retries_keep_key(void **state)
{
	(void)state;
	struct server s = {
	    .answers = {{NULL, NULL, 0, 0}, /* connection dropped after the request */
	                {"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\n"
	                 "Request-Id: req_429\r\n",
	                 "{\"error\":{\"type\":\"invalid_request_error\"}}", 0, 0},
	                {"HTTP/1.1 503 Unavailable\r\nStripe-Should-Retry: true\r\n", "<html>!", 0,
	                 0},
	                OK_PI},
	    .nanswers = 4};
	server_start(&s);
	struct sleeps sl = {0};
	struct stripe_client *c = client_for(&s, &sl, 3);
	struct stripe_request req = {.method = STRIPE_POST,
	                             .path = "/v1/payment_intents",
	                             .body = "amount=5",
	                             .key = KEY,
	                             .idempotency_key = "my-key-1",
	                             .via_outbox = true};
	struct stripe_response resp;
	assert_int_equal(stripe_client_send(c, &req, &resp, NULL), 0);
	assert_int_equal(resp.attempts, 4);
	assert_int_equal(sl.n, 3);
	assert_true(sl.delays[0] >= 0.25 && sl.delays[0] <= 0.5 + 1e-9);
	assert_true(sl.delays[1] >= 2.0); /* Retry-After honoured */
	assert_true(sl.delays[2] >= 1.0 && sl.delays[2] <= 2.0);
	assert_true(resp.maybe_executed); /* the dropped attempt may have run */
	server_join(&s);
	for (int i = 0; i < 4; i++) {
		if (strcmp(req_header(s.requests[i], "Idempotency-Key"), "my-key-1") != 0)
			fail_msg("request %d: %s", i, s.requests[i] ? s.requests[i] : "none");
	}
	stripe_response_clear(&resp);
	server_free(&s);
	stripe_client_free(&c);
}

static void test_decline_not_retried(void **state)
{
	(void)state;
	struct server s = {
	    .answers = {{"HTTP/1.1 402 Payment Required\r\nRequest-Id: req_402\r\n",
	                 "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\","
	                 "\"decline_code\":\"generic_decline\",\"message\":\"Declined.\"}}",
	                 0, 0}},
	    .nanswers = 1};
	server_start(&s);
	struct sleeps sl = {0};
	struct stripe_client *c = client_for(&s, &sl, 3);
	struct stripe_request req = {.method = STRIPE_POST,
	                             .path = "/v1/payment_intents/pi_1/confirm",
	                             .body = "payment_method=pm_card_visa_chargeDeclined",
	                             .key = KEY,
	                             .via_outbox = true};
	struct stripe_response resp;
	struct pd_error err;
	assert_int_equal(stripe_client_send(c, &req, &resp, &err), PD_ERR);
	assert_int_equal(resp.outcome, STRIPE_OUTCOME_API_ERROR);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(sl.n, 0);
	assert_int_equal(resp.error.http_status, 402);
	assert_string_equal(resp.error.decline_code, "generic_decline");
	assert_string_equal(resp.error.request_id, "req_402");
	assert_non_null(strstr(err.msg, "card_declined (generic_decline): Declined."));
	server_join(&s);
	stripe_response_clear(&resp);
	server_free(&s);
	stripe_client_free(&c);
}

/* A 2xx whose body cannot be read is asked for again at once (a GET reads
 * again; a POST's same Idempotency-Key gets Stripe's stored answer), at most
 * BAD_BODY_REREADS times; an oversized one is refused outright. */
static void test_bad_bodies(void **state)
{
	(void)state;
	struct server s = {
	    .answers = {{"HTTP/1.1 200 OK\r\n", "{\"id\":\"pi_1\"", 0, 0}, /* cut JSON */
	                {"HTTP/1.1 200 OK\r\n", "[1,2]", 0, 0},
	                {"HTTP/1.1 200 OK\r\n", "<html>", 0, 0},
	                {"HTTP/1.1 200 OK\r\n", "{\"id\":", 0, 0},
	                {"HTTP/1.1 200 OK\r\n", "{\"id\":\"pi_1\"", 0, 0},
	                OK_PI,
	                {"HTTP/1.1 200 OK\r\nRequest-Id: req_big\r\n", NULL, 0, (size_t)17 << 20}},
	    .nanswers = 7};
	server_start(&s);
	struct sleeps sl = {0};
	struct stripe_client *c = client_for(&s, &sl, 3);
	struct stripe_request req = {.method = STRIPE_POST, .path = "/v1/customers",
	                             .body = "email=a%40b.c", .key = KEY};
	struct stripe_response resp;
	struct pd_error err;
	/* Four unreadable answers: given up, the outcome unknown. */
	assert_int_equal(stripe_client_send(c, &req, &resp, &err), PD_ERR);
	assert_int_equal(resp.outcome, STRIPE_OUTCOME_BAD_BODY);
	assert_int_equal(resp.attempts, 4);
	assert_null(resp.json);
	assert_non_null(strstr(err.msg, "not a JSON object"));
	stripe_response_clear(&resp);
	/* One unreadable, then the replayed answer: the call's outcome, now. */
	assert_int_equal(stripe_client_send(c, &req, &resp, &err), 0);
	assert_int_equal(resp.attempts, 2);
	assert_non_null(resp.json);
	stripe_response_clear(&resp);
	assert_int_equal(stripe_client_send(c, &req, &resp, &err), PD_ERR);
	assert_int_equal(resp.outcome, STRIPE_OUTCOME_BAD_BODY);
	assert_int_equal(resp.attempts, 1);
	assert_non_null(strstr(err.msg, "larger than 16 MiB"));
	stripe_response_clear(&resp);
	server_join(&s);
	/* Every re-read carried the first request's Idempotency-Key. */
	for (int i = 1; i < 4; i++) {
		const char *k0 = strstr(s.requests[0], "Idempotency-Key: ");
		const char *ki = strstr(s.requests[i], "Idempotency-Key: ");
		assert_non_null(k0);
		assert_non_null(ki);
		assert_memory_equal(k0, ki, 17 + 36);
	}
	server_free(&s);
	stripe_client_free(&c);
}

static void test_truncated_is_retried(void **state)
{
	(void)state;
	struct server s = {
	    .answers = {{"HTTP/1.1 200 OK\r\n", "{\"id\":", 100, 0}, /* short of its length */
	                OK_PI},
	    .nanswers = 2};
	server_start(&s);
	struct sleeps sl = {0};
	struct stripe_client *c = client_for(&s, &sl, 3);
	struct stripe_request req = {.method = STRIPE_GET, .path = "/v1/balance", .key = KEY};
	struct stripe_response resp;
	assert_int_equal(stripe_client_send(c, &req, &resp, NULL), 0);
	assert_int_equal(resp.attempts, 2);
	server_join(&s);
	stripe_response_clear(&resp);
	server_free(&s);
	stripe_client_free(&c);
}

static void test_unreachable_retried_then_reported(void **state)
{
	(void)state;
	struct sleeps sl = {0};
	struct stripe_client *c = client_for(NULL, &sl, 2); /* port 9: nothing listens */
	struct stripe_request req = {
	    .method = STRIPE_POST, .path = "/v1/customers", .body = "email=a%40b.c", .key = KEY};
	struct stripe_response resp;
	struct pd_error err;
	assert_int_equal(stripe_client_send(c, &req, &resp, &err), PD_ERR);
	assert_int_equal(resp.outcome, STRIPE_OUTCOME_NETWORK);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(sl.n, 2);
	assert_false(resp.maybe_executed); /* never connected: nothing reached Stripe */
	assert_non_null(strstr(err.msg, "no answer from Stripe"));
	stripe_response_clear(&resp);
	stripe_client_free(&c);
}

/* The desk's "Stripe unreachable since" record: nothing listening or only
 * 5xx after the retries marks it, with the time; the next answer of any
 * kind, a decline included, clears it; a cancelled call says nothing. */
static void test_reachability_noted(void **state)
{
	(void)state;
	stripe_reach_reset();
	struct sleeps sl = {0};
	struct stripe_client *c = client_for(NULL, &sl, 1); /* port 9: nothing listens */
	struct stripe_request req = {.method = STRIPE_GET, .path = "/v1/balance", .key = KEY};
	struct stripe_response resp;
	time_t before = time(NULL), since = 0;
	assert_false(stripe_reach_down(NULL));
	assert_int_equal(stripe_client_send(c, &req, &resp, NULL), PD_ERR);
	stripe_response_clear(&resp);
	assert_true(stripe_reach_down(&since));
	assert_true(since >= before && since <= time(NULL));
	uint64_t gen = stripe_reach_generation();
	stripe_client_free(&c);

	/* still down: a 503 twice does not move "since" */
	struct server s = {
	    .answers = {{"HTTP/1.1 503 Unavailable\r\n", "{}", 0, 0},
	                {"HTTP/1.1 503 Unavailable\r\n", "{}", 0, 0},
	                {"HTTP/1.1 402 Payment Required\r\n",
	                 "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\"}}", 0,
	                 0}},
	    .nanswers = 3};
	server_start(&s);
	c = client_for(&s, &sl, 1);
	time_t again = 0;
	assert_int_equal(stripe_client_send(c, &req, &resp, NULL), PD_ERR);
	stripe_response_clear(&resp);
	assert_true(stripe_reach_down(&again));
	assert_int_equal(again, since);
	assert_int_equal(stripe_reach_generation(), gen);

	atomic_bool cancel;
	atomic_init(&cancel, true);
	struct stripe_request cancelled = req;
	cancelled.cancel = &cancel;
	assert_int_equal(stripe_client_send(c, &cancelled, &resp, NULL), PD_ERR);
	stripe_response_clear(&resp);
	assert_true(stripe_reach_down(NULL));

	/* a decline is an answer: Stripe is back */
	assert_int_equal(stripe_client_send(c, &req, &resp, NULL), PD_ERR);
	assert_int_equal(resp.http_status, 402);
	stripe_response_clear(&resp);
	assert_false(stripe_reach_down(&since));
	assert_int_equal(since, 0);
	assert_int_equal(stripe_reach_generation(), gen + 1);
	server_join(&s);
	server_free(&s);
	stripe_client_free(&c);
}

static void test_cancelled_before_send(void **state)
{
	(void)state;
	struct sleeps sl = {0};
	struct stripe_client *c = client_for(NULL, &sl, 3);
	atomic_bool cancel;
	atomic_init(&cancel, true);
	struct stripe_request req = {
	    .method = STRIPE_GET, .path = "/v1/balance", .key = KEY, .cancel = &cancel};
	struct stripe_response resp;
	assert_int_equal(stripe_client_send(c, &req, &resp, NULL), PD_ERR);
	assert_int_equal(resp.outcome, STRIPE_OUTCOME_CANCELLED);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(sl.n, 0);
	stripe_response_clear(&resp);
	stripe_client_free(&c);
}

static void test_refusals(void **state)
{
	(void)state;
	struct sleeps sl = {0};
	struct stripe_client *c = client_for(NULL, &sl, 3);
	struct stripe_response resp;
	struct pd_error err;
	const struct stripe_request bad[] = {
	    /* money-moving without the outbox */
	    {.method = STRIPE_POST, .path = "/v1/refunds", .key = KEY},
	    {.method = STRIPE_DELETE, .path = "/v1/subscriptions/sub_1", .key = KEY},
	    /* keys that would break or leak through the header */
	    {.method = STRIPE_GET, .path = "/v1/balance", .key = "sk_test_x\r\nX-Evil: 1"},
	    {.method = STRIPE_GET, .path = "/v1/balance", .key = ""},
	    {.method = STRIPE_GET, .path = "/v1/balance", .key = NULL},
	    {.method = STRIPE_GET, .path = "v1/balance", .key = KEY},
	    {.method = STRIPE_GET, .path = "/v1/balance", .key = KEY, .account = "acct\r\n"},
	    {.method = STRIPE_POST, .path = "/v1/customers", .key = KEY, .idempotency_key = ""},
	    {.method = STRIPE_POST,
	     .path = "/v1/customers",
	     .key = KEY,
	     .idempotency_key = "0123456789012345678901234567890123456789"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(stripe_client_send(c, &bad[i], &resp, &err), PD_ERR_USAGE);
		assert_int_equal(resp.outcome, STRIPE_OUTCOME_REFUSED);
		assert_int_equal(resp.attempts, 0);
		stripe_response_clear(&resp);
	}
	stripe_client_free(&c);
}

static void test_api_base_checked(void **state)
{
	(void)state;
	const char *bad[] = {"http://api.stripe.com",
	                     "http://10.0.0.1:12111",
	                     "ftp://127.0.0.1",
	                     "https://user:pw@api.stripe.com",
	                     "",
	                     NULL};
	struct stripe_client *c = NULL;
	struct pd_error err;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct stripe_client_opts o = {.api_base = bad[i]};
		assert_int_equal(stripe_client_new(&o, &c, &err), PD_ERR_USAGE);
		assert_null(c);
	}
	const char *good[] = {"https://api.stripe.com", "https://api.stripe.com/",
	                      "http://127.0.0.1:12111", "http://localhost:8080/", "http://[::1]:9"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct stripe_client_opts o = {.api_base = good[i]};
		assert_int_equal(stripe_client_new(&o, &c, &err), 0);
		stripe_client_free(&c);
	}
}

static void test_opts_from_config(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	cfg.max_retries = 2;
	cfg.connect_timeout = 7;
	struct stripe_client_opts o;
	stripe_client_opts_from_config(&o, &cfg);
	assert_string_equal(o.api_base, "https://api.stripe.com");
	assert_int_equal(o.connect_timeout, 7);
	assert_int_equal(o.timeout, 60);
	assert_int_equal(o.retry.max_retries, 2);
	assert_true(o.retry.base_delay == 0.5 && o.retry.max_delay == 8.0);
	assert_null(o.sleep);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_post_headers_and_body),
	    cmocka_unit_test(test_get_query_no_idempotency),
	    cmocka_unit_test(test_retries_keep_key),
	    cmocka_unit_test(test_decline_not_retried),
	    cmocka_unit_test(test_bad_bodies),
	    cmocka_unit_test(test_reachability_noted),
	    cmocka_unit_test(test_truncated_is_retried),
	    cmocka_unit_test(test_unreachable_retried_then_reported),
	    cmocka_unit_test(test_cancelled_before_send),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_api_base_checked),
	    cmocka_unit_test(test_opts_from_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
