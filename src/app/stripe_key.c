#include "paydesk/stripe_key.h"

#include <pthread.h>

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
	pthread_mutex_lock(&vault_mutex);
	bool unlocked = app->vault != NULL;
	pthread_mutex_unlock(&vault_mutex);
	return unlocked;
}

void app_vault_replace(struct app *app, struct vault *v)
{
	pthread_mutex_lock(&vault_mutex);
	if (app->vault != v)
		vault_lock(&app->vault);
	app->vault = v;
	pthread_mutex_unlock(&vault_mutex);
}

int app_vault_unlock(struct app *app, const char *passphrase, struct pd_error *err)
{
	struct vault *v = NULL;
	int rc = vault_unlock(app->db, passphrase, &v, err);
	if (!rc)
		app_vault_replace(app, v);
	return rc;
}
