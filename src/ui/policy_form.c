#include "policy_form.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/money.h"
#include "paydesk/number.h"
#include "paydesk/policies.h"
#include "widgets.h"

enum { PF_DEPOSIT, PF_REQUIRED, PF_HOLD, PF_WINDOW, PF_LATE_FEE, PF_NO_SHOW_FEE, PF_CURRENCY,
       PF_IN_TIME, PF_LATE, PF_COUNT };

static const char *const yes_no[] = {"no", "yes", NULL};
static const char *const rules[] = {"refund", "keep-deposit", "keep-all", NULL};

struct policy_form {
	struct ui *ui;
	bool open;
	struct service service; /* id 0: the business default */
	bool has_own;           /* a policy is stored for it (Ctrl-R can remove it) */
	struct ui_field fields[PF_COUNT];
	struct ui_form form;
	char error[600];
	struct booking_policy pending; /* what y saves */
};

struct policy_form *policy_form_new(struct ui *ui)
{
	struct policy_form *f = calloc(1, sizeof *f);
	if (f)
		f->ui = ui;
	return f;
}

static void close_form(struct policy_form *f)
{
	if (f->open)
		ui_form_free(&f->form);
	f->open = false;
}

void policy_form_free(struct policy_form **f)
{
	if (!*f)
		return;
	close_form(*f);
	free(*f);
	*f = NULL;
}

bool policy_form_active(const struct policy_form *f)
{
	return f && f->open;
}

bool policy_form_editing(const struct policy_form *f)
{
	return f && f->open && f->fields[f->form.focus].kind != UI_FIELD_CHOICE;
}

static int v_amount(const char *v, char *msg, size_t len)
{
	struct policy_amount a;
	struct pd_error err = {0};
	/* The shape only: the currency's own rules apply on save. */
	if (policy_amount_parse(v, strchr(v, '%') ? NULL : "eur", &a, &err) != PD_OK) {
		snprintf(msg, len, "%.190s", err.msg);
		return -1;
	}
	return 0;
}

static int v_window(const char *v, char *msg, size_t len)
{
	int64_t h;
	struct pd_error err = {0};
	int rc = number_parse(v, "the window", 0, POLICY_WINDOW_MAX_HOURS, &h, &err);
	if (rc)
		snprintf(msg, len, "hours before the start, 0 to %d", POLICY_WINDOW_MAX_HOURS);
	return rc ? -1 : 0;
}

static int v_currency(const char *v, char *msg, size_t len)
{
	if (!*v || (strlen(v) == 3 && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3))
		return 0;
	snprintf(msg, len, "a three-letter code such as EUR, or empty for percentages only");
	return -1;
}

/* A percentage typed back: "20%", "12.5%" ("" for none). */
static void amount_typed(const struct policy_amount *a, char *out, size_t len)
{
	out[0] = '\0';
	if (a->kind == POLICY_AMOUNT_PERCENT) {
		policy_amount_format(a, NULL, out, len);
		char *sp = strchr(out, ' ');
		if (sp)
			memmove(sp, sp + 1, strlen(sp));
	}
}

static void fixed_typed(const struct policy_amount *a, const char *currency, char *out,
			size_t len)
{
	if (a->kind != POLICY_AMOUNT_FIXED) {
		amount_typed(a, out, len);
		return;
	}
	int e = money_exponent(currency);
	int64_t div = e == 0 ? 1 : e == 3 ? 1000 : 100;
	if (e == 0)
		snprintf(out, len, "%lld", (long long)a->value);
	else
		snprintf(out, len, "%lld.%0*lld", (long long)(a->value / div), e,
			 (long long)(a->value % div));
}

