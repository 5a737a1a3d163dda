/* The Appointments tab: the day (or week) agenda, all staff or one, and
 * the booking form: book, edit/reschedule. Cancel, completed, no-show and
 * undo are in appt_close.c; / and J in appt_find.c. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "appt_screen.h"
#include "paydesk/booking_policy.h"
#include "day_close_panel.h"
#include "visit_history.h"
#include "paydesk/booking.h"
#include "paydesk/clients.h"
#include "paydesk/customers.h"
#include "paydesk/money.h"
#include "paydesk/payments.h"
#include "paydesk/payments_store.h"
#include "paydesk/setup.h"
#include "paydesk/textcheck.h"
#include "paydesk/tz.h"

extern const struct ui_screen screen_appointments;



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

void appt_load(struct appt_screen *st)
{
	struct pd_error err = {0};
	appointments_free_list(&st->rows, st->n);
	st->n = 0;
	int64_t from, to;
	range(st, &from, &to);
	if (appointments_range(st->ui->app->db, from, to, st->staff_filter, &st->rows, &st->n, &err))
		ui_notify(st->ui, UI_NOTICE_ERROR, "%s", err.msg);
	ui_list_set_count(&st->list, (long)st->n);
	appt_queue_load(st);
}

static void *open_appts(struct ui *ui)
{
	struct appt_screen *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->ui = ui;
	st->list.sel = -1;
	st->pay = pay_panel_new(ui);
	st->fees = fees_view_new(ui);
	tz_today(&st->y, &st->m, &st->d);
	appt_load(st);
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
	appt_money_close(st);
	textedit_free(&st->prompt_text);
	pay_panel_free(&st->pay);
	fees_view_free(&st->fees);
	appointments_free_list(&st->rows, st->n);
	appt_queue_free(st);
	free(st);
}

static void drop(void *state, struct ui *ui)
{
	(void)ui;
	struct appt_screen *st = state;
	close_form(st);
	appt_money_close(st);
	pay_panel_close(st->pay);
	st->prompt = APPT_PROMPT_NONE; /* as appt_find's prompt_close */
	textedit_free(&st->prompt_text);
}

static void reload(void *state, struct ui *ui)
{
	(void)ui;
	struct appt_screen *st = state;
	appt_load(st);
	pay_panel_reload(st->pay);
	fees_view_reload(st->fees);
}

const struct appointment *appt_selected(const struct appt_screen *st)
{
	return st->list.sel >= 0 && (size_t)st->list.sel < st->n ? &st->rows[st->list.sel] : NULL;
}

