/* The fees queue view: see fees_view.h. */
#include "fees_view.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/fees.h"
#include "paydesk/fees_job.h"
#include "paydesk/money.h"
#include "paydesk/refund_fee.h"
#include "paydesk/stripe_key.h"
#include "paydesk/textedit.h"
#include "widgets.h"

enum fees_prompt { FP_NONE, FP_AMOUNT, FP_AMOUNT_REASON, FP_WAIVE };

#define FEES_JOBS 4

struct fees_view {
	struct ui *ui;
	bool open;
	bool all; /* A: every fee (charged ones too, to refund), newest first */
	struct appt_fee *rows;
	size_t n;
	struct ui_list list;
	enum fees_prompt prompt;
	struct textedit text;
	int64_t prompt_fee, new_amount;
	char prompt_error[520];
	/* Stripe steps on workers: which fee each works on, so its row says
	 * "charging…" and a second c or R waits for the answer. */
	struct {
		uint64_t job;
		int64_t fee;
		enum fees_job_op op;
	} jobs[FEES_JOBS];
	/* The last answer of a job on fee said_fee, in full: the status line
	 * cuts it at 80 columns ("… Stripe keeps its fee of 0.88 USD …"). */
	int64_t said_fee;
	char said[512];
};

struct fees_view *fees_view_new(struct ui *ui)
{
	struct fees_view *v = calloc(1, sizeof *v);
	if (v)
		v->ui = ui;
	return v;
}

static void prompt_close(struct fees_view *v)
{
	v->prompt = FP_NONE;
	v->prompt_error[0] = '\0';
	textedit_free(&v->text);
}

void fees_view_free(struct fees_view **v)
{
	if (!*v)
		return;
	prompt_close(*v);
	free((*v)->rows);
	free(*v);
	*v = NULL;
}

void fees_view_reload(struct fees_view *v)
{
	if (!v->open)
		return;
	int64_t keep = v->list.sel >= 0 && (size_t)v->list.sel < v->n ? v->rows[v->list.sel].id : 0;
	free(v->rows);
	v->rows = NULL;
	v->n = 0;
	struct appt_fee *list = NULL;
	if (fees_list(v->ui->app->db, v->all, &list, &v->n, NULL) == PD_OK)
		v->rows = list;
	ui_list_set_count(&v->list, (long)v->n);
	for (size_t i = 0; i < v->n; i++)
		if (v->rows[i].id == keep)
			v->list.sel = (long)i;
}

void fees_view_open(struct fees_view *v)
{
	v->open = true;
	v->all = false;
	v->list = (struct ui_list){.sel = -1};
	fees_view_reload(v);
}

bool fees_view_active(const struct fees_view *v)
{
	return v && v->open;
}

bool fees_view_editing(const struct fees_view *v)
{
	return v && v->open && v->prompt != FP_NONE;
}

static const struct appt_fee *selected(const struct fees_view *v)
{
	return v->list.sel >= 0 && (size_t)v->list.sel < v->n ? &v->rows[v->list.sel] : NULL;
}

int fees_view_busy(const struct fees_view *v, int64_t fee_id)
{
	for (int i = 0; v && i < FEES_JOBS; i++)
		if (v->jobs[i].job && v->jobs[i].fee == fee_id)
			return (int)v->jobs[i].op;
	return -1;
}

static const char *busy_label(int op)
{
	return op == FEES_JOB_CHARGE   ? "charging\u2026"
	       : op == FEES_JOB_REFUND ? "refunding\u2026"
	       : op == FEES_JOB_EXPIRE ? "expiring\u2026"
				       : "linking\u2026";
}

/* Said when a key would start a second step on a fee whose first one waits
 * for Stripe: true then. */
static bool refuse_busy(struct fees_view *v, int64_t fee_id)
{
	int op = fees_view_busy(v, fee_id);
	if (op < 0)
		return false;
	ui_notify(v->ui, UI_NOTICE_ERROR, "%s",
		  op == FEES_JOB_CHARGE
		      ? "this fee's charge is under way: Stripe's answer shows here (nothing to do)"
		  : op == FEES_JOB_REFUND
		      ? "this fee's refund is under way: Stripe's answer shows here (nothing to do)"
		  : op == FEES_JOB_EXPIRE
		      ? "this fee's pay link is being expired: Stripe's answer shows here"
		      : "a pay link for this fee is being made: it shows here");
	return true;
}

