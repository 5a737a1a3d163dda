/* The Appointments tab: the day (or week) agenda, all staff or one, and
 * the booking form: book, edit/reschedule, cancel, complete, no-show. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/booking.h"
#include "paydesk/clients.h"
#include "paydesk/money.h"
#include "paydesk/payments.h"
#include "paydesk/payments_store.h"
#include "paydesk/setup.h"
#include "paydesk/services.h"
#include "paydesk/staff.h"
#include "paydesk/textcheck.h"
#include "paydesk/tz.h"
#include "pay_panel.h"
#include "widgets.h"

extern const struct ui_screen screen_appointments;

enum { F_CLIENT, F_SERVICE, F_STAFF, F_DATE, F_TIME, F_NOTES, F_COUNT };
#define PICK_ROWS 4

struct appt_screen {
	struct ui *ui;
	int y, m, d;          /* the day shown (or a day of the week shown) */
	bool week;
	int64_t staff_filter; /* 0: all staff */
	char staff_filter_name[STAFF_NAME_MAX * 4 + 1];
	struct appointment *rows;
	size_t n;
	struct ui_list list;

	bool form_open;
	struct ui_field fields[F_COUNT];
	struct ui_form form;
	int64_t edit_id, edit_version;
	char form_error[600];
	int64_t *matches; /* client picker: ids matching what is typed */
	size_t nmatches;
	int pick;
	int64_t client_id; /* the client chosen */
	struct service *services;
	size_t nservices;
	struct staff *staff;
	size_t nstaff;
	char **service_labels, **staff_labels;
	struct pay_panel *pay; /* take payment / refund / pay link and reader view */
};

/* ---- the agenda ------------------------------------------------------ */

static void range(const struct appt_screen *st, int64_t *from, int64_t *to)
{
	int y = st->y, m = st->m, d = st->d;
	if (st->week)
		tz_date_add(&y, &m, &d, -tz_weekday(y, m, d)); /* Monday */
	*from = tz_day_start(y, m, d);
	tz_date_add(&y, &m, &d, st->week ? 7 : 1);
	*to = tz_day_start(y, m, d);
}

static void load(struct appt_screen *st)
{
	struct pd_error err = {0};
	appointments_free_list(&st->rows, st->n);
	st->n = 0;
	int64_t from, to;
	range(st, &from, &to);
	if (appointments_range(st->ui->app->db, from, to, st->staff_filter, &st->rows, &st->n, &err))
		ui_notify(st->ui, UI_NOTICE_ERROR, "%s", err.msg);
	ui_list_set_count(&st->list, (long)st->n);
}

static void *open_appts(struct ui *ui)
{
	struct appt_screen *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->ui = ui;
	st->list.sel = -1;
	st->pay = pay_panel_new(ui);
	tz_today(&st->y, &st->m, &st->d);
	load(st);
	return st;
}

static void free_labels(char ***labels, size_t n)
{
	if (!*labels)
		return;
	for (size_t i = 0; i < n; i++)
		free((*labels)[i]);
	free(*labels);
	*labels = NULL;
}

static void close_form(struct appt_screen *st)
{
	if (!st->form_open)
		return;
	ui_form_free(&st->form);
	free_labels(&st->service_labels, st->nservices);
	free_labels(&st->staff_labels, st->nstaff);
	free(st->services);
	free(st->staff);
	free(st->matches);
	st->services = NULL;
	st->staff = NULL;
	st->matches = NULL;
	st->nservices = st->nstaff = st->nmatches = 0;
	st->form_open = false;
}

static void close_appts(void *state)
{
	struct appt_screen *st = state;
	if (!st)
		return;
	close_form(st);
	pay_panel_free(&st->pay);
	appointments_free_list(&st->rows, st->n);
	free(st);
}

static void reload(void *state, struct ui *ui)
{
	(void)ui;
	load(state);
}

static const struct appointment *selected(const struct appt_screen *st)
{
	return st->list.sel >= 0 && (size_t)st->list.sel < st->n ? &st->rows[st->list.sel] : NULL;
}

/* ---- the booking form --------------------------------------------------- */

static int v_date(const char *v, char *msg, size_t len)
{
	int y, m, d;
	if (tz_parse_date(v, &y, &m, &d) != 0) {
		snprintf(msg, len, "a date as YYYY-MM-DD, such as 2025-03-31");
		return -1;
	}
	return 0;
}

