#include "subs_forms.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/clients.h"
#include "paydesk/money.h"
#include "paydesk/payments_store.h"
#include "paydesk/tz.h"
#include "qr_view.h"
#include "widgets.h"

#define PICK_ROWS 3
#define CARD_LINK "card link: "

enum sp_mode { SP_NONE, SP_FORM, SP_WAIT, SP_RESULT };
enum sp_kind { SK_SUBSCRIBE, SK_CHANGE };
enum { SF_CLIENT, SF_PLAN, SF_QTY, SF_TRIAL, SF_TRIAL_VALUE, SF_COLLECT, SF_DUE, SF_COUNT };
enum { CF_PLAN, CF_QTY, CF_COUNT };

static const char *const trial_choices[] = {"none", "N days", "until a date", NULL};
static const char *const collect_choices[] = {"charge the saved card automatically",
                                              "email an invoice", NULL};

struct subs_panel {
	struct ui *ui;
	enum sp_mode mode;
	enum sp_kind kind;
	struct ui_field fields[SF_COUNT];
	struct ui_form form;
	bool form_ready;
	char form_error[600];
	/* client picker (subscribe) */
	int64_t *matches;
	size_t nmatches;
	int pick;
	int64_t client_id;
	/* plan choices: plan_ids[i] for choice i (0: keep the current plan) */
	struct plan *plans;
	size_t nplans;
	char **labels;
	int64_t *plan_ids;
	/* the subscription being changed */
	int64_t sub_id;
	int sub_quantity;
	char sub_title[400];
	/* the job in flight and what it was */
	uint64_t job;
	enum subs_op job_op;
	struct subs_job_request last; /* the request a preview was for */
	/* what Stripe answered */
	bool result_card; /* a save-a-card link instead of a subscription */
	int64_t result_client;
	char result[JOBS_RESULT_SIZE + 64];
	char wait_text[120];
	/* what the result shows, read by subs_panel_reload, never while drawing */
	bool have_outcome, have_card, have_client;
	struct subscription outcome;
	struct card_setup card;
	char client_name[160];
};

static void forget_shown(struct subs_panel *p)
{
	if (p->have_outcome)
		subscription_free(&p->outcome);
	if (p->have_card)
		card_setup_free(&p->card);
	p->have_outcome = p->have_card = p->have_client = false;
}

void subs_panel_reload(struct subs_panel *p)
{
	if (!p)
		return;
	forget_shown(p);
	if (p->mode != SP_RESULT)
		return;
	sqlite3 *db = p->ui->app->db;
	if (p->result_card) {
		struct client c;
		if (clients_get(db, p->result_client, &c, NULL) == PD_OK) {
			snprintf(p->client_name, sizeof p->client_name, "%s", c.name);
			p->have_client = true;
			client_free(&c);
		}
		p->have_card = card_setups_latest(db, p->result_client, &p->card, NULL) == PD_OK;
	} else {
		p->have_outcome = subs_outcome_read(db, p->result, &p->outcome) == PD_OK;
	}
}

struct subs_panel *subs_panel_new(struct ui *ui)
{
	struct subs_panel *p = calloc(1, sizeof *p);
	if (p)
		p->ui = ui;
	return p;
}

static void free_choices(struct subs_panel *p)
{
	for (size_t i = 0; p->labels && p->labels[i]; i++)
		free(p->labels[i]);
	free(p->labels);
	free(p->plan_ids);
	plans_free_list(&p->plans, p->nplans);
	p->labels = NULL;
	p->plan_ids = NULL;
	p->nplans = 0;
}

static void close_form(struct subs_panel *p)
{
	if (p->form_ready)
		ui_form_free(&p->form);
	p->form_ready = false;
	free(p->matches);
	p->matches = NULL;
	p->nmatches = 0;
	free_choices(p);
}

void subs_panel_close(struct subs_panel *p)
{
	if (!p)
		return;
	close_form(p);
	p->mode = SP_NONE;
}

void subs_panel_free(struct subs_panel **p)
{
	if (!*p)
		return;
	close_form(*p);
	forget_shown(*p);
	free(*p);
	*p = NULL;
}

