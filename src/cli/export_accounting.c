/* `paydesk export --format quickbooks|xero`: the Stripe balance as a bank
 * account for QuickBooks Online or Xero, per date range, fees as their own
 * lines. See accounting_export.h for the formats. */
#include "export_accounting.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_io.h"
#include "paydesk/accounting_export.h"
#include "paydesk/audit_events.h"
#include "paydesk/cli.h"
#include "paydesk/history_export.h"
#include "paydesk/sanitize.h"
#include "paydesk/textcheck.h"

static const char usage_text[] =
	"usage: paydesk export --format quickbooks [--columns 3|4] | --format xero\n"
	"                      [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--currency CUR]\n"
	"                      [--date-format mdy|dmy|iso] [--output FILE [--replace]]\n"
	"                      [--sales-account CODE] [--fee-account CODE] [--payout-account CODE]\n"
	"                      [--payout po_…]\n"
	"The Stripe balance as a bank account (a \"Stripe\" clearing account) for\n"
	"QuickBooks Online's bank upload (3 columns: Date,Description,Amount; 4 columns:\n"
	"Date,Description,Credit,Debit) or Xero's precoded bank statement (*Date,*Amount,\n"
	"Payee,Description,Reference,Cheque Number,Account Code,Tax Rate; at most 1,000\n"
	"lines a file: a longer export goes to FILE-1.csv, FILE-2.csv, …). One line per\n"
	"payment, refund, dispute, adjustment and payout, the Stripe fee of each on its own\n"
	"line: they add up to what the balance gained, and to zero once it is paid out.\n"
	"From the balance transactions of the last sync (paydesk sync). Dates are local\n"
	"days, both included; MM/DD/YYYY for QuickBooks and DD/MM/YYYY for Xero unless\n"
	"--date-format says otherwise. The account codes precode Xero's lines.\n"
	"--payout po_…: one payout's statement instead of dates: the transactions it paid\n"
	"out and the payout itself, which come to zero (paydesk payouts lists them).\n";

static int usage_error(const char *msg)
{
	if (msg)
		fprintf(stderr, "paydesk export: %s\n", msg);
	fputs(usage_text, stderr);
	return 2;
}

bool cli_export_is_accounting(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			v = argv[i + 1];
		else if (strncmp(argv[i], "--format=", 9) == 0)
			v = argv[i] + 9;
		if (v && (strcmp(v, "quickbooks") == 0 || strcmp(v, "xero") == 0))
			return true;
	}
	return false;
}

static int account_code(const char *flag, const char *v, const char **out)
{
	struct pd_error err = {0};
	if (text_check(flag, v, 32, true, false, &err) != PD_OK) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s", err.msg);
		return usage_error(msg);
	}
	*out = v;
	return 0;
}

