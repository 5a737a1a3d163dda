/* The lock screen. Nothing of the desk shows behind it. With no users yet
 * it creates the admin; otherwise a name and a PIN sign in. Failed PINs
 * are slowed down by the store (users_sign_in) and audited. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit_events.h"
#include "paydesk/auth.h"
#include "paydesk/db_check.h"
#include "paydesk/log.h"
#include "paydesk/settings.h"
#include "paydesk/users.h"
#include "shell.h"
#include "widgets.h"

enum { S_NAME, S_PIN, S_PIN2, S_COUNT };

struct ui_signin {
	bool first_run;
	char refused[600]; /* no users, but the database is not new: why, and what to do */
	struct ui_field fields[S_COUNT];
	struct ui_form form;
	char error[600];
	char hint[200];
	void (*then)(struct ui *ui);
	char previous[USER_NAME_MAX + 1]; /* who was signed in: a switch is audited */
};

void ui_signin_close(struct ui *ui)
{
	if (!ui->signin)
		return;
	ui_form_free(&ui->signin->form);
	free(ui->signin);
	ui->signin = NULL;
}

void ui_signin_open(struct ui *ui, void (*then)(struct ui *ui))
{
	ui_signin_close(ui);
	struct ui_signin *s = calloc(1, sizeof *s);
	if (!s)
		return;
	int count = 0;
	struct pd_error err;
	users_count(ui->app->db, &count, &err);
	s->first_run = count == 0;
	/* A damaged users table reads as empty: never a first run on data. */
	if (s->first_run && db_first_run_check(ui->app->db, &err) != PD_OK)
		snprintf(s->refused, sizeof s->refused, "%s", err.msg);
	s->fields[S_NAME] = (struct ui_field){.label = s->first_run ? "Admin name" : "Name"};
	s->fields[S_PIN] = (struct ui_field){.label = "PIN", .kind = UI_FIELD_SECRET};
	s->fields[S_PIN2] = (struct ui_field){.label = "PIN again", .kind = UI_FIELD_SECRET};
	ui_form_init(&s->form, s->fields, s->first_run ? 3 : 2, 256);
	char *hint = NULL;
	if (settings_get(ui->app->db, "lock_hint", &hint, &err) == PD_OK)
		snprintf(s->hint, sizeof s->hint, "%s", hint);
	free(hint);
	s->then = then;
	ui->signin = s;
	if (ui->app->session.signed_in)
		snprintf(s->previous, sizeof s->previous, "%s", ui->app->session.name);
	ui->app->session = (struct session){0};
	ui->help_open = false;
}

bool ui_signin_recheck(struct ui *ui)
{
	struct session *who = &ui->app->session;
	if (ui->signin || !who->signed_in || who->user_id == 0)
		return false;
	struct pd_error err = {0};
	enum user_role role = who->role;
	int rc = auth_session_check(ui->app->db, who, &role, &err);
	if (rc != PD_ERR_FORBIDDEN && role == who->role)
		return false; /* still who they were (a busy database is not a revocation) */
	char why[sizeof err.msg];
	if (rc == PD_ERR_FORBIDDEN)
		snprintf(why, sizeof why, "%s", err.msg);
	else
		snprintf(why, sizeof why, "%s is now %s: sign in again", who->name,
			 user_role_name(role));
	log_msg(LOG_WARN, "session of %s ended: %s", who->name, why);
	if (ui->dialog)
		ui_dialog_close(ui); /* a question asked of them is theirs alone */
	ui_signin_open(ui, NULL);
	if (ui->signin)
		snprintf(ui->signin->error, sizeof ui->signin->error, "%s", why);
	return true;
}

static void signed_in(struct ui *ui, const struct user *u)
{
	ui->app->session = session_for(u);
	ui_idle_restart(ui); /* a sign-in starts a fresh idle period */
	/* Another person: nothing the last one left open or typed is theirs. */
	if (ui->signin->previous[0] && strcmp(ui->signin->previous, u->name) != 0)
		ui_screens_drop(ui);
	void (*then)(struct ui *) = ui->signin->then;
	ui_signin_close(ui);
	log_msg(LOG_INFO, "%s signed in (%s)", u->name, user_role_name(u->role));
	ui_notify(ui, UI_NOTICE_INFO, "signed in as %s (%s)", u->name, user_role_name(u->role));
	if (!ui_screen_allowed(ui, ui->tab))
		ui->tab = 0;
	if (then)
		then(ui);
}

