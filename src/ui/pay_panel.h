/* The payment panel of the Appointments tab: the "take payment" and
 * "refund" forms (amount + method / reason, then the money dialog), and the
 * payment view (pay link URL + QR code, reader progress) that follows the
 * store as the worker jobs poll Stripe. Also used by the Clients tab to
 * show a save-a-card link. UI thread only. */
#ifndef PAYDESK_UI_PAY_PANEL_H
#define PAYDESK_UI_PAY_PANEL_H

#include <stdint.h>

#include "paydesk/appointments.h"
#include "paydesk/payments_job.h"
#include "ui.h"

struct pay_panel;

struct pay_panel *pay_panel_new(struct ui *ui);
void pay_panel_free(struct pay_panel **p);
/* Close the open form or view, as Esc does (another person signed in). */
void pay_panel_close(struct pay_panel *p);

/* Whether the panel covers the screen (a form or a view is open). */
bool pay_panel_active(const struct pay_panel *p);
/* Whether a text field has focus (for the shell's cursor). */
bool pay_panel_editing(const struct pay_panel *p);

/* Open the take-payment form for a (amount prefilled with what is due). */
void pay_panel_pay(struct pay_panel *p, const struct appointment *a);
/* Re-check a's payment left unknown at Stripe (a job: payments_recheck);
 * its outcome comes as a notice. */
void pay_panel_recheck(struct pay_panel *p, const struct appointment *a);
/* Open the refund form for a (amount prefilled with what is refundable). */
void pay_panel_refund(struct pay_panel *p, const struct appointment *a);
/* Show the newest payment attempt of appointment id (link QR / reader):
 * read at the screen's next reload (return UI_RELOAD, or a job finishing). */
void pay_panel_view(struct pay_panel *p, int64_t appointment_id);
/* Make a save-a-card link for client id (a job) and show it as it comes. */
void pay_panel_save_card(struct pay_panel *p, int64_t client_id);
/* Queue req (pay_panel_submit) and tell its outcome in a notice. */
uint64_t pay_panel_run(struct pay_panel *p, const struct pay_job_request *req);

enum ui_result pay_panel_key(struct pay_panel *p, int key);
/* The payment view's keys (Esc, Q, C, c, n, K), pushed while it shows. */
void pay_panel_keymaps(struct pay_panel *p, struct ui_keymaps *s);
/* Draws what pay_panel_reload read; reads nothing itself. */
void pay_panel_draw(struct pay_panel *p, struct ui_rect area);
/* Re-read what the view shows (the screen's reload calls it). */
void pay_panel_reload(struct pay_panel *p);
/* A job finished: notices for ours; opens the view after a link/reader starts. */
void pay_panel_job_done(struct pay_panel *p, const struct jobs_completion *c);

/* Open the Stripe key and queue req as the signed-in user. Returns the job
 * id, 0 (with a notice saying why) when it could not be queued. */
uint64_t pay_panel_submit(struct ui *ui, const struct pay_job_request *req);

#endif
