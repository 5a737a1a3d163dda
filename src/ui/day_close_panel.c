/* The day close panel: app/day_close.c reads and closes, this draws the
 * sheet and its small form. No network: it runs on the UI thread, like
 * desk tenders (one local transaction). */
#include "day_close_panel.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/day_close.h"
#include "paydesk/money.h"
#include "paydesk/readers.h"
#include "paydesk/tz.h"
#include "widgets.h"

enum { F_WHOSE, F_COUNTED, F_COMMENT, F_COUNT };

struct day_close_panel {
	int back_to;
	int y, m, d;
	char day[16], desk[64];
	char mine[96];              /* "only <user>" */
	const char *whose[3];       /* the choice field's texts */
	struct ui_field fields[F_COUNT];
	struct ui_form form;
	int shown_choice;           /* the scope the sheet was read for */
	struct day_close_sheet sheet;
	char error[600];
};

static const struct ui_binding keys[] = {
	{UI_CTRL('s'), UI_ACT_SAVE, "close the day with the cash counted (asks first)", NULL},
	{UI_KEY_ESC, UI_ACT_BACK, "back to the appointments", NULL},
};

static void *open_panel(struct ui *ui)
{
	(void)ui;
	struct day_close_panel *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->whose[0] = "everyone at this desk";
	p->whose[1] = p->mine;
	p->whose[2] = NULL;
	p->fields[F_WHOSE] = (struct ui_field){.label = "Takings of", .kind = UI_FIELD_CHOICE,
					       .choices = p->whose,
					       .hint = "Space: this desk's, or only yours"};
	p->fields[F_COUNTED] = (struct ui_field){
		.label = "Cash counted", .placeholder = "0.00",
		.hint = "the whole till now, as counted"};
	p->fields[F_COMMENT] = (struct ui_field){
		.label = "Comment", .hint = "why the count differs (needed when it does)"};
	ui_form_init(&p->form, p->fields, F_COUNT, 256);
	return p;
}

static void close_panel(void *state)
{
	struct day_close_panel *p = state;
	if (!p)
		return;
	ui_form_free(&p->form);
	free(p);
}

static const char *scope_user(const struct day_close_panel *p, const struct ui *ui)
{
	return p->fields[F_WHOSE].choice == 1 ? ui->app->session.name : "";
}

static void reload(void *state, struct ui *ui)
{
	struct day_close_panel *p = state;
	snprintf(p->mine, sizeof p->mine, "only %s", ui->app->session.name);
	readers_desk_name(p->desk, sizeof p->desk);
	struct pd_error err = {0};
	p->shown_choice = p->fields[F_WHOSE].choice;
	if (day_close_read(ui->app->db, p->day, p->desk, scope_user(p, ui), NULL, &p->sheet,
			   &err) != PD_OK)
		snprintf(p->error, sizeof p->error, "%s", err.msg);
}

