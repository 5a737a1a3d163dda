/* `paydesk plans …`: subscription plans (Stripe products with a recurring
 * price) for admins over SSH. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_io.h"
#include "paydesk/audit_events.h"
#include "paydesk/cli.h"
#include "paydesk/money.h"
#include "paydesk/plans.h"
#include "paydesk/setup.h"
#include "paydesk/vault.h"
#include "plans_cli.h"

int stripe_cli_open(struct stripe_cli *s, struct app *app, int pfd, struct pd_error *err)
{
	memset(s, 0, sizeof *s);
	s->who = session_system_admin();
	audit_event_vault_holder(app->db, s->who.name, sizeof s->who.name);
	struct cli_stripe c;
	int rc = cli_stripe_open_admin(&c, app, pfd, err);
	s->vault = c.vault;
	s->key = c.key;
	s->client = c.client;
	s->env = (struct pay_env){.db = app->db, .client = s->client, .key = s->key,
				  .cancel = NULL, .who = &s->who};
	return rc;
}

void stripe_cli_close(struct stripe_cli *s)
{
	stripe_client_free(&s->client);
	vault_secret_free(&s->key);
	vault_lock(&s->vault);
}

static void usage(FILE *out)
{
	fputs("usage: paydesk plans list [--all] [--json]         the local copy (offline)\n"
	      "       paydesk plans sync                         re-read plans from Stripe\n"
	      "       paydesk plans create --name N --amount A [--currency usd]\n"
	      "                [--interval day|week|month|year] [--every N]\n"
	      "                [--description T] [--features T] [--limits T]\n"
	      "       paydesk plans edit PLAN [--name N] [--description T] [--features T] [--limits T]\n"
	      "       paydesk plans archive PLAN | restore PLAN\n"
	      "PLAN is the number `plans list` shows, or the Stripe product id (prod_…).\n"
	      "Common: [--passphrase-fd N]\n",
	      out);
}

static int find_plan(sqlite3 *db, const char *arg, int64_t *id, struct pd_error *err)
{
	struct plan p;
	int64_t n = 0;
	int rc;
	if (strncmp(arg, "prod_", 5) == 0)
		rc = plans_store_find(db, arg, &p, err);
	else if (!(rc = cli_parse_id(arg, "PLAN", "a plan number or a prod_… id", &n, err)))
		rc = plans_store_get(db, n, &p, err);
	if (!rc) {
		*id = p.id;
		plan_free(&p);
	}
	return rc;
}

static void print_plans(sqlite3 *db, bool all, bool json)
{
	struct plan *list = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	if (plans_store_list(db, all, &list, &n, &err)) {
		cli_fail(PD_ERR, err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct plan *p = &list[i];
		char money[64], every[48];
		money_format(p->amount, p->currency, money, sizeof money);
		plans_interval_words(p->interval, p->interval_count, every, sizeof every);
		if (json) {
			json_t *o = json_pack("{sI ss ss ss ss ss ss sI ss ss si sb}", "id",
					      (json_int_t)p->id, "product", p->product_id, "price",
					      p->price_id, "name", p->name, "description",
					      p->description, "features", p->features, "limits",
					      p->limits, "amount", (json_int_t)p->amount, "currency",
					      p->currency, "interval", p->interval, "interval_count",
					      p->interval_count, "active", p->active);
			char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
			if (s)
				puts(s);
			free(s);
			json_decref(o);
		} else {
			printf("%3lld  %-30s %s %s%s\n", (long long)p->id, p->name, money, every,
			       p->active ? "" : "  (archived)");
			if (p->features[0])
				printf("     features: %s\n", p->features);
			if (p->limits[0])
				printf("     limits: %s\n", p->limits);
		}
	}
	if (!n && !json)
		puts("no plans (paydesk plans sync, or plans create)");
	plans_free_list(&list, n);
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_NAME = 256, O_AMOUNT, O_CUR, O_INT, O_EVERY, O_DESC, O_FEAT, O_LIM, O_ALL,
	       O_JSON, O_PFD, O_HELP };
	static const struct option opts[] = {
		{"name", required_argument, NULL, O_NAME},
		{"amount", required_argument, NULL, O_AMOUNT},
		{"currency", required_argument, NULL, O_CUR},
		{"interval", required_argument, NULL, O_INT},
		{"every", required_argument, NULL, O_EVERY},
		{"description", required_argument, NULL, O_DESC},
		{"features", required_argument, NULL, O_FEAT},
		{"limits", required_argument, NULL, O_LIM},
		{"all", no_argument, NULL, O_ALL},
		{"json", no_argument, NULL, O_JSON},
		{"passphrase-fd", required_argument, NULL, O_PFD},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *name = NULL, *amount = NULL, *currency = NULL, *interval = "month";
	const char *desc = NULL, *feat = NULL, *lim = NULL;
	int64_t every = 1;
	int pfd = -1, c;
	bool all = false, json = false, plan_opts = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_NAME: name = optarg; break;
		case O_AMOUNT: amount = optarg; break;
		case O_CUR: currency = optarg; break;
		case O_INT: interval = optarg; break;
		case O_EVERY: /* at most a year of days; plans_check narrows it per interval */
			if (cli_number(optarg, "--every", 1, 365, &every))
				return 2;
			break;
		case O_DESC: desc = optarg; break;
		case O_FEAT: feat = optarg; break;
		case O_LIM: lim = optarg; break;
		case O_ALL: all = true; break;
		case O_JSON: json = true; break;
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
		plan_opts |= c != O_ALL && c != O_JSON && c != O_PFD;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	const char *verb = argv[optind++];
	const char *arg = optind < argc ? argv[optind++] : NULL;
	bool takes = !strcmp(verb, "edit") || !strcmp(verb, "archive") || !strcmp(verb, "restore");
	if (plan_opts && strcmp(verb, "create") && strcmp(verb, "edit")) {
		fprintf(stderr, "paydesk: plans %s takes none of the plan options (--name, --amount…)\n",
			verb);
		return 2;
	}
	if (optind < argc || takes != (arg != NULL)) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(verb, "list")) {
		print_plans(app->db, all, json);
		return 0;
	}
	if (strcmp(verb, "sync") && strcmp(verb, "create") && !takes) {
		usage(stderr);
		return 2;
	}
	struct pd_error err = {0};
	int64_t id = 0;
	struct plan_input in = {name, desc ? desc : "", feat ? feat : "", lim ? lim : "", 0,
				currency ? currency : app->cfg.currency, interval, (int)every};
	if (!strcmp(verb, "create")) {
		if (!name || !amount) {
			usage(stderr);
			return 2;
		}
		int rc = money_parse(amount, in.currency, &in.amount, &err);
		if (!rc)
			rc = plans_check(&in, &err);
		if (rc)
			return cli_fail(PD_ERR_USAGE, err.msg);
	}
	if (takes && find_plan(app->db, arg, &id, &err))
		return cli_fail(PD_ERR_USAGE, err.msg);
	struct stripe_cli s;
	int rc = stripe_cli_open(&s, app, pfd, &err);
	if (!rc) {
		if (!strcmp(verb, "sync")) {
			size_t n = 0;
			rc = plans_sync(&s.env, &n, &err);
			if (!rc)
				printf("%zu plan%s synced from Stripe\n", n, n == 1 ? "" : "s");
		} else if (!strcmp(verb, "create")) {
			rc = plans_create(&s.env, &in, &id, &err);
			if (!rc)
				printf("plan %lld created\n", (long long)id);
		} else if (!strcmp(verb, "edit")) {
			rc = plans_edit(&s.env, id, name, desc, feat, lim, &err);
			if (!rc)
				printf("plan %lld saved\n", (long long)id);
		} else {
			bool archive = !strcmp(verb, "archive");
			rc = plans_archive(&s.env, id, archive, &err);
			if (!rc)
				printf("plan %lld %s\n", (long long)id, archive ? "archived" : "restored");
		}
	}
	stripe_cli_close(&s);
	return rc ? cli_fail(rc, err.msg) : 0;
}

const struct cli_command cli_plans = {
	.name = "plans",
	.summary = "subscription plans: list, sync, create, edit, archive",
	.run = run,
};
