/* Closing an appointment from the Appointments tab: cancel, completed and
 * no-show ask first (saying what is still due), and a cancel or no-show with
 * money paid on it asks what happens to that money — refund all of it, part
 * of it, or keep it. A refund goes through the refund use case as a job (so
 * it is limit-checked, outbox-protected and audited) and the state changes
 * only once it is made; a refund refused or failed changes nothing unless
 * the desk then says to close it anyway. Keeping the money is a choice of its
 * own, audited. U undoes today's change. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "appt_screen.h"
#include "fees_view.h"
#include "paydesk/auth.h"
#include "paydesk/booking.h"
#include "paydesk/booking_policy.h"
#include "paydesk/fees.h"
#include "paydesk/fees_job.h"
#include "paydesk/money.h"
#include "paydesk/pay_precheck.h"
#include "paydesk/payments.h"
#include "paydesk/payments_desk.h"
#include "paydesk/payments_store.h"
#include "paydesk/policies.h"
#include "paydesk/refund_fee.h"

static const char *const money_choices[] = {"refund all of it", "refund part of it", "keep it",
					    NULL};
enum { MONEY_REFUND_ALL, MONEY_REFUND_PART, MONEY_KEEP };
static const char *const reasons[] = {"requested by customer", "duplicate", "fraudulent", NULL};
static const char *const reason_keys[] = {"requested_by_customer", "duplicate", "fraudulent"};

/* What the state change is called in dialogs and notices. */
static const char *verb(enum appt_state to)
{
	return to == APPT_CANCELLED ? "cancel" : to == APPT_NO_SHOW ? "mark no-show" : "complete";
}

/* Whether a cancel must go through Stripe first: an attempt whose
 * PaymentIntent or pay link is still open (payments_cancel_appointment). */
static bool has_open_attempt(sqlite3 *db, int64_t id)
{
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	bool open = false;
	if (payrows_list(db, id, &rows, &n, NULL) != PD_OK)
		return false;
	for (size_t i = 0; i < n && !open; i++)
		open = rows[i].status != PAYROW_SUCCEEDED && rows[i].status != PAYROW_CANCELLED &&
		       rows[i].status != PAYROW_EXPIRED &&
		       (rows[i].status != PAYROW_FAILED || rows[i].payment_intent_id);
	pay_attempts_free_list(&rows, n);
	return open;
}

static struct appt_followup *follow_slot(struct appt_screen *st)
{
	for (int i = 0; i < APPT_FOLLOWUPS; i++)
		if (!st->follow[i].job && !st->follow[i].waiting)
			return &st->follow[i];
	for (int i = 0; i < APPT_FOLLOWUPS; i++)
		if (!st->follow[i].job)
			return &st->follow[i]; /* then the oldest waiting one (c still finishes it) */
	return &st->follow[0]; /* four closings in flight: the oldest gives way */
}

/* "before" then "rest" as one message: a sentence ended by before goes on
 * with a new one ("…made. Cancelled, …"), else "before; rest". */
static void join_said(char *out, size_t len, const char *before, const char *rest)
{
	size_t n = before ? strlen(before) : 0;
	if (!n) {
		snprintf(out, len, "%s", rest);
		return;
	}
	bool ended = strchr(".!?", before[n - 1]) != NULL;
	char first = rest[0] >= 'a' && rest[0] <= 'z' && ended ? (char)(rest[0] - 'a' + 'A') : rest[0];
	snprintf(out, len, "%s%s%c%s", before, ended ? " " : "; ", first, rest[0] ? rest + 1 : "");
}

static struct appt_followup *remember(struct appt_screen *st, uint64_t job, bool after_refund,
				      int64_t id, enum appt_state to, int64_t kept,
				      const char *currency)
{
	struct appt_followup *f = follow_slot(st);
	*f = (struct appt_followup){.job = job, .after_refund = after_refund, .id = id, .to = to,
				    .kept = kept};
	snprintf(f->currency, sizeof f->currency, "%s", currency);
	return f;
}

static void say_done(struct appt_screen *st, const char *before, enum appt_state to,
		     int64_t kept, const char *currency)
{
	char money[64] = "", what[120], said[1400];
	if (kept > 0)
		money_format(kept, currency, money, sizeof money);
	snprintf(what, sizeof what, "%s%s%s%s", appt_state_label(to), kept > 0 ? ", " : "", money,
		 kept > 0 ? " kept" : "");
	join_said(said, sizeof said, before, what);
	ui_notify(st->ui, UI_NOTICE_INFO, "%s", said);
}

