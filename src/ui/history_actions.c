/* The History tab's two Stripe actions, each on a worker: sync (S) with a
 * progress bar on the top line, and refund (r) of the selected payment
 * through a form and a confirm dialog. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/accounting_export_job.h"
#include "paydesk/history_refund.h"
#include "paydesk/refund_fee.h"
#include "paydesk/jobs.h"
#include "paydesk/money.h"
#include "paydesk/paths.h"
#include "paydesk/setup.h"
#include "paydesk/stripe_account.h"
#include "paydesk/history_review.h"
#include "paydesk/stripe_key.h"
#include "screen_history.h"

/* Older than this when the tab opens: sync without being asked. */
#define STALE_SECONDS (15 * 60)

/* Whether a Stripe job can be queued (its worker opens the key), else a
 * notice unless quiet. */
static bool stripe_ready(struct hist *h, bool quiet)
{
	struct ui *ui = h->ui;
	if (ui->app->jobs && stripe_key_unlocked(ui->app))
		return true;
	if (!quiet)
		ui_notify(ui, UI_NOTICE_ERROR,
			  "Stripe is locked: unlock it with the admin passphrase first");
	return false;
}

/* ---- sync ------------------------------------------------------------------ */

void history_sync_toggle(struct hist *h, bool quiet)
{
	struct ui *ui = h->ui;
	if (h->sync_job) {
		jobs_cancel(ui->app->jobs, h->sync_job);
		ui_notify(ui, UI_NOTICE_INFO, "stopping the sync; the next one resumes there");
		return;
	}
	struct stripe_account_row acct;
	struct pd_error err = {0};
	if (stripe_account_get(ui->app->db, &acct, &err) != PD_OK) {
		if (!quiet)
			ui_notify(ui, UI_NOTICE_ERROR, "no Stripe account is connected: see Setup");
		return;
	}
	if (!stripe_ready(h, quiet))
		return;
	h->sync_job = history_sync_job_submit(ui->app->jobs, &h->sync, NULL,
					      acct.connected_account[0] ? acct.connected_account
									: NULL,
					      false);
	h->sync_tried = true;
	if (!h->sync_job && !quiet)
		ui_notify(ui, UI_NOTICE_ERROR, "the sync could not be queued");
}

void history_sync_if_stale(struct hist *h)
{
	if (h->sync_tried || h->sync_job || !stripe_key_unlocked(h->ui->app))
		return;
	if (h->last_synced && time(NULL) - h->last_synced < STALE_SECONDS) {
		h->sync_tried = true;
		return;
	}
	history_sync_toggle(h, true);
}

extern const struct ui_screen screen_history;

void ui_history_sync_at_start(struct ui *ui)
{
	if (!ui->app->cfg.history_sync_at_start)
		return;
	for (int i = 0; i < UI_SCREENS; i++) {
		if (ui_screens[i] != &screen_history || !ui->state[i] || !ui_screen_allowed(ui, i))
			continue;
		struct hist *h = ui->state[i];
		struct pd_error err = {0};
		h->ui = ui;
		history_last_synced(ui->app->db, &h->last_synced, &err);
		bool running = h->sync_job != 0;
		history_sync_if_stale(h);
		if (!running && h->sync_job)
			ui_notify(ui, UI_NOTICE_INFO,
				  "syncing the billing history in the background (4 History)");
	}
}

static const char *object_words(const char *object)
{
	static const struct {
		const char *object, *words;
	} names[] = {{"payment_intents", "payments"},
		     {"refunds", "refunds"},
		     {"invoices", "invoices"},
		     {"customers", "customers"},
		     {"balance_transactions", "fees"},
		     {"events", "changes"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].object, object) == 0)
			return names[i].words;
	return object[0] ? object : "starting";
}

bool history_sync_draw(struct hist *h, struct ui_rect r)
{
	if (!h->sync_job)
		return false;
	struct history_sync_progress p;
	history_sync_progress_snapshot(&h->sync, &p);
	if (!p.running)
		return false;
	char label[80];
	if (p.steps > 0)
		snprintf(label, sizeof label, " Syncing %s, %d of %d (S stops)",
			 object_words(p.object), p.step, p.steps);
	else
		snprintf(label, sizeof label, " Syncing %s (S stops)", object_words(p.object));
	double rate = p.elapsed > 0.5 ? (double)p.records / p.elapsed : -1;
	long long total = 0;
	double eta = -1;
	if (p.fraction > 0.01 && p.fraction <= 1 && p.records > 0) {
		total = (long long)((double)p.records / p.fraction);
		eta = p.elapsed * (1 - p.fraction) / p.fraction;
	}
	ui_fill(r, ROLE_TITLE);
	ui_progress_draw(r, label, p.records, total, rate, eta, h->ui->spinner);
	return true;
}

