/* The desk's word on Stripe's reachability (issue 15, point 19): while
 * Stripe does not answer, the top line says since when; charges queued
 * meanwhile are counted there until someone sends or drops them; when
 * Stripe answers again the desk is told, with what waits. UI thread only. */
#ifndef PAYDESK_UI_STRIPE_STATUS_H
#define PAYDESK_UI_STRIPE_STATUS_H

#include "ui.h"

/* A Stripe call waiting this long for its answer reads "Stripe slow" on the
 * top line and "slow: waiting" on the status line, never "online". */
#define UI_STRIPE_SLOW_SECONDS 8

/* Whether there is anything to say: Stripe unreachable or slow, or charges
 * queued. */
bool ui_stripe_status_shown(struct ui *ui);

/* Draw the badges at (y, x) within room columns ("Stripe unreachable since
 * 14:02", "1 queued charge"); returns the columns used. The tab line draws
 * them where the other tabs' names were. */
int ui_stripe_status_draw(struct ui *ui, int y, int x, int room);

/* After finished jobs were drained: notice an outage beginning or ending,
 * and while Stripe stays unreachable keep one light check queued
 * (reach_job.h). Cheap when nothing changed. */
void ui_stripe_status_tick(struct ui *ui);

/* The pool's jobs queued or running, less the reachability checks: those
 * neither spin on the status line nor make q ask first (they move nothing),
 * and the UI sleeps until one finishes (its completion wakes it). */
int ui_stripe_status_jobs(struct ui *ui);

/* How many charges are queued, as the Appointments tab just read them (the
 * tab line shows it without reading the store while drawing). */
void ui_stripe_status_note_queued(int n);

/* Ask Stripe now (one light GET on a worker) whether it answers: the desk
 * is about to need it. The top line follows when the answer comes. */
void ui_stripe_status_check_now(struct ui *ui);

/* "14:02" today, else "2026-12-05 14:02" (local time). */
void ui_stripe_status_when(time_t t, char *out, size_t size);

#endif