static void submit(struct fees_view *v, enum fees_job_op op, int64_t id)
{
	struct ui *ui = v->ui;
	if (refuse_busy(v, id))
		return;
	if (!ui->app->jobs) {
		ui_notify(ui, UI_NOTICE_ERROR, "offline: fees need the workers");
		return;
	}
	if (!stripe_key_unlocked(ui->app)) {
		ui_notify(ui, UI_NOTICE_ERROR,
			  "Stripe is locked: unlock it with the admin passphrase (Setup) first");
		return;
	}
	uint64_t job = fees_job_submit(ui->app->jobs, op, id, &ui->app->session);
	if (!job) {
		ui_notify(ui, UI_NOTICE_ERROR, "the fee could not be sent: try again");
		return;
	}
	for (int i = 0; i < FEES_JOBS; i++)
		if (!v->jobs[i].job) {
			v->jobs[i].job = job;
			v->jobs[i].fee = id;
			v->jobs[i].op = op;
			break;
		}
	ui_notify(ui, UI_NOTICE_INFO, op == FEES_JOB_CHARGE   ? "charging the fee at Stripe…"
				      : op == FEES_JOB_REFUND ? "refunding the fee at Stripe…"
							      : "making a pay link for the fee…");
}

struct charge_ctx {
	struct fees_view *v;
	int64_t id;
};

static void charge_confirmed(struct ui *ui, void *ctx)
{
	struct charge_ctx *c = ctx;
	(void)ui;
	submit(c->v, FEES_JOB_CHARGE, c->id);
}

static void ask_charge(struct fees_view *v, const struct appt_fee *f)
{
	struct charge_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return;
	c->v = v;
	c->id = f->id;
	char ago[48], body[1100], card[64];
	fee_visit_ago(f->visit_at, (int64_t)time(NULL), ago, sizeof ago);
	fees_card(v->ui->app->db, f, card, sizeof card);
	bool recheck = f->state == FEE_CHARGING;
	if (recheck)
		snprintf(body, sizeof body,
			 "%s · %s · %s\n%s fee: its charge has no known outcome.\nIts same call "
			 "is sent again (Stripe answers it once): never charged twice.",
			 f->client, f->service, ago,
			 f->kind == FEE_NO_SHOW ? "No-show" : "Late-cancellation");
	else
		snprintf(body, sizeof body,
			 "%s · %s · %s\n%s fee, charged now on %s\n(saved card, off-session, once; "
			 "a decline offers a pay link).",
			 f->client, f->service, ago,
			 f->kind == FEE_NO_SHOW ? "No-show" : "Late-cancellation",
			 card[0] ? card : "the client's saved card");
	struct ui_dialog_spec spec = {.title = recheck ? "Re-check the charge?" : "Charge the fee?",
				      .body = body, .money = true,
				      .amount = f->amount, .currency = f->currency,
				      .confirm_label = "charge", .on_confirm = charge_confirmed,
				      .free_ctx = free};
	spec.ctx = c;
	ui_dialog_open(v->ui, &spec);
}

static void refund_confirmed(struct ui *ui, void *ctx)
{
	struct charge_ctx *c = ctx;
	(void)ui;
	submit(c->v, FEES_JOB_REFUND, c->id);
}

static void refund_kept(struct ui *ui, void *ctx)
{
	(void)ctx;
	ui_notify(ui, UI_NOTICE_INFO,
		  "the charged fee stays: F then A lists every fee, R refunds it later");
}

/* Ask before refunding what is left of fee id; undone: its no-show or
 * late cancellation was just undone (said, and keeping it is said too). */
