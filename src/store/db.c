#include "paydesk/db.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "history_internal.h"
#include "migrations.h"
#include "paydesk/instances.h"
#include "paydesk/log.h"
#include "paydesk/paths.h"
#include "paydesk/textfold.h"

#define BUSY_TIMEOUT_MS 5000

int db_schema_latest(void)
{
	return store_migrations[store_migrations_count - 1].version;
}

int db_fail(sqlite3 *db, const char *what, struct pd_error *err)
{
	return pd_error_set(err, PD_ERR_IO, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
}

int db_exec(sqlite3 *db, const char *sql, struct pd_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return PD_OK;
	int rc = pd_error_set(err, PD_ERR_IO, "database error: %s", msg ? msg : "unknown");
	sqlite3_free(msg);
	return rc;
}

int db_begin(sqlite3 *db, struct pd_error *err)
{
	return db_exec(db, "BEGIN IMMEDIATE", err);
}

int db_commit(sqlite3 *db, struct pd_error *err)
{
	return db_exec(db, "COMMIT", err);
}

void db_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int db_finish(sqlite3 *db, int rc, struct pd_error *err)
{
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	return rc;
}

int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, struct pd_error *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) == SQLITE_OK)
		return PD_OK;
	return db_fail(db, "database error", err);
}

int db_ids(sqlite3 *db, const char *sql, int64_t *ids, size_t max, size_t *n,
	   struct pd_error *err)
{
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st, err);
	if (rc)
		return rc;
	while (*n < max && sqlite3_step(st) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return PD_OK;
}

int db_int(sqlite3 *db, const char *sql, int64_t *value, struct pd_error *err)
{
	size_t got = 0;
	*value = 0;
	return db_ids(db, sql, value, 1, &got, err);
}

int db_read_rows(sqlite3 *db, sqlite3_stmt *st, size_t elem_size,
		 int (*read)(sqlite3_stmt *st, void *elem), void (*clear)(void *elem), void **out,
		 size_t *n, const char *what, struct pd_error *err)
{
	char *rows = NULL;
	size_t cap = 0, len = 0;
	int step, rc = PD_OK;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			/* Doubling: a long list costs O(n) copying, not O(n²). */
			size_t grown_cap = cap ? cap * 2 : 16;
			char *grown = realloc(rows, grown_cap * elem_size);
			if (!grown) {
				rc = pd_error_set(err, PD_ERR, "out of memory");
				break;
			}
			rows = grown;
			cap = grown_cap;
		}
		/* Counted before it is read: a half-read element is cleared too. */
		if (read(st, rows + len++ * elem_size)) {
			rc = pd_error_set(err, PD_ERR, "out of memory");
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_fail(db, what, err);
	sqlite3_finalize(st);
	if (rc) {
		for (size_t i = 0; clear && i < len; i++)
			clear(rows + i * elem_size);
		free(rows);
		rows = NULL;
		len = 0;
	}
	*out = rows;
	*n = len;
	return rc;
}

