#include "paydesk/booking.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/fees.h"
#include "paydesk/money.h"
#include "paydesk/services.h"
#include "paydesk/staff.h"
#include "paydesk/textcheck.h"
#include "paydesk/tz.h"

#define NOTES_MAX 1000

void booking_describe(const struct appointment *a, char *out, size_t len)
{
	struct tz_civil s, e;
	tz_to_civil(a->starts_at, &s);
	tz_to_civil(a->ends_at, &e);
	snprintf(out, len, "%s %04d-%02d-%02d %02d:%02d-%02d:%02d %s · %s with %s",
		 tz_weekday_abbr(s.wday), s.year, s.month, s.day, s.hour, s.minute, e.hour,
		 e.minute, a->client_name ? a->client_name : "?",
		 a->service_name ? a->service_name : "?", a->staff_name ? a->staff_name : "?");
}

/* "Monday" for wday 0: messages say "on Sundays", not "on Suns". */
static const char *weekday_name(int wday)
{
	static const char *const names[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
					    "Friday", "Saturday", "Sunday"};
	return wday >= 0 && wday < 7 ? names[wday] : "?";
}

/* The appointment the request would make (times, price), after every check
 * but the clash. keep_service: editing an appointment whose service is
 * inactive now may keep it. */
static int check_request(sqlite3 *db, const struct booking_request *req, int64_t keep_service,
			 struct appointment *a, struct pd_error *err)
{
	int rc = text_check("notes", req->notes, NOTES_MAX, false, true, err);
	if (rc)
		return rc;
	struct client c;
	rc = clients_get(db, req->client_id, &c, err);
	if (rc == PD_ERR_NOT_FOUND)
		return pd_error_set(err, PD_ERR_USAGE, "choose a client (that one no longer exists)");
	if (rc)
		return rc;
	client_free(&c);
	struct service sv;
	rc = services_get(db, req->service_id, &sv, err);
	if (rc == PD_ERR_NOT_FOUND)
		return pd_error_set(err, PD_ERR_USAGE, "choose a service");
	if (rc)
		return rc;
	if (!sv.active && sv.id != keep_service)
		return pd_error_set(err, PD_ERR_USAGE, "%s is no longer offered (inactive)", sv.name);
	struct staff sf;
	rc = staff_get(db, req->staff_id, &sf, err);
	if (rc == PD_ERR_NOT_FOUND)
		return pd_error_set(err, PD_ERR_USAGE, "choose a staff member");
	if (rc)
		return rc;
	if (!sf.active)
		return pd_error_set(err, PD_ERR_USAGE, "%s is inactive and cannot be booked", sf.name);
	a->client_id = req->client_id;
	a->service_id = req->service_id;
	a->staff_id = req->staff_id;
	a->starts_at = req->starts_at;
	a->ends_at = req->starts_at + (int64_t)sv.duration_min * 60;
	a->amount = sv.price;
	memcpy(a->currency, sv.currency, sizeof a->currency);

	/* Working hours, in local time: start and end on the same working day. */
	struct tz_civil s, e;
	tz_to_civil(a->starts_at, &s);
	tz_to_civil(a->ends_at, &e);
	int from = s.hour * 60 + s.minute;
	int to = e.hour * 60 + e.minute;
	if (e.day != s.day || e.month != s.month || e.year != s.year)
		to = to == 0 && (a->ends_at - a->starts_at) < 86400 ? 24 * 60 : 24 * 60 + 1;
	int ws = sf.hours.start[s.wday], we = sf.hours.end[s.wday];
	if (we <= ws)
		return pd_error_set(err, PD_ERR_USAGE, "%s does not work on %ss", sf.name,
				    weekday_name(s.wday));
	if (from < ws || to > we)
		return pd_error_set(err, PD_ERR_USAGE,
				    "%02d:%02d-%02d:%02d is outside %s's hours on %ss "
				    "(%02d:%02d-%02d:%02d)",
				    s.hour, s.minute, e.hour, e.minute, sf.name, weekday_name(s.wday),
				    ws / 60, ws % 60, we / 60, we % 60);
	return PD_OK;
}

