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
	int rows = h - 2;
	if (ui->help_scroll > n - rows)
		ui->help_scroll = n - rows > 0 ? n - rows : 0;
	for (int i = 0; i < rows && i + ui->help_scroll < n; i++) {
		struct help_line *l = &lines[i + ui->help_scroll];
		int y = r.y + 1 + i;
		if (l->heading) {
			ui_put(y, r.x + 2, w - 4, ROLE_TITLE, l->keys, false);
			continue;
		}
		ui_put(y, r.x + 2, 18, ROLE_HELP_KEY, l->keys, false);
		ui_put(y, r.x + 21, w - 23, ROLE_DIALOG, l->text, false);
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
	}
	return UI_HANDLED;
}
