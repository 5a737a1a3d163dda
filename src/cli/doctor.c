/* `paydesk doctor [--json]`: the Setup checklist, printed, for admins and
 * cron. Exit 0 only when everything paydesk needs is in place. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_io.h"
#include "paydesk/cli.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_account.h"
#include "paydesk/vault.h"

static int run(struct app *app, int argc, char **argv)
{
	enum { O_JSON = 256, O_PFD };
	static const struct option opts[] = {
		{"json", no_argument, NULL, O_JSON},
		{"passphrase-fd", required_argument, NULL, O_PFD},
		{NULL, 0, NULL, 0},
	};
	bool json = false;
	int pfd = -1, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == O_JSON) {
			json = true;
		} else if (c == O_PFD && (pfd = cli_parse_fd(optarg)) >= 0) {
			continue;
		} else {
			fprintf(stderr, "usage: paydesk doctor [--json] [--passphrase-fd N]\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "usage: paydesk doctor [--json] [--passphrase-fd N]\n");
		return 2;
	}
	struct pd_error err = {0};
	struct stripe_account_row acct;
	if (stripe_account_get(app->db, &acct, &err) != PD_OK)
		return cli_fail(PD_ERR, "no Stripe account is connected: run paydesk setup first");
	struct cli_stripe st;
	int rc = cli_stripe_open(&st, app, pfd, &err);
	struct verify_report report;
	if (!rc)
		rc = verify_run(st.client, st.key, acct.account_id, acct.connected_account, &report, NULL,
				NULL, NULL, &err);
	int status;
	if (rc) {
		status = cli_fail(rc, err.msg);
	} else {
		cli_print_report(stdout, &report, acct.mode, json);
		status = report.key_ok && report.failures == 0 && report.unknown == 0 ? 0 : 1;
	}
	cli_stripe_close(&st);
	return status;
}

const struct cli_command cli_doctor = {
	.name = "doctor",
	.summary = "check the Stripe connection and key permissions (--json)",
	.run = run,
};
