/* Finding one's way in the Appointments tab: `/` finds a client's next
 * appointment (in the day or week shown, then in the year after it), `J`
 * goes to a date, and a day or week opened on a date selects that day's
 * first row rather than Monday's. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appt_screen.h"
#include "paydesk/textfold.h"
#include "paydesk/tz.h"

#define FIND_DAYS_AHEAD 366

void appt_select_day(struct appt_screen *st)
{
	if (st->n == 0)
		return;
	int64_t start = tz_day_start(st->y, st->m, st->d);
	size_t i = 0;
	while (i < st->n && st->rows[i].starts_at < start)
		i++;
	st->list.sel = (long)(i < st->n ? i : st->n - 1);
}

void appt_prompt_open(struct appt_screen *st, enum appt_prompt which)
{
	textedit_free(&st->prompt_text);
	textedit_init(&st->prompt_text, 120, false);
	if (which == APPT_PROMPT_FIND)
		textedit_set(&st->prompt_text, st->find);
	st->prompt_offered = which == APPT_PROMPT_FIND && st->find[0];
	st->prompt_error[0] = '\0';
	st->prompt = which;
}

static void prompt_close(struct appt_screen *st)
{
	st->prompt = APPT_PROMPT_NONE;
	textedit_free(&st->prompt_text);
}

static bool matches(const struct appointment *a, const char *needle)
{
	return a->client_name && text_fold_contains(a->client_name, needle);
}

static void show_day_of(struct appt_screen *st, const struct appointment *a)
{
	struct tz_civil c;
	tz_to_civil(a->starts_at, &c);
	st->y = c.year;
	st->m = c.month;
	st->d = c.day;
}

/* The next appointment of a client whose name holds needle: after the
 * selected row in what is shown, then in the year after it, then from the
 * top of what is shown. */
static void find_next(struct appt_screen *st, const char *needle)
{
	struct ui *ui = st->ui;
	long from = st->list.sel < 0 ? 0 : st->list.sel + 1;
	for (long i = from; i < (long)st->n; i++)
		if (matches(&st->rows[i], needle)) {
			st->list.sel = i;
			return;
		}
	int y = st->y, m = st->m, d = st->d;
	if (st->week)
		tz_date_add(&y, &m, &d, 7 - tz_weekday(y, m, d));
	else
		tz_date_add(&y, &m, &d, 1);
	int64_t after = tz_day_start(y, m, d);
	tz_date_add(&y, &m, &d, FIND_DAYS_AHEAD);
	struct appointment *rows = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	if (appointments_range(ui->app->db, after, tz_day_start(y, m, d), st->staff_filter, &rows,
			       &n, &err) != PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!matches(&rows[i], needle))
			continue;
		int64_t id = rows[i].id;
		show_day_of(st, &rows[i]);
		appointments_free_list(&rows, n);
		appt_load(st);
		for (size_t k = 0; k < st->n; k++)
			if (st->rows[k].id == id)
				st->list.sel = (long)k;
		return;
	}
	appointments_free_list(&rows, n);
	for (long i = 0; i < from && i < (long)st->n; i++)
		if (matches(&st->rows[i], needle)) {
			st->list.sel = i;
			ui_notify(ui, UI_NOTICE_INFO, "no later appointment for “%s”: back to the first",
				  needle);
			return;
		}
	ui_notify(ui, UI_NOTICE_ERROR, "no appointment for “%s” here or in the year after", needle);
}

static void submit(struct appt_screen *st)
{
	const char *text = st->prompt_text.text ? st->prompt_text.text : "";
	while (*text == ' ')
		text++;
	if (st->prompt == APPT_PROMPT_DROP) {
		if (!*text) {
			snprintf(st->prompt_error, sizeof st->prompt_error,
				 "say why (it is kept in the audit log)");
			return;
		}
		char reason[512];
		snprintf(reason, sizeof reason, "%s", text);
		prompt_close(st);
		appt_queue_drop(st, reason);
		return;
	}
	if (st->prompt == APPT_PROMPT_PRICE) {
		char typed[512];
		snprintf(typed, sizeof typed, "%s", text);
		if (appt_price_submit(st, typed))
			prompt_close(st);
		return;
	}
	if (st->prompt == APPT_PROMPT_FIND) {
		if (!*text) {
			snprintf(st->prompt_error, sizeof st->prompt_error,
				 "type part of a client's name");
			return;
		}
		snprintf(st->find, sizeof st->find, "%s", text);
		prompt_close(st);
		find_next(st, st->find);
		return;
	}
	int y, m, d;
	if (tz_parse_date(text, &y, &m, &d) != 0) {
		snprintf(st->prompt_error, sizeof st->prompt_error,
			 "a date as YYYY-MM-DD, such as 2030-01-08");
		return;
	}
	prompt_close(st);
	st->y = y;
	st->m = m;
	st->d = d;
	st->list.top = 0;
	appt_load(st);
	appt_select_day(st);
}

enum ui_result appt_prompt_key(struct appt_screen *st, int k)
{
	if (st->prompt == APPT_PROMPT_NONE || k == UI_CTRL('c'))
		return UI_UNHANDLED; /* Ctrl-C still quits (asking first) */
	struct textedit *t = &st->prompt_text;
	if (k != UI_KEY_ENTER)
		st->prompt_error[0] = '\0';
	if (k == UI_KEY_ESC)
		prompt_close(st);
	else if (k == UI_KEY_ENTER)
		submit(st);
	else {
		/* "zoe" found, then "liam" typed searched "zoeliam" */
		if (st->prompt_offered && k >= 0x20 && k < 0x110000 && k != 0x7f)
			textedit_set(t, "");
		ui_textedit_key(t, k);
	}
	st->prompt_offered = false;
	return UI_HANDLED; /* modal: nothing reaches the tables behind */
}

void appt_prompt_draw(const struct appt_screen *st, struct ui_rect r)
{
	const char *label = st->prompt == APPT_PROMPT_FIND    ? "Find client: "
			    : st->prompt == APPT_PROMPT_DROP  ? "Drop the queued charge, why? "
			    : st->prompt == APPT_PROMPT_PRICE ? "Price change and why: "
							      : "Go to date: ";
	ui_fill(r, ROLE_NORMAL);
	int x = r.x + ui_put(r.y, r.x, r.w, ROLE_HELP_KEY, label, false);
	const char *hint = st->prompt_offered		     ? "Enter: next match  typing: a new one"
			   : st->prompt == APPT_PROMPT_FIND  ? "Enter: next match  Esc: back"
			   : st->prompt == APPT_PROMPT_DROP  ? "Enter: drop it  Esc: keep it"
			   : st->prompt == APPT_PROMPT_PRICE ? "10% loyalty · 5.00 voucher · =45.00 extras"
							     : "YYYY-MM-DD  Enter: go  Esc: back";
	ui_prompt_draw(&st->prompt_text, ROLE_NORMAL, st->prompt_error[0] ? st->prompt_error : hint,
		       st->prompt_error[0] ? ROLE_ERROR : ROLE_DIM, r.y, x, r.x + r.w - x);
}
