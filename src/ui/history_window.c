/* The History tab's window of rows: a few hundred rows around the
 * viewport, fetched a keyset page at a time (never OFFSET), the selection
 * kept in it, the totals (a search's added up between keys) and the
 * selected record's detail. Keys are in screen_history.c. */
#include <stdio.h>
#include <string.h>

#include "paydesk/history.h"
#include "paydesk/history_desk.h"
#include "paydesk/money.h"
#include "bench_trace.h"
#include "screen_history.h"

void history_fail(struct hist *h, const struct pd_error *err)
{
	ui_notify(h->ui, UI_NOTICE_ERROR, "%s", err->msg);
}

int history_page_rows(const struct hist *h)
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
		history_fail(h, &err);
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
	int page = history_page_rows(h);
	while (h->sel + 2 * page >= h->n && extend(h, true))
		;
	while (h->top < page && extend(h, false))
		;
}

void history_clamp(struct hist *h)
{
	int page = history_page_rows(h);
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

void history_load_start(struct hist *h)
{
	reset_window(h);
	h->at_start = true;
	extend(h, true);
	history_ensure(h);
	h->pos = h->n ? 0 : -1;
}

void history_load_end(struct hist *h)
{
	reset_window(h);
	h->at_end = true;
	extend(h, false);
	h->sel = h->n - 1;
	h->top = h->n - history_page_rows(h);
	history_clamp(h);
	history_ensure(h);
	/* while a search's count is still adding up, the place is not known */
	h->pos = h->count > 0 && !h->totals_pending ? h->count - 1 : -1;
}

/* The selected row's place, when the window holds an end of the view: a
 * record sorted into the other order showed "~/2,500" though it was the
 * last; a G while a search was counting kept "~" after the count. */
static void pos_from_ends(struct hist *h)
{
	if (h->pos >= 0 || h->n == 0)
		return;
	if (h->at_start)
		h->pos = h->sel;
	else if (h->at_end && h->count > 0 && !h->totals_pending)
		h->pos = h->count - (h->n - h->sel);
}

/* Put row first in a fresh window and fill around it. */
void history_load_at(struct hist *h, const struct history_row *row)
{
	reset_window(h);
	h->rows[0] = *row;
	h->n = 1;
	history_ensure(h);
	history_clamp(h);
	h->pos = -1;
	pos_from_ends(h);
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
bool history_idle(void *state, struct ui *ui, bool step)
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
		history_fail(h, &err);
		return false;
	}
	h->totals_pending = !done;
	totals_added(h);
	if (done) {
		pos_from_ends(h);
		ui_trace_mark("history_totals_complete");
	}
	return h->totals_pending;
}

void history_load_totals(struct hist *h)
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
		history_fail(h, &err);
	}
	totals_added(h);
}

/* New filter or sort: a new view, the first rows, the totals. */
void history_requery(struct hist *h, bool totals)
{
	struct pd_error err = {0};
	h->matched_nowhere = false; /* a search sets it again after this */
	/* amounts of two currencies do not compare, and the amount indexes
	 * begin with the currency: a filter cleared (x, or the form) while
	 * sorted by amount keeps the selected record's currency (without one,
	 * every page sorted every record: 15 s at 10M) */
	const struct history_row *sel = history_selected(h);
	if (h->sort == HISTORY_SORT_AMOUNT && !h->filter.currency[0] && sel) {
		snprintf(h->filter.currency, sizeof h->filter.currency, "%s", sel->currency);
		h->sort_currency = true;
	} else if (h->sort == HISTORY_SORT_AMOUNT && !h->filter.currency[0]) {
		h->sort = HISTORY_SORT_DATE; /* no record to take it from */
		h->desc = true;
	}
	history_view_free(&h->view);
	if (history_view_new(h->ui->app->db, &h->filter, h->sort, h->desc, &h->view, &err)) {
		history_fail(h, &err);
		reset_window(h);
		return;
	}
	ui_trace_mark("history_query");
	if (totals)
		history_load_totals(h);
	ui_trace_mark("history_totals_done");
	history_load_start(h);
	ui_trace_mark("history_rows_done");
	h->loaded = true;
}

void history_move_by(struct hist *h, int delta, bool scroll_too)
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
	/* scrolled to an end from a place not known (a record the sort kept
	 * deep in the list): the newest record said "~/32,710" until g */
	pos_from_ends(h);
}

const struct history_row *history_selected(const struct hist *h)
{
	return h->n > 0 && h->sel >= 0 && h->sel < h->n ? &h->rows[h->sel] : NULL;
}

void history_load_detail(struct hist *h)
{
	const struct history_row *row = history_selected(h);
	if (h->has_detail)
		history_detail_free(&h->detail);
	h->has_detail = false;
	if (!row)
		return;
	struct pd_error err = {0};
	if (history_detail_get(h->ui->app->db, row->id, &h->detail, &err)) {
		history_fail(h, &err);
		return;
	}
	h->has_detail = true;
}

void history_refresh_row(struct hist *h, int idx)
{
	struct pd_error err = {0};
	struct history_row row;
	if (!history_row_get(h->ui->app->db, h->rows[idx].id, &row, &err))
		h->rows[idx] = row;
	if (h->mode == MODE_DETAIL)
		history_load_detail(h);
}

void history_jump_to_day(struct hist *h, int64_t day_start)
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
		history_fail(h, &err);
		return;
	}
	if (!got) {
		history_load_end(h);
		return;
	}
	history_load_at(h, &row);
}
