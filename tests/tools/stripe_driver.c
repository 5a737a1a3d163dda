/* Test-only driver: runs paydesk's Stripe client, outbox and workers against
 * --api-base (the fake Stripe) and prints one JSON object per step on stdout
 * for tests/integration to assert on.
 *
 *   stripe_driver --api-base URL --db PATH [--log PATH] [--account acct_…]
 *                 [--max-retries N] [--timeout S] [--sleep-scale F] COMMAND
 *   pay [--amount N] [--currency C] [--confirm PM]  outbox-backed PI create (+confirm)
 *   recover                                         resolve open outbox rows
 *   get PATH                                        one GET, no outbox
 *   lanes --slow PATH                               3 background GETs of PATH, then an
 *                                                   interactive payment; prints completions
 *   cancel-pay                                      a payment job cancelled once its
 *                                                   outbox row is sent (body on the wire)
 * The key comes from PAYDESK_TEST_STRIPE_KEY. --sleep-scale multiplies every
 * retry wait (the waits asked for are still reported) so tests stay quick
 * without changing the production backoff. Exit: 0 ok, 2 Stripe said no, 1 other. */
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"
#include "paydesk/jobs.h"
#include "paydesk/log.h"
#include "paydesk/outbox_runner.h"
#include "paydesk/stripe_client.h"
#include "paydesk/stripe_objects.h"

struct waits {
	double scale;
	json_t *asked; /* every delay the retry policy asked for, in seconds */
	pthread_mutex_t lock;
};

struct driver {
	const char *api_base, *db_path, *account;
	int max_retries, timeout;
	struct waits waits;
	char *key; /* guarded memory, as the vault hands it out */
	sqlite3 *db;
	struct stripe_client *client;
};

static void scaled_sleep(void *ctx, double seconds, const atomic_bool *cancel)
{
	struct waits *w = ctx;
	pthread_mutex_lock(&w->lock);
	json_array_append_new(w->asked, json_real(seconds));
	pthread_mutex_unlock(&w->lock);
	double left = seconds * w->scale;
	while (left > 0 && !(cancel && atomic_load(cancel))) {
		double slice = left < 0.01 ? left : 0.01;
		struct timespec ts = {0, (long)(slice * 1e9)};
		nanosleep(&ts, NULL);
		left -= slice;
	}
}

static void client_opts(struct driver *d, struct stripe_client_opts *o)
{
	memset(o, 0, sizeof *o);
	o->api_base = d->api_base;
	o->connect_timeout = 5;
	o->timeout = d->timeout;
	o->retry = stripe_retry_policy_default(d->max_retries);
	o->sleep = scaled_sleep;
	o->sleep_ctx = &d->waits;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *outcome_name(enum stripe_outcome o)
{
	static const char *const names[] = {"ok",       "api_error", "network",
	                                    "bad_body", "cancelled", "refused"};
	return (unsigned)o <= STRIPE_OUTCOME_REFUSED ? names[o] : "?";
}

static json_t *response_json(const struct stripe_response *r)
{
	json_t *o = json_pack("{s:s, s:i, s:o, s:i, s:b, s:b, s:s, s:f}", "outcome",
	                      outcome_name(r->outcome), "http_status", (json_int_t)r->http_status,
	                      "request_id", str_or_null(r->request_id), "attempts", r->attempts,
	                      "maybe_executed", r->maybe_executed, "replayed", r->replayed,
	                      "idempotency_key", r->idempotency_key, "waited", r->waited);
	if (r->outcome != STRIPE_OUTCOME_OK) {
		const struct stripe_error *e = &r->error;
		json_object_set_new(
		    o, "error",
		    json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "http_status",
		              (json_int_t)e->http_status, "type", str_or_null(e->type), "code",
		              str_or_null(e->code), "decline_code", str_or_null(e->decline_code),
		              "param", str_or_null(e->param), "message", str_or_null(e->message),
		              "request_id", str_or_null(e->request_id)));
	}
	return o;
}

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(o);
}

