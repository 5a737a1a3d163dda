#include "paydesk/history_review.h"

#include <stdio.h>
#include <stdlib.h>

#include "paydesk/audit.h"
#include "paydesk/auth.h"
#include "paydesk/db.h"

const char *history_actor(const struct app *app)
{
	return app->session.signed_in && app->session.name[0] ? app->session.name : "admin";
}

/* The change and its audit entry in one transaction: a mark or note that
 * exists is in the log. */
static int audited(struct app *app, int rc, const char *action, const char *stripe_id,
		   const char *detail, struct pd_error *err)
{
	if (!rc) {
		struct audit_entry e = {.actor = history_actor(app), .action = action,
					.detail = detail, .object_id = stripe_id};
		rc = audit_append(app->db, &e, err);
	}
	if (!rc)
		rc = db_commit(app->db, err);
	if (rc)
		db_rollback(app->db);
	return rc;
}

static const char *mark_word(enum history_mark mark, bool on)
{
	if (mark == HISTORY_MARK_REVIEWED)
		return on ? "reviewed" : "not reviewed";
	if (mark == HISTORY_MARK_FLAGGED)
		return on ? "flagged" : "unflagged";
	return on ? "marked" : "unmarked";
}

int history_review_mark(struct app *app, const char *stripe_id, enum history_mark mark, bool on,
			struct pd_error *err)
{
	int rc = auth_allow(&app->session, AUTH_REVIEW, err);
	if (!rc)
		rc = db_begin(app->db, err);
	if (rc)
		return rc;
	rc = history_mark_set(app->db, stripe_id, mark, on, history_actor(app), err);
	return audited(app, rc, "history.mark", stripe_id, mark_word(mark, on), err);
}

int history_review_note(struct app *app, const char *stripe_id, const char *note,
			struct pd_error *err)
{
	int rc = auth_allow(&app->session, AUTH_REVIEW, err);
	if (!rc)
		rc = db_begin(app->db, err);
	if (rc)
		return rc;
	rc = history_note_set(app->db, stripe_id, note, history_actor(app), err);
	char *detail = NULL;
	if (!rc && note && *note && asprintf(&detail, "note: %s", note) < 0)
		detail = NULL;
	rc = audited(app, rc, "history.note", stripe_id,
		     note && *note ? (detail ? detail : "note set") : "note cleared", err);
	free(detail);
	return rc;
}

int history_review_mark_all(struct app *app, const struct history_filter *f, long *marked,
			    struct pd_error *err)
{
	*marked = 0;
	int rc = auth_allow(&app->session, AUTH_REVIEW, err);
	if (!rc)
		rc = db_begin(app->db, err);
	if (rc)
		return rc;
	rc = history_mark_filter(app->db, f, history_actor(app), marked, err);
	char what[400], detail[512];
	history_filter_describe(f, what, sizeof what);
	snprintf(detail, sizeof detail, "reviewed %ld record%s: %s", *marked,
		 *marked == 1 ? "" : "s", what);
	rc = audited(app, rc, "history.mark", NULL, detail, err);
	if (rc)
		*marked = 0;
	return rc;
}