static int refuse_clash(sqlite3 *db, const struct appointment *a, int64_t exclude,
			struct pd_error *err)
{
	struct appointment other;
	int found = appointments_find_clash(db, a->staff_id, a->starts_at, a->ends_at, exclude,
					    &other, err);
	if (found <= 0)
		return found;
	struct tz_civil s, e;
	tz_to_civil(other.starts_at, &s);
	tz_to_civil(other.ends_at, &e);
	int rc = pd_error_set(err, PD_ERR_CLASH,
			      "clashes with %s's booking %02d:%02d-%02d:%02d: %s · %s (%s)",
			      other.staff_name, s.hour, s.minute, e.hour, e.minute, other.client_name,
			      other.service_name, appt_state_label(other.state));
	appointment_free(&other);
	return rc;
}

/* The audit entry of a change to appointment id; note (may be NULL) goes
 * before the description: "no-show → booked · Tue 2025-03-25 …". */
static int audit_noted(sqlite3 *db, const struct session *who, const char *action, int64_t id,
		       bool money, const struct appointment *a, const char *note,
		       struct pd_error *err)
{
	struct appointment full;
	int rc = appointments_get(db, id, &full, err);
	if (rc)
		return rc;
	char what[600], detail[800], object[32];
	booking_describe(&full, what, sizeof what);
	snprintf(detail, sizeof detail, "%s%s%s", note ? note : "", note ? " · " : "", what);
	snprintf(object, sizeof object, "appointment:%lld", (long long)id);
	struct audit_entry e = {.actor = who->name, .action = action, .detail = detail,
				.has_amount = money, .amount = a->amount,
				.currency = money ? a->currency : NULL, .object_id = object};
	rc = audit_append(db, &e, err);
	appointment_free(&full);
	return rc;
}

static int audit(sqlite3 *db, const struct session *who, const char *action, int64_t id,
		 bool money, const struct appointment *a, struct pd_error *err)
{
	return audit_noted(db, who, action, id, money, a, NULL, err);
}

int booking_create(sqlite3 *db, const struct booking_request *req, int64_t *id,
		   struct pd_error *err)
{
	int rc = auth_allow(req->who, AUTH_BOOK, err);
	if (!rc)
		rc = db_begin(db, err);
	if (rc)
		return rc;
	struct appointment a = {.state = APPT_BOOKED, .payment = PAY_NONE,
				.notes = (char *)(req->notes ? req->notes : "")};
	rc = check_request(db, req, 0, &a, err);
	if (!rc)
		rc = refuse_clash(db, &a, 0, err);
	if (!rc)
		rc = appointments_insert(db, &a, id, err);
	if (!rc)
		rc = audit(db, req->who, "booking.create", *id, true, &a, err);
	return db_finish(db, rc, err);
}

int booking_check(sqlite3 *db, const struct booking_request *req, int64_t edit_id,
		  struct pd_error *err)
{
	int64_t keep_service = 0;
	if (edit_id) {
		struct appointment cur;
		int rc = appointments_get(db, edit_id, &cur, err);
		if (rc)
			return rc;
		keep_service = cur.service_id;
		appointment_free(&cur);
	}
	struct appointment a = {.notes = (char *)(req->notes ? req->notes : "")};
	int rc = check_request(db, req, keep_service, &a, err);
	if (!rc)
		rc = refuse_clash(db, &a, edit_id, err);
	return rc;
}

static bool open_state(enum appt_state s)
{
	return s == APPT_BOOKED || s == APPT_AWAITING_PAYMENT || s == APPT_CONFIRMED;
}

