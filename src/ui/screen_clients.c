/* The Clients tab: three lists — clients (search as you type), services,
 * staff — switched with v, each with its new/edit form and delete/disable. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/clients.h"
#include "paydesk/customers.h"
#include "paydesk/money.h"
#include "paydesk/payments_store.h"
#include "paydesk/services.h"
#include "paydesk/staff.h"
#include "paydesk/textcheck.h"
#include "paydesk/stripe_key.h"
#include "client_detail.h"
#include "pay_panel.h"
#include "widgets.h"

extern const struct ui_screen screen_clients;

enum list_kind { LK_CLIENTS, LK_SERVICES, LK_STAFF, LK_COUNT };
enum mode { M_LIST, M_SEARCH, M_FORM };
#define MAX_FIELDS 5

static const char *const kind_names[LK_COUNT] = {"Clients", "Services", "Staff"};
static const char *const kind_one[LK_COUNT] = {"client", "service", "staff member"};
static const char *const yes_no[] = {"no", "yes", NULL};

struct clients_state {
	struct ui *ui;
	enum list_kind kind;
	enum mode mode;
	struct ui_list list;
	struct textedit query;
	int64_t *ids;
	size_t nids;
	struct service *services;
	size_t nservices;
	struct staff *staff;
	size_t nstaff;
	struct client cur; /* the selected client, for drawing */

	struct ui_field fields[MAX_FIELDS];
	struct ui_form form;
	bool form_ready;
	int64_t edit_id, edit_version;
	char form_error[600];
	struct pay_panel *pay; /* the save-a-card link view */
	int64_t detail_id;     /* the client shown at a glance (o), 0: none */
	int64_t cards_opened;  /* detail_id whose opening listed its cards */
	struct cards_refresh *cards;
};

/* ---- validation on leaving a field ---------------------------------- */

static int v_client_name(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	return ui_field_verdict(text_check("name", v, CLIENT_NAME_MAX, true, false, &e), &e, msg, len);
}

static int v_email(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	return ui_field_verdict(text_check_email(v, &e), &e, msg, len);
}

static int v_phone(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	return ui_field_verdict(text_check_phone(v, &e), &e, msg, len);
}

static int v_notes(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	return ui_field_verdict(text_check("notes", v, CLIENT_NOTES_MAX, false, false, &e), &e, msg, len);
}

static int v_service_name(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	return ui_field_verdict(text_check("name", v, SERVICE_NAME_MAX, true, false, &e), &e, msg, len);
}

