/* The Appointments tab's side of queued saved-card charges (issue 15,
 * point 19; charge_queue.h): rows with a charge queued read "queued", the
 * detail line says "queued, not charged"; p on such an appointment asks to
 * send it now (once Stripe answers), D drops it with a reason, Q lists
 * every queued charge and goes to the oldest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appt_screen.h"
#include "paydesk/charge_queue.h"
#include "paydesk/money.h"
#include "paydesk/queued_charges.h"
#include "paydesk/stripe_reach.h"
#include "paydesk/tz.h"
#include "stripe_status.h"

/* Queued charges listed by Q, at most (the dialog fits 80x24). */
#define LIST_SHOWN 8

void appt_queue_free(struct appt_screen *st)
{
	free(st->queued);
	st->queued = NULL;
	st->nqueued = 0;
}

void appt_queue_load(struct appt_screen *st)
{
	appt_queue_free(st);
	void *list = NULL;
	size_t n = 0;
	if (qcharges_list_open(st->ui->app->db, (struct queued_charge **)&list, &n, NULL) == PD_OK) {
		st->queued = list;
		st->nqueued = n;
	}
	ui_stripe_status_note_queued((int)st->nqueued);
}

static const struct queued_charge *queued_of(const struct appt_screen *st, int64_t id)
{
	for (size_t i = 0; i < st->nqueued; i++)
		if (st->queued[i].appointment_id == id)
			return &st->queued[i];
	return NULL;
}

bool appt_queue_has(const struct appt_screen *st, int64_t id)
{
	return queued_of(st, id) != NULL;
}

void appt_queue_detail(const struct appt_screen *st, const struct appointment *a, char *out,
		       size_t size)
{
	out[0] = '\0';
	const struct queued_charge *q = queued_of(st, a->id);
	if (!q)
		return;
	char money[64];
	money_format(q->amount, q->currency, money, sizeof money);
	snprintf(out, size, "%s %s (p sends it, D drops it)", money, CHARGE_QUEUED_WORDS);
}

struct send_ctx {
	struct appt_screen *st;
	int64_t appointment_id, queued_id;
};

static void send_confirmed(struct ui *ui, void *ctx)
{
	struct send_ctx *c = ctx;
	struct pay_job_request req = {.op = PAY_OP_CARD, .id = c->appointment_id,
				      .queued = c->queued_id};
	if (pay_panel_run(c->st->pay, &req))
		ui_notify(ui, UI_NOTICE_INFO, "queued charge sent to Stripe…");
	free(c);
}

bool appt_queue_pay(struct appt_screen *st, const struct appointment *a)
{
	struct ui *ui = st->ui;
	struct queued_charge q;
	if (qcharges_open_for(ui->app->db, a->id, &q, NULL) != PD_OK)
		return false;
	time_t since = 0;
	char when[32];
	if (stripe_reach_down(&since)) {
		ui_stripe_status_when(since, when, sizeof when);
		ui_notify(ui, UI_NOTICE_ERROR,
			  "Still queued, not charged: Stripe has not answered since %s. Asking "
			  "it again now; p once it is back, or D drops it.",
			  when);
		ui_stripe_status_check_now(ui);
		return true;
	}
	struct send_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return true;
	c->st = st;
	c->appointment_id = a->id;
	c->queued_id = q.id;
	char what[200], body[700], start[32];
	charge_queue_describe(&q, what, sizeof what);
	ui_stripe_status_when((time_t)a->starts_at, start, sizeof start);
	snprintf(body, sizeof body,
		 "%s · %s · %s\nQueued, not charged:\n%s.\nSent to Stripe now, once. (D drops it "
		 "instead.)",
		 a->client_name, a->service_name, start, what);
	struct ui_dialog_spec spec = {.title = "Send the queued charge?", .body = body,
				      .money = true, .amount = q.amount, .currency = q.currency,
				      .confirm_label = "charge now", .on_confirm = send_confirmed,
				      .free_ctx = free};
	spec.ctx = c; /* the dialog owns it now: freed when it closes */
	ui_dialog_open(ui, &spec);
	return true;
}

void appt_queue_drop_ask(struct appt_screen *st)
{
	const struct appointment *a = appt_selected(st);
	struct queued_charge q;
	if (!a || qcharges_open_for(st->ui->app->db, a->id, &q, NULL) != PD_OK) {
		ui_notify(st->ui, UI_NOTICE_ERROR, "no charge of this appointment is queued");
		return;
	}
	st->drop_id = q.id;
	appt_prompt_open(st, APPT_PROMPT_DROP);
}

void appt_queue_drop(struct appt_screen *st, const char *reason)
{
	struct ui *ui = st->ui;
	struct pd_error err = {0};
	if (charge_queue_drop(ui->app->db, &ui->app->session, st->drop_id, reason, &err) != PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
	} else {
		ui_notify(ui, UI_NOTICE_INFO, "queued charge dropped, never sent (%s)", reason);
	}
	st->drop_id = 0;
	appt_load(st);
}

static void go_to_oldest(struct ui *ui, void *ctx)
{
	struct appt_screen *st = ctx;
	struct queued_charge *list = NULL;
	size_t n = 0;
	if (qcharges_list_open(ui->app->db, &list, &n, NULL) != PD_OK || n == 0) {
		free(list);
		return;
	}
	struct tz_civil c;
	tz_to_civil(list[0].starts_at, &c);
	int64_t id = list[0].appointment_id;
	free(list);
	st->y = c.year;
	st->m = c.month;
	st->d = c.day;
	st->list.top = 0;
	appt_load(st);
	for (size_t i = 0; i < st->n; i++)
		if (st->rows[i].id == id)
			st->list.sel = (long)i;
}

void appt_queue_list(struct appt_screen *st)
{
	struct ui *ui = st->ui;
	struct queued_charge *list = NULL;
	size_t n = 0;
	struct pd_error err = {0};
	if (qcharges_list_open(ui->app->db, &list, &n, &err) != PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	if (n == 0) {
		ui_notify(ui, UI_NOTICE_INFO, "no charge is queued");
		return;
	}
	char body[2400];
	size_t len = 0;
	len += (size_t)snprintf(body, sizeof body, "%zu charge%s %s:\n", n, n == 1 ? "" : "s",
				CHARGE_QUEUED_WORDS);
	for (size_t i = 0; i < n && i < LIST_SHOWN && len < sizeof body; i++) {
		char start[32], money[64];
		ui_stripe_status_when((time_t)list[i].starts_at, start, sizeof start);
		money_format(list[i].amount, list[i].currency, money, sizeof money);
		len += (size_t)snprintf(body + len, sizeof body - len, "%s %.60s · %.40s · %s\n",
					start, list[i].client, list[i].service, money);
	}
	if (n > LIST_SHOWN && len < sizeof body)
		len += (size_t)snprintf(body + len, sizeof body - len, "… and %zu more\n",
					n - LIST_SHOWN);
	if (len < sizeof body)
		snprintf(body + len, sizeof body - len, "On each: p sends it, D drops it.");
	free(list);
	ui_dialog_open(ui, &(struct ui_dialog_spec){.title = "Queued charges",
						     .body = body,
						     .confirm_label = "go to the oldest",
						     .on_confirm = go_to_oldest,
						     .ctx = st});
}