static int v_time(const char *v, char *msg, size_t len)
{
	int h, m;
	if (tz_parse_time(v, &h, &m) != 0) {
		snprintf(msg, len, "a time as HH:MM (24-hour), such as 09:30");
		return -1;
	}
	return 0;
}

static int v_notes(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	if (text_check("notes", v, 1000, false, false, &e) == 0)
		return 0;
	snprintf(msg, len, "%.190s", e.msg);
	return -1;
}

static void refresh_matches(struct appt_screen *st)
{
	struct pd_error err;
	free(st->matches);
	st->matches = NULL;
	st->nmatches = 0;
	st->pick = 0;
	clients_search(st->ui->app->db, ui_form_value(&st->form, F_CLIENT), &st->matches,
		       &st->nmatches, &err);
}

/* Leaving the client field: take the highlighted match. */
static void settle_client(struct appt_screen *st)
{
	struct ui_field *f = &st->fields[F_CLIENT];
	f->error[0] = '\0';
	const char *typed = ui_form_value(&st->form, F_CLIENT);
	if (st->client_id && st->nmatches == 0 && *typed)
		return;
	if (st->nmatches == 0) {
		st->client_id = 0;
		snprintf(f->error, sizeof f->error, *typed
			 ? "no client matches: add them in the Clients tab first"
			 : "type part of the client's name, email or phone");
		return;
	}
	struct client c;
	struct pd_error err;
	if (clients_get(st->ui->app->db, st->matches[st->pick], &c, &err) == PD_OK) {
		st->client_id = c.id;
		textedit_set(&f->edit, c.name);
		client_free(&c);
	}
	free(st->matches);
	st->matches = NULL;
	st->nmatches = 0;
}

/* The start from the date and time fields; errors land on the time field. */
static int start_of(struct appt_screen *st, int64_t *utc)
{
	int y, m, d, hh, mm;
	struct ui_field *f = &st->fields[F_TIME];
	if (tz_parse_date(ui_form_value(&st->form, F_DATE), &y, &m, &d) != 0 ||
	    tz_parse_time(ui_form_value(&st->form, F_TIME), &hh, &mm) != 0)
		return -1;
	struct pd_error err = {0};
	bool ambiguous = false;
	if (tz_from_civil(y, m, d, hh, mm, utc, &ambiguous, &err) != PD_OK) {
		snprintf(f->error, sizeof f->error, "%.190s", err.msg);
		return -1;
	}
	if (ambiguous)
		ui_notify(st->ui, UI_NOTICE_INFO,
			  "%02d:%02d happens twice that night (clocks go back): the first one is used",
			  hh, mm);
	return 0;
}

static void left_field(struct appt_screen *st, int from)
{
	if (from == F_CLIENT)
		settle_client(st);
	if (from == F_TIME || from == F_DATE) {
		int64_t t;
		if (!st->fields[F_TIME].error[0] && !st->fields[F_DATE].error[0] &&
		    *ui_form_value(&st->form, F_TIME))
			start_of(st, &t);
	}
	if (st->form.focus == F_CLIENT)
		refresh_matches(st);
}

static char **make_labels(size_t n)
{
	return calloc(n + 1, sizeof(char *));
}

