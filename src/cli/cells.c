/* Display-width table cells for command output (cells.h). */
#include "cells.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Columns of the character at s; *bytes its length. */
static int char_width(const char *s, size_t *bytes)
{
	mbstate_t ps = {0};
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		size_t k = 1;
		while (s[k] && (s[k] & 0xc0) == 0x80)
			k++;
		*bytes = k;
		return 1;
	}
	*bytes = n;
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int cli_text_width(const char *s)
{
	int used = 0;
	for (const char *p = s ? s : ""; *p;) {
		size_t b;
		used += char_width(p, &b);
		p += b;
	}
	return used;
}

void cli_cell(FILE *out, const char *s, int width, bool right, const char *sep)
{
	s = s ? s : "";
	int used = cli_text_width(s);
	size_t keep = strlen(s);
	bool cut = used > width;
	if (cut) { /* as many whole characters as fit before the "…" */
		used = 0;
		keep = 0;
		for (const char *p = s; *p;) {
			size_t b;
			int w = char_width(p, &b);
			if (used + w > width - 1)
				break;
			used += w;
			keep += b;
			p += b;
		}
		used++;
	}
	if (right)
		fprintf(out, "%*s", width - used, "");
	fwrite(s, 1, keep, out);
	if (cut)
		fputs("\u2026", out);
	if (!right)
		fprintf(out, "%*s", width - used, "");
	fputs(sep, out);
}
