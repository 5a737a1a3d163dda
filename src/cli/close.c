/* `paydesk close --date YYYY-MM-DD [--desk NAME] [--user NAME] [--csv]`:
 * a day's sheet for cashing up — expected takings by tender, the cash the
 * till should hold — and, with --counted, the close itself: the cash
 * counted, a comment when it differs, stored and audited once. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_io.h"
#include "paydesk/cli.h"
#include "paydesk/csv.h"
#include "paydesk/day_close.h"
#include "paydesk/money.h"
#include "paydesk/textcheck.h"
#include "paydesk/users.h"
#include "paydesk/tz.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk close [--date YYYY-MM-DD] [--desk NAME] [--user NAME] [--csv]\n"
	      "                     [--counted AMOUNT [--comment TEXT] [--currency CUR]\n"
	      "                      [--as NAME] [--pin-fd N] [--passphrase-fd N]]\n"
	      "Prints a day's close sheet (default: today, in the configured time zone): the\n"
	      "takings expected by tender — cash, cheque, gift voucher, other card machine\n"
	      "(the desk's records) and card payments Stripe confirmed to the desk — and the\n"
	      "cash the till should hold. --desk and --user narrow it to one desk (PAYDESK_DESK\n"
	      "or its host name) or one user; without them it is every desk and user.\n"
	      "--counted closes the day with the cash counted in the till; a difference\n"
	      "needs --comment saying why. A closed day is kept as closed: closing it again\n"
	      "is refused and shows the close. Closing needs who closes: --as NAME with\n"
	      "PAYDESK_PIN or --pin-fd N, or the vault passphrase.\n"
	      "--csv prints the sheet as CSV, one row per tender and currency.\n",
	      out);
}

static void upper(const char *cur, char out[4])
{
	for (int k = 0; k < 4; k++)
		out[k] = (char)(cur[k] >= 'a' && cur[k] <= 'z' ? cur[k] - 32 : cur[k]);
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

static void when(int64_t t, char *out, size_t len)
{
	struct tz_civil c;
	tz_to_civil(t, &c);
	snprintf(out, len, "%04d-%02d-%02d %02d:%02d", c.year % 10000, c.month % 100, c.day % 100,
		 c.hour % 100, c.minute % 100);
}

static void print_lines(const struct day_close_line *lines, int n);
static void print_other_closes(const struct day_close_sheet *s);
static void print_stripe(const struct day_close_sheet *s);

static void print_text(const struct day_close_sheet *s)
{
	int y, m, d;
	tz_parse_date(s->day, &y, &m, &d);
	printf("Day close · %s %s (%s) · %s%s · %s\n", tz_weekday_abbr(tz_weekday(y, m, d)),
	       s->day, tz_name(), s->desk[0] ? "desk " : "", s->desk[0] ? s->desk : "all desks",
	       s->user[0] ? s->user : "all users");
	char a[48];
	print_lines(s->lines, s->nlines);
	printf("\nCash expected in the till: %s\n",
	       money_format(s->expected_cash, s->cash_currency, a, sizeof a));
	if (s->closed) {
		const struct day_close_row *c = &s->close;
		char words[80], at[32];
		when(c->closed_at, at, sizeof at);
		/* the day as a whole: the till as last counted, every close's
		 * difference added up (a later close counts the whole till) */
		printf("Cash counted: %s (%s)\n",
		       money_format(c->till_cash, c->currency, a, sizeof a),
		       day_close_difference_words(c->day_difference, c->currency, words,
						  sizeof words));
		if (c->comment[0])
			printf("Comment: %s\n", c->comment);
		printf("Closed by %s at %s.\n", c->closed_by, at);
		if (c->covers_from) {
			when(c->covers_from, at, sizeof at);
			printf("It covers what came after the close before it (%d earlier), from %s.\n",
			       c->earlier, at);
		}
	}
	if (s->closed && s->nafter) { /* as a till: what came after the close */
		char at[32];
		when(s->close.closed_at, at, sizeof at);
		printf("\nSince the close at %s:", at + 11);
		print_lines(s->after, s->nafter);
		char b[48], t[48];
		int64_t since = s->after_cash;
		printf("\nCount the whole till: %s counted at %s %c %s since = %s\n",
		       money_format(s->close.till_cash, s->close.currency, a, sizeof a), at + 11,
		       since < 0 ? '-' : '+',
		       money_format(since < 0 ? -since : since, s->close.currency, b, sizeof b),
		       money_format(s->close.till_cash + since, s->close.currency, t, sizeof t));
	}
	print_other_closes(s);
	if (day_close_open(s)) {
		printf("Not closed %s%s: count the %s, then\n  paydesk close --date %s%s%s%s%s "
		       "--counted AMOUNT\n",
		       s->closed ? "since" : "yet", !s->closed && s->nothers ? " as a whole" : "",
		       s->closed ? "whole till" : "cash",
		       s->day, s->desk[0] ? " --desk " : "", s->desk, s->user[0] ? " --user " : "",
		       s->user);
	}
	print_stripe(s);
}

