/* `paydesk packages …`: packages and prepaid credit headless — what is sold
 * (admins define and archive), selling one to a client, paying an
 * appointment from it, giving that back, and refunding what is unused. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_io.h"
#include "paydesk/cli.h"
#include "paydesk/clients.h"
#include "paydesk/money.h"
#include "paydesk/packages.h"
#include "paydesk/services.h"
#include "paydesk/stripe_account.h"
#include "plans_cli.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk packages list [--all]          what is sold (--all: archived too)\n"
	      "       paydesk packages define --name N --price A [--days D]\n"
	      "                (--visits N --service S | --credit A --currency C)\n"
	      "       paydesk packages archive PKG | restore PKG\n"
	      "       paydesk packages client C                  what C bought and has left\n"
	      "       paydesk packages sell PKG --client C --tender T [--note TEXT] --yes\n"
	      "       paydesk packages check SALE                 reads a link/reader sale\n"
	      "       paydesk packages cancel SALE                stop a link / reader sale\n"
	      "       paydesk packages draw --appointment A [--sale N]\n"
	      "       paydesk packages undraw --appointment A [--yes]\n"
	      "       paydesk packages refund SALE [--yes]\n"
	      "PKG: package number or name; C: client number, email or name (one client's);\n"
	      "S: service number or name; SALE: the sale number `packages client` shows;\n"
	      "T: card (the client's\n"
	      "saved card, through Stripe), link (a pay link the client pays: URL), reader\n"
	      "(this desk's card reader), cash, cheque, voucher or terminal. A link or reader\n"
	      "sale is the client's once Stripe says it is paid: check reads it (exit 1 while\n"
	      "it waits or when it was not paid). --days 0 (the\n"
	      "default): it does not expire. draw pays what is due on an appointment from the\n"
	      "client's package or credit; undraw gives it back (to a package refunded\n"
	      "already, its share of the price goes back as money: add --yes). refund hands\n"
	      "back the unused part (price x unused / total): to the card through Stripe,\n"
	      "else at the desk;\n"
	      "without --yes it says what it would refund and does nothing.\n"
	      "Who: --as NAME with PAYDESK_PIN or --pin-fd N, or the vault passphrase (an\n"
	      "admin; --passphrase-fd N or PAYDESK_PASSPHRASE). define/archive: admins.\n",
	      out);
}

struct opts {
	const char *name, *service, *currency, *client, *tender, *note, *as;
	const char *price, *credit;
	int64_t visits, days, appointment, sale;
	bool all, yes;
	int pin_fd, pass_fd;
	char given[24][16]; /* the options given, for the verb's own check */
	int ngiven;
};

