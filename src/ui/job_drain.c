/* The worker pool seen from the UI: started with the UI, drained in the
 * loop (finished jobs go to every screen, then the shown one re-reads),
 * and the start-up outbox recovery. */
#include "paydesk/jobs.h"
#include "paydesk/log.h"
#include "paydesk/recover_job.h"
#include "paydesk/setup.h"
#include "paydesk/vault.h"
#include "shell.h"
#include "stripe_status.h"

static uint64_t recover_job; /* the start-up outbox recovery, while it runs */

static void on_completion(void *ctx, const struct jobs_completion *c)
{
	struct ui *ui = ctx;
	if (c->id == recover_job) {
		recover_job = 0;
		if (c->result[0])
			ui_notify(ui, c->status == JOBS_DONE ? UI_NOTICE_INFO : UI_NOTICE_ERROR, "%s",
				  c->result);
		return;
	}
	for (int i = 0; i < UI_SCREENS; i++)
		if (ui_screens[i]->job_done)
			ui_screens[i]->job_done(ui->state[i], ui, c);
	if (c->status == JOBS_FAILED)
		ui_notify(ui, UI_NOTICE_ERROR, "%s", c->result);
}

/* Finished jobs wrote their results to the store: let the screens re-read. */
void ui_jobs_drain(struct ui *ui)
{
	if (!ui->app->jobs)
		return;
	ui_stripe_status_tick(ui); /* first: what the jobs say is newer news */
	if (jobs_drain(ui->app->jobs, on_completion, ui) > 0) {
		ui_load_account(ui);
		const struct ui_screen *s = ui_screens[ui->tab];
		if (s->reload)
			s->reload(ui->state[ui->tab], ui);
	}
	ui->pending_jobs = ui_stripe_status_jobs(ui); /* all but Stripe reachability checks */
}

void ui_jobs_start(struct ui *ui)
{
	struct jobs_opts opts = {.db_path = ui->app->db_path, .workers = 3};
	stripe_client_opts_from_config(&opts.client, &ui->app->cfg);
	struct pd_error err = {0};
	if (jobs_start(&opts, &ui->app->jobs, &err) != PD_OK) {
		log_msg(LOG_ERROR, "workers did not start: %s", err.msg);
		ui_notify(ui, UI_NOTICE_ERROR, "offline: %s", err.msg);
	}
}

void ui_jobs_recover(struct ui *ui)
{
	char *key = NULL;
	struct pd_error err;
	if (!recover_job && ui->app->vault && ui->app->jobs &&
	    setup_open_key(ui->app->db, ui->app->vault, &key, &err) == PD_OK)
		recover_job = recover_job_submit(ui->app->jobs, key);
	vault_secret_free(&key);
}
