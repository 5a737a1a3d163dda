/* The idle lock: after [ui] idle_lock seconds without a key, the lock
 * screen, so the desk is never left open. */
#include <stdint.h>
#include <time.h>

#include "paydesk/jobs.h"
#include "paydesk/log.h"
#include "shell.h"
#include "widgets.h"

/* Idle time in milliseconds, from a clock that counts a suspend and that
 * no clock change moves: a laptop closed past the lock locks at its first
 * key (key_input.c asks here before the key is the desk's), even though
 * poll() slept on. Not time(): its whole seconds took a key at 0.9 s into a
 * second as 0.9 s older, and the lock came that much early. */
static int64_t idle_clock_ms(void)
{
	struct timespec ts;
#ifdef CLOCK_BOOTTIME
	if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
#endif
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ui_idle_restart(struct ui *ui)
{
	ui->last_key_ms = idle_clock_ms();
}

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
	int64_t now = idle_clock_ms();
	if (ui->app->jobs && jobs_pending_lane(ui->app->jobs, JOBS_INTERACTIVE) > 0)
		ui->last_key_ms = now;
	int64_t left = ui->last_key_ms + (int64_t)seconds * 1000 - now;
	if (left <= 0) {
		log_msg(LOG_INFO, "screen locked after %d idle seconds", seconds);
		ui_dialog_close(ui);
		ui_clear_notices(ui); /* the next person starts with a clean line */
		ui_messages_clear(ui); /* and reads nothing of the last one's */
		ui_signin_open(ui, NULL);
		return 0; /* draw the lock screen now */
	}
	return left > INT32_MAX ? INT32_MAX : (int)left;
}