bool subs_panel_active(const struct subs_panel *p)
{
	return p && p->mode != SP_NONE;
}

bool subs_panel_editing(const struct subs_panel *p)
{
	return p && p->mode == SP_FORM && p->form_ready &&
	       p->fields[p->form.focus].kind != UI_FIELD_CHOICE;
}

bool subs_panel_dirty(const struct subs_panel *p)
{
	return p && p->form_ready && p->form.dirty;
}

/* ---- validation on leaving a field ---------------------------------------- */

static bool digits(const char *v)
{
	return *v && strlen(v) <= 6 && strspn(v, "0123456789") == strlen(v);
}

static int v_quantity(const char *v, char *msg, size_t len)
{
	if (digits(v) && atoi(v) >= 1 && atoi(v) <= 999)
		return 0;
	snprintf(msg, len, "a whole number, 1 to 999");
	return -1;
}

static int v_trial_value(const char *v, char *msg, size_t len)
{
	int y, m, d;
	if (!*v || digits(v) || tz_parse_date(v, &y, &m, &d) == 0)
		return 0;
	snprintf(msg, len, "days (such as 14) or a date (YYYY-MM-DD)");
	return -1;
}

static int v_due(const char *v, char *msg, size_t len)
{
	if (digits(v) && atoi(v) >= 1 && atoi(v) <= 365)
		return 0;
	snprintf(msg, len, "days until the invoice is due, 1 to 365");
	return -1;
}

/* ---- plan choices --------------------------------------------------------- */

/* Active plans as choices; keep (when set) comes first as "keep: NAME". */
static bool load_choices(struct subs_panel *p, const char *keep_product, const char *keep_name)
{
	struct pd_error err = {0};
	if (plans_store_list(p->ui->app->db, false, &p->plans, &p->nplans, &err) != PD_OK) {
		ui_notify(p->ui, UI_NOTICE_ERROR, "%s", err.msg);
		return false;
	}
	p->labels = calloc(p->nplans + 2, sizeof *p->labels);
	p->plan_ids = calloc(p->nplans + 2, sizeof *p->plan_ids);
	if (!p->labels || !p->plan_ids)
		return false;
	size_t n = 0;
	if (keep_product) {
		if (asprintf(&p->labels[n], "keep: %s", keep_name) < 0)
			return false;
		p->plan_ids[n++] = 0;
	}
	for (size_t i = 0; i < p->nplans; i++) {
		const struct plan *pl = &p->plans[i];
		if (!pl->price_id[0] || (keep_product && !strcmp(pl->product_id, keep_product)))
			continue;
		char money[64], every[48];
		money_format(pl->amount, pl->currency, money, sizeof money);
		plans_interval_words(pl->interval, pl->interval_count, every, sizeof every);
		if (asprintf(&p->labels[n], "%s · %s %s", pl->name, money, every) < 0)
			return false;
		p->plan_ids[n++] = pl->id;
	}
	return n > 0;
}

static const struct plan *plan_of(const struct subs_panel *p, int64_t id)
{
	for (size_t i = 0; i < p->nplans; i++)
		if (p->plans[i].id == id)
			return &p->plans[i];
	return NULL;
}

/* ---- client picker -------------------------------------------------------- */

static void refresh_matches(struct subs_panel *p)
{
	free(p->matches);
	p->matches = NULL;
	p->nmatches = 0;
	p->pick = 0;
	clients_search(p->ui->app->db, ui_form_value(&p->form, SF_CLIENT), &p->matches,
	               &p->nmatches, NULL);
}

