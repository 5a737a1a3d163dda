/* The shell: terminal set-up and restore, the poll() loop, tabs, the status
 * line, key dispatch (overlay → screen → global) and quitting. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paydesk/audit_events.h"
#include "paydesk/auth.h"
#include "paydesk/harden.h"
#include "paydesk/jobs.h"
#include "paydesk/log.h"
#include "paydesk/recover_job.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_account.h"
#include "paydesk/stripe_key.h"
#include "paydesk/vault.h" /* vault_secret_free: the PIN from the environment */
#include "bench_trace.h"
#include "charset.h"
#include "paste.h"
#include "qr_view.h"
#include "paydesk/tui.h"
#include "paydesk/users.h"
#include "widgets.h"

/* draw.c styles text through this; set for the life of tui_run. */
const struct ui *ui_current;

static bool can_switch_theme(const struct ui *ui)
{
	return ui->color || ui->theme.uses_color;
}

static bool can_open_setup(const struct ui *ui)
{
	return ui_screen_allowed(ui, 4);
}

static bool can_open_audit(const struct ui *ui)
{
	return ui_screen_allowed(ui, UI_SCREEN_AUDIT);
}

static const struct ui_binding global_keys[] = {
	{'q', UI_ACT_QUIT, NULL, NULL},
	{UI_CTRL('c'), UI_ACT_QUIT, NULL, NULL},
	{'?', UI_ACT_HELP, NULL, NULL},
	{'\t', UI_ACT_TAB_NEXT, NULL, NULL},
	{UI_KEY_FN(KEY_BTAB), UI_ACT_TAB_PREV, NULL, NULL},
	{UI_KEY_FN(KEY_F(1)), UI_ACT_TAB_1, NULL, NULL},
	{'1', UI_ACT_TAB_1, NULL, NULL},
	{UI_KEY_FN(KEY_F(2)), UI_ACT_TAB_2, NULL, NULL},
	{'2', UI_ACT_TAB_2, NULL, NULL},
	{UI_KEY_FN(KEY_F(3)), UI_ACT_TAB_3, NULL, NULL},
	{'3', UI_ACT_TAB_3, NULL, NULL},
	{UI_KEY_FN(KEY_F(4)), UI_ACT_TAB_4, NULL, NULL},
	{'4', UI_ACT_TAB_4, NULL, NULL},
	{UI_KEY_FN(KEY_F(5)), UI_ACT_TAB_5, NULL, can_open_setup},
	{'5', UI_ACT_TAB_5, NULL, can_open_setup},
	{UI_CTRL('l'), UI_ACT_REDRAW, NULL, NULL},
	{'T', UI_ACT_THEME_NEXT, NULL, can_switch_theme},
	{'L', UI_ACT_LOCK, NULL, NULL},
	{'A', UI_ACT_AUDIT, NULL, can_open_audit},
	{'M', UI_ACT_MESSAGES, NULL, NULL},
};
#define N_GLOBAL (sizeof global_keys / sizeof global_keys[0])

/* ---- terminal life cycle --------------------------------------------- */

static volatile sig_atomic_t curses_active;
static int signal_pipe[2] = {-1, -1};

/* Bracketed paste (DECSET 2004): a paste arrives between two markers, so
 * pasted text can never act as keys. Terminals without it ignore this. */
static const char paste_on[] = "\033[?2004h", paste_off[] = "\033[?2004l";
#define PASTE_START_CODE 0x6f00
#define PASTE_END_CODE 0x6f01

static void restore_terminal(void)
{
	if (curses_active) {
		curses_active = 0;
		/* write(2): this also runs from the fatal-signal handler */
		if (write(STDOUT_FILENO, paste_off, sizeof paste_off - 1) < 0) {
			/* the terminal is gone: nothing to restore */
		}
		endwin();
	}
}

/* A crash still gives the user their terminal back, then dies as asked. */
static void on_fatal_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* SIGTERM/SIGHUP: wake the loop through the pipe; it quits cleanly. */
static void on_quit_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;
	if (write(signal_pipe[1], &b, 1) < 0) {
		/* pipe full: a quit is already pending */
	}
	errno = saved;
}