static void ask_refund(struct fees_view *v, int64_t id, bool undone)
{
	struct appt_fee f;
	int64_t left = 0;
	struct pd_error err = {0};
	if (fees_refundable(v->ui->app->db, id, &f, &left, &err) != PD_OK) {
		if (!undone)
			ui_notify(v->ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	struct charge_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return;
	c->v = v;
	c->id = f.id;
	char ago[48], body[1600], money[64], card[64], kept[160];
	fee_visit_ago(f.visit_at, (int64_t)time(NULL), ago, sizeof ago);
	money_format(f.amount, f.currency, money, sizeof money);
	fees_card(v->ui->app->db, &f, card, sizeof card);
	refund_fee_text(refund_fee_stored(v->ui->app->db, f.payment_intent_id, NULL, 0),
			f.currency, false, kept, sizeof kept);
	snprintf(body, sizeof body,
		 "%s · %s · %s\n%s%s fee of %s was charged (by %s).\nRefunded to %s, once.%s%s%s",
		 f.client, f.service, ago, undone ? "Undone, but its " : "The ",
		 fee_kind_label(f.kind), money, f.charged_by[0] ? f.charged_by : f.updated_by,
		 card[0] ? card : "the client's card", undone ? " n keeps it." : "",
		 kept[0] ? "\n" : "", kept);
	struct ui_dialog_spec spec = {.title = "Refund the fee?", .body = body, .money = true,
				      .amount = left, .currency = f.currency,
				      .confirm_label = "refund", .on_confirm = refund_confirmed,
				      .on_cancel = undone ? refund_kept : NULL, .free_ctx = free};
	spec.ctx = c;
	ui_dialog_open(v->ui, &spec);
}

void fees_view_offer_refund(struct fees_view *v, int64_t fee_id)
{
	if (refuse_busy(v, fee_id))
		return;
	ask_refund(v, fee_id, true);
}

static void prompt_open(struct fees_view *v, enum fees_prompt which, int64_t fee)
{
	prompt_close(v);
	v->prompt = which;
	v->prompt_fee = fee;
	textedit_init(&v->text, 200, false);
}

/* Enter on a prompt. */
static void prompt_submit(struct fees_view *v)
{
	struct ui *ui = v->ui;
	const char *text = v->text.text ? v->text.text : "";
	struct pd_error err = {0};
	struct appt_fee f;
	if (fees_get(ui->app->db, v->prompt_fee, &f, &err) != PD_OK) {
		snprintf(v->prompt_error, sizeof v->prompt_error, "%s", err.msg);
		return;
	}
	if (v->prompt == FP_AMOUNT) {
		int64_t amount = 0;
		if (money_parse(text, f.currency, &amount, &err) != PD_OK) {
			snprintf(v->prompt_error, sizeof v->prompt_error, "%s", err.msg);
			return;
		}
		int64_t fee = v->prompt_fee;
		prompt_open(v, FP_AMOUNT_REASON, fee);
		v->new_amount = amount;
		return;
	}
	int rc = v->prompt == FP_WAIVE
			 ? fees_waive(ui->app->db, &ui->app->session, f.id, text, &err)
			 : fees_set_amount(ui->app->db, &ui->app->session, f.id, v->new_amount, text,
					   &err);
	if (rc) {
		snprintf(v->prompt_error, sizeof v->prompt_error, "%s", err.msg);
		return;
	}
	char money[64];
	if (v->prompt == FP_WAIVE)
		ui_notify(ui, UI_NOTICE_INFO, "fee waived (%s): nothing is charged", text);
	else
		ui_notify(ui, UI_NOTICE_INFO, "the fee is now %s",
			  money_format(v->new_amount, f.currency, money, sizeof money));
	prompt_close(v);
	fees_view_reload(v);
}

static enum ui_result prompt_key(struct fees_view *v, int k)
{
	struct textedit *t = &v->text;
	if (k == UI_CTRL('c'))
		return UI_UNHANDLED;
	if (k != UI_KEY_ENTER)
		v->prompt_error[0] = '\0';
	if (k == UI_KEY_ESC)
		prompt_close(v);
	else if (k == UI_KEY_ENTER)
		prompt_submit(v);
	else
		ui_textedit_key(t, k);
	return UI_HANDLED;
}

/* A pay link the client can still pay: no undo or waive while it is open. */
static bool link_open(const struct appt_fee *f)
{
	return f->checkout_session_id[0] && fee_state_open(f->state) && f->state != FEE_CHARGING;
}

enum ui_result fees_view_key(struct fees_view *v, int k)
{
	if (v->prompt != FP_NONE)
		return prompt_key(v, k);
	const struct appt_fee *f = selected(v);
	switch (k) {
	case UI_KEY_ESC:
	case 'q':
	case 'F':
		v->open = false;
		return UI_RELOAD;
	case 'j':
	case UI_KEY_FN(KEY_DOWN):
		return ui_list_act(&v->list, UI_ACT_DOWN);
	case 'k':
	case UI_KEY_FN(KEY_UP):
		return ui_list_act(&v->list, UI_ACT_UP);
	case 'g':
		return ui_list_act(&v->list, UI_ACT_TOP);
	case 'G':
		return ui_list_act(&v->list, UI_ACT_BOTTOM);
	case 'A':
		v->all = !v->all;
		v->list = (struct ui_list){.sel = -1};
		fees_view_reload(v);
		return UI_HANDLED;
	case 'c':
	case 'a':
	case 'w':
	case 'l':
	case 'x':
	case 'R':
		break;
	default:
		return UI_UNHANDLED; /* the global keys (?, tabs, quit) still work */
	}
	if (!f) {
		ui_notify(v->ui, UI_NOTICE_INFO, "no fee is waiting");
		return UI_HANDLED;
	}
	if (refuse_busy(v, f->id))
		return UI_HANDLED;
	if (k == 'R')
		ask_refund(v, f->id, false);
	else if (k == 'c')
		ask_charge(v, f);
	else if (k == 'l')
		submit(v, FEES_JOB_LINK, f->id);
	else if (k == 'x' && !link_open(f))
		ui_notify(v->ui, UI_NOTICE_INFO, "this fee has no open pay link: nothing to expire");
	else if (k == 'x') /* Stripe: on a worker, its answer shows here */
		submit(v, FEES_JOB_EXPIRE, f->id);
	else if (k == 'w' && link_open(f)) /* the client could still pay it: close it first */
		ui_notify(v->ui, UI_NOTICE_ERROR,
			  "not waived: its pay link is open: x expires it first, then waive");
	else
		prompt_open(v, k == 'a' ? FP_AMOUNT : FP_WAIVE, f->id);
	return UI_HANDLED;
}

bool fees_view_job_done(struct fees_view *v, const struct jobs_completion *c)
{
	for (int i = 0; i < FEES_JOBS; i++) {
		if (v->jobs[i].job != c->id)
			continue;
		v->jobs[i].job = 0;
		v->said_fee = v->jobs[i].fee;
		snprintf(v->said, sizeof v->said, "%s", c->result);
		ui_notify(v->ui, c->status == JOBS_DONE ? UI_NOTICE_INFO : UI_NOTICE_ERROR, "%s",
			  c->result);
		fees_view_reload(v);
		return true;
	}
	return false;
}

/* Columns: visit, client, service, kind, amount, state. */
struct cols {
	int visit, client, service, kind, amount, state;
};

static struct cols layout(int w)
{
	struct cols c = {.visit = 18, .kind = 12, .amount = 13, .state = 13};
	int rest = w - c.visit - c.kind - c.amount - c.state;
	if (rest < 10)
		rest = 10;
	c.client = rest * 55 / 100;
	c.service = rest - c.client;
	return c;
}

static void draw_row(void *ctx, long i, struct ui_rect r, bool sel)
{
	struct fees_view *v = ctx;
	const struct appt_fee *f = &v->rows[i];
	struct cols c = layout(r.w);
	enum theme_role role = sel ? ROLE_SELECTION
			       : f->state == FEE_PROPOSED ? ROLE_NORMAL
							  : ROLE_WARNING;
	char buf[64];
	int x = r.x;
	const char *state = fee_state_label(f->state);
	if (f->state == FEE_CHARGED && f->refunded > 0)
		state = f->refunded >= f->amount ? "refunded" : "part refunded";
	if (fees_view_busy(v, f->id) >= 0)
		state = busy_label(fees_view_busy(v, f->id));
	ui_fill(r, role);
	ui_put(r.y, x, c.visit - 1, role, fee_visit_ago(f->visit_at, (int64_t)time(NULL), buf,
							 sizeof buf), true);
	x += c.visit;
	ui_put(r.y, x, c.client - 1, role, f->client, true);
	x += c.client;
	ui_put(r.y, x, c.service - 1, role, f->service, true);
	x += c.service;
	ui_put(r.y, x, c.kind - 1, role, fee_kind_label(f->kind), true);
	x += c.kind;
	ui_put(r.y, x, c.amount - 1, role, money_format(f->amount, f->currency, buf, sizeof buf),
	       true);
	x += c.amount;
	ui_put(r.y, x, c.state, role, state, true);
}

static void draw_prompt(struct fees_view *v, struct ui_rect r)
{
	const char *label = v->prompt == FP_AMOUNT	      ? "New amount: "
			    : v->prompt == FP_AMOUNT_REASON ? "Why this amount? "
							    : "Waive the fee, why? ";
	ui_fill(r, ROLE_NORMAL);
	int x = r.x + ui_put(r.y, r.x, r.w, ROLE_HELP_KEY, label, false);
	ui_prompt_draw(&v->text, ROLE_NORMAL,
		       v->prompt_error[0] ? v->prompt_error : "Enter: done  Esc: back",
		       v->prompt_error[0] ? ROLE_ERROR : ROLE_DIM, r.y, x, r.x + r.w - x);
}

void fees_view_draw(struct fees_view *v, struct ui_rect a)
{
	char head[120];
	if (v->all)
		snprintf(head, sizeof head, "Fees · every fee (%zu)", v->n);
	else
		snprintf(head, sizeof head, "Fees queue · %zu waiting", v->n);
	int x = a.x + 1;
	x += ui_put(a.y, x, a.w - 2, ROLE_TITLE, head, false);
	ui_put(a.y, x, a.x + a.w - x - 1, ROLE_DIM, " · no-shows and late cancellations", false);
	struct ui_rect rows = {a.y + 2, a.x + 1, a.h - 6, a.w - 2};
	struct cols c = layout(rows.w);
	int hx = rows.x;
	ui_put(a.y + 1, hx, c.visit, ROLE_HEADER, "Visit", true);
	hx += c.visit;
	ui_put(a.y + 1, hx, c.client, ROLE_HEADER, "Client", true);
	hx += c.client;
	ui_put(a.y + 1, hx, c.service, ROLE_HEADER, "Service", true);
	hx += c.service;
	ui_put(a.y + 1, hx, c.kind, ROLE_HEADER, "Fee", true);
	hx += c.kind;
	ui_put(a.y + 1, hx, c.amount, ROLE_HEADER, "Amount", true);
	hx += c.amount;
	ui_put(a.y + 1, hx, c.state, ROLE_HEADER, "State", true);
	if (v->n == 0)
		ui_put(rows.y + 1, rows.x + 1, rows.w - 2, ROLE_DIM,
		       "No fee is waiting. x (no-show) or a late cancel proposes one.", false);
	ui_list_draw(&v->list, rows, draw_row, v);
	const struct appt_fee *f = selected(v);
	if (f) {
		char line[1200], money[64];
		money_format(f->policy_amount, f->currency, money, sizeof money);
		if (f->id == v->said_fee && v->said[0])
			snprintf(line, sizeof line, "%s", v->said);
		else if (f->pay_link_url[0])
			snprintf(line, sizeof line, "Pay link: %s", f->pay_link_url);
		else if (f->state == FEE_CHARGING && fees_view_busy(v, f->id) < 0)
			snprintf(line, sizeof line, "c re-checks it · %s", f->message);
		else if (f->message[0])
			snprintf(line, sizeof line, "%s", f->message);
		else if (f->amount != f->policy_amount)
			snprintf(line, sizeof line, "policy %s · changed by %s: %s", money,
				 f->updated_by, f->reason);
		else
			snprintf(line, sizeof line, "policy v%lld: %s · proposed by %s",
				 (long long)f->policy_version, money, f->proposed_by);
		/* Two lines when it is longer than one: split after its first sentence. */
		char *rest = strstr(line, ". ");
		if (ui_text_width(line) > a.w - 2 && rest) {
			rest[1] = '\0';
			ui_put(a.y + a.h - 4, a.x + 1, a.w - 2, ROLE_DIM, line, false);
			ui_put(a.y + a.h - 3, a.x + 1, a.w - 2, ROLE_DIM, rest + 2, false);
		} else {
			ui_put(a.y + a.h - 3, a.x + 1, a.w - 2, ROLE_DIM, line, false);
		}
	}
	ui_put(a.y + a.h - 2, a.x + 1, a.w - 2, ROLE_HELP_KEY,
	       "c charge card  a amount  w waive  l link  x expire  R refund  A all  Esc back", false);
	struct ui_rect last = {a.y + a.h - 1, a.x + 1, 1, a.w - 2};
	if (v->prompt != FP_NONE)
		draw_prompt(v, last);
	else
		ui_put(last.y, last.x, last.w, ROLE_DIM,
		       "Staff charge, lower, waive; only admins ask above the policy.", false);
}
