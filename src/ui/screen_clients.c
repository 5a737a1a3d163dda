/* The Clients tab: three lists — clients (search as you type), services,
 * staff — switched with v, each with its new/edit form and delete/disable.
 * This file is the tab (the flows and the frame); each list is its own file
 * (clients_list.c, services_list.c, staff_list.c; clients_tab.h). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_detail.h"
#include "clients_tab.h"
#include "visit_history.h"

static const struct tab_list *const lists[LK_COUNT] = {&list_clients, &list_services,
							&list_staff};

/* ---- data -------------------------------------------------------------- */

static void load(struct clients_state *st)
{
	struct pd_error err = {0};
	free(st->ids);
	st->ids = NULL;
	st->nids = 0;
	free(st->services);
	st->services = NULL;
	st->nservices = 0;
	free(st->staff);
	st->staff = NULL;
	st->nstaff = 0;
	long count = 0;
	int rc = lists[st->kind]->load(st, st->ui->app->db, &count, &err);
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
	st->policy = policy_form_new(ui);
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

static void drop(void *state, struct ui *ui)
{
	(void)ui;
	struct clients_state *st = state;
	if (st->mode == M_FORM)
		close_form(st);
	st->mode = M_LIST;
}

static void close_clients(void *state)
{
	struct clients_state *st = state;
	if (!st)
		return;
	close_form(st);
	client_detail_reload(NULL, 0); /* frees what the detail read */
	textedit_free(&st->query);
	free(st->ids);
	free(st->services);
	free(st->staff);
	client_free(&st->cur);
	pay_panel_free(&st->pay);
	cards_refresh_free(&st->cards);
	policy_form_free(&st->policy);
	free(st);
}

static void reload(void *state, struct ui *ui)
{
	(void)ui;
	struct clients_state *st = state;
	load(st);
	pay_panel_reload(st->pay);
	client_detail_reload(ui, st->detail_id);
}

/* ---- forms ------------------------------------------------------------ */

void clients_tab_form_setup(struct clients_state *st, int n)
{
	for (int i = 0; i < CLIENTS_TAB_MAX_FIELDS; i++)
		if (i >= n)
			st->fields[i] = (struct ui_field){0};
	ui_form_init(&st->form, st->fields, n, 2000);
	st->form_ready = true;
	st->form_error[0] = '\0';
	st->mode = M_FORM;
}

static void open_form(struct clients_state *st, bool edit)
{
	long sel = st->list.sel;
	if (edit && sel < 0)
		return;
	st->edit_id = st->edit_version = 0;
	lists[st->kind]->open_form(st, edit, sel);
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
	const struct tab_list *l = lists[st->kind];
	int bad = ui_form_validate(&st->form);
	if (bad >= 0) {
		st->form.focus = bad;
		snprintf(st->form_error, sizeof st->form_error, "%s: %s", st->fields[bad].label,
			 st->fields[bad].error);
		return;
	}
	struct pd_error err = {0};
	int64_t id = st->edit_id;
	int rc = l->save(st, ui->app->db, &id, &err);
	if (rc) {
		/* Keep everything typed; say what is wrong next to the field. */
		int f = field_of(st, err.msg);
		if (rc == PD_ERR_EXISTS && l->exists_field)
			f = l->exists_field(err.msg);
		if (f >= 0) {
			snprintf(st->fields[f].error, sizeof st->fields[f].error, "%.190s", err.msg);
			st->form.focus = f;
		}
		snprintf(st->form_error, sizeof st->form_error, "not saved: %s", err.msg);
		return;
	}
	bool was_new = st->edit_id == 0;
	char name[200];
	snprintf(name, sizeof name, "%s", ui_form_value(&st->form, 0));
	close_form(st);
	load(st);
	/* Select the saved row. */
	for (long i = 0; i < st->list.count; i++)
		if (l->row_id(st, i) == id)
			st->list.sel = i;
	ui_notify(ui, UI_NOTICE_INFO, "%s %s: %s", l->one, was_new ? "added" : "saved", name);
	if (l->saved)
		l->saved(st, id);
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
	int rc = lists[st->kind]->delete_row(st, ui->app->db, sel, &err);
	if (rc)
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
	else
		ui_notify(ui, UI_NOTICE_INFO, "%s", lists[st->kind]->deleted);
	load(st);
}

static void ask_delete(struct clients_state *st)
{
	long sel = st->list.sel;
	if (sel < 0)
		return;
	char body[400];
	const char *title, *label;
	if (!lists[st->kind]->delete_question(st, sel, body, sizeof body, &title, &label))
		return;
	ui_dialog_open(st->ui, &(struct ui_dialog_spec){.title = title, .body = body,
							.confirm_label = label,
							.on_confirm = confirm_delete, .ctx = st});
}

/* ---- keys --------------------------------------------------------------- */

/* Preconditions: what each key needs of the tab's state. */
static bool in_list(const void *state, const struct ui *ui)
{
	const struct clients_state *st = state;
	(void)ui;
	return st->mode == M_LIST && !pay_panel_active(st->pay) && !st->detail_id &&
	       !policy_form_active(st->policy);
}

static bool on_client(const void *state, const struct ui *ui)
{
	const struct clients_state *st = state;
	return in_list(st, ui) && st->kind == LK_CLIENTS && st->list.count > 0;
}

static bool in_form(const void *state, const struct ui *ui)
{
	const struct clients_state *st = state;
	(void)ui;
	return st->mode == M_FORM;
}

static bool can_search(const void *state, const struct ui *ui)
{
	const struct clients_state *st = state;
	(void)ui;
	return st->mode == M_LIST && st->kind == LK_CLIENTS;
}

/* P / B: the booking policies, for admins, on the services list. */
static bool on_services_admin(const void *state, const struct ui *ui)
{
	const struct clients_state *st = state;
	return in_list(state, ui) && st->kind == LK_SERVICES && ui->app->session.role == ROLE_ADMIN;
}

static bool on_service_admin(const void *state, const struct ui *ui)
{
	const struct clients_state *st = state;
	return on_services_admin(state, ui) && st->list.sel >= 0 &&
	       (size_t)st->list.sel < st->nservices;
}

/* Preconditions are with the functions (clients_functions). */
static const struct ui_binding clients_keys[] = {
	{'v', UI_ACT_VIEW, "switch list: clients / services / staff", NULL},
	{'/', UI_ACT_SEARCH, "search clients as you type (Esc clears)", NULL},
	{'n', UI_ACT_NEW, "new client / service / staff member", NULL},
	{'e', UI_ACT_EDIT, "edit the selected row", NULL},
	{UI_KEY_ENTER, UI_ACT_EDIT, "edit the selected row", NULL},
	{'D', UI_ACT_DELETE, "delete the client / disable or enable", NULL},
	{'o', UI_ACT_OPEN, "open: the client's subscriptions and invoices", NULL},
	{'H', UI_ACT_VISITS, "the client's visit history (visits, money)", NULL},
	{'S', UI_ACT_SAVE_CARD, "S save a card (link / QR), Y sync with Stripe", NULL},
	{'Y', UI_ACT_SYNC, "S save a card (link / QR), Y sync with Stripe", NULL},
	{'P', UI_ACT_POLICY, "booking policy of the service (P) or the business (B)", NULL},
	{'B', UI_ACT_POLICY_DEFAULT, "booking policy of the service (P) or the business (B)", NULL},
	{UI_CTRL('s'), UI_ACT_SAVE, "save the form", NULL},
	{UI_KEY_ESC, UI_ACT_BACK, "leave the form (asks when changed)", NULL},
};

/* ---- actions: one small function each ------------------------------------ */

static enum ui_result do_view(void *state, struct ui *ui)
{
	struct clients_state *st = state;
	(void)ui;
	st->kind = (st->kind + 1) % LK_COUNT;
	st->list = (struct ui_list){.sel = -1};
	load(st);
	return UI_HANDLED;
}

static enum ui_result do_search(void *state, struct ui *ui)
{
	struct clients_state *st = state;
	(void)ui;
	st->mode = M_SEARCH;
	return UI_HANDLED;
}

static enum ui_result do_new(void *state, struct ui *ui)
{
	(void)ui;
	open_form(state, false);
	return UI_HANDLED;
}

static enum ui_result do_edit(void *state, struct ui *ui)
{
	(void)ui;
	open_form(state, true);
	return UI_HANDLED;
}

static enum ui_result do_delete(void *state, struct ui *ui)
{
	(void)ui;
	ask_delete(state);
	return UI_HANDLED;
}

/* The selected client's id, or 0. */
static int64_t selected_client(const struct clients_state *st)
{
	if (st->kind != LK_CLIENTS || st->list.sel < 0 || (size_t)st->list.sel >= st->nids)
		return 0;
	return st->ids[st->list.sel];
}

static enum ui_result do_visits(void *state, struct ui *ui)
{
	struct clients_state *st = state;
	int64_t cid = st->detail_id ? st->detail_id : selected_client(st);
	if (cid)
		ui_visits_open(ui, cid, 0);
	return UI_HANDLED;
}

static enum ui_result do_open(void *state, struct ui *ui)
{
	struct clients_state *st = state;
	(void)ui;
	int64_t cid = selected_client(st);
	if (!cid)
		return UI_HANDLED;
	st->detail_id = cid;
	return UI_RELOAD; /* the detail is read in reload */
}

static enum ui_result do_save_card(void *state, struct ui *ui)
{
	struct clients_state *st = state;
	(void)ui;
	int64_t cid = selected_client(st);
	if (cid)
		pay_panel_save_card(st->pay, cid);
	return UI_HANDLED;
}

static enum ui_result do_sync(void *state, struct ui *ui)
{
	struct clients_state *st = state;
	(void)ui;
	int64_t cid = selected_client(st);
	if (cid) {
		struct pay_job_request req = {.op = PAY_OP_CUSTOMER_SYNC, .id = cid};
		pay_panel_run(st->pay, &req);
	}
	return UI_HANDLED;
}

static enum ui_result do_save_form(void *state, struct ui *ui)
{
	(void)ui;
	save_form(state);
	return UI_HANDLED;
}

/* Leave the form, asking first when something was typed. */
static enum ui_result do_leave_form(void *state, struct ui *ui)
{
	struct clients_state *st = state;
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

static enum ui_result do_policy(void *state, struct ui *ui)
{
	struct clients_state *st = state;
	(void)ui;
	policy_form_open(st->policy, &st->services[st->list.sel]);
	return UI_HANDLED;
}

static enum ui_result do_policy_default(void *state, struct ui *ui)
{
	struct clients_state *st = state;
	(void)ui;
	policy_form_open(st->policy, NULL);
	return UI_HANDLED;
}

UI_LIST_MOVE_FUNCTIONS(list_move, struct clients_state, list)

static const struct ui_function clients_functions[] = {
	{UI_ACT_VIEW, do_view, in_list},
	{UI_ACT_SEARCH, do_search, can_search},
	{UI_ACT_NEW, do_new, in_list},
	{UI_ACT_EDIT, do_edit, in_list},
	{UI_ACT_DELETE, do_delete, in_list},
	{UI_ACT_OPEN, do_open, on_client},
	{UI_ACT_VISITS, do_visits, on_client},
	{UI_ACT_SAVE_CARD, do_save_card, on_client},
	{UI_ACT_SYNC, do_sync, on_client},
	{UI_ACT_POLICY, do_policy, on_service_admin},
	{UI_ACT_POLICY_DEFAULT, do_policy_default, on_services_admin},
	{UI_ACT_SAVE, do_save_form, in_form},
	{UI_ACT_BACK, do_leave_form, in_form},
	UI_LIST_MOVE_ENTRIES(list_move, in_list),
};

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
	default: {
		enum ui_edit e = ui_textedit_key(t, k);
		if (e != UI_EDIT_TYPED && e != UI_EDIT_DELETED)
			return UI_HANDLED;
	}
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
	if (policy_form_active(st->policy))
		return policy_form_key(st->policy, k);
	if (st->detail_id)
		return UI_UNHANDLED; /* its keys are a keymap */
	if (st->mode == M_SEARCH)
		return search_key(st, k);
	if (st->mode != M_FORM)
		return UI_UNHANDLED;
	if (k == UI_KEY_ESC)
		return do_leave_form(st, ui);
	if (k == UI_CTRL('s') || (k == UI_KEY_ENTER && st->form.focus == st->form.n - 1))
		return do_save_form(st, ui);
	if (k == UI_KEY_ENTER)
		k = '\t';
	ui_form_key(&st->form, k);
	st->form_error[0] = '\0';
	return UI_HANDLED; /* while the form is open, every key is the form's */
}

static bool editing(void *state)
{
	const struct clients_state *st = state;
	if (policy_form_active(st->policy))
		return policy_form_editing(st->policy);
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

static void draw_form(struct clients_state *st, struct ui_rect a)
{
	char title[80];
	snprintf(title, sizeof title, "%s %s", st->edit_id ? "Edit" : "New", lists[st->kind]->one);
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
	if (policy_form_active(st->policy)) {
		policy_form_draw(st->policy, a);
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
			    lists[k]->name, false);
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
			ui_textedit_draw(&st->query, false,
					 st->mode == M_SEARCH ? ROLE_INPUT_FOCUS : ROLE_INPUT,
					 st->mode == M_SEARCH, y, a.x + 1 + w, a.w - w - 2);
			if (st->mode == M_SEARCH)
				getyx(stdscr, cy, cx); /* where typing goes, kept past the list */
		} else {
			ui_put(y, a.x + 1, a.w - 2, ROLE_DIM, "/: search by name, email or phone", false);
		}
	}
	y++;
	struct ui_rect rows = {y + 1, a.x + 1, a.h - (y + 1 - a.y) - 3, a.w - 2};
	const struct tab_list *l = lists[st->kind];
	l->draw_rows(st, rows, y);
	if (st->list.count == 0)
		ui_put(rows.y + 1, rows.x + 1, rows.w - 2, ROLE_DIM, l->empty(st), false);
	else if (l->draw_footer)
		l->draw_footer(st, ui, a);
	ui_put(a.y + a.h - 1, a.x + 1, a.w - 2, ROLE_HELP_KEY,
	       "n new  e edit  o open  D delete  v list  / search  S card  Y Stripe  ?: keys", false);
	if (cy >= 0)
		move(cy, cx);
}

