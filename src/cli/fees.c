/* `paydesk fees …`: the fees queue headless. Lists the fees proposed at
 * no-shows and late cancellations, and works them one at a time with the
 * same rules and audit entries as the Appointments tab's queue (app/fees.c):
 * charge the saved card, send a pay link, change the amount, waive — and
 * refund a charged fee (one --yes, staff within their refund limits). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cells.h"
#include "cli_io.h"
#include "paydesk/cli.h"
#include "paydesk/fees.h"
#include "paydesk/money.h"
#include "plans_cli.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk fees [list] [--all]         fees waiting for someone (--all: every fee)\n"
	      "       paydesk fees charge ID               charge it on the client's saved card\n"
	      "       paydesk fees link ID                 a pay link for the client instead\n"
	      "       paydesk fees amount ID AMOUNT --reason TEXT   change what is asked\n"
	      "       paydesk fees expire ID               close its pay link at Stripe (before\n"
	      "                                            an undo or a waive)\n"
	      "       paydesk fees waive ID --reason TEXT  let it go\n"
	      "       paydesk fees refund ID [--amount AMOUNT] [--reason WHY] [--yes]\n"
	      "                                            give a charged fee back to the card\n"
	      "refund: WHY is requested_by_customer (the default), duplicate or fraudulent;\n"
	      "without --yes it says what it would refund and does nothing.\n"
	      "Who acts: --as NAME with PAYDESK_PIN or --pin-fd N, else the vault passphrase\n"
	      "(PAYDESK_PASSPHRASE or --passphrase-fd N), whose holder is an admin. Staff charge,\n"
	      "lower and waive fees; only an admin asks more than the policy's amount.\n",
	      out);
}

static void print_list(sqlite3 *db, bool all, struct pd_error *err, int *rc)
{
	struct appt_fee *list = NULL;
	size_t n = 0;
	if ((*rc = fees_list(db, all, &list, &n, err)))
		return;
	if (n == 0)
		printf(all ? "no fee yet\n" : "no fee is waiting\n");
	else
		printf("%-4s %-18s %-20s %-16s %-11s %12s  %s\n", "ID", "VISIT", "CLIENT", "SERVICE",
		       "KIND", "AMOUNT", "STATE");
	int64_t now = (int64_t)time(NULL);
	for (size_t i = 0; i < n; i++) {
		const struct appt_fee *f = &list[i];
		char ago[48], money[64];
		fee_visit_ago(f->visit_at, now, ago, sizeof ago);
		money_format(f->amount, f->currency, money, sizeof money);
		/* by display width: "Zoë" is 3 columns, 4 bytes */
		printf("%-4lld ", (long long)f->id);
		cli_cell(stdout, ago, 18, false, " ");
		cli_cell(stdout, f->client, 20, false, " ");
		cli_cell(stdout, f->service, 16, false, " ");
		cli_cell(stdout, fee_kind_label(f->kind), 11, false, " ");
		cli_cell(stdout, money, 12, true, "  ");
		printf("%s\n", fee_state_label(f->state));
		if (f->message[0] && f->state != FEE_CHARGED)
			printf("     %s\n", f->message);
		if (f->pay_link_url[0] && fee_state_open(f->state))
			printf("     pay link: %s\n", f->pay_link_url);
		if (f->state == FEE_WAIVED)
			printf("     waived by %s: %s\n", f->updated_by, f->reason);
		if (f->state == FEE_CHARGED && f->refunded > 0)
			printf("     refunded %s\n",
			       money_format(f->refunded, f->currency, money, sizeof money));
	}
	free(list);
}

static void print_result(const struct pay_result *r)
{
	printf("%s\n", r->message);
	if (r->url[0])
		printf("pay link: %s\n", r->url);
}

