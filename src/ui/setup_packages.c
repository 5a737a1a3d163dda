/* Setup's packages panel: the packages sold, and the define form. */
#include "setup_packages.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/money.h"
#include "paydesk/number.h"
#include "paydesk/packages.h"
#include "paydesk/services.h"

enum { P_NAME, P_WHAT, P_AMOUNT, P_PRICE, P_DAYS, P_COUNT };
#define SHOWN_MAX 6
#define CHOICES_MAX 24

struct setup_packages {
	struct ui_field fields[P_COUNT];
	struct ui_form form;
	char shown[SHOWN_MAX][160];
	int nshown, more;
	/* what a package is of: each active service (visits), then credit */
	char *what[CHOICES_MAX + 2];
	int64_t what_service[CHOICES_MAX + 1];
	char what_currency[CHOICES_MAX + 1][4];
	char credit_currency[4];
	char error[600];
};

struct setup_packages *setup_packages_new(void)
{
	struct setup_packages *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->what[0] = strdup("credit");
	p->fields[P_NAME] = (struct ui_field){.label = "Name", .placeholder = "5 haircuts"};
	p->fields[P_WHAT] = (struct ui_field){.label = "Of", .kind = UI_FIELD_CHOICE,
					      .choices = (const char *const *)p->what,
					      .hint = "visits of a service, or credit (Space: next)"};
	p->fields[P_AMOUNT] = (struct ui_field){
		.label = "Visits / credit", .placeholder = "5",
		.hint = "how many visits, or how much credit it buys"};
	p->fields[P_PRICE] = (struct ui_field){.label = "Price", .placeholder = "180.00"};
	p->fields[P_DAYS] = (struct ui_field){.label = "Valid days", .placeholder = "0",
					      .hint = "from the sale; empty or 0: no expiry"};
	ui_form_init(&p->form, p->fields, P_COUNT, 64);
	return p;
}

static void free_choices(struct setup_packages *p)
{
	for (int i = 0; i < CHOICES_MAX + 2; i++) {
		free(p->what[i]);
		p->what[i] = NULL;
	}
}

void setup_packages_free(struct setup_packages *p)
{
	if (!p)
		return;
	ui_form_free(&p->form);
	free_choices(p);
	free(p);
}

void setup_packages_load(struct setup_packages *p, struct ui *ui)
{
	struct pd_error err = {0};
	p->nshown = p->more = 0;
	struct package *list = NULL;
	size_t n = 0;
	if (packages_list(ui->app->db, false, &list, &n, &err))
		snprintf(p->error, sizeof p->error, "%s", err.msg);
	for (size_t i = 0; i < n; i++) {
		if (p->nshown == SHOWN_MAX) {
			p->more++;
			continue;
		}
		char price[64], what[200], credit[64], days[32] = "no expiry";
		money_format(list[i].price, list[i].currency, price, sizeof price);
		if (list[i].kind == PACKAGE_VISITS)
			snprintf(what, sizeof what, "%lld × %.60s", (long long)list[i].visits,
				 list[i].service);
		else
			snprintf(what, sizeof what, "credit %s",
				 money_format(list[i].credit, list[i].currency, credit, sizeof credit));
		if (list[i].valid_days)
			snprintf(days, sizeof days, "%lld days", (long long)list[i].valid_days);
		snprintf(p->shown[p->nshown++], sizeof p->shown[0], "%-20.20s %-26.26s %13s  %s%s",
			 list[i].name, what, price, days, list[i].active ? "" : " (archived)");
	}
	free(list);
	/* The choices: every active service, then credit in the desk's currency. */
	int keep = p->fields[P_WHAT].choice;
	free_choices(p);
	struct service *svc = NULL;
	size_t ns = 0;
	services_list(ui->app->db, true, &svc, &ns, NULL);
	int k = 0;
	for (size_t i = 0; i < ns && k < CHOICES_MAX; i++, k++) {
		char text[400];
		snprintf(text, sizeof text, "visits of %s", svc[i].name);
		p->what[k] = strdup(text);
		p->what_service[k] = svc[i].id;
		memcpy(p->what_currency[k], svc[i].currency, 4);
	}
	free(svc);
	snprintf(p->credit_currency, sizeof p->credit_currency, "%s", ui->app->cfg.currency);
	char text[64];
	snprintf(text, sizeof text, "credit (%s)", p->credit_currency);
	p->what[k] = strdup(text);
	p->what_service[k] = 0;
	memcpy(p->what_currency[k], p->credit_currency, 4);
	p->fields[P_WHAT].choices = (const char *const *)p->what;
	p->fields[P_WHAT].choice = keep <= k ? keep : 0;
}

