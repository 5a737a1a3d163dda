#include "paydesk/history_review.h"

#include "paydesk/auth.h"

const char *history_actor(const struct app *app)
{
	return app->session.signed_in && app->session.name[0] ? app->session.name : "admin";
}

int history_review_mark(struct app *app, const char *stripe_id, enum history_mark mark, bool on,
			struct pd_error *err)
{
	int rc = auth_allow(&app->session, AUTH_REVIEW, err);
	if (rc)
		return rc;
	return history_mark_set(app->db, stripe_id, mark, on, history_actor(app), err);
}

int history_review_note(struct app *app, const char *stripe_id, const char *note,
			struct pd_error *err)
{
	int rc = auth_allow(&app->session, AUTH_REVIEW, err);
	if (rc)
		return rc;
	return history_note_set(app->db, stripe_id, note, history_actor(app), err);
}
