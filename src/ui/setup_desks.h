/* The desks panel of the Setup tab (admins): the desks that unlock the
 * vault with their own key file, this one marked; enrol this desk, revoke
 * one, change the admin passphrase (app/desk.c checks and audits). */
#ifndef PAYDESK_UI_SETUP_DESKS_H
#define PAYDESK_UI_SETUP_DESKS_H

#include "paydesk/jobs.h"
#include "widgets.h"

struct setup_desks;

struct setup_desks *setup_desks_new(void);
void setup_desks_free(struct setup_desks *d);
/* Read the desks from the store (on entering the panel, after a change). */
void setup_desks_load(struct setup_desks *d, struct ui *ui);
void setup_desks_draw(struct setup_desks *d, struct ui_rect area);
/* UI_UNHANDLED for keys it does not use (Esc in the list leaves the panel). */
enum ui_result setup_desks_key(struct setup_desks *d, struct ui *ui, int key);
/* A finished job: the passphrase change this panel queued, if it is that. */
void setup_desks_job_done(struct setup_desks *d, struct ui *ui, const struct jobs_completion *c);
/* Whether a form has the keys (typing, not commands). */
bool setup_desks_editing(const struct setup_desks *d);

#endif
