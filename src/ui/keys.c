/* Reading keys (wide characters and function keys) and naming them. */
#include <curses.h>
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

int ui_key_read(void)
{
	wint_t wch;
	int rc = get_wch(&wch);
	if (rc == ERR)
		return UI_KEY_NONE;
	if (rc == KEY_CODE_YES) {
		if (wch == KEY_ENTER)
			return UI_KEY_ENTER;
		return UI_KEY_FN((int)wch);
	}
	if (wch == '\n')
		return UI_KEY_ENTER;
	if (wch == 127 || wch == 8)
		return UI_KEY_FN(KEY_BACKSPACE);
	return (int)wch;
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