/* A client at a glance (o): Esc goes back to the list. */
static const struct ui_binding detail_keys[] = {
	{UI_KEY_ESC, UI_ACT_BACK, "back to the list", NULL},
	{'H', UI_ACT_VISITS, "the client's visit history (visits, money)", NULL},
};

static enum ui_result do_close_detail(void *state, struct ui *ui)
{
	struct clients_state *st = state;
	(void)ui;
	st->detail_id = 0;
	return UI_HANDLED;
}

static const struct ui_function detail_functions[] = {
	{UI_ACT_BACK, do_close_detail, NULL},
	{UI_ACT_VISITS, do_visits, NULL},
};

static void keymaps(void *state, struct ui *ui, struct ui_keymaps *s)
{
	struct clients_state *st = state;
	(void)ui;
	pay_panel_keymaps(st->pay, s);
	if (st->detail_id && !pay_panel_active(st->pay))
		ui_keymaps_push(s, (struct ui_keymap){.title = "Client", .keys = detail_keys,
						      .nkeys = 2, .state = st, .funcs = detail_functions,
						      .nfuncs = 2});
}

const struct ui_screen screen_clients = {
	.name = "clients",
	.title = "Clients",
	.keys = clients_keys,
	.nkeys = sizeof clients_keys / sizeof clients_keys[0],
	.list_keys = true,
	.open = open_clients,
	.close = close_clients,
	.draw = draw,
	.funcs = clients_functions,
	.nfuncs = sizeof clients_functions / sizeof clients_functions[0],
	.key = key,
	.keymaps = keymaps,
	.editing = editing,
	.dirty = dirty,
	.job_done = job_done,
	.reload = reload,
	.drop = drop,
};
