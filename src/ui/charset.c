#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

static bool ascii_only;
static iconv_t translit = (iconv_t)-1;

bool ui_charset_ascii(void)
{
	return ascii_only;
}

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

/* A UTF-8 LC_CTYPE for decoding (the rest of the locale stays the user's). */
static bool use_utf8_ctype(void)
{
	static const char *const names[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8", "en_GB.UTF-8"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (setlocale(LC_CTYPE, names[i]) && locale_is_utf8())
			return true;
	return false;
}

/* Write "é" at the start of the line and ask for the cursor position: a
 * UTF-8 terminal leaves it in column 2, another in column 3. No answer
 * within 300 ms (a terminal that does not report) reads as "not UTF-8". */
static bool terminal_takes_utf8(void)
{
	struct termios saved, raw;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return false;
	raw = saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw))
		return false;
	static const char probe[] = "\r\xc3\xa9\033[6n";
	bool utf8 = false;
	if (write(STDOUT_FILENO, probe, sizeof probe - 1) == (ssize_t)(sizeof probe - 1)) {
		char reply[32];
		size_t got = 0;
		struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
		while (got < sizeof reply - 1 && poll(&pfd, 1, 300) > 0) {
			ssize_t n = read(STDIN_FILENO, reply + got, 1);
			if (n <= 0)
				break;
			if (reply[got++] == 'R')
				break;
		}
		reply[got] = '\0';
		const char *esc = strstr(reply, "\033[");
		int row = 0, col = 0;
		if (esc && sscanf(esc, "\033[%d;%dR", &row, &col) == 2)
			utf8 = col == 2;
	}
	static const char wipe[] = "\r   \r";
	if (write(STDOUT_FILENO, wipe, sizeof wipe - 1) < 0) {
		/* nothing to do: the screen is redrawn by curses next */
	}
	tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return utf8;
}

const char *ui_charset_setup(void)
{
	ascii_only = false;
	if (locale_is_utf8())
		return "UTF-8 locale";
	if (!use_utf8_ctype()) {
		ascii_only = true;
		return "no UTF-8 locale is installed: drawing ASCII";
	}
	const char *forced = getenv("PAYDESK_CHARSET");
	if (forced && strcasecmp(forced, "ascii") == 0)
		ascii_only = true;
	else if (!(forced && (strcasecmp(forced, "utf-8") == 0 || strcasecmp(forced, "utf8") == 0)))
		ascii_only = !terminal_takes_utf8();
	if (ascii_only) {
		/* Line drawing through the terminal's own alternate set, not UTF-8. */
		setenv("NCURSES_NO_UTF8_ACS", "1", 1);
		translit = iconv_open("ASCII//TRANSLIT", "WCHAR_T");
		return "non-UTF-8 locale and terminal: drawing ASCII";
	}
	return "non-UTF-8 locale, UTF-8 terminal: drawing UTF-8";
}

size_t ui_ascii_fold(wchar_t wc, char *out, size_t size)
{
	if (size < 2)
		return 0;
	if (wc >= 0 && wc < 0x80) {
		out[0] = (char)wc;
		out[1] = '\0';
		return 1;
	}
	/* What glibc's transliteration leaves as "?" among paydesk's own glyphs
	 * (the reviewed mark as "?" read as "unknown"). */
	const char *own = wc == L'\u2191'   ? "^"
			  : wc == L'\u2193' ? "v"
			  : wc == L'\u2016' ? "|"
			  : wc == L'\u2713' ? "+"
					    : NULL;
	if (own) {
		snprintf(out, size, "%s", own);
		return strlen(out);
	}
	if (translit != (iconv_t)-1) {
		char *in = (char *)&wc, *o = out;
		size_t inleft = sizeof wc, outleft = size - 1;
		iconv(translit, NULL, NULL, NULL, NULL);
		if (iconv(translit, &in, &inleft, &o, &outleft) != (size_t)-1 && o > out) {
			*o = '\0';
			return (size_t)(o - out);
		}
	}
	out[0] = '?';
	out[1] = '\0';
	return 1;
}
