/* `paydesk subscriptions …`: client subscriptions for admins over SSH and
 * scripts: the local list (offline), sync, subscribe, change, cancel,
 * undo, pause and resume; a failed renewal retried or sent a card-update link. */
#include <ctype.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_io.h"
#include "paydesk/cli.h"
#include "paydesk/clients.h"
#include "paydesk/money.h"
#include "paydesk/plans.h"
#include "paydesk/subscriptions.h"
#include "plans_cli.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk subscriptions list [--status S|attention] [--plan PLAN] [--client C]\n"
	      "                                  [--all] [--json]    the local copy (offline)\n"
	      "       paydesk subscriptions sync                     re-read from Stripe\n"
	      "       paydesk subscriptions subscribe --client C --plan PLAN [--quantity N]\n"
	      "                [--trial-days N | --trial-until YYYY-MM-DD] [--invoice-days N]\n"
	      "                [--second]\n"
	      "       paydesk subscriptions preview SUB [--plan PLAN] [--quantity N]\n"
	      "       paydesk subscriptions change SUB [--plan PLAN] [--quantity N]\n"
	      "       paydesk subscriptions cancel SUB [--at-period-end]\n"
	      "       paydesk subscriptions undo-cancel|pause|resume|refresh SUB\n"
	      "       paydesk subscriptions retry SUB       pay a failed renewal's open invoice now\n"
	      "       paydesk subscriptions card-link SUB   a link for the client to save a new card\n"
	      "C: client number or email; PLAN: plan number or prod_…; SUB: number or sub_….\n"
	      "--invoice-days N emails an invoice due in N days instead of charging the saved\n"
	      "card. --second: the client already has this plan and a second one is meant.\n"
	      "Changes are for admins and need 'Bill clients with Stripe' on (cancel and\n"
	      "pause do not).\n"
	      "Common: [--passphrase-fd N]\n",
	      out);
}

static int find_client(sqlite3 *db, const char *arg, int64_t *id, struct pd_error *err)
{
	if (strchr(arg, '@')) {
		int rc = clients_find_email(db, arg, id, err);
		if (!rc && !*id)
			rc = pd_error_set(err, PD_ERR_NOT_FOUND, "no client has the email %s", arg);
		return rc;
	}
	int rc = cli_parse_id(arg, "--client", "a client number or an email", id, err);
	struct client c;
	if (!rc)
		rc = clients_get(db, *id, &c, err);
	if (!rc)
		client_free(&c);
	return rc;
}

static int find_plan(sqlite3 *db, const char *arg, int64_t *id, char *product, size_t plen,
		     struct pd_error *err)
{
	struct plan p;
	int64_t n = 0;
	int rc = strncmp(arg, "prod_", 5) == 0
			 ? plans_store_find(db, arg, &p, err)
			 : cli_parse_id(arg, "--plan", "a plan number or a prod_… id", &n, err);
	if (!rc && n)
		rc = plans_store_get(db, n, &p, err);
	if (!rc) {
		*id = p.id;
		if (product)
			snprintf(product, plen, "%s", p.product_id);
		plan_free(&p);
	}
	return rc;
}

static int find_sub(sqlite3 *db, const char *arg, int64_t *id, struct pd_error *err)
{
	struct subscription s;
	int64_t n = 0;
	int rc = strncmp(arg, "sub_", 4) == 0
			 ? subs_store_find(db, arg, &s, err)
			 : cli_parse_id(arg, "SUB", "a subscription number or a sub_… id", &n, err);
	if (!rc && n)
		rc = subs_store_get(db, n, &s, err);
	if (!rc) {
		*id = s.id;
		subscription_free(&s);
	}
	return rc;
}

static const char *attention_name(enum subs_attention a)
{
	return a == SUBS_ATTN_FAILED ? "payment_failed" : a == SUBS_ATTN_TRIAL_SOON ? "trial_ending" : "";
}

