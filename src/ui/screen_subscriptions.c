/* The Subscriptions tab: client subscriptions from the local copy (instant,
 * offline), those needing attention (failed payments, trials ending within
 * three days) first and highlighted; filters by status and plan; subscribe
 * a client, change plan or quantity (after a proration preview), cancel now
 * or at period end, undo, pause / resume — each confirmed, then run on a
 * worker. v switches to the plans (features and limits shown): new, edit,
 * archive. The forms live in subs_forms.c and plan_forms.c. A sync job
 * refreshes both from Stripe when the tab opens and on s. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/jobs.h"
#include "paydesk/money.h"
#include "paydesk/plans.h"
#include "paydesk/subscriptions.h"
#include "paydesk/stripe_key.h"
#include "paydesk/subscriptions_job.h"
#include "subs_forms.h"
#include "widgets.h"

struct subs_state {
	struct ui *ui;
	bool plans_view;
	struct ui_list list;
	struct subscription *subs;
	size_t nsubs;
	struct plan *plans;
	size_t nplans;
	int status_filter; /* -1: open ones; SUBS_N: attention; else subs_statuses[i] */
	int plan_filter;   /* -1: any; else plans[i] */
	char plan_product[64];
	bool billing_on;
	char billing_why[200];
	uint64_t sync_job;
	bool synced_once;
	struct subs_panel *panel;       /* subscribe / change, over the list */
	struct plan_panel *plan_panel;  /* new / edit plan */
};

#define FILTER_ATTENTION 8

static void load(struct subs_state *st)
{
	struct pd_error err = {0};
	sqlite3 *db = st->ui->app->db;
	subs_free_list(&st->subs, st->nsubs);
	plans_free_list(&st->plans, st->nplans);
	st->nsubs = st->nplans = 0;
	st->billing_on = subs_enabled(db, st->billing_why, sizeof st->billing_why);
	int rc = plans_store_list(db, st->plans_view, &st->plans, &st->nplans, &err);
	if (!rc && !st->plans_view) {
		struct subs_filter f = {
			.status = st->status_filter == FILTER_ATTENTION ? "attention"
				  : st->status_filter >= 0	     ? subs_statuses[st->status_filter]
									     : "",
			.product_id = st->plan_product};
		rc = subs_store_list(db, &f, &st->subs, &st->nsubs, &err);
	}
	if (rc)
		ui_notify(st->ui, UI_NOTICE_ERROR, "%s", err.msg);
	ui_list_set_count(&st->list, (long)(st->plans_view ? st->nplans : st->nsubs));
}

static uint64_t submit(struct subs_state *st, const struct subs_job_request *req)
{
	return subs_ui_submit(st->ui, req);
}

static void sync(struct subs_state *st)
{
	if (st->sync_job)
		return;
	struct subs_job_request req = {.op = SUBS_OP_SYNC};
	st->sync_job = submit(st, &req);
}

static void *open_subs(struct ui *ui)
{
	struct subs_state *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->ui = ui;
	st->list.sel = -1;
	st->status_filter = -1;
	st->plan_filter = -1;
	st->panel = subs_panel_new(ui);
	st->plan_panel = plan_panel_new(ui);
	load(st);
	return st;
}

static void close_subs(void *state)
{
	struct subs_state *st = state;
	if (!st)
		return;
	subs_free_list(&st->subs, st->nsubs);
	plans_free_list(&st->plans, st->nplans);
	subs_panel_free(&st->panel);
	plan_panel_free(&st->plan_panel);
	free(st);
}

static void drop(void *state, struct ui *ui)
{
	(void)ui;
	struct subs_state *st = state;
	subs_panel_close(st->panel);
	plan_panel_close(st->plan_panel);
}

static void reload(void *state, struct ui *ui)
{
	(void)ui;
	struct subs_state *st = state;
	load(st);
	subs_panel_reload(st->panel);
}

static void job_done(void *state, struct ui *ui, const struct jobs_completion *c)
{
	struct subs_state *st = state;
	subs_panel_job_done(st->panel, c);
	plan_panel_job_done(st->plan_panel, c);
	if (c->id == st->sync_job) {
		st->sync_job = 0;
		if (c->status == JOBS_FAILED)
			ui_notify(ui, UI_NOTICE_ERROR, "sync: %s", c->result);
	}
	load(st);
}