static int install_signals(struct pd_error *err)
{
	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return pd_error_set(err, PD_ERR, "cannot create a pipe: %s", strerror(errno));
	struct sigaction sa = {0};
	sa.sa_handler = on_quit_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	return PD_OK;
}

static void close_signals(void)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	for (int i = 0; i < 2; i++) {
		if (signal_pipe[i] >= 0)
			close(signal_pipe[i]);
		signal_pipe[i] = -1;
	}
}

/* ---- status ------------------------------------------------------------ */

void ui_notify(struct ui *ui, enum ui_notice_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->notice, sizeof ui->notice, fmt, ap);
	va_end(ap);
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

static void draw_tabs(struct ui *ui)
{
	ui_fill((struct ui_rect){0, 0, 1, COLS}, ROLE_TAB);
	int x = 0;
	for (int i = 0; i < UI_TABS; i++) {
		if (!ui_screen_allowed(ui, i))
			continue; /* what the role cannot do is not shown */
		char label[48];
		snprintf(label, sizeof label, " %d %s ", i + 1, ui_screens[i]->title);
		x += ui_put(0, x, COLS - x, i == ui->tab ? ROLE_TAB_ACTIVE : ROLE_TAB, label, false);
		x += ui_put(0, x, COLS - x, ROLE_TAB, " ", false);
	}
	int right = strcmp(ui->mode, "live") == 0 ? 6 : 0;
	if (ui->tab >= UI_TABS) { /* a panel: its name where the tabs end */
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

static void draw_status(struct ui *ui)
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
	 * and connection (known already) give way to it at 80 columns. */
	int account_w = COLS - rw - x - ui_text_width(jobs);
	if (msg)
		account_w -= ui_text_width(msg) + 1;
	if (account_w > 0) {
		snprintf(buf, sizeof buf, " %s%s%s ", ui->account, ui->account[0] ? " · " : "",
			 ui->connection);
		x += ui_put(y, x, account_w, ROLE_STATUS, buf, false);
	}
	if (jobs[0])
		x += ui_put(y, x, COLS - x, ROLE_NOTICE, jobs, false);
	if (msg && COLS - rw - x - 1 > 4)
		ui_put(y, x + 1, COLS - rw - x - 1, role, msg, false);
	ui_put(y, COLS - rw, rw, ROLE_STATUS, right, false);
}

static void draw_too_small(void)
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

static void draw(struct ui *ui)
{
	ui_trace_draw_start();
	curs_set(0);
	ui->too_small = COLS < UI_MIN_COLS || LINES < UI_MIN_LINES;
	if (ui->too_small) {
		draw_too_small();
	} else if (ui->qr_screen_url && !ui->signin) {
		erase(); /* the QR code alone: at 80x24 it needs nearly every row */
		ui_qr_screen_draw(ui);
		ui_dialog_draw(ui);
		ui_unlock_draw(ui);
	} else if (ui->signin) {
		erase(); /* nothing of the desk shows behind the lock screen */
		draw_status(ui);
		ui_dialog_draw(ui);
		if (!ui->dialog)
			ui_signin_draw(ui);
	} else {
		erase();
		draw_tabs(ui);
		const struct ui_screen *s = ui_screens[ui->tab];
		struct ui_rect body = {1, 0, LINES - 2, COLS};
		int cy = -1, cx = -1;
		s->draw(ui->state[ui->tab], ui, body);
		/* A screen that edits text leaves the cursor where typing goes. */
		bool editing = s->editing && s->editing(ui->state[ui->tab]) && !ui->help_open &&
			       !ui->messages_open && !ui->dialog;
		if (editing)
			getyx(stdscr, cy, cx);
		draw_status(ui);
		if (ui->help_open)
			ui_help_draw(ui, global_keys, N_GLOBAL);
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

/* ---- actions --------------------------------------------------------- */

static bool anything_unsaved(struct ui *ui)
{
	for (int i = 0; i < UI_SCREENS; i++)
		if (ui_screens[i]->dirty && ui_screens[i]->dirty(ui->state[i]))
			return true;
	return false;
}

static void confirm_quit(struct ui *ui, void *ctx)
{
	(void)ctx;
	ui->running = false;
}

static void request_quit(struct ui *ui)
{
	bool unsaved = anything_unsaved(ui);
	if (ui->pending_jobs == 0 && !unsaved) {
		ui->running = false;
		return;
	}
	char body[256];
	if (ui->pending_jobs > 0)
		snprintf(body, sizeof body,
			 "%d job%s still running. Payments in flight are kept in\n"
			 "the outbox and finished at the next start.%s",
			 ui->pending_jobs, ui->pending_jobs == 1 ? " is" : "s are",
			 unsaved ? "\nA form also has unsaved changes." : "");
	else
		snprintf(body, sizeof body, "A form has unsaved changes that will be lost.");
	ui_dialog_open(ui, &(struct ui_dialog_spec){.title = "Quit paydesk?", .body = body,
						   .confirm_label = "quit", .on_confirm = confirm_quit});
}

bool ui_screen_allowed(const struct ui *ui, int i)
{
	return !ui_screens[i]->admin_only ||
	       (ui->app->session.signed_in && ui->app->session.role == ROLE_ADMIN);
}

static void switch_tab(struct ui *ui, int tab)
{
	if (tab < UI_TABS || tab >= UI_SCREENS)
		tab = (tab + UI_TABS) % UI_TABS;
	if (!ui_screen_allowed(ui, tab)) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s is for admins", ui_screens[tab]->title);
		return;
	}
	if (tab != ui->tab)
		ui_clear_notices(ui); /* what was said belonged to the screen left */
	ui->tab = tab;
	const struct ui_screen *s = ui_screens[ui->tab];
	if (s->reload)
		s->reload(ui->state[ui->tab], ui);
}

static void next_theme(struct ui *ui)
{
	int i = 0;
	while (i < ui_theme_count && strcmp(ui_theme_names[i], ui->theme_name) != 0)
		i++;
	const char *name = ui_theme_names[(i + 1) % ui_theme_count];
	char *warning = NULL;
	ui_theme_load(ui, name, &warning);
	ui_theme_apply(ui);
	if (warning)
		ui_notify(ui, UI_NOTICE_ERROR, "%s", warning);
	else
		ui_notify(ui, UI_NOTICE_INFO, "theme: %s", ui->theme_name);
	free(warning);
}

static void global_action(struct ui *ui, enum ui_action a)
{
	switch (a) {
	case UI_ACT_QUIT:
		request_quit(ui);
		break;
	case UI_ACT_HELP:
		ui->help_open = true;
		break;
	case UI_ACT_TAB_NEXT:
	case UI_ACT_TAB_PREV: {
		int step = a == UI_ACT_TAB_NEXT ? 1 : -1;
		/* From a panel, Tab goes to the first tab and Shift-Tab to the last. */
		int t = ui->tab >= UI_TABS ? (step > 0 ? 0 : UI_TABS - 1) : ui->tab + step;
		while (!ui_screen_allowed(ui, (t + UI_TABS) % UI_TABS))
			t += step;
		switch_tab(ui, (t + UI_TABS) % UI_TABS);
		break;
	}
	case UI_ACT_LOCK:
		ui_clear_notices(ui); /* the next person starts with a clean line */
		ui_messages_clear(ui); /* and reads nothing of the last one's */
		ui_signin_open(ui, NULL);
		break;
	case UI_ACT_TAB_1:
	case UI_ACT_TAB_2:
	case UI_ACT_TAB_3:
	case UI_ACT_TAB_4:
	case UI_ACT_TAB_5:
		switch_tab(ui, (int)(a - UI_ACT_TAB_1));
		break;
	case UI_ACT_MESSAGES:
		ui->help_open = false;
		ui->messages_open = true;
		ui->messages_scroll = 0;
		break;
	case UI_ACT_AUDIT:
		switch_tab(ui, UI_SCREEN_AUDIT);
		break;
	case UI_ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	case UI_ACT_THEME_NEXT:
		next_theme(ui);
		break;
	default:
		break;
	}
}

/* The binding for key, allowed or not: a key whose precondition fails
 * says why instead of doing nothing. */
static const struct ui_binding *lookup(const struct ui_binding *t, size_t n, int key)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].key == key)
			return &t[i];
	return NULL;
}

