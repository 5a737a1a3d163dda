/* Is the database whole? SQLite's integrity check, told as the table or
 * index that is damaged, and the first-run guard that will not create a new
 * admin on a database whose users may have been lost to damage. */
#ifndef PAYDESK_DB_CHECK_H
#define PAYDESK_DB_CHECK_H

#include <sqlite3.h>
#include <stdbool.h>

#include "paydesk/error.h"

/* PD_OK when a first admin may be created (the caller found no users):
 * every table can be read, and the audit log does not record users being
 * added. Otherwise PD_ERR_NOT_PAYDESK saying what was found, pointing to
 * `paydesk doctor` and to `paydesk users add` with the vault passphrase. */
int db_first_run_check(sqlite3 *db, struct pd_error *err);

/* One damaged object: kind "table" or "index" (or "page" when SQLite names
 * no object), its name, its table for an index, and SQLite's words. */
struct db_damage {
	const char *kind, *name, *table, *detail;
};
typedef void (*db_damage_fn)(void *ctx, const struct db_damage *d);

/* PRAGMA quick_check over the whole file (full: integrity_check, which also
 * compares every index with its table); when it finds anything, each table
 * and index is checked on its own so that every damaged one is named to fn.
 * *damaged counts them. Returns PD_OK when the check ran, whatever it found. */
int db_integrity_check(sqlite3 *db, bool full, db_damage_fn fn, void *ctx, int *damaged,
		       struct pd_error *err);

#endif
