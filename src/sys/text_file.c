#include "paydesk/text_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "1 MiB", "64 KiB" or "100 bytes", for the message. */
static void size_words(size_t n, char *out, size_t len)
{
	if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(out, len, "%zu MiB", n >> 20);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(out, len, "%zu KiB", n >> 10);
	else
		snprintf(out, len, "%zu bytes", n);
}

int text_file_read(const char *path, const char *what, size_t max, char **text,
		   struct pd_error *err)
{
	*text = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return pd_error_set(err, errno == ENOENT ? PD_ERR_NOT_FOUND : PD_ERR_IO,
				    "cannot read %s %s: %s", what, path, strerror(errno));
	/* One byte past the limit tells a file of exactly max bytes from a
	 * bigger one (or an endless one such as /dev/zero). */
	char *buf = malloc(max + 2);
	if (!buf) {
		fclose(f);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	size_t len = 0, got;
	while (len <= max && (got = fread(buf + len, 1, max + 1 - len, f)) > 0)
		len += got;
	int rc = PD_OK;
	char limit[32];
	size_words(max, limit, sizeof limit);
	if (ferror(f))
		rc = pd_error_set(err, PD_ERR_IO, "cannot read %s %s: %s", what, path,
				  strerror(errno));
	else if (len > max)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "%s %s is larger than %s: is it the right file? A %s file is "
				  "a few lines of text",
				  what, path, limit, what);
	else if (memchr(buf, '\0', len))
		rc = pd_error_set(err, PD_ERR_USAGE, "%s %s contains a NUL byte: not a text file",
				  what, path);
	fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*text = buf;
	return PD_OK;
}
