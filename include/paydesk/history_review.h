/* Reviewing billing history as the signed-in user: role checked
 * (AUTH_REVIEW), who and when recorded. The screen goes through here. */
#ifndef PAYDESK_HISTORY_REVIEW_H
#define PAYDESK_HISTORY_REVIEW_H

#include <stdbool.h>

#include "paydesk/app.h"
#include "paydesk/history.h"

/* The name recorded for the person at the keyboard: the signed-in user,
 * or "admin" for a headless admin session. The one place to change. */
const char *history_actor(const struct app *app);

/* Set or clear REVIEWED or FLAGGED on stripe_id. PD_ERR_FORBIDDEN (with the
 * reason) when the session may not review. */
int history_review_mark(struct app *app, const char *stripe_id, enum history_mark mark, bool on,
			struct pd_error *err);

/* Mark every record of f reviewed (the ones not yet), with one audit
 * entry naming how many and the filter. *marked: how many. */
int history_review_mark_all(struct app *app, const struct history_filter *f, long *marked,
			    struct pd_error *err);

/* Set the note of stripe_id ("" clears it). */
int history_review_note(struct app *app, const char *stripe_id, const char *note,
			struct pd_error *err);

#endif
