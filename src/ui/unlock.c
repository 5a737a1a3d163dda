/* The vault passphrase prompt: a modal box with a masked field. Esc skips:
 * paydesk then works read-only on local data. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/log.h"
#include "paydesk/desk.h"
#include "paydesk/harden.h"
#include "paydesk/stripe_key.h"
#include "paydesk/vault.h"
#include "widgets.h"

struct ui_unlock {
	struct ui_field field;
	struct ui_form form;
	char why[160];
	char error[512];
	int failures;
	void (*then)(struct ui *ui);
};

void ui_unlock_close(struct ui *ui)
{
	if (!ui->unlock)
		return;
	ui_form_free(&ui->unlock->form);
	free(ui->unlock);
	ui->unlock = NULL;
}

void ui_unlock_open(struct ui *ui, const char *why, void (*then)(struct ui *ui))
{
	ui_unlock_close(ui);
	struct ui_unlock *u = calloc(1, sizeof *u);
	if (!u)
		return;
	u->field = (struct ui_field){.label = "Passphrase", .kind = UI_FIELD_SECRET};
	ui_form_init(&u->form, &u->field, 1, 1024);
	snprintf(u->why, sizeof u->why, "%s", why ? why : "Unlock the vault to use Stripe.");
	u->then = then;
	ui->unlock = u;
}

enum ui_result ui_unlock_key(struct ui *ui, int key)
{
	struct ui_unlock *u = ui->unlock;
	if (!u)
		return UI_UNHANDLED;
	if (key == UI_KEY_ESC) {
		ui->app->read_only = ui->app->vault == NULL;
		ui_unlock_close(ui);
		if (ui->app->read_only)
			ui_notify(ui, UI_NOTICE_INFO, "read-only: local data only, no Stripe calls");
		return UI_HANDLED;
	}
	if (key != UI_KEY_ENTER) {
		ui_form_key(&u->form, key);
		u->error[0] = '\0';
		return UI_HANDLED;
	}
	struct pd_error err = {0};
	struct vault *v = NULL;
	int rc = vault_unlock(ui->app->db, ui_form_value(&u->form, 0), &v, &err);
	if (rc) {
		u->failures++;
		snprintf(u->error, sizeof u->error, "%s", err.msg);
		textedit_set(&u->field.edit, "");
		return UI_HANDLED;
	}
	app_vault_replace(ui->app, v); /* under the lock workers open the key with */
	ui->app->read_only = false;
	void (*then)(struct ui *) = u->then;
	ui_unlock_close(ui);
	ui_notify(ui, UI_NOTICE_INFO, "vault unlocked");
	if (then)
		then(ui);
	return UI_HANDLED;
}

void ui_unlock_draw(struct ui *ui)
{
	struct ui_unlock *u = ui->unlock;
	if (!u)
		return;
	int w = COLS - 8 < 64 ? COLS - 8 : 64, h = 9;
	struct ui_rect r = {(LINES - h) / 2, (COLS - w) / 2, h, w};
	ui_box(r, ROLE_DIALOG, "Vault locked");
	ui_put(r.y + 2, r.x + 2, w - 4, ROLE_DIALOG, u->why, false);
	ui_form_draw(&u->form, (struct ui_rect){r.y + 4, r.x + 2, 1, w - 4});
	int cy, cx;
	getyx(stdscr, cy, cx);
	if (u->error[0])
		ui_put(r.y + 5, r.x + 2, w - 4, ROLE_ERROR, u->error, false);
	ui_put(r.y + h - 2, r.x + 2, w - 4, ROLE_HELP_KEY,
	       "Enter: unlock    Esc: skip (read-only, no Stripe calls)", false);
	move(cy, cx);
	curs_set(1);
}

/* An enrolled desk opens the vault with its key file; else the passphrase
 * is asked, unless PAYDESK_PASSPHRASE carries it (kiosk set-ups). The
 * environment copy is scrubbed either way; a key file that cannot be used
 * (mode, revoked) is said. */
void ui_unlock_if_needed(struct ui *ui, void (*then)(struct ui *ui))
{
	bool has_vault = false;
	struct pd_error err, desk = {0};
	char *env = harden_env_secret_claim("PAYDESK_PASSPHRASE");
	bool needed = ui->account[0] && !ui->app->vault && !ui->app->read_only &&
		      vault_exists(ui->app->db, &has_vault, &err) == PD_OK && has_vault;
	int desk_rc = PD_ERR_NOT_FOUND;
	if (needed) {
		char *path = desk_key_path(&ui->app->cfg);
		struct vault *v = NULL;
		desk_rc = desk_unlock(ui->app->db, path, &v, &desk);
		free(path);
		if (desk_rc == PD_OK)
			app_vault_replace(ui->app, v); /* under the lock workers open the key with */
	}
	if (needed && !ui->app->vault && env && *env &&
	    app_vault_unlock(ui->app, env, &err) != PD_OK)
		ui_notify(ui, UI_NOTICE_ERROR, "PAYDESK_PASSPHRASE: %s", err.msg);
	vault_secret_free(&env);
	if (desk_rc != PD_OK && desk_rc != PD_ERR_NOT_FOUND)
		ui_notify(ui, UI_NOTICE_ERROR, "%s", desk.msg);
	if (needed && !ui->app->vault)
		ui_unlock_open(ui,
			       desk_rc == PD_ERR_NOT_FOUND
				       ? "Enter the admin passphrase to use Stripe."
				       : "This desk's key was not used (below): enter the passphrase.",
			       then);
	else if (needed && then)
		then(ui);
}
