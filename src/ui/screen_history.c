/* The History tab: a keyset-paged virtual list over the store (a small
 * window of rows around the viewport, never OFFSET), filters, `/` search,
 * sort, per-currency totals, a detail pane, review marks and export. */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "paydesk/history.h"
#include "paydesk/audit_events.h"
#include "paydesk/file_replace.h"
#include "paydesk/history_desk.h"
#include "paydesk/history_export.h"
#include "paydesk/history_review.h"
#include "paydesk/money.h"
#include "bench_trace.h"
#include "screen_history.h"
#include "screen_payouts.h"
#include "widgets.h"

/* ---- keys ------------------------------------------------------------------ */

static const struct ui_binding keys[] = {
	{UI_KEY_ENTER, UI_ACT_OPEN, "details of the selected record", NULL},
	{UI_KEY_ESC, UI_ACT_BACK, "stop export / close details / clear search", NULL},
	{'/', UI_ACT_SEARCH, "search names, emails, descriptions, ids", NULL},
	{'n', UI_ACT_SEARCH_NEXT, "next unreviewed (in the filter / search)", NULL},
	{'N', UI_ACT_SEARCH_PREV, "previous unreviewed", NULL},
	{' ', UI_ACT_REVIEW, "mark reviewed (and go to the next) / not reviewed", NULL},
	{'R', UI_ACT_REVIEW_ALL, NULL, NULL},
	{'f', UI_ACT_FLAG, NULL, NULL},
	{'a', UI_ACT_NOTE, NULL, NULL},
	{'F', UI_ACT_FILTER, NULL, NULL},
	{'x', UI_ACT_CLEAR, NULL, NULL},
	{'s', UI_ACT_SORT, NULL, NULL},
	{'e', UI_ACT_EXPORT, NULL, NULL},
	{'J', UI_ACT_JUMP, NULL, NULL},
	{'r', UI_ACT_REFUND, "refund the selected payment", NULL},
	{'E', UI_ACT_RECEIPT, "email the selected payment's Stripe receipt again", NULL},
	{'S', UI_ACT_SYNC, "sync from Stripe now (again: stop it)", NULL},
	{'P', UI_ACT_PAYOUTS, NULL, NULL},
};

/* ---- the window of rows ------------------------------------------------------ */

static void fail(struct hist *h, const struct pd_error *err)
{
	ui_notify(h->ui, UI_NOTICE_ERROR, "%s", err->msg);
}

static int page_rows(const struct hist *h)
{
	return h->page > 0 ? h->page : 10;
}

/* Fetch rows beyond the last one (forward) or before the first. */
static bool extend(struct hist *h, bool forward)
{
	if (forward ? h->at_end : h->at_start)
		return false;
	struct history_row got_rows[FETCH];
	struct history_key key;
	int got = 0;
	struct pd_error err = {0};
	if (h->n > 0)
		key = history_view_key(h->view, &h->rows[forward ? h->n - 1 : 0]);
	if (history_view_page(h->view, h->n > 0 ? &key : NULL, forward, got_rows, FETCH, &got,
			      &err)) {
		fail(h, &err);
		return false;
	}
	if (got < FETCH) {
		if (forward)
			h->at_end = true;
		else
			h->at_start = true;
	}
	if (got == 0)
		return false;
	/* Make room by dropping rows at the far end from where we grow. */
	int overflow = h->n + got - CACHE_CAP;
	if (overflow > 0) {
		if (forward) {
			memmove(h->rows, h->rows + overflow, (size_t)(h->n - overflow) * sizeof h->rows[0]);
			h->sel -= overflow;
			h->top -= overflow;
			h->at_start = false;
		} else {
			h->at_end = false;
		}
		h->n -= overflow;
	}
	if (forward) {
		memcpy(h->rows + h->n, got_rows, (size_t)got * sizeof h->rows[0]);
	} else {
		memmove(h->rows + got, h->rows, (size_t)h->n * sizeof h->rows[0]);
		for (int i = 0; i < got; i++) /* they come nearest first */
			h->rows[got - 1 - i] = got_rows[i];
		h->sel += got;
		h->top += got;
	}
	h->n += got;
	return true;
}

/* Keep a page of rows on each side of the viewport when the data has them. */
void history_ensure(struct hist *h)
{
	int page = page_rows(h);
	while (h->sel + 2 * page >= h->n && extend(h, true))
		;
	while (h->top < page && extend(h, false))
		;
}

void history_clamp(struct hist *h)
{
	int page = page_rows(h);
	if (h->n == 0) {
		h->sel = h->top = 0;
		return;
	}
	if (h->sel >= h->n)
		h->sel = h->n - 1;
	if (h->sel < 0)
		h->sel = 0;
	if (h->top > h->sel)
		h->top = h->sel;
	if (h->sel >= h->top + page)
		h->top = h->sel - page + 1;
	if (h->top > h->n - page && h->at_end)
		h->top = h->n - page;
	if (h->top < 0)
		h->top = 0;
}

