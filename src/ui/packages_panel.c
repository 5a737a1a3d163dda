/* The client's packages and credit on the visit history: the lines, the
 * sell form and the refund dialog. The store is read by pkg_panel_reload
 * only; money moves after the dialog's y (desk tenders here, Stripe on a
 * worker job). */
#include "packages_panel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/money.h"
#include "paydesk/packages.h"
#include "paydesk/payments_desk.h"
#include "paydesk/payments_job.h"
#include "paydesk/textcheck.h"
#include "pay_panel.h"
#include "widgets.h"

enum { SF_PACKAGE, SF_TENDER, SF_NOTE, SF_COUNT };

#define PKG_CHOICES_MAX 32

static const char *const tender_choices[] = {"cash", "cheque", "gift voucher",
					     "other card machine",
					     "card saved on the client (Stripe)",
					     "pay link (URL + QR code, Stripe)",
					     "card reader (Stripe Terminal)", NULL};
static const enum payrow_method tenders[] = {PAYROW_CASH,     PAYROW_CHEQUE, PAYROW_VOUCHER,
					     PAYROW_TERMINAL, PAYROW_CARD,   PAYROW_LINK,
					     PAYROW_READER};

struct pkg_panel {
	struct ui *ui;
	int64_t client_id;
	struct client_package *sales;
	size_t nsales;
	struct package *sold; /* what is sold now (active) */
	size_t nsold;
	char *choice_text[PKG_CHOICES_MAX + 1];
	char error[300];
	bool form_open;
	struct ui_field fields[SF_COUNT];
	struct ui_form form;
	uint64_t job;
	/* A link or reader sale waiting for Stripe: its end is told when a
	 * reload finds it settled (the watch runs on its own jobs). */
	int64_t watch_sale;
};

struct pkg_panel *pkg_panel_new(struct ui *ui)
{
	struct pkg_panel *p = calloc(1, sizeof *p);
	if (p)
		p->ui = ui;
	return p;
}

static void free_choices(struct pkg_panel *p)
{
	for (int i = 0; i < PKG_CHOICES_MAX; i++) {
		free(p->choice_text[i]);
		p->choice_text[i] = NULL;
	}
}

static void close_form(struct pkg_panel *p)
{
	if (p->form_open)
		ui_form_free(&p->form);
	p->form_open = false;
}

void pkg_panel_free(struct pkg_panel **pp)
{
	struct pkg_panel *p = *pp;
	if (!p)
		return;
	close_form(p);
	free_choices(p);
	free(p->sales);
	free(p->sold);
	free(p);
	*pp = NULL;
}

void pkg_panel_reload(struct pkg_panel *p, int64_t client_id)
{
	p->client_id = client_id;
	free(p->sales);
	free(p->sold);
	p->sales = NULL;
	p->sold = NULL;
	p->nsales = p->nsold = 0;
	p->error[0] = '\0';
	struct pd_error err = {0};
	if (cpkg_list(p->ui->app->db, client_id, &p->sales, &p->nsales, &err) ||
	    packages_list(p->ui->app->db, true, &p->sold, &p->nsold, &err))
		snprintf(p->error, sizeof p->error, "%.290s", err.msg);
	for (size_t i = 0; p->watch_sale && i < p->nsales; i++) {
		const struct client_package *c = &p->sales[i];
		if (c->id != p->watch_sale || c->state == CPKG_PENDING || c->state == CPKG_UNKNOWN)
			continue;
		char money[64];
		money_format(c->price, c->currency, money, sizeof money);
		if (c->state == CPKG_ACTIVE)
			ui_notify(p->ui, UI_NOTICE_INFO, "Sold %s for %s: %s.", c->name, money,
				  c->message);
		else
			ui_notify(p->ui, UI_NOTICE_ERROR, "%s was not sold: %s", c->name, c->message);
		p->watch_sale = 0;
	}
}

/* The sale waiting for the client (link) or the reader, newest first. */
static const struct client_package *waiting_sale(const struct pkg_panel *p, const char *collect)
{
	for (size_t i = 0; p && i < p->nsales; i++)
		if (p->sales[i].state == CPKG_PENDING && strcmp(p->sales[i].collect, collect) == 0)
			return &p->sales[i];
	return NULL;
}