/* ---- actions ------------------------------------------------------------- */

static const struct subscription *selected(const struct subs_state *st)
{
	if (st->plans_view || st->list.sel < 0 || (size_t)st->list.sel >= st->nsubs)
		return NULL;
	return &st->subs[st->list.sel];
}

struct pending {
	struct subs_state *st;
	struct subs_job_request req;
};

static void confirmed(struct ui *ui, void *ctx)
{
	struct pending *p = ctx; /* a confirmed dialog hands its ctx to the callback */
	if (submit(p->st, &p->req))
		ui_notify(ui, UI_NOTICE_INFO, "sent to Stripe…");
	free(p);
}

/* Every change is refused, with the reason in one line, for staff, and
 * while billing through Stripe is off unless it stops charging (cancel,
 * pause: Stripe would keep charging otherwise). The app layer refuses too. */
static bool may_change_to(struct subs_state *st, bool stops_charging)
{
	load(st); /* the setting may have changed in the Setup tab */
	if (!st->billing_on && !stops_charging) {
		ui_notify(st->ui, UI_NOTICE_ERROR, "%s", st->billing_why);
		return false;
	}
	if (st->ui->app->session.role != ROLE_ADMIN) {
		ui_notify(st->ui, UI_NOTICE_ERROR, "only an admin can manage %s",
			  st->plans_view ? "plans" : "subscriptions");
		return false;
	}
	return true;
}

static bool may_change(struct subs_state *st)
{
	return may_change_to(st, false);
}

static void ask(struct subs_state *st, enum subs_op op, const char *title, const char *verb,
		const char *label)
{
	bool stops = op == SUBS_OP_CANCEL_END || op == SUBS_OP_CANCEL_NOW || op == SUBS_OP_PAUSE;
	if (!selected(st) || !may_change_to(st, stops))
		return;
	const struct subscription *s = selected(st); /* may_change re-read the list */
	if (!s)
		return;
	struct pending *p = calloc(1, sizeof *p);
	if (!p)
		return;
	p->st = st;
	p->req = (struct subs_job_request){.op = op, .id = s->id};
	char body[400];
	snprintf(body, sizeof body, "%s %s's %s (%s)?", verb, s->client_name, s->plan_name,
		 s->stripe_id);
	ui_dialog_open(st->ui, &(struct ui_dialog_spec){
				       .title = title, .body = body, .money = true,
				       .amount = s->amount, .currency = s->currency,
				       .confirm_label = label, .on_confirm = confirmed, .ctx = p,
				       .free_ctx = free});
}

static bool panel_open(const struct subs_state *st)
{
	return subs_panel_active(st->panel) || plan_panel_active(st->plan_panel);
}

/* Preconditions: what each key needs of the tab's state. */
static bool in_list(const void *state, const struct ui *ui)
{
	(void)ui;
	return !panel_open(state);
}

static bool in_subs(const void *state, const struct ui *ui)
{
	const struct subs_state *st = state;
	return in_list(st, ui) && !st->plans_view;
}

static bool in_plans(const void *state, const struct ui *ui)
{
	const struct subs_state *st = state;
	return in_list(st, ui) && st->plans_view;
}

/* Changes stay offered while billing is off: the key then says why not.
 * Preconditions are with the functions (subs_functions). */
static const struct ui_binding subs_keys[] = {
	{'v', UI_ACT_VIEW, "switch: subscriptions / plans", NULL},
	{'s', UI_ACT_SYNC, "sync plans and subscriptions from Stripe", NULL},
	{'n', UI_ACT_NEW, "subscribe a client; in plans: a new plan", NULL},
	{'e', UI_ACT_EDIT, "change plan or quantity; in plans: edit the plan", NULL},
	{'a', UI_ACT_ARCHIVE, "archive / restore the plan", NULL},
	{'f', UI_ACT_FILTER, "filter by status (cycles; ! first: needs attention)", NULL},
	{'F', UI_ACT_SORT, "filter by plan (cycles)", NULL},
	{'c', UI_ACT_CLEAR, "clear the filters", NULL},
	{'x', UI_ACT_CANCEL, "cancel at the end of the paid period", NULL},
	{'X', UI_ACT_DELETE, "cancel now", NULL},
	{'u', UI_ACT_UNDO, "undo a scheduled cancel", NULL},
	{'p', UI_ACT_PAUSE, "pause / resume collection", NULL},
};

