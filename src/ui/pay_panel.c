#include "pay_panel.h"
#include "pay_panel_internal.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/booking_policy.h"
#include "paydesk/charge_queue.h"
#include "paydesk/clients.h"
#include "paydesk/jobs.h"
#include "paydesk/money.h"
#include "paydesk/packages.h"
#include "paydesk/pay_precheck.h"
#include "paydesk/payments.h"
#include "paydesk/payments_desk.h"
#include "paydesk/payments_store.h"
#include "paydesk/reader_holds.h"
#include "paydesk/readers.h"
#include "paydesk/refund_fee.h"
#include "paydesk/textcheck.h"
#include "paydesk/stripe_key.h"
#include "paydesk/stripe_reach.h"
#include "qr_view.h"
#include "stripe_status.h"
#include "widgets.h"

/* Stripe's ways first, then the desk tenders (recorded, no Stripe call). */
static const char *const pay_methods[] = {"card saved on the client (off-session)",
					  "pay link (URL + QR code)", "card reader (Terminal)",
					  "cash", "cheque", "gift voucher",
					  "other card machine (external terminal)",
					  "the client's package or credit", NULL};
static const enum pay_op pay_ops[] = {PAY_OP_CARD, PAY_OP_LINK, PAY_OP_READER};
static const enum payrow_method pay_tenders[] = {PAYROW_CARD,	PAYROW_LINK,	PAYROW_READER,
						 PAYROW_CASH,	PAYROW_CHEQUE,	PAYROW_VOUCHER,
						 PAYROW_TERMINAL, PAYROW_PACKAGE};
static const char *const reasons[] = {"requested by customer", "duplicate", "fraudulent"};
static const char *const reason_choices[] = {"Stripe: requested by customer", "Stripe: duplicate",
					     "Stripe: fraudulent"};
static const char *const reason_keys[] = {"requested_by_customer", "duplicate", "fraudulent"};


/* Every change of what the panel shows: a save-a-card link left is no
 * longer watched at Stripe (the held card, Esc, another view). */
void pay_panel_set_mode(struct pay_panel *p, enum panel_mode mode)
{
	if (p->mode == PANEL_CARD_LINK && mode != PANEL_CARD_LINK)
		payments_job_unwatch_card(p->id);
	p->mode = mode;
}

static void forget_shown(struct pay_panel *p)
{
	if (p->shown.loaded && p->shown.appointment_rc == PD_OK)
		appointment_free(&p->shown.ap);
	if (p->shown.have_last)
		pay_attempt_free(&p->shown.last);
	if (p->shown.have_card)
		card_setup_free(&p->shown.card);
	memset(&p->shown, 0, sizeof p->shown);
}

void pay_panel_reload(struct pay_panel *p)
{
	if (!p)
		return;
	forget_shown(p);
	sqlite3 *db = p->ui->app->db;
	if (p->mode == PANEL_VIEW) {
		p->shown.appointment_rc = appointments_get(db, p->id, &p->shown.ap, NULL);
		p->shown.have_last = p->shown.appointment_rc == PD_OK &&
				     payrows_latest(db, p->id, -1, &p->shown.last, NULL) == PD_OK;
		readers_desk_reader(db, p->shown.desk_reader, p->shown.reader_label);
		p->shown.loaded = true;
	} else if (p->mode == PANEL_CARD_LINK) {
		p->shown.have_card = card_setups_latest(db, p->id, &p->shown.card, NULL) == PD_OK;
		p->shown.loaded = true;
	} else if (p->mode == PANEL_CARD_READER) {
		/* a try older than ours is not what the reader is doing now */
		p->shown.have_hold = reader_holds_latest(db, p->id, &p->shown.hold, NULL) == PD_OK &&
				     p->shown.hold.id > p->hold_before;
		struct client c;
		if (clients_get(db, p->id, &c, NULL) == PD_OK) {
			snprintf(p->shown.client, sizeof p->shown.client, "%s", c.name);
			client_free(&c);
		}
		readers_desk_reader(db, p->shown.desk_reader, p->shown.reader_label);
		p->shown.loaded = true;
	}
}

struct pay_panel *pay_panel_new(struct ui *ui)
{
	struct pay_panel *p = calloc(1, sizeof *p);
	if (p)
		p->ui = ui;
	return p;
}

static void close_form(struct pay_panel *p)
{
	if (p->form_ready)
		ui_form_free(&p->form);
	p->form_ready = false;
}

void pay_panel_free(struct pay_panel **p)
{
	if (!*p)
		return;
	close_form(*p);
	forget_shown(*p);
	free(*p);
	*p = NULL;
}

bool pay_panel_active(const struct pay_panel *p)
{
	return p && p->mode != PANEL_NONE;
}

bool pay_panel_editing(const struct pay_panel *p)
{
	return p && p->form_ready && (p->mode == PANEL_PAY || p->mode == PANEL_REFUND) &&
	       p->fields[p->form.focus].kind != UI_FIELD_CHOICE;
}

static void remember_job(struct pay_panel *p, uint64_t id)
{
	memmove(p->jobs + 1, p->jobs, sizeof p->jobs - sizeof p->jobs[0]);
	p->jobs[0] = id;
}

uint64_t pay_panel_submit(struct ui *ui, const struct pay_job_request *req)
{
	if (!ui->app->jobs) {
		ui_notify(ui, UI_NOTICE_ERROR, "offline: payments need the workers");
		return 0;
	}
	if (!stripe_key_unlocked(ui->app)) {
		ui_notify(ui, UI_NOTICE_ERROR,
			  "Stripe is locked: unlock it with the admin passphrase (Setup) first");
		return 0;
	}
	/* no key here: the job opens it on its worker */
	uint64_t id = payments_job_submit(ui->app->jobs, req, NULL, &ui->app->session);
	if (!id)
		ui_notify(ui, UI_NOTICE_ERROR, "the payment could not be queued");
	return id;
}