const char *pkg_panel_open_link(const struct pkg_panel *p)
{
	const struct client_package *c = waiting_sale(p, "link");
	return c && c->url[0] ? c->url : NULL;
}

bool pkg_panel_on_reader(const struct pkg_panel *p)
{
	return waiting_sale(p, "reader") != NULL;
}

void pkg_panel_tap(struct pkg_panel *p)
{
	const struct client_package *c = waiting_sale(p, "reader");
	if (!c)
		return;
	struct pay_job_request req = {.op = PAY_OP_PACKAGE_TAP, .id = c->id};
	p->job = pay_panel_submit(p->ui, &req);
	if (p->job)
		ui_notify(p->ui, UI_NOTICE_INFO, "tapping a test card on the simulated reader…");
	p->watch_sale = c->id;
}

void pkg_panel_stop(struct pkg_panel *p)
{
	const struct client_package *c = waiting_sale(p, "reader");
	if (!c)
		return;
	struct pay_job_request req = {.op = PAY_OP_PACKAGE_CANCEL, .id = c->id};
	p->job = pay_panel_submit(p->ui, &req);
	p->watch_sale = c->id;
}

int pkg_panel_draw_lines(const struct pkg_panel *p, int y, int x, int w, int max)
{
	if (p->error[0]) {
		ui_put(y, x, w, ROLE_ERROR, p->error, false);
		return 1;
	}
	int64_t now = (int64_t)time(NULL);
	int rows = 0;
	char line[1000], left[300], refund[64];
	for (size_t i = 0; i < p->nsales && rows < max; i++) {
		const struct client_package *c = &p->sales[i];
		if (c->state == CPKG_FAILED)
			continue; /* a declined sale is in the audit log, not something held */
		cpkg_describe(c, now, left, sizeof left);
		int64_t due = cpkg_refund_due(c);
		const char *waiting = "";
		if (c->state == CPKG_PENDING && strcmp(c->collect, "link") == 0)
			waiting = " · pay link open: Q shows its QR code, C copies it";
		else if (c->state == CPKG_PENDING && strcmp(c->collect, "reader") == 0)
			waiting = strcmp(p->ui->mode, "test") == 0
					  ? " · on the reader: t taps a test card, K stops it"
					  : " · on the reader: K stops it";
		snprintf(line, sizeof line, "%s: %s%s%s%s", c->name, left,
			 due && !cpkg_usable(c, now) ? " · refundable " : "",
			 due && !cpkg_usable(c, now) ? money_format(due, c->currency, refund,
								    sizeof refund)
						     : "",
			 waiting);
		ui_put(y + rows++, x, w, cpkg_usable(c, now) ? ROLE_NORMAL : ROLE_DIM, line, false);
	}
	if (rows == 0) {
		ui_put(y, x, w, ROLE_DIM,
		       p->nsold ? "No package or credit: b sells one." : "No package or credit.",
		       false);
		rows = 1;
	}
	return rows;
}

bool pkg_panel_form_open(const struct pkg_panel *p)
{
	return p && p->form_open;
}

static int v_note(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	if (text_check("note", v, PAYMENTS_DESK_NOTE_MAX, false, false, &e) == 0)
		return 0;
	snprintf(msg, len, "%.190s", e.msg);
	return -1;
}

void pkg_panel_sell(struct pkg_panel *p)
{
	if (p->nsold == 0) {
		ui_notify(p->ui, UI_NOTICE_ERROR,
			  "no package is sold yet: an admin defines them (paydesk packages define)");
		return;
	}
	close_form(p);
	free_choices(p);
	size_t n = p->nsold < PKG_CHOICES_MAX ? p->nsold : PKG_CHOICES_MAX;
	for (size_t i = 0; i < n; i++) {
		const struct package *k = &p->sold[i];
		char price[64], what[400], credit[64], text[800];
		money_format(k->price, k->currency, price, sizeof price);
		if (k->kind == PACKAGE_VISITS)
			snprintf(what, sizeof what, "%lld visits of %s", (long long)k->visits,
				 k->service);
		else
			snprintf(what, sizeof what, "credit %s",
				 money_format(k->credit, k->currency, credit, sizeof credit));
		snprintf(text, sizeof text, "%s · %s · %s", k->name, what, price);
		p->choice_text[i] = strdup(text);
	}
	p->fields[SF_PACKAGE] = (struct ui_field){.label = "Package", .kind = UI_FIELD_CHOICE,
						  .choices = (const char *const *)p->choice_text,
						  .hint = "Space / arrows: next package"};
	p->fields[SF_TENDER] = (struct ui_field){.label = "Paid by", .kind = UI_FIELD_CHOICE,
						 .choices = tender_choices,
						 .hint = "Space / arrows: next choice"};
	p->fields[SF_NOTE] = (struct ui_field){
		.label = "Note", .validate = v_note,
		.hint = "cheque no., voucher code, slip no. (optional)"};
	ui_form_init(&p->form, p->fields, SF_COUNT, 64);
	p->form_open = true;
	p->error[0] = '\0';
}