/* A fee the policy proposed with this close: said, and where it waits. */
static void note_fee(struct appt_screen *st, int64_t id)
{
	struct appt_fee f;
	if (fees_live_for(st->ui->app->db, id, &f, NULL) != PD_OK || f.state != FEE_PROPOSED)
		return;
	char money[64];
	ui_notify(st->ui, UI_NOTICE_INFO, "%s; a %s fee of %s waits in the fees queue (F)",
		  appt_state_label(f.kind == FEE_NO_SHOW ? APPT_NO_SHOW : APPT_CANCELLED),
		  fee_kind_label(f.kind), money_format(f.amount, f.currency, money, sizeof money));
}

/* Change the state (read at version); kept > 0: the money the desk keeps,
 * audited once the appointment is closed. before: what happened first. */
static void close_now(struct appt_screen *st, int64_t id, int64_t version, enum appt_state to,
		      int64_t kept, const char *currency, const char *before)
{
	struct ui *ui = st->ui;
	struct pd_error err = {0};
	if (to == APPT_CANCELLED && has_open_attempt(ui->app->db, id)) {
		struct pay_job_request req = {.op = PAY_OP_CANCEL, .id = id, .version = version};
		uint64_t job = pay_panel_submit(ui, &req);
		if (job) {
			remember(st, job, false, id, to, kept, currency);
			char said[1400];
			join_said(said, sizeof said, before, "cancelling (and its payment at Stripe)…");
			ui_notify(ui, UI_NOTICE_INFO, "%s", said);
		}
		return;
	}
	if (booking_close(ui->app->db, &ui->app->session, id, version, to, kept, currency, &err) !=
	    PD_OK) {
		char said[1400];
		join_said(said, sizeof said, before, err.msg);
		ui_notify(ui, UI_NOTICE_ERROR, "%s", said);
	} else {
		say_done(st, before, to, kept, currency);
		note_fee(st, id);
	}
	appt_load(st);
}

/* ---- money paid at the desk goes back at the desk ------------------------------ */

/* How a refund of amount splits: Stripe's money first (as policy_cancel
 * takes it), the rest from what the desk took (cash, cheque…), handed back
 * there and counted by the till — never asked of Stripe, which holds none
 * of it. */
static void refund_split(sqlite3 *db, int64_t id, int64_t amount, int64_t *to_stripe,
			 int64_t *to_desk)
{
	int64_t due = 0, paid = 0, refunded = 0, desk_left = 0;
	payments_due(db, id, &due, &paid, &refunded, NULL);
	payments_desk_refundable(db, id, &desk_left, NULL);
	int64_t stripe_left = paid - refunded - desk_left;
	if (stripe_left < 0)
		stripe_left = 0;
	*to_stripe = amount < stripe_left ? amount : stripe_left;
	*to_desk = amount - *to_stripe;
}

/* "in cash at the desk" when all the desk money left is cash. */
static const char *desk_way(sqlite3 *db, int64_t id)
{
	struct pay_attempt *rows = NULL;
	size_t n = 0;
	bool all_cash = true;
	if (payrows_list(db, id, &rows, &n, NULL) == PD_OK)
		for (size_t i = 0; i < n; i++)
			if (payrow_method_is_desk(rows[i].method) &&
			    rows[i].amount > rows[i].refunded && rows[i].method != PAYROW_CASH)
				all_cash = false;
	pay_attempts_free_list(&rows, n);
	return all_cash ? "in cash at the desk (from the till)" : "at the desk, as it was paid";
}

/* The user's refund rights for both parts; why is "" when allowed. */
static void refund_rights(struct ui *ui, int64_t id, int64_t to_stripe, int64_t to_desk,
			  char *why, size_t len)
{
	why[0] = '\0';
	if (to_stripe > 0)
		pay_precheck_refund(ui->app->db, &ui->app->session, id, to_stripe, false, why,
				    len);
	if (!why[0] && to_desk > 0)
		pay_precheck_refund(ui->app->db, &ui->app->session, id, to_desk, true, why, len);
}

/* Lines for a refund's confirm: where each part goes back and, for
 * Stripe's, the fee Stripe keeps when the billing history knows it. */
static void refund_lines(sqlite3 *db, int64_t id, const char *currency, int64_t to_stripe,
			 int64_t to_desk, char *out, size_t len)
{
	char money[64], card[64], fee[160];
	size_t n = 0;
	out[0] = '\0';
	if (to_desk > 0)
		n += (size_t)snprintf(out, len, "\n%s back %s.",
				      money_format(to_desk, currency, money, sizeof money),
				      desk_way(db, id));
	if (to_stripe > 0 && n < len) {
		int64_t f = refund_fee_appointment_stored(db, id, to_stripe, card, sizeof card);
		refund_fee_text(f, currency, false, fee, sizeof fee);
		snprintf(out + n, len - n, "\n%s back to %s through Stripe.%s%s%s",
			 money_format(to_stripe, currency, money, sizeof money),
			 card[0] ? card : "the card", fee[0] ? "\n" : "", fee, fee[0] ? "." : "");
	}
}

