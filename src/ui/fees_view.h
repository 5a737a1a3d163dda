/* The fees queue inside the Appointments tab (F): the fees proposed at
 * no-shows and late cancellations, oldest visit first, each worked with one
 * key — c charge the saved card (asks first), a change the amount, w waive
 * with a reason, l a pay link; A lists every fee, R refunds a charged one
 * (asks first). UI thread only; the Stripe steps run as
 * worker jobs (fees_job.h). */
#ifndef PAYDESK_UI_FEES_VIEW_H
#define PAYDESK_UI_FEES_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "paydesk/jobs.h"
#include "ui.h"

struct fees_view;

struct fees_view *fees_view_new(struct ui *ui);
void fees_view_free(struct fees_view **v);
/* Open it (reads the fees waiting). */
void fees_view_open(struct fees_view *v);
bool fees_view_active(const struct fees_view *v);
/* Whether a prompt takes the keys (typing). */
bool fees_view_editing(const struct fees_view *v);
enum ui_result fees_view_key(struct fees_view *v, int k);
void fees_view_draw(struct fees_view *v, struct ui_rect a);
void fees_view_reload(struct fees_view *v);
/* A no-show or late cancellation was undone but its fee was charged: ask
 * whether to refund it (y), n keeps it (said). Nothing when it is not
 * refundable. */
void fees_view_offer_refund(struct fees_view *v, int64_t fee_id);
/* The fees_job_op of the view's Stripe step still waiting for fee_id's
 * answer, or -1 when none. */
int fees_view_busy(const struct fees_view *v, int64_t fee_id);
/* A job finished: true when it was one of the view's (then told and re-read). */
bool fees_view_job_done(struct fees_view *v, const struct jobs_completion *c);

#endif