/* One outbox-backed call, printed with what the outbox row says after it. */
static int run_step(struct driver *d, const char *step, const struct outbox_call *call,
                    const atomic_bool *cancel, char **object_id)
{
	int64_t id;
	enum outbox_state state;
	struct stripe_response resp;
	struct pd_error err;
	pd_error_clear(&err);
	int rc = outbox_send(d->db, d->client, d->key, call, cancel, &id, &state, &resp, &err);
	json_t *o = response_json(&resp);
	json_object_set_new(o, "step", json_string(step));
	json_object_set_new(o, "message", json_string(rc ? err.msg : ""));
	struct outbox_row row;
	if (id && outbox_get(d->db, id, &row, NULL) == PD_OK) {
		json_object_set_new(
		    o, "outbox",
		    json_pack(
		        "{s:I, s:s, s:i, s:i, s:o, s:o, s:o, s:o, s:s}", "id", (json_int_t)row.id,
		        "state", outbox_state_name(row.state), "attempts", row.attempts,
		        "http_status", (int)row.http_status, "object_id",
		        str_or_null(row.object_id), "object_status", str_or_null(row.object_status),
		        "request_id", str_or_null(row.request_id), "decline_code",
		        str_or_null(row.decline_code), "idempotency_key", row.idempotency_key));
		if (object_id && row.object_id)
			*object_id = strdup(row.object_id);
		outbox_row_clear(&row);
	}
	print_json(o);
	int exit_rc = resp.outcome == STRIPE_OUTCOME_OK          ? 0
	              : resp.outcome == STRIPE_OUTCOME_API_ERROR ? 2
	                                                         : 1;
	stripe_response_clear(&resp);
	return exit_rc;
}

static int cmd_pay(struct driver *d, long amount, const char *currency, const char *confirm_pm)
{
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_int(p, "amount", amount);
	stripe_params_add(p, "currency", currency);
	stripe_params_add(p, "payment_method_types[]", "card");
	stripe_params_add(p, "description", "Haircut & wash = 1 visit");
	stripe_params_add(p, "metadata[appointment_id]", "A-1");
	struct outbox_call call = {STRIPE_POST, "/v1/payment_intents", p, d->account};
	char *pi = NULL;
	int rc = run_step(d, "create", &call, NULL, &pi);
	stripe_params_free(&p);
	if (rc || !confirm_pm || !pi) {
		free(pi);
		return rc;
	}
	char path[256];
	snprintf(path, sizeof path, "/v1/payment_intents/%s/confirm", pi);
	free(pi);
	p = stripe_params_new();
	stripe_params_add(p, "payment_method", confirm_pm);
	struct outbox_call confirm = {STRIPE_POST, path, p, d->account};
	rc = run_step(d, "confirm", &confirm, NULL, NULL);
	stripe_params_free(&p);
	return rc;
}

static int cmd_recover(struct driver *d)
{
	struct outbox_resolution *list;
	size_t n;
	struct pd_error err;
	int rc = outbox_recover(d->db, d->client, d->key, NULL, &list, &n, &err);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s}", "id",
		                   (json_int_t)list[i].id, "method", list[i].method, "path",
		                   list[i].path, "before", outbox_state_name(list[i].before),
		                   "after", outbox_state_name(list[i].after), "object_id",
		                   str_or_null(list[i].object_id), "message", list[i].message));
	print_json(json_pack("{s:o, s:s}", "resolved", arr, "error", rc ? err.msg : ""));
	outbox_resolutions_free(&list, n);
	return rc ? 1 : 0;
}

static int cmd_get(struct driver *d, const char *path)
{
	struct stripe_request req = {
	    .method = STRIPE_GET, .path = path, .key = d->key, .account = d->account};
	struct stripe_response resp;
	struct pd_error err;
	pd_error_clear(&err);
	int rc = stripe_client_send(d->client, &req, &resp, &err);
	json_t *o = response_json(&resp);
	json_object_set_new(o, "message", json_string(rc ? err.msg : ""));
	if (resp.json)
		json_object_set(o, "body", resp.json);
	print_json(o);
	int exit_rc = resp.outcome == STRIPE_OUTCOME_OK          ? 0
	              : resp.outcome == STRIPE_OUTCOME_API_ERROR ? 2
	                                                         : 1;
	stripe_response_clear(&resp);
	return exit_rc;
}

/* -- lanes: jobs on workers ---------------------------------------------------------------- */

struct job_arg {
	struct driver *d;
	const char *path;
};

static enum jobs_status job_get(struct jobs_ctx *ctx, void *p, char *result, size_t size)
{
	struct job_arg *a = p;
	struct stripe_request req = {
	    .method = STRIPE_GET, .path = a->path, .key = a->d->key, .cancel = ctx->cancel};
	struct stripe_response resp;
	int rc = stripe_client_send(ctx->client, &req, &resp, NULL);
	snprintf(result, size, "%s HTTP %ld", outcome_name(resp.outcome), resp.http_status);
	enum jobs_status st = resp.outcome == STRIPE_OUTCOME_CANCELLED ? JOBS_CANCELLED
	                      : rc                                     ? JOBS_FAILED
	                                                               : JOBS_DONE;
	stripe_response_clear(&resp);
	return st;
}

