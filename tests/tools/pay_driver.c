/* Test-only driver: runs paydesk's payment use cases (src/app/payments*.c,
 * customers.c) against --api-base (the fake Stripe) on a real store and
 * prints one JSON object per command for tests/integration/test_payments.py.
 *
 *   pay_driver --api-base URL --db PATH [--log PATH] [--user NAME] [--role admin|staff]
 *              COMMAND [ARGS] [--amount N] [--pm ID] [--reader ID] [--reason R]
 *              [--poll S] [--max N]
 *   settings KEY VALUE        a setting (payment_at_booking, bill_with_stripe, …)
 *   client NAME EMAIL         a client billed with Stripe (prints its id)
 *   book CLIENT [PRICE CUR]   a booking tomorrow (then payments_after_booking)
 *   sync CLIENT | cards CLIENT | save-card CLIENT | save-card-check CLIENT
 *   card APPT | link APPT | link-check APPT | reader APPT | reader-check APPT
 *   reader-cancel APPT | refund APPT | cancel APPT | show APPT
 *   watch-link APPT | watch-reader APPT   the background job chain, until it stops
 *   job-card APPT             the card payment as a worker job
 *   recover APPT              start-up recovery (outbox, then payments_recover)
 *   history-refund APPT PI    the payment PI, read from Stripe into the billing
 *                             history, refunded from there (history_refund)
 *   queue APPT [--amount N] [--pm ID]  queue a saved-card charge (charge_queue_add)
 *   queue-send Q | job-queue-send Q    send queued charge Q (inline / as the worker job)
 *   queue-drop Q REASON       drop it;  queue-list   the charges still queued
 *   policy NOSHOW LATE [HOURS [CUR]]  the business default policy (fees as typed:
 *                             "20%", "15.00", "none"; cancellation window in hours)
 *   no-show APPT | close-cancel APPT [--amount KEPT] | undo APPT   booking_close / undo
 *   fees [all] | fee F | fee-charge F | fee-link F | fee-expire F | fee-waive F --reason R
 *   fee-amount F AMOUNT --reason R     the fees queue (app/fees.c)
 *   accept APPT desk|phone    the booking policy accepted (policy_after_booking)
 *   cancel-plan APPT HOURS    what cancelling HOURS before the start does (policy_cancel_plan)
 *   cancel-policy APPT HOURS  cancel then by the policy (policy_cancel)
 * The key comes from PAYDESK_TEST_STRIPE_KEY (none: Stripe is "locked").
 * Exit: 0 ok, 1 the use case refused or failed. */
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/booking.h"
#include "paydesk/booking_policy.h"
#include "paydesk/charge_queue.h"
#include "paydesk/clients.h"
#include "paydesk/customers.h"
#include "paydesk/fees.h"
#include "paydesk/money.h"
#include "paydesk/policies.h"
#include "paydesk/db.h"
#include "paydesk/history.h"
#include "paydesk/history_refund.h"
#include "paydesk/jobs.h"
#include "paydesk/log.h"
#include "paydesk/outbox_runner.h"
#include "paydesk/payments.h"
#include "paydesk/payments_desk.h"
#include "paydesk/readers.h"
#include "paydesk/stripe_account.h"
#include "paydesk/payments_job.h"
#include "paydesk/payments_store.h"
#include "paydesk/services.h"
#include "paydesk/settings.h"
#include "paydesk/staff.h"
#include "paydesk/users.h"
#include "paydesk/tz.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *appointment_json(sqlite3 *db, int64_t id)
{
	struct appointment a;
	if (appointments_get(db, id, &a, NULL) != PD_OK)
		return json_null();
	json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:s, s:o, s:o, s:o, s:I}", "id",
			      (json_int_t)a.id, "state", appt_state_key(a.state), "payment",
			      appt_payment_key(a.payment), "amount", (json_int_t)a.amount,
			      "deposit", (json_int_t)a.deposit, "currency", a.currency,
			      "payment_intent_id", str_or_null(a.payment_intent_id),
			      "checkout_session_id", str_or_null(a.checkout_session_id),
			      "last_request_id", str_or_null(a.last_request_id), "version",
			      (json_int_t)a.version);
	appointment_free(&a);
	json_t *arr = json_array();
	struct pay_attempt *rows;
	size_t n;
	if (payrows_list(db, id, &rows, &n, NULL) == PD_OK) {
		for (size_t i = 0; i < n; i++)
			json_array_append_new(
			    arr, json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:s, s:s}",
					   "method", payrow_method_key(rows[i].method), "status",
					   payrow_status_key(rows[i].status), "amount",
					   (json_int_t)rows[i].amount, "refunded",
					   (json_int_t)rows[i].refunded, "payment_intent_id",
					   str_or_null(rows[i].payment_intent_id),
					   "checkout_session_id",
					   str_or_null(rows[i].checkout_session_id), "url",
					   str_or_null(rows[i].url), "reader_id",
					   str_or_null(rows[i].reader_id), "request_id",
					   str_or_null(rows[i].request_id), "message",
					   rows[i].message ? rows[i].message : "", "actor",
					   rows[i].actor ? rows[i].actor : ""));
		pay_attempts_free_list(&rows, n);
	}
	json_object_set_new(o, "attempts", arr);
	return o;
}