/* Empty the window; the next history_ensure() refills it from `at` (or an end). */
static void reset_window(struct hist *h)
{
	h->n = h->sel = h->top = 0;
	h->at_start = h->at_end = false;
}

static void load_start(struct hist *h)
{
	reset_window(h);
	h->at_start = true;
	extend(h, true);
	history_ensure(h);
	h->pos = h->n ? 0 : -1;
}

static void load_end(struct hist *h)
{
	reset_window(h);
	h->at_end = true;
	extend(h, false);
	h->sel = h->n - 1;
	h->top = h->n - page_rows(h);
	history_clamp(h);
	history_ensure(h);
	/* while a search's count is still adding up, the place is not known */
	h->pos = h->count > 0 && !h->totals_pending ? h->count - 1 : -1;
}

/* Put row first in a fresh window and fill around it. */
static void load_at(struct hist *h, const struct history_row *row)
{
	reset_window(h);
	h->rows[0] = *row;
	h->n = 1;
	history_ensure(h);
	history_clamp(h);
	h->pos = -1;
}

/* The desk's money per tender for the filter's dates (the day's cash-up),
 * from the few desk rows alone (a partial index): only for filters the
 * tender split can follow — dates, currency, type. */
static void load_desk_tenders(struct hist *h, bool any_desk)
{
	const struct history_filter *f = &h->filter;
	h->desk_tenders[0] = '\0';
	if (!any_desk || f->search[0] || f->client[0] || f->status[0] || f->amount_min_set ||
	    f->amount_max_set || f->review != HISTORY_REVIEW_ANY)
		return;
	struct history_taking t[HISTORY_MAX_TAKINGS];
	int n = 0;
	if (history_desk_takings(h->ui->app->db, f->since, f->until ? f->until : INT64_MAX,
				 f->currency, t, HISTORY_MAX_TAKINGS, &n, NULL) != PD_OK)
		return;
	size_t used = (size_t)snprintf(h->desk_tenders, sizeof h->desk_tenders, "desk by tender:");
	for (int i = 0; i < n && used < sizeof h->desk_tenders; i++) {
		char money[64];
		int64_t kept = strcmp(f->type, "desk_refund") == 0   ? t[i].refunded
			       : strcmp(f->type, "desk") == 0	      ? t[i].taken
								      : t[i].taken - t[i].refunded;
		used += (size_t)snprintf(h->desk_tenders + used, sizeof h->desk_tenders - used,
					 "%s %s %s", i ? " ·" : "", history_tender_label(t[i].tender),
					 money_format(kept, t[i].currency, money, sizeof money));
	}
}

/* A chunk of a search's totals: matches added up per step (2,000: a few ms
 * at 10M records), so a key waits at most that long. */
#define TOTALS_CHUNK 2000

static void totals_added(struct hist *h)
{
	bool desk = false;
	h->count = 0;
	for (int i = 0; i < h->ntotals; i++) {
		h->count += h->totals[i].count;
		desk = desk || h->totals[i].desk_count;
	}
	if (!h->totals_pending)
		load_desk_tenders(h, desk);
}

/* history_screen.idle: the next chunk of a search's totals. */
static bool history_idle(void *state, struct ui *ui, bool step)
{
	(void)ui;
	struct hist *h = state;
	if (!h->totals_pending || !h->view)
		return false;
	if (!step)
		return true;
	struct pd_error err = {0};
	bool done = false;
	if (history_view_totals_step(h->view, TOTALS_CHUNK, h->totals, HISTORY_MAX_CURRENCIES,
				     &h->ntotals, &done, &err)) {
		h->totals_pending = false;
		h->ntotals = 0;
		fail(h, &err);
		return false;
	}
	h->totals_pending = !done;
	totals_added(h);
	if (done)
		ui_trace_mark("history_totals_complete");
	return h->totals_pending;
}

static void load_totals(struct hist *h)
{
	struct pd_error err = {0};
	h->count = 0;
	h->totals_pending = false;
	if (h->view && history_view_totals_deferred(h->view)) {
		/* a search: the first rows now, the totals as they add up */
		history_view_totals_reset(h->view);
		h->ntotals = 0;
		h->desk_tenders[0] = '\0';
		h->totals_pending = true;
		return;
	}
	if (!h->view || history_view_totals(h->view, h->totals, HISTORY_MAX_CURRENCIES,
					    &h->ntotals, &err)) {
		h->ntotals = 0;
		fail(h, &err);
	}
	totals_added(h);
}

/* New filter or sort: a new view, the first rows, the totals. */
void history_requery(struct hist *h, bool totals)
{
	struct pd_error err = {0};
	history_view_free(&h->view);
	if (history_view_new(h->ui->app->db, &h->filter, h->sort, h->desc, &h->view, &err)) {
		fail(h, &err);
		reset_window(h);
		return;
	}
	ui_trace_mark("history_query");
	if (totals)
		load_totals(h);
	ui_trace_mark("history_totals_done");
	load_start(h);
	ui_trace_mark("history_rows_done");
	h->loaded = true;
}