static void submit(struct ui *ui)
{
	struct ui_signin *s = ui->signin;
	struct pd_error err = {0};
	const char *name = ui_form_value(&s->form, S_NAME);
	const char *pin = ui_form_value(&s->form, S_PIN);
	struct user u;
	if (s->first_run) {
		if (strcmp(pin, ui_form_value(&s->form, S_PIN2)) != 0) {
			snprintf(s->error, sizeof s->error, "the two PINs differ: type them again");
		} else if (auth_user_add(ui->app->db, NULL, name, ROLE_ADMIN, pin, &err) ||
			   users_get(ui->app->db, name, &u, &err)) {
			snprintf(s->error, sizeof s->error, "%s", err.msg);
		} else {
			signed_in(ui, &u);
			return;
		}
	} else {
		int rc = users_sign_in(ui->app->db, name, pin, &u, &err);
		audit_event_sign_in(ui->app->db, name, s->previous, rc, "desk");
		if (rc == PD_OK) {
			signed_in(ui, &u);
			return;
		}
		snprintf(s->error, sizeof s->error, "%s", err.msg);
	}
	/* Keep the name, never a PIN. */
	textedit_set(&s->fields[S_PIN].edit, "");
	if (s->first_run)
		textedit_set(&s->fields[S_PIN2].edit, "");
	s->form.focus = *name ? S_PIN : S_NAME;
}

enum ui_result ui_signin_key(struct ui *ui, int key)
{
	struct ui_signin *s = ui->signin;
	if (!s)
		return UI_UNHANDLED;
	if (key == UI_KEY_ENTER && !s->refused[0]) {
		if (s->form.focus < s->form.n - 1)
			ui_form_key(&s->form, '\t');
		else
			submit(ui);
		return UI_HANDLED;
	}
	if (key == UI_CTRL('c'))
		return UI_UNHANDLED; /* the shell's quit still works from here */
	if (s->refused[0])
		return UI_HANDLED; /* nothing to type: only quitting */
	ui_form_key(&s->form, key);
	s->error[0] = '\0';
	return UI_HANDLED;
}

/* The refusal in place of the first-run form: what is wrong, what to do. */
static void draw_refused(const struct ui_signin *s)
{
	int w = COLS - 8 < 64 ? COLS - 8 : 64, h = 12;
	struct ui_rect r = {(LINES - h) / 2, (COLS - w) / 2, h, w};
	ui_box(r, ROLE_DIALOG, "paydesk cannot start on this database");
	const char *p = s->refused;
	int y = r.y + 2, width = w - 4;
	while (*p && y < r.y + h - 3) { /* word-wrapped */
		int n = (int)strlen(p);
		if (n > width) {
			n = width;
			while (n > 0 && p[n] != ' ')
				n--;
			if (n == 0)
				n = width;
		}
		char line[256];
		snprintf(line, sizeof line, "%.*s", n, p);
		ui_put(y++, r.x + 2, width, ROLE_ERROR, line, false);
		p += n;
		while (*p == ' ')
			p++;
	}
	ui_put(r.y + h - 2, r.x + 2, w - 4, ROLE_HELP_KEY, "Ctrl-C: quit paydesk", false);
	curs_set(0);
}

void ui_signin_draw(struct ui *ui)
{
	struct ui_signin *s = ui->signin;
	if (!s)
		return;
	if (s->refused[0]) {
		draw_refused(s);
		return;
	}
	int w = COLS - 8 < 64 ? COLS - 8 : 64, h = s->first_run ? 13 : 12;
	struct ui_rect r = {(LINES - h) / 2, (COLS - w) / 2, h, w};
	ui_box(r, ROLE_DIALOG, s->first_run ? "Welcome to paydesk" : "paydesk is locked");
	int y = r.y + 2;
	ui_put(y++, r.x + 2, w - 4, ROLE_DIALOG,
	       s->first_run ? "Create the admin account: a name and a PIN (4+ characters)."
			    : "Sign in with your name and PIN.",
	       false);
	y++;
	ui_form_draw(&s->form, (struct ui_rect){y, r.x + 2, s->form.n, w - 4});
	int cy, cx;
	getyx(stdscr, cy, cx);
	y += s->form.n + 1;
	/* The error or the admin's hint, wrapped over the rows left above the
	 * keys line (a training hint's PINs were cut at 80 columns). */
	const char *t = s->error[0] ? s->error : s->hint;
	enum theme_role role = s->error[0] ? ROLE_ERROR : ROLE_NOTICE;
	for (; *t && y < r.y + h - 2; y++) {
		size_t n = ui_wrap(t, w - 4);
		ui_putf(y, r.x + 2, w - 4, role, "%.*s", (int)n, t);
		t += n;
		while (*t == ' ')
			t++;
	}
	ui_put(r.y + h - 2, r.x + 2, w - 4, ROLE_HELP_KEY,
	       "Enter: next / sign in    Ctrl-C: quit paydesk", false);
	move(cy, cx);
	curs_set(1);
}
