/* The application context handed to every use case and screen: settings,
 * the store, the vault. Built by main, freed by app_close. */
#ifndef PAYDESK_APP_H
#define PAYDESK_APP_H

#include <sqlite3.h>
#include <stdbool.h>

#include "paydesk/auth.h"
#include "paydesk/config.h"
#include "paydesk/error.h"

struct vault;
struct jobs;

struct app {
	struct config cfg;
	char *db_path;
	char *config_path;
	char *log_path;
	sqlite3 *db;          /* the UI thread's connection */
	struct vault *vault;  /* NULL while locked */
	bool read_only;       /* the admin skipped unlocking: local data only */
	struct jobs *jobs;    /* the worker pool, while the TUI runs */
	struct session session; /* who is signed in (the TUI), or the headless admin */
	const char *start_screen; /* --screen, or NULL */
};

struct app_options {
	const char *db_path;      /* --db, or NULL for the default */
	const char *config_path;  /* --config, or NULL for the default */
	const char *theme;        /* --theme, or NULL */
	const char *screen;       /* --screen, or NULL */
	bool no_db;               /* leave the database closed (the command opens it) */
};

/* Load config (file, env, options), open the log and the database.
 * Config warnings are printed to stderr and logged. */
int app_open(struct app *app, const struct app_options *opt, struct pd_error *err);

/* Lock the vault, close the database and the log, free everything. */
void app_close(struct app *app);

#endif
