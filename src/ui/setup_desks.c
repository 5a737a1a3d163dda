#include "setup_desks.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "paydesk/auth.h"
#include "paydesk/desk.h"
#include "paydesk/passphrase_job.h"
#include "paydesk/setup.h"
#include "paydesk/textedit.h"
#include "paydesk/vault.h"

enum desks_mode { DESKS_LIST, DESKS_ENROL, DESKS_PASSPHRASE };
enum { P_OLD, P_NEW, P_AGAIN, P_COUNT };

struct setup_desks {
	enum desks_mode mode;
	struct vault_desk *desks;
	size_t n;
	int64_t here; /* the slot this desk's key file opens, 0: not enrolled */
	struct ui_list list;
	struct ui_field name_field;
	struct ui_form name_form;
	struct ui_field pass_fields[P_COUNT];
	struct ui_form pass_form;
	char pending[VAULT_DESK_NAME_MAX + 1]; /* the desk a dialog or an unlock is about */
	char error[600];
	uint64_t job; /* a passphrase change running on a worker, or 0 */
};

static struct setup_desks *current; /* the panel a dialog or an unlock continues */

struct setup_desks *setup_desks_new(void)
{
	struct setup_desks *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->name_field = (struct ui_field){.label = "Desk name",
					  .hint = "how `paydesk desk list` will name this desk"};
	ui_form_init(&d->name_form, &d->name_field, 1, VAULT_DESK_NAME_MAX);
	d->pass_fields[P_OLD] = (struct ui_field){.label = "Current", .kind = UI_FIELD_SECRET};
	d->pass_fields[P_NEW] = (struct ui_field){.label = "New", .kind = UI_FIELD_SECRET};
	d->pass_fields[P_AGAIN] = (struct ui_field){.label = "New again", .kind = UI_FIELD_SECRET};
	ui_form_init(&d->pass_form, d->pass_fields, P_COUNT, 1024);
	return d;
}

void setup_desks_free(struct setup_desks *d)
{
	if (!d)
		return;
	if (current == d)
		current = NULL;
	ui_form_free(&d->name_form);
	ui_form_free(&d->pass_form);
	free(d->desks);
	free(d);
}

void setup_desks_load(struct setup_desks *d, struct ui *ui)
{
	struct pd_error err = {0};
	free(d->desks);
	d->desks = NULL;
	d->n = 0;
	char *path = desk_key_path(&ui->app->cfg);
	if (desk_list(ui->app->db, &ui->app->session, path, &d->desks, &d->n, &d->here, &err))
		snprintf(d->error, sizeof d->error, "%s", err.msg);
	free(path);
	ui_list_set_count(&d->list, (long)d->n);
}

bool setup_desks_editing(const struct setup_desks *d)
{
	return d->mode != DESKS_LIST;
}

static void clear_passphrases(struct setup_desks *d)
{
	for (int i = 0; i < P_COUNT; i++)
		textedit_set(&d->pass_fields[i].edit, "");
	d->pass_form.focus = P_OLD;
}

static void enrol(struct ui *ui, void *ctx)
{
	(void)ctx;
	struct setup_desks *d = current;
	if (!d)
		return;
	struct pd_error err = {0};
	char *path = desk_key_path(&ui->app->cfg);
	char got[VAULT_DESK_NAME_MAX + 1];
	int rc = desk_enrol(ui->app->db, ui->app->vault, &ui->app->session, path, d->pending, got,
			    &err);
	free(path);
	d->mode = DESKS_LIST;
	if (rc) {
		snprintf(d->error, sizeof d->error, "%s", err.msg);
		return;
	}
	ui_notify(ui, UI_NOTICE_INFO, "enrolled this desk as '%s': it opens without the passphrase",
		  got);
	setup_desks_load(d, ui);
}

static void confirm_enrol(struct ui *ui)
{
	struct setup_desks *d = current;
	if (!d || !ui->app->vault)
		return;
	char *path = desk_key_path(&ui->app->cfg);
	char body[900];
	snprintf(body, sizeof body,
		 "Enrol this desk as '%s'?\nIts key file opens the vault at every start, without\n"
		 "the passphrase: %s\nWhoever can read that file can use the Stripe key.",
		 d->pending, path ? path : "(none)");
	free(path);
	ui_dialog_open(ui, &(struct ui_dialog_spec){.title = "Enrol this desk", .body = body,
						    .confirm_label = "Enrol", .on_confirm = enrol});
}

static void start_enrol(struct setup_desks *d, struct ui *ui)
{
	snprintf(d->pending, sizeof d->pending, "%s", ui_form_value(&d->name_form, 0));
	current = d;
	if (!ui->app->vault) {
		ui_unlock_open(ui, "Unlock the vault to enrol this desk.", confirm_enrol);
		return;
	}
	confirm_enrol(ui);
}