void ui_day_close_open(struct ui *ui, int y, int m, int d)
{
	struct day_close_panel *p = ui->state[UI_SCREEN_DAY_CLOSE];
	if (!p)
		return;
	if (ui->tab != UI_SCREEN_DAY_CLOSE)
		p->back_to = ui->tab;
	p->y = y, p->m = m, p->d = d;
	char day[sizeof p->day];
	snprintf(day, sizeof day, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	/* The same open day again (back after an error, to look something up):
	 * the count and the comment typed stay, with the last error. Another
	 * day starts empty; someone else signing in empties it (drop). */
	if (strcmp(day, p->day) != 0 || p->sheet.closed) {
		for (int i = F_COUNTED; i < F_COUNT; i++) {
			textedit_set(&p->fields[i].edit, "");
			p->fields[i].error[0] = '\0';
		}
		p->form.focus = F_COUNTED;
		p->form.dirty = false;
		p->error[0] = '\0';
	}
	snprintf(p->day, sizeof p->day, "%s", day);
	ui_switch_screen(ui, UI_SCREEN_DAY_CLOSE); /* reloads */
}

static bool open_day(const void *state, const struct ui *ui)
{
	(void)ui;
	return day_close_open(&((const struct day_close_panel *)state)->sheet);
}

static enum ui_result do_back(void *state, struct ui *ui)
{
	struct day_close_panel *p = state;
	ui_switch_screen(ui, p->back_to);
	return UI_HANDLED;
}

static void confirmed(struct ui *ui, void *ctx)
{
	struct day_close_panel *p = ctx;
	struct pd_error err = {0};
	char words[80];
	int rc = day_close_save(ui->app->db, &ui->app->session, p->day, p->desk,
				scope_user(p, ui), NULL, ui_form_value(&p->form, F_COUNTED),
				ui_form_value(&p->form, F_COMMENT), &p->sheet, &err);
	if (rc) {
		snprintf(p->error, sizeof p->error, "%s", err.msg);
		ui_notify(ui, UI_NOTICE_ERROR, "not closed: %s", err.msg);
		reload(p, ui);
		return;
	}
	const struct day_close_row *c = &p->sheet.close;
	p->form.dirty = false;
	ui_notify(ui, UI_NOTICE_INFO, "%s closed: cash %s", p->day,
		  day_close_difference_words(c->counted_cash - c->expected_cash, c->currency,
					     words, sizeof words));
}

static enum ui_result do_save(void *state, struct ui *ui)
{
	struct day_close_panel *p = state;
	int64_t counted = 0, diff = 0;
	struct pd_error err = {0};
	p->error[0] = '\0';
	if (day_close_check(&p->sheet, ui_form_value(&p->form, F_COUNTED),
			    ui_form_value(&p->form, F_COMMENT), &counted, &diff, &err) != PD_OK) {
		snprintf(p->error, sizeof p->error, "%s", err.msg);
		int to = diff && *ui_form_value(&p->form, F_COUNTED) ? F_COMMENT : F_COUNTED;
		/* said, so the next thing typed is not taken for a count */
		if (to == F_COMMENT && p->form.focus != F_COMMENT)
			ui_notify(ui, UI_NOTICE_INFO,
				  "The cursor is in Comment now: say why; the count stays.");
		p->form.focus = to;
		return UI_HANDLED;
	}
	char body[600], exp[64], got[64], words[80];
	bool later = p->sheet.closed; /* open again: money came after the close */
	const char *cur = later ? p->sheet.close.currency : p->sheet.cash_currency;
	snprintf(body, sizeof body,
		 "Close %s%s at desk %s for %s?\nCash expected %s, counted %s: %s.\n"
		 "A close is kept as it is: it cannot be redone.",
		 p->day, later ? " again (the whole till)" : "", p->desk,
		 p->fields[F_WHOSE].choice ? ui->app->session.name : "everyone",
		 money_format(later ? p->sheet.close.till_cash + p->sheet.after_cash
				    : p->sheet.expected_cash,
			      cur, exp, sizeof exp),
		 money_format(counted, cur, got, sizeof got),
		 day_close_difference_words(diff, cur, words, sizeof words));
	ui_dialog_open(ui, &(struct ui_dialog_spec){.title = "Close the day", .body = body,
						    .confirm_label = "Close the day",
						    .on_confirm = confirmed, .ctx = p});
	return UI_HANDLED;
}

static const struct ui_function functions[] = {
	{UI_ACT_SAVE, do_save, open_day},
	{UI_ACT_BACK, do_back, NULL},
};

/* Typing goes to the form while the day is open; Ctrl-S and Esc are keys. */
static enum ui_result key(void *state, struct ui *ui, int k)
{
	struct day_close_panel *p = state;
	if (!day_close_open(&p->sheet) || k == UI_KEY_ESC || k == UI_CTRL('s'))
		return UI_UNHANDLED;
	if (k == UI_KEY_ENTER)
		k = '\t';
	enum ui_result r = ui_form_key(&p->form, k);
	if (p->fields[F_WHOSE].choice != p->shown_choice)
		reload(p, ui);
	if (r == UI_UNHANDLED && k >= 0x20 && k < 0x7f)
		return UI_HANDLED; /* a form owns its printable keys */
	return r;
}

/* Someone else signed in: what the last person typed goes, and "only me"
 * is no longer them. */
static void drop(void *state, struct ui *ui)
{
	struct day_close_panel *p = state;
	for (int i = F_COUNTED; i < F_COUNT; i++) {
		textedit_set(&p->fields[i].edit, "");
		p->fields[i].error[0] = '\0';
	}
	p->fields[F_WHOSE].choice = 0;
	p->form.focus = F_COUNTED;
	p->form.dirty = false;
	p->error[0] = '\0';
	if (p->day[0])
		reload(p, ui);
}

static bool editing(void *state)
{
	return day_close_open(&((struct day_close_panel *)state)->sheet);
}

static bool dirty(void *state)
{
	return ((struct day_close_panel *)state)->form.dirty;
}

static char *bare(int64_t minor, const char *cur, char *out, size_t len)
{
	money_format(minor, cur, out, len);
	char *sp = strrchr(out, ' ');
	if (sp)
		*sp = '\0';
	return out;
}

static void draw(void *state, struct ui *ui, struct ui_rect a)
{
	struct day_close_panel *p = state;
	(void)ui;
	const struct day_close_sheet *s = &p->sheet;
	int x = a.x + 2, w = a.w - 4, y = a.y, last = a.y + a.h - 1;
	char line[600], t[48], r[48], n[48];
	/* closed, money since: the close in a line, then what a later close covers */
	bool later = s->closed && s->nafter > 0;
	const struct day_close_line *lines = later ? s->after : s->lines;
	int nlines = later ? s->nafter : s->nlines;
	snprintf(line, sizeof line, "Day close · %s %s · desk %s · %s%s",
		 tz_weekday_abbr(tz_weekday(p->y, p->m, p->d)), p->day, p->desk,
		 s->user[0] ? s->user : "everyone", later ? " · since the close" : "");
	ui_put(y++, x, w, ROLE_TITLE, line, false);
	if (later) {
		struct tz_civil at;
		tz_to_civil(s->close.closed_at, &at);
		char words[80];
		snprintf(line, sizeof line, "Closed at %02d:%02d by %s: counted %s (%s). Since then:",
			 at.hour % 100, at.minute % 100, s->close.closed_by,
			 money_format(s->close.till_cash, s->close.currency, t, sizeof t),
			 day_close_difference_words(s->close.day_difference, s->close.currency,
						    words, sizeof words));
		ui_put(y++, x, w, ROLE_WARNING, line, false);
	}
	snprintf(line, sizeof line, "%-20s %-4s %5s %11s %11s %11s", "Tender", "Cur", "Count",
		 "Taken", "Refunded", "Net");
	ui_put(y++, x, w, ROLE_HEADER, line, true);
	if (nlines == 0)
		ui_put(y++, x, w, ROLE_DIM, "Nothing taken.", false);
	for (int i = 0; i < nlines && y < a.y + 8 + later; i++) {
		const struct day_close_line *l = &lines[i];
		char cur[4];
		for (int k = 0; k < 4; k++)
			cur[k] = (char)(l->currency[k] >= 'a' && l->currency[k] <= 'z'
						? l->currency[k] - 32
						: l->currency[k]);
		int used = snprintf(line, sizeof line, "%-20s %-4s %5lld %11s %11s %11s",
				    day_close_tender_label(l->tender), cur, (long long)l->count,
				    bare(l->taken, l->currency, t, sizeof t),
				    bare(l->refunded, l->currency, r, sizeof r),
				    bare(l->taken - l->refunded, l->currency, n, sizeof n));
		if (!strcmp(l->tender, "card") && used > 0 && (size_t)used < sizeof line)
			snprintf(line + used, sizeof line - (size_t)used, " %lld/%lld synced",
				 (long long)l->in_history, (long long)l->count);
		ui_put(y++, x, w, ROLE_NORMAL, line, false);
	}
	y++;
	if (later) { /* a later close counts the whole till, never a part */
		struct tz_civil at;
		tz_to_civil(s->close.closed_at, &at);
		int64_t since = s->after_cash;
		snprintf(line, sizeof line, "Count the whole till: %s counted at %02d:%02d %c %s since"
			 " = %s",
			 bare(s->close.till_cash, s->close.currency, r, sizeof r), at.hour % 100,
			 at.minute % 100, since < 0 ? '-' : '+',
			 bare(since < 0 ? -since : since, s->close.currency, n, sizeof n),
			 money_format(s->close.till_cash + since, s->close.currency, t, sizeof t));
	} else
		snprintf(line, sizeof line, "Cash expected in the till: %s",
			 money_format(s->expected_cash, s->cash_currency, t, sizeof t));
	ui_put(y++, x, w, ROLE_TITLE, line, false);
	y++;
	if (s->closed && !later) {
		const struct day_close_row *c = &s->close;
		struct tz_civil at;
		tz_to_civil(c->closed_at, &at);
		char words[80];
		/* the day as a whole: the till as last counted, the closes'
		 * differences added up */
		snprintf(line, sizeof line, "Cash counted: %s (%s)",
			 money_format(c->till_cash, c->currency, t, sizeof t),
			 day_close_difference_words(c->day_difference, c->currency, words,
						    sizeof words));
		ui_put(y++, x, w, c->day_difference ? ROLE_WARNING : ROLE_NORMAL, line, false);
		if (c->comment[0]) {
			snprintf(line, sizeof line, "Comment: %s", c->comment);
			ui_put(y++, x, w, ROLE_NORMAL, line, false);
		}
		snprintf(line, sizeof line, "Closed by %s at %04d-%02d-%02d %02d:%02d%s.", c->closed_by,
			 at.year % 10000, at.month % 100, at.day % 100, at.hour % 100,
			 at.minute % 100, c->earlier ? " (the last of the day's closes)" : "");
		ui_put(y++, x, w, ROLE_NORMAL, line, false);
		ui_put(last, x, w, ROLE_HELP_KEY, "Esc back  ?: keys", false);
		return;
	}
	ui_form_draw(&p->form, (struct ui_rect){y, x, F_COUNT * 2, w});
	int cy, cx;
	getyx(stdscr, cy, cx);
	y += F_COUNT + 1;
	/* the difference as typed, before Ctrl-S */
	int64_t counted = 0;
	struct pd_error err = {0};
	const char *typed = ui_form_value(&p->form, F_COUNTED);
	if (p->error[0]) {
		ui_put(last - 1, x, w, ROLE_ERROR, p->error, false);
	} else if (*typed && money_parse(typed, later ? s->close.currency : s->cash_currency,
				      &counted, &err) == PD_OK) {
		char words[80];
		int64_t diff = counted - (later ? s->close.till_cash + s->after_cash
						: s->expected_cash);
		snprintf(line, sizeof line, "Difference: %s%s",
			 day_close_difference_words(diff, later ? s->close.currency
								: s->cash_currency,
						    words, sizeof words),
			 diff && !*ui_form_value(&p->form, F_COMMENT) ? " · say why in the comment"
								      : "");
		ui_put(last - 1, x, w, diff ? ROLE_WARNING : ROLE_NORMAL, line, false);
	}
	(void)y;
	ui_put(last, x, w, ROLE_HELP_KEY, "Tab next field  Ctrl-S close the day  Esc back  ?: keys",
	       false);
	move(cy, cx);
	curs_set(1);
}

const struct ui_screen screen_day_close = {
	.name = "day-close",
	.title = "Day close",
	.keys = keys,
	.nkeys = sizeof keys / sizeof keys[0],
	.open = open_panel,
	.close = close_panel,
	.draw = draw,
	.funcs = functions,
	.nfuncs = sizeof functions / sizeof functions[0],
	.key = key,
	.editing = editing,
	.dirty = dirty,
	.reload = reload,
	.drop = drop,
};