/* Leaving the client field takes the highlighted match. */
static void settle_client(struct subs_panel *p)
{
	struct ui_field *f = &p->fields[SF_CLIENT];
	f->error[0] = '\0';
	const char *typed = ui_form_value(&p->form, SF_CLIENT);
	if (p->client_id && p->nmatches == 0 && *typed)
		return;
	if (p->nmatches == 0) {
		p->client_id = 0;
		snprintf(f->error, sizeof f->error,
		         *typed ? "no client matches: add them in the Clients tab first"
		                : "type part of the client's name, email or phone");
		return;
	}
	struct client c;
	if (clients_get(p->ui->app->db, p->matches[p->pick], &c, NULL) == PD_OK) {
		p->client_id = c.id;
		textedit_set(&f->edit, c.name);
		client_free(&c);
	}
	free(p->matches);
	p->matches = NULL;
	p->nmatches = 0;
}

/* ---- opening -------------------------------------------------------------- */

static void start_form(struct subs_panel *p, enum sp_kind kind, int n)
{
	ui_form_init(&p->form, p->fields, n, 200);
	p->form_ready = true;
	p->form_error[0] = '\0';
	p->kind = kind;
	p->mode = SP_FORM;
}

void subs_panel_subscribe(struct subs_panel *p)
{
	close_form(p);
	if (!load_choices(p, NULL, NULL)) {
		ui_notify(p->ui, UI_NOTICE_ERROR, "no plan to subscribe to: v, then n creates one");
		free_choices(p);
		return;
	}
	p->fields[SF_CLIENT] = (struct ui_field){
	    .label = "Client",
	    .hint = "type to search; Up/Down pick; Tab takes the highlighted one"};
	p->fields[SF_PLAN] = (struct ui_field){.label = "Plan",
	                                       .kind = UI_FIELD_CHOICE,
	                                       .choices = (const char *const *)p->labels,
	                                       .hint = "Space / arrows: next plan"};
	p->fields[SF_QTY] = (struct ui_field){.label = "Quantity", .validate = v_quantity};
	p->fields[SF_TRIAL] = (struct ui_field){.label = "Trial",
	                                        .kind = UI_FIELD_CHOICE,
	                                        .choices = trial_choices,
	                                        .hint = "Space: none / N days / until a date"};
	p->fields[SF_TRIAL_VALUE] =
	    (struct ui_field){.label = "Trial days or end",
	                      .validate = v_trial_value,
	                      .hint = "days (14) or the trial's last day (YYYY-MM-DD)"};
	p->fields[SF_COLLECT] =
	    (struct ui_field){.label = "Collection",
	                      .kind = UI_FIELD_CHOICE,
	                      .choices = collect_choices,
	                      .hint = "Space: charge the card / email an invoice"};
	p->fields[SF_DUE] = (struct ui_field){
	    .label = "Invoice due in days", .validate = v_due, .hint = "for emailed invoices"};
	start_form(p, SK_SUBSCRIBE, SF_COUNT);
	textedit_set(&p->fields[SF_QTY].edit, "1");
	textedit_set(&p->fields[SF_DUE].edit, "30");
	p->client_id = 0;
	p->form.dirty = false;
	refresh_matches(p);
}

void subs_panel_change(struct subs_panel *p, const struct subscription *s)
{
	close_form(p);
	if (!strcmp(s->status, "canceled") || !strcmp(s->status, "incomplete_expired")) {
		ui_notify(p->ui, UI_NOTICE_ERROR, "the subscription has ended: nothing to change");
		return;
	}
	if (!load_choices(p, s->product_id, s->plan_name)) {
		free_choices(p);
		return; /* the store said why */
	}
	p->fields[CF_PLAN] = (struct ui_field){.label = "Plan",
	                                       .kind = UI_FIELD_CHOICE,
	                                       .choices = (const char *const *)p->labels,
	                                       .hint = "Space / arrows: another plan"};
	p->fields[CF_QTY] =
	    (struct ui_field){.label = "Quantity",
	                      .validate = v_quantity,
	                      .hint = "Enter: ask Stripe for the proration preview"};
	start_form(p, SK_CHANGE, CF_COUNT);
	char q[16];
	snprintf(q, sizeof q, "%d", s->quantity);
	textedit_set(&p->fields[CF_QTY].edit, q);
	p->form.focus = CF_QTY;
	p->form.dirty = false;
	p->sub_id = s->id;
	p->sub_quantity = s->quantity;
	char money[64];
	money_format(s->amount, s->currency, money, sizeof money);
	snprintf(p->sub_title, sizeof p->sub_title, "%.120s · %.120s ×%d · %s", s->client_name,
	         s->plan_name, s->quantity, money);
}