static void open_form(struct appt_screen *st, const struct appointment *a)
{
	struct ui *ui = st->ui;
	struct pd_error err = {0};
	close_form(st);
	if (services_list(ui->app->db, true, &st->services, &st->nservices, &err) ||
	    staff_list(ui->app->db, true, &st->staff, &st->nstaff, &err)) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		free(st->services);
		free(st->staff);
		st->services = NULL;
		st->staff = NULL;
		return;
	}
	if (st->nservices == 0 || st->nstaff == 0) {
		ui_notify(ui, UI_NOTICE_ERROR,
			  "add a service and a staff member first (Clients tab, v switches lists)");
		free(st->services);
		free(st->staff);
		st->services = NULL;
		st->staff = NULL;
		st->nservices = st->nstaff = 0;
		return;
	}
	st->service_labels = make_labels(st->nservices);
	st->staff_labels = make_labels(st->nstaff);
	int svc = 0, stf = 0;
	for (size_t i = 0; st->service_labels && i < st->nservices; i++) {
		char price[64];
		money_format(st->services[i].price, st->services[i].currency, price, sizeof price);
		if (asprintf(&st->service_labels[i], "%s · %d min · %s", st->services[i].name,
			     st->services[i].duration_min, price) < 0)
			st->service_labels[i] = NULL;
		if (a && st->services[i].id == a->service_id)
			svc = (int)i;
	}
	for (size_t i = 0; st->staff_labels && i < st->nstaff; i++) {
		st->staff_labels[i] = strdup(st->staff[i].name);
		if ((a && st->staff[i].id == a->staff_id) ||
		    (!a && st->staff_filter && st->staff[i].id == st->staff_filter))
			stf = (int)i;
	}
	st->fields[F_CLIENT] = (struct ui_field){
		.label = "Client", .hint = "type to search; Up/Down pick; Tab takes the highlighted one"};
	st->fields[F_SERVICE] = (struct ui_field){.label = "Service", .kind = UI_FIELD_CHOICE,
						  .choices = (const char *const *)st->service_labels,
						  .hint = "Space / arrows: next service"};
	st->fields[F_STAFF] = (struct ui_field){.label = "Staff", .kind = UI_FIELD_CHOICE,
						.choices = (const char *const *)st->staff_labels,
						.hint = "Space / arrows: next staff member"};
	st->fields[F_DATE] = (struct ui_field){.label = "Date", .validate = v_date,
					       .hint = "YYYY-MM-DD"};
	st->fields[F_TIME] = (struct ui_field){.label = "Time", .validate = v_time,
					       .hint = "HH:MM, 24-hour, local time"};
	st->fields[F_NOTES] = (struct ui_field){.label = "Notes", .validate = v_notes};
	ui_form_init(&st->form, st->fields, F_COUNT, 1000);
	st->form_open = true;
	st->fields[F_SERVICE].choice = svc;
	st->fields[F_STAFF].choice = stf;
	st->form_error[0] = '\0';
	char date[16] = "", tm[8] = "";
	if (a) {
		struct tz_civil c;
		tz_to_civil(a->starts_at, &c);
		snprintf(date, sizeof date, "%04d-%02d-%02d", c.year % 10000, c.month % 100, c.day % 100);
		snprintf(tm, sizeof tm, "%02d:%02d", c.hour % 100, c.minute % 100);
		textedit_set(&st->fields[F_CLIENT].edit, a->client_name);
		textedit_set(&st->fields[F_NOTES].edit, a->notes);
		st->client_id = a->client_id;
		st->edit_id = a->id;
		st->edit_version = a->version;
		st->form.focus = F_DATE;
	} else {
		snprintf(date, sizeof date, "%04d-%02d-%02d", st->y % 10000, st->m % 100, st->d % 100);
		st->client_id = 0;
		st->edit_id = st->edit_version = 0;
		refresh_matches(st);
	}
	textedit_set(&st->fields[F_DATE].edit, date);
	textedit_set(&st->fields[F_TIME].edit, tm);
	st->form.dirty = false;
}

