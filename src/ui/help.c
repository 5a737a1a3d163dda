/* The `?` overlay, generated from the same key tables that dispatch keys,
 * so help never lies. Keys with the same action and text share a line. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "widgets.h"

#define HELP_MAX_LINES 96

struct help_line {
	char keys[48];
	const char *text;
	bool heading;
};

static int collect(struct help_line *out, int n, const struct ui *ui,
		   const struct ui_binding *table, size_t count)
{
	for (size_t i = 0; i < count && n < HELP_MAX_LINES; i++) {
		const struct ui_binding *b = &table[i];
		if (b->allowed && !b->allowed(ui))
			continue; /* what the role or state cannot do is not offered */
		const char *text = b->help ? b->help : ui_action_help(b->action);
		char name[24];
		ui_key_name(b->key, name, sizeof name);
		int j;
		for (j = 0; j < n; j++)
			if (!out[j].heading && out[j].text == text)
				break;
		if (j < n && strlen(out[j].keys) + strlen(name) + 3 < sizeof out[j].keys) {
			strcat(out[j].keys, ", ");
			strcat(out[j].keys, name);
			continue;
		}
		if (j < n)
			continue;
		snprintf(out[n].keys, sizeof out[n].keys, "%s", name);
		out[n].text = text;
		out[n].heading = false;
		n++;
	}
	return n;
}

static int help_rows(const struct help_line *l, int text_w)
{
	int rows = 1;
	if (l->heading)
		return rows;
	for (const char *t = l->text + ui_wrap(l->text, text_w); *t; rows++) {
		while (*t == ' ')
			t++;
		t += ui_wrap(t, text_w);
	}
	return rows;
}

void ui_help_draw(struct ui *ui, const struct ui_binding *global, size_t nglobal)
{
	const struct ui_screen *s = ui_screens[ui->tab];
	struct help_line lines[HELP_MAX_LINES];
	memset(lines, 0, sizeof lines);
	int n = 0;
	snprintf(lines[n].keys, sizeof lines[n].keys, "%s", s->title);
	lines[n].text = "";
	lines[n++].heading = true;
	n = collect(lines, n, ui, s->keys, s->nkeys);
	if (s->list_keys) /* dispatched after the screen's own keys: listed there too */
		n = collect(lines, n, ui, ui_list_bindings, ui_list_nbindings);
	lines[n].keys[0] = '\0';
	lines[n].text = "";
	lines[n++].heading = true;
	snprintf(lines[n].keys, sizeof lines[n].keys, "Everywhere");
	lines[n].text = "";
	lines[n++].heading = true;
	n = collect(lines, n, ui, global, nglobal);

	int w = COLS - 6 < 72 ? COLS - 6 : 72;
	int h = LINES - 4;
	struct ui_rect r = {2, (COLS - w) / 2, h, w};
	ui_box(r, ROLE_DIALOG, "Keys — ? or Esc to close, j/k to scroll");
	/* A text wider than its column goes on over the next rows, whole. */
	int rows = h - 2, text_w = w - 23, total = 0;
	for (int i = 0; i < n; i++)
		total += help_rows(&lines[i], text_w);
	if (ui->help_scroll > total - rows)
		ui->help_scroll = total - rows > 0 ? total - rows : 0;
	int row = -ui->help_scroll;
	for (int i = 0; i < n && row < rows; i++) {
		struct help_line *l = &lines[i];
		if (l->heading) {
			if (row >= 0)
				ui_put(r.y + 1 + row, r.x + 2, w - 4, ROLE_TITLE, l->keys, false);
			row++;
			continue;
		}
		if (row >= 0)
			ui_put(r.y + 1 + row, r.x + 2, 18, ROLE_HELP_KEY, l->keys, false);
		for (const char *t = l->text; (*t || t == l->text) && row < rows; row++) {
			size_t len = ui_wrap(t, text_w);
			if (row >= 0)
				ui_putf(r.y + 1 + row, r.x + 21, text_w, ROLE_DIALOG, "%.*s", (int)len, t);
			t += len;
			while (*t == ' ')
				t++;
		}
	}
}

enum ui_result ui_help_key(struct ui *ui, int key)
{
	if (key == '?' || key == UI_KEY_ESC || key == 'q') {
		ui->help_open = false;
		ui->help_scroll = 0;
	} else if (key == 'j' || key == UI_KEY_FN(KEY_DOWN)) {
		ui->help_scroll++;
	} else if ((key == 'k' || key == UI_KEY_FN(KEY_UP)) && ui->help_scroll > 0) {
		ui->help_scroll--;
	} else if (key == UI_CTRL('c')) {
		return UI_UNHANDLED; /* quit works from here too */
	}
	return UI_HANDLED;
}