static void move_by(struct hist *h, int delta, bool scroll_too)
{
	if (h->n == 0)
		return;
	int want = h->sel + delta;
	while (want >= h->n && extend(h, true))
		;
	while (want < 0) {
		int before = h->sel;
		if (!extend(h, false))
			break;
		want += h->sel - before;
	}
	if (want >= h->n)
		want = h->n - 1;
	if (want < 0)
		want = 0;
	if (h->pos >= 0)
		h->pos += want - h->sel;
	if (scroll_too)
		h->top += want - h->sel;
	h->sel = want;
	history_clamp(h);
	history_ensure(h);
	history_clamp(h);
}

/* ---- forms ------------------------------------------------------------------- */

static const char *const status_choices[] = {
	"any", "succeeded", "partially_refunded", "refunded", "disputed", "dispute_lost", "failed",
	"processing",
	"requires_payment_method", "requires_action", "requires_capture", "canceled", "pending",
	"paid", "open", "void", "uncollectible", "draft", NULL,
};
static const char *const type_choices[] = {"any", "payment", "refund", "invoice", "desk",
					   "desk_refund", NULL};
static const char *const review_choices[] = {"any", "reviewed", "unreviewed", "flagged", NULL};
static const char *const format_choices[] = {"csv", "jsonl", "quickbooks", "quickbooks 4 columns",
					    "xero", NULL};

static int validate_date(const char *v, char *msg, size_t len)
{
	struct pd_error err = {0};
	if (!*v || !history_date_parse(v, &(int64_t){0}, &err))
		return 0;
	snprintf(msg, len, "%s", err.msg);
	return -1;
}

static int validate_required_date(const char *v, char *msg, size_t len)
{
	if (!*v) {
		snprintf(msg, len, "type a date: YYYY-MM-DD");
		return -1;
	}
	return validate_date(v, msg, len);
}

static int validate_amount(const char *v, char *msg, size_t len)
{
	struct pd_error err = {0};
	/* the currency's decimals are checked when the filter is applied */
	if (!*v || !money_check(v, &err))
		return 0;
	snprintf(msg, len, "%s", err.msg);
	return -1;
}

static int validate_currency(const char *v, char *msg, size_t len)
{
	if (!*v)
		return 0;
	if (strlen(v) == 3 && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3)
		return 0;
	snprintf(msg, len, "a 3-letter currency code such as usd, or empty for all");
	return -1;
}

static int validate_path(const char *v, char *msg, size_t len)
{
	if (*v)
		return 0;
	snprintf(msg, len, "type a file name");
	return -1;
}

void history_close_form(struct hist *h)
{
	if (h->form_open)
		ui_form_free(&h->form);
	h->form_open = false;
	if (h->mode != MODE_DETAIL || !h->has_detail)
		h->mode = MODE_LIST;
	else
		h->mode = MODE_DETAIL;
}

void history_open_form(struct hist *h, enum mode mode, const struct ui_field *spec, int n)
{
	if (h->form_open)
		ui_form_free(&h->form);
	memset(h->fields, 0, sizeof h->fields);
	for (int i = 0; i < n; i++)
		h->fields[i] = spec[i];
	ui_form_init(&h->form, h->fields, n, 512);
	h->form_open = true;
	h->mode = mode;
}

static int choice_index(const char *const *choices, const char *value)
{
	for (int i = 0; choices[i]; i++)
		if (strcmp(choices[i], value) == 0)
			return i;
	return 0;
}

static void open_filter_form(struct hist *h)
{
	const struct ui_field spec[FF_COUNT] = {
		[FF_DATES] = {.label = "Dates", .kind = UI_FIELD_CHOICE, .hint = "Space or ←/→ to choose", .choices = history_range_names},
		[FF_FROM] = {.label = "From", .kind = UI_FIELD_TEXT, .hint = "YYYY-MM-DD (custom dates)", .validate = validate_date},
		[FF_TO] = {.label = "To", .kind = UI_FIELD_TEXT, .hint = "YYYY-MM-DD, included (custom dates)", .validate = validate_date},
		[FF_STATUS] = {.label = "Status", .kind = UI_FIELD_CHOICE, .choices = status_choices},
		[FF_TYPE] = {.label = "Type", .kind = UI_FIELD_CHOICE, .choices = type_choices},
		[FF_CLIENT] = {.label = "Client", .kind = UI_FIELD_TEXT, .hint = "name or email words, or cus_…"},
		[FF_MIN] = {.label = "Amount from", .kind = UI_FIELD_TEXT, .hint = "in the currency's units, e.g. 20.00", .validate = validate_amount},
		[FF_MAX] = {.label = "Amount to", .kind = UI_FIELD_TEXT, .hint = "included", .validate = validate_amount},
		[FF_CURRENCY] = {.label = "Currency", .kind = UI_FIELD_TEXT, .hint = "usd, eur, …; empty for all", .validate = validate_currency},
		[FF_REVIEW] = {.label = "Review", .kind = UI_FIELD_CHOICE, .choices = review_choices},
	};
	history_open_form(h, MODE_FILTER, spec, FF_COUNT);
	const struct history_filter *f = &h->filter;
	h->fields[FF_DATES].choice = h->range;
	char buf[64];
	if (h->range == HISTORY_RANGE_CUSTOM) {
		if (f->since) {
			history_fmt_time(f->since, false, buf, sizeof buf);
			textedit_set(&h->fields[FF_FROM].edit, buf);
		}
		if (f->until) {
			history_fmt_time(f->until - 1, false, buf, sizeof buf);
			textedit_set(&h->fields[FF_TO].edit, buf);
		}
	}
	h->fields[FF_STATUS].choice = f->status[0] ? choice_index(status_choices, f->status) : 0;
	h->fields[FF_TYPE].choice = f->type[0] ? choice_index(type_choices, f->type) : 0;
	textedit_set(&h->fields[FF_CLIENT].edit, f->client);
	const char *cur = f->currency[0] ? f->currency : h->ui->app->cfg.currency;
	if (f->amount_min_set) {
		money_format(f->amount_min, cur, buf, sizeof buf);
		*strrchr(buf, ' ') = '\0';
		textedit_set(&h->fields[FF_MIN].edit, buf);
	}
	if (f->amount_max_set) {
		money_format(f->amount_max, cur, buf, sizeof buf);
		*strrchr(buf, ' ') = '\0';
		textedit_set(&h->fields[FF_MAX].edit, buf);
	}
	textedit_set(&h->fields[FF_CURRENCY].edit, f->currency);
	h->fields[FF_REVIEW].choice = (int)f->review;
	h->form.dirty = false;
}