static void revoke_desk(struct ui *ui, void *ctx)
{
	(void)ctx;
	struct setup_desks *d = current;
	if (!d)
		return;
	struct pd_error err = {0};
	bool here = false;
	char *path = desk_key_path(&ui->app->cfg);
	int rc = desk_revoke(ui->app->db, &ui->app->session, path, d->pending, &here, &err);
	free(path);
	if (rc) {
		snprintf(d->error, sizeof d->error, "%s", err.msg);
		return;
	}
	ui_notify(ui, UI_NOTICE_INFO, "revoked '%s'%s: it asks for the passphrase from now on",
		  d->pending, here ? " (this desk)" : "");
	setup_desks_load(d, ui);
}

static void start_revoke(struct setup_desks *d, struct ui *ui)
{
	if (d->list.sel < 0 || (size_t)d->list.sel >= d->n)
		return;
	const struct vault_desk *desk = &d->desks[d->list.sel];
	snprintf(d->pending, sizeof d->pending, "%s", desk->name);
	current = d;
	char body[400];
	snprintf(body, sizeof body,
		 "Revoke desk '%s'%s?\nIts key slot is removed: from now on it asks\n"
		 "for the admin passphrase.",
		 desk->name, desk->slot == d->here ? " (this desk)" : "");
	ui_dialog_open(ui, &(struct ui_dialog_spec){.title = "Revoke a desk", .body = body,
						    .confirm_label = "Revoke", .on_confirm = revoke_desk});
}

static void change_passphrase(struct setup_desks *d, struct ui *ui)
{
	const char *old = ui_form_value(&d->pass_form, P_OLD);
	const char *fresh = ui_form_value(&d->pass_form, P_NEW);
	struct pd_error err = {0};
	int rc = auth_allow_now(ui->app->db, &ui->app->session, AUTH_SETUP, &err);
	if (!rc && strcmp(fresh, ui_form_value(&d->pass_form, P_AGAIN)) != 0)
		rc = pd_error_set(&err, PD_ERR_USAGE, "the two new passphrases differ: type them again");
	else if (!rc && strcmp(old, fresh) == 0)
		rc = pd_error_set(&err, PD_ERR_USAGE, "the new passphrase is the current one");
	else if (!rc && strlen(fresh) < VAULT_PASSPHRASE_MIN)
		rc = pd_error_set(&err, PD_ERR_USAGE, "new passphrase %s",
				  setup_passphrase_hint(fresh));
	/* Two Argon2id derivations: on a worker, the screen goes on meanwhile. */
	if (!rc && !(d->job = ui->app->jobs ? passphrase_job_submit(ui->app->jobs, old, fresh,
								    ui->app->session.name)
					    : 0))
		rc = vault_change_passphrase_as(ui->app->db, old, fresh, &VAULT_KDF_DEFAULT,
						ui->app->session.name, &err);
	clear_passphrases(d);
	if (rc) {
		snprintf(d->error, sizeof d->error, "%s", err.msg);
		return;
	}
	if (!d->job) {
		d->mode = DESKS_LIST;
		ui_notify(ui, UI_NOTICE_INFO, "admin passphrase changed; enrolled desks still unlock");
	}
}

void setup_desks_job_done(struct setup_desks *d, struct ui *ui, const struct jobs_completion *c)
{
	if (!d || !d->job || c->id != d->job)
		return;
	d->job = 0;
	if (c->status != JOBS_DONE) {
		snprintf(d->error, sizeof d->error, "%s", c->result);
		return;
	}
	d->mode = DESKS_LIST;
	ui_notify(ui, UI_NOTICE_INFO, "admin passphrase changed; enrolled desks still unlock");
}

static enum ui_result form_key(struct ui_form *f, int key)
{
	return ui_form_key(f, key) == UI_HANDLED || (key >= 0x20 && key < 0x7f) ? UI_HANDLED
										 : UI_UNHANDLED;
}

