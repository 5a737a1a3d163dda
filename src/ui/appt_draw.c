/* Drawing the Appointments tab: the day / week agenda with the selected
 * appointment's detail line, and the booking form with its client picker.
 * Reads the store only for what a row or the picker shows. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "appt_screen.h"
#include "paydesk/booking_policy.h"
#include "paydesk/appt_price.h"
#include "paydesk/money.h"
#include "paydesk/packages.h"
#include "paydesk/payments_store.h"
#include "paydesk/tz.h"

#define PICK_ROWS 4 /* client matches shown under the Client field */

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
	/* A charge queued during an outage is not money taken: say so. */
	if (appt_queue_has(st, a->id))
		ui_put(r.y, x, c.pay, sel ? role : ROLE_WARNING, c.pay < 19 ? "queued" : "queued, unpaid",
		       true);
	else
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

bool appt_form_policy(const struct appt_screen *st, char *text, size_t text_len, char *asked,
		      size_t asked_len)
{
	if (st->edit_id || !st->services || st->nservices == 0)
		return false;
	const struct service *svc = &st->services[st->fields[F_SERVICE].choice];
	struct appointment a = {.service_id = svc->id, .amount = svc->price};
	memcpy(a.currency, svc->currency, sizeof a.currency);
	struct booking_policy p;
	if (policy_for_appointment(st->ui->app->db, &a, &p, text, text_len, NULL) != PD_OK ||
	    policy_is_empty(&p))
		return false;
	struct policy_ask ask = {.hold_card = p.hold_card};
	ask.deposit = policy_amount_for(&p.deposit, p.currency, a.amount, a.currency, NULL);
	ask.deposit_required = p.deposit_required && ask.deposit > 0;
	memcpy(ask.currency, a.currency, sizeof ask.currency);
	policy_ask_text(&ask, asked, asked_len);
	return true;
}

/* The policy under the form: what it asks, its text (as many lines as fit
 * from row y to the last row before the form's error), and how the client
 * accepted it. */
static void draw_form_policy(struct appt_screen *st, int y, int last, int x, int w)
{
	char text[POLICY_TEXT_MAX + 1], asked[160], line[POLICY_TEXT_MAX + 1];
	if (y > last || !appt_form_policy(st, text, sizeof text, asked, sizeof asked))
		return;
	snprintf(line, sizeof line, "Booking policy%s%s", asked[0] ? ": asks " : "", asked);
	ui_put(y++, x, w, ROLE_TITLE, line, false);
	char how[120];
	snprintf(how, sizeof how, "accepted %s \u2014 Ctrl-P: %s",
		 st->policy_by_phone ? "by phone" : "at the desk",
		 st->policy_by_phone ? "at the desk" : "by phone");
	for (const char *t = text; *t && y < last;) {
		size_t n = ui_wrap(t, w);
		snprintf(line, sizeof line, "%.*s", (int)n, t);
		t += n;
		while (*t == ' ')
			t++;
		if (y == last - 1 && *t) /* the last row that fits: say there is more */
			snprintf(line + strlen(line), sizeof line - strlen(line), " \u2026");
		ui_put(y++, x, w, ROLE_DIM, line, false);
	}
	if (y <= last)
		ui_put(y, x, w, ROLE_HELP_KEY, how, false);
}

void appt_draw_form(struct appt_screen *st, struct ui_rect a)
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
	int below = y + used + 1 + (st->form.focus == F_CLIENT ? PICK_ROWS + 1 : 0);
	draw_form_policy(st, below, a.y + a.h - 4, a.x + 2, a.w - 4);
	char pkg[200] = ""; /* the client's package or credit, before booking */
	if (st->client_id)
		packages_client_line(st->ui->app->db, st->client_id, (int64_t)time(NULL), pkg,
				     sizeof pkg);
	if (pkg[0] && !st->form_error[0])
		ui_put(a.y + a.h - 3, a.x + 2, a.w - 4, ROLE_DIM, pkg, false);
	if (st->form_error[0])
		ui_put(a.y + a.h - 3, a.x + 2, a.w - 4, ROLE_ERROR, st->form_error, false);
	ui_put(a.y + a.h - 1, a.x + 2, a.w - 4, ROLE_HELP_KEY,
	       "Tab/Enter: next field (Enter on Notes books)   Ctrl-S: save   Esc: cancel", false);
	move(cy, cx);
}

void appt_draw_agenda(struct appt_screen *st, struct ui_rect a)
{
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
	const struct appointment *sel = appt_selected(st);
	if (sel) {
		char price[400], line[1000], payment[160], queued[200];
		/* a changed price says how: "price 40.00 · discount 10 % (loyalty) · 36.00 due" */
		if (!appt_price_text(st->ui->app->db, sel->id, price, sizeof price)[0])
			money_format(sel->amount, sel->currency, price, sizeof price);
		struct pay_attempt last;
		bool has_last = payrows_latest(st->ui->app->db, sel->id, -1, &last, NULL) == PD_OK;
		appt_queue_detail(st, sel, queued, sizeof queued);
		if (queued[0]) { /* what matters most while it waits: first after the names */
			snprintf(line, sizeof line, "%s · %s · %s", sel->client_name,
				 sel->service_name, queued);
		} else {
			/* A held card the policy asks for: whether the client has one. */
			struct policy_ask ask;
			const char *card = "";
			if (appt_state_holds_slot(sel->state) &&
			    policy_ask_for(st->ui->app->db, sel, &ask, NULL) == PD_OK)
				card = policy_card_word(&ask);
			snprintf(line, sizeof line, "%s · %s · %s · payment %s%s%s%s%.300s",
				 sel->client_name, sel->service_name, price,
				 appt_payment_text(sel, false, payment, sizeof payment),
				 card[0] ? " · " : "", card,
				 has_last && last.message && last.message[0] ? " · "
				 : sel->notes[0]			       ? " · "
									       : "",
				 has_last && last.message && last.message[0] ? last.message
									     : sel->notes);
		}
		if (has_last)
			pay_attempt_free(&last);
		ui_put(a.y + a.h - 3, a.x + 1, a.w - 2, ROLE_DIM, line, false);
	}
	ui_put(a.y + a.h - 2, a.x + 1, a.w - 2, ROLE_HELP_KEY,
	       "n book  e edit  c cancel  d done  x no-show  U undo  p pay  r refund  % price", false);
	if (st->prompt != APPT_PROMPT_NONE)
		appt_prompt_draw(st, (struct ui_rect){a.y + a.h - 1, a.x + 1, 1, a.w - 2});
	else
		ui_put(a.y + a.h - 1, a.x + 1, a.w - 2, ROLE_HELP_KEY,
		       "h/l day  t today  s staff  / find  J date  H visits  F fees  Z close  ?: keys",
		       false);
}

