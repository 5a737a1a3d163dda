/* `paydesk policies …`: booking policies per service and the business
 * default — a deposit, a card held, the cancellation window, late and
 * no-show fees, what happens to money paid. Listing needs no proof;
 * setting and removing are for admins (--as NAME + PIN, or the vault
 * passphrase), audited by policy_set / policy_remove. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_io.h"
#include "paydesk/cli.h"
#include "paydesk/policies.h"
#include "paydesk/services.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk policies [list]\n"
	      "       paydesk policies set SERVICE|default [--deposit AMOUNT|PCT|none]\n"
	      "           [--deposit-required | --deposit-optional] [--hold-card | --no-hold-card]\n"
	      "           [--window HOURS] [--late-fee AMOUNT|PCT|none] [--no-show-fee AMOUNT|PCT|none]\n"
	      "           [--currency CUR] [--in-time RULE] [--late RULE]\n"
	      "       paydesk policies remove SERVICE|default\n"
	      "A percentage is of the price (20%); an amount is in --currency (a service's own\n"
	      "currency when not given). RULE, for money paid when the client cancels in time or\n"
	      "late: refund, keep-deposit or keep-all. set changes only what is given; a service\n"
	      "without its own policy follows the default.\n"
	      "Admin proof (set, remove): --as NAME with PAYDESK_PIN or --pin-fd N, or the vault\n"
	      "passphrase (PAYDESK_PASSPHRASE or --passphrase-fd N).\n",
	      out);
}

struct listing {
	sqlite3 *db;
	int n;
};

static void print_policy(void *ctx, const struct booking_policy *p)
{
	struct listing *l = ctx;
	struct service s;
	bool named = p->service_id && services_get(l->db, p->service_id, &s, NULL) == PD_OK;
	char line[700];
	policy_summary(p, p->service_id ? (named ? s.name : "(a removed service)") : NULL, line,
		       sizeof line);
	printf("%s (version %lld)\n", line, (long long)p->version);
	l->n++;
}

/* The service called name (case-insensitive), or 0 for "default". */
static int find_service(sqlite3 *db, const char *name, struct service *out,
			struct pd_error *err)
{
	if (!strcasecmp(name, "default")) {
		memset(out, 0, sizeof *out);
		return PD_OK;
	}
	struct service *list = NULL;
	size_t n = 0;
	int rc = services_list(db, false, &list, &n, err);
	if (rc)
		return rc;
	rc = pd_error_set(err, PD_ERR_NOT_FOUND,
			  "no service is called \u201c%.100s\u201d: paydesk policies list shows "
			  "them with their policies, or type default",
			  name);
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(list[i].name, name)) {
			*out = list[i];
			err->msg[0] = '\0';
			rc = PD_OK;
			break;
		}
	free(list);
	return rc;
}

struct terms {
	const char *deposit, *late_fee, *no_show_fee, *currency, *in_time, *late;
	int required, hold; /* -1: as it was */
	int64_t window;     /* -1: as it was */
};

