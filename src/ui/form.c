/* Forms: labelled fields, validated as you leave them, errors shown inline
 * under the field, and what was typed is always kept. Secrets are masked. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "paydesk/money.h"
#include "widgets.h"

int ui_field_verdict(int rc, const struct pd_error *err, char *msg, size_t len)
{
	if (rc)
		snprintf(msg, len, "%s", err->msg);
	return rc ? -1 : 0;
}

int ui_validate_currency(const char *value, char *msg, size_t len)
{
	struct pd_error err = {0};
	return ui_field_verdict(money_currency_check(value, NULL, &err), &err, msg, len);
}

void ui_form_init(struct ui_form *f, struct ui_field *fields, int n, size_t max)
{
	f->fields = fields;
	f->n = n;
	f->focus = 0;
	f->dirty = false;
	f->inactive = false;
	f->pasting = f->paste_over = false;
	f->paste_field = 0;
	memset(&f->paste_undo, 0, sizeof f->paste_undo);
	for (int i = 0; i < n; i++) {
		textedit_init(&fields[i].edit, max, fields[i].kind == UI_FIELD_SECRET);
		fields[i].error[0] = '\0';
	}
}

void ui_form_free(struct ui_form *f)
{
	if (f->pasting)
		textedit_free(&f->paste_undo);
	f->pasting = false;
	for (int i = 0; i < f->n; i++)
		textedit_free(&f->fields[i].edit);
}

const char *ui_form_value(const struct ui_form *f, int i)
{
	const struct ui_field *fd = &f->fields[i];
	if (fd->kind == UI_FIELD_CHOICE)
		return fd->choices ? fd->choices[fd->choice] : "";
	return fd->edit.text ? fd->edit.text : "";
}

static int validate_field(struct ui_form *f, int i)
{
	struct ui_field *fd = &f->fields[i];
	fd->error[0] = '\0';
	if (!fd->validate)
		return 0;
	return fd->validate(ui_form_value(f, i), fd->error, sizeof fd->error);
}

int ui_form_validate(struct ui_form *f)
{
	int first = -1;
	for (int i = 0; i < f->n; i++)
		if (validate_field(f, i) != 0 && first < 0)
			first = i;
	return first;
}

static void move_focus(struct ui_form *f, int delta)
{
	validate_field(f, f->focus);
	f->focus = (f->focus + delta + f->n) % f->n;
}

static void paste_begin(struct ui_form *f)
{
	if (f->pasting)
		textedit_free(&f->paste_undo);
	struct ui_field *fd = &f->fields[f->focus];
	f->pasting = true;
	f->paste_over = false;
	f->paste_was_dirty = f->dirty;
	f->paste_field = f->focus;
	textedit_init(&f->paste_undo, fd->edit.max, fd->kind == UI_FIELD_SECRET);
	textedit_set(&f->paste_undo, fd->edit.text ? fd->edit.text : "");
	f->paste_undo.cursor = fd->edit.cursor;
}

static void paste_end(struct ui_form *f)
{
	if (!f->pasting)
		return;
	struct ui_field *fd = &f->fields[f->paste_field];
	if (f->paste_over && fd->kind != UI_FIELD_CHOICE) {
		/* Half a paste is worse than none: the field goes back as it was. */
		textedit_set(&fd->edit, f->paste_undo.text);
		fd->edit.cursor = f->paste_undo.cursor;
		f->dirty = f->paste_was_dirty;
		snprintf(fd->error, sizeof fd->error,
			 "paste too long (at most %zu bytes): nothing pasted", fd->edit.max);
	}
	textedit_free(&f->paste_undo);
	f->pasting = f->paste_over = false;
}