/* ---- submitting ----------------------------------------------------------- */

struct pending {
	struct subs_panel *p;
	struct subs_job_request req;
	char second[520]; /* not "": the client has this plan; a second confirmation first */
	int64_t amount;   /* per period, shown again by that confirmation */
	char currency[4];
};

static void run(struct subs_panel *p, const struct subs_job_request *req, const char *wait)
{
	uint64_t id = subs_ui_submit(p->ui, req);
	if (!id)
		return;
	p->job = id;
	p->job_op = req->op;
	p->last = *req;
	p->mode = SP_WAIT;
	snprintf(p->wait_text, sizeof p->wait_text, "%s", wait);
}

static void confirmed(struct ui *ui, void *ctx)
{
	struct pending *pd = ctx;
	if (pd->second[0]) {
		/* Subscribing a client again to a plan it has bills it twice: a
		 * second, explicit "yes" (the dialog closed before this call). */
		char body[700];
		snprintf(body, sizeof body, "%.520s\nSubscribe a SECOND time? Both will bill.",
		         pd->second);
		pd->second[0] = '\0';
		pd->req.in.second = true;
		ui_dialog_open(ui, &(struct ui_dialog_spec){.title = "A second subscription?",
		                                            .body = body,
		                                            .money = true,
		                                            .amount = pd->amount,
		                                            .currency = pd->currency,
		                                            .confirm_label = "a second one",
		                                            .on_confirm = confirmed,
		                                            .ctx = pd,
		                                            .free_ctx = free});
		return;
	}
	run(pd->p, &pd->req, "Sending to Stripe…");
	free(pd); /* a confirmed dialog hands its ctx to the callback */
}

/* A message from subs_check / the job, on the field it is about. */
static void blame(struct subs_panel *p, const char *msg)
{
	static const struct {
		const char *prefix;
		int field;
	} map[] = {{"quantity", SF_QTY}, {"trial", SF_TRIAL_VALUE}, {"invoice due", SF_DUE}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		int f = p->kind == SK_CHANGE && map[i].field == SF_QTY ? CF_QTY : map[i].field;
		if (!strncmp(msg, map[i].prefix, strlen(map[i].prefix)) && f < p->form.n) {
			snprintf(p->fields[f].error, sizeof p->fields[f].error, "%.400s", msg);
			p->form.focus = f;
		}
	}
	snprintf(p->form_error, sizeof p->form_error, "not sent: %.500s", msg);
}