static json_t *client_json(sqlite3 *db, int64_t id)
{
	struct client c;
	if (clients_get(db, id, &c, NULL) != PD_OK)
		return json_null();
	json_t *cards = json_array();
	struct client_card *cc;
	size_t n;
	if (client_cards_list(db, id, &cc, &n, NULL) == PD_OK) {
		for (size_t i = 0; i < n; i++)
			json_array_append_new(
			    cards, json_pack("{s:s, s:s, s:s, s:i, s:i}", "id", cc[i].payment_method_id,
					     "brand", cc[i].brand, "last4", cc[i].last4, "exp_month",
					     cc[i].exp_month, "exp_year", cc[i].exp_year));
		free(cc);
	}
	json_t *o = json_pack("{s:I, s:s, s:o, s:o}", "id", (json_int_t)c.id, "name", c.name,
			      "customer", str_or_null(c.stripe_customer_id), "cards", cards);
	client_free(&c);
	return o;
}

static void print(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(o);
}

static int report(int rc, const struct pd_error *err, const struct pay_result *r, json_t *subject)
{
	json_t *o = json_pack("{s:i, s:s, s:o}", "rc", rc, "error", rc ? err->msg : "", "subject",
			      subject);
	if (r)
		json_object_set_new(
		    o, "result",
		    json_pack("{s:s, s:s, s:b, s:b, s:s, s:s, s:s, s:s}", "state",
			      appt_state_key(r->state), "payment", appt_payment_key(r->payment),
			      "done", r->done, "offer_link", r->offer_link, "object_id", r->object_id,
			      "request_id", r->request_id, "url", r->url, "message", r->message));
	print(o);
	return rc ? 1 : 0;
}

static json_t *queued_json(const struct queued_charge *q)
{
	return json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "id",
			 (json_int_t)q->id, "appointment_id", (json_int_t)q->appointment_id, "state",
			 qcharge_state_key(q->state), "amount", (json_int_t)q->amount, "currency",
			 q->currency, "payment_method", q->payment_method, "queued_by", q->queued_by,
			 "done_by", q->done_by, "reason", q->reason, "card", q->card, "payment_row",
			 (json_int_t)q->payment_row, "client", q->client);
}

static json_t *queue_json(sqlite3 *db, int64_t id)
{
	struct queued_charge q;
	if (qcharges_get(db, id, &q, NULL) != PD_OK)
		return json_null();
	json_t *o = queued_json(&q);
	json_object_set_new(o, "appointment", appointment_json(db, q.appointment_id));
	return o;
}

static int64_t book(sqlite3 *db, int64_t client, int64_t price, const char *cur,
		    const struct session *who, struct pd_error *err)
{
	struct staff sf;
	int64_t staff_id, service_id = 0;
	if (staff_find_name(db, "Alex", &sf, NULL) == PD_OK) {
		staff_id = sf.id;
	} else {
		struct staff_input si = {.name = "Alex", .active = true};
		if (staff_hours_parse("mon-sun 07:00-21:00", &si.hours, err) ||
		    staff_insert(db, &si, &staff_id, err))
			return 0;
	}
	struct service *list;
	size_t n;
	if (services_list(db, false, &list, &n, err))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (list[i].price == price && strcmp(list[i].currency, cur) == 0)
			service_id = list[i].id;
	free(list);
	if (!service_id) {
		char name[64];
		snprintf(name, sizeof name, "Haircut %lld", (long long)price);
		struct service_input in = {.name = name, .duration_min = 15, .price = price,
					   .currency = cur, .active = true};
		if (services_insert(db, &in, &service_id, err))
			return 0;
	}
	sqlite3_stmt *st;
	int64_t count = 0;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM appointments", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	int y, m, d;
	tz_today(&y, &m, &d);
	tz_date_add(&y, &m, &d, 1 + (int)(count / 48));
	int64_t start;
	bool amb;
	int slot = (int)(count % 48);
	if (tz_from_civil(y, m, d, 8 + slot / 4, (slot % 4) * 15, &start, &amb, err))
		return 0;
	struct booking_request req = {.who = who, .client_id = client, .service_id = service_id,
				      .staff_id = staff_id, .starts_at = start, .notes = ""};
	int64_t id;
	if (booking_create(db, &req, &id, err) || payments_after_booking(db, who, id, err))
		return 0;
	return id;
}

