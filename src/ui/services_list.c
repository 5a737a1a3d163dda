/* The Services list of the Clients tab: what can be booked, for how long
 * and at what price; the service form, and disable / enable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/money.h"
#include "paydesk/textcheck.h"
#include "clients_tab.h"

static const char *const yes_no[] = {"no", "yes", NULL};

/* ---- validation on leaving a field ---------------------------------- */

static int v_service_name(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	return ui_field_verdict(text_check("name", v, SERVICE_NAME_MAX, true, false, &e), &e, msg, len);
}

static int parse_minutes(const char *v)
{
	if (!*v || strlen(v) > 4 || strspn(v, "0123456789") != strlen(v))
		return -1;
	return atoi(v);
}

static int v_duration(const char *v, char *msg, size_t len)
{
	int m = parse_minutes(v);
	if (m < SERVICE_DURATION_MIN || m > SERVICE_DURATION_MAX) {
		snprintf(msg, len, "minutes, %d to %d", SERVICE_DURATION_MIN, SERVICE_DURATION_MAX);
		return -1;
	}
	return 0;
}

static int v_price(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	/* The currency's decimals are checked again on save. */
	return ui_field_verdict(money_check(v, &e), &e, msg, len);
}

/* ---- data -------------------------------------------------------------- */

static int load(struct clients_state *st, sqlite3 *db, long *count, struct pd_error *err)
{
	int rc = services_list(db, false, &st->services, &st->nservices, err);
	*count = (long)st->nservices;
	return rc;
}

static void open_form(struct clients_state *st, bool edit, long sel)
{
	st->fields[0] = (struct ui_field){.label = "Name", .validate = v_service_name};
	st->fields[1] = (struct ui_field){.label = "Duration (minutes)", .validate = v_duration};
	st->fields[2] = (struct ui_field){.label = "Price", .validate = v_price,
					  .hint = "such as 45 or 45.50"};
	st->fields[3] = (struct ui_field){.label = "Currency", .validate = ui_validate_currency};
	st->fields[4] = (struct ui_field){.label = "Active", .kind = UI_FIELD_CHOICE,
					  .choices = yes_no, .hint = "inactive services cannot be booked"};
	clients_tab_form_setup(st, 5);
	textedit_set(&st->fields[3].edit, st->ui->app->cfg.currency);
	st->fields[4].choice = 1;
	if (edit) {
		const struct service *s = &st->services[sel];
		char dur[16], price[64];
		snprintf(dur, sizeof dur, "%d", s->duration_min);
		int exp = money_exponent(s->currency);
		int64_t div = exp == 0 ? 1 : exp == 3 ? 1000 : 100;
		if (exp)
			snprintf(price, sizeof price, "%lld.%0*lld", (long long)(s->price / div), exp,
				 (long long)(s->price % div));
		else
			snprintf(price, sizeof price, "%lld", (long long)s->price);
		textedit_set(&st->fields[0].edit, s->name);
		textedit_set(&st->fields[1].edit, dur);
		textedit_set(&st->fields[2].edit, price);
		textedit_set(&st->fields[3].edit, s->currency);
		st->fields[4].choice = s->active;
		st->edit_id = s->id;
		st->edit_version = s->version;
	}
}

static int save(struct clients_state *st, sqlite3 *db, int64_t *id, struct pd_error *err)
{
	const char *cur = ui_form_value(&st->form, 3);
	char lower[4] = {0};
	for (int i = 0; i < 3 && cur[i]; i++)
		lower[i] = (char)(cur[i] | 0x20);
	struct service_input in = {ui_form_value(&st->form, 0),
				   parse_minutes(ui_form_value(&st->form, 1)), 0, lower,
				   st->fields[4].choice == 1};
	int rc = money_parse(ui_form_value(&st->form, 2), lower, &in.price, err);
	if (rc) {
		snprintf(st->fields[2].error, sizeof st->fields[2].error, "%.190s", err->msg);
		st->form.focus = 2;
		return rc;
	}
	return *id ? services_update(db, *id, st->edit_version, &in, err)
		   : services_insert(db, &in, id, err);
}

static int64_t row_id(const struct clients_state *st, long i)
{
	return st->services[i].id;
}

static bool delete_question(struct clients_state *st, long sel, char *body, size_t len,
			    const char **title, const char **label)
{
	const struct service *s = &st->services[sel];
	snprintf(body, len, "%s %s?\n%s", s->active ? "Disable" : "Enable", s->name,
		 s->active ? "It can no longer be booked; existing bookings stay."
			   : "It can be booked again.");
	*title = s->active ? "Disable?" : "Enable?";
	*label = s->active ? "disable" : "enable";
	return true;
}

/* "Delete" disables (or enables again): bookings keep their service. */
static int delete_row(struct clients_state *st, sqlite3 *db, long sel, struct pd_error *err)
{
	const struct service *s = &st->services[sel];
	struct service_input in = {s->name, s->duration_min, s->price, s->currency, !s->active};
	return services_update(db, s->id, s->version, &in, err);
}

/* ---- drawing ------------------------------------------------------------ */

static void draw_row(void *ctx, long i, struct ui_rect r, bool selected)
{
	struct clients_state *st = ctx;
	const struct service *s = &st->services[i];
	enum theme_role role = selected ? ROLE_SELECTION : s->active ? ROLE_NORMAL : ROLE_DIM;
	char dur[16], price[64];
	snprintf(dur, sizeof dur, "%d min", s->duration_min);
	money_format(s->price, s->currency, price, sizeof price);
	int wn = r.w - 40;
	ui_fill(r, role);
	ui_put(r.y, r.x, wn, role, s->name, true);
	ui_put(r.y, r.x + wn + 1, 9, role, dur, true);
	ui_put(r.y, r.x + wn + 11, 18, role, price, true);
	ui_put(r.y, r.x + r.w - 9, 9, role, s->active ? "active" : "inactive", true);
}

static void draw_rows(struct clients_state *st, struct ui_rect rows, int y)
{
	int wn = rows.w - 40;
	ui_put(y, rows.x, wn, ROLE_HEADER, "Service", true);
	ui_put(y, rows.x + wn + 1, 9, ROLE_HEADER, "Duration", true);
	ui_put(y, rows.x + wn + 11, 18, ROLE_HEADER, "Price", true);
	ui_put(y, rows.x + rows.w - 9, 9, ROLE_HEADER, "", true);
	ui_list_draw(&st->list, rows, draw_row, st);
}

static const char *empty(const struct clients_state *st)
{
	(void)st;
	return "No services yet: n adds one.";
}

const struct tab_list list_services = {
	.name = "Services",
	.one = "service",
	.load = load,
	.open_form = open_form,
	.save = save,
	.row_id = row_id,
	.delete_question = delete_question,
	.delete_row = delete_row,
	.deleted = "saved",
	.draw_rows = draw_rows,
	.empty = empty,
};
