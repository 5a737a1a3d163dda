/* The two lines around every screen: the tab bar at the top (tabs, the
 * open panel, who is signed in, LIVE) and the status line at the bottom
 * (mode, account, running jobs, the last notice), and what they say. A
 * Stripe outage and the charges queued in it are on the tab bar
 * (stripe_status.c). */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/stripe_account.h"
#include "paydesk/stripe_reach.h"
#include "paydesk/users.h"
#include "shell.h"
#include "stripe_status.h"

void ui_notify(struct ui *ui, enum ui_notice_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(ui->notice, sizeof ui->notice, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof ui->notice) { /* longer than kept: cut at a word, said so */
		ui->notice[sizeof ui->notice - 4] = '\0'; /* room for the "…" */
		char *space = strrchr(ui->notice, ' ');
		size_t at = space ? (size_t)(space - ui->notice) : sizeof ui->notice - 4;
		memcpy(ui->notice + at, "\u2026", sizeof "\u2026");
	}
	ui->notice_kind = kind;
	ui->notice_until = time(NULL) + (kind == UI_NOTICE_ERROR ? 8 : 4);
	/* An error stays until something newer is said or its screen is left;
	 * a newer notice replaces it for good. */
	if (kind == UI_NOTICE_ERROR)
		snprintf(ui->last_error, sizeof ui->last_error, "%s", ui->notice);
	else
		ui->last_error[0] = '\0';
	ui_messages_add(ui, kind, ui->notice);
}

void ui_clear_notices(struct ui *ui)
{
	ui->notice[0] = ui->last_error[0] = '\0';
	ui->notice_until = 0;
}

/* What the status line says about Stripe, re-read from the store. */
void ui_load_account(struct ui *ui)
{
	struct stripe_account_row row;
	struct pd_error err;
	if (stripe_account_get(ui->app->db, &row, &err) == PD_OK) {
		snprintf(ui->account, sizeof ui->account, "%s",
			 row.display_name[0] ? row.display_name : row.account_id);
		snprintf(ui->mode, sizeof ui->mode, "%s", row.mode);
		snprintf(ui->connection, sizeof ui->connection, "%s",
			 row.verified_at ? "online" : "offline");
	} else {
		ui->account[0] = ui->mode[0] = '\0';
		snprintf(ui->connection, sizeof ui->connection, "not connected");
	}
	if (ui->account[0] && ui->app->read_only)
		snprintf(ui->connection, sizeof ui->connection, "read-only");
}

void ui_tabs_draw(struct ui *ui)
{
	ui_fill((struct ui_rect){0, 0, 1, COLS}, ROLE_TAB);
	int x = 0;
	/* A Stripe outage (or charges queued in one) takes the room of the
	 * other tabs' names: their numbers stay, and still switch. */
	bool outage = ui_stripe_status_shown(ui);
	for (int i = 0; i < UI_TABS; i++) {
		if (!ui_screen_allowed(ui, i))
			continue; /* what the role cannot do is not shown */
		char label[48];
		if (outage && i != ui->tab)
			snprintf(label, sizeof label, " %d ", i + 1);
		else
			snprintf(label, sizeof label, " %d %s ", i + 1, ui_screens[i]->title);
		x += ui_put(0, x, COLS - x, i == ui->tab ? ROLE_TAB_ACTIVE : ROLE_TAB, label, false);
		x += ui_put(0, x, COLS - x, ROLE_TAB, " ", false);
	}
	int right = strcmp(ui->mode, "live") == 0 ? 6 : 0;
	if (outage)
		x += ui_stripe_status_draw(ui, 0, x, COLS - x - right);
	/* The Audit panel: its name where the tabs end. The visit history's
	 * own first line names it, leaving the room to who is signed in. */
	if (ui->tab == UI_SCREEN_AUDIT) {
		char label[48];
		snprintf(label, sizeof label, " A %s ", ui_screens[ui->tab]->title);
		if (COLS - x - right > 0)
			x += ui_put(0, x, COLS - x - right, ROLE_TAB_ACTIVE, label, false);
	}
	/* Who is at the desk, at the right end: cut to the room left, never
	 * dropped while there are a few columns. */
	if (ui->app->session.signed_in && !ui->signin) {
		char who[USER_NAME_MAX + 4];
		snprintf(who, sizeof who, " %s", ui->app->session.name);
		int w = ui_text_width(who), room = COLS - x - right;
		if (w > room)
			w = room >= 4 ? room : 0;
		if (w > 0)
			ui_put(0, COLS - right - w, w, ROLE_TAB_ACTIVE, who, false);
	}
	if (strcmp(ui->mode, "live") == 0) /* live money: say it at both ends of the screen */
		ui_put(0, COLS - 6, 6, ROLE_BADGE_LIVE, " LIVE ", false);
}

