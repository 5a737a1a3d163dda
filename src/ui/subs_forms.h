/* The Subscriptions tab's forms, over the list while open:
 *  - subs_panel (subs_forms.c): subscribe a client; change plan or quantity
 *    after a proration preview; what Stripe answered (the first invoice's
 *    outcome, or a save-a-card link + QR when the client has no card);
 *  - plan_panel (plan_forms.c): create a plan, rename / describe it,
 *    archive or restore it.
 * Every change is confirmed in a dialog, then run as a subscriptions job
 * on a worker; a failure brings the form back with what was typed.
 * UI thread only. */
#ifndef PAYDESK_UI_SUBS_FORMS_H
#define PAYDESK_UI_SUBS_FORMS_H

#include <stdbool.h>
#include <stdint.h>

#include "paydesk/jobs.h"
#include "paydesk/plans.h"
#include "paydesk/subscriptions.h"
#include "paydesk/subscriptions_job.h"
#include "ui.h"

/* Open the Stripe key and queue req as the signed-in user. The job id, or
 * 0 with a notice saying why (quiet for a sync: it runs by itself). */
uint64_t subs_ui_submit(struct ui *ui, const struct subs_job_request *req);

/* The subscription a job's result line names ("Subscription sub_…: …"),
 * read from the store into out (PD_ERR_NOT_FOUND when not stored). */
int subs_outcome_read(sqlite3 *db, const char *result, struct subscription *out);
/* Draw it (plan, amount, status, next bill, trial end, the first invoice's
 * outcome) from row y of a; reads nothing. */
void subs_outcome_draw(const struct subscription *s, int y, struct ui_rect a);

struct subs_panel;

struct subs_panel *subs_panel_new(struct ui *ui);
void subs_panel_free(struct subs_panel **p);
/* Close the open form, as Esc does (another person signed in). */
void subs_panel_close(struct subs_panel *p);
bool subs_panel_active(const struct subs_panel *p);
bool subs_panel_editing(const struct subs_panel *p);
bool subs_panel_dirty(const struct subs_panel *p);
/* Open the subscribe form (needs an active plan). */
void subs_panel_subscribe(struct subs_panel *p);
/* Open the change form for s (plan, quantity). */
void subs_panel_change(struct subs_panel *p, const struct subscription *s);
enum ui_result subs_panel_key(struct subs_panel *p, int key);
/* Esc (and Q / C after a save-a-card link) while waiting or on a result. */
void subs_panel_keymaps(struct subs_panel *p, struct ui_keymaps *s);
/* Draws what subs_panel_reload read; reads nothing itself. */
void subs_panel_draw(struct subs_panel *p, struct ui_rect area);
/* Re-read what the result shows (the screen's reload calls it). */
void subs_panel_reload(struct subs_panel *p);
/* A job finished: true when it was the panel's. */
bool subs_panel_job_done(struct subs_panel *p, const struct jobs_completion *c);

struct plan_panel;

struct plan_panel *plan_panel_new(struct ui *ui);
void plan_panel_free(struct plan_panel **p);
/* Close the open form, as Esc does (another person signed in). */
void plan_panel_close(struct plan_panel *p);
bool plan_panel_active(const struct plan_panel *p);
bool plan_panel_editing(const struct plan_panel *p);
bool plan_panel_dirty(const struct plan_panel *p);
/* Open the new-plan form. */
void plan_panel_create(struct plan_panel *p);
/* Open the rename / describe form for pl. */
void plan_panel_edit(struct plan_panel *p, const struct plan *pl);
/* Ask to archive pl (or restore it when archived), then run it. */
void plan_panel_archive(struct plan_panel *p, const struct plan *pl);
enum ui_result plan_panel_key(struct plan_panel *p, int key);
void plan_panel_draw(struct plan_panel *p, struct ui_rect area);
bool plan_panel_job_done(struct plan_panel *p, const struct jobs_completion *c);

#endif