static int v_amount(const char *v, char *msg, size_t len)
{
	if (!*v)
		return 0; /* all of it */
	struct pd_error e;
	/* the currency's decimals are checked on submit */
	return ui_field_verdict(money_check(v, &e), &e, msg, len);
}

static int v_note(const char *v, char *msg, size_t len)
{
	struct pd_error e;
	if (text_check("note", v, PAYMENTS_DESK_NOTE_MAX, false, false, &e) == 0)
		return 0;
	snprintf(msg, len, "%.190s", e.msg);
	return -1;
}

/* titled: the amount beside the service in the title (what is due, or what
 * can be refunded); prefill: the amount field's. */
static void open_form(struct pay_panel *p, const struct appointment *a, enum panel_mode mode,
		      int64_t titled, int64_t prefill)
{
	close_form(p);
	pay_panel_set_mode(p, mode);
	p->id = a->id;
	memcpy(p->currency, a->currency, sizeof p->currency);
	p->error[0] = '\0';
	p->limit[0] = '\0';
	if (mode == PANEL_REFUND)
		pay_refund_limit_text(p->ui->app->db, &p->ui->app->session, a->currency, p->limit,
				      sizeof p->limit);
	char when[200], money[64];
	snprintf(when, sizeof when, "%s · %s", a->client_name, a->service_name);
	money_format(titled, a->currency, money, sizeof money);
	snprintf(p->title, sizeof p->title, "%s · %s %s", mode == PANEL_PAY ? "Take payment" : "Refund",
		 when, money);
	char pkg[200] = "";
	if (mode == PANEL_PAY) /* what the client bought before can pay it */
		packages_client_line(p->ui->app->db, a->client_id, (int64_t)time(NULL), pkg,
				     sizeof pkg);
	if (pkg[0]) {
		size_t used = strlen(p->title);
		snprintf(p->title + used, sizeof p->title - used, " · %s", pkg);
	}
	p->fields[PF_AMOUNT] = (struct ui_field){
		.label = "Amount", .validate = v_amount,
		.hint = mode == PANEL_PAY ? "what is due; less takes a deposit"
					  : "all that is left; less refunds part of it"};
	p->fields[PF_CHOICE] = (struct ui_field){
		.label = mode == PANEL_PAY ? "Collect by" : "Refund", .kind = UI_FIELD_CHOICE,
		.choices = mode == PANEL_PAY ? pay_methods : p->refund_choices,
		.hint = "Space / arrows: next choice"};
	p->fields[PF_NOTE] = (struct ui_field){
		.label = "Note", .validate = v_note,
		.hint = mode == PANEL_PAY ? "desk tenders: cheque no., voucher code, slip no. "
					    "(optional)"
					  : "refunds at the desk: what was handed back (optional)"};
	p->fields[PF_TIP] = (struct ui_field){
		.label = "Tip", .validate = v_amount,
		.hint = "for the staff member, kept apart from the price (optional; the reader "
			"asks the client itself)"};
	ui_form_init(&p->form, p->fields, mode == PANEL_PAY ? PF_COUNT : PF_TIP, 64);
	p->form_ready = true;
	char typed[64];
	int e = money_exponent(a->currency);
	int64_t div = e == 0 ? 1 : e == 3 ? 1000 : 100;
	if (e == 0)
		snprintf(typed, sizeof typed, "%lld", (long long)prefill);
	else
		snprintf(typed, sizeof typed, "%lld.%0*lld", (long long)(prefill / div), e,
			 (long long)(prefill % div));
	textedit_set(&p->fields[PF_AMOUNT].edit, typed);
	p->form.dirty = false;
}

/* Ask Stripe for the client's cards on a worker (silent) when the store has
 * none: the charge itself would ask, too late to tell the desk. */
static void list_cards(struct pay_panel *p, int64_t appointment_id)
{
	p->cards_job = 0;
	p->cards_listed = false;
	int64_t client_id = 0;
	struct ui *ui = p->ui;
	if (!ui->app->jobs || !stripe_key_unlocked(ui->app) ||
	    !pay_precheck_cards_unknown(ui->app->db, appointment_id, &client_id))
		return;
	struct pay_job_request req = {.op = PAY_OP_CARDS, .id = client_id};
	p->cards_job = payments_job_submit(ui->app->jobs, &req, NULL, &ui->app->session);
}

void pay_panel_pay(struct pay_panel *p, const struct appointment *a)
{
	pay_panel_pay_amount(p, a, 0, NULL);
}