/* `fees refund ID`: without yes, what would be refunded; with it, refunded. */
static int refund(struct app *app, int64_t id, const char *amount_text, const char *reason,
		  bool yes, const char *as, int pin_fd, int pass_fd)
{
	struct pd_error err = {0};
	struct appt_fee f;
	int64_t left = 0, amount = 0;
	int rc = fees_refundable(app->db, id, &f, &left, &err);
	if (!rc && amount_text)
		rc = money_parse(amount_text, f.currency, &amount, &err);
	if (!rc && amount_text && amount <= 0)
		rc = pd_error_set(&err, PD_ERR_USAGE, "--amount is more than 0 (leave out: all)");
	char money[64], charged[64], card[64];
	if (!rc && amount > left) /* before asking for --yes: that would be refused too */
		rc = pd_error_set(&err, PD_ERR_USAGE,
				  "at most %s can be refunded of fee %lld: give --amount up to "
				  "that, or leave it out for all of it",
				  money_format(left, f.currency, money, sizeof money), (long long)id);
	if (rc)
		return cli_fail(rc, err.msg);
	money_format(amount ? amount : left, f.currency, money, sizeof money);
	money_format(f.amount, f.currency, charged, sizeof charged);
	if (!yes) {
		fees_card(app->db, &f, card, sizeof card);
		printf("fee %lld · %s · %s · %s charged by %s: refund %s to %s; add --yes to "
		       "refund it\n",
		       (long long)id, fee_kind_label(f.kind), f.client, charged,
		       f.charged_by[0] ? f.charged_by : f.updated_by, money,
		       card[0] ? card : "the client's card");
		return 0;
	}
	struct session who = {0};
	if (as && cli_authenticate(app, as, pin_fd, -1, &who, &err) != PD_OK)
		return cli_fail(PD_ERR, err.msg);
	struct stripe_cli s;
	rc = as ? stripe_cli_open_as(&s, app, &who, pass_fd, &err)
		: stripe_cli_open(&s, app, pass_fd, &err);
	struct pay_result r;
	if (!rc)
		rc = fees_refund(&s.env, id, amount, reason ? reason : "requested_by_customer", &r,
				 &err);
	stripe_cli_close(&s);
	if (rc)
		return cli_fail(rc, err.msg);
	printf("%s\n", r.message);
	return 0;
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_AS = 256, O_PINFD, O_PASSFD, O_REASON, O_ALL, O_AMOUNT, O_YES, O_HELP };
	static const struct option opts[] = {
	    {"as", required_argument, NULL, O_AS},
	    {"pin-fd", required_argument, NULL, O_PINFD},
	    {"passphrase-fd", required_argument, NULL, O_PASSFD},
	    {"reason", required_argument, NULL, O_REASON},
	    {"all", no_argument, NULL, O_ALL},
	    {"amount", required_argument, NULL, O_AMOUNT},
	    {"yes", no_argument, NULL, O_YES},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0},
	};
	const char *as = NULL, *reason = NULL, *amount_text = NULL;
	int pin_fd = -1, pass_fd = -1, c;
	bool all = false, yes = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_AS: as = optarg; break;
		case O_REASON: reason = optarg; break;
		case O_ALL: all = true; break;
		case O_AMOUNT:
			amount_text = optarg;
			break;
		case O_YES:
			yes = true;
			break;
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
	bool is_list = strcmp(verb, "list") == 0 && nargs == 0;
	bool is_charge = strcmp(verb, "charge") == 0 && nargs == 1;
	bool is_link = strcmp(verb, "link") == 0 && nargs == 1;
	bool is_amount = strcmp(verb, "amount") == 0 && nargs == 2;
	bool is_waive = strcmp(verb, "waive") == 0 && nargs == 1;
	bool is_refund = strcmp(verb, "refund") == 0 && nargs == 1;
	bool is_expire = strcmp(verb, "expire") == 0 && nargs == 1;
	if (!is_list && !is_charge && !is_link && !is_amount && !is_waive && !is_refund &&
	    !is_expire) {
		usage(stderr);
		return 2;
	}
	if ((is_amount || is_waive) && (!reason || !*reason)) {
		fprintf(stderr, "paydesk: say why with --reason TEXT (kept in the audit log)\n");
		return 2;
	}
	struct pd_error err = {0};
	int64_t id = 0;
	if (!is_list && cli_parse_id(argv[optind], "the fee", "its ID from paydesk fees list",
				     &id, &err))
		return cli_fail(PD_ERR_USAGE, err.msg);
	int rc = PD_OK;
	if (is_refund)
		return refund(app, id, amount_text, reason, yes, as, pin_fd, pass_fd);
	if (is_charge || is_link || is_expire) { /* Stripe: the key is needed */
		struct session who = {0};
		if (as && cli_authenticate(app, as, pin_fd, -1, &who, &err) != PD_OK)
			return cli_fail(PD_ERR, err.msg);
		struct stripe_cli s;
		rc = as ? stripe_cli_open_as(&s, app, &who, pass_fd, &err)
			: stripe_cli_open(&s, app, pass_fd, &err);
		struct pay_result r;
		if (!rc)
			rc = is_charge	   ? fees_charge(&s.env, id, &r, &err)
			     : is_expire ? fees_expire_link(&s.env, id, &r, &err)
					 : fees_pay_link(&s.env, id, &r, &err);
		stripe_cli_close(&s);
		if (rc)
			return cli_fail(rc, err.msg);
		print_result(&r);
		if (!is_charge)
			return 0;
		/* What to do next, by this command (the queue says its keys). */
		struct appt_fee f;
		bool got = fees_get(app->db, id, &f, NULL) == PD_OK;
		bool charged = got && f.state == FEE_CHARGED;
		if (!got || charged)
			;
		else if (f.state == FEE_CHARGING)
			printf("re-check it: paydesk fees charge %lld (the same call, never charged "
			       "twice)\n",
			       (long long)id);
		else if (f.state == FEE_PROPOSED)
			printf("then: paydesk fees charge %lld\n", (long long)id);
		/* A card that did not pay is not a success for a script. */
		return charged ? 0 : 1;
	}
	struct session who = {0};
	rc = cli_authenticate(app, as, pin_fd, pass_fd, &who, &err);
	if (!rc && is_list) {
		print_list(app->db, all, &err, &rc);
	} else if (!rc && is_waive) {
		struct appt_fee f; /* the queue's key (x) means nothing here: say the command */
		if (fees_get(app->db, id, &f, NULL) == PD_OK && f.checkout_session_id[0] &&
		    fee_state_open(f.state) && f.state != FEE_CHARGING)
			return cli_fail(PD_ERR_CONFLICT, "not waived: its pay link is open: paydesk "
							 "fees expire ID closes it at Stripe, then "
							 "waive");
		rc = fees_waive(app->db, &who, id, reason, &err);
		if (!rc)
			printf("fee %lld waived: %s\n", (long long)id, reason);
	} else if (!rc) {
		struct appt_fee f;
		int64_t amount = 0;
		rc = fees_get(app->db, id, &f, &err);
		if (!rc)
			rc = money_parse(argv[optind + 1], f.currency, &amount, &err);
		if (!rc)
			rc = fees_set_amount(app->db, &who, id, amount, reason, &err);
		char money[64];
		if (!rc)
			printf("fee %lld is now %s\n", (long long)id,
			       money_format(amount, f.currency, money, sizeof money));
	}
	return rc ? cli_fail(rc, err.msg) : 0;
}

const struct cli_command cli_fees = {
    .name = "fees",
    .summary = "no-show and late-cancellation fees: list, charge, link, expire, amount, waive, refund",
    .run = run,
};
