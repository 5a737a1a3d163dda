#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/money.h"
#include "paydesk/textcheck.h"
#include "subs_forms.h"
#include "widgets.h"

enum pp_mode { PP_NONE, PP_FORM, PP_WAIT };
enum {
	PF_NAME,
	PF_DESC,
	PF_FEATURES,
	PF_LIMITS,
	PF_AMOUNT,
	PF_CURRENCY,
	PF_INTERVAL,
	PF_EVERY,
	PF_N
};
#define EDIT_FIELDS (PF_LIMITS + 1) /* a plan's price cannot change: texts only */

static const char *const intervals[] = {"month", "year", "week", NULL};

struct plan_panel {
	struct ui *ui;
	enum pp_mode mode;
	struct ui_field fields[PF_N];
	struct ui_form form;
	bool form_ready;
	char form_error[600];
	int64_t edit_id; /* 0: a new plan */
	char title[300];
	uint64_t job; /* create / edit from the form */
	uint64_t archive_job;
};

struct plan_panel *plan_panel_new(struct ui *ui)
{
	struct plan_panel *p = calloc(1, sizeof *p);
	if (p)
		p->ui = ui;
	return p;
}

static void close_form(struct plan_panel *p)
{
	if (p->form_ready)
		ui_form_free(&p->form);
	p->form_ready = false;
	p->mode = PP_NONE;
}

void plan_panel_free(struct plan_panel **p)
{
	if (!*p)
		return;
	close_form(*p);
	free(*p);
	*p = NULL;
}

bool plan_panel_active(const struct plan_panel *p)
{
	return p && p->mode != PP_NONE;
}

bool plan_panel_editing(const struct plan_panel *p)
{
	return p && p->mode == PP_FORM && p->fields[p->form.focus].kind != UI_FIELD_CHOICE;
}

bool plan_panel_dirty(const struct plan_panel *p)
{
	return p && p->form_ready && p->form.dirty;
}

/* ---- validation on leaving a field ---------------------------------------- */

static int v_name(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	return ui_field_verdict(text_check("name", v, PLAN_NAME_MAX, true, false, &e), &e, msg,
	                        len);
}

static int v_text(const char *label, const char *v, char *msg, size_t len)
{
	struct pd_error e;
	return ui_field_verdict(text_check(label, v, PLAN_TEXT_MAX, false, false, &e), &e, msg,
	                        len);
}

static int v_desc(const char *v, char *msg, size_t len)
{
	return v_text("description", v, msg, len);
}

static int v_features(const char *v, char *msg, size_t len)
{
	return v_text("features", v, msg, len);
}

static int v_limits(const char *v, char *msg, size_t len)
{
	return v_text("limits", v, msg, len);
}

static int v_amount(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	/* The currency's decimals are checked again on submit. */
	if (!*v) {
		snprintf(msg, len, "the price per period, such as 49 or 49.50");
		return -1;
	}
	return ui_field_verdict(money_check(v, &e), &e, msg, len);
}

static int v_every(const char *v, char *msg, size_t len)
{
	if (*v && strlen(v) <= 3 && strspn(v, "0123456789") == strlen(v) && atoi(v) >= 1)
		return 0;
	snprintf(msg, len, "how many months / years / weeks between bills, 1 or more");
	return -1;
}

/* ---- opening -------------------------------------------------------------- */

static void text_fields(struct plan_panel *p)
{
	p->fields[PF_NAME] = (struct ui_field){
	    .label = "Name", .validate = v_name, .hint = "as clients see it on invoices"};
	p->fields[PF_DESC] =
	    (struct ui_field){.label = "Description", .validate = v_desc, .hint = "optional"};
	p->fields[PF_FEATURES] =
	    (struct ui_field){.label = "Features",
	                      .validate = v_features,
	                      .hint = "optional, such as: mail scanning, 1 box"};
	p->fields[PF_LIMITS] = (struct ui_field){
	    .label = "Limits", .validate = v_limits, .hint = "optional, such as: 50 items a month"};
}

void plan_panel_create(struct plan_panel *p)
{
	close_form(p);
	text_fields(p);
	p->fields[PF_AMOUNT] =
	    (struct ui_field){.label = "Amount",
	                      .validate = v_amount,
	                      .hint = "per period and unit, such as 49 or 49.50"};
	p->fields[PF_CURRENCY] = (struct ui_field){.label = "Currency", .validate = ui_validate_currency};
	p->fields[PF_INTERVAL] = (struct ui_field){.label = "Billed every",
	                                           .kind = UI_FIELD_CHOICE,
	                                           .choices = intervals,
	                                           .hint = "Space: month / year / week"};
	p->fields[PF_EVERY] = (struct ui_field){.label = "Interval count",
	                                        .validate = v_every,
	                                        .hint = "2 with month: every two months"};
	ui_form_init(&p->form, p->fields, PF_N, PLAN_TEXT_MAX * 4);
	p->form_ready = true;
	textedit_set(&p->fields[PF_CURRENCY].edit, p->ui->app->cfg.currency);
	textedit_set(&p->fields[PF_EVERY].edit, "1");
	p->form.dirty = false;
	p->form_error[0] = '\0';
	p->edit_id = 0;
	snprintf(p->title, sizeof p->title, "New plan (a Stripe product with a recurring price)");
	p->mode = PP_FORM;
}

