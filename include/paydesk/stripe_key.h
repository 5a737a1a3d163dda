/* The sealed Stripe key, opened where it is used and by no one else.
 *
 * The vault stays with the app (the unlock dialog, setup and headless
 * commands put it there); the UI never opens the key. A job queued without
 * a key opens it on its worker, with the worker's own connection, when it
 * needs it (jobs_open_key, wired to stripe_key_open_for_job), and wipes its
 * copy with vault_secret_free when done. A lock keeps a worker from reading
 * the vault while the UI thread replaces or locks it. */
#ifndef PAYDESK_STRIPE_KEY_H
#define PAYDESK_STRIPE_KEY_H

#include <sqlite3.h>
#include <stdbool.h>

#include "paydesk/app.h"
#include "paydesk/error.h"

/* The key sealed for the configured account, read through db (the
 * caller's own connection). PD_ERR_AUTH-like message when locked. Free it
 * with vault_secret_free. Any thread. */
int stripe_key_open(struct app *app, sqlite3 *db, char **key, struct pd_error *err);

/* stripe_key_open for jobs_opts.open_key (ctx: the struct app). */
int stripe_key_open_for_job(void *app, sqlite3 *db, char **key, struct pd_error *err);

/* Whether the vault is unlocked (Stripe can be used). The thread that
 * installs the vault only (the UI thread, or a headless main). */
bool stripe_key_unlocked(struct app *app);

/* Install v as the app's vault (NULL: lock it), locking the one before;
 * waits for a worker opening the key. UI thread or headless main. */
void app_vault_replace(struct app *app, struct vault *v);

/* Unlock the vault with passphrase and install it. */
int app_vault_unlock(struct app *app, const char *passphrase, struct pd_error *err);

/* Whether this database has a vault (sealed secrets), unlocked or not. */
int app_vault_exists(struct app *app, bool *exists, struct pd_error *err);

/* Create the vault with passphrase (first setup) and install it. */
int app_vault_create(struct app *app, const char *passphrase, struct pd_error *err);

/* setup_save with the app's vault, under its lock. in->secret_key NULL: the
 * key already sealed, opened here and wiped after (Setup saves settings or
 * re-verified inputs without ever holding it). */
struct setup_input;
struct verify_report;
int app_setup_save(struct app *app, const struct setup_input *in,
		   const struct verify_report *report, const struct session *who,
		   struct pd_error *err);

/* desk_enrol with the app's vault, under its lock (Setup's desks panel). */
int app_desk_enrol(struct app *app, const char *path, const char *name, char *enrolled,
		   struct pd_error *err);

/* vault_change_passphrase_as with the default KDF, in actor's name (without
 * workers; with them, passphrase_job_submit). */
int app_vault_change_passphrase(struct app *app, const char *old_pass, const char *new_pass,
				const char *actor, struct pd_error *err);

#endif
