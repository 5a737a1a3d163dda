/* The Staff list of the Clients tab: the people and rooms that can be
 * booked, with their working hours; the staff form, and disable / enable. */
#include <stdio.h>
#include <stdlib.h>

#include "paydesk/textcheck.h"
#include "clients_tab.h"

static const char *const yes_no[] = {"no", "yes", NULL};

/* ---- validation on leaving a field ---------------------------------- */

static int v_staff_name(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	return ui_field_verdict(text_check("name", v, STAFF_NAME_MAX, true, false, &e), &e, msg, len);
}

static int v_hours(const char *v, char *msg, size_t len)
{
	struct staff_hours h;
	struct pd_error e;
	return ui_field_verdict(staff_hours_parse(v, &h, &e), &e, msg, len);
}

/* ---- data -------------------------------------------------------------- */

static int load(struct clients_state *st, sqlite3 *db, long *count, struct pd_error *err)
{
	int rc = staff_list(db, false, &st->staff, &st->nstaff, err);
	*count = (long)st->nstaff;
	return rc;
}

static void open_form(struct clients_state *st, bool edit, long sel)
{
	st->fields[0] = (struct ui_field){.label = "Name", .validate = v_staff_name,
					  .hint = "a person or a room"};
	st->fields[1] = (struct ui_field){.label = "Working hours", .validate = v_hours,
					  .hint = "e.g. mon-fri 09:00-17:00, sat 10:00-14:00",
					  .placeholder = "mon-fri 09:00-17:00"};
	st->fields[2] = (struct ui_field){.label = "Active", .kind = UI_FIELD_CHOICE,
					  .choices = yes_no, .hint = "inactive staff cannot be booked"};
	clients_tab_form_setup(st, 3);
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

static int save(struct clients_state *st, sqlite3 *db, int64_t *id, struct pd_error *err)
{
	struct staff_input in = {.name = ui_form_value(&st->form, 0),
				 .active = st->fields[2].choice == 1};
	const char *hours = ui_form_value(&st->form, 1);
	int rc = staff_hours_parse(*hours ? hours : "mon-fri 09:00-17:00", &in.hours, err);
	if (rc)
		return rc;
	return *id ? staff_update(db, *id, st->edit_version, &in, err)
		   : staff_insert(db, &in, id, err);
}

static int exists_field(const char *msg)
{
	(void)msg;
	return 0; /* the name */
}

static int64_t row_id(const struct clients_state *st, long i)
{
	return st->staff[i].id;
}

static bool delete_question(struct clients_state *st, long sel, char *body, size_t len,
			    const char **title, const char **label)
{
	const struct staff *s = &st->staff[sel];
	snprintf(body, len, "%s %s?\n%s", s->active ? "Disable" : "Enable", s->name,
		 s->active ? "It can no longer be booked; existing bookings stay."
			   : "It can be booked again.");
	*title = s->active ? "Disable?" : "Enable?";
	*label = s->active ? "disable" : "enable";
	return true;
}

/* "Delete" disables (or enables again): bookings keep their staff. */
static int delete_row(struct clients_state *st, sqlite3 *db, long sel, struct pd_error *err)
{
	const struct staff *s = &st->staff[sel];
	struct staff_input in = {.name = s->name, .hours = s->hours, .active = !s->active};
	return staff_update(db, s->id, s->version, &in, err);
}

/* ---- drawing ------------------------------------------------------------ */

static void draw_row(void *ctx, long i, struct ui_rect r, bool selected)
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

static void draw_rows(struct clients_state *st, struct ui_rect rows, int y)
{
	int wn = rows.w * 30 / 100;
	ui_put(y, rows.x, wn, ROLE_HEADER, "Staff / room", true);
	ui_put(y, rows.x + wn + 1, rows.w - wn - 1, ROLE_HEADER, "Working hours", true);
	ui_list_draw(&st->list, rows, draw_row, st);
}

static const char *empty(const struct clients_state *st)
{
	(void)st;
	return "No staff yet: n adds a staff member or a room.";
}

const struct tab_list list_staff = {
	.name = "Staff",
	.one = "staff member",
	.load = load,
	.open_form = open_form,
	.save = save,
	.exists_field = exists_field,
	.row_id = row_id,
	.delete_question = delete_question,
	.delete_row = delete_row,
	.deleted = "saved",
	.draw_rows = draw_rows,
	.empty = empty,
};