struct sale_ctx {
	struct pkg_panel *panel;
	int64_t package, sale;
	enum payrow_method tender;
	char note[PAYMENTS_DESK_NOTE_MAX * 4 + 1];
};

static void reload_screen(struct ui *ui)
{
	if (ui_screens[ui->tab]->reload)
		ui_screens[ui->tab]->reload(ui->state[ui->tab], ui);
}

static void sell_confirmed(struct ui *ui, void *arg)
{
	struct sale_ctx *s = arg;
	struct pkg_panel *p = s->panel;
	if (s->tender == PAYROW_CARD || s->tender == PAYROW_LINK || s->tender == PAYROW_READER) {
		struct pay_job_request req = {.op = PAY_OP_PACKAGE_SELL, .id = p->client_id,
					      .package = s->package};
		snprintf(req.collect, sizeof req.collect, "%s",
			 s->tender == PAYROW_LINK     ? "link"
			 : s->tender == PAYROW_READER ? "reader"
						      : "");
		p->watch_sale = -1; /* the sale the job makes: the newest pending one */
		p->job = pay_panel_submit(ui, &req);
		if (p->job)
			ui_notify(ui, UI_NOTICE_INFO, "sent to Stripe…");
		return;
	}
	char msg[600];
	struct pd_error err = {0};
	if (packages_sell_desk(ui->app->db, &ui->app->session, s->package, p->client_id, s->tender,
			       s->note, NULL, msg, sizeof msg, &err))
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
	else
		ui_notify(ui, UI_NOTICE_INFO, "%s", msg);
	reload_screen(ui);
}

static void submit(struct pkg_panel *p)
{
	int bad = ui_form_validate(&p->form);
	if (bad >= 0) {
		snprintf(p->error, sizeof p->error, "%s: %.250s", p->fields[bad].label,
			 p->fields[bad].error);
		return;
	}
	int pick = p->fields[SF_PACKAGE].choice;
	int how = p->fields[SF_TENDER].choice;
	if (pick < 0 || (size_t)pick >= p->nsold)
		return;
	const struct package *k = &p->sold[pick];
	struct sale_ctx *s = calloc(1, sizeof *s);
	if (!s)
		return;
	s->panel = p;
	s->package = k->id;
	s->tender = tenders[how];
	snprintf(s->note, sizeof s->note, "%s", ui_form_value(&p->form, SF_NOTE));
	char body[900];
	snprintf(body, sizeof body, "Sell %s\nPaid by %s.%s%s", p->choice_text[pick],
		 tender_choices[how], s->note[0] ? "\nNote: " : "", s->note);
	close_form(p);
	ui_dialog_open(p->ui, &(struct ui_dialog_spec){
				      .title = "Sell this package?", .body = body, .money = true,
				      .amount = k->price, .currency = k->currency,
				      .confirm_label = s->tender == PAYROW_CARD     ? "charge"
						       : s->tender == PAYROW_LINK   ? "make the link"
						       : s->tender == PAYROW_READER ? "send to reader"
										    : "record sale",
				      .on_confirm = sell_confirmed, .ctx = s, .free_ctx = free});
}

enum ui_result pkg_panel_key(struct pkg_panel *p, int key)
{
	if (!p->form_open)
		return UI_UNHANDLED;
	if (key == UI_KEY_ESC) {
		close_form(p);
		return UI_HANDLED;
	}
	if (key == UI_CTRL('s') || (key == UI_KEY_ENTER && p->form.focus == SF_COUNT - 1)) {
		submit(p);
		return UI_HANDLED;
	}
	if (key == UI_KEY_ENTER)
		key = '\t';
	p->error[0] = '\0';
	ui_form_key(&p->form, key);
	return UI_HANDLED;
}

