/* What the terminal can show: UTF-8, or ASCII only. paydesk's text is
 * UTF-8 whatever the locale says, so the TUI always decodes it as UTF-8
 * (LC_CTYPE is switched to a UTF-8 locale when the user's is not one, as
 * over SSH with LANG=C), and on a terminal that cannot take UTF-8 every
 * character is drawn as its nearest ASCII ("Łukasz" as "Lukasz"), never
 * cut or blanked. */
#ifndef PAYDESK_UI_CHARSET_H
#define PAYDESK_UI_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

/* Before newterm, on the terminal the TUI will use. Under a UTF-8 locale
 * nothing is asked. Otherwise PAYDESK_CHARSET (utf-8 | ascii) decides, or
 * the terminal is asked where a UTF-8 "é" leaves the cursor (one column:
 * it takes UTF-8). Returns a line for the log. */
const char *ui_charset_setup(void);

/* True when the terminal shows ASCII only. */
bool ui_charset_ascii(void);

/* The ASCII text drawn for wc on an ASCII-only terminal: at most size-1
 * bytes, NUL-terminated, at least one character ("?" when nothing fits). */
size_t ui_ascii_fold(wchar_t wc, char *out, size_t size);

#endif