/* Closes made apart within this scope (each user at a desk): so "not
 * closed" is read as this scope's own close only. */
static void print_other_closes(const struct day_close_sheet *s)
{
	for (int i = 0; i < s->nothers; i++) {
		const struct day_close_brief *b = &s->others[i];
		char at[32];
		when(b->closed_at, at, sizeof at);
		printf("%s%s · %s: closed at %s by %s%s\n",
		       i ? "" : "\nClosed apart within it:\n",
		       b->desk[0] ? b->desk : "all desks", b->user[0] ? b->user : "all users",
		       at + 11, b->closed_by, b->closes > 1 ? " (the latest of several)" : "");
	}
}

static void print_lines(const struct day_close_line *lines, int n)
{
	char cur[4], a[48], b[48], e[48];
	if (n == 0) {
		printf("\nNothing taken.\n");
	} else {
		printf("\n%-20s %-4s %5s %12s %12s %12s\n", "TENDER", "CUR", "COUNT", "TAKEN",
		       "REFUNDED", "NET");
		for (int i = 0; i < n; i++) {
			const struct day_close_line *l = &lines[i];
			upper(l->currency, cur);
			printf("%-20s %-4s %5lld %12s %12s %12s", day_close_tender_label(l->tender),
			       cur, (long long)l->count, amount(l->taken, l->currency, a, sizeof a),
			       amount(l->refunded, l->currency, b, sizeof b),
			       amount(l->taken - l->refunded, l->currency, e, sizeof e));
			if (strcmp(l->tender, "card") == 0)
				printf("\n%-20s %lld of %lld in Stripe's synced history", "",
				       (long long)l->in_history, (long long)l->count);
			printf("\n");
		}
	}
}

static void print_stripe(const struct day_close_sheet *s)
{
	char cur[4], a[48], b[48];
	for (int i = 0; i < s->nstripe; i++) {
		const struct history_taking *t = &s->stripe[i];
		upper(t->currency, cur);
		printf("%s%s %s taken, %s refunded\n",
		       i ? "" : "\nStripe, whole account that day (every desk, links, subscriptions):\n",
		       cur, amount(t->taken, t->currency, a, sizeof a),
		       amount(t->refunded, t->currency, b, sizeof b));
	}
	char at[32] = "never";
	if (s->synced_at > 0)
		when(s->synced_at, at, sizeof at);
	printf("\nStripe's history is as of its last sync (%s); the card lines\n"
	       "are the desk's own records of what Stripe confirmed.\n",
	       at);
}