/* ---- refund ------------------------------------------------------------------ */

/* Shown in words; sent as Stripe's values, in the same order. */
static const char *const reason_choices[] = {"requested by the client", "duplicate",
					     "fraudulent", NULL};
static const char *const reason_values[] = {"requested_by_customer", "duplicate", "fraudulent"};

static int validate_refund_amount(const char *v, char *msg, size_t len)
{
	if (!*v)
		return 0; /* empty: all that is left */
	/* digits and one decimal point: "12,50" must not read as 1,250 */
	const char *p = v;
	while (*p && strchr("0123456789.", *p))
		p++;
	if (*p || strchr(v, '.') != strrchr(v, '.')) {
		snprintf(msg, len, "an amount like 12.50, or empty for all that is left");
		return -1;
	}
	return 0;
}

void history_refund_open(struct hist *h)
{
	const struct history_row *row = history_selected(h);
	if (!row)
		return;
	char why[300];
	int64_t left = history_refundable(h->ui->app->db, row->id, why, sizeof why);
	if (left <= 0) {
		ui_notify(h->ui, UI_NOTICE_ERROR, "%s", why);
		return;
	}
	if (h->refund_job) {
		ui_notify(h->ui, UI_NOTICE_ERROR, "a refund is on its way: wait for its answer");
		return;
	}
	char money[64];
	money_format(left, row->currency, money, sizeof money);
	snprintf(h->refund_hint, sizeof h->refund_hint, "at most %s; empty refunds all of it",
		 money);
	const struct ui_field spec[] = {
		{.label = "Amount", .kind = UI_FIELD_TEXT, .hint = h->refund_hint,
		 .validate = validate_refund_amount},
		{.label = "Reason", .kind = UI_FIELD_CHOICE, .hint = "Space or ←/→ to choose",
		 .choices = reason_choices},
	};
	history_open_form(h, MODE_REFUND, spec, 2);
	h->refund_id = row->id;
	h->refund_left = left;
	h->form.dirty = false;
}

struct refund_ctx {
	struct hist *h;
	int64_t id, amount;
	char reason[32];
};

static void refund_confirmed(struct ui *ui, void *ctx)
{
	struct refund_ctx *c = ctx; /* ours now (ui_dialog_key) */
	struct hist *h = c->h;
	h->ui = ui;
	if (!stripe_ready(h, false)) {
		free(c);
		return;
	}
	h->refund_job = history_refund_job_submit(ui->app->jobs, c->id, c->amount, c->reason, NULL,
						  &ui->app->session);
	free(c);
	if (h->refund_job)
		ui_notify(ui, UI_NOTICE_INFO, "refund sent to Stripe…");
	else
		ui_notify(ui, UI_NOTICE_ERROR, "the refund could not be queued");
}

void history_refund_submit(struct hist *h)
{
	if (ui_form_validate(&h->form) >= 0)
		return;
	struct history_row row;
	struct pd_error err = {0};
	if (history_row_get(h->ui->app->db, h->refund_id, &row, &err) != PD_OK) {
		ui_notify(h->ui, UI_NOTICE_ERROR, "%s", err.msg);
		return;
	}
	int64_t amount = h->refund_left;
	const char *text = ui_form_value(&h->form, 0);
	if (*text && money_parse(text, row.currency, &amount, &err) != PD_OK) {
		snprintf(h->fields[0].error, sizeof h->fields[0].error, "%.190s", err.msg);
		return;
	}
	char money[64];
	if (amount <= 0 || amount > h->refund_left) {
		snprintf(h->fields[0].error, sizeof h->fields[0].error,
			 "between 0.01 and %s (what is left on it)",
			 money_format(h->refund_left, row.currency, money, sizeof money));
		return;
	}
	struct refund_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return;
	c->h = h;
	c->id = row.id;
	c->amount = amount;
	snprintf(c->reason, sizeof c->reason, "%s", reason_values[h->fields[1].choice]);
	char body[800], card[64] = "", fee[160] = "";
	refund_fee_card(row.brand, row.last4, card, sizeof card); /* "Visa •4242" */
	/* the fee Stripe keeps on the payment, once a sync has brought it */
	refund_fee_text(row.has_fee ? row.fee : REFUND_FEE_UNKNOWN, row.currency, false, fee,
			sizeof fee);
	snprintf(body, sizeof body, "%s%s%s\n%s · reason: %s\nThe money goes back to %s.%s%s%s",
		 row.stripe_id, row.client[0] ? " · " : "", row.client,
		 row.description[0] ? row.description : row.type,
		 reason_choices[h->fields[1].choice], card[0] ? card : "the card",
		 fee[0] ? "\n" : "", fee, fee[0] ? "." : "");
	history_close_form(h);
	struct ui_dialog_spec spec = {.title = "Refund this payment?", .body = body, .money = true,
				      .amount = amount, .currency = row.currency,
				      .confirm_label = "Refund", .on_confirm = refund_confirmed,
				      .ctx = c, .free_ctx = free};
	ui_dialog_open(h->ui, &spec);
}

