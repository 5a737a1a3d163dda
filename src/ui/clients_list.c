/* The Clients list of the Clients tab: search as you type, the client form,
 * delete, and under the rows the selected client's notes and saved cards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/customers.h"
#include "paydesk/textcheck.h"
#include "clients_tab.h"

static const char *const yes_no[] = {"no", "yes", NULL};

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

/* ---- data -------------------------------------------------------------- */

static int load(struct clients_state *st, sqlite3 *db, long *count, struct pd_error *err)
{
	int rc = clients_search(db, st->query.text, &st->ids, &st->nids, err);
	*count = (long)st->nids;
	return rc;
}

static void open_form(struct clients_state *st, bool edit, long sel)
{
	struct pd_error err = {0};
	st->fields[0] = (struct ui_field){.label = "Name", .validate = v_client_name,
					  .hint = "as the client wants to be called"};
	st->fields[1] = (struct ui_field){.label = "Email", .validate = v_email,
					  .hint = "optional; an import with this email updates the client"};
	st->fields[2] = (struct ui_field){.label = "Phone", .validate = v_phone,
					  .hint = "optional; digits, spaces, + ( ) - ."};
	st->fields[3] = (struct ui_field){.label = "Notes", .validate = v_notes};
	st->fields[4] = (struct ui_field){.label = "Bill with Stripe", .kind = UI_FIELD_CHOICE,
					  .choices = yes_no, .hint = "Space: no / yes"};
	clients_tab_form_setup(st, 5);
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
}

static int save(struct clients_state *st, sqlite3 *db, int64_t *id, struct pd_error *err)
{
	struct client_input in = {ui_form_value(&st->form, 0), ui_form_value(&st->form, 1),
				  ui_form_value(&st->form, 2), ui_form_value(&st->form, 3),
				  st->fields[4].choice == 1};
	return *id ? clients_update(db, *id, st->edit_version, &in, err)
		   : clients_insert(db, &in, id, err);
}

static int exists_field(const char *msg)
{
	return strstr(msg, "email") ? 1 : 0;
}

/* Billed through Stripe: its customer is created / updated on a worker. */
static void saved(struct clients_state *st, int64_t id)
{
	struct ui *ui = st->ui;
	sqlite3 *db = ui->app->db;
	struct client c;
	if (ui->app->vault && ui->app->jobs && customers_billing_on(db) &&
	    clients_get(db, id, &c, NULL) == PD_OK) {
		if (c.bill_with_stripe) {
			struct pay_job_request req = {.op = PAY_OP_CUSTOMER_SYNC, .id = id};
			pay_panel_run(st->pay, &req);
		}
		client_free(&c);
	}
}

static int64_t row_id(const struct clients_state *st, long i)
{
	return st->ids[i];
}

static bool delete_question(struct clients_state *st, long sel, char *body, size_t len,
			    const char **title, const char **label)
{
	struct client c;
	struct pd_error err;
	if (clients_get(st->ui->app->db, st->ids[sel], &c, &err))
		return false;
	snprintf(body, len, "Delete %s%s%s%s?\nClients with appointments are kept.", c.name,
		 c.email[0] ? " <" : "", c.email, c.email[0] ? ">" : "");
	client_free(&c);
	*title = "Delete client?";
	*label = "delete";
	return true;
}

static int delete_row(struct clients_state *st, sqlite3 *db, long sel, struct pd_error *err)
{
	struct client c;
	int rc = clients_get(db, st->ids[sel], &c, err);
	if (!rc)
		rc = clients_delete(db, c.id, c.version, err);
	client_free(&c);
	return rc;
}

/* ---- drawing ------------------------------------------------------------ */

static void draw_row(void *ctx, long i, struct ui_rect r, bool selected)
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

static void draw_rows(struct clients_state *st, struct ui_rect rows, int y)
{
	int wn = rows.w * 36 / 100, we = rows.w * 34 / 100;
	ui_put(y, rows.x, wn, ROLE_HEADER, "Name", true);
	ui_put(y, rows.x + wn + 1, we, ROLE_HEADER, "Email", true);
	ui_put(y, rows.x + wn + we + 2, rows.w - wn - we - 8, ROLE_HEADER, "Phone", true);
	ui_put(y, rows.x + rows.w - 5, 5, ROLE_HEADER, "Bill", true);
	client_free(&st->cur);
	ui_list_draw(&st->list, rows, draw_row, st);
}

static const char *empty(const struct clients_state *st)
{
	return st->query.len ? "No client matches the search."
			     : "No clients yet: n adds one (or paydesk clients import FILE.csv).";
}

static void draw_footer(struct clients_state *st, struct ui *ui, struct ui_rect a)
{
	if (!st->cur.name)
		return;
	int by = a.y + a.h - 2;
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

const struct tab_list list_clients = {
	.name = "Clients",
	.one = "client",
	.load = load,
	.open_form = open_form,
	.save = save,
	.exists_field = exists_field,
	.saved = saved,
	.row_id = row_id,
	.delete_question = delete_question,
	.delete_row = delete_row,
	.deleted = "client deleted",
	.draw_rows = draw_rows,
	.empty = empty,
	.draw_footer = draw_footer,
};