static bool refused(struct ui *ui, const struct ui_binding *b)
{
	if (!b->allowed || b->allowed(ui))
		return false;
	if (b->action >= UI_ACT_TAB_1 && b->action <= UI_ACT_TAB_5)
		ui_notify(ui, UI_NOTICE_ERROR, "%s is for admins",
			  ui_screens[b->action - UI_ACT_TAB_1]->title);
	else if (b->action == UI_ACT_AUDIT)
		ui_notify(ui, UI_NOTICE_ERROR, "%s is for admins", ui_screens[UI_SCREEN_AUDIT]->title);
	else
		ui_notify(ui, UI_NOTICE_ERROR, "not available now: %s",
			  b->help ? b->help : ui_action_help(b->action));
	return true;
}

static bool paste_key(struct ui *ui, int key);
static void dispatch_key(struct ui *ui, int key);

static void handle_key(struct ui *ui, int key)
{
	ui_trace_key(key);
	if (key == UI_KEY_FN(KEY_RESIZE))
		return; /* curses has the new size; the next draw uses it */
	ui->last_key = time(NULL); /* any key or paste is someone at the desk */
	if (paste_key(ui, key))
		return;
	dispatch_key(ui, key);
}

static void dispatch_key(struct ui *ui, int key)
{
	if (ui->signin && !ui->dialog) {
		if (ui_signin_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			request_quit(ui);
		return;
	}
	if (ui->unlock) {
		ui_unlock_key(ui, key);
		return;
	}
	if (ui_signin_recheck(ui))
		return; /* disabled or re-roled meanwhile: this key does nothing */
	if (ui->dialog) {
		ui_dialog_key(ui, key);
		return;
	}
	if (ui->help_open) {
		if (ui_help_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			request_quit(ui);
		return;
	}
	if (ui->messages_open) {
		if (ui_messages_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			request_quit(ui);
		return;
	}
	if (ui->qr_screen_url) {
		if (ui_qr_screen_key(ui, key) == UI_UNHANDLED && key == UI_CTRL('c'))
			request_quit(ui);
		return;
	}
	if (ui->too_small) {
		if (key == 'q' || key == UI_CTRL('c'))
			request_quit(ui);
		return;
	}
	const struct ui_screen *s = ui_screens[ui->tab];
	void *st = ui->state[ui->tab];
	if (s->key && s->key(st, ui, key) == UI_HANDLED)
		return;
	const struct ui_binding *b = lookup(s->keys, s->nkeys, key);
	if (!b && s->list_keys)
		b = lookup(ui_list_bindings, ui_list_nbindings, key);
	if (b && refused(ui, b))
		return;
	if (b && s->act && s->act(st, ui, b->action) == UI_HANDLED)
		return;
	b = lookup(global_keys, N_GLOBAL, key);
	if (b && !refused(ui, b))
		global_action(ui, b->action);
}

/* ---- input outside the key tables: escape sequences and pastes ---------- */

static int pending_key = UI_KEY_NONE;

/* The next key. An escape sequence curses does not know (pasted without
 * bracketed paste, or a key this terminfo lacks) arrives as Esc followed by
 * its bytes in the same read: it is dropped whole, so "\e[31m" neither
 * cancels a form nor types "[31m" into it or runs "3" as a command. */
static int next_key(struct ui *ui)
{
	int k = pending_key;
	if (k == UI_KEY_NONE) {
		errno = 0;
		k = ui_key_read();
		if (k == UI_KEY_NONE && errno == EILSEQ) { /* curses dropped bytes that are not UTF-8 */
			ui_notify(ui, UI_NOTICE_ERROR, "ignored input: not UTF-8");
			return next_key(ui);
		}
	}
	pending_key = UI_KEY_NONE;
	if (k != UI_KEY_ESC)
		return k;
	int n = ui_key_read();
	if (n != '[' && n != ']' && n != 'P' && n != '_' && n != '^' && n != 'O') {
		pending_key = n; /* a lone Esc (or Alt-key): Esc first */
		return UI_KEY_ESC;
	}
	int c = UI_KEY_NONE;
	for (int i = 0; i < 256; i++) { /* CSI/SS3: up to a final byte; OSC/DCS…: up to BEL or ST */
		c = ui_key_read();
		if (c == UI_KEY_NONE)
			break;
		if ((n == '[' || n == 'O') && c >= 0x40 && c <= 0x7e)
			break;
		if (n != '[' && n != 'O' && (c == 0x07 || c == '\\'))
			break;
	}
	ui_notify(ui, UI_NOTICE_ERROR, "ignored an escape sequence");
	return next_key(ui);
}


static bool typing_into_field(struct ui *ui)
{
	if (ui->signin || ui->unlock)
		return !ui->dialog;
	if (ui->dialog || ui->help_open || ui->messages_open || ui->too_small)
		return false;
	const struct ui_screen *s = ui_screens[ui->tab];
	return s->editing && s->editing(ui->state[ui->tab]);
}

/* True when key belonged to a paste (taken care of here). */
static bool paste_key(struct ui *ui, int key)
{
	if (key == UI_KEY_PASTE_START) {
		ui_paste(ui, typing_into_field(ui), dispatch_key);
		return true;
	}
	return key == UI_KEY_PASTE_END; /* a stray end marker */
}

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
static void drain_jobs(struct ui *ui)
{
	if (!ui->app->jobs)
		return;
	if (jobs_drain(ui->app->jobs, on_completion, ui) > 0) {
		ui_load_account(ui);
		const struct ui_screen *s = ui_screens[ui->tab];
		if (s->reload)
			s->reload(ui->state[ui->tab], ui);
	}
	ui->pending_jobs = (int)jobs_pending(ui->app->jobs);
}

static void start_jobs(struct ui *ui)
{
	/* Jobs open the Stripe key themselves, on their worker (never the UI). */
	struct jobs_opts opts = {.db_path = ui->app->db_path, .workers = 3,
				 .open_key = stripe_key_open_for_job, .open_key_ctx = ui->app};
	stripe_client_opts_from_config(&opts.client, &ui->app->cfg);
	struct pd_error err = {0};
	if (jobs_start(&opts, &ui->app->jobs, &err) != PD_OK) {
		log_msg(LOG_ERROR, "workers did not start: %s", err.msg);
		ui_notify(ui, UI_NOTICE_ERROR, "offline: %s", err.msg);
	}
}

/* Once the key is at hand, finish what the last stop left in flight. */
static void after_unlock(struct ui *ui)
{
	ui_load_account(ui);
	/* no key here: the job opens it on its worker */
	if (!recover_job && stripe_key_unlocked(ui->app) && ui->app->jobs)
		recover_job = recover_job_submit(ui->app->jobs, NULL);
}

/* A configured account with a locked vault: the unlock dialog asks (see
 * ui_unlock_if_needed), then what the last stop left in flight is finished. */
static void ask_unlock_if_needed(struct ui *ui)
{
	ui_unlock_if_needed(ui, after_unlock);
}

/* Sign in before anything shows. PAYDESK_SIGN_IN + PAYDESK_PIN do it
 * without the lock screen (training mode, kiosks); on a first run they
 * create that admin, as the first-run form would. */
static void start_signin(struct ui *ui)
{
	const char *name = getenv("PAYDESK_SIGN_IN");
	char *pin = harden_env_secret_claim("PAYDESK_PIN");
	struct pd_error err = {0};
	struct user u;
	bool ok = false;
	if (name && pin) {
		ui_trace_mark("kdf_start"); /* PIN hashing is not part of launch time */
		int count = 0;
		users_count(ui->app->db, &count, &err);
		if (count == 0)
			auth_user_add(ui->app->db, NULL, name, ROLE_ADMIN, pin, &err);
		int rc = users_sign_in(ui->app->db, name, pin, &u, &err);
		ok = rc == PD_OK;
		audit_event_sign_in(ui->app->db, name, NULL, rc, "desk");
		ui_trace_mark("kdf_end");
		if (ok) {
			ui->app->session = session_for(&u);
			if (!ui->last_error[0]) /* a start-up warning (a bad theme) stays first */
				ui_notify(ui, UI_NOTICE_INFO, "signed in as %s (%s) by PAYDESK_SIGN_IN", u.name,
				  user_role_name(u.role));
		} else
			log_msg(LOG_WARN, "PAYDESK_SIGN_IN: %s", err.msg);
	}
	vault_secret_free(&pin);
	if (!ok)
		ui_signin_open(ui, ask_unlock_if_needed);
	else
		ask_unlock_if_needed(ui);
}

/* Lock after [ui] idle_lock without a key; returns the poll
 * timeout (ms) until then, 0 when it has just locked, or -1. A payment or
 * refund in flight (an interactive job) holds the lock off: the idle time
 * counts from when it ended, so its outcome is seen by who started it. An
 * open confirmation goes with the lock, unanswered: the next person to sign
 * in must not answer another's question. */
static int idle_lock_timeout(struct ui *ui)
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

static int find_screen(const char *name)
{
	for (int i = 0; i < UI_SCREENS; i++)
		if (strcmp(ui_screens[i]->name, name) == 0)
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
	int rc = install_signals(err);
	if (rc)
		return rc;
	log_msg(LOG_INFO, "terminal: %s", ui_charset_setup());
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		close_signals();
		return pd_error_set(err, PD_ERR, "cannot use this terminal (TERM=%s)",
				    getenv("TERM") ? getenv("TERM") : "unset");
	}
	curses_active = 1;
	atexit(restore_terminal);
	raw(); /* Ctrl-C is a key (quit, asking first when needed) */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	define_key("\033[200~", PASTE_START_CODE);
	define_key("\033[201~", PASTE_END_CODE);
	fputs(paste_on, stdout);
	fflush(stdout);

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
	start_jobs(&ui);
	for (int i = 0; i < UI_SCREENS; i++)
		ui.state[i] = ui_screens[i]->open(&ui);
	ui.last_key = time(NULL);
	start_signin(&ui);
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
					{signal_pipe[0], POLLIN, 0},
					{app->jobs ? jobs_wake_fd(app->jobs) : -1, POLLIN, 0}};
		/* Sleep until something happens; wake only for what animates. */
		int timeout = idle_lock_timeout(&ui);
		if (ui.pending_jobs > 0)
			timeout = 120;
		else if (ui.notice[0] && ui.notice_until > time(NULL)) {
			int t = (int)(ui.notice_until - time(NULL)) * 1000 + 50;
			timeout = timeout < 0 || t < timeout ? t : timeout;
		}
		int n = poll(fds, 3, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (fds[1].revents & POLLIN)) {
			unsigned char b;
			while (read(signal_pipe[0], &b, 1) > 0)
				;
			log_msg(LOG_INFO, "quit on signal %d", b);
			ui.running = false;
			break;
		}
		if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR))) {
			ui.running = false; /* the terminal went away */
			break;
		}
		ui.spinner++;
		drain_jobs(&ui);
		int key;
		/* After EINTR (a resize), get_wch reports KEY_RESIZE. */
		while (ui.running && (key = next_key(&ui)) != UI_KEY_NONE)
			handle_key(&ui, key);
	}

	ui_dialog_close(&ui);
	ui_unlock_close(&ui);
	ui_signin_close(&ui);
	/* Before the screens go: a late completion must find no freed state. */
	jobs_stop(&app->jobs);
	for (int i = 0; i < UI_SCREENS; i++)
		ui_screens[i]->close(ui.state[i]);
	restore_terminal();
	delscreen(scr);
	free(ui.theme_name);
	ui_qr_screen_close(&ui);
	ui_qr_forget();
	ui_current = NULL;
	close_signals();
	return PD_OK;
}