/* ---- without money on it: a plain confirm ------------------------------------ */

struct closing {
	struct appt_screen *st;
	int64_t id, version;
	enum appt_state to;
	int64_t kept, refund;
	int64_t desk_refund; /* the part of refund handed back at the desk */
	char currency[4];
	char reason[32];
};

static struct closing *closing_new(struct appt_screen *st, int64_t id, int64_t version,
				   enum appt_state to, const char *currency)
{
	struct closing *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	*c = (struct closing){.st = st, .id = id, .version = version, .to = to};
	snprintf(c->currency, sizeof c->currency, "%s", currency);
	return c;
}

static void confirmed_close(struct ui *ui, void *ctx)
{
	struct closing *c = ctx;
	(void)ui;
	close_now(c->st, c->id, c->version, c->to, c->kept, c->currency, NULL);
	free(c);
}

/* "\nA no-show fee of 20.00 USD is proposed (policy): F, not charged now."
 * when the policy gives one and the visit has no fee yet; "" otherwise. */
static void no_show_fee_words(sqlite3 *db, const struct appointment *a, char *out, size_t len)
{
	out[0] = '\0';
	struct policy_cancel_plan plan;
	struct appt_fee had;
	if (policy_no_show_plan(db, a->id, &plan, NULL) != PD_OK || plan.fee_due <= 0 ||
	    fees_live_for(db, a->id, &had, NULL) == PD_OK)
		return;
	char money[64];
	snprintf(out, len, "\nA no-show fee of %s is proposed (policy):\nthe fees queue (F) "
			   "charges it, nothing is charged now.",
		 money_format(plan.fee_due, plan.currency[0] ? plan.currency : a->currency, money,
			      sizeof money));
}

static void ask_plain(struct appt_screen *st, const struct appointment *a, enum appt_state to,
		      int64_t due, int64_t paid)
{
	char what[200], body[700], money[64], paidtxt[64];
	appt_short_name(a, what, sizeof what);
	money_format(due, a->currency, money, sizeof money);
	money_format(paid, a->currency, paidtxt, sizeof paidtxt);
	const char *title = to == APPT_CANCELLED ? "Cancel the appointment?"
			    : to == APPT_NO_SHOW ? "Mark as no-show?"
						 : "Mark as completed?";
	if (to == APPT_CANCELLED) {
		char full[600];
		booking_describe(a, full, sizeof full);
		snprintf(body, sizeof body, "Cancel %s?\nThe slot becomes free again.", full);
	} else if (due > 0 && paid <= 0) {
		snprintf(body, sizeof body, "Mark %s as %s?\nIt is unpaid: %s due.", what,
			 appt_state_label(to), money);
	} else if (due > 0) {
		snprintf(body, sizeof body, "Mark %s as %s?\nOnly %s is paid: %s due.", what,
			 appt_state_label(to), paidtxt, money);
	} else {
		snprintf(body, sizeof body, "Mark %s as %s?%s", what, appt_state_label(to),
			 paid > 0 ? "\nIt is paid." : "");
	}
	if (to == APPT_NO_SHOW) { /* said before y, as fees_propose_in will make it */
		size_t n = strlen(body);
		no_show_fee_words(st->ui->app->db, a, body + n, sizeof body - n);
	}
	struct closing *c = closing_new(st, a->id, a->version, to, a->currency);
	if (!c)
		return;
	ui_dialog_open(st->ui, &(struct ui_dialog_spec){
				       .title = title, .body = body,
				       .confirm_label = to == APPT_CANCELLED ? "cancel it"
							: to == APPT_NO_SHOW ? "no-show"
									     : "completed",
				       .on_confirm = confirmed_close, .ctx = c, .free_ctx = free});
}

/* ---- with money on it: the money step ------------------------------------------ */

static int v_amount(const char *v, char *msg, size_t len)
{
	for (const char *s = v; *s; s++)
		if (!(*s >= '0' && *s <= '9') && *s != '.' && *s != ',') {
			snprintf(msg, len, "an amount such as 20.00");
			return -1;
		}
	return 0;
}

void appt_money_close(struct appt_screen *st)
{
	if (st->money.open)
		ui_form_free(&st->money.form);
	st->money.open = false;
}