/* ---- export ------------------------------------------------------------------ */

void history_export_start(struct hist *h, enum history_format fmt, const char *path)
{
	struct ui *ui = h->ui;
	char whole[PATH_MAX];
	path = paths_whole(path, whole, sizeof whole);
	if (h->export_job) {
		ui_notify(ui, UI_NOTICE_ERROR, "an export is running: Esc stops it");
		return;
	}
	if (!ui->app->jobs) {
		ui_notify(ui, UI_NOTICE_ERROR, "offline: exports need the workers");
		return;
	}
	h->export_job = history_export_job_submit(ui->app->jobs, &h->export, &h->filter, h->sort,
						  h->desc, fmt, path, history_actor(ui->app));
	if (!h->export_job)
		ui_notify(ui, UI_NOTICE_ERROR, "the export could not be queued");
	else
		ui_notify(ui, UI_NOTICE_INFO, "exporting to %s… (Esc stops it)", path);
}

/* QuickBooks / Xero (accounting_export.h): the filter's dates and currency;
 * the job settles the currency and writes the file(s). */
void history_accounting_export_start(struct hist *h, enum accounting_format fmt,
				     const char *path)
{
	struct ui *ui = h->ui;
	char whole[PATH_MAX];
	path = paths_whole(path, whole, sizeof whole);
	if (h->export_job) {
		ui_notify(ui, UI_NOTICE_ERROR, "an export is running: Esc stops it");
		return;
	}
	if (!ui->app->jobs) {
		ui_notify(ui, UI_NOTICE_ERROR, "offline: exports need the workers");
		return;
	}
	struct accounting_opts o = {.format = fmt, .since = h->filter.since,
				    .until = h->filter.until};
	memcpy(o.currency, h->filter.currency, sizeof o.currency);
	h->export_job = accounting_export_job_submit(ui->app->jobs, &o, path,
						     history_actor(ui->app));
	if (!h->export_job)
		ui_notify(ui, UI_NOTICE_ERROR, "the export could not be queued");
	else
		ui_notify(ui, UI_NOTICE_INFO, "exporting for %s to %s…",
			  fmt == ACCT_XERO ? "Xero" : "QuickBooks", path);
}

bool history_export_stop(struct hist *h)
{
	if (!h->export_job)
		return false;
	jobs_cancel(h->ui->app->jobs, h->export_job);
	ui_notify(h->ui, UI_NOTICE_INFO, "stopping the export…");
	return true;
}

bool history_export_draw(struct hist *h, struct ui_rect r)
{
	if (!h->export_job)
		return false;
	struct history_export_progress p;
	history_export_progress_snapshot(&h->export, &p);
	if (!p.running)
		return false;
	char label[80];
	snprintf(label, sizeof label, " Exporting (Esc stops)");
	ui_fill(r, ROLE_TITLE);
	ui_progress_draw(r, label, p.rows, p.total > 0 ? p.total : 0, -1, -1, h->ui->spinner);
	return true;
}

bool history_actions_done(struct hist *h, const struct jobs_completion *c)
{
	if (c->id == h->export_job) {
		h->export_job = 0;
		if (c->status == JOBS_DONE || strncmp(c->result, "export stopped", 14) == 0)
			ui_notify(h->ui, UI_NOTICE_INFO, "%s", c->result);
		else if (c->status == JOBS_CANCELLED) /* before it began */
			ui_notify(h->ui, UI_NOTICE_INFO, "export stopped before it began: no file "
							 "was written");
		return true; /* a failure: the shell says it */
	}
	if (c->id == h->sync_job) {
		h->sync_job = 0;
		if (c->status == JOBS_DONE)
			ui_notify(h->ui, UI_NOTICE_INFO, "%s", c->result);
		else if (c->status == JOBS_CANCELLED)
			ui_notify(h->ui, UI_NOTICE_INFO, "sync stopped; S resumes it");
		return true;
	}
	if (c->id && c->id == h->receipt_job) {
		h->receipt_job = 0;
		if (c->status == JOBS_DONE)
			ui_notify(h->ui, UI_NOTICE_INFO, "%s", c->result);
		return true;
	}
	if (c->id == h->refund_job) {
		h->refund_job = 0;
		if (c->status == JOBS_DONE)
			ui_notify(h->ui, UI_NOTICE_INFO, "%s", c->result);
		return true;
	}
	return false;
}
