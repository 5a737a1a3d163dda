/* `paydesk takings [--date YYYY-MM-DD]`: what a day brought in, per tender
 * and currency — cash, cheque, gift voucher, another card machine (the
 * desk's own records) and Stripe (the billing history as last synced) —
 * for cashing up at the end of the day. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "paydesk/appt_money.h"
#include "paydesk/cli.h"
#include "paydesk/history.h"
#include "paydesk/history_desk.h"
#include "paydesk/money.h"
#include "paydesk/sanitize.h"
#include "paydesk/stripe_account.h"
#include "paydesk/tz.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk takings [--date YYYY-MM-DD]\n"
	      "Prints a day's takings (default: today, in the configured time zone) per tender\n"
	      "and currency: taken, refunded and what is left. Stripe's figures are the\n"
	      "billing history's as of the last sync (paydesk sync).\n",
	      out);
}

/* "1,234.50" without the currency code. */
static char *amount(int64_t minor, const char *cur, char *out, size_t len)
{
	money_format(minor, cur, out, len);
	char *sp = strrchr(out, ' ');
	if (sp)
		*sp = '\0';
	return out;
}

/* Stripe's figures come from the billing history, which holds what the last
 * sync brought: say when that was, so money taken since is not thought lost
 * (a desk read its morning's card payments as missing). */
static void stripe_as_of(sqlite3 *db)
{
	struct stripe_account_row acct;
	struct pd_error err = {0};
	if (stripe_account_get(db, &acct, &err) != PD_OK)
		return; /* no Stripe account: desk tenders only */
	int64_t at = 0;
	history_last_synced(db, &at, &err);
	char when[32] = "never";
	if (at > 0) {
		struct tz_civil c;
		tz_to_civil(at, &c);
		snprintf(when, sizeof when, "%04d-%02d-%02d %02d:%02d", c.year % 10000,
			 c.month % 100, c.day % 100, c.hour % 100, c.minute % 100);
	}
	printf("\nStripe's figures are the billing history as of its last sync (%s); card\n"
	       "payments since then count after the next sync (paydesk sync, or S on History).\n",
	       when);
}

static void upper_code(const char *in, char out[4])
{
	for (int k = 0; k < 4; k++)
		out[k] = (char)(in[k] >= 'a' && in[k] <= 'z' ? in[k] - 32 : in[k]);
}

/* Tips, already in the figures above, per staff member they are for, and
 * the day's total of them per currency. */
static void print_tips(sqlite3 *db, int64_t since, int64_t until)
{
	struct staff_tips t[STAFF_TIPS_MAX];
	int n = 0;
	if (staff_tips_range(db, since, until, t, STAFF_TIPS_MAX, &n, NULL) != PD_OK || n == 0)
		return;
	printf("\nTips (in the figures above), per staff member:\n");
	printf("%-20s %-4s %14s %14s\n", "STAFF", "CUR", "TIPS", "PAYMENTS");
	for (int i = 0; i < n; i++) {
		char cur[4], a[48], name[64];
		upper_code(t[i].currency, cur);
		sanitize_text(t[i].staff, name, sizeof name);
		printf("%-20.20s %-4s %14s %14lld\n", name, cur,
		       amount(t[i].tips, t[i].currency, a, sizeof a), (long long)t[i].count);
	}
	for (int i = 0; i < n; i++) { /* the day's total per currency, once each */
		bool first = true;
		int64_t sum = 0;
		for (int k = 0; k < n; k++) {
			if (strcmp(t[k].currency, t[i].currency) != 0)
				continue;
			if (k < i)
				first = false;
			sum += t[k].tips;
		}
		if (!first)
			continue;
		char cur[4], a[48];
		upper_code(t[i].currency, cur);
		printf("%-20s %-4s %14s\n", "All tips", cur, amount(sum, t[i].currency, a, sizeof a));
	}
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_DATE = 256, O_HELP };
	static const struct option opts[] = {
		{"date", required_argument, NULL, O_DATE},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *date = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_DATE: date = optarg; break;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	int y, m, d;
	if (date && tz_parse_date(date, &y, &m, &d) != 0) {
		fprintf(stderr, "paydesk: --date takes a date as YYYY-MM-DD, such as 2025-03-31\n");
		return 2;
	}
	if (!date)
		tz_today(&y, &m, &d);
	int ny = y, nm = m, nd = d;
	tz_date_add(&ny, &nm, &nd, 1);
	struct history_taking t[HISTORY_MAX_TAKINGS];
	int n = 0;
	struct pd_error err = {0};
	int rc = history_takings(app->db, tz_day_start(y, m, d), tz_day_start(ny, nm, nd), NULL, t,
				 HISTORY_MAX_TAKINGS, &n, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	printf("Takings for %s %04d-%02d-%02d (%s)\n", tz_weekday_abbr(tz_weekday(y, m, d)), y, m,
	       d, tz_name());
	if (n == 0) {
		printf("\nNothing taken.\n");
		stripe_as_of(app->db);
		return 0;
	}
	printf("\n%-20s %-4s %14s %14s %14s\n", "TENDER", "CUR", "TAKEN", "REFUNDED", "NET");
	for (int i = 0; i < n; i++) {
		char cur[4], a[48], b[48], e[48];
		for (int k = 0; k < 4; k++)
			cur[k] = (char)(t[i].currency[k] >= 'a' && t[i].currency[k] <= 'z'
						? t[i].currency[k] - 32
						: t[i].currency[k]);
		printf("%-20s %-4s %14s %14s %14s\n", history_tender_label(t[i].tender), cur,
		       amount(t[i].taken, t[i].currency, a, sizeof a),
		       amount(t[i].refunded, t[i].currency, b, sizeof b),
		       amount(t[i].taken - t[i].refunded, t[i].currency, e, sizeof e));
	}
	print_tips(app->db, tz_day_start(y, m, d), tz_day_start(ny, nm, nd));
	stripe_as_of(app->db);
	return 0;
}

const struct cli_command cli_takings = {
	.name = "takings",
	.summary = "print a day's takings per tender: cash, cheque, voucher, card (--date)",
	.run = run,
};