static void open_money(struct appt_screen *st, const struct appointment *a, enum appt_state to,
		       int64_t left)
{
	struct appt_money *m = &st->money;
	appt_money_close(st);
	m->id = a->id;
	m->version = a->version;
	m->to = to;
	m->left = left;
	snprintf(m->currency, sizeof m->currency, "%s", a->currency);
	appt_short_name(a, m->what, sizeof m->what);
	m->error[0] = '\0';
	m->fields[MF_MONEY] = (struct ui_field){
		.label = "The money", .kind = UI_FIELD_CHOICE, .choices = money_choices,
		.hint = "Space / arrows: refund all, refund part, or keep it"};
	m->fields[MF_AMOUNT] = (struct ui_field){.label = "Refund", .validate = v_amount,
						 .hint = "for a part: how much goes back"};
	m->fields[MF_REASON] = (struct ui_field){.label = "Reason", .kind = UI_FIELD_CHOICE,
						 .choices = reasons,
						 .hint = "Space / arrows: next reason"};
	ui_form_init(&m->form, m->fields, MF_COUNT, 64);
	/* A no-show forfeits what was paid as a rule: keeping it is offered
	 * first; a cancellation offers the refund first. */
	if (to == APPT_NO_SHOW)
		m->fields[MF_MONEY].choice = MONEY_KEEP;
	m->open = true;
	char typed[64]; /* as money_parse reads it back: "45.00", "4500" for JPY */
	int e = money_exponent(a->currency);
	int64_t div = e == 0 ? 1 : e == 3 ? 1000 : 100;
	if (e == 0)
		snprintf(typed, sizeof typed, "%lld", (long long)left);
	else
		snprintf(typed, sizeof typed, "%lld.%0*lld", (long long)(left / div), e,
			 (long long)(left % div));
	textedit_set(&m->fields[MF_AMOUNT].edit, typed);
	m->form.dirty = false;
}

/* Hand desk money back (recorded, the till counts it), then close. before:
 * what happened first (Stripe's part refunded). */
