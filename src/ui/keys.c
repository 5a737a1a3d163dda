/* Reading keys (wide characters and function keys) and naming them. */
#include <curses.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "ui.h"

static const char *const action_help[] = {
#define X(id, help) help,
	UI_ACTIONS(X)
#undef X
};

const char *ui_action_help(enum ui_action a)
{
	return a < UI_ACT_COUNT ? action_help[a] : "";
}

/* A byte read after a sequence it broke, handed out next. */
static int held = ERR;

static int next_byte(void)
{
	int c = held != ERR ? held : getch();
	held = ERR;
	return c;
}

/* The characters are decoded here from curses' bytes, not by get_wch: on
 * a byte that is not UTF-8 (a Latin-1 terminal's "é") get_wch went on
 * reading to fill a character and dropped what followed in the same burst
 * ("Chloé Lee" typed "Chlo"). Here only the bad byte is lost (EILSEQ) and
 * the byte that showed it starts the next key. */
static int utf8_key(int lead)
{
	int need;
	uint32_t cp;
	if (lead >= 0xc2 && lead <= 0xdf)
		need = 1, cp = (uint32_t)lead & 0x1f;
	else if (lead >= 0xe0 && lead <= 0xef)
		need = 2, cp = (uint32_t)lead & 0x0f;
	else if (lead >= 0xf0 && lead <= 0xf4)
		need = 3, cp = (uint32_t)lead & 0x07;
	else
		goto bad;
	for (int i = 0; i < need; i++) {
		int c = getch();
		if (c == ERR || c < 0x80 || c > 0xbf) {
			held = c;
			goto bad;
		}
		cp = cp << 6 | ((uint32_t)c & 0x3f);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		goto bad;
	return (int)cp;
bad:
	errno = EILSEQ;
	return UI_KEY_NONE;
}

int ui_key_read(void)
{
	int c = next_byte();
	if (c == ERR)
		return UI_KEY_NONE;
	if (c >= KEY_MIN) {
		if (c == KEY_ENTER)
			return UI_KEY_ENTER;
		return UI_KEY_FN(c);
	}
	if (c == '\n')
		return UI_KEY_ENTER;
	if (c == 127 || c == 8)
		return UI_KEY_FN(KEY_BACKSPACE);
	if (c >= 0x80)
		return utf8_key(c);
	return c;
}

const char *ui_key_name(int key, char *buf, size_t len)
{
	static const struct {
		int key;
		const char *name;
	} named[] = {
		{UI_KEY_FN(KEY_UP), "Up"},         {UI_KEY_FN(KEY_DOWN), "Down"},
		{UI_KEY_FN(KEY_LEFT), "Left"},     {UI_KEY_FN(KEY_RIGHT), "Right"},
		{UI_KEY_FN(KEY_NPAGE), "PgDn"},    {UI_KEY_FN(KEY_PPAGE), "PgUp"},
		{UI_KEY_FN(KEY_HOME), "Home"},     {UI_KEY_FN(KEY_END), "End"},
		{UI_KEY_FN(KEY_BTAB), "Shift-Tab"}, {UI_KEY_FN(KEY_DC), "Del"},
		{UI_KEY_FN(KEY_BACKSPACE), "Backspace"},
		{UI_KEY_ENTER, "Enter"},           {UI_KEY_ESC, "Esc"},
		{'\t', "Tab"},                     {' ', "Space"},
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (named[i].key == key) {
			snprintf(buf, len, "%s", named[i].name);
			return buf;
		}
	}
	if (key >= UI_KEY_FN(KEY_F(1)) && key <= UI_KEY_FN(KEY_F(12)))
		snprintf(buf, len, "F%d", key - UI_KEY_FN(KEY_F(0)));
	else if (key > 0 && key < 0x20)
		snprintf(buf, len, "Ctrl-%c", key + '@');
	else if (key >= 0x20 && key < 0x7f)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "key %d", key);
	return buf;
}