static void save_form(struct appt_screen *st)
{
	struct ui *ui = st->ui;
	if (st->form.focus == F_CLIENT)
		settle_client(st);
	int bad = ui_form_validate(&st->form);
	if (bad < 0 && !st->client_id) {
		settle_client(st);
		bad = F_CLIENT;
	}
	int64_t start = 0;
	if (bad < 0 && start_of(st, &start) != 0)
		bad = F_TIME;
	if (bad >= 0) {
		st->form.focus = bad;
		snprintf(st->form_error, sizeof st->form_error, "%s: %s", st->fields[bad].label,
			 st->fields[bad].error);
		return;
	}
	struct booking_request req = {
		.who = &ui->app->session,
		.client_id = st->client_id,
		.service_id = st->services[st->fields[F_SERVICE].choice].id,
		.staff_id = st->staff[st->fields[F_STAFF].choice].id,
		.starts_at = start,
		.notes = ui_form_value(&st->form, F_NOTES),
	};
	struct pd_error err = {0};
	int64_t id = st->edit_id;
	int rc = id ? booking_update(ui->app->db, id, st->edit_version, &req, &err)
		    : booking_create(ui->app->db, &req, &id, &err);
	if (rc) {
		/* Keep the form as typed; the clash or the hours go next to the time. */
		if (rc == PD_ERR_CLASH || rc == PD_ERR_USAGE) {
			snprintf(st->fields[F_TIME].error, sizeof st->fields[F_TIME].error, "%.190s",
				 err.msg);
			st->form.focus = F_TIME;
		}
		snprintf(st->form_error, sizeof st->form_error, "not saved: %.500s", err.msg);
		return;
	}
	bool was_new = st->edit_id == 0;
	int pay_mode = was_new ? payments_booking_mode(ui->app->db) : BOOKING_PAY_OFF;
	if (was_new && payments_after_booking(ui->app->db, &ui->app->session, id, &err) != PD_OK)
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
	struct tz_civil c;
	tz_to_civil(start, &c);
	st->y = c.year;
	st->m = c.month;
	st->d = c.day;
	close_form(st);
	load(st);
	for (size_t i = 0; i < st->n; i++)
		if (st->rows[i].id == id)
			st->list.sel = (long)i;
	ui_notify(ui, UI_NOTICE_INFO, "%s %02d:%02d%s", was_new ? "booked" : "saved", c.hour,
		  c.minute,
		  pay_mode == BOOKING_PAY_REQUIRED ? ": confirmed once paid"
		  : pay_mode == BOOKING_PAY_OPTIONAL ? ": take payment now, or Esc" : "");
	/* Payment at booking: the payment step follows (optional: Esc skips it). */
	const struct appointment *sel = selected(st);
	if (pay_mode != BOOKING_PAY_OFF && sel && sel->id == id && sel->amount > 0)
		pay_panel_pay(st->pay, sel);
}

static void discard_form(struct ui *ui, void *ctx)
{
	(void)ui;
	close_form(ctx);
}

/* ---- state changes ------------------------------------------------------- */

static void set_state(struct appt_screen *st, enum appt_state to)
{
	const struct appointment *a = selected(st);
	if (!a)
		return;
	struct pd_error err = {0};
	int64_t id = a->id;
	if (booking_set_state(st->ui->app->db, &st->ui->app->session, id, a->version, to, &err) !=
	    PD_OK)
		ui_notify(st->ui, UI_NOTICE_ERROR, "%s", err.msg);
	else
		ui_notify(st->ui, UI_NOTICE_INFO, "%s", appt_state_label(to));
	load(st);
}

/* An appointment with payment attempts is cancelled through Stripe first
 * (its unpaid PaymentIntent cancelled, its open pay link expired). */
static void confirm_cancel(struct ui *ui, void *ctx)
{
	struct appt_screen *st = ctx;
	const struct appointment *a = selected(st);
	struct pay_attempt last;
	if (a && payrows_latest(ui->app->db, a->id, -1, &last, NULL) == PD_OK) {
		pay_attempt_free(&last);
		struct pay_job_request req = {.op = PAY_OP_CANCEL, .id = a->id, .version = a->version};
		if (pay_panel_submit(ui, &req))
			ui_notify(ui, UI_NOTICE_INFO, "cancelling (and its payment at Stripe)…");
		return;
	}
	set_state(st, APPT_CANCELLED);
}

static void ask_cancel(struct appt_screen *st)
{
	const struct appointment *a = selected(st);
	if (!a)
		return;
	char what[600], body[700];
	booking_describe(a, what, sizeof what);
	snprintf(body, sizeof body, "Cancel %s?\nThe slot becomes free again.", what);
	ui_dialog_open(st->ui, &(struct ui_dialog_spec){.title = "Cancel the appointment?",
							.body = body, .confirm_label = "cancel it",
							.on_confirm = confirm_cancel, .ctx = st});
}

/* ---- keys ---------------------------------------------------------------- */

static struct appt_screen *state_of(const struct ui *ui)
{
	for (int i = 0; i < UI_TABS; i++)
		if (ui_screens[i] == &screen_appointments)
			return ui->state[i];
	return NULL;
}

static bool in_agenda(const struct ui *ui)
{
	const struct appt_screen *st = state_of(ui);
	return st && !st->form_open && !pay_panel_active(st->pay);
}

static bool in_form(const struct ui *ui)
{
	const struct appt_screen *st = state_of(ui);
	return st && st->form_open;
}

/* Keys sharing one help text share one line of the ? overlay, which must
 * leave room for the global keys at 80x24. */
