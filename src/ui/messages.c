/* The M overlay: the messages of this session, newest first, each whole.
 * The status line shows one message, cut to the room it has at 80 columns;
 * a decline reason or a long error must still be readable somewhere. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "widgets.h"

void ui_messages_add(struct ui *ui, enum ui_notice_kind kind, const char *text)
{
	struct ui_message *m = &ui->messages[ui->messages_next];
	m->at = time(NULL);
	m->kind = kind;
	snprintf(m->text, sizeof m->text, "%s", text);
	ui->messages_next = (ui->messages_next + 1) % UI_MESSAGES_KEPT;
	if (ui->messages_count < UI_MESSAGES_KEPT)
		ui->messages_count++;
}

void ui_messages_clear(struct ui *ui)
{
	memset(ui->messages, 0, sizeof ui->messages);
	ui->messages_count = ui->messages_next = 0;
	ui->messages_open = false;
	ui->messages_scroll = 0;
}

/* The i-th newest message (0: the last one said). */
static const struct ui_message *nth_newest(const struct ui *ui, int i)
{
	int at = (ui->messages_next - 1 - i + 2 * UI_MESSAGES_KEPT) % UI_MESSAGES_KEPT;
	return &ui->messages[at];
}

/* Lines message m takes at text_w columns. */
static int lines_of(const struct ui_message *m, int text_w)
{
	int lines = 1;
	const char *t = m->text;
	for (t += ui_wrap(t, text_w); *t; t += ui_wrap(t, text_w), lines++)
		while (*t == ' ')
			t++;
	return lines;
}

void ui_messages_draw(struct ui *ui)
{
	int w = COLS - 6 < 76 ? COLS - 6 : 76;
	int h = LINES - 4;
	struct ui_rect r = {2, (COLS - w) / 2, h, w};
	ui_box(r, ROLE_DIALOG, "Messages, newest first — M or Esc to close, j/k to scroll");
	int rows = h - 2, text_w = w - 14, y = r.y + 1, total = 0;
	for (int i = 0; i < ui->messages_count; i++)
		total += lines_of(nth_newest(ui, i), text_w);
	if (ui->messages_scroll > total - rows)
		ui->messages_scroll = total - rows > 0 ? total - rows : 0;
	int skip = ui->messages_scroll;
	if (ui->messages_count == 0)
		ui_put(y, r.x + 2, w - 4, ROLE_DIM, "Nothing has been said yet.", false);
	for (int i = 0; i < ui->messages_count && y < r.y + 1 + rows; i++) {
		const struct ui_message *m = nth_newest(ui, i);
		enum theme_role role = m->kind == UI_NOTICE_ERROR ? ROLE_ERROR : ROLE_DIALOG;
		struct tm tm;
		char when[16];
		localtime_r(&m->at, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		const char *t = m->text;
		bool first = true;
		while ((*t || first) && y < r.y + 1 + rows) {
			size_t n = ui_wrap(t, text_w);
			if (skip > 0) {
				skip--;
			} else {
				char line[sizeof m->text];
				snprintf(line, sizeof line, "%.*s", (int)n, t);
				if (first)
					ui_put(y, r.x + 2, 10, ROLE_DIM, when, false);
				ui_put(y++, r.x + 12, text_w, role, line, false);
			}
			t += n;
			while (*t == ' ')
				t++;
			first = false;
		}
	}
}

enum ui_result ui_messages_key(struct ui *ui, int key)
{
	if (key == 'M' || key == UI_KEY_ESC || key == 'q') {
		ui->messages_open = false;
		ui->messages_scroll = 0;
	} else if (key == 'j' || key == UI_KEY_FN(KEY_DOWN)) {
		ui->messages_scroll++;
	} else if ((key == 'k' || key == UI_KEY_FN(KEY_UP)) && ui->messages_scroll > 0) {
		ui->messages_scroll--;
	} else if (key == UI_CTRL('c')) {
		return UI_UNHANDLED; /* quit works from here too */
	}
	return UI_HANDLED;
}