static void submit_subscribe(struct subs_panel *p)
{
	settle_client(p);
	int bad = ui_form_validate(&p->form);
	if (!p->client_id)
		bad = SF_CLIENT;
	if (bad >= 0) {
		p->form.focus = bad;
		if (bad == SF_CLIENT && !p->fields[bad].error[0])
			snprintf(p->fields[bad].error, sizeof p->fields[bad].error,
			         "pick a client from the list");
		snprintf(p->form_error, sizeof p->form_error, "%s: %.500s", p->fields[bad].label,
		         p->fields[bad].error);
		return;
	}
	struct subs_input in = {.client_id = p->client_id,
	                        .plan_id = p->plan_ids[p->fields[SF_PLAN].choice],
	                        .quantity = atoi(ui_form_value(&p->form, SF_QTY)),
	                        .trial = (enum subs_trial)p->fields[SF_TRIAL].choice,
	                        .send_invoice = p->fields[SF_COLLECT].choice == 1,
	                        .days_until_due = atoi(ui_form_value(&p->form, SF_DUE))};
	const char *tv = ui_form_value(&p->form, SF_TRIAL_VALUE);
	int y, m, d;
	char trial[120] = "no trial";
	if (in.trial == SUBS_TRIAL_DAYS) {
		if (!digits(tv)) {
			blame(p, "trial: the number of days, such as 14");
			return;
		}
		in.trial_days = atoi(tv);
		snprintf(trial, sizeof trial, "trial of %d days", in.trial_days);
	} else if (in.trial == SUBS_TRIAL_UNTIL) {
		if (tz_parse_date(tv, &y, &m, &d) != 0) {
			blame(p, "trial: the trial's last day, as YYYY-MM-DD");
			return;
		}
		/* The trial covers the whole last day: billing starts the next morning. */
		tz_date_add(&y, &m, &d, 1);
		in.trial_until = tz_day_start(y, m, d);
		snprintf(trial, sizeof trial, "trial until %.40s", tv);
	}
	struct pd_error err = {0};
	if (subs_check(&in, (int64_t)time(NULL), &err) != PD_OK) {
		blame(p, err.msg);
		return;
	}
	const struct plan *pl = plan_of(p, in.plan_id);
	struct client c;
	if (!pl || clients_get(p->ui->app->db, in.client_id, &c, &err) != PD_OK) {
		blame(p, err.msg[0] ? err.msg : "the plan is gone: sync plans (s)");
		return;
	}
	struct pending *pd = calloc(1, sizeof *pd);
	if (!pd) {
		client_free(&c);
		return;
	}
	pd->p = p;
	pd->req.op = SUBS_OP_SUBSCRIBE;
	pd->req.in = in;
	int dup = subs_check_duplicate(p->ui->app->db, in.client_id, in.plan_id, &err);
	if (dup == PD_ERR_EXISTS) {
		snprintf(pd->second, sizeof pd->second, "%s", err.msg);
		pd->amount = pl->amount * in.quantity;
		snprintf(pd->currency, sizeof pd->currency, "%s", pl->currency);
	} else if (dup) {
		blame(p, err.msg); /* an earlier one is unsettled: recovery first */
		client_free(&c);
		free(pd);
		return;
	}
	char every[48], collect[120], body[600];
	plans_interval_words(pl->interval, pl->interval_count, every, sizeof every);
	if (in.send_invoice)
		snprintf(collect, sizeof collect, "invoices emailed, due in %d days",
		         in.days_until_due);
	else
		snprintf(collect, sizeof collect, "the saved card charged automatically");
	snprintf(body, sizeof body, "Subscribe %.120s to %.120s ×%d, %s.\n%s; %s.", c.name,
	         pl->name, in.quantity, every, trial, collect);
	client_free(&c);
	ui_dialog_open(p->ui, &(struct ui_dialog_spec){.title = "Subscribe this client?",
	                                               .body = body,
	                                               .money = true,
	                                               .amount = pl->amount * in.quantity,
	                                               .currency = pl->currency,
	                                               .confirm_label = "subscribe",
	                                               .on_confirm = confirmed,
	                                               .ctx = pd,
	                                               .free_ctx = free});
}

static void submit_change(struct subs_panel *p)
{
	int bad = ui_form_validate(&p->form);
	if (bad >= 0) {
		p->form.focus = bad;
		snprintf(p->form_error, sizeof p->form_error, "%s: %.500s", p->fields[bad].label,
		         p->fields[bad].error);
		return;
	}
	struct subs_job_request req = {.op = SUBS_OP_PREVIEW,
	                               .id = p->sub_id,
	                               .plan_id = p->plan_ids[p->fields[CF_PLAN].choice],
	                               .quantity = atoi(ui_form_value(&p->form, CF_QTY))};
	if (!req.plan_id && req.quantity == p->sub_quantity) {
		snprintf(p->form_error, sizeof p->form_error,
		         "nothing to change: same plan and quantity");
		return;
	}
	run(p, &req, "Asking Stripe for the proration preview…");
}

