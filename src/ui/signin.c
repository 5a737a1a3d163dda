/* The lock screen. Nothing of the desk shows behind it. With no users yet
 * it creates the admin; otherwise a name and a PIN sign in. Failed PINs
 * are slowed down by the store (users_sign_in) and audited. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/audit_events.h"
#include "paydesk/auth.h"
#include "paydesk/log.h"
#include "paydesk/settings.h"
#include "paydesk/users.h"
#include "widgets.h"

enum { S_NAME, S_PIN, S_PIN2, S_COUNT };

struct ui_signin {
	bool first_run;
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

static void signed_in(struct ui *ui, const struct user *u)
{
	ui->app->session = session_for(u);
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
	if (key == UI_KEY_ENTER) {
		if (s->form.focus < s->form.n - 1)
			ui_form_key(&s->form, '\t');
		else
			submit(ui);
		return UI_HANDLED;
	}
	if (key == UI_CTRL('c'))
		return UI_UNHANDLED; /* the shell's quit still works from here */
	ui_form_key(&s->form, key);
	s->error[0] = '\0';
	return UI_HANDLED;
}

void ui_signin_draw(struct ui *ui)
{
	struct ui_signin *s = ui->signin;
	if (!s)
		return;
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
	if (s->error[0])
		ui_put(y, r.x + 2, w - 4, ROLE_ERROR, s->error, false);
	else if (s->hint[0])
		ui_put(y, r.x + 2, w - 4, ROLE_NOTICE, s->hint, false);
	ui_put(r.y + h - 2, r.x + 2, w - 4, ROLE_HELP_KEY,
	       "Enter: next / sign in    Ctrl-C: quit paydesk", false);
	move(cy, cx);
	curs_set(1);
}
