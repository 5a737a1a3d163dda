/* `paydesk backup`: snapshot, compress, check, keep the newest N, copy away.
 * The snapshot is taken with SQLite's online backup API under one read
 * transaction of our connection: in WAL mode that reader blocks no writer,
 * and the pages it copies are one consistent moment (another process's
 * commits meanwhile do not restart it). Steps copy a few MB at a time. */
#include "paydesk/backup.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backup_file.h"
#include "paydesk/db.h"
#include "paydesk/file_replace.h"
#include "paydesk/log.h"
#include "paydesk/paths.h"
#include "paydesk/settings.h"

extern char **environ;

#define STEP_PAGES 1024 /* 4 MB of 4 KB pages per step */
#define NAME_PREFIX "paydesk-"
#define NAME_SUFFIX ".backup"
#define SNAPSHOT_NAME ".paydesk-snapshot.tmp"
#define LOCK_NAME ".paydesk-backup.lock"

char *backup_default_dir(const char *db_path)
{
	const char *slash = strrchr(db_path, '/');
	char *dir = NULL;
	if (!slash)
		return strdup("backups");
	if (asprintf(&dir, "%.*s/backups", (int)(slash - db_path), db_path) < 0)
		return NULL;
	return dir;
}

bool backup_dest_is_remote(const char *dest)
{
	const char *colon = strchr(dest, ':');
	const char *slash = strchr(dest, '/');
	return colon && colon != dest && (!slash || colon < slash);
}

/* Characters a host name, a user name or a remote path may hold: nothing the
 * remote shell (older scp runs one) or scp itself could read otherwise. */
static bool safe_chars(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
			return false;
	return true;
}

int backup_check_remote(const char *dest, struct pd_error *err)
{
	const char *colon = strchr(dest, ':');
	const char *at = memchr(dest, '@', (size_t)(colon - dest));
	const char *host = at ? at + 1 : dest;
	const char *path = colon + 1;
	bool ok = dest[0] != '-' && host < colon && host[0] != '-' &&
		  safe_chars(dest, at ? (size_t)(at - dest) : 0, "._-") && (!at || at > dest) &&
		  safe_chars(host, (size_t)(colon - host), ".-") && path[0] != '-' &&
		  safe_chars(path, strlen(path), "._-/~+");
	if (!ok)
		return pd_error_set(err, PD_ERR_USAGE,
				    "'%s' is not a destination paydesk copies to: write host:path or "
				    "user@host:path, with letters, digits and . _ - / ~ + only (no "
				    "spaces or shell characters)",
				    dest);
	return PD_OK;
}

/* ---- the snapshot ---------------------------------------------------------- */