static int parse(int argc, char **argv, struct opts *o)
{
	enum { O_NAME = 256, O_PRICE, O_DAYS, O_VISITS, O_SERVICE, O_CREDIT, O_CURRENCY,
	       O_CLIENT, O_TENDER, O_NOTE, O_APPT, O_SALE, O_ALL, O_YES, O_AS, O_PIN, O_PFD,
	       O_HELP };
	static const struct option opts[] = {
		{"name", required_argument, NULL, O_NAME},
		{"price", required_argument, NULL, O_PRICE},
		{"days", required_argument, NULL, O_DAYS},
		{"visits", required_argument, NULL, O_VISITS},
		{"service", required_argument, NULL, O_SERVICE},
		{"credit", required_argument, NULL, O_CREDIT},
		{"currency", required_argument, NULL, O_CURRENCY},
		{"client", required_argument, NULL, O_CLIENT},
		{"tender", required_argument, NULL, O_TENDER},
		{"note", required_argument, NULL, O_NOTE},
		{"appointment", required_argument, NULL, O_APPT},
		{"sale", required_argument, NULL, O_SALE},
		{"all", no_argument, NULL, O_ALL},
		{"yes", no_argument, NULL, O_YES},
		{"as", required_argument, NULL, O_AS},
		{"pin-fd", required_argument, NULL, O_PIN},
		{"passphrase-fd", required_argument, NULL, O_PFD},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->pin_fd = o->pass_fd = -1;
	optind = 0; /* 0: glibc starts afresh (main parsed its own options in order) */
	int c;
	int64_t fd;
	int at;
	while ((c = getopt_long(argc, argv, "", opts, &at)) != -1) {
		for (int k = 0; opts[k].name && c >= 256 && c != O_HELP; k++)
			if (opts[k].val == c && o->ngiven < 24)
				snprintf(o->given[o->ngiven++], sizeof o->given[0], "%s", opts[k].name);
		switch (c) {
		case O_NAME: o->name = optarg; break;
		case O_PRICE: o->price = optarg; break;
		case O_DAYS:
			if (cli_number(optarg, "--days", 0, PACKAGES_DAYS_MAX, &o->days))
				return 2;
			break;
		case O_VISITS:
			if (cli_number(optarg, "--visits", 1, PACKAGES_VISITS_MAX, &o->visits))
				return 2;
			break;
		case O_SERVICE: o->service = optarg; break;
		case O_CREDIT: o->credit = optarg; break;
		case O_CURRENCY: o->currency = optarg; break;
		case O_CLIENT: o->client = optarg; break;
		case O_TENDER: o->tender = optarg; break;
		case O_NOTE: o->note = optarg; break;
		case O_APPT:
			if (cli_number(optarg, "--appointment", 1, INT64_MAX, &o->appointment))
				return 2;
			break;
		case O_SALE:
			if (cli_number(optarg, "--sale", 1, INT64_MAX, &o->sale))
				return 2;
			break;
		case O_ALL: o->all = true; break;
		case O_YES: o->yes = true; break;
		case O_AS: o->as = optarg; break;
		case O_PIN:
		case O_PFD:
			if (cli_number(optarg, c == O_PIN ? "--pin-fd" : "--passphrase-fd", 0, 1023,
				       &fd))
				return 2;
			if (c == O_PIN)
				o->pin_fd = (int)fd;
			else
				o->pass_fd = (int)fd;
			break;
		case O_HELP: usage(stdout); return CLI_HELP_SHOWN;
		default: usage(stderr); return 2;
		}
	}
	return 0;
}

static void day(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%d", &tm);
}

/* The one client called name; none or several: said, with the numbers and
 * emails of those of that name to choose from. */
static int find_client_named(sqlite3 *db, const char *name, int64_t *id, struct pd_error *err)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = clients_find_name(db, name, &ids, &n, err);
	if (!rc && n == 1)
		*id = ids[0];
	else if (!rc && n == 0)
		rc = pd_error_set(err, PD_ERR_NOT_FOUND,
				  "no client is called %s: give a client number or email "
				  "(paydesk clients list)",
				  name);
	else if (!rc) {
		char which[600] = "";
		size_t used = 0;
		for (size_t i = 0; i < n && i < 5 && used < sizeof which; i++) {
			struct client c;
			if (clients_get(db, ids[i], &c, NULL) != PD_OK)
				continue;
			used += (size_t)snprintf(which + used, sizeof which - used, "%s%lld (%s)",
						 used ? ", " : "", (long long)c.id,
						 c.email && *c.email ? c.email : "no email");
			client_free(&c);
		}
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "%zu clients are called %s: %s%s; give the number or the email",
				  n, name, which, n > 5 ? ", …" : "");
	}
	free(ids);
	return rc;
}

static int find_client(sqlite3 *db, const char *arg, int64_t *id, struct pd_error *err)
{
	if (strchr(arg, '@')) {
		int rc = clients_find_email(db, arg, id, err);
		if (!rc && !*id)
			rc = pd_error_set(err, PD_ERR_NOT_FOUND, "no client has the email %s", arg);
		return rc;
	}
	if (strspn(arg, "0123456789") != strlen(arg)) /* a name: taken when it is one client's */
		return find_client_named(db, arg, id, err);
	int rc = cli_parse_id(arg, "--client", "a client number, an email or a name", id, err);
	struct client c;
	if (!rc)
		rc = clients_get(db, *id, &c, err);
	if (!rc)
		client_free(&c);
	return rc;
}