void plan_panel_edit(struct plan_panel *p, const struct plan *pl)
{
	close_form(p);
	text_fields(p);
	ui_form_init(&p->form, p->fields, EDIT_FIELDS, PLAN_TEXT_MAX * 4);
	p->form_ready = true;
	textedit_set(&p->fields[PF_NAME].edit, pl->name);
	textedit_set(&p->fields[PF_DESC].edit, pl->description);
	textedit_set(&p->fields[PF_FEATURES].edit, pl->features);
	textedit_set(&p->fields[PF_LIMITS].edit, pl->limits);
	p->form.dirty = false;
	p->form_error[0] = '\0';
	p->edit_id = pl->id;
	char money[64], every[48];
	money_format(pl->amount, pl->currency, money, sizeof money);
	plans_interval_words(pl->interval, pl->interval_count, every, sizeof every);
	snprintf(p->title, sizeof p->title, "Edit plan · %s %s (a price never changes)", money,
	         every);
	p->mode = PP_FORM;
}

/* ---- submitting ----------------------------------------------------------- */

struct pending {
	struct plan_panel *p;
	struct subs_job_request req;
	bool from_form;
};

static void confirmed(struct ui *ui, void *ctx)
{
	struct pending *pd = ctx; /* a confirmed dialog hands its ctx to the callback */
	uint64_t id = subs_ui_submit(ui, &pd->req);
	if (id && pd->from_form) {
		pd->p->job = id;
		pd->p->mode = PP_WAIT;
	} else if (id) {
		pd->p->archive_job = id;
		ui_notify(ui, UI_NOTICE_INFO, "sent to Stripe…");
	}
	free(pd);
}

/* plans_check's message names the field it is about. */
static void blame(struct plan_panel *p, const char *msg)
{
	static const struct {
		const char *prefix;
		int field;
	} map[] = {{"name", PF_NAME},           {"description", PF_DESC},
	           {"features", PF_FEATURES},   {"limits", PF_LIMITS},
	           {"currency", PF_CURRENCY},   {"amount", PF_AMOUNT},
	           {"interval count", PF_EVERY}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strncmp(msg, map[i].prefix, strlen(map[i].prefix)) &&
		    map[i].field < p->form.n) {
			snprintf(p->fields[map[i].field].error, sizeof p->fields[0].error, "%.400s",
			         msg);
			p->form.focus = map[i].field;
			break;
		}
	snprintf(p->form_error, sizeof p->form_error, "not sent: %.500s", msg);
}

static void copy_texts(const struct plan_panel *p, struct subs_plan_fields *f)
{
	snprintf(f->name, sizeof f->name, "%s", ui_form_value(&p->form, PF_NAME));
	snprintf(f->description, sizeof f->description, "%s", ui_form_value(&p->form, PF_DESC));
	snprintf(f->features, sizeof f->features, "%s", ui_form_value(&p->form, PF_FEATURES));
	snprintf(f->limits, sizeof f->limits, "%s", ui_form_value(&p->form, PF_LIMITS));
}

static void submit(struct plan_panel *p)
{
	int bad = ui_form_validate(&p->form);
	if (bad >= 0) {
		p->form.focus = bad;
		snprintf(p->form_error, sizeof p->form_error, "%s: %.500s", p->fields[bad].label,
		         p->fields[bad].error);
		return;
	}
	struct pending *pd = calloc(1, sizeof *pd);
	if (!pd)
		return;
	pd->p = p;
	pd->from_form = true;
	struct subs_plan_fields *f = &pd->req.plan;
	copy_texts(p, f);
	char body[800];
	struct ui_dialog_spec spec = {
	    .body = body, .on_confirm = confirmed, .ctx = pd, .free_ctx = free};
	if (p->edit_id) {
		pd->req.op = SUBS_OP_PLAN_EDIT;
		pd->req.plan_id = p->edit_id;
		snprintf(body, sizeof body, "Save the plan %.150s at Stripe?\n%.300s", f->name,
		         p->title);
		spec.title = "Save the plan?";
		spec.confirm_label = "save";
	} else {
		pd->req.op = SUBS_OP_PLAN_CREATE;
		for (int i = 0; i < 3; i++)
			f->currency[i] = (char)(ui_form_value(&p->form, PF_CURRENCY)[i] | 0x20);
		snprintf(f->interval, sizeof f->interval, "%s",
		         intervals[p->fields[PF_INTERVAL].choice]);
		f->interval_count = atoi(ui_form_value(&p->form, PF_EVERY));
		struct pd_error err = {0};
		struct plan_input in = {f->name, f->description, f->features, f->limits,
		                        0,       f->currency,    f->interval, f->interval_count};
		int rc =
		    money_parse(ui_form_value(&p->form, PF_AMOUNT), f->currency, &in.amount, &err);
		char why[600];
		if (rc)
			snprintf(why, sizeof why, "amount: %s", err.msg);
		else if ((rc = plans_check(&in, &err)) != PD_OK)
			snprintf(why, sizeof why, "%s", err.msg);
		if (rc) {
			blame(p, why);
			free(pd);
			return;
		}
		f->amount = in.amount;
		char every[48];
		plans_interval_words(f->interval, f->interval_count, every, sizeof every);
		snprintf(body, sizeof body, "Create the plan %.150s, billed %s?\n%s%.200s", f->name,
		         every, f->features[0] ? "Features: " : "", f->features);
		spec.title = "Create this plan?";
		spec.confirm_label = "create";
		spec.money = true;
		spec.amount = f->amount;
		spec.currency = f->currency;
	}
	ui_dialog_open(p->ui, &spec);
}

