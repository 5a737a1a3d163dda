#include "paydesk/policies_store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

static const char *const kind_names[] = {"none", "fixed", "percent"};
static const char *const how_names[] = {"desk", "phone", "link", "reader"};

static enum policy_amount_kind kind_of(const unsigned char *t)
{
	for (int i = 0; i < 3; i++)
		if (t && !strcmp((const char *)t, kind_names[i]))
			return (enum policy_amount_kind)i;
	return POLICY_AMOUNT_NONE;
}

static enum policy_money_rule rule_of(const unsigned char *t)
{
	enum policy_money_rule r = POLICY_REFUND_ALL;
	struct pd_error ignored = {0};
	if (t)
		policy_rule_parse((const char *)t, &r, &ignored);
	return r;
}

#define POLICY_COLS                                                                           \
	"id, ifnull(service_id, 0), currency, deposit_kind, deposit_value, deposit_required,"  \
	" hold_card, cancel_window_hours, late_fee_kind, late_fee_value, no_show_fee_kind,"   \
	" no_show_fee_value, in_time_rule, late_rule, version, updated_at, updated_by"

static int read_policy(sqlite3_stmt *st, void *out)
{
	struct booking_policy *p = out;
	memset(p, 0, sizeof *p);
	p->id = sqlite3_column_int64(st, 0);
	p->service_id = sqlite3_column_int64(st, 1);
	snprintf(p->currency, sizeof p->currency, "%s", (const char *)sqlite3_column_text(st, 2));
	p->deposit.kind = kind_of(sqlite3_column_text(st, 3));
	p->deposit.value = sqlite3_column_int64(st, 4);
	p->deposit_required = sqlite3_column_int(st, 5) != 0;
	p->hold_card = sqlite3_column_int(st, 6) != 0;
	p->cancel_window_hours = sqlite3_column_int(st, 7);
	p->late_fee.kind = kind_of(sqlite3_column_text(st, 8));
	p->late_fee.value = sqlite3_column_int64(st, 9);
	p->no_show_fee.kind = kind_of(sqlite3_column_text(st, 10));
	p->no_show_fee.value = sqlite3_column_int64(st, 11);
	p->in_time = rule_of(sqlite3_column_text(st, 12));
	p->late = rule_of(sqlite3_column_text(st, 13));
	p->version = sqlite3_column_int64(st, 14);
	p->updated_at = sqlite3_column_int64(st, 15);
	snprintf(p->updated_by, sizeof p->updated_by, "%s",
		 (const char *)sqlite3_column_text(st, 16));
	return 0;
}

int policies_get(sqlite3 *db, int64_t service_id, struct booking_policy *out,
		 struct pd_error *err)
{
	return db_read_one(db,
			   "SELECT " POLICY_COLS " FROM booking_policies"
			   " WHERE ifnull(service_id, 0) = ?1",
			   service_id, NULL, read_policy, NULL, out, "reading a booking policy", err,
			   service_id ? "service %lld has no policy of its own"
				      : "no business default policy is set",
			   (long long)service_id);
}

int policies_effective(sqlite3 *db, int64_t service_id, struct booking_policy *out,
		       struct pd_error *err)
{
	int rc = service_id ? policies_get(db, service_id, out, err) : PD_ERR_NOT_FOUND;
	if (rc == PD_ERR_NOT_FOUND)
		rc = policies_get(db, 0, out, err);
	if (rc == PD_ERR_NOT_FOUND) {
		policy_none(out);
		out->service_id = service_id;
		rc = PD_OK;
	}
	if (!rc && err)
		err->msg[0] = '\0';
	return rc;
}