static void day(int64_t t, char *out, size_t len)
{
	if (!t) {
		snprintf(out, len, "-");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%d", &tm);
}

static int print_list(sqlite3 *db, const struct subs_filter *f, bool json)
{
	struct subscription *list = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	if (subs_store_list(db, f, &list, &n, &err))
		return cli_fail(PD_ERR, err.msg);
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < n; i++) {
		const struct subscription *s = &list[i];
		enum subs_attention a = subs_attention(s, now);
		if (json) {
			json_t *o = json_pack(
				"{sI ss sI ss ss ss si sI ss ss sI sI sb sb ss ss si ss ss}", "id",
				(json_int_t)s->id, "stripe_id", s->stripe_id, "client_id",
				(json_int_t)s->client_id, "client", s->client_name, "plan",
				s->plan_name, "status", s->status, "quantity", s->quantity, "amount",
				(json_int_t)s->amount, "currency", s->currency, "collection",
				s->collection, "next_billing", (json_int_t)s->current_period_end,
				"trial_end", (json_int_t)s->trial_end, "cancel_at_period_end",
				s->cancel_at_period_end, "paused", s->paused, "invoice_status",
				s->invoice_status, "invoice_id", s->invoice_id, "invoice_attempts",
				s->invoice_attempts, "last_failure", s->last_failure, "attention",
				attention_name(a));
			char *t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
			if (t)
				puts(t);
			free(t);
			json_decref(o);
		} else {
			char money[64], next[16], trial[16];
			money_format(s->amount, s->currency, money, sizeof money);
			day(s->current_period_end, next, sizeof next);
			day(s->trial_end, trial, sizeof trial);
			printf("%s%3lld  %-20.20s %-20.20s %-18s %14s  next %s  trial %s%s%s\n",
			       a ? "!" : " ", (long long)s->id, s->client_name, s->plan_name, s->status,
			       money, next, trial, s->cancel_at_period_end ? "  cancels at period end" : "",
			       s->paused ? "  collection paused" : "");
			/* a failed renewal: why, and what can be done */
			if (a == SUBS_ATTN_FAILED && s->last_failure && s->last_failure[0])
				printf("      payment failed: %s (retry %lld / card-link %lld)\n",
				       s->last_failure, (long long)s->id, (long long)s->id);
		}
	}
	if (!n && !json)
		puts("no subscriptions (paydesk subscriptions sync)");
	subs_free_list(&list, n);
	return 0;
}

/* YYYY-MM-DD exactly, a day that exists (2031-02-31 is not one), as local
 * midnight. */
