/* Drawing text safely: sanitised, width-aware (wide characters take two
 * columns), clipped to the space given. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "charset.h"
#include "paydesk/sanitize.h"
#include "ui.h"

/* The UI thread's current style table, set by the shell (see shell.c). */
extern const struct ui *ui_current;

int ui_text_width(const char *s)
{
	mbstate_t ps = {0};
	int cols = 0;
	size_t left = strlen(s);
	while (left) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, left, &ps);
		if (n == (size_t)-1 || n == (size_t)-2) {
			cols++;
			s++;
			left--;
			memset(&ps, 0, sizeof ps);
			continue;
		}
		if (n == 0)
			break;
		char ascii[16];
		int w = ui_charset_ascii() ? (int)ui_ascii_fold(wc, ascii, sizeof ascii) : wcwidth(wc);
		cols += w > 0 ? w : 0;
		s += n;
		left -= n;
	}
	return cols;
}

size_t ui_wrap(const char *s, int width)
{
	mbstate_t ps = {0};
	size_t at = 0, last_space = 0, left = strlen(s);
	int cols = 0;
	while (at < left) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + at, left - at, &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			n = 1; /* an invalid byte: one column, as ui_put shows it */
			wc = L'?';
			memset(&ps, 0, sizeof ps);
		}
		char ascii[16];
		int w = ui_charset_ascii() ? (int)ui_ascii_fold(wc, ascii, sizeof ascii) : wcwidth(wc);
		if (w < 0)
			w = 1;
		if (cols + w > width && at > 0)
			return last_space ? last_space : at;
		cols += w;
		at += n;
		if (wc == L' ')
			last_space = at;
	}
	return at;
}

int ui_put(int y, int x, int width, enum theme_role role, const char *text, bool pad)
{
	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + width > COLS)
		width = COLS - x;
	char stack[512];
	size_t need = (text ? strlen(text) : 0) * 3 + 1;
	char *clean = need <= sizeof stack ? stack : malloc(need);
	if (!clean)
		return 0;
	sanitize_text(text, clean, need <= sizeof stack ? sizeof stack : need);

	attr_t attr = ui_current ? (attr_t)ui_role_attr(ui_current, role) : A_NORMAL;
	attrset(attr);
	move(y, x);
	mbstate_t ps = {0};
	const char *s = clean;
	size_t left = strlen(clean);
	int cols = 0;
	while (left) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, left, &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			break;
		char ascii[16]; /* what an ASCII-only terminal shows for wc */
		bool as_ascii = ui_charset_ascii();
		int w = as_ascii ? (int)ui_ascii_fold(wc, ascii, sizeof ascii) : wcwidth(wc);
		if (w < 0)
			w = 1, wc = L'?';
		/* Text that goes on past the width shows its cut with a mark: the
		 * character that would reach the last column (or past it: a wide
		 * one, or one folded to several) gives way to it. */
		if (cols + w > width || (cols + w == width && left > n)) {
			if (cols < width) {
				if (as_ascii)
					addch('~');
				else
					addnwstr(L"\u2026", 1);
				cols += 1;
			}
			s += left;
			left = 0;
			break;
		}
		if (as_ascii)
			addnstr(ascii, w);
		else
			addnwstr(&wc, 1);
		cols += w;
		s += n;
		left -= n;
	}
	if (pad)
		for (; cols < width; cols++)
			addch(' ');
	attrset(A_NORMAL);
	if (clean != stack)
		free(clean);
	return cols;
}

int ui_putf(int y, int x, int width, enum theme_role role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_put(y, x, width, role, buf, false);
}

void ui_fill(struct ui_rect r, enum theme_role role)
{
	attr_t attr = ui_current ? (attr_t)ui_role_attr(ui_current, role) : A_NORMAL;
	attrset(attr);
	for (int i = 0; i < r.h; i++) {
		if (r.y + i >= LINES)
			break;
		mvhline(r.y + i, r.x, ' ', r.w);
	}
	attrset(A_NORMAL);
}

void ui_box(struct ui_rect r, enum theme_role role, const char *title)
{
	attr_t attr = ui_current ? (attr_t)ui_role_attr(ui_current, role) : A_NORMAL;
	ui_fill(r, role);
	attrset(attr);
	mvhline(r.y, r.x + 1, ACS_HLINE, r.w - 2);
	mvhline(r.y + r.h - 1, r.x + 1, ACS_HLINE, r.w - 2);
	mvvline(r.y + 1, r.x, ACS_VLINE, r.h - 2);
	mvvline(r.y + 1, r.x + r.w - 1, ACS_VLINE, r.h - 2);
	mvaddch(r.y, r.x, ACS_ULCORNER);
	mvaddch(r.y, r.x + r.w - 1, ACS_URCORNER);
	mvaddch(r.y + r.h - 1, r.x, ACS_LLCORNER);
	mvaddch(r.y + r.h - 1, r.x + r.w - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
	if (title && *title) {
		char t[256];
		snprintf(t, sizeof t, " %s ", title);
		ui_put(r.y, r.x + 2, r.w - 4, ROLE_TITLE, t, false);
	}
}