/* The filter form → a filter; false (errors shown inline) when a field is wrong. */
static bool apply_filter_form(struct hist *h)
{
	if (ui_form_validate(&h->form) >= 0)
		return false;
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "%s", h->filter.search);
	int range = h->fields[FF_DATES].choice;
	const char *from = ui_form_value(&h->form, FF_FROM), *to = ui_form_value(&h->form, FF_TO);
	struct pd_error err = {0};
	if (range == HISTORY_RANGE_CUSTOM || ((*from || *to) && range == HISTORY_RANGE_ALL)) {
		range = HISTORY_RANGE_CUSTOM;
		if (*from)
			history_date_parse(from, &f.since, &err);
		if (*to && !history_date_parse(to, &f.until, &err))
			f.until = history_next_day(f.until);
	} else {
		history_range_bounds((enum history_range)range, time(NULL), &f.since, &f.until);
	}
	int s = h->fields[FF_STATUS].choice, t = h->fields[FF_TYPE].choice;
	if (s > 0)
		snprintf(f.status, sizeof f.status, "%s", status_choices[s]);
	if (t > 0)
		snprintf(f.type, sizeof f.type, "%s", type_choices[t]);
	snprintf(f.client, sizeof f.client, "%s", ui_form_value(&h->form, FF_CLIENT));
	snprintf(f.currency, sizeof f.currency, "%s", ui_form_value(&h->form, FF_CURRENCY));
	for (char *p = f.currency; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	const char *cur = f.currency[0] ? f.currency : h->ui->app->cfg.currency;
	const char *min = ui_form_value(&h->form, FF_MIN), *max = ui_form_value(&h->form, FF_MAX);
	if (*min && money_parse(min, cur, &f.amount_min, &err)) {
		snprintf(h->fields[FF_MIN].error, sizeof h->fields[FF_MIN].error, "%.190s", err.msg);
		return false;
	}
	f.amount_min_set = *min;
	if (*max && money_parse(max, cur, &f.amount_max, &err)) {
		snprintf(h->fields[FF_MAX].error, sizeof h->fields[FF_MAX].error, "%.190s", err.msg);
		return false;
	}
	f.amount_max_set = *max;
	f.review = (enum history_review_filter)h->fields[FF_REVIEW].choice;
	if (history_filter_check(&f, &err)) {
		snprintf(h->fields[FF_TO].error, sizeof h->fields[FF_TO].error, "%.190s", err.msg);
		return false;
	}
	h->filter = f;
	h->sort_currency = false; /* a currency in the form is the reviewer's own now */
	h->range = range;
	return true;
}

const struct history_row *history_selected(const struct hist *h)
{
	return h->n > 0 && h->sel >= 0 && h->sel < h->n ? &h->rows[h->sel] : NULL;
}

static void load_detail(struct hist *h)
{
	const struct history_row *row = history_selected(h);
	if (h->has_detail)
		history_detail_free(&h->detail);
	h->has_detail = false;
	if (!row)
		return;
	struct pd_error err = {0};
	if (history_detail_get(h->ui->app->db, row->id, &h->detail, &err)) {
		fail(h, &err);
		return;
	}
	h->has_detail = true;
}

static void open_note_form(struct hist *h)
{
	const struct history_row *row = history_selected(h);
	if (!row)
		return;
	struct history_detail d;
	struct pd_error err = {0};
	char *note = NULL;
	if (!history_detail_get(h->ui->app->db, row->id, &d, &err)) {
		note = strdup(d.note);
		history_detail_free(&d);
	}
	const struct ui_field spec[] = {
		{.label = "Note", .kind = UI_FIELD_TEXT, .hint = "kept with your name and the time"},
	};
	history_open_form(h, MODE_NOTE, spec, 1);
	textedit_set(&h->fields[0].edit, note ? note : "");
	free(note);
	h->form.dirty = false;
}

