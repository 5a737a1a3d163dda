/* The modal confirm dialog. Money actions show the amount and currency and
 * need the explicit key: a stray Enter must never move money. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/money.h"
#include "widgets.h"

struct ui_dialog {
	struct ui_dialog_spec spec;
	char *title, *body, *label;
	char amount[64];
};

void ui_dialog_close(struct ui *ui)
{
	struct ui_dialog *d = ui->dialog;
	if (!d)
		return;
	if (d->spec.free_ctx)
		d->spec.free_ctx(d->spec.ctx);
	free(d->title);
	free(d->body);
	free(d->label);
	free(d);
	ui->dialog = NULL;
}

void ui_dialog_open(struct ui *ui, const struct ui_dialog_spec *spec)
{
	ui_dialog_close(ui);
	struct ui_dialog *d = calloc(1, sizeof *d);
	if (!d)
		return;
	d->spec = *spec;
	d->title = strdup(spec->title ? spec->title : "Confirm");
	d->body = strdup(spec->body ? spec->body : "");
	d->label = strdup(spec->confirm_label ? spec->confirm_label : "Yes");
	if (spec->money)
		money_format(spec->amount, spec->currency, d->amount, sizeof d->amount);
	ui->dialog = d;
}

enum ui_result ui_dialog_key(struct ui *ui, int key)
{
	struct ui_dialog *d = ui->dialog;
	if (!d)
		return UI_UNHANDLED;
	bool confirm = key == 'y' || key == 'Y' || (!d->spec.money && key == UI_KEY_ENTER);
	if (confirm) {
		void (*cb)(struct ui *, void *) = d->spec.on_confirm;
		void *ctx = d->spec.ctx;
		d->spec.free_ctx = NULL; /* the callback now owns ctx */
		ui_dialog_close(ui);
		if (cb)
			cb(ui, ctx);
	} else if (key == 'n' || key == 'N' || key == UI_KEY_ESC) {
		void (*cb)(struct ui *, void *) = d->spec.on_cancel;
		void *ctx = d->spec.ctx;
		if (cb) /* the callback runs before ctx is freed */
			cb(ui, ctx);
		if (ui->dialog == d)
			ui_dialog_close(ui);
	}
	return UI_HANDLED; /* modal: every key stops here */
}

/* Draw body's lines wrapped at width from row y, at most max rows (the
 * last one says "…" when more would not fit); returns the rows it needs
 * (draw false: only count them). */
static int body_rows(const char *body, int y, int x, int width, int max, bool draw)
{
	int rows = 0;
	for (const char *line = body; line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *one = strndup(line, len);
		const char *t = one ? one : "";
		do {
			size_t n = ui_wrap(t, width);
			if (draw && rows < max) {
				char *part = strndup(t, n);
				bool last = rows == max - 1 && (t[n] || nl);
				ui_put(y + rows, x, width, ROLE_DIALOG, last ? "\u2026" : part ? part : "",
				       false);
				free(part);
			}
			rows++;
			t += n;
			while (*t == ' ')
				t++;
		} while (*t);
		free(one);
		line = nl ? nl + 1 : NULL;
	}
	return rows;
}

void ui_dialog_draw(struct ui *ui)
{
	struct ui_dialog *d = ui->dialog;
	if (!d)
		return;
	int w = COLS - 8 < 64 ? COLS - 8 : 64;
	int extra = d->spec.money ? 7 : 5;
	/* A long message (a decline, a name) wraps inside the box, never cut. */
	int lines = body_rows(d->body, 0, 0, w - 4, 0, false);
	if (lines > LINES - 2 - extra)
		lines = LINES - 2 - extra > 1 ? LINES - 2 - extra : 1;
	int h = lines + extra;
	struct ui_rect r = {(LINES - h) / 2, (COLS - w) / 2, h, w};
	ui_box(r, ROLE_DIALOG, d->title);
	int y = r.y + 2;
	body_rows(d->body, y, r.x + 2, w - 4, lines, true);
	y += lines;
	if (d->spec.money) {
		y++;
		ui_put(y++, r.x + 2, w - 4, ROLE_TITLE, d->amount, false);
	}
	char keys[160];
	snprintf(keys, sizeof keys, d->spec.money ? "y: %s    n / Esc: cancel"
						  : "y / Enter: %s    n / Esc: cancel",
		 d->label);
	ui_put(r.y + h - 2, r.x + 2, w - 4, ROLE_HELP_KEY, keys, false);
}
