#include "paydesk/textfold.h"

#include <stdlib.h>
#include <string.h>

/* U+00C0–U+017F as the letters a person types on an ASCII keyboard, lower
 * case; "?" keeps the character (× and ÷). Letters that fold to two
 * (æ, ß, œ, ĳ, þ) are in two_letters. */
static const char latin[] = "aaaaaa?ceeeeiiii" /* C0 */
			    "dnooooo?ouuuuy?s" /* D0 */
			    "aaaaaa?ceeeeiiii" /* E0 */
			    "dnooooo?ouuuuy?y" /* F0 */
			    "aaaaaaccccccccdd" /* 100 */
			    "ddeeeeeeeeeegggg" /* 110 */
			    "gggghhhhiiiiiiii" /* 120 */
			    "ii??jjkkklllllll" /* 130 */
			    "lllnnnnnnnnnoooo" /* 140 */
			    "oo??rrrrrrssssss" /* 150 */
			    "ssttttttuuuuuuuu" /* 160 */
			    "uuuuwwyyyzzzzzzs";/* 170 */

static const char *two_letters(unsigned cp)
{
	switch (cp) {
	case 0xC6: case 0xE6: return "ae";
	case 0xDE: case 0xFE: return "th";
	case 0xDF: return "ss";
	case 0x132: case 0x133: return "ij";
	case 0x152: case 0x153: return "oe";
	default: return NULL;
	}
}

/* The code point at s (UTF-8) and its length; a stray byte is itself. */
static unsigned decode(const unsigned char *s, size_t *len)
{
	if (s[0] >= 0xC2 && s[0] <= 0xDF && (s[1] & 0xC0) == 0x80) {
		*len = 2;
		return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
	}
	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	/* longer sequences are kept byte by byte: nothing there is folded */
	return 0xFFFFFFFFu;
}

size_t text_fold(const char *utf8, char *out, size_t size)
{
	size_t n = 0;
	const unsigned char *s = (const unsigned char *)(utf8 ? utf8 : "");
	char buf[3];
	while (*s) {
		size_t len;
		unsigned cp = decode(s, &len);
		const char *put = NULL;
		size_t put_len = 0;
		if (cp < 0x80) {
			buf[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
			put = buf, put_len = 1;
		} else if ((put = two_letters(cp))) {
			put_len = 2;
		} else if (cp >= 0xC0 && cp <= 0x17F && latin[cp - 0xC0] != '?') {
			buf[0] = latin[cp - 0xC0];
			put = buf, put_len = 1;
		} else {
			put = (const char *)s, put_len = len;
		}
		for (size_t i = 0; i < put_len; i++, n++)
			if (n + 1 < size)
				out[n] = put[i];
		s += len;
	}
	if (size)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

/* Folded copy on the heap (NULL when out of memory). */
static char *folded(const char *text)
{
	size_t n = text_fold(text, NULL, 0) + 1;
	char *f = malloc(n);
	if (f)
		text_fold(text, f, n);
	return f;
}

bool text_fold_contains(const char *haystack, const char *needle)
{
	char *h = folded(haystack), *nd = folded(needle);
	bool found = h && nd && strstr(h, nd) != NULL;
	free(h);
	free(nd);
	return found;
}