static void open_export_form(struct hist *h)
{
	const struct ui_field spec[] = {
		{.label = "Format", .kind = UI_FIELD_CHOICE, .hint = "Space/←/→: csv, jsonl, quickbooks (3/4 columns), xero", .choices = format_choices},
		{.label = "File", .kind = UI_FIELD_TEXT, .hint = "written 0600; never over an existing file", .validate = validate_path},
	};
	history_open_form(h, MODE_EXPORT, spec, 2);
	char name[64];
	time_t now = time(NULL);
	struct tm tm;
	strftime(name, sizeof name, "paydesk-history-%Y%m%d.csv", localtime_r(&now, &tm));
	char *free_name = file_free_name(name); /* a second export today: -2, not over the first */
	textedit_set(&h->fields[1].edit, free_name ? free_name : name);
	free(free_name);
	h->form.dirty = false;
}

static void open_jump_form(struct hist *h)
{
	const struct ui_field spec[] = {
		{.label = "Date", .kind = UI_FIELD_TEXT, .hint = "YYYY-MM-DD", .validate = validate_required_date},
	};
	history_open_form(h, MODE_JUMP, spec, 1);
}

/* ---- actions ---------------------------------------------------------------------- */

static void refresh_row(struct hist *h, int idx)
{
	struct pd_error err = {0};
	struct history_row row;
	if (!history_row_get(h->ui->app->db, h->rows[idx].id, &row, &err))
		h->rows[idx] = row;
	if (h->mode == MODE_DETAIL)
		load_detail(h);
}

static void toggle_mark(struct hist *h, enum history_mark mark)
{
	const struct history_row *row = history_selected(h);
	if (!row)
		return;
	bool on = !(row->marks & mark);
	struct pd_error err = {0};
	if (history_review_mark(h->ui->app, row->stripe_id, mark, on, &err)) {
		fail(h, &err);
		return;
	}
	refresh_row(h, h->sel);
	if (h->filter.review != HISTORY_REVIEW_ANY) {
		/* the marks are part of the filter: gather its rows again, stay here */
		struct history_row keep = h->rows[h->sel];
		long pos = h->pos;
		history_requery(h, true);
		load_at(h, &keep);
		h->pos = pos;
	}
}

/* Space: a record checked is marked and the next one comes up, so a
 * month is reviewed one key a record. (Unmarking stays; with a review
 * filter the marked row leaves the view and the next is already there.) */
static void review_and_next(struct hist *h)
{
	const struct history_row *row = history_selected(h);
	bool marking = row && !(row->marks & HISTORY_MARK_REVIEWED);
	toggle_mark(h, HISTORY_MARK_REVIEWED);
	if (!marking || h->filter.review != HISTORY_REVIEW_ANY || !history_selected(h) ||
	    !(history_selected(h)->marks & HISTORY_MARK_REVIEWED))
		return;
	move_by(h, 1, false);
	if (h->mode == MODE_DETAIL)
		load_detail(h);
}

static void review_all_confirmed(struct ui *ui, void *ctx)
{
	struct hist *h = ctx;
	h->ui = ui;
	long marked = 0;
	struct pd_error err = {0};
	if (history_review_mark_all(ui->app, &h->filter, &marked, &err)) {
		fail(h, &err);
		return;
	}
	ui_notify(ui, UI_NOTICE_INFO, "marked %ld record%s reviewed", marked,
		  marked == 1 ? "" : "s");
	struct history_row keep = h->n ? h->rows[h->sel] : (struct history_row){0};
	history_requery(h, true);
	if (keep.id)
		load_at(h, &keep);
}

/* R: every record of the current filter (and search) reviewed at once,
 * after a confirmation that says how many. */
static void review_all(struct hist *h)
{
	long n = 0;
	struct pd_error err = {0};
	if (history_count_unreviewed(h->ui->app->db, &h->filter, &n, &err)) {
		fail(h, &err);
		return;
	}
	if (n == 0) {
		ui_notify(h->ui, UI_NOTICE_INFO, "every record here is reviewed already");
		return;
	}
	char what[400], body[600];
	history_filter_describe(&h->filter, what, sizeof what);
	snprintf(body, sizeof body, "Mark %ld record%s reviewed, as %s?\n(%s; the ones not "
		 "reviewed yet)", n, n == 1 ? "" : "s", history_actor(h->ui->app), what);
	ui_dialog_open(h->ui, &(struct ui_dialog_spec){.title = "Review all", .body = body,
						   .confirm_label = "mark them",
						   .on_confirm = review_all_confirmed, .ctx = h});
}