static int snapshot(sqlite3 *db, const char *to, int *schema, struct pd_error *err)
{
	unlink(to); /* a snapshot left by a killed backup (we hold the lock) */
	sqlite3 *dst = NULL;
	if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		int rc = pd_error_set(err, PD_ERR_IO, "cannot create %s: %s", to,
				      dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return rc;
	}
	/* A scratch file, compressed and fsynced once done: no journal, no syncs
	 * per step (each step commits to it). */
	sqlite3_exec(dst, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF", NULL, NULL, NULL);
	/* One read transaction for the whole copy: its snapshot is what is copied. */
	int rc = db_exec(db, "BEGIN", err);
	sqlite3_stmt *st = NULL;
	if (!rc)
		rc = db_prepare(db, "PRAGMA user_version", &st, err);
	if (!rc && sqlite3_step(st) == SQLITE_ROW)
		*schema = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_backup *b = rc ? NULL : sqlite3_backup_init(dst, "main", db, "main");
	if (!rc && !b)
		rc = pd_error_set(err, PD_ERR_IO, "cannot start the backup: %s",
				  sqlite3_errmsg(dst));
	int step = SQLITE_OK;
	while (b && (step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED)) {
		step = sqlite3_backup_step(b, STEP_PAGES);
		if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
			sqlite3_sleep(20);
	}
	if (b) {
		sqlite3_backup_finish(b);
		if (step != SQLITE_DONE)
			rc = pd_error_set(err, PD_ERR_IO, "the backup stopped: %s",
					  sqlite3_errstr(step));
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (sqlite3_close(dst) != SQLITE_OK && !rc)
		rc = pd_error_set(err, PD_ERR_IO, "cannot finish %s", to);
	return rc;
}

/* ---- names, and keeping the newest N ------------------------------------- */

/* "paydesk-20261206T224400Z.backup" or "…Z-2.backup": the time (UTC) and
 * the number of the same second, for sorting; false for any other name, so
 * pruning never touches a file paydesk did not write. */
static bool parse_name(const char *name, char stamp[17], int *seq)
{
	size_t plen = strlen(NAME_PREFIX), slen = strlen(NAME_SUFFIX), n = strlen(name);
	if (n < plen + 16 + slen || strncmp(name, NAME_PREFIX, plen) != 0 ||
	    strcmp(name + n - slen, NAME_SUFFIX) != 0)
		return false;
	const char *s = name + plen;
	for (int i = 0; i < 16; i++) {
		bool digit = i != 8 && i != 15;
		if (digit ? !isdigit((unsigned char)s[i]) : s[i] != (i == 8 ? 'T' : 'Z'))
			return false;
	}
	memcpy(stamp, s, 16);
	stamp[16] = '\0';
	const char *rest = s + 16, *end = name + n - slen;
	*seq = 1;
	if (rest == end)
		return true;
	if (*rest != '-' || end - rest < 2 || end - rest > 4)
		return false;
	int v = 0;
	for (const char *p = rest + 1; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (*p - '0');
	}
	*seq = v;
	return v >= 2;
}

struct named {
	char stamp[17];
	int seq;
	char *name;
};

static int newest_first(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(y->stamp, x->stamp);
	return c ? c : y->seq - x->seq;
}

/* Remove all but the newest keep backups in dir; returns how many went. */
static int prune(const char *dir, int keep)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct named *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct named it;
		/* A killed backup's temp file (file_replace.c's "NAME.tmp-PID"): no
		 * other backup runs here while we hold the lock. */
		const char *tmp = strstr(e->d_name, NAME_SUFFIX ".tmp-");
		if (tmp && strncmp(e->d_name, NAME_PREFIX, strlen(NAME_PREFIX)) == 0) {
			char stale[4096];
			snprintf(stale, sizeof stale, "%s/%s", dir, e->d_name);
			unlink(stale);
			continue;
		}
		if (!parse_name(e->d_name, it.stamp, &it.seq))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			struct named *grown = realloc(list, cap * sizeof *list);
			if (!grown)
				break;
			list = grown;
		}
		it.name = strdup(e->d_name);
		if (it.name)
			list[n++] = it;
	}
	closedir(d);
	qsort(list, n, sizeof *list, newest_first);
	int removed = 0;
	for (size_t i = 0; i < n; i++) {
		if ((int)i >= keep) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", dir, list[i].name);
			if (unlink(path) == 0) {
				removed++;
				log_msg(LOG_INFO, "backup: removed %s (keeping the newest %d)", path,
					keep);
			}
		}
		free(list[i].name);
	}
	free(list);
	return removed;
}

/* The next name for a backup made at stamp: after every one of that second
 * still in dir (never a name an older backup had, or pruning would take the
 * newest for the oldest). */
static void next_name(const char *dir, const char *stamp, char *out, size_t len)
{
	int top = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char s[17];
		int seq;
		if (parse_name(e->d_name, s, &seq) && strcmp(s, stamp) == 0 && seq > top)
			top = seq;
	}
	if (d)
		closedir(d);
	if (top == 0)
		snprintf(out, len, NAME_PREFIX "%s" NAME_SUFFIX, stamp);
	else
		snprintf(out, len, NAME_PREFIX "%s-%d" NAME_SUFFIX, stamp, top + 1);
}

/* ---- writing -------------------------------------------------------------- */

struct fill_ctx {
	FILE *snap;
	struct backup_header *h;
};

static int fill(FILE *out, void *vctx, struct pd_error *err)
{
	struct fill_ctx *c = vctx;
	return backup_file_write(out, c->snap, c->h, err);
}

/* Run the admin's own scp, without a shell: options first, "--", then the
 * two operands, so neither can be read as an option. */
static int copy_remote(const char *local, const char *dest, const char *name, char *where,
		       size_t wlen, struct pd_error *err)
{
	size_t len = strlen(dest);
	const char *colon = strchr(dest, ':');
	bool dir_only = colon[1] == '\0' || dest[len - 1] == '/';
	int w = snprintf(where, wlen, "%s%s%s", dest, dir_only ? "" : "/", name);
	if (w < 0 || (size_t)w >= wlen)
		return pd_error_set(err, PD_ERR_USAGE, "the destination %s is too long", dest);
	char *argv[] = {"scp", "-q", "-p", "-o", "BatchMode=yes", "--", (char *)local, where,
			NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "scp", NULL, NULL, argv, environ);
	if (rc != 0)
		return pd_error_set(err, PD_ERR_IO, "cannot run scp: %s (is OpenSSH's scp installed?)",
				    strerror(rc));
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return pd_error_set(err, PD_ERR_IO,
				    "scp could not copy the backup to %s (exit %d); the backup is kept "
				    "in %s: check that `ssh` to that host works without a password",
				    where, WIFEXITED(status) ? WEXITSTATUS(status) : -1, local);
	return PD_OK;
}

