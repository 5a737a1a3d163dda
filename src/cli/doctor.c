/* `paydesk doctor [--json]`: the Setup checklist, printed, for admins and
 * cron. Exit 0 only when everything paydesk needs is in place. */
#include <stdio.h>
#include <string.h>

#include "cli_io.h"
#include "paydesk/cli.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_account.h"
#include "paydesk/vault.h"

static int run(struct app *app, int argc, char **argv)
{
	bool json;
	int pfd;
	int opts = cli_switch_and_pfd(argc, argv, "json", &json, &pfd,
				      "paydesk doctor [--json] [--passphrase-fd N]");
	if (opts)
		return opts == CLI_HELP_SHOWN ? 0 : opts;
	struct pd_error err = {0};
	struct stripe_account_row acct;
	if (stripe_account_get(app->db, &acct, &err) != PD_OK)
		return cli_fail(PD_ERR, "no Stripe account is connected: run paydesk setup first");
	struct cli_stripe st;
	int rc = cli_stripe_open(&st, app, pfd, &err);
	struct verify_report report = {0};
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