static const struct plan *selected_plan(const struct subs_state *st)
{
	if (!st->plans_view || st->list.sel < 0 || (size_t)st->list.sel >= st->nplans)
		return NULL;
	return &st->plans[st->list.sel];
}

/* ---- actions: one small function each ------------------------------------ */

static enum ui_result do_new(void *state, struct ui *ui)
{
	struct subs_state *st = state;
	(void)ui;
	if (!may_change(st))
		return UI_HANDLED;
	if (st->plans_view)
		plan_panel_create(st->plan_panel);
	else
		subs_panel_subscribe(st->panel);
	return UI_HANDLED;
}

static enum ui_result do_edit(void *state, struct ui *ui)
{
	struct subs_state *st = state;
	if (!(st->plans_view ? (const void *)selected_plan(st) : (const void *)selected(st))) {
		ui_notify(ui, UI_NOTICE_ERROR, "select a %s first",
			  st->plans_view ? "plan" : "subscription");
		return UI_HANDLED;
	}
	if (!may_change(st))
		return UI_HANDLED;
	/* may_change re-read the lists: select again */
	const struct subscription *s = selected(st);
	const struct plan *pl = selected_plan(st);
	if (pl)
		plan_panel_edit(st->plan_panel, pl);
	else if (s)
		subs_panel_change(st->panel, s);
	return UI_HANDLED;
}

static enum ui_result do_archive(void *state, struct ui *ui)
{
	struct subs_state *st = state;
	(void)ui;
	if (!selected_plan(st) || !may_change(st))
		return UI_HANDLED;
	const struct plan *pl = selected_plan(st); /* re-read by may_change */
	if (pl)
		plan_panel_archive(st->plan_panel, pl);
	return UI_HANDLED;
}

static enum ui_result do_view(void *state, struct ui *ui)
{
	struct subs_state *st = state;
	(void)ui;
	st->plans_view = !st->plans_view;
	st->list = (struct ui_list){.sel = -1};
	load(st);
	return UI_HANDLED;
}

static enum ui_result do_sync(void *state, struct ui *ui)
{
	struct subs_state *st = state;
	if (st->sync_job) {
		ui_notify(ui, UI_NOTICE_INFO, "already syncing…");
		return UI_HANDLED;
	}
	if (!stripe_key_unlocked(ui->app))
		ui_notify(ui, UI_NOTICE_ERROR,
			  "Stripe is locked: unlock it with the admin passphrase first");
	sync(st);
	if (st->sync_job)
		ui_notify(ui, UI_NOTICE_INFO, "syncing from Stripe…");
	return UI_HANDLED;
}

/* Status filter: open ones → needs attention → each status → open ones. */
static enum ui_result do_status_filter(void *state, struct ui *ui)
{
	struct subs_state *st = state;
	(void)ui;
	st->status_filter = st->status_filter == -1		  ? FILTER_ATTENTION
			    : st->status_filter == FILTER_ATTENTION ? 0
			    : st->status_filter + 1 < FILTER_ATTENTION ? st->status_filter + 1
									 : -1;
	load(st);
	return UI_HANDLED;
}

static enum ui_result do_plan_filter(void *state, struct ui *ui)
{
	struct subs_state *st = state;
	struct plan *all = NULL;
	size_t n = 0;
	plans_store_list(ui->app->db, true, &all, &n, NULL);
	st->plan_filter = st->plan_filter + 1 < (int)n ? st->plan_filter + 1 : -1;
	snprintf(st->plan_product, sizeof st->plan_product, "%s",
		 st->plan_filter >= 0 ? all[st->plan_filter].product_id : "");
	plans_free_list(&all, n);
	load(st);
	return UI_HANDLED;
}