static const char help_book[] = "n book an appointment, e edit / reschedule it";
static const char help_state[] = "c cancel, d mark completed, x mark no-show";
static const char help_day[] = "previous / next day (week)";
static const char help_view[] = "t today, w day / week view, s one staff member / all";
static const char help_move[] = "move down / up, g first row";
static const char help_pay[] = "p take payment, r refund, u pay link / reader, K stop reader";

static const struct ui_binding appt_keys[] = {
	{'n', UI_ACT_NEW, help_book, in_agenda},
	{'e', UI_ACT_EDIT, help_book, in_agenda},
	{UI_KEY_ENTER, UI_ACT_EDIT, help_book, in_agenda},
	{'c', UI_ACT_CANCEL, help_state, in_agenda},
	{'d', UI_ACT_COMPLETE, help_state, in_agenda},
	{'x', UI_ACT_NO_SHOW, help_state, in_agenda},
	{'p', UI_ACT_PAY, help_pay, in_agenda},
	{'r', UI_ACT_REFUND, help_pay, in_agenda},
	{'u', UI_ACT_PAY_VIEW, help_pay, in_agenda},
	{'K', UI_ACT_STOP, help_pay, in_agenda},
	{'Y', UI_ACT_SYNC, "re-check an unknown payment at Stripe (no restart)", in_agenda},
	{'h', UI_ACT_LEFT, help_day, in_agenda},
	{UI_KEY_FN(KEY_LEFT), UI_ACT_LEFT, help_day, in_agenda},
	{'l', UI_ACT_RIGHT, help_day, in_agenda},
	{UI_KEY_FN(KEY_RIGHT), UI_ACT_RIGHT, help_day, in_agenda},
	{'t', UI_ACT_TODAY, help_view, in_agenda},
	{'w', UI_ACT_VIEW, help_view, in_agenda},
	{'s', UI_ACT_FILTER, help_view, in_agenda},
	{'j', UI_ACT_DOWN, help_move, in_agenda},
	{UI_KEY_FN(KEY_DOWN), UI_ACT_DOWN, help_move, in_agenda},
	{'k', UI_ACT_UP, help_move, in_agenda},
	{UI_KEY_FN(KEY_UP), UI_ACT_UP, help_move, in_agenda},
	{'g', UI_ACT_TOP, help_move, in_agenda},
	{UI_CTRL('s'), UI_ACT_SAVE, "save the booking", in_form},
	{UI_KEY_ESC, UI_ACT_BACK, "leave the form (asks when changed)", in_form},
};

static void next_staff(struct appt_screen *st)
{
	struct staff *all = NULL;
	size_t n = 0;
	struct pd_error err;
	if (staff_list(st->ui->app->db, false, &all, &n, &err))
		return;
	size_t i = 0;
	while (i < n && all[i].id != st->staff_filter)
		i++;
	/* all → first → … → last → all */
	size_t next = st->staff_filter == 0 ? 0 : i + 1;
	if (next < n) {
		st->staff_filter = all[next].id;
		snprintf(st->staff_filter_name, sizeof st->staff_filter_name, "%s", all[next].name);
	} else {
		st->staff_filter = 0;
	}
	free(all);
}