static int parse_day(const char *s, int64_t *out)
{
	static const char shape[] = "dddd-dd-dd";
	if (strlen(s) != sizeof shape - 1)
		return -1;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return -1;
	int y = 0, m = 0, d = 0;
	for (int i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
	time_t t = mktime(&tm);
	if (t == (time_t)-1 || tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
		return -1; /* mktime moved an impossible day into the next month */
	*out = (int64_t)t;
	return 0;
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_STATUS = 256, O_PLAN, O_CLIENT, O_ALL, O_JSON, O_QTY, O_TDAYS, O_TUNTIL, O_INV,
	       O_APE, O_PFD, O_HELP, O_SECOND };
	static const struct option opts[] = {
		{"status", required_argument, NULL, O_STATUS},
		{"plan", required_argument, NULL, O_PLAN},
		{"client", required_argument, NULL, O_CLIENT},
		{"all", no_argument, NULL, O_ALL},
		{"json", no_argument, NULL, O_JSON},
		{"quantity", required_argument, NULL, O_QTY},
		{"trial-days", required_argument, NULL, O_TDAYS},
		{"trial-until", required_argument, NULL, O_TUNTIL},
		{"invoice-days", required_argument, NULL, O_INV},
		{"at-period-end", no_argument, NULL, O_APE},
		{"second", no_argument, NULL, O_SECOND},
		{"passphrase-fd", required_argument, NULL, O_PFD},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *status = NULL, *plan = NULL, *client = NULL, *tuntil = NULL;
	int64_t qty = 0, tdays = 0, inv = 0;
	int pfd = -1, c;
	bool all = false, json = false, ape = false, change_opts = false,
	     second = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_STATUS: status = optarg; break;
		case O_PLAN: plan = optarg; break;
		case O_CLIENT: client = optarg; break;
		case O_ALL: all = true; break;
		case O_JSON: json = true; break;
		/* the ranges subs_check enforces, said with the option's name */
		case O_QTY:
			if (cli_number(optarg, "--quantity", 1, 999, &qty))
				return 2;
			break;
		case O_TDAYS:
			if (cli_number(optarg, "--trial-days", 1, 730, &tdays))
				return 2;
			break;
		case O_TUNTIL: tuntil = optarg; break;
		case O_INV:
			if (cli_number(optarg, "--invoice-days", 1, 365, &inv))
				return 2;
			break;
		case O_APE: ape = true; break;
		case O_SECOND: second = true; break;
		case O_PFD: {
			int64_t fd;
			if (cli_number(optarg, "--passphrase-fd", 0, 1023, &fd))
				return 2;
			pfd = (int)fd;
			break;
		}
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		/* Options of the changes; list filters only by status, plan and client. */
		change_opts |= c == O_QTY || c == O_TDAYS || c == O_TUNTIL || c == O_INV || c == O_APE ||
			       c == O_SECOND;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	const char *verb = argv[optind++];
	const char *arg = optind < argc ? argv[optind++] : NULL;
	if (status && strcmp(status, "attention") != 0) {
		bool known_status = false;
		for (int i = 0; subs_statuses[i]; i++)
			known_status |= strcmp(status, subs_statuses[i]) == 0;
		if (!known_status) {
			fprintf(stderr, "paydesk: --status takes attention, trialing, active, past_due, "
					"unpaid, canceled, incomplete, incomplete_expired or paused\n");
			return 2;
		}
	}
	if (change_opts && (!strcmp(verb, "list") || !strcmp(verb, "sync"))) {
		fprintf(stderr, "paydesk: subscriptions %s takes only --status, --plan, --client, "
				"--all, --json\n",
			verb);
		return 2;
	}
	static const char *const with_sub[] = {"preview", "change", "cancel", "undo-cancel",
					       "pause", "resume", "refresh", "retry", "card-link",
					       NULL};
	bool takes = false;
	for (int i = 0; with_sub[i]; i++)
		takes |= strcmp(verb, with_sub[i]) == 0;
	bool known = takes || !strcmp(verb, "list") || !strcmp(verb, "sync") ||
		     !strcmp(verb, "subscribe");
	if (!known || optind < argc || takes != (arg != NULL)) {
		usage(stderr);
		return 2;
	}
	struct pd_error err = {0};
	int64_t client_id = 0, plan_id = 0, sub_id = 0;
	char product[64] = "";
	if (client && find_client(app->db, client, &client_id, &err))
		return cli_fail(PD_ERR_USAGE, err.msg);
	if (plan && find_plan(app->db, plan, &plan_id, product, sizeof product, &err))
		return cli_fail(PD_ERR_USAGE, err.msg);
	if (takes && find_sub(app->db, arg, &sub_id, &err))
		return cli_fail(PD_ERR_USAGE, err.msg);
	if (!strcmp(verb, "list")) {
		struct subs_filter f = {.status = status, .product_id = product,
					.client_id = client_id, .with_ended = all};
		return print_list(app->db, &f, json);
	}
	struct subs_input in = {.client_id = client_id, .plan_id = plan_id,
				.quantity = qty ? (int)qty : 1, .send_invoice = inv > 0,
				.days_until_due = (int)inv, .second = second};
	if (!strcmp(verb, "subscribe")) {
		if (!client || !plan || (tdays && tuntil)) {
			usage(stderr);
			return 2;
		}
		if (tdays) {
			in.trial = SUBS_TRIAL_DAYS;
			in.trial_days = (int)tdays;
		} else if (tuntil) {
			in.trial = SUBS_TRIAL_UNTIL;
			if (parse_day(tuntil, &in.trial_until))
				return cli_fail(PD_ERR_USAGE,
						"--trial-until takes a date as YYYY-MM-DD, such as "
						"2031-01-31");
		}
		if (subs_check(&in, (int64_t)time(NULL), &err))
			return cli_fail(PD_ERR_USAGE, err.msg);
	}
	struct stripe_cli s;
	int rc = stripe_cli_open(&s, app, pfd, &err);
	struct subs_result r = {0};
	if (!rc) {
		if (!strcmp(verb, "sync")) {
			size_t n = 0;
			rc = subs_sync(&s.env, &n, &err);
			if (!rc)
				printf("%zu subscription%s synced from Stripe\n", n, n == 1 ? "" : "s");
		} else if (!strcmp(verb, "preview")) {
			int64_t due, at;
			char cur[4];
			rc = subs_preview_change(&s.env, sub_id, plan_id, (int)qty, &due, cur, &at,
						 &err);
			if (!rc) {
				char money[64], when[16];
				money_format(due, cur, money, sizeof money);
				day(at, when, sizeof when);
				printf("next invoice with the change: %s on %s\n", money, when);
			}
		} else {
			if (!strcmp(verb, "subscribe"))
				rc = subs_subscribe(&s.env, &in, &r, &err);
			else if (!strcmp(verb, "change"))
				rc = subs_change(&s.env, sub_id, plan_id, (int)qty, &r, &err);
			else if (!strcmp(verb, "cancel"))
				rc = subs_cancel(&s.env, sub_id, ape, &r, &err);
			else if (!strcmp(verb, "undo-cancel"))
				rc = subs_undo_cancel(&s.env, sub_id, &r, &err);
			else if (!strcmp(verb, "pause") || !strcmp(verb, "resume"))
				rc = subs_pause(&s.env, sub_id, !strcmp(verb, "pause"), &r, &err);
			else if (!strcmp(verb, "retry"))
				rc = subs_retry(&s.env, sub_id, &r, &err);
			else if (!strcmp(verb, "card-link"))
				rc = subs_card_link(&s.env, sub_id, &r, &err);
			else
				rc = subs_refresh(&s.env, sub_id, &r, &err);
			if (!rc) {
				puts(r.message);
				if (r.needs_card)
					printf("save-a-card link: %s\n", r.url);
				if (!strcmp(verb, "card-link"))
					printf("then: paydesk subscriptions retry %lld\n",
					       (long long)sub_id);
			}
		}
	}
	stripe_cli_close(&s);
	if (!rc && r.needs_card && !strcmp(verb, "subscribe"))
		return cli_fail(PD_ERR, "nothing subscribed yet: the client saves a card first");
	return rc ? cli_fail(rc, err.msg) : 0;
}

const struct cli_command cli_subscriptions = {
	.name = "subscriptions",
	.summary = "client subscriptions: list, sync, subscribe, change, cancel, pause",
	.run = run,
};