enum ui_edit ui_textedit_key(struct textedit *t, int key)
{
	switch (key) {
	case UI_KEY_FN(KEY_BACKSPACE):
	case 0x7f: /* a terminal's DEL or ^H that curses did not name */
	case UI_CTRL('h'):
		textedit_backspace(t);
		return UI_EDIT_DELETED;
	case UI_KEY_FN(KEY_DC):
	case UI_CTRL('d'):
		textedit_delete(t);
		return UI_EDIT_DELETED;
	case UI_KEY_FN(KEY_LEFT):
	case UI_CTRL('b'):
		textedit_left(t);
		return UI_EDIT_MOVED;
	case UI_KEY_FN(KEY_RIGHT):
	case UI_CTRL('f'):
		textedit_right(t);
		return UI_EDIT_MOVED;
	case UI_KEY_FN(KEY_HOME):
	case UI_CTRL('a'):
		textedit_home(t);
		return UI_EDIT_MOVED;
	case UI_KEY_FN(KEY_END):
	case UI_CTRL('e'):
		textedit_end(t);
		return UI_EDIT_MOVED;
	case UI_CTRL('u'):
		textedit_kill_to_start(t);
		return UI_EDIT_DELETED;
	case UI_CTRL('w'):
		textedit_kill_word(t);
		return UI_EDIT_DELETED;
	default:
		if (key < 0x20 || key >= 0x110000 || key == 0x7f)
			return UI_EDIT_UNHANDLED;
		return textedit_insert(t, (uint32_t)key) != 0 ? UI_EDIT_FULL : UI_EDIT_TYPED;
	}
}

enum ui_result ui_form_key(struct ui_form *f, int key)
{
	struct ui_field *fd = &f->fields[f->focus];
	if (key == UI_KEY_PASTE_START) {
		paste_begin(f);
		return UI_HANDLED;
	}
	if (key == UI_KEY_PASTE_END) {
		paste_end(f);
		return UI_HANDLED;
	}
	/* A paste holds printable characters only: any other key means its end
	 * marker was lost on the way, and the paste is over. */
	if (f->pasting && (key < 0x20 || key >= 0x110000 || key == 0x7f))
		paste_end(f);
	if (f->pasting) {
		/* Pasted characters only ever go into the field they started in,
		 * and a choice is never changed by them. */
		if (f->paste_over || fd->kind == UI_FIELD_CHOICE || f->focus != f->paste_field ||
		    (key >= 0x80 && key < 0xa0) || (key >= 0xd800 && key <= 0xdfff))
			return UI_HANDLED;
		if (textedit_insert(&fd->edit, (uint32_t)key) != 0)
			f->paste_over = true;
		else
			f->dirty = true;
		fd->error[0] = '\0';
		return UI_HANDLED;
	}
	if (key == '\t' || key == UI_KEY_FN(KEY_DOWN)) {
		move_focus(f, 1);
		return UI_HANDLED;
	}
	if (key == UI_KEY_FN(KEY_BTAB) || key == UI_KEY_FN(KEY_UP)) {
		move_focus(f, -1);
		return UI_HANDLED;
	}
	if (fd->kind == UI_FIELD_CHOICE) {
		int n = 0;
		while (fd->choices && fd->choices[n])
			n++;
		if (n && (key == ' ' || key == UI_KEY_FN(KEY_RIGHT) || key == 'l')) {
			fd->choice = (fd->choice + 1) % n;
			f->dirty = true;
			return UI_HANDLED;
		}
		if (n && (key == UI_KEY_FN(KEY_LEFT) || key == 'h')) {
			fd->choice = (fd->choice + n - 1) % n;
			f->dirty = true;
			return UI_HANDLED;
		}
		return UI_UNHANDLED;
	}
	struct textedit *t = &fd->edit;
	switch (ui_textedit_key(t, key)) {
	case UI_EDIT_UNHANDLED:
		return UI_UNHANDLED;
	case UI_EDIT_MOVED:
		return UI_HANDLED;
	case UI_EDIT_FULL:
		snprintf(fd->error, sizeof fd->error, "this field takes at most %zu bytes", t->max);
		return UI_HANDLED;
	case UI_EDIT_TYPED:
	case UI_EDIT_DELETED:
		break;
	}
	f->dirty = true;
	fd->error[0] = '\0';
	return UI_HANDLED;
}

/* The visible part of a field (ui_textedit_draw), a choice's "< x >", or
 * its placeholder while empty. */