static int take_lock(const char *dir, int *fd, struct pd_error *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, LOCK_NAME);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0)
		return pd_error_set(err, PD_ERR_IO, "cannot write in %s: %s", dir, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		close(*fd);
		*fd = -1;
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "another paydesk backup is writing to %s: wait for it to finish",
				    dir);
	}
	return PD_OK;
}

int backup_make(sqlite3 *db, const char *db_path, const char *dest, int keep,
		struct backup_result *res, struct pd_error *err)
{
	memset(res, 0, sizeof *res);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool remote = dest && backup_dest_is_remote(dest);
	int rc = remote ? backup_check_remote(dest, err) : PD_OK;
	if (rc)
		return rc;
	char *dir = dest && !remote ? strdup(dest) : backup_default_dir(db_path);
	if (!dir)
		return pd_error_set(err, PD_ERR, "out of memory");
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dir[--dl] = '\0';
	int lock = -1;
	rc = paths_mkdir_p(dir, 0700, err);
	if (!rc)
		rc = take_lock(dir, &lock, err);
	char snap[4096], name[64];
	snprintf(snap, sizeof snap, "%s/%s", dir, SNAPSHOT_NAME);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	next_name(dir, stamp, name, sizeof name);
	struct backup_header h = {.created_at = (int64_t)now};
	if (!rc)
		rc = snapshot(db, snap, &h.schema, err);
	if (!rc) {
		snprintf(res->path, sizeof res->path, "%s/%s", dir, name);
		FILE *in = fopen(snap, "rb");
		struct fill_ctx c = {in, &h};
		rc = in ? file_write_new(res->path, fill, &c, err)
			: pd_error_set(err, PD_ERR_IO, "cannot read %s: %s", snap, strerror(errno));
		if (in)
			fclose(in);
	}
	unlink(snap);
	/* Checked as written: read back whole, checksum and gzip. */
	struct backup_header back;
	if (!rc && (rc = backup_file_read(res->path, NULL, &back, err)) != PD_OK)
		unlink(res->path);
	if (!rc) {
		res->db_bytes = h.db_bytes;
		res->file_bytes = h.payload_bytes + BACKUP_HEADER_BYTES;
		const char *base = strrchr(res->path, '/');
		if (remote)
			rc = copy_remote(res->path, dest, base ? base + 1 : res->path, res->remote,
					 sizeof res->remote, err);
	}
	if (!rc) {
		res->pruned = prune(dir, keep);
		char when[32];
		snprintf(when, sizeof when, "%lld", (long long)now);
		struct pd_error serr;
		if (settings_set(db, BACKUP_SETTING_LAST, when, &serr) != PD_OK)
			log_msg(LOG_WARN, "backup made, but its time was not recorded: %s", serr.msg);
		log_msg(LOG_INFO, "backup %s written (%lld bytes)%s%s", res->path,
			(long long)res->file_bytes, remote ? ", copied to " : "", res->remote);
	}
	if (lock >= 0)
		close(lock);
	free(dir);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

int64_t backup_last_at(sqlite3 *db)
{
	char *v = NULL;
	struct pd_error err;
	int64_t at = 0;
	if (settings_get(db, BACKUP_SETTING_LAST, &v, &err) == PD_OK && v)
		at = strtoll(v, NULL, 10);
	free(v);
	return at > 0 ? at : 0;
}

bool backup_describe_last(int64_t last_at, int64_t now, char *out, size_t len)
{
	if (!last_at) {
		snprintf(out, len, "never made: run paydesk backup (README \"Backups\")");
		return true;
	}
	char when[32];
	time_t t = (time_t)last_at;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	int64_t age = now - last_at;
	bool stale = age > BACKUP_STALE_SECONDS;
	if (age < 3600)
		snprintf(out, len, "last made %s (%lld min ago)", when,
			 (long long)(age > 0 ? age / 60 : 0));
	else if (age < 2 * 86400)
		snprintf(out, len, "last made %s (%lld h ago)%s", when, (long long)(age / 3600),
			 stale ? ": older than a day, run paydesk backup" : "");
	else
		snprintf(out, len, "last made %s (%lld days ago): run paydesk backup", when,
			 (long long)(age / 86400));
	return stale;
}
