/* The shell: the poll() loop that draws a frame, sleeps until a key, a
 * signal or a finished job, and hands each on; and the frame itself
 * (tab bar, screen, status line, overlays). Its parts are in terminal.c,
 * signals.c, key_input.c, status_line.c, dispatch.c, job_drain.c,
 * signin_flow.c and idle_lock.c (shell.h). */
#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paydesk/jobs.h"
#include "paydesk/log.h"
#include "bench_trace.h"
#include "charset.h"
#include "qr_view.h"
#include "paydesk/tui.h"
#include "shell.h"
#include "widgets.h"

/* draw.c styles text through this; set for the life of tui_run. */
const struct ui *ui_current;

static void draw(struct ui *ui)
{
	ui_trace_draw_start();
	curs_set(0);
	ui->too_small = COLS < UI_MIN_COLS || LINES < UI_MIN_LINES;
	if (ui->too_small) {
		ui_too_small_draw();
	} else if (ui->qr_screen_url && !ui->signin) {
		erase(); /* the QR code alone: at 80x24 it needs nearly every row */
		ui_qr_screen_draw(ui);
		ui_dialog_draw(ui);
		ui_unlock_draw(ui);
	} else if (ui->signin) {
		erase(); /* nothing of the desk shows behind the lock screen */
		ui_status_draw(ui);
		ui_dialog_draw(ui);
		if (!ui->dialog)
			ui_signin_draw(ui);
	} else {
		erase();
		ui_tabs_draw(ui);
		const struct ui_screen *s = ui_screens[ui->tab];
		struct ui_rect body = {1, 0, LINES - 2, COLS};
		int cy = -1, cx = -1;
		s->draw(ui->state[ui->tab], ui, body);
		/* A screen that edits text leaves the cursor where typing goes. */
		bool editing = s->editing && s->editing(ui->state[ui->tab]) && !ui->help_open &&
			       !ui->messages_open && !ui->dialog;
		if (editing)
			getyx(stdscr, cy, cx);
		ui_status_draw(ui);
		if (ui->help_open)
			ui_help_draw(ui);
		if (ui->messages_open)
			ui_messages_draw(ui);
		ui_dialog_draw(ui);
		if (editing && cy > 0 && cy < LINES - 1) {
			move(cy, cx);
			curs_set(1);
		}
		ui_unlock_draw(ui); /* last: it owns the cursor while open */
	}
	wnoutrefresh(stdscr);
	doupdate(); /* curses sends only what changed since the last frame */
	ui_trace_frame();
}

static int find_screen(const char *name)
{
	for (int i = 0; i < UI_SCREENS; i++) /* the visit history needs a client, a close its day */
		if (i != UI_SCREEN_VISITS && i != UI_SCREEN_DAY_CLOSE &&
		    strcmp(ui_screens[i]->name, name) == 0)
			return i;
	return -1;
}

int tui_run(struct app *app, struct pd_error *err)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return pd_error_set(err, PD_ERR_USAGE,
				    "paydesk needs a terminal; for scripts use a subcommand (see "
				    "--help)");
	int start_tab = 0;
	if (app->start_screen && (start_tab = find_screen(app->start_screen)) < 0)
		return pd_error_set(err, PD_ERR_USAGE,
				    "unknown screen '%s' (allowed: appointments, clients, "
				    "subscriptions, history, setup, audit)",
				    app->start_screen);
	int rc = ui_signals_install(err);
	if (rc)
		return rc;
	log_msg(LOG_INFO, "terminal: %s", ui_charset_setup());
	SCREEN *scr = NULL;
	rc = ui_terminal_start(&scr, err);
	if (rc) {
		ui_signals_close();
		return rc;
	}

	struct ui ui = {0};
	ui.app = app;
	ui.tab = start_tab;
	ui_current = &ui;
	char *warning = NULL;
	ui_theme_load(&ui, app->cfg.theme, &warning);
	ui_theme_apply(&ui);
	if (warning) {
		log_msg(LOG_WARN, "%s", warning);
		ui_notify(&ui, UI_NOTICE_ERROR, "%s", warning);
		free(warning);
	}
	ui_load_account(&ui);
	ui_trace_watch_db(app->db);
	ui_jobs_start(&ui);
	for (int i = 0; i < UI_SCREENS; i++)
		ui.state[i] = ui_screens[i]->open(&ui);
	ui_idle_restart(&ui);
	ui_signin_flow_start(&ui);
	/* --screen is honoured once we know who is there (Setup: admins only);
	 * behind the lock screen, signed_in() checks it again. */
	if (!ui_screen_allowed(&ui, ui.tab))
		ui.tab = 0;
	if (ui_screens[ui.tab]->reload)
		ui_screens[ui.tab]->reload(ui.state[ui.tab], &ui);

	ui.running = true;
	bool warmed = false;
	while (ui.running) {
		draw(&ui);
		if (!warmed) { /* the first screen is up: now load what the workers need */
			jobs_warm(app->jobs);
			warmed = true;
		}
		struct pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0},
					{ui_signals_fd(), POLLIN, 0},
					{app->jobs ? jobs_wake_fd(app->jobs) : -1, POLLIN, 0}};
		/* Sleep until something happens; wake only for what animates: a job
		 * due or running, one a key just started included (its bar moves at
		 * once); a poll waiting in the queue is not. */
		int timeout = ui_idle_lock_timeout(&ui);
		if (ui.pending_jobs > 0 || (app->jobs && jobs_pending(app->jobs) > 0))
			timeout = 120;
		else if (ui.notice[0] && ui.notice_until > time(NULL)) {
			int t = (int)(ui.notice_until - time(NULL)) * 1000 + 50;
			timeout = timeout < 0 || t < timeout ? t : timeout;
		}
		/* a screen's work between keys: look for keys without sleeping */
		const struct ui_screen *shown = ui_screens[ui.tab];
		bool idle_work = shown->idle && shown->idle(ui.state[ui.tab], &ui, false);
		if (idle_work)
			timeout = 0;
		int n = poll(fds, 3, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (fds[1].revents & POLLIN)) {
			log_msg(LOG_INFO, "quit on signal %d", ui_signals_take());
			ui.running = false;
			break;
		}
		if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR))) {
			ui.running = false; /* the terminal went away */
			break;
		}
		ui.spinner++;
		ui_jobs_drain(&ui);
		int key;
		/* After EINTR (a resize), curses reports KEY_RESIZE. */
		while (ui.running && (key = ui_input_next_key(&ui)) != UI_KEY_NONE)
			ui_input_handle_key(&ui, key);
		if (n == 0 && idle_work && ui.running && ui_screens[ui.tab] == shown)
			shown->idle(ui.state[ui.tab], &ui, true);
	}

	ui_dialog_close(&ui);
	ui_unlock_close(&ui);
	ui_signin_close(&ui);
	/* Before the screens go: a late completion must find no freed state. */
	jobs_stop(&app->jobs);
	for (int i = 0; i < UI_SCREENS; i++)
		ui_screens[i]->close(ui.state[i]);
	ui_terminal_restore();
	delscreen(scr);
	free(ui.theme_name);
	ui_qr_screen_close(&ui);
	ui_qr_forget();
	ui_current = NULL;
	ui_signals_close();
	return PD_OK;
}