static int find_package(sqlite3 *db, const char *arg, int64_t *id, struct pd_error *err)
{
	struct package p;
	int64_t n = 0;
	int rc = packages_find(db, arg, &p, NULL);
	if (rc) {
		rc = cli_parse_id(arg, "PKG", "a package number or name", &n, err);
		if (!rc)
			rc = packages_get(db, n, &p, err);
	}
	if (!rc)
		*id = p.id;
	return rc;
}

static int find_service(sqlite3 *db, const char *arg, int64_t *id, struct pd_error *err)
{
	struct service *list = NULL;
	size_t n = 0;
	int rc = services_list(db, false, &list, &n, err);
	*id = 0;
	for (size_t i = 0; !rc && i < n && !*id; i++)
		if (strcasecmp(list[i].name, arg) == 0)
			*id = list[i].id;
	free(list);
	if (rc || *id)
		return rc;
	struct service s;
	rc = cli_parse_id(arg, "--service", "a service number or name", id, err);
	if (!rc)
		rc = services_get(db, *id, &s, err);
	return rc;
}

static void print_package(const struct package *p)
{
	char price[64], what[400], days[32] = "no expiry";
	money_format(p->price, p->currency, price, sizeof price);
	if (p->kind == PACKAGE_VISITS)
		snprintf(what, sizeof what, "%lld visits of %s", (long long)p->visits, p->service);
	else {
		char credit[64];
		snprintf(what, sizeof what, "credit %s",
			 money_format(p->credit, p->currency, credit, sizeof credit));
	}
	if (p->valid_days)
		snprintf(days, sizeof days, "%lld days", (long long)p->valid_days);
	printf("%3lld  %-24s %-30s %14s  %s%s\n", (long long)p->id, p->name, what, price, days,
	       p->active ? "" : "  (archived)");
}

static int cmd_list(sqlite3 *db, bool all)
{
	struct package *list = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	if (packages_list(db, !all, &list, &n, &err))
		return cli_fail(PD_ERR, err.msg);
	if (n == 0)
		printf("no packages yet: paydesk packages define …\n");
	for (size_t i = 0; i < n; i++)
		print_package(&list[i]);
	free(list);
	return 0;
}

static int cmd_client(sqlite3 *db, int64_t client_id)
{
	struct client_package *list = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	if (cpkg_list(db, client_id, &list, &n, &err))
		return cli_fail(PD_ERR, err.msg);
	if (n == 0)
		printf("no packages bought\n");
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < n; i++) {
		char left[300], price[64], refund[64], bought[16];
		cpkg_describe(&list[i], now, left, sizeof left);
		day(list[i].bought_at, bought, sizeof bought);
		char why[200];
		if (cpkg_nothing_to_refund(&list[i], why, sizeof why))
			snprintf(refund, sizeof refund, ": nothing");
		else
			snprintf(refund, sizeof refund, " %s",
				 money_format(cpkg_refund_due(&list[i]), list[i].currency, why,
					      sizeof why));
		printf("sale %lld · %s · %s · paid %s by %s on %s · refund now%s\n",
		       (long long)list[i].id, list[i].name, left,
		       money_format(list[i].price, list[i].currency, price, sizeof price),
		       list[i].method, bought, refund);
	}
	free(list);
	return 0;
}

/* Amount text in currency through money_parse; 2 after saying why. */
static int amount_of(const char *text, const char *option, const char *currency, int64_t *out)
{
	struct pd_error err = {0};
	if (money_parse(text, currency, out, &err) || *out <= 0) {
		fprintf(stderr, "paydesk: %s: %s\n", option,
			err.msg[0] ? err.msg : "give an amount above zero");
		return 2;
	}
	return 0;
}

