#include "setup_readers.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/jobs.h"
#include "paydesk/payments_job.h"
#include "paydesk/readers.h"
#include "pay_panel.h"

enum { R_CODE, R_LABEL, R_LOCATION, R_COUNT };

struct setup_readers {
	struct reader_info *list; /* the store's copy */
	size_t n;
	int64_t listed_at;
	char desk[64], desk_reader[64], desk_label[128]; /* this desk and its reader */
	struct ui_list rows;
	bool form_open;
	struct ui_field fields[R_COUNT];
	struct ui_form form;
	uint64_t jobs[4]; /* ours: list, register, use */
	char error[600];
};

struct setup_readers *setup_readers_new(void)
{
	struct setup_readers *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->fields[R_CODE] = (struct ui_field){
		.label = "Registration code", .placeholder = "simulated-wpe",
		.hint = "the reader shows it: Settings > Generate pairing code (training: "
			"simulated-wpe)"};
	r->fields[R_LABEL] = (struct ui_field){.label = "Label", .placeholder = "Front counter",
					       .hint = "the name the desk reads"};
	r->fields[R_LOCATION] = (struct ui_field){
		.label = "Location", .placeholder = "none",
		.hint = "a Terminal location id (tml_…), or empty; paydesk readers locations "
			"lists them"};
	ui_form_init(&r->form, r->fields, R_COUNT, 100);
	r->rows.sel = -1;
	return r;
}

void setup_readers_free(struct setup_readers *r)
{
	if (!r)
		return;
	ui_form_free(&r->form);
	free(r->list);
	free(r);
}

static void load(struct setup_readers *r, struct ui *ui)
{
	free(r->list);
	r->list = NULL;
	r->n = 0;
	struct pd_error err = {0};
	if (terminal_readers_list(ui->app->db, &r->list, &r->n, &r->listed_at, &err) != PD_OK)
		snprintf(r->error, sizeof r->error, "%s", err.msg);
	readers_desk_name(r->desk, sizeof r->desk);
	readers_desk_reader(ui->app->db, r->desk_reader, r->desk_label);
	ui_list_set_count(&r->rows, (long)r->n);
}

static void submit(struct setup_readers *r, struct ui *ui, const struct pay_job_request *req)
{
	uint64_t id = pay_panel_submit(ui, req);
	if (!id)
		return;
	memmove(r->jobs + 1, r->jobs, sizeof r->jobs - sizeof r->jobs[0]);
	r->jobs[0] = id;
}

void setup_readers_open(struct setup_readers *r, struct ui *ui)
{
	r->form_open = false;
	r->error[0] = '\0';
	load(r, ui);
	struct pay_job_request req = {.op = PAY_OP_READERS_LIST};
	submit(r, ui, &req);
}

bool setup_readers_editing(const struct setup_readers *r)
{
	return r && r->form_open;
}

static void register_reader(struct setup_readers *r, struct ui *ui)
{
	struct pay_job_request req = {.op = PAY_OP_READER_REGISTER};
	const char *code = ui_form_value(&r->form, R_CODE);
	if (!*code) {
		snprintf(r->fields[R_CODE].error, sizeof r->fields[R_CODE].error,
			 "the code the reader shows (training: simulated-wpe)");
		r->form.focus = R_CODE;
		return;
	}
	snprintf(req.reader, sizeof req.reader, "%s", code);
	snprintf(req.label, sizeof req.label, "%s", ui_form_value(&r->form, R_LABEL));
	snprintf(req.location, sizeof req.location, "%s", ui_form_value(&r->form, R_LOCATION));
	submit(r, ui, &req);
	ui_notify(ui, UI_NOTICE_INFO, "registering the reader at Stripe…");
	for (int i = 0; i < R_COUNT; i++)
		textedit_set(&r->fields[i].edit, "");
	r->form.focus = R_CODE;
	r->form.dirty = false;
	r->form_open = false;
}

enum ui_result setup_readers_key(struct setup_readers *r, struct ui *ui, int key)
{
	if (!r->form_open)
		return UI_UNHANDLED; /* the list's keys are a keymap (setup_readers_keymaps) */
	if (key == UI_KEY_ESC) {
		r->form_open = false;
	} else if (key == UI_CTRL('s') || (key == UI_KEY_ENTER && r->form.focus == R_COUNT - 1)) {
		register_reader(r, ui);
	} else {
		ui_form_key(&r->form, key == UI_KEY_ENTER ? '\t' : key);
	}
	return UI_HANDLED;
}

static const struct ui_binding list_keys[] = {
	{UI_KEY_ENTER, UI_ACT_OPEN, "this desk uses the selected reader", NULL},
	{'n', UI_ACT_NEW, "register a card reader (code, label, location)", NULL},
	{'g', UI_ACT_SYNC, "re-read the readers from Stripe", NULL},
	{'j', UI_ACT_DOWN, NULL, NULL},
	{UI_KEY_FN(KEY_DOWN), UI_ACT_DOWN, NULL, NULL},
	{'k', UI_ACT_UP, NULL, NULL},
	{UI_KEY_FN(KEY_UP), UI_ACT_UP, NULL, NULL},
};

static enum ui_result do_use(void *state, struct ui *ui)
{
	struct setup_readers *r = state;
	if (r->rows.sel < 0 || (size_t)r->rows.sel >= r->n)
		return UI_HANDLED;
	struct pay_job_request req = {.op = PAY_OP_READER_USE};
	snprintf(req.reader, sizeof req.reader, "%s", r->list[r->rows.sel].id);
	submit(r, ui, &req);
	return UI_HANDLED;
}

