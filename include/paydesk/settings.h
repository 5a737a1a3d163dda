/* Key/value settings kept in the database (things an admin changes from the
 * app, as opposed to the config file a sysadmin edits). */
#ifndef PAYDESK_SETTINGS_H
#define PAYDESK_SETTINGS_H

#include <sqlite3.h>

#include "paydesk/error.h"

/* *out becomes a heap copy of the value, or NULL (and PD_ERR_NOT_FOUND) when unset. */
int settings_get(sqlite3 *db, const char *key, char **out, struct pd_error *err);

/* Insert or replace. */
int settings_set(sqlite3 *db, const char *key, const char *value, struct pd_error *err);

#endif