static int cmd_define(struct app *app, const struct session *who, const struct opts *o)
{
	struct pd_error err = {0};
	struct package_input in = {.name = o->name, .valid_days = o->days};
	char cur[8] = "";
	if (o->visits) {
		struct service s;
		if (find_service(app->db, o->service, &in.service_id, &err) ||
		    services_get(app->db, in.service_id, &s, &err))
			return cli_fail(PD_ERR_USAGE, err.msg);
		in.kind = PACKAGE_VISITS;
		in.visits = o->visits;
		snprintf(cur, sizeof cur, "%s", s.currency);
	} else {
		in.kind = PACKAGE_CREDIT;
		for (size_t i = 0; o->currency[i] && i < 3; i++)
			cur[i] = (char)(o->currency[i] | 0x20);
		if (money_exponent(cur) < 0 || strlen(o->currency) != 3)
			return cli_fail(PD_ERR_USAGE, "--currency takes a three-letter code (usd, eur)");
		if (amount_of(o->credit, "--credit", cur, &in.credit))
			return 2;
	}
	in.currency = cur;
	if (amount_of(o->price, "--price", cur, &in.price))
		return 2;
	int64_t id = 0;
	if (packages_define(app->db, who, &in, &id, &err))
		return cli_fail(err.code, err.msg);
	struct package p;
	if (packages_get(app->db, id, &p, &err) == PD_OK)
		print_package(&p);
	printf("package %lld defined\n", (long long)id);
	return 0;
}

/* Stripe for a card sale or refund: the signed-in user's desk key or the
 * passphrase; without --as, the passphrase holder (an admin). */
static int open_stripe(struct app *app, const struct opts *o, const struct session *who,
		       struct stripe_cli *s, struct pd_error *err)
{
	struct stripe_account_row acct;
	if (stripe_account_get(app->db, &acct, err) != PD_OK)
		return pd_error_set(err, PD_ERR,
				    "no Stripe account is connected: take cash, or run paydesk setup");
	int rc = o->as ? stripe_cli_open_as(s, app, who, o->pass_fd, err)
		       : stripe_cli_open(s, app, o->pass_fd, err);
	s->env.db = app->db;
	return rc;
}