void plan_panel_archive(struct plan_panel *p, const struct plan *pl)
{
	struct pending *pd = calloc(1, sizeof *pd);
	if (!pd)
		return;
	pd->p = p;
	pd->req.op = pl->active ? SUBS_OP_PLAN_ARCHIVE : SUBS_OP_PLAN_RESTORE;
	pd->req.plan_id = pl->id;
	char body[500];
	snprintf(body, sizeof body, "%s %.150s?\n%s", pl->active ? "Archive" : "Restore", pl->name,
	         pl->active ? "No new subscriptions can use it; the existing ones go on."
	                    : "New subscriptions can use it again.");
	ui_dialog_open(p->ui, &(struct ui_dialog_spec){
	                          .title = pl->active ? "Archive the plan?" : "Restore the plan?",
	                          .body = body,
	                          .confirm_label = pl->active ? "archive" : "restore",
	                          .on_confirm = confirmed,
	                          .ctx = pd,
	                          .free_ctx = free});
}

bool plan_panel_job_done(struct plan_panel *p, const struct jobs_completion *c)
{
	bool ok = c->status == JOBS_DONE;
	if (p->archive_job && c->id == p->archive_job) {
		p->archive_job = 0;
		ui_notify(p->ui, ok ? UI_NOTICE_INFO : UI_NOTICE_ERROR, "%s", c->result);
		return true;
	}
	if (!p->job || c->id != p->job)
		return false;
	p->job = 0;
	ui_notify(p->ui, ok ? UI_NOTICE_INFO : UI_NOTICE_ERROR, "%s", c->result);
	if (ok) {
		if (p->mode == PP_WAIT)
			close_form(p);
	} else if (p->mode == PP_WAIT) {
		p->mode = PP_FORM; /* what was typed is still there */
		snprintf(p->form_error, sizeof p->form_error, "not saved: %.500s", c->result);
	}
	return true;
}

/* ---- keys and drawing ----------------------------------------------------- */

static void discard(struct ui *ui, void *ctx)
{
	(void)ui;
	close_form(ctx);
}

enum ui_result plan_panel_key(struct plan_panel *p, int k)
{
	if (!plan_panel_active(p))
		return UI_UNHANDLED;
	if (p->mode == PP_WAIT)
		return UI_UNHANDLED; /* the form waits for Stripe's answer */
	if (k == UI_KEY_ESC) {
		if (p->form.dirty)
			ui_dialog_open(p->ui,
			               &(struct ui_dialog_spec){
			                   .title = "Discard the form?",
			                   .body = "What you typed in this form will be lost.",
			                   .confirm_label = "discard",
			                   .on_confirm = discard,
			                   .ctx = p});
		else
			close_form(p);
		return UI_HANDLED;
	}
	if (k == UI_CTRL('s') || (k == UI_KEY_ENTER && p->form.focus == p->form.n - 1)) {
		p->form_error[0] = '\0';
		submit(p);
		return UI_HANDLED;
	}
	if (k == UI_KEY_ENTER)
		k = '\t';
	ui_form_key(&p->form, k);
	p->form_error[0] = '\0';
	return UI_HANDLED;
}

void plan_panel_draw(struct plan_panel *p, struct ui_rect a)
{
	int x = a.x + 2, w = a.w - 4, y = a.y + 1;
	ui_put(y, x, w, ROLE_TITLE, p->title, false);
	y += 2;
	p->form.inactive = p->mode == PP_WAIT;
	ui_form_draw(&p->form, (struct ui_rect){y, x, a.h - 6, w});
	int cy, cx;
	getyx(stdscr, cy, cx);
	if (p->mode == PP_WAIT) {
		static const char spin[] = "|/-\\";
		ui_putf(a.y + a.h - 3, x, w, ROLE_PROGRESS, "%c Sending to Stripe…",
		        spin[p->ui->spinner % 4]);
	} else if (p->form_error[0]) {
		ui_put(a.y + a.h - 3, x, w, ROLE_ERROR, p->form_error, false);
	}
	ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY,
	       p->mode == PP_WAIT
	           ? "waiting for Stripe…"
	           : "Tab/Enter: next field (Enter on the last continues)  Ctrl-S  Esc: cancel",
	       false);
	move(cy, cx);
}