void appt_short_name(const struct appointment *a, char *out, size_t len)
{
	struct tz_civil c;
	tz_to_civil(a->starts_at, &c);
	snprintf(out, len, "%s's %02d:%02d %s", a->client_name ? a->client_name : "?",
		 c.hour % 100, c.minute % 100, a->service_name ? a->service_name : "?");
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
			 ? "new client: Ctrl-S adds them (name only; more in the Clients tab)"
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
	/* A new booking starts with someone who works that day (the first, by
	 * name), unless the agenda shows one staff member. */
	int wday = tz_weekday(st->y, st->m, st->d);
	bool picked = false;
	for (size_t i = 0; st->staff_labels && i < st->nstaff; i++) {
		st->staff_labels[i] = strdup(st->staff[i].name);
		if ((a && st->staff[i].id == a->staff_id) ||
		    (!a && st->staff_filter && st->staff[i].id == st->staff_filter)) {
			stf = (int)i;
			picked = true;
		}
	}
	for (size_t i = 0; !a && !picked && wday >= 0 && wday < 7 && i < st->nstaff; i++) {
		const struct staff_hours *h = &st->staff[i].hours;
		if (h->end[wday] > h->start[wday]) {
			stf = (int)i;
			picked = true;
		}
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
	st->past_ok = st->overlap_ok = false;
	st->policy_ok = st->policy_by_phone = false;
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
		st->edit_start = a->starts_at;
		st->edit_staff = a->staff_id;
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

static void save_form(struct appt_screen *st);

static void warned_yes(struct ui *ui, void *ctx)
{
	(void)ui;
	save_form(ctx);
}

static void warned_no(struct ui *ui, void *ctx)
{
	struct appt_screen *st = ctx;
	(void)ui;
	st->past_ok = st->overlap_ok = false;
	snprintf(st->form_error, sizeof st->form_error, "not booked: %s", st->warning);
}

/* Before booking, what the desk may not have meant: a time that has passed
 * (fine for a walk-in recorded afterwards) or a client already booked then
 * with someone else. Asks (true: a dialog is open) rather than refuses. */
static bool warn_first(struct appt_screen *st, int64_t start, int64_t staff_id, int dur_min)
{
	struct ui *ui = st->ui;
	bool moved = !st->edit_id || start != st->edit_start || staff_id != st->edit_staff;
	char body[800];
	const char *title = NULL;
	struct tz_civil c;
	tz_to_civil(start, &c);
	if (moved && !st->past_ok && start < (int64_t)time(NULL)) {
		int y, m, d;
		tz_today(&y, &m, &d);
		char day[40] = "today";
		if (c.year != y || c.month != m || c.day != d)
			snprintf(day, sizeof day, "on %s %04d-%02d-%02d", tz_weekday_abbr(c.wday),
				 c.year % 10000, c.month % 100, c.day % 100);
		snprintf(st->warning, sizeof st->warning, "%02d:%02d %s has passed", c.hour % 100,
			 c.minute % 100, day);
		snprintf(body, sizeof body, "%s: book it anyway?\n(A walk-in recorded afterwards.)",
			 st->warning);
		title = "Book a time that has passed?";
		st->past_ok = true;
	} else if (moved && !st->overlap_ok) {
		struct appointment other;
		struct pd_error err = {0};
		int found = booking_client_overlap(ui->app->db, st->client_id, staff_id, start,
						   start + (int64_t)dur_min * 60, st->edit_id, &other,
						   &err);
		if (found < 0)
			ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		if (found <= 0)
			return false;
		struct tz_civil s, e;
		tz_to_civil(other.starts_at, &s);
		tz_to_civil(other.ends_at, &e);
		snprintf(st->warning, sizeof st->warning,
			 "%s already has %02d:%02d-%02d:%02d %s with %s", other.client_name,
			 s.hour % 100, s.minute % 100, e.hour % 100, e.minute % 100,
			 other.service_name, other.staff_name);
		snprintf(body, sizeof body,
			 "%s already has\n%s %04d-%02d-%02d %02d:%02d-%02d:%02d %s with %s.\n"
			 "Book this one too?",
			 other.client_name, tz_weekday_abbr(s.wday), s.year % 10000, s.month % 100,
			 s.day % 100, s.hour % 100, s.minute % 100, e.hour % 100, e.minute % 100,
			 other.service_name, other.staff_name);
		appointment_free(&other);
		title = "The client is booked then";
		st->overlap_ok = true;
	}
	if (!title)
		return false;
	ui_dialog_open(ui, &(struct ui_dialog_spec){.title = title, .body = body,
						   .confirm_label = "book it",
						   .on_confirm = warned_yes, .on_cancel = warned_no,
						   .ctx = st});
	return true;
}

/* The walk-in's name as typed becomes a client (name only: the desk adds an
 * email or phone in the Clients tab when the client gives one), then the
 * booking is saved as if they had been picked. */
static void add_walk_in_yes(struct ui *ui, void *ctx)
{
	struct appt_screen *st = ctx;
	struct client_input in = {.name = ui_form_value(&st->form, F_CLIENT), .email = "",
				  .phone = "", .notes = "",
				  .bill_with_stripe = customers_billing_on(ui->app->db)};
	struct pd_error err = {0};
	int64_t id;
	if (clients_insert(ui->app->db, &in, &id, &err) != PD_OK) {
		snprintf(st->fields[F_CLIENT].error, sizeof st->fields[F_CLIENT].error, "%.190s",
			 err.msg);
		snprintf(st->form_error, sizeof st->form_error, "not booked: %.500s", err.msg);
		st->form.focus = F_CLIENT;
		return;
	}
	st->client_id = id;
	st->fields[F_CLIENT].error[0] = '\0';
	save_form(st);
}

static void add_walk_in_no(struct ui *ui, void *ctx)
{
	struct appt_screen *st = ctx;
	(void)ui;
	st->form.focus = F_CLIENT;
	snprintf(st->form_error, sizeof st->form_error,
		 "not booked: pick a client from the list, or Ctrl-S to add a new one");
}

/* No client matches what was typed: ask before adding a new one, so a typo
 * of a regular's name does not become a second client. */
static bool ask_walk_in(struct appt_screen *st)
{
	const char *typed = ui_form_value(&st->form, F_CLIENT);
	if (st->client_id || !*typed || st->nmatches > 0)
		return false;
	char body[400];
	snprintf(body, sizeof body,
		 "No client matches \u201c%.200s\u201d.\nAdd them as a new client and book?", typed);
	ui_dialog_open(st->ui, &(struct ui_dialog_spec){.title = "Add a new client?",
						       .body = body,
						       .confirm_label = "add and book",
						       .on_confirm = add_walk_in_yes,
						       .on_cancel = add_walk_in_no,
						       .ctx = st});
	return true;
}

static void policy_yes(struct ui *ui, void *ctx)
{
	struct appt_screen *st = ctx;
	(void)ui;
	st->policy_ok = true;
	save_form(st);
}

/* A new booking of a service with a policy: the client is shown it (what
 * it asks, the text) and accepts before it is booked. true: asked. */
static bool ask_policy(struct appt_screen *st)
{
	char text[POLICY_TEXT_MAX + 1], asked[160];
	if (st->policy_ok || !appt_form_policy(st, text, sizeof text, asked, sizeof asked))
		return false;
	char body[POLICY_TEXT_MAX + 400];
	snprintf(body, sizeof body, "%s%s%s%s\n\nThe client accepts it %s (Ctrl-P in the form: %s).",
		 asked[0] ? "Asks: " : "", asked, asked[0] ? "\n\n" : "", text,
		 st->policy_by_phone ? "by phone" : "at the desk",
		 st->policy_by_phone ? "at the desk" : "by phone");
	ui_dialog_open(st->ui, &(struct ui_dialog_spec){.title = "Booking policy",
						       .body = body,
						       .confirm_label = "accepted, book",
						       .on_confirm = policy_yes,
						       .ctx = st});
	return true;
}

static void save_form(struct appt_screen *st)
{
	struct ui *ui = st->ui;
	if (st->form.focus == F_CLIENT)
		settle_client(st);
	int bad = ui_form_validate(&st->form);
	if (bad < 0 && !st->client_id) {
		settle_client(st);
		if (ask_walk_in(st))
			return;
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
	const struct service *svc = &st->services[st->fields[F_SERVICE].choice];
	int64_t staff_id = st->staff[st->fields[F_STAFF].choice].id;
	struct booking_request req = {
		.who = &ui->app->session,
		.client_id = st->client_id,
		.service_id = svc->id,
		.staff_id = staff_id,
		.starts_at = start,
		.notes = ui_form_value(&st->form, F_NOTES),
	};
	struct pd_error err = {0};
	int64_t id = st->edit_id;
	/* What would refuse it (hours, a clash) is said before asking anything. */
	int rc = booking_check(ui->app->db, &req, id, &err);
	if (!rc && warn_first(st, start, staff_id, svc->duration_min))
		return;
	if (!rc && !id && ask_policy(st))
		return;
	st->past_ok = st->overlap_ok = false;
	if (!rc)
		rc = id ? booking_update(ui->app->db, id, st->edit_version, &req, &err)
			: booking_create(ui->app->db, &req, &id, &err);
	if (rc) {
		st->policy_ok = false; /* asked again with what is chosen next */
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
	/* The booking policy: the acceptance recorded, a required deposit
	 * awaited; then its deposit is asked for like a payment at booking. */
	struct policy_ask ask = {0};
	bool policy = was_new && st->policy_ok;
	if (policy && policy_after_booking(ui->app->db, &ui->app->session, id,
					   st->policy_by_phone ? POLICY_BY_PHONE : POLICY_AT_DESK,
					   &ask, &err) != PD_OK)
		ui_notify(ui, UI_NOTICE_ERROR, "booked, but the policy's acceptance was not recorded: %s",
			  err.msg);
	st->policy_ok = false;
	struct tz_civil c;
	tz_to_civil(start, &c);
	st->y = c.year;
	st->m = c.month;
	st->d = c.day;
	close_form(st);
	appt_load(st);
	for (size_t i = 0; i < st->n; i++)
		if (st->rows[i].id == id)
			st->list.sel = (long)i;
	char asked[160] = "";
	if (policy && ask.any)
		policy_ask_text(&ask, asked, sizeof asked);
	ui_notify(ui, UI_NOTICE_INFO, "%s %02d:%02d%s%s%s", was_new ? "booked" : "saved", c.hour,
		  c.minute,
		  ask.deposit_required || pay_mode == BOOKING_PAY_REQUIRED ? ": confirmed once paid"
		  : pay_mode == BOOKING_PAY_OPTIONAL || ask.deposit > 0 ? ": take payment now, or Esc"
								       : "",
		  asked[0] ? " \u00b7 policy asks " : "", asked);
	/* Payment at booking: the payment step follows (optional: Esc skips it);
	 * a policy's deposit is prefilled. */
	const struct appointment *sel = appt_selected(st);
	if (policy && ask.deposit > 0 && sel && sel->id == id && sel->amount > 0)
		pay_panel_pay_amount(st->pay, sel, ask.deposit,
				     ask.deposit_required ? "deposit required by the booking policy"
							  : "deposit asked by the booking policy");
	else if (pay_mode != BOOKING_PAY_OFF && sel && sel->id == id && sel->amount > 0)
		pay_panel_pay(st->pay, sel);
	else if (policy && ask.hold_card && !ask.card_saved && sel && sel->id == id)
		pay_panel_save_card(st->pay, sel->client_id);
}

static void discard_form(struct ui *ui, void *ctx)
{
	(void)ui;
	close_form(ctx);
}

/* ---- keys ---------------------------------------------------------------- */

/* Preconditions: what each key needs of the tab's state. */
static bool in_agenda(const void *state, const struct ui *ui)
{
	const struct appt_screen *st = state;
	(void)ui;
	return !st->form_open && !pay_panel_active(st->pay) && !st->money.open &&
	       st->prompt == APPT_PROMPT_NONE && !fees_view_active(st->fees);
}

/* Q and D only while a charge is queued (saved-card charges kept during a
 * Stripe outage). */
static bool has_queue(const void *state, const struct ui *ui)
{
	const struct appt_screen *st = state;
	return in_agenda(state, ui) && st->nqueued > 0;
}

static bool in_form(const void *state, const struct ui *ui)
{
	const struct appt_screen *st = state;
	(void)ui;
	return st->form_open;
}

/* Preconditions are with the functions (appt_functions).
 * Keys sharing one help text share one line of the ? overlay, which must
 * leave room for the global keys at 80x24. */
static const char help_book[] = "n book an appointment, e edit / reschedule it";
static const char help_state[] = "c cancel, d done, x mark no-show, U undo, F fees";
static const char help_move[] = "h/l previous / next day (week), j/k move";
static const char help_rows[] = "G last, g first row, PgDn/PgUp, Ctrl-D/U half";
static const char help_view[] = "t today, w week, s staff, / find a client, J date";
static const char help_pay[] = "p take payment, r refund, u pay link / reader, K stop reader";
static const char help_money[] = "% discount / new price (with why), E email the receipt again";
static const char help_queue[] = "Q queued charges (not charged), D drop one";

static const struct ui_binding appt_keys[] = {
	{'n', UI_ACT_NEW, help_book, NULL},
	{'e', UI_ACT_EDIT, help_book, NULL},
	{UI_KEY_ENTER, UI_ACT_EDIT, help_book, NULL},
	{'c', UI_ACT_CANCEL, help_state, NULL},
	{'d', UI_ACT_COMPLETE, help_state, NULL},
	{'x', UI_ACT_NO_SHOW, help_state, NULL},
	{'U', UI_ACT_UNDO, help_state, NULL},
	{'F', UI_ACT_FEES, help_state, NULL},
	{'p', UI_ACT_PAY, help_pay, NULL},
	{'r', UI_ACT_REFUND, help_pay, NULL},
	{'u', UI_ACT_PAY_VIEW, help_pay, NULL},
	{'K', UI_ACT_STOP, help_pay, NULL},
	{'Y', UI_ACT_SYNC, "re-check an unknown payment at Stripe (no restart)", NULL},
	{'%', UI_ACT_DISCOUNT, help_money, NULL},
	{'E', UI_ACT_RECEIPT, help_money, NULL},
	{'H', UI_ACT_VISITS, "the client's visit history (visits, money)", NULL},
	{'Z', UI_ACT_DAY_CLOSE, "close the day shown: takings, cash counted", NULL},
	{'Q', UI_ACT_OPEN, help_queue, NULL},
	{'D', UI_ACT_DELETE, help_queue, NULL},
	{'h', UI_ACT_LEFT, help_move, NULL},
	{UI_KEY_FN(KEY_LEFT), UI_ACT_LEFT, help_move, NULL},
	{'l', UI_ACT_RIGHT, help_move, NULL},
	{UI_KEY_FN(KEY_RIGHT), UI_ACT_RIGHT, help_move, NULL},
	{'j', UI_ACT_DOWN, help_move, NULL},
	{UI_KEY_FN(KEY_DOWN), UI_ACT_DOWN, help_move, NULL},
	{'k', UI_ACT_UP, help_move, NULL},
	{UI_KEY_FN(KEY_UP), UI_ACT_UP, help_move, NULL},
	/* The list's own moves (ui_list_bindings), named here for the help. */
	{'G', UI_ACT_BOTTOM, help_rows, NULL},
	{UI_KEY_FN(KEY_END), UI_ACT_BOTTOM, help_rows, NULL},
	{'g', UI_ACT_TOP, help_rows, NULL},
	{UI_KEY_FN(KEY_HOME), UI_ACT_TOP, help_rows, NULL},
	{UI_KEY_FN(KEY_NPAGE), UI_ACT_PAGE_DOWN, help_rows, NULL},
	{UI_KEY_FN(KEY_PPAGE), UI_ACT_PAGE_UP, help_rows, NULL},
	{UI_CTRL('d'), UI_ACT_HALF_DOWN, help_rows, NULL},
	{UI_CTRL('u'), UI_ACT_HALF_UP, help_rows, NULL},
	{'t', UI_ACT_TODAY, help_view, NULL},
	{'w', UI_ACT_VIEW, help_view, NULL},
	{'s', UI_ACT_FILTER, help_view, NULL},
	{'/', UI_ACT_SEARCH, help_view, NULL},
	{'J', UI_ACT_JUMP, help_view, NULL},
	{UI_CTRL('s'), UI_ACT_SAVE, "save the booking", NULL},
	{UI_CTRL('p'), UI_ACT_POLICY, "booking policy accepted by phone / at the desk", NULL},
	{UI_KEY_ESC, UI_ACT_BACK, "leave the form (asks when changed)", NULL},
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

/* ---- actions: one small function each ------------------------------------ */

static enum ui_result do_pay(void *state, struct ui *ui)
{
	struct appt_screen *st = state;
	const struct appointment *cur = appt_selected(st);
	/* a charge queued during an outage is sent, not taken again */
	if (!cur || appt_queue_pay(st, cur))
		return UI_HANDLED;
	/* A booking policy's required deposit not yet in: that is what is asked. */
	struct policy_ask ask;
	if (cur->state == APPT_AWAITING_PAYMENT &&
	    policy_ask_for(ui->app->db, cur, &ask, NULL) == PD_OK && ask.deposit_required &&
	    ask.held < ask.deposit)
		pay_panel_pay_amount(st->pay, cur, ask.deposit - ask.held,
				     "deposit required by the booking policy");
	else
		pay_panel_pay(st->pay, cur);
	return UI_HANDLED;
}

static enum ui_result do_fees(void *state, struct ui *ui)
{
	struct appt_screen *st = state;
	(void)ui;
	fees_view_open(st->fees);
	return UI_HANDLED;
}

static enum ui_result do_queue_list(void *state, struct ui *ui)
{
	(void)ui;
	appt_queue_list(state);
	return UI_HANDLED;
}

static enum ui_result do_queue_drop(void *state, struct ui *ui)
{
	(void)ui;
	appt_queue_drop_ask(state);
	return UI_HANDLED;
}

static enum ui_result do_refund(void *state, struct ui *ui)
{
	struct appt_screen *st = state;
	const struct appointment *cur = appt_selected(st);
	(void)ui;
	if (cur)
		pay_panel_refund(st->pay, cur);
	return UI_HANDLED;
}

static enum ui_result do_pay_view(void *state, struct ui *ui)
{
	struct appt_screen *st = state;
	const struct appointment *cur = appt_selected(st);
	(void)ui;
	if (!cur)
		return UI_HANDLED;
	pay_panel_view(st->pay, cur->id);
	return UI_RELOAD; /* the view reads the attempt in reload */
}

static enum ui_result do_recheck(void *state, struct ui *ui)
{
	struct appt_screen *st = state;
	const struct appointment *cur = appt_selected(st);
	(void)ui;
	if (cur)
		if (!appt_close_recheck(st, cur)) /* a close waiting on it finishes too */
			pay_panel_recheck(st->pay, cur);
	return UI_HANDLED;
}

static enum ui_result do_visits(void *state, struct ui *ui)
{
	const struct appointment *cur = appt_selected(state);
	if (cur)
		ui_visits_open(ui, cur->client_id, cur->id);
	return UI_HANDLED;
}

/* Z: the day shown, at this desk (day_close_panel.c). */
static enum ui_result do_day_close(void *state, struct ui *ui)
{
	const struct appt_screen *st = state;
	ui_day_close_open(ui, st->y, st->m, st->d);
	return UI_HANDLED;
}

static enum ui_result do_stop_reader(void *state, struct ui *ui)
{
	const struct appointment *cur = appt_selected(state);
	if (cur) {
		struct pay_job_request req = {.op = PAY_OP_READER_CANCEL, .id = cur->id};
		pay_panel_submit(ui, &req);
	}
	return UI_HANDLED;
}

static enum ui_result do_new(void *state, struct ui *ui)
{
	(void)ui;
	open_form(state, NULL);
	return UI_HANDLED;
}

static enum ui_result do_edit(void *state, struct ui *ui)
{
	struct appt_screen *st = state;
	const struct appointment *sel = appt_selected(st);
	if (sel && !appt_state_holds_slot(sel->state))
		ui_notify(ui, UI_NOTICE_ERROR, "a %s appointment cannot be changed",
			  appt_state_label(sel->state));
	else if (sel && sel->state == APPT_COMPLETED)
		ui_notify(ui, UI_NOTICE_ERROR, "a completed appointment cannot be changed");
	else if (sel)
		open_form(st, sel);
	return UI_HANDLED;
}

static enum ui_result do_cancel(void *state, struct ui *ui)
{
	(void)ui;
	appt_close_ask(state, APPT_CANCELLED);
	return UI_HANDLED;
}

static enum ui_result do_complete(void *state, struct ui *ui)
{
	(void)ui;
	appt_close_ask(state, APPT_COMPLETED);
	return UI_HANDLED;
}

static enum ui_result do_no_show(void *state, struct ui *ui)
{
	(void)ui;
	appt_close_ask(state, APPT_NO_SHOW);
	return UI_HANDLED;
}

static enum ui_result do_undo(void *state, struct ui *ui)
{
	(void)ui;
	appt_close_undo(state);
	return UI_HANDLED;
}

static enum ui_result do_discount(void *state, struct ui *ui)
{
	(void)ui;
	appt_price_ask(state);
	return UI_HANDLED;
}

static enum ui_result do_receipt(void *state, struct ui *ui)
{
	(void)ui;
	appt_receipt_resend(state);
	return UI_HANDLED;
}

static enum ui_result do_find(void *state, struct ui *ui)
{
	(void)ui;
	appt_prompt_open(state, APPT_PROMPT_FIND);
	return UI_HANDLED;
}

static enum ui_result do_jump(void *state, struct ui *ui)
{
	(void)ui;
	appt_prompt_open(state, APPT_PROMPT_DATE);
	return UI_HANDLED;
}

/* A day back or on (a week in the week view). */
static enum ui_result step_days(struct appt_screen *st, int dir)
{
	int step = st->week ? 7 : 1;
	tz_date_add(&st->y, &st->m, &st->d, dir * step);
	st->list.top = 0;
	appt_load(st);
	appt_select_day(st);
	return UI_HANDLED;
}

static enum ui_result do_previous_day(void *state, struct ui *ui)
{
	(void)ui;
	return step_days(state, -1);
}

static enum ui_result do_next_day(void *state, struct ui *ui)
{
	(void)ui;
	return step_days(state, 1);
}

static enum ui_result do_today(void *state, struct ui *ui)
{
	struct appt_screen *st = state;
	(void)ui;
	tz_today(&st->y, &st->m, &st->d);
	appt_load(st);
	appt_select_day(st);
	return UI_HANDLED;
}

/* The week opens on the day shown, that day selected. */
static enum ui_result do_week(void *state, struct ui *ui)
{
	struct appt_screen *st = state;
	(void)ui;
	st->week = !st->week;
	st->list.top = 0;
	appt_load(st);
	appt_select_day(st);
	return UI_HANDLED;
}

static enum ui_result do_staff_filter(void *state, struct ui *ui)
{
	struct appt_screen *st = state;
	(void)ui;
	next_staff(st);
	appt_load(st);
	return UI_HANDLED;
}

static enum ui_result do_save_form(void *state, struct ui *ui)
{
	(void)ui;
	save_form(state);
	return UI_HANDLED;
}

/* Leave the booking form, asking first when something was typed. */
static enum ui_result do_leave_form(void *state, struct ui *ui)
{
	struct appt_screen *st = state;
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

/* Ctrl-P: the client accepts the booking policy by phone / at the desk. */
static enum ui_result do_policy_how(void *state, struct ui *ui)
{
	struct appt_screen *st = state;
	(void)ui;
	st->policy_by_phone = !st->policy_by_phone;
	return UI_HANDLED;
}

UI_LIST_MOVE_FUNCTIONS(list_move, struct appt_screen, list)

static const struct ui_function appt_functions[] = {
	{UI_ACT_NEW, do_new, in_agenda},
	{UI_ACT_EDIT, do_edit, in_agenda},
	{UI_ACT_CANCEL, do_cancel, in_agenda},
	{UI_ACT_COMPLETE, do_complete, in_agenda},
	{UI_ACT_NO_SHOW, do_no_show, in_agenda},
	{UI_ACT_UNDO, do_undo, in_agenda},
	{UI_ACT_FEES, do_fees, in_agenda},
	{UI_ACT_PAY, do_pay, in_agenda},
	{UI_ACT_REFUND, do_refund, in_agenda},
	{UI_ACT_PAY_VIEW, do_pay_view, in_agenda},
	{UI_ACT_STOP, do_stop_reader, in_agenda},
	{UI_ACT_SYNC, do_recheck, in_agenda},
	{UI_ACT_VISITS, do_visits, in_agenda},
	{UI_ACT_DISCOUNT, do_discount, in_agenda},
	{UI_ACT_RECEIPT, do_receipt, in_agenda},
	{UI_ACT_DAY_CLOSE, do_day_close, in_agenda},
	{UI_ACT_OPEN, do_queue_list, has_queue},
	{UI_ACT_DELETE, do_queue_drop, has_queue},
	{UI_ACT_LEFT, do_previous_day, in_agenda},
	{UI_ACT_RIGHT, do_next_day, in_agenda},
	{UI_ACT_TODAY, do_today, in_agenda},
	{UI_ACT_VIEW, do_week, in_agenda},
	{UI_ACT_FILTER, do_staff_filter, in_agenda},
	{UI_ACT_SEARCH, do_find, in_agenda},
	{UI_ACT_JUMP, do_jump, in_agenda},
	UI_LIST_MOVE_ENTRIES(list_move, in_agenda),
	{UI_ACT_SAVE, do_save_form, in_form},
	{UI_ACT_POLICY, do_policy_how, in_form},
	{UI_ACT_BACK, do_leave_form, in_form},
};

static enum ui_result key(void *state, struct ui *ui, int k)
{
	struct appt_screen *st = state;
	if (fees_view_active(st->fees))
		return fees_view_key(st->fees, k);
	if (pay_panel_active(st->pay))
		return pay_panel_key(st->pay, k);
	if (st->money.open)
		return appt_money_key(st, k);
	if (st->prompt != APPT_PROMPT_NONE)
		return appt_prompt_key(st, k);
	if (!st->form_open)
		return UI_UNHANDLED;
	if (k == UI_KEY_ESC)
		return do_leave_form(st, ui);
	if (k == UI_CTRL('s') || (k == UI_KEY_ENTER && st->form.focus == F_COUNT - 1))
		return do_save_form(st, ui);
	if (k == UI_CTRL('p'))
		return do_policy_how(st, ui);
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
	if (fees_view_active(st->fees))
		return fees_view_editing(st->fees);
	if (pay_panel_active(st->pay))
		return pay_panel_editing(st->pay);
	if (st->money.open)
		return appt_money_editing(st);
	if (st->prompt != APPT_PROMPT_NONE)
		return true;
	return st->form_open && st->fields[st->form.focus].kind != UI_FIELD_CHOICE;
}

static void job_done(void *state, struct ui *ui, const struct jobs_completion *c)
{
	struct appt_screen *st = state;
	(void)ui;
	if (!fees_view_job_done(st->fees, c) && !appt_close_job_done(st, c))
		pay_panel_job_done(st->pay, c);
}

static bool dirty(void *state)
{
	const struct appt_screen *st = state;
	return st->form_open && st->form.dirty;
}

static void draw(void *state, struct ui *ui, struct ui_rect a)
{
	struct appt_screen *st = state;
	(void)ui;
	if (fees_view_active(st->fees))
		fees_view_draw(st->fees, a);
	else if (st->form_open)
		appt_draw_form(st, a);
	else if (pay_panel_active(st->pay))
		pay_panel_draw(st->pay, a);
	else if (st->money.open)
		appt_money_draw(st, a);
	else
		appt_draw_agenda(st, a);
}

static void keymaps(void *state, struct ui *ui, struct ui_keymaps *s)
{
	struct appt_screen *st = state;
	(void)ui;
	pay_panel_keymaps(st->pay, s);
}

const struct ui_screen screen_appointments = {
	.name = "appointments",
	.title = "Appointments",
	.keys = appt_keys,
	.nkeys = sizeof appt_keys / sizeof appt_keys[0],
	.list_keys = true,
	.open = open_appts,
	.close = close_appts,
	.draw = draw,
	.funcs = appt_functions,
	.nfuncs = sizeof appt_functions / sizeof appt_functions[0],
	.key = key,
	.keymaps = keymaps,
	.editing = editing,
	.dirty = dirty,
	.job_done = job_done,
	.reload = reload,
	.drop = drop,
};
