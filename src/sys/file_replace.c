#include "paydesk/file_replace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failed(const char *path, struct pd_error *err)
{
	return pd_error_set(err, PD_ERR_IO, "cannot write %s: %s", path, strerror(errno));
}

int file_replace(const char *path, file_fill_fn fill, void *ctx, struct pd_error *err)
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
	if (!rc && rename(tmp, path) != 0)
		rc = failed(path, err);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}
