/* The History tab's review marks: Space marks a record reviewed and goes
 * to the next, f flags, R reviews a whole filter after a confirm, n / N
 * jump to the next / previous record not reviewed. */
#include <stdio.h>

#include "paydesk/history.h"
#include "paydesk/history_review.h"
#include "paydesk/number.h"
#include "screen_history.h"

void history_mark_toggle(struct hist *h, enum history_mark mark)
{
	const struct history_row *row = history_selected(h);
	if (!row)
		return;
	bool on = !(row->marks & mark);
	struct pd_error err = {0};
	if (history_review_mark(h->ui->app, row->stripe_id, mark, on, &err)) {
		history_fail(h, &err);
		return;
	}
	history_refresh_row(h, h->sel);
	if (h->filter.review != HISTORY_REVIEW_ANY) {
		/* the marks are part of the filter: gather its rows again, stay here */
		struct history_row keep = h->rows[h->sel];
		long pos = h->pos;
		history_requery(h, true);
		history_load_at(h, &keep);
		h->pos = pos;
	}
}

/* Space: a record checked is marked and the next one comes up, so a
 * month is reviewed one key a record. (Unmarking stays; with a review
 * filter the marked row leaves the view and the next is already there.) */
void history_review_and_next(struct hist *h)
{
	const struct history_row *row = history_selected(h);
	bool marking = row && !(row->marks & HISTORY_MARK_REVIEWED);
	history_mark_toggle(h, HISTORY_MARK_REVIEWED);
	if (!marking || h->filter.review != HISTORY_REVIEW_ANY || !history_selected(h) ||
	    !(history_selected(h)->marks & HISTORY_MARK_REVIEWED))
		return;
	history_move_by(h, 1, false);
	if (h->mode == MODE_DETAIL)
		history_load_detail(h);
}

static void review_all_confirmed(struct ui *ui, void *ctx)
{
	struct hist *h = ctx;
	h->ui = ui;
	long marked = 0;
	struct pd_error err = {0};
	if (history_review_mark_all(ui->app, &h->filter, &marked, &err)) {
		history_fail(h, &err);
		return;
	}
	char count[32];
	ui_notify(ui, UI_NOTICE_INFO, "marked %s record%s reviewed",
		  number_grouped(marked, count, sizeof count),
		  marked == 1 ? "" : "s");
	struct history_row keep = h->n ? h->rows[h->sel] : (struct history_row){0};
	history_requery(h, true);
	/* the selected row as it is now: the copy from before the marks kept
	 * the selected row blank while every other row showed its mark */
	if (keep.id && !history_row_get(ui->app->db, keep.id, &keep, &err))
		history_load_at(h, &keep);
}

/* R: every record of the current filter (and search) reviewed at once,
 * after a confirmation that says how many. */
void history_review_all(struct hist *h)
{
	long n = 0;
	struct pd_error err = {0};
	if (history_count_unreviewed(h->ui->app->db, &h->filter, &n, &err)) {
		history_fail(h, &err);
		return;
	}
	if (n == 0) {
		ui_notify(h->ui, UI_NOTICE_INFO, "every record here is reviewed already");
		return;
	}
	char what[400], body[600];
	history_filter_describe(&h->filter, what, sizeof what);
	char count[32];
	snprintf(body, sizeof body, "Mark %s record%s reviewed, as %s?\n(%s; the ones not "
		 "reviewed yet)", number_grouped(n, count, sizeof count), n == 1 ? "" : "s", history_actor(h->ui->app), what);
	ui_dialog_open(h->ui, &(struct ui_dialog_spec){.title = "Review all", .body = body,
						   .confirm_label = "mark them",
						   .on_confirm = review_all_confirmed, .ctx = h});
}

void history_jump_unreviewed(struct hist *h, bool forward)
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
		history_fail(h, &err);
		return;
	}
	/* close by: move within the window, keeping the known position */
	for (int i = 0; i < h->n; i++) {
		if (h->rows[i].id == found.id) {
			history_move_by(h, i - h->sel, false);
			return;
		}
	}
	history_load_at(h, &found);
}