static json_t *fee_json(sqlite3 *db, int64_t id)
{
	struct appt_fee f;
	if (fees_get(db, id, &f, NULL) != PD_OK)
		return json_null();
	char ago[48];
	fee_visit_ago(f.visit_at, (int64_t)time(NULL), ago, sizeof ago);
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s,"
			      " s:i, s:s, s:s, s:s}",
			      "id", (json_int_t)f.id, "appointment", (json_int_t)f.appointment_id,
			      "kind", fee_kind_key(f.kind), "state", fee_state_key(f.state),
			      "amount", (json_int_t)f.amount, "policy_amount",
			      (json_int_t)f.policy_amount, "currency", f.currency, "reason", f.reason,
			      "message", f.message, "policy_version", (json_int_t)f.policy_version,
			      "payment_intent", f.payment_intent_id, "pay_link", f.pay_link_url,
			      "checkout_session", f.checkout_session_id, "attempts", f.attempts,
			      "updated_by", f.updated_by, "visit", ago, "client", f.client);
	return o;
}

/* The fees queue and what feeds it; 0 when cmd is not one of these. */
static int fee_command(sqlite3 *db, const struct pay_env *e, const char *cmd, const char *arg1,
		       const char *arg2, const char *arg3, const char *arg4, const char *reason,
		       int64_t amount, int *out)
{
	struct pd_error err = {0};
	struct pay_result r;
	memset(&r, 0, sizeof r);
	int64_t id = atoll(arg1);
	int rc;
	if (strcmp(cmd, "policy") == 0) {
		struct booking_policy p;
		policy_none(&p);
		const char *cur = *arg4 ? arg4 : "usd";
		snprintf(p.currency, sizeof p.currency, "%s", cur);
		rc = policy_amount_parse(arg1, cur, &p.no_show_fee, &err);
		if (!rc)
			rc = policy_amount_parse(arg2, cur, &p.late_fee, &err);
		p.cancel_window_hours = *arg3 ? atoi(arg3) : 24;
		if (!rc)
			rc = policy_set(db, e->who, &p, &err);
		*out = report(rc, &err, NULL, json_pack("{s:I}", "version", (json_int_t)p.version));
	} else if (strcmp(cmd, "no-show") == 0 || strcmp(cmd, "close-cancel") == 0 ||
		   strcmp(cmd, "undo") == 0) {
		struct appointment a;
		rc = appointments_get(db, id, &a, &err);
		if (!rc) {
			int64_t v = a.version;
			char cur[4];
			snprintf(cur, sizeof cur, "%s", a.currency);
			appointment_free(&a);
			rc = strcmp(cmd, "undo") == 0
				     ? booking_undo_state(db, e->who, id, v, NULL, &err)
				     : booking_close(db, e->who, id, v,
						     cmd[0] == 'n' ? APPT_NO_SHOW : APPT_CANCELLED,
						     amount, cur, &err);
		}
		struct appt_fee f;
		int64_t fid = fees_live_for(db, id, &f, NULL) == PD_OK ? f.id : 0;
		*out = report(rc, &err, NULL, fid ? fee_json(db, fid) : json_null());
	} else if (strcmp(cmd, "fees") == 0) {
		struct appt_fee *list = NULL;
		size_t n = 0;
		rc = fees_list(db, strcmp(arg1, "all") == 0, &list, &n, &err);
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, fee_json(db, list[i].id));
		free(list);
		*out = report(rc, &err, NULL, arr);
	} else if (strcmp(cmd, "fee") == 0) {
		*out = report(PD_OK, &err, NULL, fee_json(db, id));
	} else if (strcmp(cmd, "fee-charge") == 0 || strcmp(cmd, "fee-link") == 0) {
		rc = cmd[4] == 'c' ? fees_charge(e, id, &r, &err) : fees_pay_link(e, id, &r, &err);
		*out = report(rc, &err, &r, fee_json(db, id));
	} else if (strcmp(cmd, "fee-expire") == 0) {
		rc = fees_expire_link(e, id, &r, &err);
		*out = report(rc, &err, &r, fee_json(db, id));
	} else if (strcmp(cmd, "fee-waive") == 0) {
		rc = fees_waive(db, e->who, id, reason, &err);
		*out = report(rc, &err, NULL, fee_json(db, id));
	} else if (strcmp(cmd, "fee-amount") == 0) {
		struct appt_fee f;
		int64_t minor = 0;
		rc = fees_get(db, id, &f, &err);
		if (!rc)
			rc = money_parse(arg2, f.currency, &minor, &err);
		if (!rc)
			rc = fees_set_amount(db, e->who, id, minor, reason, &err);
		*out = report(rc, &err, NULL, fee_json(db, id));
	} else {
		return 0;
	}
	return 1;
}