void pay_panel_pay_amount(struct pay_panel *p, const struct appointment *a, int64_t amount,
			  const char *why)
{
	int64_t due = 0;
	struct pd_error err = {0};
	if (payments_due(p->ui->app->db, a->id, &due, NULL, NULL, &err) != PD_OK) {
		ui_notify(p->ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	if (due == 0) {
		ui_notify(p->ui, UI_NOTICE_ERROR, "nothing is due on this appointment");
		return;
	}
	struct pay_attempt last;
	if (payrows_latest(p->ui->app->db, a->id, -1, &last, NULL) == PD_OK) {
		bool unknown = last.status == PAYROW_UNKNOWN;
		pay_attempt_free(&last);
		if (unknown) { /* it may have been charged: re-check before anything else */
			ui_notify(p->ui, UI_NOTICE_ERROR, "%s", PAY_UNKNOWN_REFUSAL);
			return;
		}
	}
	int64_t asked = amount > 0 && amount < due ? amount : due;
	open_form(p, a, PANEL_PAY, due, asked);
	/* the deposit beside what is due, never in place of it: "Haircut 40.00 USD
	 * · deposit 10.00 USD asked by the booking policy" */
	if (why && *why) {
		size_t n = strlen(p->title);
		char dep[64] = "";
		if (asked < due && strncmp(why, "deposit ", 8) == 0)
			money_format(asked, a->currency, dep, sizeof dep);
		if (dep[0])
			snprintf(p->title + n, sizeof p->title - n, " \u00b7 deposit %s %s", dep,
				 why + 8);
		else
			snprintf(p->title + n, sizeof p->title - n, " \u00b7 %s", why);
	}
	list_cards(p, a->id);
	struct client c; /* a saved card is possible: known before y whether to charge or queue */
	if (clients_get(p->ui->app->db, a->client_id, &c, NULL) == PD_OK) {
		if (c.stripe_customer_id)
			ui_stripe_status_check_now(p->ui);
		client_free(&c);
	}
}

void pay_panel_recheck(struct pay_panel *p, const struct appointment *a)
{
	struct pay_job_request req = {.op = PAY_OP_RECHECK, .id = a->id};
	if (pay_panel_run(p, &req))
		ui_notify(p->ui, UI_NOTICE_INFO, "re-checking the payment at Stripe…");
}

/* What a package or credit paid on the appointment and was not given back:
 * its refund gives that back to the package first (payments_refund). */
static int64_t drawn_left(sqlite3 *db, int64_t id)
{
	int64_t drawn = 0, given = 0;
	payrows_drawn_totals(db, id, &drawn, &given, NULL);
	return drawn - given;
}
#define PAID_FROM_PACKAGE "paid from a package: a refund gives the visit back to it, no money moves"

/* A payment below the deposit the booking policy requires: said in the
 * confirm, with what is required and what was typed (the booking stays
 * awaiting payment until the deposit is in). */
static void deposit_short(struct pay_panel *p, int64_t amount, char *body, size_t len)
{
	struct appointment a;
	if (appointments_get(p->ui->app->db, p->id, &a, NULL) != PD_OK)
		return;
	int64_t need = policy_confirm_threshold(p->ui->app->db, &a); /* 1: none required */
	int64_t due = 0, paid = 0, refunded = 0;
	payments_due(p->ui->app->db, p->id, &due, &paid, &refunded, NULL);
	int64_t held = paid - refunded;
	if (need > 1 && held < need && held + amount < need) {
		char req[64], typed[64];
		size_t n = strlen(body);
		snprintf(body + n, len - n,
			 "\nBelow the deposit: the booking policy requires %s, %s typed.\n"
			 "The booking stays awaiting payment until %s is paid.",
			 money_format(need, a.currency, req, sizeof req),
			 money_format(amount, a.currency, typed, sizeof typed), req);
	}
	appointment_free(&a);
}

void pay_panel_refund(struct pay_panel *p, const struct appointment *a)
{
	int64_t due, paid = 0, refunded = 0;
	struct pd_error err = {0};
	if (payments_due(p->ui->app->db, a->id, &due, &paid, &refunded, &err) != PD_OK) {
		ui_notify(p->ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	if (paid - refunded <= 0) {
		ui_notify(p->ui, UI_NOTICE_ERROR, "nothing to refund: no payment is left on it");
		return;
	}
	/* Money goes back the way it came: desk tenders at the desk, Stripe's
	 * through Stripe. */
	int64_t desk_paid = 0, desk_refunded = 0;
	payrows_desk_totals(p->ui->app->db, a->id, &desk_paid, &desk_refunded, NULL);
	int64_t desk_left = desk_paid - desk_refunded;
	int64_t stripe_left = paid - refunded - desk_left;
	int n = 0;
	if (desk_left > 0) {
		struct pay_attempt *rows = NULL;
		size_t nrows = 0;
		bool all_cash = true;
		if (payrows_list(p->ui->app->db, a->id, &rows, &nrows, NULL) == PD_OK)
			for (size_t i = 0; i < nrows; i++)
				if (payrow_method_is_desk(rows[i].method) &&
				    rows[i].amount > rows[i].refunded && rows[i].method != PAYROW_CASH)
					all_cash = false;
		pay_attempts_free_list(&rows, nrows);
		snprintf(p->desk_refund_label, sizeof p->desk_refund_label, "%s (not sent to Stripe)",
			 all_cash ? "in cash at the desk" : "at the desk, as it was paid");
		p->refund_reason[n] = -1;
		p->refund_choices[n++] = p->desk_refund_label;
	}
	for (int i = 0; stripe_left > 0 && i < 3; i++) {
		p->refund_reason[n] = i;
		p->refund_choices[n++] = reason_choices[i];
	}
	p->refund_choices[n] = NULL;
	int64_t refundable = desk_left > 0 ? desk_left : stripe_left;
	open_form(p, a, PANEL_REFUND, refundable, refundable);
	if (drawn_left(p->ui->app->db, a->id) > 0) { /* said before any reason is chosen */
		char limit[sizeof p->limit];
		snprintf(limit, sizeof limit, "%s", p->limit);
		char payout[400];
		if (packages_return_payout(p->ui->app->db, a->id, payout, sizeof payout))
			snprintf(p->limit, sizeof p->limit, "paid from a package: %.160s%s%.60s",
				 payout, limit[0] ? " \u00b7 " : "", limit);
		else
			snprintf(p->limit, sizeof p->limit, "%s%s%.200s", PAID_FROM_PACKAGE,
				 limit[0] ? " \u00b7 " : "", limit);
	}
}

void pay_panel_view(struct pay_panel *p, int64_t appointment_id)
{
	close_form(p);
	forget_shown(p); /* "Sending to Stripe…" until the screen's reload reads it */
	p->view_job = 0;
	p->view_error[0] = '\0';
	pay_panel_set_mode(p, PANEL_VIEW);
	p->id = appointment_id;
}

uint64_t pay_panel_run(struct pay_panel *p, const struct pay_job_request *req)
{
	uint64_t id = pay_panel_submit(p->ui, req);
	if (id)
		remember_job(p, id);
	return id;
}

void pay_panel_save_card(struct pay_panel *p, int64_t client_id)
{
	struct pay_job_request req = {.op = PAY_OP_SAVE_CARD, .id = client_id};
	if (!pay_panel_run(p, &req))
		return;
	close_form(p);
	forget_shown(p); /* "Making the save-a-card link…" until the job's answer */
	pay_panel_set_mode(p, PANEL_CARD_LINK);
	p->id = client_id;
}

/* The card held on the reader instead of the link: asked first, since the
 * client agrees to keep the card on file (customer_consent_collected). */
static void hold_confirmed(struct ui *ui, void *ctx)
{
	struct pay_panel *p = ctx;
	struct reader_hold before;
	p->hold_before = 0;
	if (reader_holds_latest(ui->app->db, p->id, &before, NULL) == PD_OK)
		p->hold_before = before.status == HOLD_OPEN ? before.id - 1 : before.id;
	struct pay_job_request req = {.op = PAY_OP_HOLD_READER, .id = p->id};
	uint64_t id = pay_panel_run(p, &req);
	if (!id)
		return;
	close_form(p);
	forget_shown(p); /* "Asking the reader…" until the job's answer */
	pay_panel_set_mode(p, PANEL_CARD_READER);
	p->view_job = id;
	p->view_error[0] = '\0';
}

static void hold_on_reader(struct pay_panel *p)
{
	ui_dialog_open(p->ui, &(struct ui_dialog_spec){
				      .title = "Hold the card on the reader?",
				      .body = "The client taps or inserts their card on the reader to "
					      "keep it on file for the booking's fees.\nNothing is "
					      "charged now. Did the client agree?",
				      .confirm_label = "they agreed, ask the reader",
				      .on_confirm = hold_confirmed, .ctx = p});
}

/* ---- confirming and submitting ---------------------------------------------- */

struct pending {
	struct pay_panel *panel;
	struct pay_job_request req;
	/* desk tenders: recorded here and now, no job, no Stripe */
	bool desk;
	enum payrow_method tender; /* a payment's; refunds go back as each was paid */
	char note[PAYMENTS_DESK_NOTE_MAX * 4 + 1];
	/* a saved-card charge while Stripe is unreachable: queued, not sent */
	bool queue;
	int64_t tip; /* desk tenders: the tip typed (Stripe ways carry it in req.tip) */
	time_t down_since;
};

/* Whether the form's choice is a desk tender (or a refund at the desk). */
static bool choice_is_desk(const struct pay_panel *p)
{
	int choice = p->fields[PF_CHOICE].choice;
	return p->mode == PANEL_PAY ? payrow_method_is_desk(pay_tenders[choice]) ||
					      payrow_method_is_drawn(pay_tenders[choice])
				    : p->refund_reason[choice] < 0;
}

static void desk_confirmed(struct ui *ui, struct pending *pd)
{
	struct pay_result r;
	struct pd_error err = {0};
	int rc = pd->req.op == PAY_OP_REFUND
			 ? payments_desk_refund(ui->app->db, &ui->app->session, pd->req.id,
						pd->req.amount, pd->note, &r, &err)
		 : payrow_method_is_drawn(pd->tender)
			 ? packages_draw(ui->app->db, &ui->app->session, pd->req.id, 0, &r, &err)
			 : payments_desk_take_tip(ui->app->db, &ui->app->session, pd->req.id,
						  pd->tender, pd->req.amount, pd->tip, pd->note, &r,
						  &err);
	if (rc)
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
	else
		ui_notify(ui, UI_NOTICE_INFO, "%s", r.message);
	/* written on this thread: let the screen re-read now */
	if (ui_screens[ui->tab]->reload)
		ui_screens[ui->tab]->reload(ui->state[ui->tab], ui);
}

/* Recorded here and now as queued, not charged (charge_queue.h). */
static void queue_confirmed(struct ui *ui, struct pending *pd)
{
	struct pay_result r;
	struct pd_error err = {0};
	int64_t id = 0;
	if (charge_queue_add(ui->app->db, &ui->app->session, pd->req.id, pd->req.amount, NULL, NULL,
			     pd->down_since, &id, &r, &err))
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
	else
		ui_notify(ui, UI_NOTICE_INFO, "%s", r.message);
	if (ui_screens[ui->tab]->reload)
		ui_screens[ui->tab]->reload(ui->state[ui->tab], ui);
}

static void confirmed(struct ui *ui, void *ctx)
{
	struct pending *pd = ctx;
	if (pd->queue) {
		queue_confirmed(ui, pd);
		free(pd);
		return;
	}
	if (pd->desk) {
		desk_confirmed(ui, pd);
		free(pd);
		return;
	}
	uint64_t id = pay_panel_submit(ui, &pd->req);
	if (id) {
		remember_job(pd->panel, id);
		ui_notify(ui, UI_NOTICE_INFO, "sent to Stripe…");
		/* Links and readers continue in the payment view. */
		if (pd->req.op == PAY_OP_LINK || pd->req.op == PAY_OP_READER) {
			pay_panel_view(pd->panel, pd->req.id);
			pd->panel->view_job = id;
		}
	}
	free(pd);
}

static void submit_form(struct pay_panel *p)
{
	int bad = ui_form_validate(&p->form);
	if (bad >= 0) {
		snprintf(p->error, sizeof p->error, "%s: %s", p->fields[bad].label,
			 p->fields[bad].error);
		return;
	}
	int64_t amount = 0;
	struct pd_error err = {0};
	const char *typed = ui_form_value(&p->form, PF_AMOUNT);
	if (*typed && money_parse(typed, p->currency, &amount, &err) != PD_OK) {
		snprintf(p->error, sizeof p->error, "Amount: %.250s", err.msg);
		return;
	}
	/* 0 (or a cleared field) means nothing to a person, not "everything":
	 * the use case reads 0 as all that is due, so it never gets there. */
	if (amount == 0) {
		snprintf(p->fields[PF_AMOUNT].error, sizeof p->fields[PF_AMOUNT].error,
			 "type an amount above 0 (%s)",
			 p->mode == PANEL_PAY ? "what is due, or less for a deposit"
					      : "all that is left, or less");
		p->form.focus = PF_AMOUNT;
		snprintf(p->error, sizeof p->error, "Amount: %.200s", p->fields[PF_AMOUNT].error);
		return;
	}
	int64_t tip = 0;
	const char *tip_typed = p->mode == PANEL_PAY ? ui_form_value(&p->form, PF_TIP) : "";
	if (*tip_typed && money_parse(tip_typed, p->currency, &tip, &err) != PD_OK) {
		snprintf(p->error, sizeof p->error, "Tip: %.250s", err.msg);
		p->form.focus = PF_TIP;
		return;
	}
	/* What the use case would refuse is said here, under the field, before
	 * any confirmation (the use case still checks: it is the guard). */
	int choice = p->fields[PF_CHOICE].choice;
	char why[sizeof p->error - 16];
	struct client_package none;
	struct pd_error pkg_err = {0};
	if (p->mode == PANEL_PAY) {
		pay_precheck_take(p->ui->app->db, p->id, amount, pay_tenders[choice],
				  p->cards_listed, why, sizeof why);
		/* the client's package: none that can pay is said under the choice */
		if (!why[0] && payrow_method_is_drawn(pay_tenders[choice]) &&
		    packages_for_appointment(p->ui->app->db, p->id, &none, &pkg_err) != PD_OK)
			snprintf(why, sizeof why, "%.*s", (int)sizeof why - 1, pkg_err.msg);
	} else
		pay_precheck_refund(p->ui->app->db, &p->ui->app->session, p->id, amount,
				    choice_is_desk(p), why, sizeof why);
	if (why[0]) {
		bool on_amount = strncmp(why, "at most", 7) == 0 || strncmp(why, "a refund", 8) == 0;
		int field = on_amount ? PF_AMOUNT : PF_CHOICE;
		snprintf(p->fields[field].error, sizeof p->fields[field].error, "%s", why);
		p->form.focus = field;
		snprintf(p->error, sizeof p->error, "%s: %s", p->fields[field].label, why);
		return;
	}
	struct pending *pd = calloc(1, sizeof *pd);
	if (!pd)
		return;
	pd->panel = p;
	pd->req.id = p->id;
	pd->req.amount = amount;
	pd->req.tip = pd->tip = tip;
	snprintf(pd->note, sizeof pd->note, "%s", ui_form_value(&p->form, PF_NOTE));
	pd->desk = choice_is_desk(p);
	int64_t shown = amount;
	if (!shown) {
		int64_t due, paid = 0, refunded = 0, desk_left = 0;
		payments_due(p->ui->app->db, p->id, &due, &paid, &refunded, NULL);
		payments_desk_refundable(p->ui->app->db, p->id, &desk_left, NULL);
		shown = p->mode == PANEL_PAY ? due
			: pd->desk	     ? desk_left
					     : paid - refunded - desk_left;
	}
	shown += tip; /* what the client pays: the price and the tip */
	char body[1000];
	const char *label;
	const char *note_line = pd->note[0] ? "\nNote: " : "";
	struct client_package pkg;
	if (p->mode == PANEL_PAY && pd->desk && payrow_method_is_drawn(pay_tenders[choice]) &&
	    packages_for_appointment(p->ui->app->db, p->id, &pkg, NULL) == PD_OK) {
		/* a visit pays all that is due; credit up to what is left */
		pd->req.op = PAY_OP_CARD;
		pd->tender = PAYROW_PACKAGE;
		char left[300];
		cpkg_describe(&pkg, (int64_t)time(NULL), left, sizeof left);
		int64_t due = 0;
		payments_due(p->ui->app->db, p->id, &due, NULL, NULL, NULL);
		shown = pkg.kind == PACKAGE_VISITS || cpkg_left(&pkg) >= due ? due : cpkg_left(&pkg);
		snprintf(body, sizeof body, "%s\nFrom %s: %s.\nNo money moves; %s.", p->title,
			 pkg.name, left,
			 pkg.kind == PACKAGE_VISITS ? "one visit is used"
			 : shown < due		    ? "the rest stays due"
						    : "the credit goes down");
		label = "pay from it";
	} else if (p->mode == PANEL_PAY && pd->desk) {
		pd->req.op = PAY_OP_CARD; /* not queued: desk_confirmed tells pay from refund */
		pd->tender = pay_tenders[choice];
		snprintf(body, sizeof body, "%s\nTender: %s. Recorded at the desk, no Stripe call.%s%s",
			 p->title, pay_methods[choice], note_line, pd->note);
		label = "record payment";
	} else if (p->mode == PANEL_PAY && pay_ops[choice] == PAY_OP_CARD &&
		   stripe_reach_down(&pd->down_since)) {
		/* Sent now it would only end "unknown": offer to keep it for later. */
		char when[32];
		ui_stripe_status_when(pd->down_since, when, sizeof when);
		pd->queue = true;
		snprintf(body, sizeof body,
			 "%s\nStripe has not answered since %s.\n"
			 "Queue this charge of the saved card? It is recorded,\n"
			 "not charged. Once Stripe is back, confirm it again (p):\n"
			 "only then is it sent.",
			 p->title, when);
		label = "queue it";
	} else if (p->mode == PANEL_PAY) {
		pd->req.op = pay_ops[choice];
		/* which reader the client will tap: this desk's, said before y */
		char rid[64], rlabel[128], on[200] = "";
		if (pay_ops[choice] == PAY_OP_READER) {
			readers_desk_reader(p->ui->app->db, rid, rlabel);
			snprintf(on, sizeof on, "%s%s", rlabel[0] ? " on " : "",
				 rlabel[0] ? rlabel : " (this desk has chosen no reader: Stripe's only one)");
		}
		snprintf(body, sizeof body, "%s\nCollect by %s%s.", p->title, pay_methods[choice], on);
		label = choice == 0 ? "charge" : choice == 1 ? "make link" : "start reader";
	} else if (pd->desk) {
		pd->req.op = PAY_OP_REFUND;
		snprintf(body, sizeof body, "%s\nRefund %s.%s%s", p->title, p->desk_refund_label,
			 note_line, pd->note);
		label = "refund";
	} else {
		pd->req.op = PAY_OP_REFUND;
		int reason = p->refund_reason[choice];
		snprintf(pd->req.reason, sizeof pd->req.reason, "%s", reason_keys[reason]);
		snprintf(body, sizeof body, "%s\nReason: %s.", p->title, reasons[reason]);
		/* through Stripe: to which card, and the fee Stripe keeps when it has said it */
		int64_t standing = drawn_left(p->ui->app->db, p->id);
		int64_t to_stripe = shown - standing;
		char card[64] = "", fee[160] = "", money[64];
		char payout[400];
		bool pays_out = standing > 0 &&
				packages_return_payout(p->ui->app->db, p->id, payout, sizeof payout);
		if (standing > 0) {
			size_t n = standing >= shown ? strlen(p->title) : strlen(body); /* no reason: */
			if (pays_out) /* a refunded package takes nothing back: money goes */
				snprintf(body + n, sizeof body - n,
					 "\nPaid %s from the client's package: %s.",
					 money_format(standing < shown ? standing : shown, p->currency,
						      money, sizeof money),
					 payout);
			else
				snprintf(body + n, sizeof body - n,
					 "\nPaid %s from the client's package or credit: it goes back "
					 "to the package; no money moves for it.",
					 money_format(standing < shown ? standing : shown, p->currency,
						      money, sizeof money));
		}
		if (to_stripe > 0) {
			int64_t f = refund_fee_appointment_stored(p->ui->app->db, p->id, to_stripe,
								  card, sizeof card);
			refund_fee_text(f, p->currency, false, fee, sizeof fee);
			size_t n = strlen(body);
			snprintf(body + n, sizeof body - n, "\n%s back to %s through Stripe.%s%s%s",
				 money_format(to_stripe, p->currency, money, sizeof money),
				 card[0] ? card : "the card", fee[0] ? "\n" : "", fee, fee[0] ? "." : "");
		}
		label = standing >= shown && !pays_out ? "give it back" : "refund";
	}
	if (tip > 0 && pd->queue) { /* a queued charge is the price alone */
		free(pd);
		snprintf(p->error, sizeof p->error,
			 "Tip: a charge queued while Stripe is down carries no tip: clear it, or "
			 "take the tip in cash");
		p->form.focus = PF_TIP;
		return;
	}
	if (tip > 0 && pd->req.op != PAY_OP_REFUND &&
	    payrow_method_is_drawn(pd->tender)) { /* no money moves: nowhere to put a tip */
		free(pd);
		snprintf(p->error, sizeof p->error,
			 "Tip: a visit paid from a package or credit moves no money, so it carries "
			 "no tip: clear it, and take the tip in cash or by card");
		p->form.focus = PF_TIP;
		return;
	}
	if (p->mode == PANEL_PAY && !payrow_method_is_drawn(pd->tender))
		deposit_short(p, amount, body, sizeof body);
	if (tip > 0) {
		char m[64];
		size_t n = strlen(body);
		snprintf(body + n, sizeof body - n, "\nTip %s, kept apart from the price.",
			 money_format(tip, p->currency, m, sizeof m));
	}
	close_form(p);
	pay_panel_set_mode(p, PANEL_NONE);
	ui_dialog_open(p->ui, &(struct ui_dialog_spec){
				      .title = pd->req.op == PAY_OP_REFUND ? "Refund?"
					       : pd->queue		 ? "Queue this charge?"
									 : "Take this payment?",
				      .body = body, .money = true, .amount = shown,
				      .currency = p->currency, .confirm_label = label,
				      .on_confirm = confirmed, .ctx = pd, .free_ctx = free});
}

void pay_panel_close(struct pay_panel *p)
{
	if (!p)
		return;
	close_form(p);
	pay_panel_set_mode(p, PANEL_NONE);
}

static void stop_reader(struct pay_panel *p)
{
	struct pay_job_request req = {.op = p->mode == PANEL_CARD_READER ? PAY_OP_HOLD_READER_CANCEL
									 : PAY_OP_READER_CANCEL,
				      .id = p->id};
	uint64_t id = pay_panel_submit(p->ui, &req);
	if (id)
		remember_job(p, id);
}

/* Training: the simulated reader is handed a test card, as a client's tap. */
bool pay_panel_training(const struct pay_panel *p)
{
	return strcmp(p->ui->mode, "test") == 0;
}

static void tap_card(struct pay_panel *p)
{
	struct pay_job_request req = {.op = p->mode == PANEL_CARD_READER ? PAY_OP_HOLD_READER_TAP
									 : PAY_OP_READER_TAP,
				      .id = p->id};
	if (pay_panel_run(p, &req))
		ui_notify(p->ui, UI_NOTICE_INFO, "tapping a test card on the simulated reader…");
}

static void new_link(struct pay_panel *p)
{
	struct pay_attempt last;
	if (payrows_latest(p->ui->app->db, p->id, PAYROW_LINK, &last, NULL) != PD_OK)
		return;
	if (last.status == PAYROW_OPEN) {
		ui_notify(p->ui, UI_NOTICE_INFO, "the link is still open: show it again");
		pay_attempt_free(&last);
		return;
	}
	struct pending *pd = calloc(1, sizeof *pd);
	if (pd) {
		pd->panel = p;
		pd->req.op = PAY_OP_LINK;
		pd->req.id = p->id;
		pd->req.amount = last.amount;
		ui_dialog_open(p->ui, &(struct ui_dialog_spec){
					      .title = "Make a new pay link?",
					      .body = "The old link expired. A new Checkout link is made.",
					      .money = true, .amount = last.amount,
					      .currency = last.currency, .confirm_label = "make link",
					      .on_confirm = confirmed, .ctx = pd, .free_ctx = free});
	}
	pay_attempt_free(&last);
}

/* ---- the payment view's keys (a keymap over the screen's) ------------------ */

/* The link shown, while it is open: the pay link, or the save-a-card link
 * (NULL: none; the caller frees). From what pay_panel_reload read: the
 * help overlay asks it at every frame, and drawing reads no store. */
static char *open_link(const struct pay_panel *p)
{
	if (p->mode == PANEL_CARD_LINK) {
		const struct card_setup *s = &p->shown.card;
		return p->shown.have_card && strcmp(s->status, "open") == 0 && s->url && s->url[0]
			       ? strdup(s->url)
			       : NULL;
	}
	const struct pay_attempt *last = &p->shown.last;
	return p->mode == PANEL_VIEW && p->shown.have_last && last->method == PAYROW_LINK &&
			       last->status == PAYROW_OPEN && last->url && last->url[0]
		       ? strdup(last->url)
		       : NULL;
}

static bool has_open_link(const void *state, const struct ui *ui)
{
	(void)ui;
	char *url = open_link(state);
	free(url);
	return url != NULL;
}

static bool in_view(const void *state, const struct ui *ui)
{
	const struct pay_panel *p = state;
	(void)ui;
	return p->mode == PANEL_VIEW;
}

static const struct ui_binding view_keys[] = {
	{UI_KEY_ESC, UI_ACT_BACK, "close the payment view", NULL},
	{'Q', UI_ACT_QR, "the link's QR code on the whole screen", NULL},
	{'C', UI_ACT_COPY, "copy the link (to paste in a message)", NULL},
	{'c', UI_ACT_CHECK, "check the link with Stripe now", NULL},
	{'n', UI_ACT_NEW, "a new pay link (when the last one is closed)", NULL},
	{'K', UI_ACT_STOP, "stop the card reader", NULL},
	{'t', UI_ACT_TAP, "tap a test card on the simulated reader (training)", NULL},
	{'r', UI_ACT_HOLD_READER, "hold the card on the card reader instead", NULL},
};

static enum ui_result do_close_view(void *state, struct ui *ui)
{
	struct pay_panel *p = state;
	(void)ui;
	pay_panel_set_mode(p, PANEL_NONE);
	return UI_HANDLED;
}

/* Q / C on the link shown: the open pay link, or the save-a-card link. */
static enum ui_result link_key(struct pay_panel *p, int key)
{
	char *url = open_link(p);
	const char *title = p->mode == PANEL_CARD_LINK ? "Save a card for next time" : "Pay link";
	enum ui_result r = url ? ui_link_key(p->ui, url, title, key) : UI_UNHANDLED;
	free(url);
	return r;
}

static enum ui_result do_qr(void *state, struct ui *ui)
{
	(void)ui;
	return link_key(state, 'Q');
}

static enum ui_result do_copy(void *state, struct ui *ui)
{
	(void)ui;
	return link_key(state, 'C');
}

static enum ui_result do_stop_reader(void *state, struct ui *ui)
{
	(void)ui;
	stop_reader(state);
	return UI_HANDLED;
}

static enum ui_result do_new_link(void *state, struct ui *ui)
{
	(void)ui;
	new_link(state);
	return UI_HANDLED;
}

/* Ask Stripe about the link now, not at the next poll. */
static enum ui_result do_check(void *state, struct ui *ui)
{
	struct pay_panel *p = state;
	(void)ui;
	struct pay_job_request req = {.op = PAY_OP_LINK_WATCH, .id = p->id, .poll_seconds = 0.01,
				      .poll_max = 1};
	uint64_t id = pay_panel_submit(p->ui, &req);
	if (id)
		remember_job(p, id);
	return UI_HANDLED;
}

static enum ui_result do_tap(void *state, struct ui *ui)
{
	(void)ui;
	tap_card(state);
	return UI_HANDLED;
}

static bool in_hold(const void *state, const struct ui *ui)
{
	(void)ui;
	return ((const struct pay_panel *)state)->mode == PANEL_CARD_READER;
}

/* The reader's keys: a payment in the view, or a card held on it. */
static bool reader_shown(const void *state, const struct ui *ui)
{
	return in_view(state, ui) || in_hold(state, ui);
}

/* Training only: a test-mode account's reader payment waiting in the view. */
static bool can_tap(const void *state, const struct ui *ui)
{
	return reader_shown(state, ui) && pay_panel_training(state);
}

static bool in_card_link(const void *state, const struct ui *ui)
{
	(void)ui;
	enum panel_mode m = ((const struct pay_panel *)state)->mode;
	return m == PANEL_CARD_LINK || m == PANEL_CARD_READER; /* r: again, after a decline */
}

static enum ui_result do_hold_reader(void *state, struct ui *ui)
{
	(void)ui;
	hold_on_reader(state);
	return UI_HANDLED;
}

static const struct ui_function view_functions[] = {
	{UI_ACT_TAP, do_tap, can_tap},
	{UI_ACT_BACK, do_close_view, NULL},
	{UI_ACT_QR, do_qr, has_open_link},
	{UI_ACT_COPY, do_copy, has_open_link},
	{UI_ACT_CHECK, do_check, in_view},
	{UI_ACT_NEW, do_new_link, in_view},
	{UI_ACT_STOP, do_stop_reader, reader_shown},
	{UI_ACT_HOLD_READER, do_hold_reader, in_card_link},
};

void pay_panel_keymaps(struct pay_panel *p, struct ui_keymaps *s)
{
	if (p->mode != PANEL_VIEW && p->mode != PANEL_CARD_LINK && p->mode != PANEL_CARD_READER)
		return;
	ui_keymaps_push(s, (struct ui_keymap){
				   .title = p->mode == PANEL_VIEW ? "Payment" : "Save a card",
				   .keys = view_keys, .nkeys = sizeof view_keys / sizeof view_keys[0],
				   .state = p, .funcs = view_functions,
				   .nfuncs = sizeof view_functions / sizeof view_functions[0]});
}

/* The refund amount as it is left (Tab): more than can be refunded, or over
 * a staff member's limit, is said under it then, not first at Ctrl-S. */
static void refund_amount_left(struct pay_panel *p)
{
	struct ui_field *f = &p->fields[PF_AMOUNT];
	const char *typed = ui_form_value(&p->form, PF_AMOUNT);
	int64_t amount = 0;
	struct pd_error err = {0};
	if (f->error[0] || !*typed || money_parse(typed, p->currency, &amount, &err) != PD_OK ||
	    amount <= 0)
		return; /* the validator's or the submit's to say */
	char why[sizeof f->error];
	pay_precheck_refund(p->ui->app->db, &p->ui->app->session, p->id, amount,
			    choice_is_desk(p), why, sizeof why);
	if (strncmp(why, "at most", 7) == 0 || strncmp(why, "a refund", 8) == 0)
		snprintf(f->error, sizeof f->error, "%s", why);
}

enum ui_result pay_panel_key(struct pay_panel *p, int key)
{
	if (!pay_panel_active(p))
		return UI_UNHANDLED;
	if (p->mode == PANEL_VIEW || p->mode == PANEL_CARD_LINK || p->mode == PANEL_CARD_READER)
		return UI_UNHANDLED; /* the view's keys are a keymap (pay_panel_keymaps) */
	if (key == UI_KEY_ESC) {
		close_form(p);
		pay_panel_set_mode(p, PANEL_NONE);
		return UI_HANDLED;
	}
	/* The note is for the desk's own tenders: with a Stripe method chosen,
	 * Enter on the choice continues as it always did. */
	if (key == UI_CTRL('s') ||
	    (key == UI_KEY_ENTER && (p->form.focus >= PF_NOTE ||
				     (p->form.focus == PF_CHOICE && !choice_is_desk(p))))) {
		submit_form(p);
		return UI_HANDLED;
	}
	if (key == UI_KEY_ENTER)
		key = '\t';
	p->error[0] = '\0';
	int was = p->form.focus;
	ui_form_key(&p->form, key);
	if (p->mode == PANEL_REFUND && was == PF_AMOUNT && p->form.focus != PF_AMOUNT)
		refund_amount_left(p);
	return UI_HANDLED;
}

void pay_panel_job_done(struct pay_panel *p, const struct jobs_completion *c)
{
	if (p->cards_job && c->id == p->cards_job) { /* list_cards: silent */
		p->cards_job = 0;
		/* customers_cards_refresh's own count: refused before the confirm only
		 * when Stripe itself just said none (a listing that failed, or
		 * another desk's write meanwhile, leaves it to the charge) */
		p->cards_listed = c->status == JOBS_DONE && strncmp(c->result, "0 saved cards", 13) == 0;
		return;
	}
	if (p->view_job && c->id == p->view_job) {
		p->view_job = 0;
		if (c->status != JOBS_DONE)
			snprintf(p->view_error, sizeof p->view_error, "%s", c->result);
	}
	for (size_t i = 0; i < sizeof p->jobs / sizeof p->jobs[0]; i++) {
		if (p->jobs[i] && p->jobs[i] == c->id) {
			ui_notify(p->ui, c->status == JOBS_DONE ? UI_NOTICE_INFO : UI_NOTICE_ERROR,
				  "%s", c->result);
			p->jobs[i] = 0;
			return;
		}
	}
}