static enum ui_result act(void *state, struct ui *ui, enum ui_action a)
{
	struct appt_screen *st = state;
	(void)ui;
	if (st->form_open || pay_panel_active(st->pay))
		return UI_UNHANDLED;
	int step = st->week ? 7 : 1;
	const struct appointment *cur = selected(st);
	switch (a) {
	case UI_ACT_PAY:
		if (cur)
			pay_panel_pay(st->pay, cur);
		return UI_HANDLED;
	case UI_ACT_REFUND:
		if (cur)
			pay_panel_refund(st->pay, cur);
		return UI_HANDLED;
	case UI_ACT_PAY_VIEW:
		if (cur)
			pay_panel_view(st->pay, cur->id);
		return UI_HANDLED;
	case UI_ACT_SYNC:
		if (cur)
			pay_panel_recheck(st->pay, cur);
		return UI_HANDLED;
	case UI_ACT_STOP:
		if (cur) {
			struct pay_job_request req = {.op = PAY_OP_READER_CANCEL, .id = cur->id};
			pay_panel_submit(ui, &req);
		}
		return UI_HANDLED;
	case UI_ACT_NEW:
		open_form(st, NULL);
		return UI_HANDLED;
	case UI_ACT_EDIT: {
		const struct appointment *sel = selected(st);
		if (sel && !appt_state_holds_slot(sel->state))
			ui_notify(ui, UI_NOTICE_ERROR, "a %s appointment cannot be changed",
				  appt_state_label(sel->state));
		else if (sel && sel->state == APPT_COMPLETED)
			ui_notify(ui, UI_NOTICE_ERROR, "a completed appointment cannot be changed");
		else if (sel)
			open_form(st, sel);
		return UI_HANDLED;
	}
	case UI_ACT_CANCEL:
		ask_cancel(st);
		return UI_HANDLED;
	case UI_ACT_COMPLETE:
		set_state(st, APPT_COMPLETED);
		return UI_HANDLED;
	case UI_ACT_NO_SHOW:
		set_state(st, APPT_NO_SHOW);
		return UI_HANDLED;
	case UI_ACT_LEFT:
	case UI_ACT_RIGHT:
		tz_date_add(&st->y, &st->m, &st->d, a == UI_ACT_LEFT ? -step : step);
		st->list.sel = 0;
		st->list.top = 0;
		load(st);
		return UI_HANDLED;
	case UI_ACT_TODAY:
		tz_today(&st->y, &st->m, &st->d);
		load(st);
		return UI_HANDLED;
	case UI_ACT_VIEW:
		st->week = !st->week;
		load(st);
		return UI_HANDLED;
	case UI_ACT_FILTER:
		next_staff(st);
		load(st);
		return UI_HANDLED;
	default:
		return ui_list_act(&st->list, a);
	}
}

static enum ui_result key(void *state, struct ui *ui, int k)
{
	struct appt_screen *st = state;
	(void)ui;
	if (pay_panel_active(st->pay))
		return pay_panel_key(st->pay, k);
	if (!st->form_open)
		return UI_UNHANDLED;
	if (k == UI_KEY_ESC) {
		if (st->form.dirty)
			ui_dialog_open(ui, &(struct ui_dialog_spec){
						   .title = "Discard the booking?",
						   .body = "What you typed in this form will be lost.",
						   .confirm_label = "discard", .on_confirm = discard_form,
						   .ctx = st});
		else
			close_form(st);
		return UI_HANDLED;
	}
	if (k == UI_CTRL('s') || (k == UI_KEY_ENTER && st->form.focus == F_COUNT - 1)) {
		save_form(st);
		return UI_HANDLED;
	}
	/* The client picker takes Up/Down while it shows matches. */
	if (st->form.focus == F_CLIENT && st->nmatches > 1 &&
	    (k == UI_KEY_FN(KEY_UP) || k == UI_KEY_FN(KEY_DOWN))) {
		int n = (int)st->nmatches;
		st->pick = (st->pick + (k == UI_KEY_FN(KEY_DOWN) ? 1 : n - 1)) % n;
		return UI_HANDLED;
	}
	if (k == UI_KEY_ENTER)
		k = '\t';
	int from = st->form.focus;
	size_t before = st->fields[F_CLIENT].edit.len;
	char *was = from == F_CLIENT ? strdup(ui_form_value(&st->form, F_CLIENT)) : NULL;
	ui_form_key(&st->form, k);
	st->form_error[0] = '\0';
	if (st->form.focus != from) {
		left_field(st, from);
	} else if (from == F_CLIENT && was &&
		   (before != st->fields[F_CLIENT].edit.len ||
		    strcmp(was, ui_form_value(&st->form, F_CLIENT)) != 0)) {
		st->client_id = 0; /* typing again: choose again */
		refresh_matches(st);
	}
	free(was);
	return UI_HANDLED;
}

static bool editing(void *state)
{
	const struct appt_screen *st = state;
	if (pay_panel_active(st->pay))
		return pay_panel_editing(st->pay);
	return st->form_open && st->fields[st->form.focus].kind != UI_FIELD_CHOICE;
}

static void job_done(void *state, struct ui *ui, const struct jobs_completion *c)
{
	struct appt_screen *st = state;
	(void)ui;
	pay_panel_job_done(st->pay, c);
}

static bool dirty(void *state)
{
	const struct appt_screen *st = state;
	return st->form_open && st->form.dirty;
}

/* ---- drawing --------------------------------------------------------------- */

struct cols {
	int day, time, staff, client, service, state, pay;
};

