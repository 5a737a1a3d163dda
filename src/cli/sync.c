/* `paydesk sync [--full]`: pull billing history from Stripe, for cron.
 * Progress on a terminal, quiet otherwise; non-zero exit on failure.
 * Ctrl-C stops after the current page; the next sync resumes there. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_io.h"
#include "paydesk/cli.h"
#include "paydesk/history_sync.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_account.h"
#include "paydesk/vault.h"
#include "term_out.h"

static atomic_bool interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	atomic_store(&interrupted, true);
}

static void show_progress(void *ctx, const struct history_sync_step *step)
{
	(void)ctx;
	/* paydesk's own text (object names, counts): past the terminal guard, CR and all */
	FILE *out = cli_progress_stream();
	fprintf(out, "\r%d/%d %-22s %8ld records", step->index, step->steps, step->object,
		step->records);
	fflush(out);
}

static int run(struct app *app, int argc, char **argv)
{
	bool full;
	int pfd;
	int opts = cli_switch_and_pfd(argc, argv, "full", &full, &pfd,
				      "paydesk sync [--full] [--passphrase-fd N]");
	if (opts)
		return opts == CLI_HELP_SHOWN ? 0 : opts;
	struct pd_error err = {0};
	struct stripe_account_row acct;
	if (stripe_account_get(app->db, &acct, &err) != PD_OK)
		return cli_fail(PD_ERR, "no Stripe account is connected: run paydesk setup first");
	struct cli_stripe st;
	int rc = cli_stripe_open(&st, app, pfd, &err);
	bool tty = isatty(STDERR_FILENO);
	struct sigaction sa = {0}, old_int, old_term;
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	struct history_sync_stats stats = {0}; /* read below even when the sync never ran */
	if (!rc)
		rc = history_sync_run(app->db, st.client, st.key,
				      acct.connected_account[0] ? acct.connected_account : NULL,
				      full ? HISTORY_SYNC_FULL : 0u,
				      tty ? show_progress : NULL, NULL, &interrupted, &stats, &err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (tty && stats.note[0])
		fputc('\n', stderr);
	/* said even to cron: a full pass takes long, and this is why */
	if (stats.note[0])
		fprintf(stderr, "paydesk sync: %s\n", stats.note);
	if (tty && !rc)
		fprintf(cli_progress_stream(), "\rsynced %ld records in %ld pages, %ld events: %ld new, %ld changed; "
			"%ld payouts, %ld balance transactions\n",
			stats.records, stats.pages, stats.events, stats.ingest.inserted,
			stats.ingest.updated, stats.payouts.payouts, stats.payouts.txns);
	else if (tty)
		fputc('\n', stderr);
	cli_stripe_close(&st);
	return rc ? cli_fail(rc, err.msg) : 0;
}

const struct cli_command cli_sync = {
	.name = "sync",
	.summary = "pull billing history from Stripe (for cron; --full to start over)",
	.run = run,
};