int booking_update(sqlite3 *db, int64_t id, int64_t version, const struct booking_request *req,
		   struct pd_error *err)
{
	int rc = auth_allow(req->who, AUTH_BOOK, err);
	struct appointment cur;
	if (!rc)
		rc = appointments_begin_get(db, id, &cur, err);
	if (rc)
		return rc;
	struct appointment a = cur;
	if (cur.version != version)
		rc = pd_error_set(err, PD_ERR_CONFLICT,
				  "someone else changed this appointment since you opened it; "
				  "nothing was saved — look at it again, then retry");
	else if (!open_state(cur.state))
		rc = pd_error_set(err, PD_ERR_USAGE, "a %s appointment cannot be changed; book a new one",
				  appt_state_label(cur.state));
	if (!rc)
		rc = check_request(db, req, cur.service_id, &a, err);
	if (!rc && a.service_id != cur.service_id && cur.payment != PAY_NONE)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "a payment is recorded for this appointment: its service stays");
	if (!rc && a.service_id == cur.service_id) {
		a.amount = cur.amount; /* the price agreed when booked */
		memcpy(a.currency, cur.currency, sizeof a.currency);
	}
	a.notes = (char *)(req->notes ? req->notes : "");
	if (!rc)
		rc = refuse_clash(db, &a, id, err);
	if (!rc)
		rc = appointments_update(db, &a, err);
	bool moved = a.starts_at != cur.starts_at || a.staff_id != cur.staff_id;
	if (!rc)
		rc = audit(db, req->who, moved ? "booking.reschedule" : "booking.edit", id, false, &a,
			   err);
	a.notes = NULL;
	appointment_free(&cur);
	return db_finish(db, rc, err);
}

int booking_check_state(const struct appointment *cur, enum appt_state to, int64_t now,
			struct pd_error *err)
{
	if (to != APPT_CANCELLED && to != APPT_COMPLETED && to != APPT_NO_SHOW)
		return pd_error_set(err, PD_ERR_USAGE, "an appointment can be cancelled, completed "
						       "or marked as a no-show");
	if (!open_state(cur->state))
		return pd_error_set(err, PD_ERR_USAGE, "it is already %s",
				    appt_state_label(cur->state));
	if (to == APPT_COMPLETED && cur->state == APPT_AWAITING_PAYMENT)
		return pd_error_set(err, PD_ERR_USAGE,
				    "it is awaiting payment: take the payment (p) or cancel it first");
	if (to == APPT_NO_SHOW && cur->starts_at > now)
		return pd_error_set(err, PD_ERR_USAGE,
				    "it has not started yet: a no-show is marked after the start time");
	return PD_OK;
}

static const char *state_action(enum appt_state to)
{
	return to == APPT_CANCELLED   ? "booking.cancel"
	       : to == APPT_COMPLETED ? "booking.complete"
	       : to == APPT_NO_SHOW   ? "booking.no_show"
				      : NULL;
}

/* The booking.keep entry: "cancelled, 45.00 USD kept · …" with the amount. */
static int audit_kept(sqlite3 *db, const struct session *who, int64_t id, enum appt_state state,
		      int64_t amount, const char *currency, struct pd_error *err)
{
	char money[64], note[160];
	money_format(amount, currency, money, sizeof money);
	snprintf(note, sizeof note, "%s, %s kept", appt_state_label(state), money);
	struct appointment kept = {.amount = amount};
	snprintf(kept.currency, sizeof kept.currency, "%s", currency);
	return audit_noted(db, who, "booking.keep", id, true, &kept, note, err);
}

int booking_close(sqlite3 *db, const struct session *who, int64_t id, int64_t version,
		  enum appt_state to, int64_t kept, const char *currency, struct pd_error *err)
{
	const char *action = state_action(to);
	if (!action)
		return pd_error_set(err, PD_ERR_USAGE, "an appointment can be cancelled, completed "
						       "or marked as a no-show");
	int rc = auth_allow(who, AUTH_BOOK, err);
	if (rc)
		return rc;
	struct appointment cur;
	rc = appointments_begin_get(db, id, &cur, err);
	if (rc)
		return rc;
	enum appt_state was = cur.state;
	int64_t now = (int64_t)time(NULL);
	if (cur.version != version)
		rc = pd_error_set(err, PD_ERR_CONFLICT,
				  "someone else changed this appointment since you opened it; "
				  "nothing was saved — look at it again, then retry");
	else
		rc = booking_check_state(&cur, to, now, err);
	if (!rc) {
		cur.state = to;
		rc = appointments_update(db, &cur, err);
	}
	if (!rc) /* kept for a same-day undo */
		rc = appointments_note_state_change(db, id, true, was, now, err);
	if (!rc)
		rc = audit(db, who, action, id, false, &cur, err);
	if (!rc && kept > 0)
		rc = audit_kept(db, who, id, to, kept, currency, err);
	if (!rc) /* a no-show or late cancellation fee waits in the fees queue */
		rc = fees_propose_in(db, who, &cur, to, now, err);
	appointment_free(&cur);
	return db_finish(db, rc, err);
}