static struct cols layout(int w, bool week)
{
	struct cols c = {week ? 7 : 0, 12, 11, 0, 0, 17, 0};
	int rest = w - c.day - c.time - c.staff - c.state;
	c.pay = rest >= 60 ? 19 : week ? 8 : 9;
	rest -= c.pay;
	c.client = rest * 55 / 100;
	c.service = rest - c.client;
	return c;
}

static void draw_row(void *ctx, long i, struct ui_rect r, bool sel)
{
	struct appt_screen *st = ctx;
	const struct appointment *a = &st->rows[i];
	struct cols c = layout(r.w, st->week);
	enum theme_role role = sel ? ROLE_SELECTION
			       : !appt_state_holds_slot(a->state) ? ROLE_DIM
			       : a->state == APPT_COMPLETED        ? ROLE_OK
								   : ROLE_NORMAL;
	struct tz_civil s, e;
	tz_to_civil(a->starts_at, &s);
	tz_to_civil(a->ends_at, &e);
	char buf[64];
	int x = r.x;
	ui_fill(r, role);
	if (st->week) {
		snprintf(buf, sizeof buf, "%s %02d", tz_weekday_abbr(s.wday), s.day % 100);
		ui_put(r.y, x, c.day, role, buf, true);
		x += c.day;
	}
	snprintf(buf, sizeof buf, "%02d:%02d-%02d:%02d", s.hour % 100, s.minute % 100, e.hour % 100,
		 e.minute % 100);
	ui_put(r.y, x, c.time, role, buf, true);
	x += c.time;
	ui_put(r.y, x, c.staff - 1, role, a->staff_name, true);
	x += c.staff;
	ui_put(r.y, x, c.client - 1, role, a->client_name, true);
	x += c.client;
	ui_put(r.y, x, c.service - 1, role, a->service_name, true);
	x += c.service;
	ui_put(r.y, x, c.state - 1, role, appt_state_label(a->state), true);
	x += c.state;
	ui_put(r.y, x, c.pay, role, appt_payment_text(a, c.pay < 19, buf, sizeof buf), true);
}

static void draw_picker(struct appt_screen *st, struct ui_rect r)
{
	if (st->form.focus != F_CLIENT)
		return;
	if (st->nmatches == 0) {
		ui_put(r.y, r.x, r.w, ROLE_DIM, "no client matches", false);
		return;
	}
	int first = st->pick >= PICK_ROWS ? st->pick - PICK_ROWS + 1 : 0;
	for (int i = 0; i < PICK_ROWS && (size_t)(first + i) < st->nmatches; i++) {
		struct client c;
		struct pd_error err;
		if (clients_get(st->ui->app->db, st->matches[first + i], &c, &err))
			continue;
		char line[400];
		snprintf(line, sizeof line, "%s %s%s%s%s", first + i == st->pick ? ">" : " ", c.name,
			 c.email[0] ? "  <" : "", c.email, c.email[0] ? ">" : "");
		ui_put(r.y + i, r.x, r.w, first + i == st->pick ? ROLE_SELECTION : ROLE_NORMAL, line,
		       true);
		client_free(&c);
	}
	if (st->nmatches > PICK_ROWS)
		ui_putf(r.y + PICK_ROWS, r.x, r.w, ROLE_DIM, "  … %zu matches (keep typing)",
			st->nmatches);
}

static void draw_form(struct appt_screen *st, struct ui_rect a)
{
	int y = a.y + 1;
	ui_put(y, a.x + 2, a.w - 4, ROLE_TITLE,
	       st->edit_id ? "Edit / reschedule the appointment" : "Book an appointment", false);
	y += 2;
	int form_h = F_COUNT * 2;
	ui_form_draw(&st->form, (struct ui_rect){y, a.x + 2, form_h, a.w - 4});
	int cy, cx;
	getyx(stdscr, cy, cx);
	int used = F_COUNT;
	for (int i = 0; i < F_COUNT; i++)
		used += st->fields[i].error[0] || (i == st->form.focus && st->fields[i].hint);
	draw_picker(st, (struct ui_rect){y + used + 1, a.x + 4, PICK_ROWS + 1, a.w - 8});
	if (st->form_error[0])
		ui_put(a.y + a.h - 3, a.x + 2, a.w - 4, ROLE_ERROR, st->form_error, false);
	ui_put(a.y + a.h - 1, a.x + 2, a.w - 4, ROLE_HELP_KEY,
	       "Tab/Enter: next field (Enter on Notes books)   Ctrl-S: save   Esc: cancel", false);
	move(cy, cx);
}