static int print_csv(const struct day_close_sheet *s)
{
	struct csv_buf b = {0};
	static const char *const head[] = {
		"date",	    "desk",	     "user",	     "tender",	     "currency",
		"count",    "taken",	     "refunded",     "net",	     "in_stripe_history",
		"expected_cash", "counted_cash", "difference", "comment",	     "closed_by",
		"closed_at"};
	int rc = csv_write(&b, head, sizeof head / sizeof head[0]);
	struct day_close_line lines[DAY_CLOSE_MAX_LINES + 1];
	int n = s->nlines;
	memcpy(lines, s->lines, sizeof s->lines);
	bool cash = false;
	for (int i = 0; i < n; i++)
		cash |= !strcmp(lines[i].tender, "cash") && !strcmp(lines[i].currency, s->cash_currency);
	if (!cash) { /* the till's line, even when nothing was taken in cash */
		lines[n] = (struct day_close_line){.tender = "cash"};
		memcpy(lines[n++].currency, s->cash_currency, 4);
	}
	const struct day_close_row *c = &s->close;
	for (int i = 0; !rc && i < n; i++) {
		const struct day_close_line *l = &lines[i];
		bool till = !strcmp(l->tender, "cash") && !strcmp(l->currency, s->cash_currency);
		char cur[4], cnt[24], tk[32], rf[32], net[32], inh[24], ex[32] = "", co[32] = "",
			df[32] = "", at[32] = "";
		upper(l->currency, cur);
		snprintf(cnt, sizeof cnt, "%lld", (long long)l->count);
		snprintf(inh, sizeof inh, "%lld", (long long)l->in_history);
		money_plain(l->taken, l->currency, tk, sizeof tk);
		money_plain(l->refunded, l->currency, rf, sizeof rf);
		money_plain(l->taken - l->refunded, l->currency, net, sizeof net);
		if (till)
			money_plain(s->expected_cash, s->cash_currency, ex, sizeof ex);
		if (till && s->closed) {
			money_plain(c->till_cash, c->currency, co, sizeof co);
			money_plain(c->day_difference, c->currency, df, sizeof df);
			when(c->closed_at, at, sizeof at);
		}
		const char *row[] = {s->day,
				     s->desk,
				     s->user,
				     l->tender,
				     cur,
				     cnt,
				     tk,
				     rf,
				     net,
				     strcmp(l->tender, "card") ? "" : inh,
				     ex,
				     co,
				     df,
				     till && s->closed ? c->comment : "",
				     till && s->closed ? c->closed_by : "",
				     at};
		rc = csv_write(&b, row, sizeof row / sizeof row[0]);
	}
	if (!rc)
		fwrite(b.data, 1, b.len, stdout);
	csv_buf_free(&b);
	return rc ? cli_fail(PD_ERR, "out of memory") : 0;
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_DATE = 256, O_DESK, O_USER, O_CSV, O_COUNTED, O_COMMENT, O_CURRENCY, O_AS,
	       O_PINFD, O_PASSFD, O_HELP };
	static const struct option opts[] = {
		{"date", required_argument, NULL, O_DATE},
		{"desk", required_argument, NULL, O_DESK},
		{"user", required_argument, NULL, O_USER},
		{"csv", no_argument, NULL, O_CSV},
		{"counted", required_argument, NULL, O_COUNTED},
		{"comment", required_argument, NULL, O_COMMENT},
		{"currency", required_argument, NULL, O_CURRENCY},
		{"as", required_argument, NULL, O_AS},
		{"pin-fd", required_argument, NULL, O_PINFD},
		{"passphrase-fd", required_argument, NULL, O_PASSFD},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *date = NULL, *desk = NULL, *user = NULL, *counted = NULL, *comment = NULL,
		   *currency = NULL, *as = NULL;
	bool csv = false;
	int pin_fd = -1, pass_fd = -1, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case O_DATE: date = optarg; break;
		case O_DESK: desk = optarg; break;
		case O_USER: user = optarg; break;
		case O_CSV: csv = true; break;
		case O_COUNTED: counted = optarg; break;
		case O_COMMENT: comment = optarg; break;
		case O_CURRENCY: currency = optarg; break;
		case O_AS: as = optarg; break;
		case O_PINFD: ok = (pin_fd = cli_parse_fd(optarg)) >= 0; break;
		case O_PASSFD: ok = (pass_fd = cli_parse_fd(optarg)) >= 0; break;
		case O_HELP: usage(stdout); return 0;
		default: ok = false;
		}
		if (!ok) {
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	int y, m, d;
	char today[16];
	if (date && tz_parse_date(date, &y, &m, &d) != 0) {
		fprintf(stderr, "paydesk: --date takes a date as YYYY-MM-DD, such as 2025-03-31\n");
		return 2;
	}
	if (!date) {
		tz_today(&y, &m, &d);
		snprintf(today, sizeof today, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
		date = today;
	}
	if (comment && !counted) {
		fprintf(stderr, "paydesk: --comment goes with --counted (closing the day)\n");
		return 2;
	}
	/* Every value checked before anything is read or printed: a bad one is
	 * said without being echoed (it may hold escape sequences). */
	const struct {
		const char *flag, *value;
		size_t max;
	} texts[] = {{"--desk", desk, 63},	     {"--user", user, USER_NAME_MAX},
		     {"--counted", counted, 32},     {"--comment", comment, DAY_CLOSE_COMMENT_MAX},
		     {"--currency", currency, 3},    {"--as", as, USER_NAME_MAX}};
	struct pd_error verr = {0};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		if (texts[i].value && text_check(texts[i].flag, texts[i].value, texts[i].max, true, false,
					&verr) != PD_OK) {
			fprintf(stderr, "paydesk: %s\n", verr.msg);
			return 2;
		}
	}
	/* say what was wrong: a till is never negative; else money's reason */
	if (counted && counted[strspn(counted, " ")] == '-') {
		fprintf(stderr, "paydesk: --counted cannot be negative: it is the cash in the till, "
				"such as 119.50 (0 when it is empty)\n");
		return 2;
	}
	if (counted && money_check(counted, &verr) != PD_OK) {
		fprintf(stderr, "paydesk: --counted is the cash counted in the till: %s\n", verr.msg);
		return 2;
	}
	desk = desk ? desk : ""; /* "": every desk, every user */
	user = user ? user : "";
	struct pd_error err = {0};
	struct day_close_sheet sheet;
	int rc;
	if (!counted) {
		rc = day_close_read(app->db, date, desk, user, currency, &sheet, &err);
		if (rc)
			return cli_fail(rc, err.msg);
		return csv ? print_csv(&sheet) : (print_text(&sheet), 0);
	}
	struct session who = {0};
	rc = cli_authenticate(app, as, pin_fd, pass_fd, &who, &err);
	if (!rc)
		rc = day_close_save(app->db, &who, date, desk, user, currency, counted, comment,
				    &sheet, &err);
	if (rc == PD_ERR_EXISTS) {
		/* the close that stands, then why nothing changed */
		struct pd_error shown = {0};
		if (day_close_read(app->db, date, desk, user, currency, &sheet, &shown) == PD_OK)
			csv ? print_csv(&sheet) : (print_text(&sheet), 0);
	}
	if (rc)
		return cli_fail(rc, err.msg);
	if (csv)
		return print_csv(&sheet);
	print_text(&sheet);
	return 0;
}

const struct cli_command cli_close = {
	.name = "close",
	.summary = "close the day at the desk: takings by tender, cash counted (--date, --counted)",
	.run = run,
};