static void hand_back_then_close(struct appt_screen *st, int64_t id, enum appt_state to,
				 int64_t kept, int64_t desk, const char *currency,
				 const char *before)
{
	struct ui *ui = st->ui;
	struct pay_result r;
	struct pd_error err = {0};
	if (payments_desk_refund(ui->app->db, &ui->app->session, id, desk,
				 to == APPT_CANCELLED ? "cancelled" : "no-show", &r, &err) != PD_OK) {
		char why[700], said[1400];
		snprintf(why, sizeof why, "%.500s: not %s", err.msg,
			 to == APPT_CANCELLED ? "cancelled" : "marked no-show");
		join_said(said, sizeof said, before, why);
		ui_notify(ui, UI_NOTICE_ERROR, "%s", said);
		appt_load(st);
		return;
	}
	char said[1400];
	join_said(said, sizeof said, before, r.message);
	struct appointment a;
	if (appointments_get(ui->app->db, id, &a, &err) != PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	close_now(st, a.id, a.version, to, kept, currency, said);
	appointment_free(&a);
}

static void confirmed_refund(struct ui *ui, void *ctx)
{
	struct closing *c = ctx;
	int64_t to_stripe = c->refund - c->desk_refund;
	if (to_stripe <= 0) { /* all of it was paid at the desk: no Stripe call */
		hand_back_then_close(c->st, c->id, c->to, c->kept, c->desk_refund, c->currency,
				     NULL);
		free(c);
		return;
	}
	struct pay_job_request req = {.op = PAY_OP_REFUND, .id = c->id, .amount = to_stripe};
	snprintf(req.reason, sizeof req.reason, "%s", c->reason);
	uint64_t job = pay_panel_submit(ui, &req);
	if (job) {
		struct appt_followup *f = remember(c->st, job, true, c->id, c->to, c->kept,
						   c->currency);
		int64_t paid = 0;
		f->desk_refund = c->desk_refund;
		f->stripe_refund = to_stripe;
		payrows_totals(ui->app->db, c->id, &paid, &f->refunded_before, NULL);
		ui_notify(ui, UI_NOTICE_INFO, "refunding at Stripe… (%s follows)", verb(c->to));
	}
	free(c);
}

static void submit_money(struct appt_screen *st)
{
	struct appt_money *m = &st->money;
	struct ui *ui = st->ui;
	int choice = m->fields[MF_MONEY].choice;
	int64_t refund = choice == MONEY_REFUND_ALL ? m->left : 0;
	struct pd_error err = {0};
	if (choice == MONEY_REFUND_PART) {
		const char *typed = ui_form_value(&m->form, MF_AMOUNT);
		char most[64];
		money_format(m->left, m->currency, most, sizeof most);
		if (money_parse(typed, m->currency, &refund, &err) != PD_OK) {
			snprintf(m->error, sizeof m->error, "Refund: %.300s", err.msg);
			m->form.focus = MF_AMOUNT;
			return;
		}
		if (refund <= 0 || refund > m->left) {
			snprintf(m->error, sizeof m->error, "Refund: more than 0, at most %s", most);
			m->form.focus = MF_AMOUNT;
			return;
		}
	}
	/* The user's refund rights, before anything is asked or sent; desk
	 * money goes back at the desk. */
	char why[300] = "";
	int64_t to_stripe = 0, to_desk = 0;
	refund_split(ui->app->db, m->id, refund, &to_stripe, &to_desk);
	refund_rights(ui, m->id, to_stripe, to_desk, why, sizeof why);
	if (why[0]) {
		snprintf(m->error, sizeof m->error,
			 "%s — refund less, or choose keep it (nothing has changed)", why);
		return;
	}
	struct closing *c = closing_new(st, m->id, m->version, m->to, m->currency);
	if (!c)
		return;
	c->refund = refund;
	c->desk_refund = to_desk;
	c->kept = m->left - refund;
	snprintf(c->reason, sizeof c->reason, "%s", reason_keys[m->fields[MF_REASON].choice]);
	char body[1000], kept[64], lines[500];
	refund_lines(ui->app->db, m->id, m->currency, to_stripe, to_desk, lines, sizeof lines);
	money_format(c->kept, m->currency, kept, sizeof kept);
	bool cancel = m->to == APPT_CANCELLED;
	if (refund > 0) {
		char tail[160] = "";
		if (c->kept > 0)
			snprintf(tail, sizeof tail, "\n%s stays paid (kept).", kept);
		snprintf(body, sizeof body, "%s %s:\nrefund this to the client, then %s it.%s%s",
			 cancel ? "Cancel" : "No-show for", m->what,
			 cancel ? "cancel" : "mark", lines, tail);
	} else {
		snprintf(body, sizeof body, "%s %s\nand keep the %s paid?", cancel ? "Cancel" : "No-show for",
			 m->what, kept);
	}
	appt_money_close(st);
	ui_dialog_open(ui, &(struct ui_dialog_spec){
				   .title = refund > 0 ? (cancel ? "Refund and cancel?"
								 : "Refund and mark no-show?")
						       : (cancel ? "Cancel and keep the money?"
								 : "No-show and keep the money?"),
				   .body = body, .money = true, .amount = refund > 0 ? refund : c->kept,
				   .currency = c->currency,
				   .confirm_label = refund > 0 ? "refund" : "keep it",
				   .on_confirm = refund > 0 ? confirmed_refund : confirmed_close,
				   .ctx = c, .free_ctx = free});
}

enum ui_result appt_money_key(struct appt_screen *st, int key)
{
	struct appt_money *m = &st->money;
	if (!m->open || key == UI_CTRL('c'))
		return UI_UNHANDLED; /* Ctrl-C still quits (asking first) */
	if (key == UI_KEY_ESC) {
		appt_money_close(st);
		ui_notify(st->ui, UI_NOTICE_INFO, "nothing changed");
		return UI_HANDLED;
	}
	if (key == UI_CTRL('s') || (key == UI_KEY_ENTER && m->form.focus == MF_COUNT - 1)) {
		submit_money(st);
		return UI_HANDLED;
	}
	if (key == UI_KEY_ENTER)
		key = '\t';
	m->error[0] = '\0';
	ui_form_key(&m->form, key);
	return UI_HANDLED;
}

bool appt_money_editing(const struct appt_screen *st)
{
	const struct appt_money *m = &st->money;
	return m->open && m->fields[m->form.focus].kind != UI_FIELD_CHOICE;
}

void appt_money_draw(struct appt_screen *st, struct ui_rect a)
{
	struct appt_money *m = &st->money;
	char line[400], money[64];
	money_format(m->left, m->currency, money, sizeof money);
	int y = a.y + 1;
	snprintf(line, sizeof line, "%s %s", m->to == APPT_CANCELLED ? "Cancel" : "No-show:",
		 m->what);
	ui_put(y++, a.x + 2, a.w - 4, ROLE_TITLE, line, false);
	snprintf(line, sizeof line, "What happens to the %s paid?", money);
	ui_put(y++, a.x + 2, a.w - 4, ROLE_NORMAL, line, false);
	y++;
	ui_form_draw(&m->form, (struct ui_rect){y, a.x + 2, MF_COUNT * 2 + 2, a.w - 4});
	int cy, cx;
	getyx(stdscr, cy, cx);
	if (m->error[0])
		ui_put(a.y + a.h - 3, a.x + 2, a.w - 4, ROLE_ERROR, m->error, false);
	ui_put(a.y + a.h - 1, a.x + 2, a.w - 4, ROLE_HELP_KEY,
	       "Tab: next field   Enter on the last field / Ctrl-S: continue   Esc: back", false);
	move(cy, cx);
}

/* ---- by the booking policy: one confirm with its amounts ------------------------ */

static void not_closed(struct ui *ui, void *ctx);

/* d on the policy's confirm: the desk decides otherwise in the money step
 * (owns ctx, as a dialog's other choice does). */
static void policy_otherwise(struct ui *ui, void *ctx)
{
	struct closing *c = ctx;
	struct appointment a;
	struct pd_error err = {0};
	if (appointments_get(ui->app->db, c->id, &a, &err) != PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		free(c);
		return;
	}
	open_money(c->st, &a, c->to, c->refund + c->kept);
	appointment_free(&a);
	free(c);
}

/* A cancellation with money held, of an appointment held to a policy: what
 * the policy gives (refund all, keep the deposit, keep all; in time or
 * late) in one confirm; d goes to the money step to decide otherwise, n /
 * Esc changes nothing.
 * false: no policy applies (the money step as before). */
static bool ask_by_policy(struct appt_screen *st, const struct appointment *a)
{
	struct ui *ui = st->ui;
	struct policy_cancel_plan plan;
	struct pd_error err = {0};
	int64_t now = (int64_t)time(NULL);
	if (policy_cancel_plan(ui->app->db, a->id, now, &plan, &err) != PD_OK ||
	    !plan.policy_version)
		return false;
	char why[300] = "";
	int64_t to_stripe = 0, to_desk = 0; /* cash paid goes back in cash */
	refund_split(ui->app->db, a->id, plan.refund, &to_stripe, &to_desk);
	refund_rights(ui, a->id, to_stripe, to_desk, why, sizeof why);
	if (why[0]) { /* beyond this user's refund rights: the money step says so */
		ui_notify(ui, UI_NOTICE_ERROR, "the policy refunds more than you may: %s", why);
		return false;
	}
	struct closing *c = closing_new(st, a->id, a->version, APPT_CANCELLED, a->currency);
	if (!c)
		return false;
	c->refund = plan.refund;
	c->desk_refund = to_desk;
	c->kept = plan.kept;
	snprintf(c->reason, sizeof c->reason, "requested_by_customer");
	char what[200], refund[64], kept[64], fee[64], body[1400], lines[500];
	refund_lines(ui->app->db, a->id, a->currency, to_stripe, to_desk, lines, sizeof lines);
	appt_short_name(a, what, sizeof what);
	money_format(plan.refund, a->currency, refund, sizeof refund);
	money_format(plan.kept, a->currency, kept, sizeof kept);
	money_format(plan.fee_due, a->currency, fee, sizeof fee);
	long hours = (long)((a->starts_at - now) / 3600);
	char when[120];
	if (a->starts_at <= now)
		snprintf(when, sizeof when, "after the start: late");
	else
		snprintf(when, sizeof when, "%ld hour%s before the start: %s", hours,
			 hours == 1 ? "" : "s", plan.late ? "late" : "in time");
	snprintf(body, sizeof body,
		 "Cancel %s (%s).\nBy the booking policy (%s): refund %s, keep %s.%s%s%s%s",
		 what, when, policy_rule_name(plan.rule), refund, kept, lines,
		 plan.fee_due > 0 ? "\nLate-cancellation fee still due: " : "",
		 plan.fee_due > 0 ? fee : "", plan.fee_due > 0 ? " (not charged here)" : "");
	ui_dialog_open(ui, &(struct ui_dialog_spec){
				   .title = plan.refund > 0 ? "Refund by the policy and cancel?"
							    : "Cancel and keep by the policy?",
				   .body = body, .money = true,
				   .amount = plan.refund > 0 ? plan.refund : plan.kept,
				   .currency = c->currency,
				   .confirm_label = plan.refund > 0 ? "refund" : "keep it",
				   .on_confirm = plan.refund > 0 ? confirmed_refund : confirmed_close,
				   .other_key = 'd', .other_label = "decide otherwise",
				   .on_other = policy_otherwise, .on_cancel = not_closed, .ctx = c,
				   .free_ctx = free});
	return true;
}

void appt_close_ask(struct appt_screen *st, enum appt_state to)
{
	const struct appointment *a = appt_selected(st);
	if (!a)
		return;
	struct ui *ui = st->ui;
	struct pd_error err = {0};
	if (booking_check_state(a, to, (int64_t)time(NULL), &err) != PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	int64_t due = 0, paid = 0, refunded = 0;
	if (payments_due(ui->app->db, a->id, &due, &paid, &refunded, &err) != PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	if (to == APPT_CANCELLED && paid - refunded > 0 && ask_by_policy(st, a))
		return;
	if (to != APPT_COMPLETED && paid - refunded > 0)
		open_money(st, a, to, paid - refunded);
	else
		ask_plain(st, a, to, due, paid - refunded);
}

/* ---- after the refund ------------------------------------------------------------ */

static void not_closed(struct ui *ui, void *ctx)
{
	struct closing *c = ctx;
	ui_notify(ui, UI_NOTICE_INFO, "not %s: nothing changed",
		  c->to == APPT_CANCELLED ? "cancelled" : "marked no-show");
}

static void refund_failed(struct appt_screen *st, const struct appt_followup *f,
			  const char *why)
{
	struct ui *ui = st->ui;
	struct appointment a;
	struct pd_error err = {0};
	int64_t due = 0, paid = 0, refunded = 0;
	if (appointments_get(ui->app->db, f->id, &a, &err) != PD_OK ||
	    payments_due(ui->app->db, f->id, &due, &paid, &refunded, &err) != PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "the refund was not made: %s", why);
		return;
	}
	struct closing *c = closing_new(st, a.id, a.version, f->to, a.currency);
	appointment_free(&a);
	if (!c)
		return;
	c->kept = paid - refunded;
	char body[700], kept[64];
	money_format(c->kept, c->currency, kept, sizeof kept);
	snprintf(body, sizeof body, "%s\n%s it anyway and keep %s?", why,
		 f->to == APPT_CANCELLED ? "Cancel" : "Mark no-show for", kept);
	ui_dialog_open(ui, &(struct ui_dialog_spec){
				   .title = "The refund was not made", .body = body, .money = true,
				   .amount = c->kept, .currency = c->currency,
				   .confirm_label = f->to == APPT_CANCELLED ? "cancel, keep it"
									    : "no-show, keep it",
				   .on_confirm = confirmed_close, .on_cancel = not_closed, .ctx = c,
				   .free_ctx = free});
	ui_notify(ui, UI_NOTICE_ERROR, "%s", why);
}

/* ---- a refund whose outcome is not known --------------------------------------- */

/* y on "Refund outcome not known yet": re-check now. */
static void recheck_now(struct ui *ui, void *ctx)
{
	struct closing *c = ctx;
	struct appointment a;
	if (appointments_get(ui->app->db, c->id, &a, NULL) == PD_OK) {
		appt_close_recheck(c->st, &a);
		appointment_free(&a);
	}
	free(c);
}

static void recheck_later(struct ui *ui, void *ctx)
{
	struct closing *c = ctx;
	ui_notify(ui, UI_NOTICE_INFO,
		  "not %s yet: Y on the agenda re-checks the refund, then finishes it",
		  c->to == APPT_CANCELLED ? "cancelled" : "marked no-show");
}

/* Stripe gave no clear answer about the refund: it may have been made, so
 * neither "refund again" nor "close anyway, keep it" is offered. The close
 * waits for a re-check (y now, or Y on the agenda later), which finishes it
 * once the refund is found made. The dialog says what is left. */
static void refund_unknown(struct appt_screen *st, const struct appt_followup *f)
{
	struct ui *ui = st->ui;
	struct appt_followup *w = follow_slot(st);
	*w = *f;
	w->job = 0;
	w->waiting = true;
	w->recheck = false;
	/* (a failed job's own words are said whole by the drain; M keeps them) */
	struct appointment a;
	if (appointments_get(ui->app->db, f->id, &a, NULL) != PD_OK)
		return;
	struct closing *c = closing_new(st, a.id, a.version, f->to, a.currency);
	char what[200], card[64], desk[64], kept[64], left[400] = "", body[1400];
	appt_short_name(&a, what, sizeof what);
	appointment_free(&a);
	if (!c)
		return;
	money_format(f->stripe_refund, f->currency, card, sizeof card);
	bool cancel = f->to == APPT_CANCELLED;
	if (f->desk_refund > 0)
		snprintf(left, sizeof left, "; %s is still to hand back %s",
			 money_format(f->desk_refund, f->currency, desk, sizeof desk),
			 desk_way(ui->app->db, f->id));
	if (f->kept > 0) {
		size_t n = strlen(left);
		snprintf(left + n, sizeof left - n, "%s%s stays paid (kept)", n ? ", and " : "; ",
			 money_format(f->kept, f->currency, kept, sizeof kept));
	}
	snprintf(body, sizeof body,
		 "Stripe gave no clear answer about the refund of %s to the card: it may have "
		 "been made, so do not refund again (nothing is refunded twice).\n"
		 "%s is not %s yet%s.\n"
		 "y re-checks at Stripe now; later, Y on the agenda does. Once the refund is "
		 "found made, the %s finishes by itself%s.",
		 card, what, cancel ? "cancelled" : "marked no-show", left, verb(f->to),
		 f->desk_refund > 0 ? " (the money paid at the desk goes back there)" : "");
	ui_dialog_open(ui, &(struct ui_dialog_spec){
				   .title = "Refund outcome not known yet", .body = body,
				   .money = true, .amount = f->stripe_refund, .currency = c->currency,
				   .confirm_label = "re-check now", .cancel_label = "later (Y)",
				   .on_confirm = recheck_now,
				   .on_cancel = recheck_later, .ctx = c, .free_ctx = free});
}

bool appt_close_recheck(struct appt_screen *st, const struct appointment *a)
{
	struct appt_followup *f = NULL;
	for (int i = 0; i < APPT_FOLLOWUPS && !f; i++)
		if (st->follow[i].waiting && st->follow[i].id == a->id)
			f = &st->follow[i];
	if (!f)
		return false;
	struct pay_job_request req = {.op = PAY_OP_RECHECK, .id = a->id};
	uint64_t job = pay_panel_submit(st->ui, &req);
	if (!job)
		return true; /* said why; still waiting */
	f->job = job;
	f->waiting = false;
	f->recheck = true;
	ui_notify(st->ui, UI_NOTICE_INFO, "re-checking the refund at Stripe… (%s follows)",
		  verb(f->to));
	return true;
}

bool appt_close_job_done(struct appt_screen *st, const struct jobs_completion *c)
{
	struct appt_followup *f = NULL;
	for (int i = 0; i < APPT_FOLLOWUPS && !f; i++)
		if (st->follow[i].job && st->follow[i].job == c->id)
			f = &st->follow[i];
	if (!f)
		return false;
	struct appt_followup done = *f;
	f->job = 0;
	struct ui *ui = st->ui;
	appt_load(st);
	if (!done.after_refund) { /* PAY_OP_CANCEL finished */
		struct pd_error err = {0};
		if (c->status != JOBS_DONE)
			ui_notify(ui, UI_NOTICE_ERROR, "%s", c->result);
		else if (done.kept > 0 && booking_money_kept(ui->app->db, &ui->app->session, done.id,
							     done.kept, done.currency, &err))
			ui_notify(ui, UI_NOTICE_ERROR, "cancelled, but the money kept is not in the "
						       "audit log: %s", err.msg);
		else
			say_done(st, NULL, done.to, done.kept, done.currency);
		return true;
	}
	/* A refund (or its re-check) that did not say it was made: still not
	 * known, refused — or, re-checked, found made after all. */
	if (c->status != JOBS_DONE || done.recheck) {
		int64_t paid = 0, refunded = 0;
		payrows_totals(ui->app->db, done.id, &paid, &refunded, NULL);
		if (pay_precheck_refund_unresolved(ui->app->db, done.id)) {
			refund_unknown(st, &done);
			return true;
		}
		if (!done.recheck || refunded - done.refunded_before < done.stripe_refund) {
			refund_failed(st, &done, c->result);
			return true;
		}
	}
	struct appointment a;
	struct pd_error err = {0};
	if (appointments_get(ui->app->db, done.id, &a, &err) != PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
		return true;
	}
	/* The refund moved the version on; the desk's choice stands. */
	if (done.desk_refund > 0) /* then the cash part, at the desk */
		hand_back_then_close(st, a.id, done.to, done.kept, done.desk_refund, done.currency,
				     c->result);
	else
		close_now(st, a.id, a.version, done.to, done.kept, done.currency, c->result);
	appointment_free(&a);
	return true;
}

/* ---- undo ----------------------------------------------------------------------- */

void appt_close_undo(struct appt_screen *st)
{
	const struct appointment *a = appt_selected(st);
	if (!a)
		return;
	struct ui *ui = st->ui;
	struct pd_error err = {0};
	enum appt_state was = a->state, now = a->state;
	/* A fee already charged for the no-show / late cancel is not left
	 * behind silently: its refund is offered once the undo is made. */
	struct appt_fee fee;
	bool has_fee = fees_live_for(ui->app->db, a->id, &fee, NULL) == PD_OK;
	int64_t charged = has_fee && fee.state == FEE_CHARGED && fee.refunded < fee.amount
				  ? fee.id
				  : 0;
	/* Its charge sent from the fees queue may land charged: wait for it (the
	 * store says so once the worker has begun; this covers the moment before). */
	int busy = has_fee ? fees_view_busy(st->fees, fee.id) : -1;
	if (busy == FEES_JOB_LINK || busy == FEES_JOB_EXPIRE) { /* the link's fate is not known */
		ui_notify(ui, UI_NOTICE_ERROR,
			  "not undone: the %s fee's pay link is being %s: F shows the answer",
			  fee_kind_label(fee.kind), busy == FEES_JOB_LINK ? "made" : "expired");
		return;
	}
	if (busy == FEES_JOB_CHARGE) {
		ui_notify(ui, UI_NOTICE_ERROR,
			  "not undone: the %s fee's charge is under way: F shows its answer, then "
			  "U offers its refund",
			  fee_kind_label(fee.kind));
		return;
	}
	if (booking_undo_state(ui->app->db, &ui->app->session, a->id, a->version, &now, &err) !=
	    PD_OK) {
		ui_notify(ui, UI_NOTICE_ERROR, "%s", err.msg);
	} else {
		ui_notify(ui, UI_NOTICE_INFO, "undone: %s again (was %s)", appt_state_label(now),
			  appt_state_label(was));
		if (charged)
			fees_view_offer_refund(st->fees, charged);
	}
	appt_load(st);
}
