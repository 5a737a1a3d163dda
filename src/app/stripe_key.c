#include "paydesk/stripe_key.h"

#include <pthread.h>

#include "paydesk/desk.h"
#include "paydesk/setup.h"
#include "paydesk/vault.h"

/* One app per process: workers take it to read app->vault, the UI thread to
 * change it (only the UI thread changes it, so its own reads need no lock). */
static pthread_mutex_t vault_mutex = PTHREAD_MUTEX_INITIALIZER;

int stripe_key_open(struct app *app, sqlite3 *db, char **key, struct pd_error *err)
{
	*key = NULL;
	pthread_mutex_lock(&vault_mutex);
	int rc = app->vault ? setup_open_key(db, app->vault, key, err)
			    : pd_error_set(err, PD_ERR_USAGE,
					   "Stripe is locked: unlock it with the admin passphrase "
					   "(Setup) first");
	pthread_mutex_unlock(&vault_mutex);
	return rc;
}

int stripe_key_open_for_job(void *app, sqlite3 *db, char **key, struct pd_error *err)
{
	return stripe_key_open(app, db, key, err);
}

bool stripe_key_unlocked(struct app *app)
{
	/* No lock: only this thread changes app->vault, so it reads it safely,
	 * and never waits behind a worker opening the key. */
	return app->vault != NULL;
}

void app_vault_replace(struct app *app, struct vault *v)
{
	pthread_mutex_lock(&vault_mutex);
	if (app->vault != v)
		vault_lock(&app->vault);
	app->vault = v;
	pthread_mutex_unlock(&vault_mutex);
}

int app_vault_exists(struct app *app, bool *exists, struct pd_error *err)
{
	*exists = false;
	return vault_exists(app->db, exists, err);
}

int app_vault_create(struct app *app, const char *passphrase, struct pd_error *err)
{
	struct vault *v = NULL;
	int rc = setup_vault_create(app->db, passphrase, &v, err); /* the cost setup picks */
	if (!rc)
		app_vault_replace(app, v);
	return rc;
}

int app_setup_save(struct app *app, const struct setup_input *in,
		   const struct verify_report *report, const struct session *who,
		   struct pd_error *err)
{
	struct setup_input with_key = *in;
	char *opened = NULL;
	pthread_mutex_lock(&vault_mutex);
	int rc = PD_OK;
	if (!app->vault)
		rc = pd_error_set(err, PD_ERR_LOCKED, "the vault is locked: unlock it first");
	else if (!in->secret_key && !(rc = setup_open_key(app->db, app->vault, &opened, err)))
		with_key.secret_key = opened;
	if (!rc)
		rc = setup_save(app->db, app->vault, &with_key, report, who, err);
	pthread_mutex_unlock(&vault_mutex);
	vault_secret_free(&opened);
	return rc;
}

int app_desk_enrol(struct app *app, const char *path, const char *name, char *enrolled,
		   struct pd_error *err)
{
	pthread_mutex_lock(&vault_mutex);
	int rc = app->vault ? desk_enrol(app->db, app->vault, &app->session, path, name, enrolled,
					 err)
			    : pd_error_set(err, PD_ERR_LOCKED, "the vault is locked: unlock it first");
	pthread_mutex_unlock(&vault_mutex);
	return rc;
}

int app_vault_change_passphrase(struct app *app, const char *old_pass, const char *new_pass,
				const char *actor, struct pd_error *err)
{
	return vault_change_passphrase_as(app->db, old_pass, new_pass, &VAULT_KDF_DEFAULT, actor,
					  err);
}

int app_vault_unlock(struct app *app, const char *passphrase, struct pd_error *err)
{
	struct vault *v = NULL;
	int rc = vault_unlock(app->db, passphrase, &v, err);
	if (!rc)
		app_vault_replace(app, v);
	return rc;
}
