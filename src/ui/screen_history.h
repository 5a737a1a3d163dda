/* Private to the History tab: its state, shared by screen_history.c (keys
 * and what they do), history_window.c (the window of rows), history_forms.c,
 * history_marks.c (review marks), history_actions.c (sync, refund, export
 * jobs) and history_draw.c (formatting, drawing). */
#ifndef PAYDESK_UI_SCREEN_HISTORY_H
#define PAYDESK_UI_SCREEN_HISTORY_H

#include "paydesk/accounting_export.h"
#include "paydesk/history.h"
#include "paydesk/history_export_job.h"
#include "paydesk/history_sync_job.h"
#include "widgets.h"

#define CACHE_CAP 240 /* rows kept around the viewport */
#define FETCH 60      /* rows per keyset page */
#define TOTAL_LINES 4 /* currencies shown in the totals block */

enum mode { MODE_LIST, MODE_DETAIL, MODE_SEARCH, MODE_FILTER, MODE_NOTE, MODE_EXPORT, MODE_JUMP,
	    MODE_REFUND };

enum filter_field {
	FF_DATES,
	FF_FROM,
	FF_TO,
	FF_STATUS,
	FF_TYPE,
	FF_CLIENT,
	FF_MIN,
	FF_MAX,
	FF_CURRENCY,
	FF_REVIEW,
	FF_COUNT
};

struct hist {
	struct ui *ui;
	bool loaded;
	struct history_filter filter;
	enum history_sort sort;
	bool desc;
	struct history_view *view;

	struct history_row rows[CACHE_CAP];
	int n, sel, top, page;
	bool at_start, at_end;
	long pos; /* index of rows[sel] in the whole view, -1 when not known */

	struct history_total totals[HISTORY_MAX_CURRENCIES];
	int ntotals;
	long count;
	/* a search's totals, being added up between keys (history_idle) */
	bool totals_pending;
	/* "desk by tender: cash 20.00 USD · cheque 10.00 USD" (what is kept after
	 * refunds), when the filter is by date, type or currency only; "" else */
	char desk_tenders[256];
	int64_t last_synced;

	enum mode mode;
	struct textedit search;
	bool search_full; /* a key or paste went past the field's size */
	/* the search matches nothing in any currency (by amount, the list
	 * says so rather than send the reviewer to by date) */
	bool matched_nowhere;
	/* what the status line said refusing the last search: a search taken
	 * next, or the refused one given up, takes it away (forget_refusal) */
	char search_refused[640]; /* as ui->last_error */
	struct ui_form form;
	struct ui_field fields[FF_COUNT];
	bool form_open;
	struct history_detail detail;
	bool has_detail;
	int range; /* enum history_range chosen in the filter form */
	bool sort_currency; /* the currency filter came with the amount sort (s) */

	/* history_actions.c */
	struct history_sync_progress sync;
	struct history_export_progress export; /* the export running on a worker */
	uint64_t sync_job, refund_job, export_job;
	uint64_t receipt_job; /* E: Stripe's receipt emailed again (history_receipt.c) */
	bool sync_tried; /* the stale-history sync at the tab's first opening */
	int64_t refund_id, refund_left; /* the record the refund form is for */
	char refund_hint[160];
};

/* history_draw.c */
void history_draw(void *state, struct ui *ui, struct ui_rect area);

/* history_draw.c: a date (and time) in the configured zone. */
void history_fmt_time(int64_t t, bool with_time, char *out, size_t len);

/* history_window.c: the window of rows around the selection. */
/* An error from the store, on the status line. */
void history_fail(struct hist *h, const struct pd_error *err);
/* Rows a page key moves (the list's height once drawn). */
int history_page_rows(const struct hist *h);
/* Fill the window around the selection; keep the selection in it. */
void history_ensure(struct hist *h);
void history_clamp(struct hist *h);
/* Re-run the query (and the totals when totals). */
void history_requery(struct hist *h, bool totals);
/* The window at the first row, the last, or at row (by its key). */
void history_load_start(struct hist *h);
void history_load_end(struct hist *h);
void history_load_at(struct hist *h, const struct history_row *row);
void history_load_totals(struct hist *h);
/* The screen's idle hook: a search's totals added up a chunk at a time. */
bool history_idle(void *state, struct ui *ui, bool step);
/* Move the selection by delta rows (scroll_too: the view with it). */
void history_move_by(struct hist *h, int delta, bool scroll_too);
const struct history_row *history_selected(const struct hist *h);
/* The selected record's detail, for the detail pane. */
void history_load_detail(struct hist *h);
/* Row idx read again from the store (after a mark or a note). */
void history_refresh_row(struct hist *h, int idx);
/* The first row of the day starting at day_start, by date. */
void history_jump_to_day(struct hist *h, int64_t day_start);

/* history_forms.c: the filter, note, export and jump forms. */
void history_open_form(struct hist *h, enum mode mode, const struct ui_field *spec, int n);
void history_close_form(struct hist *h);
void history_filter_form_open(struct hist *h);
void history_note_form_open(struct hist *h);
void history_export_form_open(struct hist *h);
void history_jump_form_open(struct hist *h);
/* Ctrl-S in the open form: check it and do what it is for. */
void history_form_submit(struct hist *h);

/* history_marks.c: review marks. */
void history_mark_toggle(struct hist *h, enum history_mark mark);
/* Space: reviewed, then the next record. */
void history_review_and_next(struct hist *h);
/* R: the whole filter reviewed, after a confirm saying how many. */
void history_review_all(struct hist *h);
/* n / N: the next (previous) record not reviewed. */
void history_jump_unreviewed(struct hist *h, bool forward);

/* history_actions.c: sync from Stripe and refunds, as worker jobs. */
void history_sync_toggle(struct hist *h, bool quiet);
void history_sync_if_stale(struct hist *h);
/* The progress bar on the top line while a sync runs; false when none. */
bool history_sync_draw(struct hist *h, struct ui_rect r);
/* Export the filter to path on a worker (the screen keeps answering keys);
 * history_export_stop stops it (no file is left). */
void history_export_start(struct hist *h, enum history_format fmt, const char *path);
/* The same for QuickBooks / Xero: the filter's dates and currency. */
void history_accounting_export_start(struct hist *h, enum accounting_format fmt,
				     const char *path);
bool history_export_stop(struct hist *h);
/* The export's bar on the top line while it runs; false when none. */
bool history_export_draw(struct hist *h, struct ui_rect r);
void history_refund_open(struct hist *h);
/* E: the selected card payment's Stripe receipt emailed again. */
void history_receipt_resend(struct hist *h);
void history_refund_submit(struct hist *h);
/* A job of ours finished: true when it was one. */
bool history_actions_done(struct hist *h, const struct jobs_completion *c);

#endif