static void jump_unreviewed(struct hist *h, bool forward)
{
	const struct history_row *row = history_selected(h);
	struct history_key key;
	if (row)
		key = history_view_key(h->view, row);
	struct history_row found;
	struct pd_error err = {0};
	int rc = history_view_next_unreviewed(h->view, row ? &key : NULL, forward, &found, &err);
	if (rc == PD_ERR_NOT_FOUND) {
		ui_notify(h->ui, UI_NOTICE_INFO, "%s", err.msg);
		return;
	}
	if (rc) {
		fail(h, &err);
		return;
	}
	/* close by: move within the window, keeping the known position */
	for (int i = 0; i < h->n; i++) {
		if (h->rows[i].id == found.id) {
			move_by(h, i - h->sel, false);
			return;
		}
	}
	load_at(h, &found);
}

static void jump_to_day(struct hist *h, int64_t day_start)
{
	if (h->sort != HISTORY_SORT_DATE) {
		h->sort = HISTORY_SORT_DATE;
		history_requery(h, false);
	}
	/* the first row of that day in the view's order, by key (never OFFSET) */
	struct history_key from = h->desc ? (struct history_key){history_next_day(day_start), 0}
					  : (struct history_key){day_start, 0};
	struct history_row row;
	int got = 0;
	struct pd_error err = {0};
	if (history_view_page(h->view, &from, true, &row, 1, &got, &err)) {
		fail(h, &err);
		return;
	}
	if (!got) {
		load_end(h);
		return;
	}
	load_at(h, &row);
}

static void submit_form(struct hist *h)
{
	struct pd_error err = {0};
	const struct history_row *row = history_selected(h);
	switch (h->mode) {
	case MODE_FILTER:
		if (!apply_filter_form(h))
			return;
		history_close_form(h);
		h->mode = MODE_LIST;
		history_requery(h, true);
		return;
	case MODE_NOTE:
		if (row && history_review_note(h->ui->app, row->stripe_id, ui_form_value(&h->form, 0),
					       &err)) {
			fail(h, &err);
			return;
		}
		history_close_form(h);
		refresh_row(h, h->sel);
		return;
	case MODE_EXPORT: {
		if (ui_form_validate(&h->form) >= 0)
			return;
		enum history_format fmt = h->fields[0].choice == 1 ? HISTORY_JSONL : HISTORY_CSV;
		char *path = strdup(ui_form_value(&h->form, 1));
		if (!path)
			return;
		/* A file already there is refused here, where it can be renamed. */
		if (access(path, F_OK) == 0) {
			snprintf(h->fields[1].error, sizeof h->fields[1].error,
				 "%.100s already exists: type another name (an export never "
				 "replaces a file)",
				 path);
			free(path);
			return;
		}
		/* On a worker: a large history takes seconds, and keys keep answering. */
		history_close_form(h);
		int acct = h->fields[0].choice; /* 2-4: the Stripe balance for accounting */
		if (acct >= 2)
			history_accounting_export_start(h, acct == 2   ? ACCT_QUICKBOOKS3
							   : acct == 3 ? ACCT_QUICKBOOKS4
								       : ACCT_XERO,
							path);
		else
			history_export_start(h, fmt, path);
		free(path);
		return;
	}
	case MODE_REFUND:
		history_refund_submit(h);
		return;
	case MODE_JUMP: {
		if (ui_form_validate(&h->form) >= 0)
			return;
		int64_t day = 0;
		history_date_parse(ui_form_value(&h->form, 0), &day, &err);
		history_close_form(h);
		h->mode = MODE_LIST;
		jump_to_day(h, day);
		return;
	}
	default:
		return;
	}
}

/* ---- actions: one small function each ------------------------------------ */

/* Every action starts here: the handlers reach the UI through h. */
static struct hist *hist_of(void *state, struct ui *ui)
{
	struct hist *h = state;
	h->ui = ui;
	return h;
}

static enum ui_result do_up_down(void *state, struct ui *ui, int step)
{
	struct hist *h = hist_of(state, ui);
	move_by(h, step, false);
	if (h->mode == MODE_DETAIL)
		load_detail(h);
	return UI_HANDLED;
}

static enum ui_result do_down(void *state, struct ui *ui)
{
	return do_up_down(state, ui, 1);
}

static enum ui_result do_up(void *state, struct ui *ui)
{
	return do_up_down(state, ui, -1);
}

/* Pages and half pages: by a share of the rows shown. */
static enum ui_result do_pages(void *state, struct ui *ui, int num, int den)
{
	struct hist *h = hist_of(state, ui);
	move_by(h, page_rows(h) / den * num, true);
	return UI_HANDLED;
}

static enum ui_result do_page_down(void *state, struct ui *ui)
{
	return do_pages(state, ui, 1, 1);
}

static enum ui_result do_page_up(void *state, struct ui *ui)
{
	return do_pages(state, ui, -1, 1);
}

static enum ui_result do_half_down(void *state, struct ui *ui)
{
	return do_pages(state, ui, 1, 2);
}

static enum ui_result do_half_up(void *state, struct ui *ui)
{
	return do_pages(state, ui, -1, 2);
}