static enum ui_result do_clear(void *state, struct ui *ui)
{
	struct subs_state *st = state;
	(void)ui;
	st->status_filter = st->plan_filter = -1;
	st->plan_product[0] = '\0';
	load(st);
	return UI_HANDLED;
}

static enum ui_result do_cancel_at_end(void *state, struct ui *ui)
{
	(void)ui;
	ask(state, SUBS_OP_CANCEL_END, "Cancel at period end?", "Cancel at period end",
	    "cancel at period end");
	return UI_HANDLED;
}

static enum ui_result do_cancel_now(void *state, struct ui *ui)
{
	(void)ui;
	ask(state, SUBS_OP_CANCEL_NOW, "Cancel now?", "Cancel now (no more invoices)",
	    "cancel now");
	return UI_HANDLED;
}

static enum ui_result do_undo(void *state, struct ui *ui)
{
	struct subs_state *st = state;
	const struct subscription *s = selected(st);
	if (s && !s->cancel_at_period_end && !s->cancel_at) {
		ui_notify(ui, UI_NOTICE_ERROR, "no cancel is scheduled");
		return UI_HANDLED;
	}
	ask(st, SUBS_OP_UNDO, "Undo the cancel?", "Keep billing", "keep billing");
	return UI_HANDLED;
}

static enum ui_result do_pause(void *state, struct ui *ui)
{
	struct subs_state *st = state;
	const struct subscription *s = selected(st);
	(void)ui;
	if (s && (s->paused || !strcmp(s->status, "paused")))
		ask(st, SUBS_OP_RESUME, "Resume collection?", "Resume collecting", "resume");
	else
		ask(st, SUBS_OP_PAUSE, "Pause collection?",
		    "Pause collecting (invoices voided while paused) for", "pause");
	return UI_HANDLED;
}

UI_LIST_MOVE_FUNCTIONS(list_move, struct subs_state, list)

static const struct ui_function subs_functions[] = {
	{UI_ACT_VIEW, do_view, in_list},
	{UI_ACT_SYNC, do_sync, in_list},
	{UI_ACT_NEW, do_new, in_list},
	{UI_ACT_EDIT, do_edit, in_list},
	{UI_ACT_ARCHIVE, do_archive, in_plans},
	{UI_ACT_FILTER, do_status_filter, in_subs},
	{UI_ACT_SORT, do_plan_filter, in_subs},
	{UI_ACT_CLEAR, do_clear, in_subs},
	{UI_ACT_CANCEL, do_cancel_at_end, in_subs},
	{UI_ACT_DELETE, do_cancel_now, in_subs},
	{UI_ACT_UNDO, do_undo, in_subs},
	{UI_ACT_PAUSE, do_pause, in_subs},
	UI_LIST_MOVE_ENTRIES(list_move, in_list),
};

/* ---- drawing ------------------------------------------------------------- */