/* The preview came back (or could not be had): confirm the change. */
static void confirm_change(struct subs_panel *p, bool ok, const char *result)
{
	long long due = 0, at = 0;
	char cur[4] = "";
	if (ok && sscanf(result, "preview %lld %3s %lld", &due, cur, &at) != 3)
		ok = false;
	const struct plan *pl = plan_of(p, p->last.plan_id);
	char body[1200], money[64], when[32] = "";
	if (at) {
		time_t t = (time_t)at;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(when, sizeof when, " on %Y-%m-%d", &tm);
	}
	money_format(due, cur, money, sizeof money);
	char what[200];
	snprintf(what, sizeof what, "%.80s ×%d", pl ? pl->name : "the same plan", p->last.quantity);
	if (ok)
		snprintf(body, sizeof body,
		         "%s\nChange to %s.\nProration preview: the next invoice asks %s%s.",
		         p->sub_title, what, money, when);
	else
		snprintf(body, sizeof body, "%s\nChange to %s.\nStripe gave no preview: %.300s",
		         p->sub_title, what, result);
	struct pending *pd = calloc(1, sizeof *pd);
	if (!pd)
		return;
	pd->p = p;
	pd->req = p->last;
	pd->req.op = SUBS_OP_CHANGE;
	p->mode = SP_FORM; /* a "no" leaves the form as it was */
	ui_dialog_open(p->ui, &(struct ui_dialog_spec){.title = "Change the subscription?",
	                                               .body = body,
	                                               .money = true, /* y only, preview or not */
	                                               .amount = due,
	                                               .currency = cur,
	                                               .confirm_label = "change",
	                                               .on_confirm = confirmed,
	                                               .ctx = pd,
	                                               .free_ctx = free});
}

bool subs_panel_job_done(struct subs_panel *p, const struct jobs_completion *c)
{
	if (!p->job || c->id != p->job)
		return false;
	p->job = 0;
	bool ok = c->status == JOBS_DONE;
	bool waiting = p->mode == SP_WAIT;
	if (p->job_op == SUBS_OP_PREVIEW) {
		if (waiting)
			confirm_change(p, ok, c->result);
		return true;
	}
	if (!ok) {
		ui_notify(p->ui, UI_NOTICE_ERROR, "%s", c->result);
		if (waiting && p->form_ready) {
			p->mode = SP_FORM;
			snprintf(p->form_error, sizeof p->form_error, "not done: %.500s",
			         c->result);
		}
		return true;
	}
	p->result_card = !strncmp(c->result, CARD_LINK, strlen(CARD_LINK));
	p->result_client = p->last.in.client_id;
	snprintf(p->result, sizeof p->result, "%s", c->result);
	if (p->result_card) {
		ui_notify(p->ui, UI_NOTICE_INFO, "no saved card: show the save-a-card link");
	} else {
		ui_notify(p->ui, UI_NOTICE_INFO, "%s", c->result);
		close_form(p); /* done: nothing typed is needed any more */
	}
	if (waiting)
		p->mode = SP_RESULT;
	subs_panel_reload(p);
	return true;
}

/* ---- keys ----------------------------------------------------------------- */

static void discard(struct ui *ui, void *ctx)
{
	struct subs_panel *p = ctx;
	(void)ui;
	close_form(p);
	p->mode = SP_NONE;
}

static enum ui_result form_key(struct subs_panel *p, int k)
{
	if (k == UI_KEY_ESC) {
		if (p->form.dirty)
			ui_dialog_open(p->ui,
			               &(struct ui_dialog_spec){
			                   .title = "Discard the form?",
			                   .body = "What you typed in this form will be lost.",
			                   .confirm_label = "discard",
			                   .on_confirm = discard,
			                   .ctx = p});
		else
			discard(p->ui, p);
		return UI_HANDLED;
	}
	if (k == UI_CTRL('s') || (k == UI_KEY_ENTER && p->form.focus == p->form.n - 1)) {
		p->form_error[0] = '\0';
		if (p->kind == SK_SUBSCRIBE)
			submit_subscribe(p);
		else
			submit_change(p);
		return UI_HANDLED;
	}
	bool on_client = p->kind == SK_SUBSCRIBE && p->form.focus == SF_CLIENT;
	if (on_client && p->nmatches > 1 && (k == UI_KEY_FN(KEY_UP) || k == UI_KEY_FN(KEY_DOWN))) {
		int n = (int)p->nmatches;
		p->pick = (p->pick + (k == UI_KEY_FN(KEY_DOWN) ? 1 : n - 1)) % n;
		return UI_HANDLED;
	}
	if (k == UI_KEY_ENTER)
		k = '\t';
	int from = p->form.focus;
	char was[800] = "";
	if (on_client)
		snprintf(was, sizeof was, "%s", ui_form_value(&p->form, SF_CLIENT));
	ui_form_key(&p->form, k);
	p->form_error[0] = '\0';
	if (p->kind != SK_SUBSCRIBE)
		return UI_HANDLED;
	if (p->form.focus != from && from == SF_CLIENT)
		settle_client(p);
	else if (p->form.focus == from && on_client &&
	         strcmp(was, ui_form_value(&p->form, SF_CLIENT)))
		p->client_id = 0; /* typing again: choose again */
	if (p->form.focus == SF_CLIENT && (from != SF_CLIENT || !p->client_id))
		refresh_matches(p);
	return UI_HANDLED;
}