static enum ui_result do_top(void *state, struct ui *ui)
{
	load_start(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_bottom(void *state, struct ui *ui)
{
	load_end(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_open(void *state, struct ui *ui)
{
	struct hist *h = hist_of(state, ui);
	load_detail(h);
	if (h->has_detail)
		h->mode = MODE_DETAIL;
	return UI_HANDLED;
}

static enum ui_result do_back(void *state, struct ui *ui)
{
	struct hist *h = hist_of(state, ui);
	if (history_export_stop(h)) { /* first: Esc stops a running export */
	} else if (h->mode == MODE_DETAIL) {
		h->mode = MODE_LIST;
	} else if (h->filter.search[0]) {
		h->filter.search[0] = '\0';
		history_requery(h, true);
	}
	return UI_HANDLED;
}

static enum ui_result do_search(void *state, struct ui *ui)
{
	struct hist *h = hist_of(state, ui);
	h->mode = MODE_SEARCH;
	textedit_set(&h->search, h->filter.search);
	return UI_HANDLED;
}

static enum ui_result do_next_unreviewed(void *state, struct ui *ui)
{
	jump_unreviewed(hist_of(state, ui), true);
	return UI_HANDLED;
}

static enum ui_result do_prev_unreviewed(void *state, struct ui *ui)
{
	jump_unreviewed(hist_of(state, ui), false);
	return UI_HANDLED;
}

static enum ui_result do_review(void *state, struct ui *ui)
{
	review_and_next(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_review_all(void *state, struct ui *ui)
{
	review_all(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_flag(void *state, struct ui *ui)
{
	toggle_mark(hist_of(state, ui), HISTORY_MARK_FLAGGED);
	return UI_HANDLED;
}

static enum ui_result do_note(void *state, struct ui *ui)
{
	open_note_form(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_filter(void *state, struct ui *ui)
{
	open_filter_form(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_clear(void *state, struct ui *ui)
{
	struct hist *h = hist_of(state, ui);
	memset(&h->filter, 0, sizeof h->filter);
	h->sort_currency = false;
	h->range = HISTORY_RANGE_ALL;
	history_requery(h, true);
	return UI_HANDLED;
}

/* date ↓, date ↑, amount ↓, amount ↑ */
static enum ui_result do_sort(void *state, struct ui *ui)
{
	struct hist *h = hist_of(state, ui);
	if (h->desc) {
		h->desc = false;
	} else {
		h->desc = true;
		h->sort = h->sort == HISTORY_SORT_DATE ? HISTORY_SORT_AMOUNT : HISTORY_SORT_DATE;
	}
	/* amounts of two currencies do not compare: by amount is within one
	 * currency, the selected record's unless the filter names one */
	bool refilter = false;
	if (h->sort == HISTORY_SORT_AMOUNT && !h->filter.currency[0] && history_selected(h)) {
		snprintf(h->filter.currency, sizeof h->filter.currency, "%s",
			 history_selected(h)->currency);
		h->sort_currency = refilter = true;
	} else if (h->sort == HISTORY_SORT_DATE && h->sort_currency) {
		h->filter.currency[0] = '\0';
		h->sort_currency = false;
		refilter = true;
	}
	history_requery(h, refilter);
	return UI_HANDLED;
}

static enum ui_result do_export(void *state, struct ui *ui)
{
	struct hist *h = hist_of(state, ui);
	if (!history_export_stop(h)) /* again while it runs: stop it */
		open_export_form(h);
	return UI_HANDLED;
}

static enum ui_result do_jump(void *state, struct ui *ui)
{
	open_jump_form(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_refund(void *state, struct ui *ui)
{
	history_refund_open(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_receipt(void *state, struct ui *ui)
{
	history_receipt_resend(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_sync(void *state, struct ui *ui)
{
	history_sync_toggle(hist_of(state, ui), false);
	return UI_HANDLED;
}

static enum ui_result do_payouts(void *state, struct ui *ui)
{
	(void)state;
	ui_payouts_open(ui);
	return UI_HANDLED;
}

static const struct ui_function functions[] = {
	{UI_ACT_PAYOUTS, do_payouts, NULL},
	{UI_ACT_DOWN, do_down, NULL},
	{UI_ACT_UP, do_up, NULL},
	{UI_ACT_PAGE_DOWN, do_page_down, NULL},
	{UI_ACT_PAGE_UP, do_page_up, NULL},
	{UI_ACT_HALF_DOWN, do_half_down, NULL},
	{UI_ACT_HALF_UP, do_half_up, NULL},
	{UI_ACT_TOP, do_top, NULL},
	{UI_ACT_BOTTOM, do_bottom, NULL},
	{UI_ACT_OPEN, do_open, NULL},
	{UI_ACT_BACK, do_back, NULL},
	{UI_ACT_SEARCH, do_search, NULL},
	{UI_ACT_SEARCH_NEXT, do_next_unreviewed, NULL},
	{UI_ACT_SEARCH_PREV, do_prev_unreviewed, NULL},
	{UI_ACT_REVIEW, do_review, NULL},
	{UI_ACT_REVIEW_ALL, do_review_all, NULL},
	{UI_ACT_FLAG, do_flag, NULL},
	{UI_ACT_NOTE, do_note, NULL},
	{UI_ACT_FILTER, do_filter, NULL},
	{UI_ACT_CLEAR, do_clear, NULL},
	{UI_ACT_SORT, do_sort, NULL},
	{UI_ACT_EXPORT, do_export, NULL},
	{UI_ACT_JUMP, do_jump, NULL},
	{UI_ACT_REFUND, do_refund, NULL},
	{UI_ACT_RECEIPT, do_receipt, NULL},
	{UI_ACT_SYNC, do_sync, NULL},
};

/* Raw keys while a prompt or a form has focus. */
static enum ui_result key(void *state, struct ui *ui, int k)
{
	struct hist *h = state;
	h->ui = ui;
	if (h->mode == MODE_SEARCH) {
		if (k == UI_KEY_ESC) {
			h->mode = MODE_LIST;
		} else if (k == UI_KEY_ENTER) {
			h->mode = MODE_LIST;
			snprintf(h->filter.search, sizeof h->filter.search, "%s", h->search.text);
			history_requery(h, true);
		} else if (k == UI_KEY_FN(KEY_BACKSPACE)) {
			textedit_backspace(&h->search);
		} else if (k == UI_KEY_FN(KEY_LEFT)) {
			textedit_left(&h->search);
		} else if (k == UI_KEY_FN(KEY_RIGHT)) {
			textedit_right(&h->search);
		} else if (k == UI_CTRL('u')) {
			textedit_kill_to_start(&h->search);
		} else if (k == UI_CTRL('w')) {
			textedit_kill_word(&h->search);
		} else if (k >= 0x20 && k < 0x110000 && k != 0x7f) {
			textedit_insert(&h->search, (uint32_t)k);
		}
		return UI_HANDLED;
	}
	if (h->mode == MODE_FILTER || h->mode == MODE_NOTE || h->mode == MODE_EXPORT ||
	    h->mode == MODE_JUMP || h->mode == MODE_REFUND) {
		if (k == UI_KEY_ESC)
			history_close_form(h);
		else if (k == UI_KEY_ENTER)
			submit_form(h);
		else
			ui_form_key(&h->form, k);
		return UI_HANDLED; /* modal: nothing reaches the tables behind */
	}
	return UI_UNHANDLED;
}

static void drop(void *state, struct ui *ui)
{
	(void)ui;
	struct hist *h = state;
	if (h->form_open)
		history_close_form(h);
	if (h->mode == MODE_SEARCH)
		h->mode = MODE_LIST; /* the search applied stays: it is the list */
}

static bool editing(void *state)
{
	const struct hist *h = state;
	return h->mode == MODE_SEARCH || h->mode == MODE_FILTER || h->mode == MODE_NOTE ||
	       h->mode == MODE_EXPORT || h->mode == MODE_JUMP || h->mode == MODE_REFUND;
}

static bool dirty(void *state)
{
	const struct hist *h = state;
	return (h->mode == MODE_NOTE || h->mode == MODE_REFUND) && h->form_open && h->form.dirty;
}

static void reload(void *state, struct ui *ui)
{
	struct hist *h = state;
	h->ui = ui;
	struct pd_error err = {0};
	history_last_synced(ui->app->db, &h->last_synced, &err);
	history_sync_if_stale(h);
	if (!h->loaded) {
		history_requery(h, true);
		return;
	}
	/* The store may have grown: keep the place, refresh rows and totals. */
	const struct history_row *row = history_selected(h);
	struct history_row keep;
	bool had = row != NULL;
	if (had)
		keep = *row;
	load_totals(h);
	if (had && !history_row_get(ui->app->db, keep.id, &keep, &err)) {
		long pos = h->pos;
		load_at(h, &keep);
		h->pos = pos;
	} else {
		load_start(h);
	}
}

static void *open_history(struct ui *ui)
{
	struct hist *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->ui = ui;
	h->desc = true;
	h->sort = HISTORY_SORT_DATE;
	h->pos = -1;
	textedit_init(&h->search, 120, false);
	history_sync_progress_init(&h->sync);
	history_export_progress_init(&h->export);
	return h;
}

static void job_done(void *state, struct ui *ui, const struct jobs_completion *c)
{
	struct hist *h = state;
	h->ui = ui;
	history_actions_done(h, c);
}

static void close_history(void *state)
{
	struct hist *h = state;
	if (!h)
		return;
	if (h->form_open)
		ui_form_free(&h->form);
	if (h->has_detail)
		history_detail_free(&h->detail);
	textedit_free(&h->search);
	history_view_free(&h->view);
	history_sync_progress_destroy(&h->sync);
	history_export_progress_destroy(&h->export);
	free(h);
}

const struct ui_screen screen_history = {
	.name = "history",
	.title = "History",
	.keys = keys,
	.nkeys = sizeof keys / sizeof keys[0],
	.list_keys = true,
	.open = open_history,
	.close = close_history,
	.draw = history_draw,
	.funcs = functions,
	.nfuncs = sizeof functions / sizeof functions[0],
	.key = key,
	.editing = editing,
	.dirty = dirty,
	.job_done = job_done,
	.reload = reload,
	.idle = history_idle,
	.drop = drop,
};