int db_read_one(sqlite3 *db, const char *sql, int64_t id, const char *key,
		int (*read)(sqlite3_stmt *st, void *elem), void (*clear)(void *elem), void *out,
		const char *what, struct pd_error *err, const char *missing, ...)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st, err);
	if (rc)
		return rc;
	if (key)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		if (read(st, out)) {
			if (clear)
				clear(out);
			rc = pd_error_set(err, PD_ERR, "out of memory");
		}
	} else if (step == SQLITE_DONE) {
		char msg[sizeof err->msg];
		va_list ap;
		va_start(ap, missing);
		vsnprintf(msg, sizeof msg, missing, ap);
		va_end(ap);
		rc = pd_error_set(err, PD_ERR_NOT_FOUND, "%s", msg);
	} else {
		rc = db_fail(db, what, err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite3_errcode(db);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Files this process has connections to. Closing any descriptor of a file
 * drops every POSIX lock the process holds on it, SQLite's included:
 * re-reading the header while a connection (the UI's, a worker's) is open
 * let another process checkpoint and delete the WAL under it, and commits
 * vanished until paydesk exited. So a file in use is not read again; once
 * its last connection closes it is forgotten (its inode may then belong to
 * another file, which must be checked). */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct open_file {
	dev_t dev;
	ino_t ino;
	int connections;
} open_files[16];

/* Count a connection to st's file in (delta 1) or out (-1); whether the
 * file has connections (before the change). */
static bool file_in_use(const struct stat *st, int delta)
{
	const size_t max = sizeof open_files / sizeof open_files[0];
	size_t i, slot = max;
	pthread_mutex_lock(&open_lock);
	for (i = 0; i < max; i++) {
		if (open_files[i].connections && open_files[i].dev == st->st_dev &&
		    open_files[i].ino == st->st_ino)
			break;
		if (!open_files[i].connections && slot == max)
			slot = i;
	}
	bool in_use = i < max;
	if (in_use)
		open_files[i].connections += delta;
	else if (delta > 0 && slot < max)
		open_files[slot] = (struct open_file){st->st_dev, st->st_ino, delta};
	pthread_mutex_unlock(&open_lock);
	return in_use;
}

/* Look at an existing file before SQLite writes anything to it: a file that
 * is not SQLite must come out of this untouched. Creates a new file 0600. */
static int prepare_file(const char *path, struct pd_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return pd_error_set(err, PD_ERR_IO, "cannot use database %s: %s", path,
					    strerror(errno));
		int rc = paths_make_parent(path, err);
		if (rc)
			return rc;
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return pd_error_set(err, PD_ERR_IO, "cannot create database %s: %s", path,
					    strerror(errno));
		if (fd >= 0)
			close(fd);
		return PD_OK;
	}
	if (!S_ISREG(st.st_mode))
		return pd_error_set(err, PD_ERR_NOT_PAYDESK, "%s is not a regular file", path);
	if (st.st_size == 0 || file_in_use(&st, 0))
		return PD_OK;
	char header[16] = {0};
	FILE *f = fopen(path, "rb");
	if (!f)
		return pd_error_set(err, PD_ERR_IO, "cannot read database %s: %s", path,
				    strerror(errno));
	size_t n = fread(header, 1, sizeof header, f);
	fclose(f);
	if (n != sizeof header || memcmp(header, "SQLite format 3", 16) != 0)
		return pd_error_set(err, PD_ERR_NOT_PAYDESK,
				    "%s is not an SQLite database, so not a paydesk database; it was "
				    "left untouched (use --db to choose another file)",
				    path);
	return PD_OK;
}

/* paydesk writes on every path (sign-ins, the audit log, migrations), so a
 * database it cannot write is refused at once, saying so: SQLite's own
 * answer ("attempt to write a readonly database") came only at the first
 * write, or as "damaged" when the folder was read-only. */
static int read_only_error(const char *path, struct pd_error *err)
{
	return pd_error_set(err, PD_ERR_IO,
			    "%s is read-only (the file, or its folder for the -wal and -shm files "
			    "beside it, cannot be written by this user): paydesk needs to write to "
			    "its database. Make both writable (chmod u+w), or copy the file to a "
			    "writable folder and open the copy with --db",
			    path);
}

/* Refuse what is damaged, foreign or too new, before any write. */
static int check_identity(sqlite3 *db, const char *path, int *version, struct pd_error *err)
{
	int objects = 0, app_id = 0;
	/* One read transaction: another paydesk creating the file meanwhile must
	 * not be seen in halves (no tables yet, then the version it committed:
	 * "another application"). */
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	int rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", &objects);
	if (rc == SQLITE_OK)
		rc = pragma_int(db, "PRAGMA application_id", &app_id);
	if (rc == SQLITE_OK)
		rc = pragma_int(db, "PRAGMA user_version", version);
	int prim = rc & 0xff, sys = sqlite3_system_errno(db);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (prim == SQLITE_IOERR || prim == SQLITE_FULL || prim == SQLITE_CANTOPEN)
		/* The file may be fine: the disk is full or failing (WAL needs its -shm). */
		return pd_error_set(err, PD_ERR_IO,
				    "cannot read %s (%s%s%s): is the disk full? It was left untouched",
				    path, sqlite3_errstr(rc), sys ? ": " : "", sys ? strerror(sys) : "");
	if (prim == SQLITE_READONLY)
		return read_only_error(path, err); /* WAL could not make its -shm file */
	if (rc != SQLITE_OK)
		return pd_error_set(err, PD_ERR_NOT_PAYDESK,
				    "%s is damaged or not a database (%s); it was left untouched",
				    path, sqlite3_errstr(rc));
	if ((objects > 0 || *version > 0) && app_id != PAYDESK_APPLICATION_ID)
		return pd_error_set(err, PD_ERR_NOT_PAYDESK,
				    "%s is an SQLite database of another application; it was left "
				    "untouched (use --db to choose another file)",
				    path);
	if (*version > db_schema_latest())
		return pd_error_set(err, PD_ERR_SCHEMA,
				    "%s was written by a newer paydesk (schema %d; this paydesk "
				    "knows up to %d): upgrade paydesk to open it",
				    path, *version, db_schema_latest());
	return PD_OK;
}

static db_upgrade_fn upgrade_notice;
static db_upgrade_tick_fn upgrade_tick;
static int upgrade_tick_ms;

void db_on_upgrade(db_upgrade_fn fn)
{
	upgrade_notice = fn;
}

void db_on_upgrade_tick(db_upgrade_tick_fn fn, int interval_ms)
{
	upgrade_tick = fn;
	upgrade_tick_ms = interval_ms;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The upgrade's clock: ticks once it is announced (told), every interval. */
struct upgrade_clock {
	const bool *told;
	int64_t start, next;
};

static int upgrade_progress(void *ctx)
{
	struct upgrade_clock *c = ctx;
	if (!*c->told || !upgrade_tick)
		return 0;
	int64_t now = monotonic_ms();
	if (!c->start) {
		c->start = now;
		c->next = now + upgrade_tick_ms;
	} else if (now >= c->next) {
		c->next = now + upgrade_tick_ms;
		upgrade_tick(now - c->start);
	}
	return 0; /* never interrupts */
}

/* The billing history's size for the upgrade notice: its highest id (ids
 * are dense; counting 10M records takes a second). 0 before schema 3. */
static int64_t history_size(sqlite3 *db)
{
	int64_t n = 0;
	struct pd_error ignored = {0};
	db_int(db, "SELECT ifnull(max(id), 0) FROM history", &n, &ignored);
	return n;
}

/* told: the hook was called already (db_open tries again when another
 * paydesk holds the lock: once is enough). */
static int migrate(sqlite3 *db, bool *told, struct pd_error *err)
{
	for (int i = 0; i < store_migrations_count; i++) {
		const struct migration *m = &store_migrations[i];
		int rc = db_begin(db, err);
		if (rc)
			return rc;
		/* Re-read inside the write lock: another paydesk may have just migrated. */
		int current = 0;
		if (pragma_int(db, "PRAGMA user_version", &current) != SQLITE_OK) {
			db_rollback(db);
			return db_fail(db, "reading schema version", err);
		}
		if (current >= m->version) {
			db_rollback(db);
			continue;
		}
		if (!*told && current > 0 && upgrade_notice) {
			int64_t records = history_size(db), us = 0;
			for (int k = i; k < store_migrations_count; k++)
				us += store_migration_us_per_record(store_migrations[k].version);
			upgrade_notice(current, db_schema_latest(), records, records * us / 1000000);
		}
		*told = true;
		char pragmas[128];
		snprintf(pragmas, sizeof pragmas, "PRAGMA user_version = %d; PRAGMA application_id = %d;",
			 m->version, PAYDESK_APPLICATION_ID);
		rc = db_exec(db, m->sql, err);
		if (!rc && m->apply)
			rc = m->apply(db, err);
		if (!rc)
			rc = db_exec(db, pragmas, err);
		if (!rc)
			rc = db_commit(db, err);
		if (rc) {
			db_rollback(db);
			return pd_error_set(err, PD_ERR_IO, "schema migration %d (%s) failed: %s",
					    m->version, m->what, err ? err->msg : "");
		}
		log_msg(LOG_INFO, "database migrated to schema %d (%s)", m->version, m->what);
	}
	return PD_OK;
}

/* Before SQLite's first use: no memory statistics (kept under one mutex
 * for the whole process, taken by every allocation of every connection:
 * 6% of a history sync's writer). */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

/* fold(text): text_fold as SQL, so searches compare names the way a desk
 * types them ("zoe" finds "Zoë"). Deterministic: usable in any query. */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *in = (const char *)sqlite3_value_text(argv[0]);
	if (!in) {
		sqlite3_result_null(ctx);
		return;
	}
	size_t n = text_fold(in, NULL, 0) + 1;
	char *out = sqlite3_malloc64(n);
	if (!out) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	text_fold(in, out, n);
	sqlite3_result_text(ctx, out, -1, sqlite3_free);
}

int db_open(const char *path, sqlite3 **out, struct pd_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	*out = NULL;
	int rc = prepare_file(path, err);
	if (rc)
		return rc;
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		rc = pd_error_set(err, PD_ERR_IO, "cannot open database %s: %s", path,
				  db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return rc;
	}
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	sqlite3_create_function(db, "fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_fold,
				NULL, NULL);
	history_terms_register(db); /* a search's last letter typed alone (history_search.c) */
	history_walk_register(db);  /* a search sorted by amount (history_walk.c) */
	int version = 0;
	rc = check_identity(db, path, &version, err);
	if (!rc && sqlite3_db_readonly(db, "main") == 1)
		rc = read_only_error(path, err);
	/* FULL sync: a committed payment record must survive a power cut, not
	 * only a crash of paydesk. secure_delete zeroes freed pages (old secrets).
	 * journal_size_limit: a WAL a large sync grew (up to 128 MB) shrinks
	 * back to 16 MB when it is next reset, by whichever connection. */
	/* Switching to WAL and the first migration can meet another paydesk
	 * doing the same on a new file; SQLite then answers "locked" at once
	 * (no busy wait for a journal-mode change), so try again for a while. */
	bool told = false;
	for (int attempt = 1; !rc; attempt++) {
		rc = db_exec(db,
			     "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
			     "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"
			     "PRAGMA journal_size_limit = 16777216;",
			     err);
		if (!rc && version < db_schema_latest()) {
			struct upgrade_clock clock = {.told = &told};
			/* every 10,000 VM steps: well under a millisecond */
			sqlite3_progress_handler(db, 10000, upgrade_progress, &clock);
			rc = migrate(db, &told, err);
			sqlite3_progress_handler(db, 0, NULL, NULL);
		}
		int code = sqlite3_errcode(db) & 0xff;
		if (!rc || (code != SQLITE_BUSY && code != SQLITE_LOCKED) ||
		    attempt >= BUSY_TIMEOUT_MS / 50)
			break;
		rc = PD_OK;
		struct timespec pause = {0, 50 * 1000000L};
		nanosleep(&pause, NULL);
	}
	if (rc) {
		sqlite3_close(db);
		return rc;
	}
	db_instance_register(path);
	struct stat st;
	if (stat(path, &st) == 0)
		file_in_use(&st, 1);
	*out = db;
	return PD_OK;
}

void db_close(sqlite3 **db)
{
	if (db && *db) {
		const char *path = sqlite3_db_filename(*db, "main");
		struct stat st;
		if (path && *path && stat(path, &st) == 0)
			file_in_use(&st, -1);
		sqlite3_close(*db);
		*db = NULL;
	}
}