static void draw_value(const struct ui_field *fd, bool focus, int y, int x, int w)
{
	enum theme_role role = focus ? ROLE_INPUT_FOCUS : ROLE_INPUT;
	if (fd->kind == UI_FIELD_CHOICE) {
		char buf[160];
		snprintf(buf, sizeof buf, "< %s >", fd->choices ? fd->choices[fd->choice] : "");
		ui_put(y, x, w, role, buf, true);
		return;
	}
	const struct textedit *t = &fd->edit;
	if (t->len == 0 && fd->placeholder && *fd->placeholder) {
		ui_put(y, x, w, focus ? role : ROLE_DIM, fd->placeholder, true);
		if (focus)
			move(y, x);
		return;
	}
	ui_textedit_draw(t, fd->kind == UI_FIELD_SECRET, role, focus, y, x, w);
}

void ui_textedit_draw(const struct textedit *t, bool secret, enum theme_role role, bool focus,
		      int y, int x, int w)
{
	size_t chars = 0;
	for (size_t i = 0; i < t->len; i++)
		chars += ((unsigned char)t->text[i] & 0xc0) != 0x80;
	size_t cur = textedit_cursor_chars(t);
	char shown[4096 * 3 + 1];
	if (secret) {
		size_t n = 0;
		for (size_t i = 0; i < chars && n + 3 < sizeof shown; i++) {
			memcpy(shown + n, "\xe2\x80\xa2", 3); /* U+2022 bullet */
			n += 3;
		}
		shown[n] = '\0';
	} else {
		snprintf(shown, sizeof shown, "%s", t->text);
	}
	/* The cursor's byte in shown. */
	const char *c = shown;
	for (size_t i = 0; i < cur && *c; i++) {
		c++;
		while ((*c & 0xc0) == 0x80)
			c++;
	}
	/* Scroll by columns, as the screen counts them (a wide character takes
	 * two, an ASCII-folded one may take several): from the cursor back, as
	 * much as w - 1 columns hold, so the cursor stays inside the box. */
	const char *p = c;
	int used = 0;
	while (p > shown) {
		const char *q = p - 1;
		while (q > shown && (*q & 0xc0) == 0x80)
			q--;
		char one[8] = "";
		memcpy(one, q, (size_t)(p - q) < sizeof one ? (size_t)(p - q) : sizeof one - 1);
		int cw = ui_text_width(one);
		if (used + cw > w - 1)
			break;
		used += cw;
		p = q;
	}
	ui_put(y, x, w, role, p, true);
	if (focus) /* where typing goes; the shell turns the cursor on */
		move(y, x + used);
}

void ui_prompt_draw(const struct textedit *t, enum theme_role role, const char *note,
		    enum theme_role note_role, int y, int x, int w)
{
	int need = ui_text_width(t->text ? t->text : "") + 1;
	int note_w = note && *note ? ui_text_width(note) + 2 : 0;
	if (note_w > w / 2)
		note_w = w / 2;
	int text_w = need < w - note_w ? need : w - note_w;
	if (note_w)
		ui_put(y, x + text_w + 1, w - text_w - 1, note_role, note, false);
	ui_textedit_draw(t, false, role, true, y, x, text_w); /* last: the cursor */
}

void ui_form_draw(struct ui_form *f, struct ui_rect r)
{
	int label_w = 0;
	for (int i = 0; i < f->n; i++) {
		int w = ui_text_width(f->fields[i].label);
		if (w > label_w)
			label_w = w;
	}
	label_w += 2;
	int value_w = r.w - label_w - 2;
	if (value_w > 60)
		value_w = 60;
	int y = r.y, cursor_y = -1, cursor_x = -1;
	for (int i = 0; i < f->n && y < r.y + r.h; i++) {
		struct ui_field *fd = &f->fields[i];
		bool focus = i == f->focus && !f->inactive;
		ui_put(y, r.x, label_w, focus ? ROLE_TITLE : ROLE_NORMAL, fd->label, true);
		draw_value(fd, focus, y, r.x + label_w, value_w);
		if (focus)
			getyx(stdscr, cursor_y, cursor_x);
		y++;
		if (fd->error[0]) {
			ui_put(y++, r.x + label_w, r.w - label_w, ROLE_ERROR, fd->error, false);
		} else if (focus && fd->hint) {
			ui_put(y++, r.x + label_w, r.w - label_w, ROLE_DIM, fd->hint, false);
		}
	}
	if (cursor_y >= 0)
		move(cursor_y, cursor_x);
}
