#include "paydesk/secret_mask.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, 3 bytes */

static bool is_token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Length of the secret prefix at s ("sk_test_", "rk_live_", "whsec_"), or 0. */
static size_t secret_prefix_len(const char *s)
{
	static const char *const prefixes[] = {"sk_test_", "sk_live_", "rk_test_", "rk_live_",
					       "whsec_"};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(s, prefixes[i], n) == 0)
			return n;
	}
	return 0;
}

void secret_mask(const char *key, char *out, size_t outlen)
{
	if (!outlen)
		return;
	size_t len = key ? strlen(key) : 0;
	size_t prefix = key ? secret_prefix_len(key) : 0;
	if (!prefix) {
		/* Unknown shape: show the part before the last underscore at most. */
		const char *us = key ? strrchr(key, '_') : NULL;
		prefix = us ? (size_t)(us - key) + 1 : 0;
	}
	/* Fewer than 12 secret characters: showing 4 of them would reveal too much. */
	if (len < prefix + 12) {
		snprintf(out, outlen, "%.*s" ELLIPSIS, (int)prefix, key ? key : "");
		return;
	}
	snprintf(out, outlen, "%.*s" ELLIPSIS "%s", (int)prefix, key, key + len - 4);
}

void secret_redact(char *s)
{
	char *r = s, *w = s;
	while (*r) {
		size_t prefix = (r == s || !is_token_char(r[-1])) ? secret_prefix_len(r) : 0;
		if (!prefix) {
			*w++ = *r++;
			continue;
		}
		size_t n = prefix;
		while (is_token_char(r[n]))
			n++;
		char masked[64];
		char token[256];
		size_t tl = n < sizeof token - 1 ? n : sizeof token - 1;
		memcpy(token, r, tl);
		token[tl] = '\0';
		secret_mask(token, masked, sizeof masked);
		size_t ml = strlen(masked);
		if (ml > n) {
			/* The ellipsis would grow the string: stars over the secret part. */
			memmove(w, r, prefix);
			memset(w + prefix, '*', n - prefix);
			ml = n;
		} else {
			memmove(w, masked, ml);
		}
		w += ml;
		r += n;
	}
	*w = '\0';
}
