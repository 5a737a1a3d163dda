#include "setup_limits.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/auth.h"
#include "paydesk/money.h"
#include "paydesk/refund_limits.h"

enum { L_CURRENCY, L_PAYMENT, L_DAY, L_COUNT };
#define SHOWN_MAX 8

struct setup_limits {
	struct ui_field fields[L_COUNT];
	struct ui_form form;
	char shown[SHOWN_MAX][96]; /* the limits as read, one line a currency */
	int nshown, more;
	char error[600];
};

struct setup_limits *setup_limits_new(void)
{
	struct setup_limits *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->fields[L_CURRENCY] = (struct ui_field){.label = "Currency", .placeholder = "usd"};
	l->fields[L_PAYMENT] = (struct ui_field){
		.label = "Of one payment", .placeholder = "50.00",
		.hint = "what staff may refund of one payment, all their refunds of it together"};
	l->fields[L_DAY] = (struct ui_field){
		.label = "Each a day", .placeholder = "none",
		.hint = "what one staff user may refund in a day; empty: no daily limit"};
	ui_form_init(&l->form, l->fields, L_COUNT, 32);
	return l;
}

void setup_limits_free(struct setup_limits *l)
{
	if (!l)
		return;
	ui_form_free(&l->form);
	free(l);
}

static void add_line(void *ctx, const struct refund_limit *r)
{
	struct setup_limits *l = ctx;
	if (l->nshown == SHOWN_MAX) {
		l->more++;
		return;
	}
	char cur[4], text[160];
	snprintf(l->shown[l->nshown++], sizeof l->shown[0], "%s  %s",
		 money_currency_code(r->currency, cur),
		 auth_refund_limit_describe(r, text, sizeof text));
}

void setup_limits_load(struct setup_limits *l, struct ui *ui)
{
	struct pd_error err = {0};
	l->nshown = l->more = 0;
	if (refund_limits_each(ui->app->db, add_line, l, &err))
		snprintf(l->error, sizeof l->error, "%s", err.msg);
}

static void save(struct setup_limits *l, struct ui *ui)
{
	struct pd_error err = {0};
	char cur[8];
	snprintf(cur, sizeof cur, "%s", ui_form_value(&l->form, L_CURRENCY));
	for (int i = 0; cur[i]; i++)
		cur[i] = (char)tolower((unsigned char)cur[i]);
	const char *day = ui_form_value(&l->form, L_DAY);
	int64_t per = 0, daily = REFUND_NO_DAILY_LIMIT;
	int rc = money_currency_check(cur, cur, &err);
	if (!rc)
		rc = money_parse(ui_form_value(&l->form, L_PAYMENT), cur, &per, &err);
	if (!rc && *day)
		rc = money_parse(day, cur, &daily, &err);
	if (!rc)
		rc = auth_set_refund_limit(ui->app->db, &ui->app->session, cur, per, daily, &err);
	if (rc) {
		snprintf(l->error, sizeof l->error, "%s", err.msg);
		return;
	}
	struct refund_limit set = {.per_payment = per, .per_day = daily};
	memcpy(set.currency, cur, 4);
	char text[160]; /* short: the status line is 80 columns with its badge */
	ui_notify(ui, UI_NOTICE_INFO, "set: %s",
		  auth_refund_limit_describe(&set, text, sizeof text));
	for (int i = 0; i < L_COUNT; i++)
		textedit_set(&l->fields[i].edit, "");
	l->form.focus = L_CURRENCY;
	l->form.dirty = false;
	setup_limits_load(l, ui);
}

enum ui_result setup_limits_key(struct setup_limits *l, struct ui *ui, int key)
{
	if (key == UI_KEY_ESC)
		return UI_UNHANDLED;
	if (key == UI_KEY_ENTER) {
		if (l->form.focus < L_COUNT - 1)
			ui_form_key(&l->form, '\t');
		else
			save(l, ui);
		return UI_HANDLED;
	}
	l->error[0] = '\0';
	return ui_form_key(&l->form, key) != UI_UNHANDLED || (key >= 0x20 && key < 0x7f)
		       ? UI_HANDLED
		       : UI_UNHANDLED;
}

void setup_limits_draw(struct setup_limits *l, struct ui_rect a)
{
	int y = a.y, x = a.x + 2, w = a.w - 4;
	ui_put(y++, x, w, ROLE_TITLE,
	       "Staff refund limits (a currency without one: staff cannot refund in it)", false);
	if (!l->nshown)
		ui_put(y++, x, w, ROLE_WARNING, "none set: staff cannot refund", false);
	for (int i = 0; i < l->nshown; i++)
		ui_put(y++, x, w, ROLE_NORMAL, l->shown[i], false);
	if (l->more) {
		char more[48];
		snprintf(more, sizeof more, "… and %d more (paydesk users refund-limit)", l->more);
		ui_put(y++, x, w, ROLE_NORMAL, more, false);
	}
	y++;
	ui_form_draw(&l->form, (struct ui_rect){y, x, L_COUNT + 1, w});
	int cy, cx;
	getyx(stdscr, cy, cx);
	y += L_COUNT + 1;
	if (l->error[0])
		ui_put(y, x, w, ROLE_ERROR, l->error, false);
	ui_put(y + 1, x, w, ROLE_HELP_KEY,
	       "Tab/Enter: next field, Enter on the last: set    Esc: back", false);
	move(cy, cx);
	curs_set(1);
}
