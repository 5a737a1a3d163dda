/* `paydesk receipt APPOINTMENT-ID [--out FILE]`: the appointment's receipt as
 * plain text for the desk's printer — price (and discount), each payment
 * with its tender, tips, what is still due. Cash has no Stripe receipt: this
 * is the one the client takes away. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/cli.h"
#include "paydesk/file_replace.h"
#include "paydesk/receipts.h"
#include "paydesk/sanitize.h"

static void usage(FILE *out)
{
	fputs("usage: paydesk receipt APPOINTMENT-ID [--out FILE]\n"
	      "Prints the appointment's receipt as plain text (to FILE with --out), for the\n"
	      "desk's printer: cash and other desk tenders have no Stripe receipt email.\n",
	      out);
}

static int fill(FILE *f, void *ctx, struct pd_error *err)
{
	(void)err;
	return fputs(ctx, f) < 0 ? PD_ERR : PD_OK;
}

static int run(struct app *app, int argc, char **argv)
{
	enum { O_OUT = 256, O_HELP };
	static const struct option opts[] = {
		{"out", required_argument, NULL, O_OUT},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_OUT: path = optarg; break;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	char *end = NULL;
	long long id = strtoll(argv[optind], &end, 10);
	if (!end || *end || id <= 0) {
		fprintf(stderr, "paydesk: the appointment is a number, as the Appointments tab "
				"shows it (paydesk agenda lists the day's)\n");
		return 2;
	}
	char *text = NULL;
	struct pd_error err = {0};
	int rc = receipts_text(app->db, (int64_t)id, &text, &err);
	if (rc == PD_ERR_NOT_FOUND)
		return cli_fail(PD_ERR_USAGE, "no such appointment");
	if (rc)
		return cli_fail(rc, err.msg);
	if (path) {
		rc = file_replace(path, fill, text, &err);
		if (!rc)
			printf("receipt written to %s\n", path);
	} else {
		/* names come from people: each line printed inert */
		for (char *line = text; *line;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			char shown[1024];
			sanitize_text(line, shown, sizeof shown);
			puts(shown);
			if (!nl)
				break;
			line = nl + 1;
		}
	}
	free(text);
	return rc ? cli_fail(rc, err.msg) : 0;
}

const struct cli_command cli_receipt = {
	.name = "receipt",
	.summary = "print an appointment's receipt as text (cash, desk tenders)",
	.run = run,
};
