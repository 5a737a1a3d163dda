/* The SQLite store: opening it safely, its schema migrations, and small
 * helpers shared by the store modules. One connection per thread. */
#ifndef PAYDESK_DB_H
#define PAYDESK_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

/* PRAGMA application_id of a paydesk database: "PDSK". */
#define PAYDESK_APPLICATION_ID 0x5044534B

/* The schema version this build writes (PRAGMA user_version). */
int db_schema_latest(void);

/* Open (creating when absent: parent dir 0700, file 0600) the database at
 * path and bring its schema up to date. Refuses, leaving the file untouched,
 * a file that is not SQLite, is corrupt, belongs to another application, or
 * was written by a newer paydesk. Sets WAL, foreign keys and a busy timeout. */
int db_open(const char *path, sqlite3 **out, struct pd_error *err);

/* Called by db_open once before it upgrades an existing database's schema
 * (never for a new one), from and to being schema versions. An upgrade
 * may copy or index the whole billing history before the first screen:
 * records is its size (0: none), seconds the upgrade's estimate from
 * what each step cost at 10M records. NULL: nothing is called. */
typedef void (*db_upgrade_fn)(int from, int to, int64_t records, int64_t seconds);
void db_on_upgrade(db_upgrade_fn fn);

/* Then, while that upgrade runs, called every interval_ms or so with the
 * milliseconds since it began (from SQLite's progress handler, on
 * db_open's thread). NULL: nothing is called. */
typedef void (*db_upgrade_tick_fn)(int64_t elapsed_ms);
void db_on_upgrade_tick(db_upgrade_tick_fn fn, int interval_ms);

/* Close and NULL *db. */
void db_close(sqlite3 **db);

/* Run SQL without results; on failure err says which statement failed. */
int db_exec(sqlite3 *db, const char *sql, struct pd_error *err);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int db_begin(sqlite3 *db, struct pd_error *err);
int db_commit(sqlite3 *db, struct pd_error *err);
void db_rollback(sqlite3 *db);
/* End a use case's transaction: committed when rc is 0, rolled back when
 * rc is not (or the commit fails); returns rc, or the commit's error. */
int db_finish(sqlite3 *db, int rc, struct pd_error *err);

/* Prepare a statement; on failure err carries SQLite's message. */
int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, struct pd_error *err);

/* The first column of the rows sql selects, at most max of them, into ids;
 * *n how many. A batch to work through, the rest left for the next run. */
int db_ids(sqlite3 *db, const char *sql, int64_t *ids, size_t max, size_t *n,
	   struct pd_error *err);

/* The integer in the first column of the first row sql selects into
 * *value (0 when it selects none): a count, a highest id. */
int db_int(sqlite3 *db, const char *sql, int64_t *value, struct pd_error *err);

/* Map the SQLite error of db to a pd_error (PD_ERR_IO), prefixed by what. */
int db_fail(sqlite3 *db, const char *what, struct pd_error *err);

/* The store modules' lists: step st to its end, reading each row with read
 * into a growing array of elem_size elements; *out gets the array (NULL when
 * empty: a T ** is no void **, so pass the address of a void * and assign
 * that), *n its length. read returns nonzero when out of memory; clear (may
 * be NULL) frees what read stored in one element. st is finalized. On failure
 * ("out of memory", or SQLite's error prefixed by what) the elements read are
 * cleared and freed, *out is NULL and *n 0. */
int db_read_rows(sqlite3 *db, sqlite3_stmt *st, size_t elem_size,
		 int (*read)(sqlite3_stmt *st, void *elem), void (*clear)(void *elem), void **out,
		 size_t *n, const char *what, struct pd_error *err);

/* The store modules' lookups: read into out the row sql selects with ?1
 * bound to key, or to id when key is NULL; read and clear as for
 * db_read_rows (clear only after a failed read). No row is PD_ERR_NOT_FOUND
 * with the message printf-made from missing. out is not zeroed first: callers
 * that free it whatever happened do that themselves. */
int db_read_one(sqlite3 *db, const char *sql, int64_t id, const char *key,
		int (*read)(sqlite3_stmt *st, void *elem), void (*clear)(void *elem), void *out,
		const char *what, struct pd_error *err, const char *missing, ...)
	__attribute__((format(printf, 10, 11)));

#endif
