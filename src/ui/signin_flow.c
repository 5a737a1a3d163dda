/* Who is at the desk, before anything shows: sign in (the lock screen, or
 * PAYDESK_SIGN_IN + PAYDESK_PIN), then unlock the vault when an account is
 * configured, then finish what the last stop left in flight. */
#include <stdlib.h>

#include "paydesk/audit_events.h"
#include "paydesk/auth.h"
#include "paydesk/desk.h"
#include "paydesk/harden.h"
#include "paydesk/log.h"
#include "paydesk/users.h"
#include "paydesk/vault.h"
#include "bench_trace.h"
#include "shell.h"

/* Once the key is at hand, finish what the last stop left in flight. */
static void after_unlock(struct ui *ui)
{
	ui_load_account(ui);
	ui_jobs_recover(ui);
}

/* A configured account with a locked vault: an enrolled desk opens it with
 * its key file; else ask for the passphrase, unless PAYDESK_PASSPHRASE
 * carries it (kiosk set-ups). The environment copy is scrubbed either way;
 * a key file that cannot be used (mode, revoked) is said. */
static void ask_unlock_if_needed(struct ui *ui)
{
	bool has_vault = false;
	struct pd_error err, desk = {0};
	char *env = harden_env_secret_claim("PAYDESK_PASSPHRASE");
	bool needed = ui->account[0] && !ui->app->vault && !ui->app->read_only &&
		      vault_exists(ui->app->db, &has_vault, &err) == PD_OK && has_vault;
	int desk_rc = PD_ERR_NOT_FOUND;
	if (needed) {
		char *path = desk_key_path(&ui->app->cfg);
		desk_rc = desk_unlock(ui->app->db, path, &ui->app->vault, &desk);
		free(path);
	}
	if (needed && !ui->app->vault && env && *env &&
	    vault_unlock(ui->app->db, env, &ui->app->vault, &err) != PD_OK)
		ui_notify(ui, UI_NOTICE_ERROR, "PAYDESK_PASSPHRASE: %s", err.msg);
	vault_secret_free(&env);
	if (desk_rc != PD_OK && desk_rc != PD_ERR_NOT_FOUND)
		ui_notify(ui, UI_NOTICE_ERROR, "%s", desk.msg);
	if (needed && !ui->app->vault)
		ui_unlock_open(ui,
			       desk_rc == PD_ERR_NOT_FOUND
				       ? "Enter the admin passphrase to use Stripe."
				       : "This desk's key was not used (below): enter the passphrase.",
			       after_unlock);
	else if (needed)
		after_unlock(ui);
}

/* Sign in before anything shows. PAYDESK_SIGN_IN + PAYDESK_PIN do it
 * without the lock screen (training mode, kiosks); on a first run they
 * create that admin, as the first-run form would. */
void ui_signin_flow_start(struct ui *ui)
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
