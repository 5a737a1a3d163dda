/* Small helpers shared by the cmocka unit tests (header-only on purpose:
 * each test program is one .c file linked against libpaydesk.a). */
#ifndef PAYDESK_TESTUTIL_H
#define PAYDESK_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh private directory under $TMPDIR; the caller frees the string. */
static inline char *tu_tempdir(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = NULL;
	if (asprintf(&tmpl, "%s/paydesk-test-XXXXXX", base && *base ? base : "/tmp") < 0)
		return NULL;
	if (!mkdtemp(tmpl)) {
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

static inline char *tu_path(const char *dir, const char *leaf)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, leaf) < 0)
		return NULL;
	return p;
}

/* Whole file into a heap buffer (NULL and *len 0 when it does not exist). */
static inline unsigned char *tu_read_file(const char *path, size_t *len)
{
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static inline void tu_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Whether needle occurs in the file at path. */
static inline int tu_file_contains(const char *path, const void *needle, size_t nlen)
{
	size_t len;
	unsigned char *buf = tu_read_file(path, &len);
	int found = buf && memmem(buf, len, needle, nlen) != NULL;
	free(buf);
	return found;
}

static inline void tu_rm_rf(const char *dir)
{
	char *cmd = NULL;
	if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0 && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
}

#endif