static int run(struct app *app, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *verb = argv[1];
	struct opts o;
	int prc = parse(argc - 1, argv + 1, &o);
	if (prc)
		return prc == CLI_HELP_SHOWN ? 0 : prc;
	int rest = argc - 1 - optind;
	char **args = argv + 1 + optind;
	bool with_arg = !strcmp(verb, "archive") || !strcmp(verb, "restore") ||
			!strcmp(verb, "client") || !strcmp(verb, "sell") || !strcmp(verb, "refund") ||
			!strcmp(verb, "check") || !strcmp(verb, "cancel");
	bool known = with_arg || !strcmp(verb, "list") || !strcmp(verb, "define") ||
		     !strcmp(verb, "draw") || !strcmp(verb, "undraw");
	if (!known || rest != (with_arg ? 1 : 0)) {
		usage(stderr);
		return 2;
	}
	/* Each verb takes its own options: one given to another is a mistake. */
	static const struct {
		const char *verb, *takes;
	} own[] = {
		{"list", " all "},
		{"client", " "},
		{"define", " name price days visits service credit currency as pin-fd passphrase-fd "},
		{"archive", " as pin-fd passphrase-fd "},
		{"restore", " as pin-fd passphrase-fd "},
		{"sell", " client tender note yes as pin-fd passphrase-fd "},
		{"draw", " appointment sale as pin-fd passphrase-fd "},
		{"undraw", " appointment yes as pin-fd passphrase-fd "},
		{"refund", " yes as pin-fd passphrase-fd "},
		{"check", " as pin-fd passphrase-fd "},
		{"cancel", " as pin-fd passphrase-fd "},
	};
	for (size_t v = 0; v < sizeof own / sizeof own[0]; v++) {
		if (strcmp(own[v].verb, verb) != 0)
			continue;
		for (int k = 0; k < o.ngiven; k++) {
			char word[24];
			snprintf(word, sizeof word, " %s ", o.given[k]);
			if (!strstr(own[v].takes, word)) {
				fprintf(stderr, "paydesk: packages %s does not take --%s\n", verb,
					o.given[k]);
				usage(stderr);
				return 2;
			}
		}
	}
	struct pd_error err = {0};
	if (!strcmp(verb, "list"))
		return cmd_list(app->db, o.all);
	if (!strcmp(verb, "client")) {
		int64_t cid;
		if (find_client(app->db, args[0], &cid, &err))
			return cli_fail(PD_ERR_USAGE, err.msg);
		return cmd_client(app->db, cid);
	}
	/* What each verb needs, said before anyone is asked for a secret. */
	const char *missing = NULL;
	if (!strcmp(verb, "define") && (!o.name || !o.price))
		missing = "define needs --name and --price";
	else if (!strcmp(verb, "define") && !!o.visits == !!o.credit)
		missing = "define needs --visits N --service S, or --credit A --currency C";
	else if (!strcmp(verb, "define") && o.visits && !o.service)
		missing = "--visits needs --service (the service the visits are for)";
	else if (!strcmp(verb, "define") && o.credit && !o.currency)
		missing = "--credit needs --currency";
	else if (!strcmp(verb, "sell") && (!o.client || !o.tender))
		missing = "sell needs --client and --tender (card, link, reader, cash, cheque, "
			  "voucher, terminal)";
	else if ((!strcmp(verb, "draw") || !strcmp(verb, "undraw")) && !o.appointment)
		missing = "give the appointment: --appointment A (its number in paydesk agenda)";
	if (missing) {
		fprintf(stderr, "paydesk: %s\n", missing);
		return 2;
	}
	int64_t pkg = 0, client = 0, sale = 0;
	bool card = false;
	int tender = -1;
	if ((!strcmp(verb, "archive") || !strcmp(verb, "restore") || !strcmp(verb, "sell")) &&
	    find_package(app->db, args[0], &pkg, &err))
		return cli_fail(PD_ERR_USAGE, err.msg);
	if (!strcmp(verb, "sell")) {
		if (find_client(app->db, o.client, &client, &err))
			return cli_fail(PD_ERR_USAGE, err.msg);
		card = !strcmp(o.tender, "card") || !strcmp(o.tender, "link") ||
		       !strcmp(o.tender, "reader");
		tender = card ? PAYROW_CARD : payrow_method_from_key(o.tender);
		if (!card && (tender < 0 || !payrow_method_is_desk((enum payrow_method)tender)))
			return cli_fail(PD_ERR_USAGE, "--tender takes card, link, reader, cash, "
						      "cheque, voucher or terminal");
		struct package p;
		char price[64];
		if (!o.yes && packages_get(app->db, pkg, &p, &err) == PD_OK) {
			fprintf(stderr,
				"paydesk: this sells %s for %s (%s); add --yes to take the "
				"payment\n",
				p.name, money_format(p.price, p.currency, price, sizeof price),
				o.tender);
			return 2;
		}
	}
	if (!strcmp(verb, "check") || !strcmp(verb, "cancel")) {
		struct client_package c;
		if (cli_parse_id(args[0], "SALE", "a sale number (paydesk packages client C)", &sale,
				 &err) ||
		    cpkg_get(app->db, sale, &c, &err))
			return cli_fail(PD_ERR_USAGE, err.msg);
		card = true;
	}
	if (!strcmp(verb, "undraw")) {
		/* a package refunded already: the visit's money goes back instead */
		char payout[400];
		if (packages_return_payout(app->db, o.appointment, payout, sizeof payout)) {
			if (!o.yes) {
				fprintf(stderr, "paydesk: %s; add --yes to give it back\n", payout);
				return 2;
			}
			card = strstr(payout, "Stripe") != NULL;
		}
	}
	if (!strcmp(verb, "refund")) {
		struct client_package c;
		if (cli_parse_id(args[0], "SALE", "a sale number (paydesk packages client C)", &sale,
				 &err) ||
		    cpkg_get(app->db, sale, &c, &err))
			return cli_fail(PD_ERR_USAGE, err.msg);
		card = !strcmp(c.method, "card");
		char why[200];
		if (cpkg_nothing_to_refund(&c, why, sizeof why)) { /* never an offer of 0.00 */
			char msg[260];
			snprintf(msg, sizeof msg, "nothing to refund: %s", why);
			return cli_fail(PD_ERR_USAGE, msg);
		}
		if (!o.yes) {
			char money[64], left[300];
			cpkg_describe(&c, (int64_t)time(NULL), left, sizeof left);
			printf("sale %lld · %s · %s: refund %s %s; add --yes to refund it\n",
			       (long long)sale, c.name, left,
			       money_format(cpkg_refund_due(&c), c.currency, money, sizeof money),
			       card ? "to the card through Stripe" : "at the desk");
			return 0;
		}
	}
	/* Who acts. Card money needs Stripe: opened (and, without --as, the
	 * passphrase proves an admin) in one go. */
	struct session who = {0};
	struct stripe_cli s;
	memset(&s, 0, sizeof s);
	bool stripe = card;
	int rc = PD_OK;
	if (o.as)
		rc = cli_authenticate(app, o.as, o.pin_fd, -1, &who, &err);
	if (!rc && stripe)
		rc = open_stripe(app, &o, &who, &s, &err);
	else if (!rc && !o.as)
		rc = cli_authenticate(app, NULL, -1, o.pass_fd, &who, &err);
	const struct session *actor = stripe ? s.env.who : &who;
	int status = 0;
	char msg[600] = "";
	struct pay_result r;
	if (rc) {
		status = cli_fail(rc, err.msg);
	} else if (!strcmp(verb, "define")) {
		status = cmd_define(app, actor, &o);
	} else if (!strcmp(verb, "archive") || !strcmp(verb, "restore")) {
		bool archive = !strcmp(verb, "archive");
		rc = packages_archive(app->db, actor, pkg, archive, &err);
		if (!rc)
			printf("package %lld %s\n", (long long)pkg, archive ? "archived" : "restored");
	} else if (!strcmp(verb, "sell") && card && strcmp(o.tender, "card") != 0) {
		rc = !strcmp(o.tender, "link")
			     ? packages_sell_link(&s.env, pkg, client, &sale, &r, &err)
			     : packages_sell_reader(&s.env, pkg, client, NULL, &sale, &r, &err);
		if (!rc) {
			printf("%s\n", r.message);
			if (r.url[0])
				printf("%s\n", r.url);
			printf("sale %lld\n", (long long)sale);
			if (r.done)
				status = 1;
		}
	} else if (!strcmp(verb, "check") || !strcmp(verb, "cancel")) {
		rc = !strcmp(verb, "check") ? packages_sale_check(&s.env, sale, &r, &err)
					    : packages_sale_cancel(&s.env, sale, &r, &err);
		struct client_package c;
		if (!rc) {
			printf("%s\n", r.message);
			if (cpkg_get(app->db, sale, &c, NULL) == PD_OK && c.state != CPKG_ACTIVE)
				status = 1;
		}
	} else if (!strcmp(verb, "sell")) {
		rc = card ? packages_sell_card(&s.env, pkg, client, &sale, msg, sizeof msg, &err)
			  : packages_sell_desk(app->db, actor, pkg, client,
					       (enum payrow_method)tender, o.note, &sale, msg,
					       sizeof msg, &err);
		if (!rc) {
			struct client_package c;
			printf("%s\nsale %lld\n", msg, (long long)sale);
			if (cpkg_get(app->db, sale, &c, NULL) == PD_OK && c.state != CPKG_ACTIVE)
				status = 1;
		}
	} else if (!strcmp(verb, "draw")) {
		rc = packages_draw(app->db, actor, o.appointment, o.sale, &r, &err);
		if (!rc)
			printf("%s\n", r.message);
	} else if (!strcmp(verb, "undraw")) {
		struct pay_env desk = {.db = app->db, .who = actor};
		rc = packages_return_draws(card ? &s.env : &desk, o.appointment, &r, &err);
		if (!rc)
			printf("%s\n", r.message);
	} else if (!strcmp(verb, "refund")) {
		struct pay_env desk = {.db = app->db, .who = actor};
		rc = packages_refund(card ? &s.env : &desk, sale, msg, sizeof msg, &err);
		if (!rc)
			printf("%s\n", msg);
	}
	if (rc && !status)
		status = cli_fail(rc, err.msg);
	if (stripe)
		stripe_cli_close(&s);
	return status;
}

const struct cli_command cli_packages = {
	.name = "packages",
	.summary = "packages and prepaid credit: define, sell, draw, refund",
	.run = run,
};