int policies_put(sqlite3 *db, struct booking_policy *p, const char *by, struct pd_error *err)
{
	int rc = policy_check(p, err);
	sqlite3_stmt *st;
	if (!rc)
		rc = db_prepare(
			db,
			"INSERT INTO booking_policies (service_id, currency, deposit_kind,"
			" deposit_value, deposit_required, hold_card, cancel_window_hours,"
			" late_fee_kind, late_fee_value, no_show_fee_kind, no_show_fee_value,"
			" in_time_rule, late_rule, version, updated_at, updated_by)"
			" VALUES (nullif(?1, 0), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
			"  1 + max((SELECT ifnull(max(version), 0) FROM booking_policies),"
			"          (SELECT ifnull(max(policy_version), 0) FROM policy_acceptances),"
			"          (SELECT ifnull(max(version), 0) FROM policy_versions_gone)),"
			"  ?14, ?15)"
			" ON CONFLICT (ifnull(service_id, 0)) DO UPDATE SET currency = excluded.currency,"
			" deposit_kind = excluded.deposit_kind, deposit_value = excluded.deposit_value,"
			" deposit_required = excluded.deposit_required, hold_card = excluded.hold_card,"
			" cancel_window_hours = excluded.cancel_window_hours,"
			" late_fee_kind = excluded.late_fee_kind, late_fee_value = excluded.late_fee_value,"
			" no_show_fee_kind = excluded.no_show_fee_kind,"
			" no_show_fee_value = excluded.no_show_fee_value,"
			" in_time_rule = excluded.in_time_rule, late_rule = excluded.late_rule,"
			" version = excluded.version, updated_at = excluded.updated_at,"
			" updated_by = excluded.updated_by"
			" RETURNING id, version",
			&st, err);
	if (rc)
		return rc;
	int64_t now = (int64_t)time(NULL);
	sqlite3_bind_int64(st, 1, p->service_id);
	sqlite3_bind_text(st, 2, p->currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, kind_names[p->deposit.kind], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, p->deposit.value);
	sqlite3_bind_int(st, 5, p->deposit_required);
	sqlite3_bind_int(st, 6, p->hold_card);
	sqlite3_bind_int(st, 7, p->cancel_window_hours);
	sqlite3_bind_text(st, 8, kind_names[p->late_fee.kind], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, p->late_fee.value);
	sqlite3_bind_text(st, 10, kind_names[p->no_show_fee.kind], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, p->no_show_fee.value);
	sqlite3_bind_text(st, 12, policy_rule_name(p->in_time), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, policy_rule_name(p->late), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, now);
	sqlite3_bind_text(st, 15, by ? by : "", -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		p->id = sqlite3_column_int64(st, 0);
		p->version = sqlite3_column_int64(st, 1);
		p->updated_at = now;
		snprintf(p->updated_by, sizeof p->updated_by, "%s", by ? by : "");
		step = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving a booking policy", err);
	return PD_OK;
}

int policies_remove(sqlite3 *db, int64_t service_id, struct pd_error *err)
{
	/* The version is remembered (below) so a later policy never reuses it. */
	int rc = PD_OK;
	sqlite3_stmt *st;
	if (!rc)
		rc = db_prepare(db,
				"DELETE FROM booking_policies WHERE ifnull(service_id, 0) = ?1"
				" RETURNING version",
				&st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, service_id);
	int64_t gone = 0;
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		gone = sqlite3_column_int64(st, 0);
		step = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "removing a booking policy", err);
	if (!gone)
		return pd_error_set(err, PD_ERR_NOT_FOUND,
				    service_id ? "this service has no policy of its own"
					       : "no business default policy is set");
	if ((rc = db_prepare(db, "INSERT OR IGNORE INTO policy_versions_gone (version) VALUES (?1)",
			     &st, err)))
		return rc;
	sqlite3_bind_int64(st, 1, gone);
	step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "removing a booking policy", err);
}

int policies_each(sqlite3 *db, void (*fn)(void *ctx, const struct booking_policy *p),
		  void *ctx, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT " POLICY_COLS " FROM booking_policies"
			    " ORDER BY ifnull(service_id, 0)",
			    &st, err);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct booking_policy p;
		read_policy(st, &p);
		fn(ctx, &p);
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "reading booking policies", err);
}

const char *policy_how_name(enum policy_accepted_how how)
{
	return (unsigned)how < 4 ? how_names[how] : "desk";
}

int policy_how_parse(const char *text, enum policy_accepted_how *out, struct pd_error *err)
{
	for (int i = 0; i < 4; i++)
		if (text && !strcasecmp(text, how_names[i])) {
			*out = (enum policy_accepted_how)i;
			return PD_OK;
		}
	return pd_error_set(err, PD_ERR_USAGE,
			    "how the client accepted is desk, phone, link or reader");
}

int policies_accept(sqlite3 *db, const struct policy_acceptance *a, int64_t *id,
		    struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO policy_acceptances (appointment_id, policy_id,"
			    " policy_version, how, text, accepted_at, actor)"
			    " VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, a->appointment_id);
	sqlite3_bind_int64(st, 2, a->policy_id);
	sqlite3_bind_int64(st, 3, a->policy_version);
	sqlite3_bind_text(st, 4, policy_how_name(a->how), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, a->accepted_at ? a->accepted_at : (int64_t)time(NULL));
	sqlite3_bind_text(st, 7, a->actor, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "recording the client's acceptance", err);
	if (id)
		*id = sqlite3_last_insert_rowid(db);
	return PD_OK;
}

static int read_acceptance(sqlite3_stmt *st, void *out)
{
	struct policy_acceptance *a = out;
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(st, 0);
	a->appointment_id = sqlite3_column_int64(st, 1);
	a->policy_id = sqlite3_column_int64(st, 2);
	a->policy_version = sqlite3_column_int64(st, 3);
	struct pd_error ignored = {0};
	policy_how_parse((const char *)sqlite3_column_text(st, 4), &a->how, &ignored);
	snprintf(a->text, sizeof a->text, "%s", (const char *)sqlite3_column_text(st, 5));
	a->accepted_at = sqlite3_column_int64(st, 6);
	snprintf(a->actor, sizeof a->actor, "%s", (const char *)sqlite3_column_text(st, 7));
	return 0;
}

int policies_acceptance_last(sqlite3 *db, int64_t appointment_id, struct policy_acceptance *out,
			     struct pd_error *err)
{
	return db_read_one(db,
			   "SELECT id, appointment_id, ifnull(policy_id, 0), policy_version, how,"
			   " text, accepted_at, actor FROM policy_acceptances"
			   " WHERE appointment_id = ?1 ORDER BY id DESC LIMIT 1",
			   appointment_id, NULL, read_acceptance, NULL, out,
			   "reading the client's acceptance", err,
			   "no acceptance of a policy is recorded for appointment %lld",
			   (long long)appointment_id);
}
