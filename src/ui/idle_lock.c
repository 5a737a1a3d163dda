/* The idle lock: after [ui] idle_lock seconds without a key, the lock
 * screen, so the desk is never left open. */
#include "paydesk/jobs.h"
#include "paydesk/log.h"
#include "shell.h"
#include "widgets.h"

/* Lock after [ui] idle_lock without a key; returns the poll
 * timeout (ms) until then, 0 when it has just locked, or -1. A payment or
 * refund in flight (an interactive job) holds the lock off: the idle time
 * counts from when it ended, so its outcome is seen by who started it. An
 * open confirmation goes with the lock, unanswered: the next person to sign
 * in must not answer another's question. */
int ui_idle_lock_timeout(struct ui *ui)
{
	int seconds = ui->app->cfg.idle_lock_seconds;
	if (seconds <= 0 || ui->signin || !ui->app->session.signed_in)
		return -1;
	time_t now = time(NULL);
	if (ui->app->jobs && jobs_pending_lane(ui->app->jobs, JOBS_INTERACTIVE) > 0)
		ui->last_key = now;
	time_t left = ui->last_key + (time_t)seconds - now;
	if (left <= 0) {
		log_msg(LOG_INFO, "screen locked after %d idle seconds", seconds);
		ui_dialog_close(ui);
		ui_clear_notices(ui); /* the next person starts with a clean line */
		ui_messages_clear(ui); /* and reads nothing of the last one's */
		ui_signin_open(ui, NULL);
		return 0; /* draw the lock screen now */
	}
	return (int)(left * 1000);
}