enum ui_result subs_panel_key(struct subs_panel *p, int k)
{
	if (!subs_panel_active(p) || p->mode != SP_FORM)
		return UI_UNHANDLED; /* waiting or a result: a keymap */
	return form_key(p, k);
}

/* ---- keys while waiting for Stripe, and on the result (a keymap) ----------- */

static bool card_link_result(const void *state, const struct ui *ui)
{
	const struct subs_panel *p = state;
	(void)ui;
	return p->mode == SP_RESULT && p->result_card;
}

static const struct ui_binding result_keys[] = {
	{UI_KEY_ESC, UI_ACT_BACK, "back (to the form after a card link, else the list)", NULL},
	{'Q', UI_ACT_QR, "the save-a-card link's QR code on the whole screen", NULL},
	{'C', UI_ACT_COPY, "copy the save-a-card link", NULL},
};

static enum ui_result do_qr(void *state, struct ui *ui)
{
	struct subs_panel *p = state;
	(void)ui;
	return ui_card_link_key(p->ui, p->result_client, 'Q');
}

static enum ui_result do_copy(void *state, struct ui *ui)
{
	struct subs_panel *p = state;
	(void)ui;
	return ui_card_link_key(p->ui, p->result_client, 'C');
}

/* Back to the form after a card link; to the list otherwise (a job in
 * flight still reports in a notice). */
static enum ui_result do_back(void *state, struct ui *ui)
{
	struct subs_panel *p = state;
	(void)ui;
	if (p->mode == SP_RESULT && p->result_card && p->form_ready) {
		p->mode = SP_FORM;
		snprintf(p->form_error, sizeof p->form_error,
		         "once the card is saved, Ctrl-S subscribes (or choose email an invoice)");
	} else {
		close_form(p);
		p->mode = SP_NONE;
	}
	return UI_HANDLED;
}

static const struct ui_function result_functions[] = {
	{UI_ACT_BACK, do_back, NULL},
	{UI_ACT_QR, do_qr, card_link_result},
	{UI_ACT_COPY, do_copy, card_link_result},
};

void subs_panel_keymaps(struct subs_panel *p, struct ui_keymaps *s)
{
	if (!subs_panel_active(p) || p->mode == SP_FORM)
		return;
	ui_keymaps_push(s, (struct ui_keymap){.title = "Subscription",
	                                      .keys = result_keys,
	                                      .nkeys = sizeof result_keys / sizeof result_keys[0],
	                                      .state = p,
	                                      .funcs = result_functions,
	                                      .nfuncs = sizeof result_functions / sizeof result_functions[0]});
}

/* ---- drawing -------------------------------------------------------------- */