void policy_form_open(struct policy_form *f, const struct service *s)
{
	close_form(f);
	memset(&f->service, 0, sizeof f->service);
	if (s)
		f->service = *s;
	struct booking_policy p;
	f->has_own = policies_get(f->ui->app->db, f->service.id, &p, NULL) == PD_OK;
	if (!f->has_own) {
		policy_none(&p);
		if (s)
			snprintf(p.currency, sizeof p.currency, "%s", s->currency);
	}
	f->fields[PF_DEPOSIT] = (struct ui_field){.label = "Deposit", .validate = v_amount,
						  .hint = "20% of the price, an amount (9.00), or none"};
	f->fields[PF_REQUIRED] = (struct ui_field){
		.label = "Deposit required", .kind = UI_FIELD_CHOICE, .choices = yes_no,
		.hint = "yes: the booking waits for it (awaiting payment)"};
	f->fields[PF_HOLD] = (struct ui_field){.label = "Hold a card", .kind = UI_FIELD_CHOICE,
					       .choices = yes_no,
					       .hint = "a card saved on file for fees (save-card link)"};
	f->fields[PF_WINDOW] = (struct ui_field){.label = "Window (hours)", .validate = v_window,
						 .hint = "cancelling later than this before the start is late"};
	f->fields[PF_LATE_FEE] = (struct ui_field){.label = "Late-cancel fee", .validate = v_amount,
						   .hint = "50%, an amount, or none"};
	f->fields[PF_NO_SHOW_FEE] = (struct ui_field){.label = "No-show fee", .validate = v_amount,
						      .hint = "100%, an amount, or none"};
	f->fields[PF_CURRENCY] = (struct ui_field){.label = "Currency", .validate = v_currency,
						   .hint = "of the amounts (not of percentages)"};
	f->fields[PF_IN_TIME] = (struct ui_field){.label = "Paid, in time", .kind = UI_FIELD_CHOICE,
						  .choices = rules,
						  .hint = "money paid when cancelled in time"};
	f->fields[PF_LATE] = (struct ui_field){.label = "Paid, late", .kind = UI_FIELD_CHOICE,
					       .choices = rules,
					       .hint = "money paid when cancelled late"};
	ui_form_init(&f->form, f->fields, PF_COUNT, 32);
	char buf[48];
	fixed_typed(&p.deposit, p.currency, buf, sizeof buf);
	textedit_set(&f->fields[PF_DEPOSIT].edit, buf[0] ? buf : "none");
	f->fields[PF_REQUIRED].choice = p.deposit_required;
	f->fields[PF_HOLD].choice = p.hold_card;
	snprintf(buf, sizeof buf, "%d", p.cancel_window_hours);
	textedit_set(&f->fields[PF_WINDOW].edit, buf);
	fixed_typed(&p.late_fee, p.currency, buf, sizeof buf);
	textedit_set(&f->fields[PF_LATE_FEE].edit, buf[0] ? buf : "none");
	fixed_typed(&p.no_show_fee, p.currency, buf, sizeof buf);
	textedit_set(&f->fields[PF_NO_SHOW_FEE].edit, buf[0] ? buf : "none");
	textedit_set(&f->fields[PF_CURRENCY].edit, p.currency);
	f->fields[PF_IN_TIME].choice = (int)p.in_time;
	f->fields[PF_LATE].choice = (int)p.late;
	f->form.dirty = false;
	f->error[0] = '\0';
	f->open = true;
}

/* The form as a policy, checked: 0, or -1 with the field focused and said. */
static int read_form(struct policy_form *f, struct booking_policy *p)
{
	struct pd_error err = {0};
	policy_none(p);
	p->service_id = f->service.id;
	const char *cur = ui_form_value(&f->form, PF_CURRENCY);
	for (int i = 0; i < 3 && cur[i]; i++)
		p->currency[i] = (char)(cur[i] | 0x20);
	const char *c = p->currency[0] ? p->currency : NULL;
	static const int amounts[] = {PF_DEPOSIT, PF_LATE_FEE, PF_NO_SHOW_FEE};
	struct policy_amount *dest[] = {&p->deposit, &p->late_fee, &p->no_show_fee};
	for (int i = 0; i < 3; i++)
		if (policy_amount_parse(ui_form_value(&f->form, amounts[i]), c, dest[i], &err)) {
			f->form.focus = amounts[i];
			snprintf(f->error, sizeof f->error, "%s: %.400s", f->fields[amounts[i]].label,
				 err.msg);
			return -1;
		}
	int64_t h = 24;
	number_parse(ui_form_value(&f->form, PF_WINDOW), "the window", 0, POLICY_WINDOW_MAX_HOURS,
		     &h, NULL);
	p->cancel_window_hours = (int)h;
	p->deposit_required = f->fields[PF_REQUIRED].choice == 1;
	p->hold_card = f->fields[PF_HOLD].choice == 1;
	p->in_time = (enum policy_money_rule)f->fields[PF_IN_TIME].choice;
	p->late = (enum policy_money_rule)f->fields[PF_LATE].choice;
	if (policy_check(p, &err)) {
		snprintf(f->error, sizeof f->error, "%.500s", err.msg);
		return -1;
	}
	return 0;
}

