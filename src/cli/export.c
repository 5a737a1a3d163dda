/* `paydesk export`: the billing history for a filter, as CSV or JSON Lines,
 * with the same filter code as the History screen. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_accounting.h"
#include "paydesk/cli.h"
#include "paydesk/audit_events.h"
#include "paydesk/history_export.h"
#include "paydesk/money.h"
#include "paydesk/sanitize.h"
#include "paydesk/textcheck.h"

static const char usage_text[] =
	"usage: paydesk export [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--status S]\n"
	"                      [--type payment|refund|invoice] [--currency CUR] [--client TEXT]\n"
	"                      [--min AMOUNT] [--max AMOUNT] [--review reviewed|unreviewed|flagged]\n"
	"                      [--search WORDS] [--format csv|jsonl] [--output FILE [--replace]]\n"
	"       paydesk export --format quickbooks|xero …  (accounting: --format xero --help)\n"
	"Dates are local days, both included. Newest first. Default: CSV on standard output.\n"
	"An existing FILE is kept (exit 1) unless --replace is given.\n";

static int usage_error(const char *msg)
{
	if (msg)
		fprintf(stderr, "paydesk export: %s\n", msg);
	fputs(usage_text, stderr);
	return 2;
}

static int copy_opt(char *dst, size_t len, const char *value, const char *name)
{
	if (strlen(value) >= len) {
		fprintf(stderr, "paydesk export: %s is too long (at most %zu bytes)\n", name, len - 1);
		return -1;
	}
	snprintf(dst, len, "%s", value);
	return 0;
}

/* A filter value: required, valid UTF-8, no control characters, short.
 * The message never repeats the value (it may hold escape sequences). */
static int check_value(const char *flag, const char *value, struct pd_error *err)
{
	if (strlen(value) > 256)
		return pd_error_set(err, PD_ERR_USAGE, "%s is too long (at most 256 bytes)", flag);
	return text_check(flag, value, 256, true, false, err);
}

static int run(struct app *app, int argc, char **argv)
{
	if (cli_export_is_accounting(argc, argv)) /* QuickBooks, Xero: their own options */
		return cli_export_accounting(app, argc, argv);
	enum { O_SINCE = 256, O_UNTIL, O_STATUS, O_TYPE, O_CUR, O_CLIENT, O_MIN, O_MAX, O_REVIEW,
	       O_SEARCH, O_FORMAT, O_OUTPUT, O_REPLACE, O_HELP };
	static const struct option opts[] = {
		{"since", required_argument, NULL, O_SINCE},
		{"until", required_argument, NULL, O_UNTIL},
		{"status", required_argument, NULL, O_STATUS},
		{"type", required_argument, NULL, O_TYPE},
		{"currency", required_argument, NULL, O_CUR},
		{"client", required_argument, NULL, O_CLIENT},
		{"min", required_argument, NULL, O_MIN},
		{"max", required_argument, NULL, O_MAX},
		{"review", required_argument, NULL, O_REVIEW},
		{"search", required_argument, NULL, O_SEARCH},
		{"format", required_argument, NULL, O_FORMAT},
		{"output", required_argument, NULL, O_OUTPUT},
		{"replace", no_argument, NULL, O_REPLACE},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	struct history_filter f = {0};
	enum history_format fmt = HISTORY_CSV;
	const char *output = NULL, *min = NULL, *max = NULL;
	bool replace = false;
	struct pd_error err = {0};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int rc = 0;
		if (c >= O_SINCE && c <= O_FORMAT) {
			if (check_value("the value", optarg, &err)) {
				char msg[600];
				snprintf(msg, sizeof msg, "--%s: %s", opts[c - O_SINCE].name, err.msg);
				return usage_error(msg);
			}
		}
		switch (c) {
		case O_SINCE:
			rc = history_date_parse(optarg, &f.since, &err);
			break;
		case O_UNTIL:
			rc = history_date_parse(optarg, &f.until, &err);
			if (!rc)
				f.until = history_next_day(f.until); /* the whole day, included */
			break;
		case O_STATUS:
			rc = copy_opt(f.status, sizeof f.status, optarg, "--status") ? PD_ERR_USAGE : 0;
			break;
		case O_TYPE:
			rc = copy_opt(f.type, sizeof f.type, optarg, "--type") ? PD_ERR_USAGE : 0;
			break;
		case O_CUR:
			rc = copy_opt(f.currency, sizeof f.currency, optarg, "--currency") ? PD_ERR_USAGE
											   : 0;
			for (char *p = f.currency; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			break;
		case O_CLIENT:
			rc = copy_opt(f.client, sizeof f.client, optarg, "--client") ? PD_ERR_USAGE : 0;
			break;
		case O_SEARCH:
			rc = copy_opt(f.search, sizeof f.search, optarg, "--search") ? PD_ERR_USAGE : 0;
			break;
		case O_MIN:
			min = optarg;
			break;
		case O_MAX:
			max = optarg;
			break;
		case O_REVIEW:
			if (strcmp(optarg, "reviewed") == 0)
				f.review = HISTORY_REVIEW_REVIEWED;
			else if (strcmp(optarg, "unreviewed") == 0)
				f.review = HISTORY_REVIEW_UNREVIEWED;
			else if (strcmp(optarg, "flagged") == 0)
				f.review = HISTORY_REVIEW_FLAGGED;
			else
				rc = pd_error_set(&err, PD_ERR_USAGE,
						  "unknown --review '%s' (allowed: reviewed, "
						  "unreviewed, flagged)",
						  optarg);
			break;
		case O_FORMAT:
			rc = history_format_parse(optarg, &fmt, &err);
			break;
		case O_OUTPUT:
			output = optarg;
			break;
		case O_REPLACE:
			replace = true;
			break;
		case O_HELP:
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_error("unknown or incomplete option");
		}
		if (rc)
			return usage_error(err.msg[0] ? err.msg : NULL);
	}
	if (optind < argc)
		return usage_error("unexpected argument");
	if (replace && !output)
		return usage_error("--replace goes with --output FILE");
	const char *cur = f.currency[0] ? f.currency : app->cfg.currency;
	snprintf(f.amount_currency, sizeof f.amount_currency, "%s", cur);
	if (min && money_parse(min, cur, &f.amount_min, &err))
		return usage_error(err.msg);
	if (max && money_parse(max, cur, &f.amount_max, &err))
		return usage_error(err.msg);
	f.amount_min_set = min != NULL;
	f.amount_max_set = max != NULL;
	if (history_filter_check(&f, &err))
		return usage_error(err.msg);

	long rows = 0;
	int rc = output ? history_export_file(app->db, &f, fmt, output, replace, &rows, &err)
			: history_export(app->db, &f, fmt, stdout, &rows, &err);
	if (!rc)
		rc = audit_event_export(app->db, NULL, "history", rows, "records", output, &err);
	if (rc)
		return cli_fail(rc, err.msg);
	if (output) {
		char *shown = sanitize_dup(output); /* a legal file name may hold anything */
		fprintf(stderr, "paydesk: exported %ld record%s to %s\n", rows, rows == 1 ? "" : "s",
			shown ? shown : "the file");
		free(shown);
	}
	return 0;
}

const struct cli_command cli_export = {
	.name = "export",
	.summary = "export the billing history (CSV or JSON Lines) for a filter",
	.run = run,
};