struct run {
	const char *api_base, *db_path;
	struct session who;
	char *key;
	int64_t amount;
	const char *pm, *reader, *reason;
	int64_t tip; /* --tip: typed at the desk */
	double poll;
	int max;
};

static void on_done(void *ctx, const struct jobs_completion *c)
{
	json_t *arr = ctx;
	json_array_append_new(arr, json_pack("{s:s, s:s}", "status", jobs_status_name(c->status),
					     "result", c->result));
}

/* Run one job (and whatever it queues) until the pool is idle. */
static int run_jobs(struct run *R, sqlite3 *db, const struct pay_job_request *req, int64_t id,
		    bool client)
{
	struct jobs_opts o = {.db_path = R->db_path, .workers = 2};
	o.client.api_base = R->api_base;
	o.client.connect_timeout = 5;
	o.client.timeout = 20;
	o.client.retry = stripe_retry_policy_default(1);
	struct jobs *jobs;
	struct pd_error err = {0};
	if (jobs_start(&o, &jobs, &err))
		return report(PD_ERR, &err, NULL, json_null());
	json_t *done = json_array();
	if (!payments_job_submit(jobs, req, R->key, &R->who)) {
		jobs_stop(&jobs);
		pd_error_set(&err, PD_ERR, "not queued");
		return report(PD_ERR, &err, NULL, done);
	}
	time_t end = time(NULL) + 60;
	while (time(NULL) < end) {
		struct pollfd p = {jobs_wake_fd(jobs), POLLIN, 0};
		poll(&p, 1, 100);
		jobs_drain(jobs, on_done, done);
		if (jobs_outstanding(jobs) == 0) /* a watch's next poll waits delayed */
			break;
	}
	jobs_drain(jobs, on_done, done);
	jobs_stop(&jobs);
	print(json_pack("{s:i, s:s, s:o, s:o}", "rc", 0, "error", "", "completions", done,
			"subject", client ? client_json(db, id) : appointment_json(db, id)));
	return 0;
}

/* The billing history as a sync would leave it for one payment, then the
 * History tab's refund of it. */