static void draw(void *state, struct ui *ui, struct ui_rect a)
{
	struct appt_screen *st = state;
	(void)ui;
	if (st->form_open) {
		draw_form(st, a);
		return;
	}
	if (pay_panel_active(st->pay)) {
		pay_panel_draw(st->pay, a);
		return;
	}
	int y = st->y, m = st->m, d = st->d;
	char head[300];
	if (st->week) {
		tz_date_add(&y, &m, &d, -tz_weekday(y, m, d));
		snprintf(head, sizeof head, "Week agenda · from Mon %04d-%02d-%02d", y, m, d);
	} else {
		snprintf(head, sizeof head, "Day agenda · %s %04d-%02d-%02d",
			 tz_weekday_abbr(tz_weekday(y, m, d)), y, m, d);
	}
	int x = a.x + 1;
	x += ui_put(a.y, x, a.w - 2, ROLE_TITLE, head, false);
	char tail[300];
	snprintf(tail, sizeof tail, " · %s · %s", st->staff_filter ? st->staff_filter_name : "all staff",
		 tz_name());
	ui_put(a.y, x, a.x + a.w - x - 1, ROLE_DIM, tail, false);

	struct ui_rect rows = {a.y + 2, a.x + 1, a.h - 6, a.w - 2};
	struct cols c = layout(rows.w, st->week);
	int hx = rows.x;
	if (st->week) {
		ui_put(a.y + 1, hx, c.day, ROLE_HEADER, "Day", true);
		hx += c.day;
	}
	ui_put(a.y + 1, hx, c.time, ROLE_HEADER, "Time", true);
	hx += c.time;
	ui_put(a.y + 1, hx, c.staff, ROLE_HEADER, "Staff", true);
	hx += c.staff;
	ui_put(a.y + 1, hx, c.client, ROLE_HEADER, "Client", true);
	hx += c.client;
	ui_put(a.y + 1, hx, c.service, ROLE_HEADER, "Service", true);
	hx += c.service;
	ui_put(a.y + 1, hx, c.state, ROLE_HEADER, "State", true);
	hx += c.state;
	ui_put(a.y + 1, hx, c.pay, ROLE_HEADER, "Payment", true);
	if (st->n == 0)
		ui_put(rows.y + 1, rows.x + 1, rows.w - 2, ROLE_DIM,
		       st->week ? "No appointments this week. n books one."
				: "No appointments on this day. n books one.",
		       false);
	ui_list_draw(&st->list, rows, draw_row, st);
	const struct appointment *sel = selected(st);
	if (sel) {
		char price[64], line[700], payment[160];
		money_format(sel->amount, sel->currency, price, sizeof price);
		struct pay_attempt last;
		bool has_last = payrows_latest(st->ui->app->db, sel->id, -1, &last, NULL) == PD_OK;
		snprintf(line, sizeof line, "%s · %s · %s · payment %s%s%.300s", sel->client_name,
			 sel->service_name, price, appt_payment_text(sel, false, payment, sizeof payment),
			 has_last && last.message && last.message[0] ? " · " : sel->notes[0] ? " · " : "",
			 has_last && last.message && last.message[0] ? last.message : sel->notes);
		if (has_last)
			pay_attempt_free(&last);
		ui_put(a.y + a.h - 3, a.x + 1, a.w - 2, ROLE_DIM, line, false);
	}
	ui_put(a.y + a.h - 2, a.x + 1, a.w - 2, ROLE_HELP_KEY,
	       "n book  e edit  c cancel  d completed  x no-show  p pay  r refund  u view", false);
	ui_put(a.y + a.h - 1, a.x + 1, a.w - 2, ROLE_HELP_KEY,
	       "h/l day  t today  w week  s staff  ?: keys", false);
}

const struct ui_screen screen_appointments = {
	.name = "appointments",
	.title = "Appointments",
	.keys = appt_keys,
	.nkeys = sizeof appt_keys / sizeof appt_keys[0],
	.open = open_appts,
	.close = close_appts,
	.draw = draw,
	.act = act,
	.key = key,
	.editing = editing,
	.dirty = dirty,
	.job_done = job_done,
	.reload = reload,
};