static enum jobs_status job_pay(struct jobs_ctx *ctx, void *p, char *result, size_t size)
{
	struct job_arg *a = p;
	struct stripe_params *params = stripe_params_new();
	stripe_params_add_int(params, "amount", 700);
	stripe_params_add(params, "currency", "usd");
	struct outbox_call call = {STRIPE_POST, "/v1/payment_intents", params, NULL};
	int64_t id;
	enum outbox_state state;
	struct stripe_response resp;
	outbox_send(ctx->db, ctx->client, a->d->key, &call, ctx->cancel, &id, &state, &resp, NULL);
	snprintf(result, size, "outbox %lld %s", (long long)id, outbox_state_name(state));
	stripe_response_clear(&resp);
	stripe_params_free(&params);
	return state == OUTBOX_DONE       ? JOBS_DONE
	       : state == OUTBOX_UNKNOWN  ? JOBS_RECONCILE
	       : atomic_load(ctx->cancel) ? JOBS_CANCELLED
	                                  : JOBS_FAILED;
}

struct order {
	json_t *list;
	uint64_t pay_id;
	bool pay_done;
	size_t count;
};

static void on_completion(void *ctx, const struct jobs_completion *c)
{
	struct order *o = ctx;
	json_array_append_new(
	    o->list, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)c->id, "lane",
	                       c->lane == JOBS_INTERACTIVE ? "interactive" : "background", "status",
	                       jobs_status_name(c->status), "result", c->result));
	if (c->id == o->pay_id)
		o->pay_done = true;
	o->count++;
}

static void pump(struct jobs *j, struct order *o, size_t until_count, bool until_pay)
{
	for (int i = 0; i < 3000; i++) {
		if (until_pay ? o->pay_done : o->count >= until_count)
			return;
		struct pollfd pfd = {.fd = jobs_wake_fd(j), .events = POLLIN};
		if (poll(&pfd, 1, 10) > 0)
			jobs_drain(j, on_completion, o);
	}
}

static int cmd_lanes(struct driver *d, const char *slow)
{
	struct jobs_opts o = {.db_path = d->db_path, .workers = 2};
	client_opts(d, &o.client);
	struct jobs *j;
	struct pd_error err;
	if (jobs_start(&o, &j, &err)) {
		fprintf(stderr, "stripe_driver: %s\n", err.msg);
		return 1;
	}
	struct job_arg slow_arg = {d, slow}, pay_arg = {d, NULL};
	uint64_t bg[3];
	for (int i = 0; i < 3; i++)
		bg[i] = jobs_submit(j, JOBS_BACKGROUND, job_get, &slow_arg, NULL);
	/* Let the first background request reach the server before the payment. */
	struct timespec ts = {0, 200 * 1000000L};
	nanosleep(&ts, NULL);
	struct order ord = {json_array(), 0, false, 0};
	size_t pending_before = jobs_pending(j);
	ord.pay_id = jobs_submit(j, JOBS_INTERACTIVE, job_pay, &pay_arg, NULL);
	pump(j, &ord, 0, true);
	size_t pending_after_pay = jobs_pending(j);
	for (int i = 0; i < 3; i++)
		jobs_cancel(j, bg[i]);
	pump(j, &ord, 4, false);
	print_json(json_pack("{s:o, s:I, s:i, s:i}", "completions", ord.list, "pay_id",
	                     (json_int_t)ord.pay_id, "pending_before", (int)pending_before,
	                     "pending_after_pay", (int)pending_after_pay));
	jobs_stop(&j);
	return ord.count == 4 ? 0 : 1;
}

/* Whether outbox row id is in state "sent" (read on the driver's own connection). */
static bool row_is_sent(sqlite3 *db, int64_t id)
{
	struct outbox_row row;
	if (outbox_get(db, id, &row, NULL) != PD_OK)
		return false;
	bool sent = row.state == OUTBOX_SENT;
	outbox_row_clear(&row);
	return sent;
}