void ui_status_draw(struct ui *ui)
{
	int y = LINES - 1, x = 0;
	ui_fill((struct ui_rect){y, 0, 1, COLS}, ROLE_STATUS);
	if (strcmp(ui->mode, "live") == 0)
		x += ui_put(y, x, COLS, ROLE_BADGE_LIVE, " LIVE ", false);
	else if (strcmp(ui->mode, "test") == 0)
		x += ui_put(y, x, COLS, ROLE_BADGE_TEST, " TEST ", false);
	else
		x += ui_put(y, x, COLS, ROLE_BADGE_NONE, " NO ACCOUNT ", false);
	const char *right = " ?:help ";
	int rw = (int)strlen(right);
	const char *msg = NULL;
	enum theme_role role = ROLE_STATUS;
	if (ui->notice[0] && time(NULL) < ui->notice_until) {
		msg = ui->notice;
		role = ui->notice_kind == UI_NOTICE_ERROR ? ROLE_ERROR : ROLE_NOTICE;
	} else if (ui->last_error[0]) {
		msg = ui->last_error;
		role = ROLE_ERROR;
	}
	char buf[256], jobs[64] = "";
	if (ui->pending_jobs > 0) {
		static const char *const spin[] = {"|", "/", "-", "\\"};
		snprintf(jobs, sizeof jobs, " %s %d job%s ", spin[ui->spinner % 4],
			 ui->pending_jobs, ui->pending_jobs == 1 ? "" : "s");
	}
	/* A message says what just happened: it is read whole, and the account
	 * and connection (known already) give way to it at 80 columns, then the
	 * help hint; one still too long says where it is whole (M, messages):
	 * a failed export's reason came last and was never seen. */
	int msg_w = msg ? ui_text_width(msg) : 0;
	if (msg && COLS - rw - x - ui_text_width(jobs) - 1 < msg_w) {
		right = "";
		rw = 0;
	}
	int account_w = COLS - rw - x - ui_text_width(jobs);
	if (msg)
		account_w -= ui_text_width(msg) + 1;
	if (account_w > 0) {
		/* never "online" while the tab bar says Stripe is unreachable, nor
		 * while a call has waited long for its answer */
		char slow[48] = "";
		long waited = stripe_reach_waiting(time(NULL));
		if (waited >= UI_STRIPE_SLOW_SECONDS)
			snprintf(slow, sizeof slow, "slow: waiting %lds", waited);
		snprintf(buf, sizeof buf, " %s%s%s ", ui->account, ui->account[0] ? " · " : "",
			 stripe_reach_down(NULL) ? "unreachable"
			 : slow[0]		 ? slow
						 : ui->connection);
		x += ui_put(y, x, account_w, ROLE_STATUS, buf, false);
	}
	if (jobs[0])
		x += ui_put(y, x, COLS - x, ROLE_NOTICE, jobs, false);
	int room = COLS - rw - x - 1;
	static const char more[] = " M:whole"; /* after ui_put's own mark of the cut */
	int more_w = ui_text_width(more);
	if (msg && msg_w > room && room > more_w + 8) {
		ui_put(y, x + 1, room - more_w, role, msg, false);
		ui_put(y, x + 1 + room - more_w, more_w, ROLE_NOTICE, more, false);
	} else if (msg && room > 4) {
		ui_put(y, x + 1, room, role, msg, false);
	}
	if (rw)
		ui_put(y, COLS - rw, rw, ROLE_STATUS, right, false);
}

void ui_too_small_draw(void)
{
	erase();
	char msg[128];
	snprintf(msg, sizeof msg, "paydesk needs at least %dx%d; this terminal is %dx%d.",
		 UI_MIN_COLS, UI_MIN_LINES, COLS, LINES);
	int y = LINES / 2 - 1;
	ui_put(y < 0 ? 0 : y, 0, COLS, ROLE_ERROR, msg, false);
	ui_put(y + 1 < LINES ? y + 1 : 0, 0, COLS, ROLE_NORMAL,
	       "Make the window larger, or press q to quit.", false);
}
