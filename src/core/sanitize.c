#include "paydesk/sanitize.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char REPLACEMENT[] = "\xef\xbf\xbd"; /* U+FFFD */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid.
 * Rejects overlongs, surrogates and code points above U+10FFFF. */
static size_t utf8_valid_len(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t n;
	uint32_t c, min;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Skip an escape sequence starting at ESC; returns bytes to skip. */
static size_t escape_len(const unsigned char *s)
{
	size_t i = 1;
	if (s[i] == '[') { /* CSI: parameters, then one final byte 0x40-0x7e */
		for (i++; s[i]; i++)
			if (s[i] >= 0x40 && s[i] <= 0x7e)
				return i + 1;
		return i;
	}
	if (s[i] == ']' || s[i] == 'P' || s[i] == '_' || s[i] == '^') { /* OSC/DCS/APC/PM */
		for (i++; s[i]; i++) {
			if (s[i] == 0x07)
				return i + 1;
			if (s[i] == 0x1b && s[i + 1] == '\\')
				return i + 2;
		}
		return i;
	}
	return s[i] ? i + 1 : i; /* two-byte escape such as ESC c (reset) */
}

size_t sanitize_text(const char *in, char *out, size_t outlen)
{
	if (!outlen)
		return 0;
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t w = 0;
	while (*s) {
		const char *emit;
		size_t elen, skip;
		char one;
		uint32_t cp = 0;
		size_t n = utf8_valid_len(s, &cp);
		if (*s == 0x1b) {
			s += escape_len(s);
			continue;
		}
		if (n == 0) {
			emit = REPLACEMENT;
			elen = 3;
			skip = 1;
		} else if (cp == '\t' || cp == '\n' || cp == '\r') {
			one = ' ';
			emit = &one;
			elen = 1;
			skip = n;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			one = '?';
			emit = &one;
			elen = 1;
			skip = n;
		} else {
			emit = (const char *)s;
			elen = n;
			skip = n;
		}
		if (w + elen >= outlen)
			break;
		memcpy(out + w, emit, elen);
		w += elen;
		s += skip;
	}
	out[w] = '\0';
	return w;
}

char *sanitize_dup(const char *in)
{
	size_t cap = (in ? strlen(in) : 0) * 3 + 1; /* worst case: every byte becomes U+FFFD */
	char *out = malloc(cap);
	if (out)
		sanitize_text(in, out, cap);
	return out;
}
