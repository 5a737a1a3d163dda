/* The accounting exports as a job. See accounting_export_job.h. */
#include "paydesk/accounting_export_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/audit_events.h"
#include "paydesk/log.h"

struct acct_job {
	struct accounting_opts o;
	char sales[40], fees[40], payouts[40];
	char path[1024];
	char actor[72];
};

static enum jobs_status run(struct jobs_ctx *ctx, void *arg, char *result, size_t size)
{
	struct acct_job *j = arg;
	struct pd_error err = {0};
	char **files = NULL;
	int nfiles = 0;
	long lines = 0;
	int rc = ctx->db ? accounting_export_check(ctx->db, &j->o, &err)
			 : pd_error_set(&err, PD_ERR, "no store for the export");
	if (!rc)
		rc = accounting_export_files(ctx->db, &j->o, j->path, false, &files, &nfiles, &lines,
					     &err);
	const char *what = j->o.format == ACCT_XERO ? "xero" : "quickbooks";
	for (int i = 0; !rc && i < nfiles; i++) {
		long in_file = nfiles == 1 ? lines
			       : i + 1 < nfiles ? ACCOUNTING_XERO_FILE_LINES - 1
						: lines - (long)i * (ACCOUNTING_XERO_FILE_LINES - 1);
		struct pd_error aerr = {0};
		if (audit_event_export(ctx->db, j->actor, what, in_file, "statement lines", files[i],
				       &aerr) != PD_OK)
			log_msg(LOG_ERROR, "accounting export to %s not audited: %s", files[i],
				aerr.msg);
	}
	if (rc)
		snprintf(result, size, "export failed: %s", err.msg);
	else if (nfiles > 1)
		snprintf(result, size, "exported %ld statement lines in %d files: %s …", lines,
			 nfiles, files[0]);
	else
		snprintf(result, size, "exported %ld statement line%s to %s", lines,
			 lines == 1 ? "" : "s", j->path);
	accounting_files_free(files, nfiles);
	return rc ? JOBS_FAILED : JOBS_DONE;
}

uint64_t accounting_export_job_submit(struct jobs *jobs, const struct accounting_opts *o,
				      const char *path, const char *actor)
{
	if (!jobs || !path)
		return 0;
	struct acct_job *j = calloc(1, sizeof *j);
	if (!j)
		return 0;
	j->o = *o;
	/* the account codes are the job's own copies */
	snprintf(j->sales, sizeof j->sales, "%s", o->sales_account ? o->sales_account : "");
	snprintf(j->fees, sizeof j->fees, "%s", o->fee_account ? o->fee_account : "");
	snprintf(j->payouts, sizeof j->payouts, "%s", o->payout_account ? o->payout_account : "");
	j->o.sales_account = j->sales;
	j->o.fee_account = j->fees;
	j->o.payout_account = j->payouts;
	snprintf(j->path, sizeof j->path, "%s", path);
	snprintf(j->actor, sizeof j->actor, "%s", actor ? actor : "");
	uint64_t id = jobs_submit(jobs, JOBS_BACKGROUND, run, j, free);
	if (!id)
		free(j);
	return id;
}