void pkg_panel_draw_form(struct pkg_panel *p, struct ui_rect a)
{
	int y = a.y + 1;
	ui_put(y, a.x + 2, a.w - 4, ROLE_TITLE, "Sell a package or credit", false);
	y += 2;
	ui_form_draw(&p->form, (struct ui_rect){y, a.x + 2, SF_COUNT * 2 + 2, a.w - 4});
	if (p->error[0])
		ui_put(a.y + a.h - 3, a.x + 2, a.w - 4, ROLE_ERROR, p->error, false);
	ui_put(a.y + a.h - 1, a.x + 2, a.w - 4, ROLE_HELP_KEY,
	       "Tab/Enter: next field   Ctrl-S: sell   Esc: cancel", false);
}

static void refund_confirmed(struct ui *ui, void *arg)
{
	struct sale_ctx *s = arg;
	struct pkg_panel *p = s->panel;
	if (s->tender == PAYROW_CARD) {
		struct pay_job_request req = {.op = PAY_OP_PACKAGE_REFUND, .id = s->sale};
		p->job = pay_panel_submit(ui, &req);
		if (p->job)
			ui_notify(ui, UI_NOTICE_INFO, "sent to Stripe…");
		return;
	}
	char msg[600];
	struct pd_error err = {0};
	struct pay_env e = {.db = ui->app->db, .who = &ui->app->session};
	if (packages_refund(&e, s->sale, msg, sizeof msg, &err))
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
	else
		ui_notify(ui, UI_NOTICE_INFO, "%s", msg);
	reload_screen(ui);
}

void pkg_panel_refund(struct pkg_panel *p)
{
	const struct client_package *c = NULL;
	for (size_t i = 0; i < p->nsales && !c; i++) /* newest first */
		if (cpkg_refund_due(&p->sales[i]) > 0)
			c = &p->sales[i];
	if (!c) {
		ui_notify(p->ui, UI_NOTICE_ERROR, "nothing to refund: no package has anything unused");
		return;
	}
	/* a staff limit is said before the confirm, not after the y */
	char why[400];
	packages_refund_check(p->ui->app->db, &p->ui->app->session, c->id, why, sizeof why);
	if (why[0]) {
		ui_notify(p->ui, UI_NOTICE_ERROR, "%s", why);
		return;
	}
	struct sale_ctx *s = calloc(1, sizeof *s);
	if (!s)
		return;
	s->panel = p;
	s->sale = c->id;
	bool card = strcmp(c->method, "card") == 0;
	s->tender = card ? PAYROW_CARD : PAYROW_CASH;
	char left[300], price[64], body[900];
	cpkg_describe(c, (int64_t)time(NULL), left, sizeof left);
	snprintf(body, sizeof body,
		 "Refund what is unused of %s (%s)?\nPaid %s by %s: the price times what is "
		 "unused.\n%s Nothing more can be drawn from it.",
		 c->name, left, money_format(c->price, c->currency, price, sizeof price), c->method,
		 card ? "Refunded to the card through Stripe." : "Handed back at the desk.");
	ui_dialog_open(p->ui, &(struct ui_dialog_spec){
				      .title = "Refund the package?", .body = body, .money = true,
				      .amount = cpkg_refund_due(c), .currency = c->currency,
				      .confirm_label = "refund", .on_confirm = refund_confirmed,
				      .ctx = s, .free_ctx = free});
}

void pkg_panel_job_done(struct pkg_panel *p, const struct jobs_completion *c)
{
	bool ours = p->job && c->id == p->job;
	if (ours) {
		p->job = 0;
		ui_notify(p->ui, c->status == JOBS_DONE ? UI_NOTICE_INFO : UI_NOTICE_ERROR, "%s",
			  c->result);
	}
	if (p->watch_sale < 0) { /* the sale just made, now in the store */
		const struct client_package *w = NULL;
		pkg_panel_reload(p, p->client_id);
		for (size_t i = 0; i < p->nsales && !w; i++)
			if (p->sales[i].state == CPKG_PENDING && p->sales[i].collect[0])
				w = &p->sales[i];
		p->watch_sale = w ? w->id : 0;
		return;
	}
	if (p->watch_sale) /* a watch answered: re-read, and tell its end */
		pkg_panel_reload(p, p->client_id);
}