static void draw_picker(struct subs_panel *p, struct ui_rect r)
{
	if (p->kind != SK_SUBSCRIBE || p->form.focus != SF_CLIENT)
		return;
	if (p->nmatches == 0) {
		ui_put(r.y, r.x, r.w, ROLE_DIM, p->client_id ? "" : "no client matches", false);
		return;
	}
	int first = p->pick >= PICK_ROWS ? p->pick - PICK_ROWS + 1 : 0;
	for (int i = 0; i < PICK_ROWS && (size_t)(first + i) < p->nmatches; i++) {
		struct client c;
		if (clients_get(p->ui->app->db, p->matches[first + i], &c, NULL))
			continue;
		char line[400];
		snprintf(line, sizeof line, "%s %s%s%s%s%s", first + i == p->pick ? ">" : " ",
		         c.name, c.email[0] ? "  <" : "", c.email, c.email[0] ? ">" : "",
		         c.bill_with_stripe ? "" : "  (not billed with Stripe)");
		ui_put(r.y + i, r.x, r.w, first + i == p->pick ? ROLE_SELECTION : ROLE_NORMAL, line,
		       true);
		client_free(&c);
	}
	if (p->nmatches > PICK_ROWS)
		ui_putf(r.y + PICK_ROWS, r.x, r.w, ROLE_DIM, "  … %zu matches (keep typing)",
		        p->nmatches);
}

static void draw_result(struct subs_panel *p, struct ui_rect a)
{
	int x = a.x + 2, w = a.w - 4, y = a.y;
	if (p->result_card) {
		char line[400] = "This client has no saved card";
		if (p->have_client)
			snprintf(line, sizeof line,
			         "%.150s has no saved card: the client saves one first", p->client_name);
		ui_put(y++, x, w, ROLE_WARNING, line, false);
		ui_card_setup_draw(p->have_card ? &p->card : NULL, y, a);
		ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY,
		       "Q: QR code  C: copy link  Esc: back to the form (to subscribe once saved)",
		       false);
		return;
	}
	ui_put(y + 1, x, w, ROLE_TITLE,
	       p->last.op == SUBS_OP_SUBSCRIBE ? "Subscribed" : "Subscription changed", false);
	ui_put(y + 2, x, w, ROLE_NORMAL, p->result, false);
	if (p->have_outcome)
		subs_outcome_draw(&p->outcome, y + 4, a);
	ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY, "Esc: back to the list", false);
}

void subs_panel_draw(struct subs_panel *p, struct ui_rect a)
{
	if (p->mode == SP_RESULT) {
		draw_result(p, a);
		return;
	}
	int x = a.x + 2, w = a.w - 4, y = a.y + 1;
	ui_put(y, x, w, ROLE_TITLE,
	       p->kind == SK_SUBSCRIBE ? "Subscribe a client" : "Change plan or quantity", false);
	if (p->kind == SK_CHANGE)
		ui_put(y + 1, x, w, ROLE_DIM, p->sub_title, false);
	y += 3;
	p->form.inactive = p->mode == SP_WAIT;
	ui_form_draw(&p->form, (struct ui_rect){y, x, p->form.n * 2 + 1, w});
	int cy, cx;
	getyx(stdscr, cy, cx);
	int used = p->form.n;
	for (int i = 0; i < p->form.n; i++)
		used += p->fields[i].error[0] || (i == p->form.focus && p->fields[i].hint);
	if (p->mode == SP_FORM)
		draw_picker(p, (struct ui_rect){y + used + 1, x + 2, PICK_ROWS + 1, w - 4});
	if (p->mode == SP_WAIT) {
		static const char spin[] = "|/-\\";
		ui_putf(a.y + a.h - 3, x, w, ROLE_PROGRESS, "%c %s", spin[p->ui->spinner % 4],
		        p->wait_text);
	} else if (p->form_error[0]) {
		ui_put(a.y + a.h - 3, x, w, ROLE_ERROR, p->form_error, false);
	}
	ui_put(a.y + a.h - 1, x, w, ROLE_HELP_KEY,
	       p->mode == SP_WAIT ? "Esc: back to the list (the answer comes as a notice)"
	       : p->kind == SK_SUBSCRIBE
	           ? "Tab/Enter: next field (Enter on the last continues)  Ctrl-S  Esc: cancel"
	           : "Tab: next field   Enter/Ctrl-S: preview the change   Esc: cancel",
	       false);
	move(cy, cx);
}