static void saved_yes(struct ui *ui, void *ctx)
{
	struct policy_form *f = ctx;
	struct pd_error err = {0};
	if (policy_set(ui->app->db, &ui->app->session, &f->pending, &err) != PD_OK) {
		snprintf(f->error, sizeof f->error, "not saved: %.500s", err.msg);
		return;
	}
	ui_notify(ui, UI_NOTICE_INFO, "booking policy of %s saved (version %lld)",
		  f->service.id ? f->service.name : "the business",
		  (long long)f->pending.version);
	close_form(f);
}

static void removed_yes(struct ui *ui, void *ctx)
{
	struct policy_form *f = ctx;
	struct pd_error err = {0};
	if (policy_remove(ui->app->db, &ui->app->session, f->service.id, &err) != PD_OK) {
		snprintf(f->error, sizeof f->error, "not removed: %.500s", err.msg);
		return;
	}
	ui_notify(ui, UI_NOTICE_INFO, "%s: own policy removed%s",
		  f->service.id ? f->service.name : "business default",
		  f->service.id ? ", the business default applies" : "");
	close_form(f);
}

static void ask_save(struct policy_form *f)
{
	if (ui_form_validate(&f->form) >= 0 || read_form(f, &f->pending))
		return;
	char summary[700], text[POLICY_TEXT_MAX + 1], body[1500];
	policy_summary(&f->pending, f->service.id ? f->service.name : NULL, summary,
		       sizeof summary);
	if (f->service.id)
		policy_describe(&f->pending, f->service.price, f->service.currency, text,
				sizeof text);
	else
		policy_describe(&f->pending, 0, f->pending.currency[0] ? f->pending.currency : "eur",
				text, sizeof text);
	snprintf(body, sizeof body, "%s\n\n%s%s", summary,
		 f->service.id ? "Clients are shown: " : "", f->service.id ? text : "");
	ui_dialog_open(f->ui, &(struct ui_dialog_spec){.title = "Save the booking policy?",
						      .body = body, .confirm_label = "save",
						      .on_confirm = saved_yes, .ctx = f});
}

static void ask_remove(struct policy_form *f)
{
	if (!f->has_own) {
		snprintf(f->error, sizeof f->error, "%s has no policy of its own to remove",
			 f->service.id ? f->service.name : "the business");
		return;
	}
	char body[500];
	snprintf(body, sizeof body, "Remove the booking policy of %s?%s",
		 f->service.id ? f->service.name : "the business (the default)",
		 f->service.id ? "\nThe business default applies to it then." : "");
	ui_dialog_open(f->ui, &(struct ui_dialog_spec){.title = "Remove the policy?",
						      .body = body, .confirm_label = "remove",
						      .on_confirm = removed_yes, .ctx = f});
}

enum ui_result policy_form_key(struct policy_form *f, int key)
{
	if (!f->open || key == UI_CTRL('c'))
		return UI_UNHANDLED;
	if (key == UI_KEY_ESC) {
		close_form(f);
		ui_notify(f->ui, UI_NOTICE_INFO, "booking policy: nothing changed");
		return UI_HANDLED;
	}
	if (key == UI_CTRL('s') || (key == UI_KEY_ENTER && f->form.focus == PF_COUNT - 1)) {
		ask_save(f);
		return UI_HANDLED;
	}
	if (key == UI_CTRL('r')) {
		ask_remove(f);
		return UI_HANDLED;
	}
	if (key == UI_KEY_ENTER)
		key = '\t';
	f->error[0] = '\0';
	ui_form_key(&f->form, key);
	return UI_HANDLED;
}

void policy_form_draw(struct policy_form *f, struct ui_rect a)
{
	char title[500];
	snprintf(title, sizeof title, "Booking policy \u00b7 %s%s",
		 f->service.id ? f->service.name : "business default",
		 f->has_own ? "" : f->service.id ? " (follows the default now)" : " (none set)");
	ui_put(a.y + 1, a.x + 2, a.w - 4, ROLE_TITLE, title, false);
	ui_form_draw(&f->form, (struct ui_rect){a.y + 3, a.x + 2, a.h - 7, a.w - 4});
	int cy, cx;
	getyx(stdscr, cy, cx);
	if (f->error[0])
		ui_put(a.y + a.h - 3, a.x + 2, a.w - 4, ROLE_ERROR, f->error, false);
	ui_put(a.y + a.h - 1, a.x + 2, a.w - 4, ROLE_HELP_KEY,
	       "Tab: next field   Ctrl-S: save   Ctrl-R: remove   Esc: back", false);
	move(cy, cx);
}