static void save(struct setup_packages *p, struct ui *ui)
{
	struct pd_error err = {0};
	int pick = p->fields[P_WHAT].choice;
	const char *cur = p->what_currency[pick];
	struct package_input in = {.name = ui_form_value(&p->form, P_NAME), .currency = cur};
	int rc = PD_OK;
	const char *amount = ui_form_value(&p->form, P_AMOUNT);
	if (p->what_service[pick]) {
		in.kind = PACKAGE_VISITS;
		in.service_id = p->what_service[pick];
		rc = number_parse(amount, "Visits", 1, PACKAGES_VISITS_MAX, &in.visits, &err);
	} else {
		in.kind = PACKAGE_CREDIT;
		rc = money_parse(amount, cur, &in.credit, &err);
	}
	if (!rc)
		rc = money_parse(ui_form_value(&p->form, P_PRICE), cur, &in.price, &err);
	const char *days = ui_form_value(&p->form, P_DAYS);
	if (!rc && *days)
		rc = number_parse(days, "Valid days", 0, PACKAGES_DAYS_MAX, &in.valid_days, &err);
	int64_t id = 0;
	if (!rc)
		rc = packages_define(ui->app->db, &ui->app->session, &in, &id, &err);
	if (rc) {
		snprintf(p->error, sizeof p->error, "%s", err.msg);
		return;
	}
	ui_notify(ui, UI_NOTICE_INFO, "package defined: %s (sold from a client's visit history, b)",
		  in.name);
	for (int i = 0; i < P_COUNT; i++)
		textedit_set(&p->fields[i].edit, "");
	p->form.focus = P_NAME;
	p->form.dirty = false;
	setup_packages_load(p, ui);
}

enum ui_result setup_packages_key(struct setup_packages *p, struct ui *ui, int key)
{
	if (key == UI_KEY_ESC)
		return UI_UNHANDLED;
	if (key == UI_KEY_ENTER || key == UI_CTRL('s')) {
		if (key == UI_KEY_ENTER && p->form.focus < P_COUNT - 1)
			ui_form_key(&p->form, '\t');
		else
			save(p, ui);
		return UI_HANDLED;
	}
	p->error[0] = '\0';
	return ui_form_key(&p->form, key) != UI_UNHANDLED || (key >= 0x20 && key < 0x7f)
		       ? UI_HANDLED
		       : UI_UNHANDLED;
}

void setup_packages_draw(struct setup_packages *p, struct ui_rect a)
{
	int y = a.y, x = a.x + 2, w = a.w - 4;
	ui_put(y++, x, w, ROLE_TITLE, "Packages and credit sold ahead of visits", false);
	if (!p->nshown)
		ui_put(y++, x, w, ROLE_DIM, "none yet: define one below", false);
	for (int i = 0; i < p->nshown; i++)
		ui_put(y++, x, w, ROLE_NORMAL, p->shown[i], false);
	if (p->more) {
		char more[64];
		snprintf(more, sizeof more, "… and %d more (paydesk packages list)", p->more);
		ui_put(y++, x, w, ROLE_NORMAL, more, false);
	}
	y++;
	ui_form_draw(&p->form, (struct ui_rect){y, x, P_COUNT + 1, w});
	int cy, cx;
	getyx(stdscr, cy, cx);
	y += P_COUNT + 1;
	if (p->error[0])
		ui_put(y, x, w, ROLE_ERROR, p->error, false);
	ui_put(y + 1, x, w, ROLE_HELP_KEY,
	       "Tab/Enter: next field, Enter on the last: define    Esc: back", false);
	move(cy, cx);
	curs_set(1);
}
