/* `paydesk restore FILE`: everything is checked on a temp copy beside the
 * database, then the copy replaces the database with one rename. The old
 * database gets a second name first (a hard link, "…before-restore-<time>"),
 * so at every instant the database's own name holds a whole database: the
 * old one until the rename, the restored one after it. */
#include "paydesk/backup.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup_file.h"
#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/paths.h"

static int count(sqlite3 *db, const char *table, int64_t *out)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	sqlite3_stmt *st;
	*out = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* The copy is whole, paydesk's, not newer than this paydesk; and what it holds. */
static int check_copy(const char *tmp, const char *file, struct restore_report *rep,
		      struct pd_error *err)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return pd_error_set(err, PD_ERR_IO, "cannot open the restored copy %s", tmp);
	}
	int rc = PD_OK;
	sqlite3_stmt *st = NULL;
	const char *ok = NULL;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = (const char *)sqlite3_column_text(st, 0);
	if (!ok || strcmp(ok, "ok") != 0)
		rc = pd_error_set(err, PD_ERR_TAMPERED,
				  "the database inside %s fails SQLite's integrity check (%s): "
				  "use another backup",
				  file, ok ? ok : sqlite3_errmsg(db));
	sqlite3_finalize(st);
	int app_id = 0, version = 0;
	if (!rc && sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			app_id = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (!rc && sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			version = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (!rc && app_id != PAYDESK_APPLICATION_ID)
		rc = pd_error_set(err, PD_ERR_NOT_PAYDESK,
				  "the database inside %s is not paydesk's: nothing was restored", file);
	if (!rc && version > db_schema_latest())
		rc = pd_error_set(err, PD_ERR_SCHEMA,
				  "%s was made by a newer paydesk (schema %d; this paydesk knows up "
				  "to %d): upgrade paydesk to restore it",
				  file, version, db_schema_latest());
	if (!rc) {
		count(db, "clients", &rep->clients);
		count(db, "appointments", &rep->appointments);
		count(db, "appointment_payments", &rep->payments);
		count(db, "history", &rep->history);
		struct audit_report ar;
		struct pd_error aerr = {0};
		int arc = audit_report(db, &ar, &aerr);
		rep->audit_entries = ar.entries;
		rep->audit_intact = arc == PD_OK;
		rep->audit_broken_at = arc == PD_OK ? 0 : ar.broken_id;
		/* The restored log says it was restored: going back to an older
		 * copy is itself an event (unsealed until the next keyed entry). */
		char detail[512], when[32];
		time_t t = (time_t)rep->header.created_at;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
		const char *base = strrchr(file, '/');
		snprintf(detail, sizeof detail, "database restored from %s, a backup made %s",
			 base ? base + 1 : file, when);
		struct audit_entry e = {.actor = "system", .action = "backup.restore",
					.detail = detail};
		rc = audit_append(db, &e, err);
	}
	sqlite3_close(db);
	return rc;
}

/* No paydesk may use the database while it is replaced: an exclusive lock
 * on the sidecar every paydesk holds shared (instances.c) says so, and
 * keeps a paydesk that starts meanwhile waiting until we are done. */
static int lock_alone(const char *db_path, int *fd, struct pd_error *err)
{
	char side[4096];
	snprintf(side, sizeof side, "%s-instances", db_path);
	*fd = open(side, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0)
		return pd_error_set(err, PD_ERR_IO, "cannot write beside %s: %s", db_path,
				    strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		close(*fd);
		*fd = -1;
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "paydesk is using %s (a desk, a sync or a backup): close every "
				    "paydesk on it, then restore again; nothing was changed",
				    db_path);
	}
	return PD_OK;
}

/* Fold the old database's WAL into it, so the name kept aside is all of it. */
static int settle_old(const char *db_path, struct pd_error *err)
{
	sqlite3 *db = NULL;
	int rc = PD_OK;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
		rc = pd_error_set(err, PD_ERR_IO,
				  "cannot settle the current database %s (%s): nothing was changed",
				  db_path, db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_close(db);
	char wal[4112];
	snprintf(wal, sizeof wal, "%s-wal", db_path);
	struct stat st;
	if (!rc && stat(wal, &st) == 0 && st.st_size > 0)
		rc = pd_error_set(err, PD_ERR_CONFLICT,
				  "%s still has writes in its WAL file: close every paydesk on it, "
				  "then restore again; nothing was changed",
				  db_path);
	return rc;
}

static void sync_dir(const char *db_path)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", db_path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Temp copies left by a restore that was killed ("DB.restore-PID.tmp" of a
 * process that is gone): removed, so they do not pile up. */
static void remove_stale(const char *db_path)
{
	const char *slash = strrchr(db_path, '/');
	char dir[4096];
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - db_path) : 1,
		 slash ? db_path : ".");
	const char *base = slash ? slash + 1 : db_path;
	size_t blen = strlen(base);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		const char *n = e->d_name;
		if (strncmp(n, base, blen) != 0 || strncmp(n + blen, ".restore-", 9) != 0)
			continue;
		char *end = NULL;
		long pid = strtol(n + blen + 9, &end, 10);
		if (pid <= 0 || !end || strcmp(end, ".tmp") != 0 || pid == (long)getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char path[4096];
		if (snprintf(path, sizeof path, "%s/%s", dir, n) < (int)sizeof path)
			unlink(path);
	}
	if (d)
		closedir(d);
}

int backup_restore(const char *file, const char *db_path, struct restore_report *rep,
		   struct pd_error *err)
{
	memset(rep, 0, sizeof *rep);
	int rc = paths_make_parent(db_path, err);
	if (rc)
		return rc;
	remove_stale(db_path);
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.restore-%ld.tmp", db_path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!out) {
		if (fd >= 0)
			close(fd);
		return pd_error_set(err, PD_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
	}
	rc = backup_file_read(file, out, &rep->header, err);
	if (fflush(out) != 0 || fsync(fileno(out)) != 0)
		rc = rc ? rc : pd_error_set(err, PD_ERR_IO, "cannot write %s: %s", tmp,
					    strerror(errno));
	fclose(out);
	if (!rc && rep->header.schema > db_schema_latest())
		rc = pd_error_set(err, PD_ERR_SCHEMA,
				  "%s was made by a newer paydesk (schema %d; this paydesk knows up "
				  "to %d): upgrade paydesk to restore it",
				  file, rep->header.schema, db_schema_latest());
	if (!rc)
		rc = check_copy(tmp, file, rep, err);
	int lock = -1;
	if (!rc)
		rc = lock_alone(db_path, &lock, err);
	struct stat st;
	bool had_old = !rc && stat(db_path, &st) == 0;
	if (had_old)
		rc = settle_old(db_path, err);
	if (!rc && had_old) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
		snprintf(rep->aside, sizeof rep->aside, "%s.before-restore-%s", db_path, stamp);
		if (link(db_path, rep->aside) != 0)
			rc = pd_error_set(err, PD_ERR_IO,
					  "cannot keep the current database aside as %s: %s; nothing "
					  "was changed",
					  rep->aside, strerror(errno));
	}
	if (!rc && rename(tmp, db_path) != 0)
		rc = pd_error_set(err, PD_ERR_IO, "cannot put the restored database in place: %s",
				  strerror(errno));
	if (rc)
		unlink(tmp);
	else
		sync_dir(db_path);
	if (lock >= 0)
		close(lock);
	return rc;
}
