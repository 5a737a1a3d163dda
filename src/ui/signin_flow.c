/* Who is at the desk, before anything shows: sign in (the lock screen, or
 * PAYDESK_SIGN_IN + PAYDESK_PIN), then unlock the vault when an account is
 * configured, then finish what the last stop left in flight. */
#include <stdlib.h>

#include "paydesk/audit_events.h"
#include "paydesk/auth.h"
#include "paydesk/harden.h"
#include "paydesk/log.h"
#include "paydesk/users.h"
#include "paydesk/vault.h" /* vault_secret_free: the PIN from the environment */
#include "bench_trace.h"
#include "shell.h"

/* Once the key is at hand, finish what the last stop left in flight. */
static void after_unlock(struct ui *ui)
{
	ui_load_account(ui);
	ui_jobs_recover(ui);
	ui_history_sync_at_start(ui);
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