enum ui_result setup_desks_key(struct setup_desks *d, struct ui *ui, int key)
{
	if (d->mode != DESKS_LIST && key == UI_KEY_ESC && !d->job) {
		clear_passphrases(d);
		d->mode = DESKS_LIST;
		d->error[0] = '\0';
		return UI_HANDLED;
	}
	if (d->mode == DESKS_ENROL) {
		d->error[0] = '\0';
		if (key == UI_KEY_ENTER) {
			start_enrol(d, ui);
			return UI_HANDLED;
		}
		return form_key(&d->name_form, key);
	}
	if (d->mode == DESKS_PASSPHRASE) {
		if (d->job)
			return UI_HANDLED; /* the change is running: wait for it */
		d->error[0] = '\0';
		if (key == UI_KEY_ENTER && d->pass_form.focus < P_COUNT - 1)
			d->pass_form.focus++;
		else if (key == UI_KEY_ENTER)
			change_passphrase(d, ui);
		else
			return form_key(&d->pass_form, key);
		return UI_HANDLED;
	}
	switch (key) {
	case 'e': {
		char host[HOST_NAME_MAX + 1] = "";
		gethostname(host, sizeof host);
		host[sizeof host - 1] = '\0';
		textedit_set(&d->name_field.edit, host);
		d->mode = DESKS_ENROL;
		d->error[0] = '\0';
		return UI_HANDLED;
	}
	case 'r':
		start_revoke(d, ui);
		return UI_HANDLED;
	case 'p':
		clear_passphrases(d);
		d->mode = DESKS_PASSPHRASE;
		d->error[0] = '\0';
		return UI_HANDLED;
	case 'j':
	case UI_KEY_FN(KEY_DOWN):
		return ui_list_act(&d->list, UI_ACT_DOWN);
	case 'k':
	case UI_KEY_FN(KEY_UP):
		return ui_list_act(&d->list, UI_ACT_UP);
	default:
		return UI_UNHANDLED;
	}
}

static void draw_desk(void *ctx, long index, struct ui_rect r, bool selected)
{
	const struct setup_desks *d = ctx;
	const struct vault_desk *desk = &d->desks[index];
	char made[32] = "never", used[32] = "never", line[300];
	time_t t = (time_t)desk->created_at;
	strftime(made, sizeof made, "%Y-%m-%d %H:%M", localtime(&t));
	if (desk->last_used_at) {
		t = (time_t)desk->last_used_at;
		strftime(used, sizeof used, "%Y-%m-%d %H:%M", localtime(&t));
	}
	snprintf(line, sizeof line, "%-18.18s %-16s %-12.12s %-16s%s", desk->name, made,
		 desk->created_by, used, desk->slot == d->here ? "  this desk" : "");
	ui_put(r.y, r.x, r.w, selected ? ROLE_SELECTION : ROLE_NORMAL, line, true);
}

void setup_desks_draw(struct setup_desks *d, struct ui_rect a)
{
	int y = a.y, x = a.x + 2, w = a.w - 4;
	ui_put(y++, x, w, ROLE_TITLE, "Desks that unlock themselves", false);
	ui_put(y++, x, w, ROLE_DIM,
	       d->here ? "This desk is enrolled: it opens the vault with its own key file."
		       : "This desk is not enrolled: each start asks for the admin passphrase.",
	       false);
	if (d->mode == DESKS_ENROL || d->mode == DESKS_PASSPHRASE) {
		y++;
		struct ui_form *f = d->mode == DESKS_ENROL ? &d->name_form : &d->pass_form;
		int rows = d->mode == DESKS_ENROL ? 2 : P_COUNT + 1;
		ui_put(y++, x, w, ROLE_NORMAL,
		       d->mode == DESKS_ENROL ? "Enrol this desk: its key file will open the vault."
					      : "Change the admin passphrase (desks keep their keys).",
		       false);
		ui_form_draw(f, (struct ui_rect){y, x, rows, w});
		int cy, cx;
		getyx(stdscr, cy, cx);
		y += rows + 1;
		if (d->job)
			ui_put(y, x, w, ROLE_WARNING, "changing the passphrase…", false);
		else if (d->error[0])
			ui_put(y, x, w, ROLE_ERROR, d->error, false);
		ui_put(y + 1, x, w, ROLE_HELP_KEY,
		       d->mode == DESKS_ENROL ? "Enter: enrol (asks to confirm)    Esc: back"
					      : "Enter: next / change    Esc: back",
		       false);
		move(cy, cx);
		curs_set(1);
		return;
	}
	y++;
	if (!d->n) {
		ui_put(y++, x, w, ROLE_WARNING, "No desk is enrolled.", false);
	} else {
		char head[120];
		snprintf(head, sizeof head, "%-18s %-16s %-12s %-16s", "Name", "Enrolled", "By",
			 "Last used");
		ui_put(y++, x, w, ROLE_HEADER, head, false);
		int h = a.y + a.h - y - 3;
		ui_list_draw(&d->list, (struct ui_rect){y, x, h < 1 ? 1 : h, w}, draw_desk, d);
		y += (int)(d->n < (size_t)(h < 1 ? 1 : h) ? d->n : (size_t)(h < 1 ? 1 : h));
	}
	y++;
	if (d->error[0])
		ui_put(y++, x, w, ROLE_ERROR, d->error, false);
	ui_put(y, x, w, ROLE_HELP_KEY,
	       "e enrol this desk   r revoke the selected one   p passphrase   Esc back",
	       false);
}