static void day(int64_t t, char *out, size_t len)
{
	if (!t) {
		snprintf(out, len, "—");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%d", &tm);
}

/* Column layout for width w: client, plan, status, amount, next, trial. */
static void cols(int w, int x[6], int cw[6])
{
	cw[3] = 14;
	cw[4] = 10;
	cw[5] = 10;
	cw[2] = 12;
	int rest = w - cw[2] - cw[3] - cw[4] - cw[5] - 6;
	cw[0] = rest * 55 / 100;
	cw[1] = rest - cw[0];
	x[0] = 0;
	for (int i = 1; i < 6; i++)
		x[i] = x[i - 1] + cw[i - 1] + 1;
}

static void draw_sub_row(void *ctx, long i, struct ui_rect r, bool sel)
{
	struct subs_state *st = ctx;
	const struct subscription *s = &st->subs[i];
	enum subs_attention a = subs_attention(s, (int64_t)time(NULL));
	enum theme_role role = sel ? ROLE_SELECTION
			       : a == SUBS_ATTN_FAILED ? ROLE_ERROR
			       : a == SUBS_ATTN_TRIAL_SOON ? ROLE_WARNING
			       : (!strcmp(s->status, "canceled") || s->paused) ? ROLE_DIM
									     : ROLE_NORMAL;
	int x[6], w[6];
	cols(r.w, x, w);
	char money[64], next[16], trial[16], status[32];
	money_format(s->amount, s->currency, money, sizeof money);
	day(s->current_period_end, next, sizeof next);
	day(s->trial_end, trial, sizeof trial);
	snprintf(status, sizeof status, "%s%s%s", a ? "! " : "", s->status,
		 s->cancel_at_period_end ? "*" : s->paused ? "‖" : "");
	ui_fill(r, role);
	ui_put(r.y, r.x + x[0], w[0], role, s->client_name, true);
	ui_put(r.y, r.x + x[1], w[1], role, s->plan_name, true);
	ui_put(r.y, r.x + x[2], w[2], role, status, true);
	ui_put(r.y, r.x + x[3] + w[3] - ui_text_width(money), ui_text_width(money), role, money,
	       false);
	ui_put(r.y, r.x + x[4], w[4], role, next, true);
	ui_put(r.y, r.x + x[5], w[5], role, trial, true);
}

static void draw_plan_row(void *ctx, long i, struct ui_rect r, bool sel)
{
	struct subs_state *st = ctx;
	const struct plan *p = &st->plans[i];
	enum theme_role role = sel ? ROLE_SELECTION : p->active ? ROLE_NORMAL : ROLE_DIM;
	char money[64], every[48], line[200];
	money_format(p->amount, p->currency, money, sizeof money);
	plans_interval_words(p->interval, p->interval_count, every, sizeof every);
	snprintf(line, sizeof line, "%s %s%s", money, every, p->active ? "" : " (archived)");
	int wn = r.w - 36;
	ui_fill(r, role);
	ui_put(r.y, r.x, wn, role, p->name, true);
	ui_put(r.y, r.x + wn + 1, 35, role, line, true);
}

static void draw(void *state, struct ui *ui, struct ui_rect a)
{
	struct subs_state *st = state;
	if (!st->synced_once && stripe_key_unlocked(ui->app) && ui->app->jobs) {
		st->synced_once = true;
		sync(st); /* the cache shows at once; Stripe's answer replaces it */
	}
	if (subs_panel_active(st->panel)) {
		subs_panel_draw(st->panel, a);
		return;
	}
	if (plan_panel_active(st->plan_panel)) {
		plan_panel_draw(st->plan_panel, a);
		return;
	}
	int x = a.x + 1;
	x += ui_put(a.y, x, a.w - x, st->plans_view ? ROLE_NORMAL : ROLE_TAB_ACTIVE,
		    "Subscriptions", false);
	x += ui_put(a.y, x, a.w - x, ROLE_DIM, " · ", false);
	x += ui_put(a.y, x, a.w - x, st->plans_view ? ROLE_TAB_ACTIVE : ROLE_NORMAL, "Plans",
		    false);
	char info[160];
	if (st->plans_view) {
		snprintf(info, sizeof info, "  %zu plans%s", st->nplans, st->sync_job ? "  syncing…" : "");
	} else {
		const char *sf = st->status_filter == FILTER_ATTENTION ? "needs attention"
				 : st->status_filter >= 0 ? subs_statuses[st->status_filter]
							  : "open";
		const char *pf = "any plan";
		for (size_t i = 0; i < st->nplans; i++)
			if (st->plan_product[0] && !strcmp(st->plans[i].product_id, st->plan_product))
				pf = st->plans[i].name;
		snprintf(info, sizeof info, "  %zu shown · status: %s · plan: %.40s%s", st->nsubs,
			 sf, pf, st->sync_job ? "  syncing…" : "");
	}
	ui_put(a.y, x, a.w - x, ROLE_DIM, info, false);
	int y = a.y + 1;
	if (!st->billing_on)
		ui_put(y, a.x + 1, a.w - 2, ROLE_WARNING, st->billing_why, false);
	else if (ui->app->session.role != ROLE_ADMIN)
		ui_put(y, a.x + 1, a.w - 2, ROLE_DIM,
		       "Only an admin can change subscriptions; you can see them.", false);
	y++;
	struct ui_rect rows = {y + 1, a.x + 1, a.h - (y + 1 - a.y) - 3, a.w - 2};
	if (st->plans_view) {
		ui_put(y, rows.x, rows.w - 36, ROLE_HEADER, "Plan", true);
		ui_put(y, rows.x + rows.w - 35, 35, ROLE_HEADER, "Price", true);
		ui_list_draw(&st->list, rows, draw_plan_row, st);
	} else {
		int cx[6], cw[6];
		static const char *const heads[6] = {"Client", "Plan", "Status", "        Amount",
						     "Next bill", "Trial end"};
		cols(rows.w, cx, cw);
		ui_fill((struct ui_rect){y, rows.x, 1, rows.w}, ROLE_HEADER);
		for (int i = 0; i < 6; i++)
			ui_put(y, rows.x + cx[i], cw[i], ROLE_HEADER, heads[i], true);
		ui_list_draw(&st->list, rows, draw_sub_row, st);
	}
	int by = a.y + a.h - 2;
	char detail[600] = "";
	if (st->list.count == 0) {
		ui_put(rows.y + 1, rows.x + 1, rows.w - 2, ROLE_DIM,
		       st->plans_view ? "No plans: n creates one; s syncs them from Stripe."
				      : "No subscriptions here: n subscribes a client; s syncs; c clears filters.",
		       false);
	} else if (st->plans_view && st->list.sel >= 0) {
		const struct plan *p = &st->plans[st->list.sel];
		snprintf(detail, sizeof detail, "Features: %s · Limits: %s",
			 p->features[0] ? p->features : "—", p->limits[0] ? p->limits : "—");
	} else if (selected(st)) {
		const struct subscription *s = selected(st);
		if (s->last_failure[0])
			snprintf(detail, sizeof detail, "Payment failed: %s", s->last_failure);
		else if (s->cancel_at_period_end)
			snprintf(detail, sizeof detail, "* cancels at the end of the period (u: undo)");
		else if (s->paused)
			snprintf(detail, sizeof detail, "‖ collection paused (p: resume)");
		else
			snprintf(detail, sizeof detail, "%s · %s · latest invoice %s", s->stripe_id,
				 !strcmp(s->collection, "send_invoice") ? "invoices emailed"
									: "card charged",
				 s->invoice_status[0] ? s->invoice_status : "—");
	}
	if (detail[0])
		ui_put(by, a.x + 1, a.w - 2, ROLE_DIM, detail, false);
	ui_put(a.y + a.h - 1, a.x + 1, a.w - 2, ROLE_HELP_KEY,
	       st->plans_view ? "n new plan  e edit  a archive/restore  v subscriptions  s sync  ?"
			      : "n subscribe  e change  f/F filter  x/X cancel  u undo  p pause  v plans  ?",
	       false);
}

/* Raw keys go to an open form first. */
static enum ui_result key(void *state, struct ui *ui, int k)
{
	struct subs_state *st = state;
	(void)ui;
	if (subs_panel_active(st->panel))
		return subs_panel_key(st->panel, k);
	if (plan_panel_active(st->plan_panel))
		return plan_panel_key(st->plan_panel, k);
	return UI_UNHANDLED;
}

static bool editing(void *state)
{
	const struct subs_state *st = state;
	return subs_panel_editing(st->panel) || plan_panel_editing(st->plan_panel);
}

static bool dirty(void *state)
{
	const struct subs_state *st = state;
	return subs_panel_dirty(st->panel) || plan_panel_dirty(st->plan_panel);
}

static void keymaps(void *state, struct ui *ui, struct ui_keymaps *s)
{
	struct subs_state *st = state;
	(void)ui;
	subs_panel_keymaps(st->panel, s);
}

const struct ui_screen screen_subscriptions = {
	.name = "subscriptions",
	.title = "Subscriptions",
	.keys = subs_keys,
	.nkeys = sizeof subs_keys / sizeof subs_keys[0],
	.list_keys = true,
	.open = open_subs,
	.close = close_subs,
	.draw = draw,
	.funcs = subs_functions,
	.nfuncs = sizeof subs_functions / sizeof subs_functions[0],
	.key = key,
	.keymaps = keymaps,
	.editing = editing,
	.dirty = dirty,
	.job_done = job_done,
	.reload = reload,
	.drop = drop,
};