static int history_refund_of(const struct pay_env *e, const char *pi, const struct run *R,
			     struct pay_result *r, struct pd_error *err)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s", pi);
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "expand[]", "latest_charge.balance_transaction");
	struct stripe_request req = {.method = STRIPE_GET, .path = path, .params = p,
				     .key = e->key};
	struct stripe_response resp;
	int rc = stripe_client_send(e->client, &req, &resp, err);
	stripe_params_free(&p);
	if (!rc) {
		json_t *page = json_pack("{s:s, s:[O]}", "object", "list", "data", resp.json);
		rc = history_ingest_page(e->db, page, NULL, NULL, NULL, NULL, err);
		json_decref(page);
	}
	stripe_response_clear(&resp);
	sqlite3_stmt *st = NULL;
	int64_t row = 0;
	if (!rc && sqlite3_prepare_v2(e->db, "SELECT id FROM history WHERE stripe_id = ?", -1, &st,
				      NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, pi, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			row = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (!rc && !row)
		rc = pd_error_set(err, PD_ERR_NOT_FOUND, "%s is not in the history", pi);
	return rc ? rc : history_refund(e, row, R->amount, R->reason, r, err);
}

#include "pay_driver_money.h"

int main(int argc, char **argv)
{
	struct run R = {.reason = "requested_by_customer", .poll = 0.05, .max = 200};
	const char *log_path = NULL, *role = "admin", *user = "desk";
	static const struct option opts[] = {
	    {"api-base", required_argument, NULL, 'a'}, {"db", required_argument, NULL, 'd'},
	    {"log", required_argument, NULL, 'l'},      {"user", required_argument, NULL, 'u'},
	    {"role", required_argument, NULL, 'r'},     {"amount", required_argument, NULL, 'A'},
	    {"pm", required_argument, NULL, 'P'},       {"reader", required_argument, NULL, 'R'},
	    {"reason", required_argument, NULL, 'W'},   {"poll", required_argument, NULL, 'p'},
	    {"max", required_argument, NULL, 'm'},      {"tip", required_argument, NULL, 'T'},
	    {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': R.api_base = optarg; break;
		case 'd': R.db_path = optarg; break;
		case 'l': log_path = optarg; break;
		case 'u': user = optarg; break;
		case 'r': role = optarg; break;
		case 'A': R.amount = atoll(optarg); break;
		case 'P': R.pm = optarg; break;
		case 'R': R.reader = optarg; break;
		case 'W': R.reason = optarg; break;
		case 'p': R.poll = atof(optarg); break;
		case 'm': R.max = atoi(optarg); break;
		case 'T': R.tip = atoll(optarg); break;
		default: return 2;
		}
	}
	if (!R.db_path || optind >= argc) {
		fprintf(stderr, "usage: pay_driver --api-base URL --db PATH COMMAND …\n");
		return 2;
	}
	const char *cmd = argv[optind];
	const char *arg1 = optind + 1 < argc ? argv[optind + 1] : "";
	const char *arg2 = optind + 2 < argc ? argv[optind + 2] : "";
	const char *arg3 = optind + 3 < argc ? argv[optind + 3] : "";
	if (sodium_init() < 0)
		return 1;
	if (log_path)
		log_open(log_path, LOG_DEBUG, NULL);
	R.who.signed_in = true;
	R.who.user_id = 0;
	snprintf(R.who.name, sizeof R.who.name, "%s", user);
	R.who.role = strcmp(role, "staff") == 0 ? ROLE_STAFF : ROLE_ADMIN;
	const char *env_key = getenv("PAYDESK_TEST_STRIPE_KEY");
	if (env_key && *env_key) {
		R.key = sodium_malloc(strlen(env_key) + 1);
		memcpy(R.key, env_key, strlen(env_key) + 1);
	}
	struct pd_error err = {0};
	sqlite3 *db;
	if (db_open(R.db_path, &db, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	struct stripe_client *client = NULL;
	if (R.api_base) {
		struct stripe_client_opts o = {.api_base = R.api_base, .connect_timeout = 5,
					       .timeout = 20,
					       .retry = stripe_retry_policy_default(1)};
		if (stripe_client_new(&o, &client, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
	}
	/* A user of exactly that name signs the actions as they would (their id,
	 * their role as stored); otherwise an unstored session of the given role
	 * (the default "sam" is not the stored staff member "Sam"). */
	struct user stored;
	if (users_get(db, user, &stored, NULL) == PD_OK && strcmp(stored.name, user) == 0) {
		R.who.user_id = stored.id;
		R.who.role = stored.role;
	}
	struct pay_env e = {.db = db, .client = client, .key = R.key, .who = &R.who, .tip = R.tip};
	struct pay_result r;
	memset(&r, 0, sizeof r);
	int64_t id = atoll(arg1);
	int rc, out;
	struct pay_job_request jq = {.id = id, .amount = R.amount, .poll_seconds = R.poll,
				     .poll_max = R.max, .tip = R.tip};
	if (money_command(cmd, &e, id, arg2, arg3, R.amount, &out)) {
		/* pay_driver_money.h */
	} else if (strcmp(cmd, "settings") == 0) {
		rc = settings_set(db, arg1, arg2, &err);
		out = report(rc, &err, NULL, json_null());
	} else if (strcmp(cmd, "client") == 0) {
		struct client_input in = {.name = arg1, .email = arg2, .phone = "", .notes = "",
					  .bill_with_stripe = true};
		int64_t cid = 0;
		rc = clients_insert(db, &in, &cid, &err);
		out = report(rc, &err, NULL, rc ? json_null() : client_json(db, cid));
	} else if (strcmp(cmd, "book") == 0) {
		int64_t price = *arg2 ? atoll(arg2) : 4000;
		int64_t aid = book(db, id, price, *arg3 ? arg3 : "usd", &R.who, &err);
		rc = aid ? PD_OK : (err.code ? err.code : PD_ERR);
		out = report(rc, &err, NULL, aid ? appointment_json(db, aid) : json_null());
	} else if (strcmp(cmd, "show") == 0) {
		out = report(PD_OK, &err, NULL, appointment_json(db, id));
	} else if (strcmp(cmd, "show-client") == 0) {
		out = report(PD_OK, &err, NULL, client_json(db, id));
	} else if (strcmp(cmd, "sync") == 0) {
		rc = customers_sync(&e, id, &r, &err);
		out = report(rc, &err, &r, client_json(db, id));
	} else if (strcmp(cmd, "cards") == 0) {
		rc = customers_cards_refresh(&e, id, &r, &err);
		out = report(rc, &err, &r, client_json(db, id));
	} else if (strcmp(cmd, "save-card") == 0) {
		rc = customers_save_card_link(&e, id, &r, &err);
		out = report(rc, &err, &r, client_json(db, id));
	} else if (strcmp(cmd, "save-card-check") == 0) {
		rc = customers_save_card_check(&e, id, &r, &err);
		out = report(rc, &err, &r, client_json(db, id));
	} else if (strcmp(cmd, "reader-hold") == 0) {
		rc = customers_reader_hold_start(&e, id, atoll(arg2), R.reader, &r, &err);
		out = report(rc, &err, &r, client_json(db, id));
	} else if (strcmp(cmd, "reader-hold-check") == 0) {
		rc = customers_reader_hold_check(&e, id, &r, &err);
		out = report(rc, &err, &r, client_json(db, id));
	} else if (strcmp(cmd, "reader-hold-cancel") == 0) {
		rc = customers_reader_hold_cancel(&e, id, &r, &err);
		out = report(rc, &err, &r, client_json(db, id));
	} else if (strcmp(cmd, "card") == 0) {
		rc = payments_charge_card(&e, id, R.amount, R.pm, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "link") == 0) {
		rc = payments_link_create(&e, id, R.amount, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "link-check") == 0) {
		rc = payments_link_check(&e, id, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "reader") == 0) {
		rc = payments_reader_start(&e, id, R.amount, R.reader, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "reader-check") == 0) {
		rc = payments_reader_check(&e, id, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "account") == 0) { /* the connected account's mode: test | live */
		struct stripe_account_row acct = {.account_id = "acct_1FakePlatform000"};
		snprintf(acct.mode, sizeof acct.mode, "%s", arg1);
		rc = stripe_account_save(db, &acct, &err);
		out = report(rc, &err, NULL, json_null());
	} else if (strcmp(cmd, "reader-tap") == 0) {
		rc = readers_tap(&e, id, arg2, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "reader-cancel") == 0) {
		rc = payments_reader_cancel(&e, id, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "recheck") == 0) {
		rc = payments_recheck(&e, id, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "refund") == 0) {
		rc = payments_refund(&e, id, R.amount, R.reason, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "cancel") == 0) {
		struct appointment a;
		int64_t version = 0;
		if (appointments_get(db, id, &a, NULL) == PD_OK) {
			version = a.version;
			appointment_free(&a);
		}
		rc = payments_cancel_appointment(&e, id, version, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "watch-link") == 0) {
		jq.op = PAY_OP_LINK_WATCH;
		out = run_jobs(&R, db, &jq, id, false);
	} else if (strcmp(cmd, "watch-reader") == 0) {
		jq.op = PAY_OP_READER_WATCH;
		out = run_jobs(&R, db, &jq, id, false);
	} else if (strcmp(cmd, "recover") == 0) {
		struct outbox_resolution *list = NULL;
		size_t n = 0, settled = 0, open = 0;
		rc = outbox_recover(db, client, R.key, NULL, &list, &n, &err);
		outbox_resolutions_free(&list, n);
		if (!rc)
			rc = payments_recover(&e, &settled, &open, &err);
		snprintf(r.message, sizeof r.message, "%zu calls, %zu payments recorded, %zu open", n,
			 settled, open);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "history-refund") == 0) {
		rc = history_refund_of(&e, arg2, &R, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "queue") == 0) {
		int64_t qid = 0;
		rc = charge_queue_add(db, &R.who, id, R.amount, R.pm, R.pm ? "given card" : NULL,
				      time(NULL), &qid, &r, &err);
		out = report(rc, &err, &r, rc ? appointment_json(db, id) : queue_json(db, qid));
	} else if (strcmp(cmd, "queue-send") == 0) {
		rc = charge_queue_send(&e, id, &r, &err);
		out = report(rc, &err, &r, queue_json(db, id));
	} else if (strcmp(cmd, "job-queue-send") == 0) {
		struct queued_charge q;
		jq.op = PAY_OP_CARD;
		jq.queued = id;
		jq.id = qcharges_get(db, id, &q, NULL) == PD_OK ? q.appointment_id : 0;
		out = run_jobs(&R, db, &jq, jq.id, false);
	} else if (strcmp(cmd, "queue-drop") == 0) {
		rc = charge_queue_drop(db, &R.who, id, arg2, &err);
		out = report(rc, &err, NULL, queue_json(db, id));
	} else if (strcmp(cmd, "queue-list") == 0) {
		struct queued_charge *list = NULL;
		size_t n = 0;
		rc = qcharges_list_open(db, &list, &n, &err);
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, queued_json(&list[i]));
		free(list);
		out = report(rc, &err, NULL, arr);
	} else if (strcmp(cmd, "desk-take") == 0) { /* ID cash|cheque|voucher|terminal */
		int m = payrow_method_from_key(arg2);
		rc = m >= 0 ? PD_OK : pd_error_set(&err, PD_ERR_USAGE, "tender?");
		if (!rc)
			rc = payments_desk_take(db, &R.who, id, (enum payrow_method)m, R.amount, arg3,
						&r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "desk-refund") == 0) {
		rc = payments_desk_refund(db, &R.who, id, R.amount, arg2, &r, &err);
		out = report(rc, &err, &r, appointment_json(db, id));
	} else if (strcmp(cmd, "job-card") == 0) {
		jq.op = PAY_OP_CARD;
		out = run_jobs(&R, db, &jq, id, false);
	} else if (fee_command(db, &e, cmd, arg1, arg2, arg3,
			       optind + 4 < argc ? argv[optind + 4] : "", R.reason, R.amount, &out)) {
	} else if (strcmp(cmd, "accept") == 0) {
		enum policy_accepted_how how = POLICY_AT_DESK;
		struct policy_ask ask;
		rc = policy_how_parse(arg2, &how, &err);
		if (!rc)
			rc = policy_after_booking(db, &R.who, id, how, &ask, &err);
		json_t *o = appointment_json(db, id);
		if (!rc) {
			char asked[160];
			json_object_set_new(o, "asked", json_string(policy_ask_text(&ask, asked,
										    sizeof asked)));
			json_object_set_new(o, "card", json_string(policy_card_word(&ask)));
		}
		out = report(rc, &err, NULL, o);
	} else if (strcmp(cmd, "cancel-plan") == 0 || strcmp(cmd, "cancel-policy") == 0) {
		struct appointment a;
		struct policy_cancel_plan plan = {0};
		rc = appointments_get(db, id, &a, &err);
		int64_t now = rc ? 0 : a.starts_at - (int64_t)(atof(arg2) * 3600);
		if (!rc)
			appointment_free(&a);
		if (!rc)
			rc = strcmp(cmd, "cancel-plan") == 0
				     ? policy_cancel_plan(db, id, now, &plan, &err)
				     : policy_cancel(&e, id, now, &plan, &r, &err);
		json_t *o = appointment_json(db, id);
		json_object_set_new(o, "plan",
				    json_pack("{s:b, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "late",
					      plan.late, "rule", policy_rule_name(plan.rule), "held",
					      (json_int_t)plan.held, "deposit",
					      (json_int_t)plan.deposit, "refund",
					      (json_int_t)plan.refund, "kept", (json_int_t)plan.kept,
					      "fee", (json_int_t)plan.fee, "fee_due",
					      (json_int_t)plan.fee_due));
		out = report(rc, &err, &r, o);
	} else {
		fprintf(stderr, "unknown command %s\n", cmd);
		out = 2;
	}
	stripe_client_free(&client);
	db_close(&db);
	if (R.key)
		sodium_free(R.key);
	return out;
}
