/* The modal confirm dialog. Money actions show the amount and currency and
 * need the explicit key: a stray Enter must never move money. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/money.h"
#include "widgets.h"

struct ui_dialog {
	struct ui_dialog_spec spec;
	char *title, *body, *label, *other, *no;
	char amount[64];
	int top, rows, shown; /* first body row shown; rows in all; rows room (last draw) */
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
	free(d->other);
	free(d->no);
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
	d->no = strdup(spec->cancel_label ? spec->cancel_label : "cancel");
	d->other = spec->other_key ? strdup(spec->other_label ? spec->other_label : "") : NULL;
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
	bool other = d->spec.other_key && key == d->spec.other_key;
	if (key == 'j' || key == UI_KEY_FN(KEY_DOWN)) {
		if (d->top + d->shown < d->rows)
			d->top++;
	} else if (key == 'k' || key == UI_KEY_FN(KEY_UP)) {
		if (d->top > 0)
			d->top--;
	} else if (confirm || other) {
		void (*cb)(struct ui *, void *) = other ? d->spec.on_other : d->spec.on_confirm;
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

/* Draw body's lines wrapped at width from row y, skipping the first top
 * rows, at most max rows; returns the rows it needs in all (draw false:
 * only count them). */
static int body_rows(const char *body, int top, int y, int x, int width, int max, bool draw)
{
	int rows = 0;
	for (const char *line = body; line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *one = strndup(line, len);
		const char *t = one ? one : "";
		do {
			size_t n = ui_wrap(t, width);
			if (draw && rows >= top && rows < top + max) {
				char *part = strndup(t, n);
				ui_put(y + rows - top, x, width, ROLE_DIALOG, part ? part : "", false);
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
	d->rows = body_rows(d->body, 0, 0, 0, w - 4, 0, false);
	int lines = d->rows;
	if (lines > LINES - 2 - extra)
		lines = LINES - 2 - extra > 1 ? LINES - 2 - extra : 1;
	d->shown = lines;
	if (d->top > d->rows - lines)
		d->top = d->rows - lines > 0 ? d->rows - lines : 0;
	int h = lines + extra;
	struct ui_rect r = {(LINES - h) / 2, (COLS - w) / 2, h, w};
	ui_box(r, ROLE_DIALOG, d->title);
	int y = r.y + 2;
	body_rows(d->body, d->top, y, r.x + 2, w - 4, lines, true);
	y += lines;
	if (d->spec.money) {
		y++;
		ui_put(y++, r.x + 2, w - 4, ROLE_TITLE, d->amount, false);
	}
	char keys[240], other[80] = "";
	if (d->other)
		snprintf(other, sizeof other, "%c: %s    ", d->spec.other_key, d->other);
	snprintf(keys, sizeof keys,
		 d->spec.money ? "y: %s    %sn / Esc: %s" : "y / Enter: %s    %sn / Esc: %s",
		 d->label, other, d->no ? d->no : "cancel");
	ui_put(r.y + h - 2, r.x + 2, w - 4, ROLE_HELP_KEY, keys, false);
	if (d->rows > lines) /* more than fits: said on the box's bottom edge */
		ui_put(r.y + h - 1, r.x + w - 22, 18, ROLE_HELP_KEY,
		       d->top + lines < d->rows ? " j/k: more below " : " j/k: more above ", false);
}
