#include "paydesk/file_replace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failed(const char *path, struct pd_error *err)
{
	return pd_error_set(err, PD_ERR_IO, "cannot write %s: %s", path, strerror(errno));
}

/* Put the finished temp file at path: over an old file when replace, else
 * only where nothing is (atomically: another program creating the name in
 * between is not overwritten either). */
static int install(const char *tmp, const char *path, bool replace, struct pd_error *err)
{
	if (replace)
		return rename(tmp, path) == 0 ? PD_OK : failed(path, err);
	int r = renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
	if (r != 0 && (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP)) {
		/* a file system without it: a hard link refuses an existing name too */
		r = link(tmp, path);
		if (r == 0)
			unlink(tmp);
	}
	if (r == 0)
		return PD_OK;
	if (errno == EEXIST)
		return pd_error_set(err, PD_ERR_EXISTS,
				    "%s already exists: type another name (an export never "
				    "replaces a file)",
				    path);
	return failed(path, err);
}

static int write_file(const char *path, file_fill_fn fill, void *ctx, bool replace,
		      struct pd_error *err)
{
	if (!path || !*path)
		return pd_error_set(err, PD_ERR_USAGE, "type a file name to export to");
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp-%ld", path, (long)getpid()) < 0)
		return pd_error_set(err, PD_ERR, "out of memory");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		int rc = failed(path, err);
		if (fd >= 0)
			close(fd);
		free(tmp);
		return rc;
	}
	int rc = fill(out, ctx, err);
	/* stdio's buffer first: fsync covers only what reached the file */
	if (fflush(out) != 0 && !rc)
		rc = failed(path, err);
	if (fsync(fileno(out)) != 0 && !rc)
		rc = failed(path, err);
	if (fclose(out) != 0 && !rc)
		rc = failed(path, err);
	if (!rc)
		rc = install(tmp, path, replace, err);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int file_replace(const char *path, file_fill_fn fill, void *ctx, struct pd_error *err)
{
	return write_file(path, fill, ctx, true, err);
}

int file_write_new(const char *path, file_fill_fn fill, void *ctx, struct pd_error *err)
{
	return write_file(path, fill, ctx, false, err);
}

char *file_free_name(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0 && errno == ENOENT)
		return strdup(path);
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');
	size_t stem = dot && dot != (slash ? slash + 1 : path) ? (size_t)(dot - path) : strlen(path);
	for (int i = 2; i < 1000; i++) {
		char *name = NULL;
		if (asprintf(&name, "%.*s-%d%s", (int)stem, path, i, path + stem) < 0)
			return NULL;
		if (lstat(name, &st) != 0 && errno == ENOENT)
			return name;
		free(name);
	}
	return strdup(path); /* 999 exports of one name: writing it will say it exists */
}
