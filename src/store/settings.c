#include "paydesk/settings.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

static int read_value(sqlite3_stmt *st, void *p)
{
	char **out = p;
	*out = strdup((const char *)sqlite3_column_text(st, 0));
	return *out ? 0 : -1;
}

int settings_get(sqlite3 *db, const char *key, char **out, struct pd_error *err)
{
	*out = NULL;
	return db_read_one(db, "SELECT value FROM settings WHERE key = ?", 0, key, read_value, NULL,
			   out, "reading settings", err, "setting %s is not set", key);
}

int settings_set(sqlite3 *db, const char *key, const char *value, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
			    "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
			    "updated_at = excluded.updated_at",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "saving a setting", err);
	sqlite3_finalize(st);
	return rc;
}