static int cmd_cancel_pay(struct driver *d)
{
	struct jobs_opts o = {.db_path = d->db_path, .workers = 2};
	client_opts(d, &o.client);
	struct jobs *j;
	struct pd_error err;
	if (jobs_start(&o, &j, &err)) {
		fprintf(stderr, "stripe_driver: %s\n", err.msg);
		return 1;
	}
	struct job_arg pay_arg = {d, NULL};
	struct order ord = {json_array(), 0, false, 0};
	ord.pay_id = jobs_submit(j, JOBS_INTERACTIVE, job_pay, &pay_arg, NULL);
	struct timespec tick = {0, 5 * 1000000L}, settle = {0, 200 * 1000000L};
	for (int i = 0; i < 2000 && !row_is_sent(d->db, 1); i++)
		nanosleep(&tick, NULL);
	nanosleep(&settle, &settle); /* the body reaches the server well within this */
	int cancel_rc = jobs_cancel(j, ord.pay_id);
	pump(j, &ord, 1, true);
	print_json(json_pack("{s:o, s:i}", "completions", ord.list, "cancel_rc", cancel_rc));
	jobs_stop(&j);
	return ord.pay_done ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: stripe_driver --api-base URL --db PATH [--log PATH] [--account ACCT]"
	        " [--max-retries N] [--timeout S] [--sleep-scale F]"
	        " pay [--amount N] [--currency C] [--confirm PM] | recover | get PATH |"
	        " lanes --slow PATH | cancel-pay\n");
}

int main(int argc, char **argv)
{
	struct driver d = {.max_retries = 3, .timeout = 10};
	d.waits.scale = 1.0;
	const char *log_path = NULL, *currency = "usd", *confirm_pm = NULL, *slow = "/v1/balance";
	long amount = 500;
	static const struct option opts[] = {
	    {"api-base", required_argument, NULL, 'b'},
	    {"db", required_argument, NULL, 'd'},
	    {"log", required_argument, NULL, 'l'},
	    {"account", required_argument, NULL, 'A'},
	    {"max-retries", required_argument, NULL, 'r'},
	    {"timeout", required_argument, NULL, 't'},
	    {"sleep-scale", required_argument, NULL, 's'},
	    {"amount", required_argument, NULL, 'a'},
	    {"currency", required_argument, NULL, 'c'},
	    {"confirm", required_argument, NULL, 'C'},
	    {"slow", required_argument, NULL, 'S'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			d.api_base = optarg;
			break;
		case 'd':
			d.db_path = optarg;
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'A':
			d.account = optarg;
			break;
		case 'r':
			d.max_retries = atoi(optarg);
			break;
		case 't':
			d.timeout = atoi(optarg);
			break;
		case 's':
			d.waits.scale = atof(optarg);
			break;
		case 'a':
			amount = atol(optarg);
			break;
		case 'c':
			currency = optarg;
			break;
		case 'C':
			confirm_pm = optarg;
			break;
		case 'S':
			slow = optarg;
			break;
		default:
			usage();
			return 1;
		}
	}
	const char *env_key = getenv("PAYDESK_TEST_STRIPE_KEY");
	if (!d.api_base || !d.db_path || optind >= argc || !env_key) {
		usage();
		return 1;
	}
	const char *cmd = argv[optind];
	struct pd_error err;
	if (sodium_init() < 0 || (log_path && log_open(log_path, LOG_DEBUG, &err))) {
		fprintf(stderr, "stripe_driver: cannot start\n");
		return 1;
	}
	d.key = sodium_malloc(strlen(env_key) + 1);
	strcpy(d.key, env_key);
	d.waits.asked = json_array();
	pthread_mutex_init(&d.waits.lock, NULL);
	struct stripe_client_opts o;
	client_opts(&d, &o);
	int rc = 1;
	if (db_open(d.db_path, &d.db, &err) || stripe_client_new(&o, &d.client, &err)) {
		fprintf(stderr, "stripe_driver: %s\n", err.msg);
	} else if (strcmp(cmd, "pay") == 0) {
		rc = cmd_pay(&d, amount, currency, confirm_pm);
	} else if (strcmp(cmd, "recover") == 0) {
		rc = cmd_recover(&d);
	} else if (strcmp(cmd, "get") == 0 && optind + 1 < argc) {
		rc = cmd_get(&d, argv[optind + 1]);
	} else if (strcmp(cmd, "lanes") == 0) {
		rc = cmd_lanes(&d, slow);
	} else if (strcmp(cmd, "cancel-pay") == 0) {
		rc = cmd_cancel_pay(&d);
	} else {
		usage();
	}
	print_json(json_pack("{s:O}", "waits_asked", d.waits.asked));
	json_decref(d.waits.asked);
	pthread_mutex_destroy(&d.waits.lock);
	stripe_client_free(&d.client);
	db_close(&d.db);
	sodium_free(d.key);
	log_close();
	return rc;
}