int cli_export_accounting(struct app *app, int argc, char **argv)
{
	enum { O_FORMAT = 256, O_COLUMNS, O_SINCE, O_UNTIL, O_CUR, O_DATES, O_OUTPUT, O_REPLACE,
	       O_SALES, O_FEES, O_PAYOUTS, O_PAYOUT, O_HELP };
	static const struct option opts[] = {
		{"format", required_argument, NULL, O_FORMAT},
		{"columns", required_argument, NULL, O_COLUMNS},
		{"since", required_argument, NULL, O_SINCE},
		{"until", required_argument, NULL, O_UNTIL},
		{"currency", required_argument, NULL, O_CUR},
		{"date-format", required_argument, NULL, O_DATES},
		{"output", required_argument, NULL, O_OUTPUT},
		{"replace", no_argument, NULL, O_REPLACE},
		{"sales-account", required_argument, NULL, O_SALES},
		{"fee-account", required_argument, NULL, O_FEES},
		{"payout-account", required_argument, NULL, O_PAYOUTS},
		{"payout", required_argument, NULL, O_PAYOUT},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	struct accounting_opts o = {0};
	const char *format = NULL, *output = NULL;
	int64_t columns = 0;
	bool replace = false;
	struct pd_error err = {0};
	int c, rc = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT: format = optarg; break;
		case O_COLUMNS:
			if (cli_number(optarg, "--columns", 3, 4, &columns))
				return 2;
			break;
		case O_SINCE: rc = history_date_parse(optarg, &o.since, &err); break;
		case O_UNTIL:
			rc = history_date_parse(optarg, &o.until, &err);
			if (!rc)
				o.until = history_next_day(o.until); /* the whole day */
			break;
		case O_CUR:
			if (strlen(optarg) != 3)
				return usage_error("--currency is a three-letter code, such as usd");
			for (int i = 0; i < 3; i++)
				o.currency[i] = (char)(optarg[i] >= 'A' && optarg[i] <= 'Z'
							       ? optarg[i] + 32
							       : optarg[i]);
			break;
		case O_DATES: rc = accounting_dates_parse(optarg, &o.dates, &err); break;
		case O_OUTPUT: output = optarg; break;
		case O_REPLACE: replace = true; break;
		case O_SALES:
			if (account_code("--sales-account", optarg, &o.sales_account))
				return 2;
			break;
		case O_FEES:
			if (account_code("--fee-account", optarg, &o.fee_account))
				return 2;
			break;
		case O_PAYOUTS:
			if (account_code("--payout-account", optarg, &o.payout_account))
				return 2;
			break;
		case O_PAYOUT:
			if (strncmp(optarg, "po_", 3) != 0 || strlen(optarg) > 64 ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789_") != strlen(optarg))
				return usage_error("--payout takes a payout id (po_…, as paydesk "
						   "payouts lists them)");
			o.payout = optarg;
			break;
		case O_HELP: fputs(usage_text, stdout); return 0;
		default: return usage_error("unknown or incomplete option");
		}
		if (rc)
			return usage_error(err.msg);
	}
	if (optind < argc)
		return usage_error("unexpected argument");
	if (replace && !output)
		return usage_error("--replace goes with --output FILE");
	if (!format || accounting_format_parse(format, (int)columns, &o.format, &err))
		return usage_error(err.msg[0] ? err.msg : NULL);
	if (o.format != ACCT_XERO && (o.sales_account || o.fee_account || o.payout_account))
		return usage_error("account codes precode Xero's lines: QuickBooks asks for them "
				   "when you review the upload");
	if (accounting_export_check(app->db, &o, &err))
		return cli_fail(err.code, err.msg);
	long lines = 0;
	char **files = NULL;
	int nfiles = 0;
	rc = output ? accounting_export_files(app->db, &o, output, replace, &files, &nfiles, &lines,
					      &err)
		    : accounting_export_stream(app->db, &o, stdout, &lines, &err);
	const char *what = o.format == ACCT_XERO ? "xero" : "quickbooks";
	for (int i = 0; !rc && i < nfiles; i++)
		rc = audit_event_export(app->db, NULL, what,
					nfiles == 1 ? lines
					: i + 1 < nfiles ? ACCOUNTING_XERO_FILE_LINES - 1
							 : lines - (long)i * (ACCOUNTING_XERO_FILE_LINES - 1),
					"statement lines", files[i], &err);
	if (!rc && !output)
		rc = audit_event_export(app->db, NULL, what, lines, "statement lines", NULL, &err);
	if (!rc && output) {
		for (int i = 0; i < nfiles; i++) {
			char *shown = sanitize_dup(files[i]);
			fprintf(stderr, "paydesk: wrote %s\n", shown ? shown : "the file");
			free(shown);
		}
		fprintf(stderr, "paydesk: %ld statement line%s in %d file%s (%s)\n", lines,
			lines == 1 ? "" : "s", nfiles, nfiles == 1 ? "" : "s",
			o.currency[0] ? o.currency : "no money in the range");
	}
	accounting_files_free(files, nfiles);
	return rc ? cli_fail(rc, err.msg) : 0;
}
