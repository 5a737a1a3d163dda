/* The `?` overlay, generated from the same key tables that dispatch keys,
 * so help never lies. Keys with the same action and text share a line. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "shell.h"
#include "widgets.h"

/* The allowed bindings of m as lines from out[n]; keys with the same
 * text share a line of this section (from out[from]), another line when
 * the names no longer fit: no key is left out. */
static bool shadowed(const struct ui_keymaps *maps, int upto, int key);

static int collect(struct ui_help_line *out, int n, int from, const struct ui *ui,
		   const struct ui_keymaps *maps, int mi)
{
	const struct ui_keymap *m = &maps->map[mi];
	for (size_t i = 0; i < m->nkeys && n < HELP_MAX_LINES; i++) {
		const struct ui_binding *b = &m->keys[i];
		if (!ui_keymap_allows(m, b, ui))
			continue; /* what the role or state cannot do is not offered */
		if (shadowed(maps, mi, b->key))
			continue;
		const char *text = b->help ? b->help : ui_action_help(b->action);
		char name[24];
		ui_key_name(b->key, name, sizeof name);
		int j = n - 1;
		while (j >= from && (out[j].heading || out[j].text != text))
			j--;
		if (j >= from && strlen(out[j].keys) + strlen(name) + 3 < sizeof out[j].keys) {
			strcat(out[j].keys, ", ");
			strcat(out[j].keys, name);
			continue;
		}
		snprintf(out[n].keys, sizeof out[n].keys, "%s", name);
		out[n].text = text;
		out[n].heading = false;
		n++;
	}
	return n;
}

#define KEYS_W 18 /* the keys column; names wrap over rows like the text */

/* Rows that text takes wrapped at width. */
static int wrapped_rows(const char *text, int width)
{
	int rows = 1;
	for (const char *t = text + ui_wrap(text, width); *t; rows++) {
		while (*t == ' ')
			t++;
		t += ui_wrap(t, width);
	}
	return rows;
}

static int help_rows(const struct ui_help_line *l, int text_w)
{
	if (l->heading)
		return 1;
	int k = wrapped_rows(l->keys, KEYS_W), t = wrapped_rows(l->text, text_w);
	return k > t ? k : t;
}

/* Whether an earlier keymap binds key: dispatch stops there, so this
 * binding never runs and is not listed. */
static bool shadowed(const struct ui_keymaps *maps, int upto, int key)
{
	for (int i = 0; i < upto; i++)
		for (size_t j = 0; j < maps->map[i].nkeys; j++)
			if (maps->map[i].keys[j].key == key)
				return true;
	return false;
}

/* The keymaps dispatch walks, in its order, each under its heading. */
int ui_help_lines(struct ui *ui, struct ui_help_line *lines)
{
	memset(lines, 0, HELP_MAX_LINES * sizeof *lines);
	struct ui_keymaps maps;
	ui_keymaps_in_effect(ui, &maps);
	int n = 0, from = 0;
	for (int i = 0; i < maps.n && n < HELP_MAX_LINES - 2; i++) {
		const struct ui_keymap *m = &maps.map[i];
		if (m->title) {
			if (n > 0) { /* a blank line between sections */
				lines[n].text = "";
				lines[n++].heading = true;
			}
			snprintf(lines[n].keys, sizeof lines[n].keys, "%s", m->title);
			lines[n].text = "";
			lines[n++].heading = true;
			from = n;
		}
		n = collect(lines, n, from, ui, &maps, i);
	}
	return n;
}

void ui_help_draw(struct ui *ui)
{
	struct ui_help_line lines[HELP_MAX_LINES];
	int n = ui_help_lines(ui, lines);
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
		struct ui_help_line *l = &lines[i];
		if (l->heading) {
			if (row >= 0)
				ui_put(r.y + 1 + row, r.x + 2, w - 4, ROLE_TITLE, l->keys, false);
			row++;
			continue;
		}
		/* Keys and text side by side, each wrapped whole over the rows. */
		const char *k = l->keys, *t = l->text;
		int last = row + help_rows(l, text_w);
		for (; row < last && row < rows; row++) {
			size_t kl = ui_wrap(k, KEYS_W), tl = ui_wrap(t, text_w);
			if (row >= 0) {
				ui_putf(r.y + 1 + row, r.x + 2, KEYS_W, ROLE_HELP_KEY, "%.*s", (int)kl, k);
				ui_putf(r.y + 1 + row, r.x + 21, text_w, ROLE_DIALOG, "%.*s", (int)tl, t);
			}
			for (k += kl; *k == ' '; k++)
				;
			for (t += tl; *t == ' '; t++)
				;
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