int booking_set_state(sqlite3 *db, const struct session *who, int64_t id, int64_t version,
		      enum appt_state to, struct pd_error *err)
{
	return booking_close(db, who, id, version, to, 0, NULL, err);
}

static bool same_local_day(int64_t a, int64_t b)
{
	struct tz_civil x, y;
	tz_to_civil(a, &x);
	tz_to_civil(b, &y);
	return x.year == y.year && x.month == y.month && x.day == y.day;
}

int booking_undo_state(sqlite3 *db, const struct session *who, int64_t id, int64_t version,
		       enum appt_state *restored, struct pd_error *err)
{
	int rc = auth_allow(who, AUTH_BOOK, err);
	struct appointment cur;
	if (!rc)
		rc = appointments_begin_get(db, id, &cur, err);
	if (rc)
		return rc;
	bool has_prev = false;
	enum appt_state prev = APPT_BOOKED;
	int64_t at = 0, now = (int64_t)time(NULL);
	rc = appointments_last_state_change(db, id, &has_prev, &prev, &at, err);
	if (!rc && cur.version != version)
		rc = pd_error_set(err, PD_ERR_CONFLICT,
				  "someone else changed this appointment since you opened it; "
				  "nothing was undone — look at it again, then retry");
	else if (!rc && (open_state(cur.state) || !has_prev))
		rc = pd_error_set(err, PD_ERR_USAGE, "nothing to undo: it is %s",
				  appt_state_label(cur.state));
	else if (!rc && !same_local_day(at, now)) {
		struct tz_civil c;
		tz_to_civil(at, &c);
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "only a change made today can be undone: it became %s on %s "
				  "%04d-%02d-%02d",
				  appt_state_label(cur.state), tz_weekday_abbr(c.wday), c.year, c.month,
				  c.day);
	}
	/* A cancelled or no-show booking freed its slot: it may be taken now. */
	if (!rc && !appt_state_holds_slot(cur.state))
		rc = refuse_clash(db, &cur, id, err);
	char note[96] = "";
	if (!rc) {
		snprintf(note, sizeof note, "%s → %s", appt_state_label(cur.state),
			 appt_state_label(prev));
		cur.state = prev;
		rc = appointments_update(db, &cur, err);
	}
	if (!rc)
		rc = appointments_note_state_change(db, id, false, prev, now, err);
	if (!rc)
		rc = audit_noted(db, who, "booking.undo", id, false, &cur, note, err);
	if (!rc) /* a fee nobody has worked yet goes with the no-show or cancel */
		rc = fees_withdraw_in(db, who, id, err);
	if (!rc && restored)
		*restored = prev;
	appointment_free(&cur);
	return db_finish(db, rc, err);
}

int booking_money_kept(sqlite3 *db, const struct session *who, int64_t id, int64_t amount,
		       const char *currency, struct pd_error *err)
{
	struct appointment a;
	int rc = appointments_get(db, id, &a, err);
	if (rc)
		return rc;
	enum appt_state state = a.state;
	appointment_free(&a);
	return audit_kept(db, who, id, state, amount, currency, err);
}

int booking_client_overlap(sqlite3 *db, int64_t client_id, int64_t staff_id, int64_t start,
			   int64_t end, int64_t exclude_id, struct appointment *other,
			   struct pd_error *err)
{
	struct appointment *rows = NULL;
	size_t n = 0;
	/* A service lasts at most 12 hours: a day before covers every overlap. */
	int rc = appointments_range(db, start - 86400, end, 0, &rows, &n, err);
	if (rc)
		return rc;
	int found = 0;
	for (size_t i = 0; i < n && !found; i++) {
		const struct appointment *a = &rows[i];
		if (a->client_id != client_id || a->id == exclude_id || a->staff_id == staff_id ||
		    !appt_state_holds_slot(a->state) || a->starts_at >= end || a->ends_at <= start)
			continue;
		*other = *a;
		memset(&rows[i], 0, sizeof rows[i]); /* other owns its strings now */
		found = 1;
	}
	appointments_free_list(&rows, n);
	return found;
}
