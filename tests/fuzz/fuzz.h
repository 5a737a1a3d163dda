/* Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c) and by the replay
 * test (tests/unit/test_fuzz_regressions.c), which includes every target
 * with LLVMFuzzerTestOneInput renamed, so one entry point serves both.
 *
 * A target checks properties with FUZZ_CHECK: a failure prints the
 * condition and aborts, which libFuzzer reports as a crash (and saves the
 * input) and the replay test reports as a failed test. */
#ifndef PAYDESK_FUZZ_H
#define PAYDESK_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                    \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* data[0..size) as a NUL-terminated heap string (embedded NULs cut it). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Strict UTF-8: no overlongs, surrogates or code points above U+10FFFF. */
static inline bool fuzz_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		size_t n;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 3, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (len - i < n)
			return false;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n;
	}
	return true;
}

/* Whether UTF-8 text (already valid) holds a C0/C1 control, DEL or ESC. */
static inline bool fuzz_has_control(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return true;
		/* C1: U+0080..U+009F is encoded C2 80..C2 9F */
		if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
			return true;
	}
	return false;
}

/* A cursor over the fuzz input for targets that need structured choices. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_byte(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = (v << 8) | fuzz_byte(in);
	return v;
}

/* The next chunk up to a 0xff separator byte (or the end), as a heap string. */
static inline char *fuzz_chunk(struct fuzz_in *in)
{
	size_t k = 0;
	while (k < in->n && in->p[k] != 0xff)
		k++;
	char *s = fuzz_cstr(in->p, k);
	in->p += k;
	in->n -= k;
	if (in->n) { /* the separator */
		in->p++;
		in->n--;
	}
	return s;
}

#endif