static enum ui_result do_register(void *state, struct ui *ui)
{
	struct setup_readers *r = state;
	(void)ui;
	r->form_open = true;
	r->form.focus = R_CODE;
	return UI_HANDLED;
}

static enum ui_result do_relist(void *state, struct ui *ui)
{
	struct pay_job_request req = {.op = PAY_OP_READERS_LIST};
	submit(state, ui, &req);
	return UI_HANDLED;
}

static enum ui_result do_down(void *state, struct ui *ui)
{
	struct setup_readers *r = state;
	(void)ui;
	return ui_list_act(&r->rows, UI_ACT_DOWN);
}

static enum ui_result do_up(void *state, struct ui *ui)
{
	struct setup_readers *r = state;
	(void)ui;
	return ui_list_act(&r->rows, UI_ACT_UP);
}

static const struct ui_function list_functions[] = {
	{UI_ACT_OPEN, do_use, NULL},	 {UI_ACT_NEW, do_register, NULL},
	{UI_ACT_SYNC, do_relist, NULL},	 {UI_ACT_DOWN, do_down, NULL},
	{UI_ACT_UP, do_up, NULL},
};

void setup_readers_keymaps(struct setup_readers *r, struct ui_keymaps *s)
{
	if (r->form_open)
		return; /* the form takes the keys */
	ui_keymaps_push(s, (struct ui_keymap){
				   .title = "Card readers", .keys = list_keys,
				   .nkeys = sizeof list_keys / sizeof list_keys[0], .state = r,
				   .funcs = list_functions,
				   .nfuncs = sizeof list_functions / sizeof list_functions[0]});
}

void setup_readers_job_done(struct setup_readers *r, struct ui *ui,
			    const struct jobs_completion *c)
{
	for (size_t i = 0; i < sizeof r->jobs / sizeof r->jobs[0]; i++) {
		if (!r->jobs[i] || r->jobs[i] != c->id)
			continue;
		r->jobs[i] = 0;
		if (c->status == JOBS_DONE) {
			r->error[0] = '\0';
			ui_notify(ui, UI_NOTICE_INFO, "%s", c->result);
		} else { /* said whole on the panel, wrapped */
			snprintf(r->error, sizeof r->error, "%s", c->result);
		}
		load(r, ui);
		return;
	}
}

struct row_ctx {
	const struct setup_readers *r;
	const char *desk_reader;
};

static void draw_row(void *ctx, long index, struct ui_rect row, bool selected)
{
	const struct row_ctx *rc = ctx;
	const struct reader_info *x = &rc->r->list[index];
	char line[400];
	snprintf(line, sizeof line, "%c %-28.28s %-8s %s", strcmp(x->id, rc->desk_reader) ? ' ' : '*',
		 x->label, x->status[0] ? x->status : "?", x->device_type);
	ui_put(row.y, row.x, row.w, selected ? ROLE_SELECTION : ROLE_NORMAL, line, true);
}

static int draw_wrapped(const char *t, int y, int x, int w, int last, enum theme_role role)
{
	while (*t && y <= last) {
		size_t n = ui_wrap(t, w);
		char line[601];
		snprintf(line, sizeof line, "%.*s", (int)n, t);
		ui_put(y++, x, w, role, line, false);
		t += n;
		while (*t == ' ')
			t++;
	}
	return y;
}

void setup_readers_draw(struct setup_readers *r, struct ui *ui, struct ui_rect a)
{
	int y = a.y, x = a.x + 2, w = a.w - 4, last = a.y + a.h - 2;
	char line[400];
	(void)ui;
	if (r->desk_label[0])
		snprintf(line, sizeof line, "Card readers · this desk (%s) uses %s", r->desk,
			 r->desk_label);
	else
		snprintf(line, sizeof line, "Card readers · this desk (%s) has none chosen", r->desk);
	ui_put(y++, x, w, ROLE_TITLE, line, false);
	if (r->form_open) {
		ui_put(y++, x, w, ROLE_HEADER, "Register a card reader (admins)", false);
		ui_form_draw(&r->form, (struct ui_rect){y, x, R_COUNT + 1, w});
		int cy, cx;
		getyx(stdscr, cy, cx);
		ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY,
		       "Tab: next field   Ctrl-S / Enter on the last: register   Esc: back", false);
		move(cy, cx);
		curs_set(1);
		return;
	}
	bool asking = false; /* a job of ours still out */
	for (size_t i = 0; i < sizeof r->jobs / sizeof r->jobs[0]; i++)
		asking |= r->jobs[i] != 0;
	if (r->n == 0) {
		ui_put(y++, x, w, r->listed_at ? ROLE_WARNING : ROLE_DIM,
		       r->listed_at ? "No card reader is registered with Stripe: n registers one "
				      "(training: code simulated-wpe)."
		       : asking     ? "asking Stripe for its readers…"
				    : "not listed yet: g asks Stripe",
		       false);
	} else {
		snprintf(line, sizeof line, "  %-28s %-8s %s", "LABEL", "STATUS", "DEVICE");
		ui_put(y++, x, w, ROLE_HEADER, line, false);
		int room = last - y - (r->error[0] ? 2 : 0);
		struct row_ctx ctx = {r, r->desk_reader};
		ui_list_draw(&r->rows, (struct ui_rect){y, x, room > 1 ? room : 1, w}, draw_row, &ctx);
		y += room > 1 ? room : 1;
	}
	if (r->error[0])
		draw_wrapped(r->error, y, x, w, last, ROLE_ERROR);
	ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY,
	       "Enter: this desk uses it  n: register  g: re-read  j/k: move  Esc: back", false);
	curs_set(0);
}