static int v_staff_name(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	return ui_field_verdict(text_check("name", v, STAFF_NAME_MAX, true, false, &e), &e, msg, len);
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

static int v_currency(const char *v, char *msg, size_t len)
{
	bool ok = strlen(v) == 3;
	for (int i = 0; ok && i < 3; i++)
		ok = (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z');
	if (!ok)
		snprintf(msg, len, "a three-letter currency code, such as usd, eur or gbp");
	return ok ? 0 : -1;
}

static int v_price(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	/* The currency's decimals are checked again on save. */
	return ui_field_verdict(money_check(v, &e), &e, msg, len);
}

static int v_hours(const char *v, char *msg, size_t len)
{
	struct staff_hours h;
	struct pd_error e;
	return ui_field_verdict(staff_hours_parse(v, &h, &e), &e, msg, len);
}

/* ---- data -------------------------------------------------------------- */

static void load(struct clients_state *st)
{
	struct pd_error err = {0};
	sqlite3 *db = st->ui->app->db;
	free(st->ids);
	st->ids = NULL;
	st->nids = 0;
	free(st->services);
	st->services = NULL;
	st->nservices = 0;
	free(st->staff);
	st->staff = NULL;
	st->nstaff = 0;
	int rc = PD_OK;
	long count = 0;
	switch (st->kind) {
	case LK_CLIENTS:
		rc = clients_search(db, st->query.text, &st->ids, &st->nids, &err);
		count = (long)st->nids;
		break;
	case LK_SERVICES:
		rc = services_list(db, false, &st->services, &st->nservices, &err);
		count = (long)st->nservices;
		break;
	default:
		rc = staff_list(db, false, &st->staff, &st->nstaff, &err);
		count = (long)st->nstaff;
		break;
	}
	if (rc)
		ui_notify(st->ui, UI_NOTICE_ERROR, "%s", err.msg);
	ui_list_set_count(&st->list, count);
}

static void *open_clients(struct ui *ui)
{
	struct clients_state *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->ui = ui;
	textedit_init(&st->query, 200, false);
	st->list.sel = -1;
	st->pay = pay_panel_new(ui);
	st->cards = cards_refresh_new();
	load(st);
	return st;
}

static void close_form(struct clients_state *st)
{
	if (st->form_ready)
		ui_form_free(&st->form);
	st->form_ready = false;
	st->mode = M_LIST;
}

static void close_clients(void *state)
{
	struct clients_state *st = state;
	if (!st)
		return;
	close_form(st);
	client_detail_reload(); /* frees what the detail read */
	textedit_free(&st->query);
	free(st->ids);
	free(st->services);
	free(st->staff);
	client_free(&st->cur);
	pay_panel_free(&st->pay);
	cards_refresh_free(&st->cards);
	free(st);
}

static void reload(void *state, struct ui *ui)
{
	(void)ui;
	struct clients_state *st = state;
	load(st);
	pay_panel_reload(st->pay);
	client_detail_reload();
}

/* ---- forms ------------------------------------------------------------ */

static void form_setup(struct clients_state *st, int n)
{
	for (int i = 0; i < MAX_FIELDS; i++)
		if (i >= n)
			st->fields[i] = (struct ui_field){0};
	ui_form_init(&st->form, st->fields, n, 2000);
	st->form_ready = true;
	st->form_error[0] = '\0';
	st->mode = M_FORM;
}

static void open_form(struct clients_state *st, bool edit)
{
	struct pd_error err = {0};
	long sel = st->list.sel;
	if (edit && sel < 0)
		return;
	st->edit_id = st->edit_version = 0;
	if (st->kind == LK_CLIENTS) {
		st->fields[0] = (struct ui_field){.label = "Name", .validate = v_client_name,
						  .hint = "as the client wants to be called"};
		st->fields[1] = (struct ui_field){.label = "Email", .validate = v_email,
						  .hint = "optional; an import with this email updates the client"};
		st->fields[2] = (struct ui_field){.label = "Phone", .validate = v_phone,
						  .hint = "optional; digits, spaces, + ( ) - ."};
		st->fields[3] = (struct ui_field){.label = "Notes", .validate = v_notes};
		st->fields[4] = (struct ui_field){.label = "Bill with Stripe", .kind = UI_FIELD_CHOICE,
						  .choices = yes_no, .hint = "Space: no / yes"};
		form_setup(st, 5);
		struct client c;
		if (edit && clients_get(st->ui->app->db, st->ids[sel], &c, &err) == PD_OK) {
			textedit_set(&st->fields[0].edit, c.name);
			textedit_set(&st->fields[1].edit, c.email);
			textedit_set(&st->fields[2].edit, c.phone);
			textedit_set(&st->fields[3].edit, c.notes);
			st->fields[4].choice = c.bill_with_stripe;
			st->edit_id = c.id;
			st->edit_version = c.version;
			client_free(&c);
		}
	} else if (st->kind == LK_SERVICES) {
		st->fields[0] = (struct ui_field){.label = "Name", .validate = v_service_name};
		st->fields[1] = (struct ui_field){.label = "Duration (minutes)", .validate = v_duration};
		st->fields[2] = (struct ui_field){.label = "Price", .validate = v_price,
						  .hint = "such as 45 or 45.50"};
		st->fields[3] = (struct ui_field){.label = "Currency", .validate = v_currency};
		st->fields[4] = (struct ui_field){.label = "Active", .kind = UI_FIELD_CHOICE,
						  .choices = yes_no, .hint = "inactive services cannot be booked"};
		form_setup(st, 5);
		textedit_set(&st->fields[3].edit, st->ui->app->cfg.currency);
		st->fields[4].choice = 1;
		if (edit) {
			const struct service *s = &st->services[sel];
			char dur[16], price[64];
			snprintf(dur, sizeof dur, "%d", s->duration_min);
			int exp = money_exponent(s->currency);
			int64_t div = exp == 0 ? 1 : exp == 3 ? 1000 : 100;
			if (exp)
				snprintf(price, sizeof price, "%lld.%0*lld", (long long)(s->price / div),
					 exp, (long long)(s->price % div));
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
	} else {
		st->fields[0] = (struct ui_field){.label = "Name", .validate = v_staff_name,
						  .hint = "a person or a room"};
		st->fields[1] = (struct ui_field){.label = "Working hours", .validate = v_hours,
						  .hint = "e.g. mon-fri 09:00-17:00, sat 10:00-14:00",
						  .placeholder = "mon-fri 09:00-17:00"};
		st->fields[2] = (struct ui_field){.label = "Active", .kind = UI_FIELD_CHOICE,
						  .choices = yes_no, .hint = "inactive staff cannot be booked"};
		form_setup(st, 3);
		st->fields[2].choice = 1;
		if (edit) {
			const struct staff *s = &st->staff[sel];
			char hours[200];
			staff_hours_format(&s->hours, hours, sizeof hours);
			textedit_set(&st->fields[0].edit, s->name);
			textedit_set(&st->fields[1].edit, hours);
			st->fields[2].choice = s->active;
			st->edit_id = s->id;
			st->edit_version = s->version;
		}
	}
	st->form.dirty = false;
}

/* The field a store error is about, from its message (-1: none). */
static int field_of(const struct clients_state *st, const char *msg)
{
	static const char *const words[] = {"name", "email", "phone", "notes", "duration",
					    "price", "currency", "working hours"};
	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		size_t n = strlen(words[w]);
		if (strncasecmp(msg, words[w], n) != 0)
			continue;
		for (int i = 0; i < st->form.n; i++)
			if (strncasecmp(st->fields[i].label, words[w], strlen(words[w]) > 4 ? 4 : n) == 0)
				return i;
	}
	return -1;
}

static void save_form(struct clients_state *st)
{
	struct ui *ui = st->ui;
	sqlite3 *db = ui->app->db;
	int bad = ui_form_validate(&st->form);
	if (bad >= 0) {
		st->form.focus = bad;
		snprintf(st->form_error, sizeof st->form_error, "%s: %s", st->fields[bad].label,
			 st->fields[bad].error);
		return;
	}
	struct pd_error err = {0};
	int rc = PD_OK;
	int64_t id = st->edit_id;
	const char *v0 = ui_form_value(&st->form, 0);
	if (st->kind == LK_CLIENTS) {
		struct client_input in = {v0, ui_form_value(&st->form, 1), ui_form_value(&st->form, 2),
					  ui_form_value(&st->form, 3), st->fields[4].choice == 1};
		rc = id ? clients_update(db, id, st->edit_version, &in, &err)
			: clients_insert(db, &in, &id, &err);
	} else if (st->kind == LK_SERVICES) {
		const char *cur = ui_form_value(&st->form, 3);
		char lower[4] = {0};
		for (int i = 0; i < 3 && cur[i]; i++)
			lower[i] = (char)(cur[i] | 0x20);
		struct service_input in = {v0, parse_minutes(ui_form_value(&st->form, 1)), 0, lower,
					   st->fields[4].choice == 1};
		rc = money_parse(ui_form_value(&st->form, 2), lower, &in.price, &err);
		if (rc) {
			snprintf(st->fields[2].error, sizeof st->fields[2].error, "%.190s", err.msg);
			st->form.focus = 2;
		}
		if (!rc)
			rc = id ? services_update(db, id, st->edit_version, &in, &err)
				: services_insert(db, &in, &id, &err);
	} else {
		struct staff_input in = {.name = v0, .active = st->fields[2].choice == 1};
		const char *hours = ui_form_value(&st->form, 1);
		rc = staff_hours_parse(*hours ? hours : "mon-fri 09:00-17:00", &in.hours, &err);
		if (!rc)
			rc = id ? staff_update(db, id, st->edit_version, &in, &err)
				: staff_insert(db, &in, &id, &err);
	}
	if (rc) {
		/* Keep everything typed; say what is wrong next to the field. */
		int f = field_of(st, err.msg);
		if (rc == PD_ERR_EXISTS && st->kind == LK_CLIENTS)
			f = strstr(err.msg, "email") ? 1 : 0;
		if (rc == PD_ERR_EXISTS && st->kind == LK_STAFF)
			f = 0;
		if (f >= 0) {
			snprintf(st->fields[f].error, sizeof st->fields[f].error, "%.190s", err.msg);
			st->form.focus = f;
		}
		snprintf(st->form_error, sizeof st->form_error, "not saved: %s", err.msg);
		return;
	}
	bool was_new = st->edit_id == 0;
	char name[200];
	snprintf(name, sizeof name, "%s", v0);
	close_form(st);
	load(st);
	/* Select the saved row. */
	for (long i = 0; i < st->list.count; i++) {
		int64_t rid = st->kind == LK_CLIENTS    ? st->ids[i]
			      : st->kind == LK_SERVICES ? st->services[i].id
							: st->staff[i].id;
		if (rid == id)
			st->list.sel = i;
	}
	ui_notify(ui, UI_NOTICE_INFO, "%s %s: %s", kind_one[st->kind], was_new ? "added" : "saved",
		  name);
	/* Billed through Stripe: its customer is created / updated on a worker. */
	struct client saved;
	if (st->kind == LK_CLIENTS && stripe_key_unlocked(ui->app) && ui->app->jobs &&
	    customers_billing_on(db) && clients_get(db, id, &saved, NULL) == PD_OK) {
		if (saved.bill_with_stripe) {
			struct pay_job_request req = {.op = PAY_OP_CUSTOMER_SYNC, .id = id};
			pay_panel_run(st->pay, &req);
		}
		client_free(&saved);
	}
}

static void discard_form(struct ui *ui, void *ctx)
{
	(void)ui;
	close_form(ctx);
}

/* ---- delete / disable ------------------------------------------------- */

static void confirm_delete(struct ui *ui, void *ctx)
{
	struct clients_state *st = ctx;
	struct pd_error err = {0};
	long sel = st->list.sel;
	if (sel < 0)
		return;
	int rc;
	if (st->kind == LK_CLIENTS) {
		struct client c;
		rc = clients_get(ui->app->db, st->ids[sel], &c, &err);
		if (!rc)
			rc = clients_delete(ui->app->db, c.id, c.version, &err);
		client_free(&c);
	} else if (st->kind == LK_SERVICES) {
		const struct service *s = &st->services[sel];
		struct service_input in = {s->name, s->duration_min, s->price, s->currency, !s->active};
		rc = services_update(ui->app->db, s->id, s->version, &in, &err);
	} else {
		const struct staff *s = &st->staff[sel];
		struct staff_input in = {.name = s->name, .hours = s->hours, .active = !s->active};
		rc = staff_update(ui->app->db, s->id, s->version, &in, &err);
	}
	if (rc)
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
	else
		ui_notify(ui, UI_NOTICE_INFO, "%s", st->kind == LK_CLIENTS ? "client deleted" : "saved");
	load(st);
}

static void ask_delete(struct clients_state *st)
{
	long sel = st->list.sel;
	if (sel < 0)
		return;
	char body[400];
	const char *title, *label;
	if (st->kind == LK_CLIENTS) {
		struct client c;
		struct pd_error err;
		if (clients_get(st->ui->app->db, st->ids[sel], &c, &err))
			return;
		snprintf(body, sizeof body, "Delete %s%s%s%s?\nClients with appointments are kept.",
			 c.name, c.email[0] ? " <" : "", c.email, c.email[0] ? ">" : "");
		client_free(&c);
		title = "Delete client?";
		label = "delete";
	} else {
		bool active = st->kind == LK_SERVICES ? st->services[sel].active : st->staff[sel].active;
		const char *name = st->kind == LK_SERVICES ? st->services[sel].name : st->staff[sel].name;
		snprintf(body, sizeof body, "%s %s?\n%s", active ? "Disable" : "Enable", name,
			 active ? "It can no longer be booked; existing bookings stay."
				: "It can be booked again.");
		title = active ? "Disable?" : "Enable?";
		label = active ? "disable" : "enable";
	}
	ui_dialog_open(st->ui, &(struct ui_dialog_spec){.title = title, .body = body,
							.confirm_label = label,
							.on_confirm = confirm_delete, .ctx = st});
}

/* ---- keys --------------------------------------------------------------- */

static struct clients_state *state_of(const struct ui *ui)
{
	for (int i = 0; i < UI_TABS; i++)
		if (ui_screens[i] == &screen_clients)
			return ui->state[i];
	return NULL;
}

static bool in_list(const struct ui *ui)
{
	const struct clients_state *st = state_of(ui);
	return st && st->mode == M_LIST && !pay_panel_active(st->pay) && !st->detail_id;
}

static bool on_client(const struct ui *ui)
{
	const struct clients_state *st = state_of(ui);
	return in_list(ui) && st->kind == LK_CLIENTS && st->list.count > 0;
}

static bool in_form(const struct ui *ui)
{
	const struct clients_state *st = state_of(ui);
	return st && st->mode == M_FORM;
}

static bool can_search(const struct ui *ui)
{
	const struct clients_state *st = state_of(ui);
	return st && st->mode == M_LIST && st->kind == LK_CLIENTS;
}

static const struct ui_binding clients_keys[] = {
	{'v', UI_ACT_VIEW, "switch list: clients / services / staff", in_list},
	{'/', UI_ACT_SEARCH, "search clients as you type (Esc clears)", can_search},
	{'n', UI_ACT_NEW, "new client / service / staff member", in_list},
	{'e', UI_ACT_EDIT, "edit the selected row", in_list},
	{UI_KEY_ENTER, UI_ACT_EDIT, "edit the selected row", in_list},
	{'D', UI_ACT_DELETE, "delete the client / disable or enable", in_list},
	{'o', UI_ACT_OPEN, "open: the client's subscriptions and invoices", on_client},
	{'S', UI_ACT_SAVE_CARD, "S save a card (link / QR), Y sync with Stripe", on_client},
	{'Y', UI_ACT_SYNC, "S save a card (link / QR), Y sync with Stripe", on_client},
	{'j', UI_ACT_DOWN, NULL, in_list},
	{UI_KEY_FN(KEY_DOWN), UI_ACT_DOWN, NULL, in_list},
	{'k', UI_ACT_UP, NULL, in_list},
	{UI_KEY_FN(KEY_UP), UI_ACT_UP, NULL, in_list},
	{UI_CTRL('d'), UI_ACT_HALF_DOWN, NULL, in_list},
	{UI_CTRL('u'), UI_ACT_HALF_UP, NULL, in_list},
	{UI_KEY_FN(KEY_NPAGE), UI_ACT_PAGE_DOWN, NULL, in_list},
	{UI_KEY_FN(KEY_PPAGE), UI_ACT_PAGE_UP, NULL, in_list},
	{'g', UI_ACT_TOP, NULL, in_list},
	{UI_KEY_FN(KEY_HOME), UI_ACT_TOP, NULL, in_list},
	{'G', UI_ACT_BOTTOM, NULL, in_list},
	{UI_KEY_FN(KEY_END), UI_ACT_BOTTOM, NULL, in_list},
	{UI_CTRL('s'), UI_ACT_SAVE, "save the form", in_form},
	{UI_KEY_ESC, UI_ACT_BACK, "leave the form (asks when changed)", in_form},
};

static enum ui_result act(void *state, struct ui *ui, enum ui_action a)
{
	struct clients_state *st = state;
	(void)ui;
	if (st->mode != M_LIST)
		return UI_UNHANDLED;
	switch (a) {
	case UI_ACT_VIEW:
		st->kind = (st->kind + 1) % LK_COUNT;
		st->list = (struct ui_list){.sel = -1};
		load(st);
		return UI_HANDLED;
	case UI_ACT_SEARCH:
		if (st->kind != LK_CLIENTS)
			return UI_UNHANDLED;
		st->mode = M_SEARCH;
		return UI_HANDLED;
	case UI_ACT_NEW:
		open_form(st, false);
		return UI_HANDLED;
	case UI_ACT_EDIT:
		open_form(st, true);
		return UI_HANDLED;
	case UI_ACT_DELETE:
		ask_delete(st);
		return UI_HANDLED;
	case UI_ACT_OPEN:
		if (st->kind == LK_CLIENTS && st->list.sel >= 0 && (size_t)st->list.sel < st->nids) {
			st->detail_id = st->ids[st->list.sel];
			client_detail_reload(); /* read afresh as it opens */
		}
		return UI_HANDLED;
	case UI_ACT_SAVE_CARD:
	case UI_ACT_SYNC: {
		if (st->kind != LK_CLIENTS || st->list.sel < 0 || (size_t)st->list.sel >= st->nids)
			return UI_HANDLED;
		int64_t cid = st->ids[st->list.sel];
		if (a == UI_ACT_SAVE_CARD) {
			pay_panel_save_card(st->pay, cid);
		} else {
			struct pay_job_request req = {.op = PAY_OP_CUSTOMER_SYNC, .id = cid};
			pay_panel_run(st->pay, &req);
		}
		return UI_HANDLED;
	}
	default:
		return ui_list_act(&st->list, a);
	}
}

static enum ui_result search_key(struct clients_state *st, int k)
{
	struct textedit *t = &st->query;
	switch (k) {
	case UI_KEY_ESC:
		textedit_set(t, "");
		st->mode = M_LIST;
		break;
	case UI_KEY_ENTER:
	case UI_KEY_FN(KEY_DOWN):
		st->mode = M_LIST;
		return UI_HANDLED;
	case UI_KEY_FN(KEY_BACKSPACE):
	case 0x7f:
	case UI_CTRL('h'):
		textedit_backspace(t);
		break;
	case UI_CTRL('u'):
		textedit_kill_to_start(t);
		break;
	case UI_CTRL('w'):
		textedit_kill_word(t);
		break;
	case UI_KEY_FN(KEY_LEFT):
		textedit_left(t);
		return UI_HANDLED;
	case UI_KEY_FN(KEY_RIGHT):
		textedit_right(t);
		return UI_HANDLED;
	default:
		if (k < 0x20 || k >= 0x110000 || textedit_insert(t, (uint32_t)k) != 0)
			return UI_HANDLED;
	}
	st->list.sel = 0;
	st->list.top = 0;
	load(st); /* search as you type */
	return UI_HANDLED;
}

static enum ui_result key(void *state, struct ui *ui, int k)
{
	struct clients_state *st = state;
	if (pay_panel_active(st->pay))
		return pay_panel_key(st->pay, k);
	if (st->detail_id) {
		if (k != UI_KEY_ESC)
			return UI_UNHANDLED; /* tabs, help, quit */
		st->detail_id = 0;
		return UI_HANDLED;
	}
	if (st->mode == M_SEARCH)
		return search_key(st, k);
	if (st->mode != M_FORM)
		return UI_UNHANDLED;
	if (k == UI_KEY_ESC) {
		if (st->form.dirty)
			ui_dialog_open(ui, &(struct ui_dialog_spec){
						   .title = "Discard changes?",
						   .body = "What you typed in this form will be lost.",
						   .confirm_label = "discard", .on_confirm = discard_form,
						   .ctx = st});
		else
			close_form(st);
		return UI_HANDLED;
	}
	if (k == UI_CTRL('s') || (k == UI_KEY_ENTER && st->form.focus == st->form.n - 1)) {
		save_form(st);
		return UI_HANDLED;
	}
	if (k == UI_KEY_ENTER)
		k = '\t';
	ui_form_key(&st->form, k);
	st->form_error[0] = '\0';
	return UI_HANDLED; /* while the form is open, every key is the form's */
}

static bool editing(void *state)
{
	const struct clients_state *st = state;
	if (st->mode == M_SEARCH)
		return true;
	return st->mode == M_FORM && st->fields[st->form.focus].kind != UI_FIELD_CHOICE;
}

static bool dirty(void *state)
{
	const struct clients_state *st = state;
	return st->mode == M_FORM && st->form.dirty;
}

static void job_done(void *state, struct ui *ui, const struct jobs_completion *c)
{
	struct clients_state *st = state;
	(void)ui;
	if (!cards_refresh_job_done(st->cards, c))
		pay_panel_job_done(st->pay, c);
}

/* ---- drawing ------------------------------------------------------------ */

struct col {
	const char *head;
	int w;
};

static void draw_client_row(void *ctx, long i, struct ui_rect r, bool selected)
{
	struct clients_state *st = ctx;
	struct client c;
	struct pd_error err;
	if (clients_get(st->ui->app->db, st->ids[i], &c, &err))
		return;
	enum theme_role role = selected ? ROLE_SELECTION : ROLE_NORMAL;
	int wn = r.w * 36 / 100, we = r.w * 34 / 100, wp = r.w - wn - we - 8;
	ui_fill(r, role);
	ui_put(r.y, r.x, wn, role, c.name, true);
	ui_put(r.y, r.x + wn + 1, we, role, c.email, true);
	ui_put(r.y, r.x + wn + we + 2, wp, role, c.phone, true);
	ui_put(r.y, r.x + r.w - 5, 5, role, c.bill_with_stripe ? "yes" : "no", true);
	if (selected) {
		client_free(&st->cur);
		st->cur = c;
	} else {
		client_free(&c);
	}
}

static void draw_service_row(void *ctx, long i, struct ui_rect r, bool selected)
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

static void draw_staff_row(void *ctx, long i, struct ui_rect r, bool selected)
{
	struct clients_state *st = ctx;
	const struct staff *s = &st->staff[i];
	enum theme_role role = selected ? ROLE_SELECTION : s->active ? ROLE_NORMAL : ROLE_DIM;
	char hours[200];
	staff_hours_format(&s->hours, hours, sizeof hours);
	int wn = r.w * 30 / 100;
	ui_fill(r, role);
	ui_put(r.y, r.x, wn, role, s->name, true);
	ui_put(r.y, r.x + wn + 1, r.w - wn - 11, role, hours, true);
	ui_put(r.y, r.x + r.w - 9, 9, role, s->active ? "active" : "inactive", true);
}

static void draw_form(struct clients_state *st, struct ui_rect a)
{
	char title[80];
	snprintf(title, sizeof title, "%s %s", st->edit_id ? "Edit" : "New", kind_one[st->kind]);
	int y = a.y + 1;
	ui_put(y, a.x + 2, a.w - 4, ROLE_TITLE, title, false);
	y += 2;
	ui_form_draw(&st->form, (struct ui_rect){y, a.x + 2, a.h - 6, a.w - 4});
	int cy, cx;
	getyx(stdscr, cy, cx);
	if (st->form_error[0])
		ui_put(a.y + a.h - 3, a.x + 2, a.w - 4, ROLE_ERROR, st->form_error, false);
	ui_put(a.y + a.h - 1, a.x + 2, a.w - 4, ROLE_HELP_KEY,
	       "Tab/Enter: next field (Enter on the last saves)   Ctrl-S: save   Esc: cancel",
	       false);
	move(cy, cx);
}

static void draw(void *state, struct ui *ui, struct ui_rect a)
{
	struct clients_state *st = state;
	(void)ui;
	if (st->mode == M_FORM) {
		draw_form(st, a);
		return;
	}
	if (pay_panel_active(st->pay)) {
		pay_panel_draw(st->pay, a);
		return;
	}
	if (st->detail_id) {
		cards_refresh_shown(st->cards, ui, st->detail_id, st->cards_opened != st->detail_id);
		st->cards_opened = st->detail_id;
		client_detail_draw(ui, st->detail_id, st->cards, a);
		return;
	}
	st->cards_opened = 0;
	/* Which list: Clients · Services · Staff, the current one highlighted. */
	int x = a.x + 1;
	for (int k = 0; k < LK_COUNT; k++) {
		x += ui_put(a.y, x, a.w - x, k == (int)st->kind ? ROLE_TAB_ACTIVE : ROLE_NORMAL,
			    kind_names[k], false);
		if (k < LK_COUNT - 1)
			x += ui_put(a.y, x, a.w - x, ROLE_DIM, " · ", false);
	}
	char count[64];
	snprintf(count, sizeof count, "  %ld %s   (v: switch list)", st->list.count,
		 st->list.count == 1 ? "row" : "rows");
	ui_put(a.y, x, a.w - x, ROLE_DIM, count, false);
	int y = a.y + 1;
	int cy = -1, cx = -1;
	if (st->kind == LK_CLIENTS) {
		if (st->mode == M_SEARCH || st->query.len) {
			int w = ui_put(y, a.x + 1, 9, ROLE_TITLE, "Search: ", false);
			ui_put(y, a.x + 1 + w, a.w - w - 2, st->mode == M_SEARCH ? ROLE_INPUT_FOCUS : ROLE_INPUT,
			       st->query.text, true);
			if (st->mode == M_SEARCH) {
				char before[800];
				snprintf(before, sizeof before, "%.*s", (int)st->query.cursor, st->query.text);
				cy = y;
				cx = a.x + 1 + w + ui_text_width(before);
			}
		} else {
			ui_put(y, a.x + 1, a.w - 2, ROLE_DIM, "/: search by name, email or phone", false);
		}
	}
	y++;
	struct ui_rect rows = {y + 1, a.x + 1, a.h - (y + 1 - a.y) - 3, a.w - 2};
	if (st->kind == LK_CLIENTS) {
		int wn = rows.w * 36 / 100, we = rows.w * 34 / 100;
		ui_put(y, rows.x, wn, ROLE_HEADER, "Name", true);
		ui_put(y, rows.x + wn + 1, we, ROLE_HEADER, "Email", true);
		ui_put(y, rows.x + wn + we + 2, rows.w - wn - we - 8, ROLE_HEADER, "Phone", true);
		ui_put(y, rows.x + rows.w - 5, 5, ROLE_HEADER, "Bill", true);
		client_free(&st->cur);
		ui_list_draw(&st->list, rows, draw_client_row, st);
	} else if (st->kind == LK_SERVICES) {
		int wn = rows.w - 40;
		ui_put(y, rows.x, wn, ROLE_HEADER, "Service", true);
		ui_put(y, rows.x + wn + 1, 9, ROLE_HEADER, "Duration", true);
		ui_put(y, rows.x + wn + 11, 18, ROLE_HEADER, "Price", true);
		ui_put(y, rows.x + rows.w - 9, 9, ROLE_HEADER, "", true);
		ui_list_draw(&st->list, rows, draw_service_row, st);
	} else {
		int wn = rows.w * 30 / 100;
		ui_put(y, rows.x, wn, ROLE_HEADER, "Staff / room", true);
		ui_put(y, rows.x + wn + 1, rows.w - wn - 1, ROLE_HEADER, "Working hours", true);
		ui_list_draw(&st->list, rows, draw_staff_row, st);
	}
	int by = a.y + a.h - 2;
	if (st->list.count == 0) {
		const char *empty = st->kind == LK_CLIENTS
					    ? (st->query.len ? "No client matches the search."
							     : "No clients yet: n adds one (or paydesk clients import FILE.csv).")
				    : st->kind == LK_SERVICES ? "No services yet: n adds one."
							      : "No staff yet: n adds a staff member or a room.";
		ui_put(rows.y + 1, rows.x + 1, rows.w - 2, ROLE_DIM, empty, false);
	} else if (st->kind == LK_CLIENTS && st->cur.name) {
		char line[400];
		snprintf(line, sizeof line, "Notes: %s", st->cur.notes[0] ? st->cur.notes : "—");
		ui_put(by, a.x + 1, a.w - 2, ROLE_DIM, line, false);
		/* Saved cards as Stripe has them: brand, last4, expiry, listed
		 * again on a worker while the client is shown (cards_refresh.h). */
		cards_refresh_shown(st->cards, ui, st->cur.id, false);
		char cards[300];
		cards_refresh_line(ui, st->cards, &st->cur, true, cards, sizeof cards);
		if (cards[0])
			ui_put(by - 1, a.x + 1, a.w - 2, ROLE_DIM, cards, false);
	}
	ui_put(a.y + a.h - 1, a.x + 1, a.w - 2, ROLE_HELP_KEY,
	       "n new  e edit  o open  D delete  v list  / search  S card  Y Stripe  ?: keys", false);
	if (cy >= 0)
		move(cy, cx);
}

const struct ui_screen screen_clients = {
	.name = "clients",
	.title = "Clients",
	.keys = clients_keys,
	.nkeys = sizeof clients_keys / sizeof clients_keys[0],
	.open = open_clients,
	.close = close_clients,
	.draw = draw,
	.act = act,
	.key = key,
	.editing = editing,
	.dirty = dirty,
	.job_done = job_done,
	.reload = reload,
};