static int apply_terms(const struct terms *t, const struct service *s,
		       struct booking_policy *p, struct pd_error *err)
{
	if (t->currency) {
		if (strlen(t->currency) != 3)
			return pd_error_set(err, PD_ERR_USAGE, "--currency is a three-letter code");
		for (int i = 0; i < 3; i++)
			p->currency[i] = (char)tolower((unsigned char)t->currency[i]);
		p->currency[3] = '\0';
	} else if (!p->currency[0] && s->id) {
		snprintf(p->currency, sizeof p->currency, "%s", s->currency);
	}
	const char *cur = p->currency[0] ? p->currency : NULL;
	int rc = PD_OK;
	if (!rc && t->deposit)
		rc = policy_amount_parse(t->deposit, cur, &p->deposit, err);
	if (!rc && t->late_fee)
		rc = policy_amount_parse(t->late_fee, cur, &p->late_fee, err);
	if (!rc && t->no_show_fee)
		rc = policy_amount_parse(t->no_show_fee, cur, &p->no_show_fee, err);
	if (!rc && t->in_time)
		rc = policy_rule_parse(t->in_time, &p->in_time, err);
	if (!rc && t->late)
		rc = policy_rule_parse(t->late, &p->late, err);
	if (t->required >= 0)
		p->deposit_required = t->required;
	if (t->hold >= 0)
		p->hold_card = t->hold;
	if (t->window >= 0)
		p->cancel_window_hours = (int)t->window;
	return rc;
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_DEPOSIT = 256, O_REQ, O_OPT, O_HOLD, O_NOHOLD, O_WINDOW, O_LATEFEE, O_NSFEE,
	       O_CUR, O_INTIME, O_LATE, O_AS, O_PINFD, O_PASSFD, O_HELP };
	static const struct option opts[] = {
		{"deposit", required_argument, NULL, O_DEPOSIT},
		{"deposit-required", no_argument, NULL, O_REQ},
		{"deposit-optional", no_argument, NULL, O_OPT},
		{"hold-card", no_argument, NULL, O_HOLD},
		{"no-hold-card", no_argument, NULL, O_NOHOLD},
		{"window", required_argument, NULL, O_WINDOW},
		{"late-fee", required_argument, NULL, O_LATEFEE},
		{"no-show-fee", required_argument, NULL, O_NSFEE},
		{"currency", required_argument, NULL, O_CUR},
		{"in-time", required_argument, NULL, O_INTIME},
		{"late", required_argument, NULL, O_LATE},
		{"as", required_argument, NULL, O_AS},
		{"pin-fd", required_argument, NULL, O_PINFD},
		{"passphrase-fd", required_argument, NULL, O_PASSFD},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	struct terms t = {.required = -1, .hold = -1, .window = -1};
	const char *as = NULL;
	int pin_fd = -1, pass_fd = -1, c;
	bool any_term = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		any_term = any_term || (c >= O_DEPOSIT && c <= O_LATE);
		switch (c) {
		case O_DEPOSIT: t.deposit = optarg; break;
		case O_REQ: t.required = 1; break;
		case O_OPT: t.required = 0; break;
		case O_HOLD: t.hold = 1; break;
		case O_NOHOLD: t.hold = 0; break;
		case O_WINDOW:
			if (cli_number(optarg, "--window", 0, POLICY_WINDOW_MAX_HOURS, &t.window))
				return 2;
			break;
		case O_LATEFEE: t.late_fee = optarg; break;
		case O_NSFEE: t.no_show_fee = optarg; break;
		case O_CUR: t.currency = optarg; break;
		case O_INTIME: t.in_time = optarg; break;
		case O_LATE: t.late = optarg; break;
		case O_AS: as = optarg; break;
		case O_PINFD:
			if (cli_option_fd("pin-fd", optarg, &pin_fd))
				return 2;
			break;
		case O_PASSFD:
			if (cli_option_fd("passphrase-fd", optarg, &pass_fd))
				return 2;
			break;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	const char *verb = optind < argc ? argv[optind++] : "list";
	int nargs = argc - optind;
	bool list = !strcmp(verb, "list") && nargs == 0 && !any_term;
	bool set = !strcmp(verb, "set") && nargs == 1;
	bool remove = !strcmp(verb, "remove") && nargs == 1 && !any_term;
	if (!list && !set && !remove) {
		usage(stderr);
		return 2;
	}
	struct pd_error err = {0};
	if (list) {
		struct listing l = {.db = app->db};
		int rc = policies_each(app->db, print_policy, &l, &err);
		if (!rc && !l.n)
			printf("no booking policies: bookings ask nothing and cancelling refunds "
			       "everything\n");
		return rc ? cli_fail(rc, err.msg) : 0;
	}
	struct service s;
	int rc = find_service(app->db, argv[optind], &s, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	struct booking_policy p;
	if (set) {
		/* set changes what is given: the service's own terms, else a fresh policy */
		rc = policies_get(app->db, s.id, &p, &err);
		if (rc == PD_ERR_NOT_FOUND) {
			policy_none(&p);
			rc = PD_OK;
		}
		p.service_id = s.id;
		if (!rc)
			rc = apply_terms(&t, &s, &p, &err);
		if (!rc)
			rc = policy_check(&p, &err);
		if (rc)
			return cli_fail(rc, err.msg); /* refused before any proof is asked */
	}
	struct session who = {0};
	rc = cli_authenticate(app, as, pin_fd, pass_fd, &who, &err);
	if (!rc)
		rc = set ? policy_set(app->db, &who, &p, &err) : policy_remove(app->db, &who, s.id, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	if (set) {
		char line[700];
		policy_summary(&p, s.id ? s.name : NULL, line, sizeof line);
		printf("%s (version %lld)\n", line, (long long)p.version);
		char text[POLICY_TEXT_MAX + 1];
		if (s.id) {
			policy_describe(&p, s.price, s.currency, text, sizeof text);
			printf("clients of %s are shown: %s\n", s.name, text);
		}
	} else {
		printf("%s: own policy removed%s\n", s.id ? s.name : "business default",
		       s.id ? ", the business default applies" : "");
	}
	return 0;
}

const struct cli_command cli_policies = {
	.name = "policies",
	.summary = "booking policies: deposits, held cards, cancellation window, fees",
	.run = run,
};
