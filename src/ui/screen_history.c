/* The History tab: a keyset-paged virtual list over the store, filters,
 * `/` search, sort, per-currency totals, a detail pane, review marks and
 * export. This file is the screen itself: its keys and what each does;
 * the window of rows is history_window.c, the forms history_forms.c, the
 * review marks history_marks.c, the drawing history_draw.c. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/history.h"
#include "paydesk/history_export.h"
#include "paydesk/money.h"
#include "screen_history.h"
#include "screen_payouts.h"
#include "widgets.h"

/* ---- keys ------------------------------------------------------------------ */

static const struct ui_binding keys[] = {
	{UI_KEY_ENTER, UI_ACT_OPEN, "details of the selected record", NULL},
	{UI_KEY_ESC, UI_ACT_BACK, "stop export / close details / clear search", NULL},
	{'/', UI_ACT_SEARCH, "search names, emails, descriptions, ids, amounts, last 4", NULL},
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
	history_move_by(h, step, false);
	if (h->mode == MODE_DETAIL)
		history_load_detail(h);
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
	history_move_by(h, history_page_rows(h) / den * num, true);
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
	history_load_start(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_bottom(void *state, struct ui *ui)
{
	history_load_end(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_open(void *state, struct ui *ui)
{
	struct hist *h = hist_of(state, ui);
	history_load_detail(h);
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
	history_jump_unreviewed(hist_of(state, ui), true);
	return UI_HANDLED;
}

static enum ui_result do_prev_unreviewed(void *state, struct ui *ui)
{
	history_jump_unreviewed(hist_of(state, ui), false);
	return UI_HANDLED;
}

static enum ui_result do_review(void *state, struct ui *ui)
{
	history_review_and_next(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_review_all(void *state, struct ui *ui)
{
	history_review_all(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_flag(void *state, struct ui *ui)
{
	history_mark_toggle(hist_of(state, ui), HISTORY_MARK_FLAGGED);
	return UI_HANDLED;
}

static enum ui_result do_note(void *state, struct ui *ui)
{
	history_note_form_open(hist_of(state, ui));
	return UI_HANDLED;
}

static enum ui_result do_filter(void *state, struct ui *ui)
{
	history_filter_form_open(hist_of(state, ui));
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
	/* the selected record stays selected in a new date order, so the
	 * amount sort after it takes its currency (a tester's second s took
	 * the first row's currency, not the one chosen) */
	const struct history_row *sel = history_selected(h);
	struct history_row keep;
	bool kept = sel != NULL;
	if (kept)
		keep = *sel;
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
	/* by date, the list goes on around it; by amount it starts at the top
	 * (the largest first is what was asked; and a walk from the middle of
	 * the amount index reads both ways) */
	if (kept && h->n > 0 && h->sort == HISTORY_SORT_DATE)
		history_load_at(h, &keep);
	return UI_HANDLED;
}

static enum ui_result do_export(void *state, struct ui *ui)
{
	struct hist *h = hist_of(state, ui);
	if (!history_export_stop(h)) /* again while it runs: stop it */
		history_export_form_open(h);
	return UI_HANDLED;
}

static enum ui_result do_jump(void *state, struct ui *ui)
{
	history_jump_form_open(hist_of(state, ui));
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

/* What the status line said refusing the last search goes once a search
 * is taken or the refused one given up, unless something newer was said
 * since (it stayed through later searches that found records). */
static void forget_refusal(struct hist *h, struct ui *ui)
{
	if (h->search_refused[0] && strcmp(h->search_refused, ui->last_error) == 0)
		ui_clear_notices(ui);
	h->search_refused[0] = '\0';
}

/* The search typed, as searched: without the spaces around it, and never
 * with a word the field cut short (a pasted "... 390" kept as "... 39" listed
 * the 39.00 records): a full field is searched to its last whole word. */
/* The currency of the newest record h's filter matches in any currency,
 * into code; false when it matches none. By amount, a new search is
 * sorted in it, as a sort from its first record by date would be: the
 * currency the last search's sort took hid a client who pays in another. */
static bool newest_match_currency(struct hist *h, char code[4])
{
	struct history_filter f = h->filter;
	f.currency[0] = '\0';
	struct history_view *v = NULL;
	struct history_row row;
	struct pd_error err = {0};
	int got = 0;
	bool found = !history_view_new(h->ui->app->db, &f, HISTORY_SORT_DATE, true, &v, &err) &&
		     !history_view_page(v, NULL, true, &row, 1, &got, &err) && got == 1;
	history_view_free(&v);
	if (found)
		snprintf(code, 4, "%s", row.currency);
	return found;
}

static void search_submit(struct hist *h, struct ui *ui)
{
	char text[sizeof h->filter.search];
	snprintf(text, sizeof text, "%s", h->search.text);
	bool cut = false;
	size_t n = strlen(text);
	if (h->search_full) {
		while (n > 0 && text[n - 1] != ' ')
			n--;
		cut = true;
	}
	while (n > 0 && text[n - 1] == ' ')
		n--;
	text[n] = '\0';
	size_t lead = strspn(text, " ");
	if (cut && n == 0) { /* one word, cut: nothing whole to search */
		ui_notify(ui, UI_NOTICE_ERROR,
			  "a word longer than a search holds (%zu): shorten it",
			  h->search.max);
		snprintf(h->search_refused, sizeof h->search_refused, "%s", ui->last_error);
		return;
	}
	if (text[lead] && !history_search_searchable(ui->app->db, text + lead)) {
		/* "/." listed every record under "/." as if they all matched */
		ui_notify(ui, UI_NOTICE_ERROR,
			  "nothing to search: type a word, an amount, an id or last 4");
		snprintf(h->search_refused, sizeof h->search_refused, "%s", ui->last_error);
		return;
	}
	forget_refusal(h, ui);
	h->mode = MODE_LIST;
	h->search_full = false;
	snprintf(h->filter.search, sizeof h->filter.search, "%s", text + lead);
	/* by amount in the currency the sort took, a search naming another
	 * ("29 eur" after a yen record was sorted) showed nothing: the
	 * search's currency is the sort's now */
	char code[4];
	bool nowhere = false;
	if (h->sort == HISTORY_SORT_AMOUNT && h->sort_currency &&
	    !history_search_named_currency(ui->app->db, h->filter.search, code)) {
		nowhere = !newest_match_currency(h, code);
		char shown[4];
		if (!nowhere && strcmp(code, h->filter.currency) != 0)
			ui_notify(ui, UI_NOTICE_INFO, "by amount in %s, the newest match's; s s: all",
				  money_currency_code(code, shown));
	}
	if (h->sort == HISTORY_SORT_AMOUNT && h->sort_currency && !nowhere)
		snprintf(h->filter.currency, sizeof h->filter.currency, "%s", code);
	history_requery(h, true);
	h->matched_nowhere = nowhere;
	if (cut)
		ui_notify(ui, UI_NOTICE_INFO,
			  "searched to the last whole word: a search holds %zu characters",
			  h->search.max);
}

/* Raw keys while a prompt or a form has focus. */
static enum ui_result key(void *state, struct ui *ui, int k)
{
	struct hist *h = state;
	h->ui = ui;
	if (h->mode == MODE_SEARCH) {
		if (k == UI_KEY_ESC) {
			h->mode = MODE_LIST;
			h->search_full = false;
			forget_refusal(h, ui); /* the refused search given up */
		} else if (k == UI_KEY_ENTER) {
			search_submit(h, ui);
		} else {
			enum ui_edit e = ui_textedit_key(&h->search, k);
			if (e == UI_EDIT_DELETED) {
				h->search_full = false; /* edited: what is there is what is meant */
			} else if (e == UI_EDIT_FULL && !h->search_full) {
				h->search_full = true;
				ui_notify(ui, UI_NOTICE_ERROR,
					  "a search holds %zu characters: what came after was not typed",
					  h->search.max);
			}
		}
		return UI_HANDLED;
	}
	if (h->mode == MODE_FILTER || h->mode == MODE_NOTE || h->mode == MODE_EXPORT ||
	    h->mode == MODE_JUMP || h->mode == MODE_REFUND) {
		if (k == UI_KEY_ESC)
			history_close_form(h);
		else if (k == UI_KEY_ENTER)
			history_form_submit(h);
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
	history_load_totals(h);
	if (had && !history_row_get(ui->app->db, keep.id, &keep, &err)) {
		long pos = h->pos;
		history_load_at(h, &keep);
		h->pos = pos;
	} else {
		history_load_start(h);
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
