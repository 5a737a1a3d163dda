/* Price changes, discounts and tips of appointments (schema 20). */
#include "paydesk/appt_money.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

static const char *const kind_keys[] = {"discount", "percent", "price"};

const char *price_change_kind_key(enum price_change_kind k)
{
	return (unsigned)k < 3 ? kind_keys[k] : "discount";
}

static enum price_change_kind kind_parse(const unsigned char *s)
{
	for (int i = 0; i < 3; i++)
		if (s && strcmp((const char *)s, kind_keys[i]) == 0)
			return (enum price_change_kind)i;
	return PRICE_DISCOUNT;
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, struct pd_error *err)
{
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, what, err);
}

int price_changes_insert(sqlite3 *db, const struct price_change *c, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO appointment_price_changes (appointment_id, kind, value,"
			    " list_price, before_amount, after_amount, reason, actor, created_at)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, c->appointment_id);
	sqlite3_bind_text(st, 2, price_change_kind_key(c->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->value);
	sqlite3_bind_int64(st, 4, c->list_price);
	sqlite3_bind_int64(st, 5, c->before_amount);
	sqlite3_bind_int64(st, 6, c->after_amount);
	sqlite3_bind_text(st, 7, c->reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, c->actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)time(NULL));
	return step_done(db, st, "saving a price change", err);
}

int price_changes_latest(sqlite3 *db, int64_t appointment_id, struct price_change *out,
			 struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT id, kind, value, list_price, before_amount, after_amount, reason,"
			    " actor, created_at FROM appointment_price_changes"
			    " WHERE appointment_id = ? ORDER BY id DESC LIMIT 1",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, appointment_id);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->id = sqlite3_column_int64(st, 0);
		out->appointment_id = appointment_id;
		out->kind = kind_parse(sqlite3_column_text(st, 1));
		out->value = sqlite3_column_int64(st, 2);
		out->list_price = sqlite3_column_int64(st, 3);
		out->before_amount = sqlite3_column_int64(st, 4);
		out->after_amount = sqlite3_column_int64(st, 5);
		snprintf(out->reason, sizeof out->reason, "%s",
			 (const char *)sqlite3_column_text(st, 6));
		snprintf(out->actor, sizeof out->actor, "%s",
			 (const char *)sqlite3_column_text(st, 7));
		out->created_at = sqlite3_column_int64(st, 8);
	}
	sqlite3_finalize(st);
	if (step == SQLITE_ROW)
		return PD_OK;
	if (step == SQLITE_DONE)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "no price change");
	return db_fail(db, "reading a price change", err);
}

int price_changes_original(sqlite3 *db, int64_t appointment_id, int64_t *amount, bool *found,
			   struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT before_amount FROM appointment_price_changes"
			    " WHERE appointment_id = ? ORDER BY id LIMIT 1",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, appointment_id);
	int step = sqlite3_step(st);
	*found = step == SQLITE_ROW;
	if (*found)
		*amount = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? PD_OK
							 : db_fail(db, "reading a price change", err);
}

int appointments_set_price(sqlite3 *db, int64_t appointment_id, int64_t amount, int64_t deposit,
			   struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE appointments SET amount = ?1, deposit = ?2, updated_at = ?3,"
			    " version = version + 1 WHERE id = ?4",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, amount);
	sqlite3_bind_int64(st, 2, deposit);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 4, appointment_id);
	return step_done(db, st, "saving the price", err);
}

int payrow_tip_set(sqlite3 *db, int64_t payment_row, int64_t tip, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "UPDATE appointment_payments SET tip = ?1 WHERE id = ?2", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, tip);
	sqlite3_bind_int64(st, 2, payment_row);
	return step_done(db, st, "saving a tip", err);
}

static int one_int(sqlite3 *db, const char *sql, int64_t id, int64_t *out, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	*out = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? PD_OK : db_fail(db, "reading tips", err);
}

int payrow_tip_get(sqlite3 *db, int64_t payment_row, int64_t *tip, struct pd_error *err)
{
	return one_int(db, "SELECT tip FROM appointment_payments WHERE id = ?", payment_row, tip,
		       err);
}

int appointment_tips(sqlite3 *db, int64_t appointment_id, int64_t *tips, struct pd_error *err)
{
	return one_int(db,
		       "SELECT ifnull(sum(tip), 0) FROM appointment_payments"
		       " WHERE appointment_id = ? AND status = 'succeeded'",
		       appointment_id, tips, err);
}

int staff_tips_range(sqlite3 *db, int64_t since, int64_t until, struct staff_tips *out, int max,
		     int *n, struct pd_error *err)
{
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT ifnull(s.name, '(no staff)'), p.currency, count(*), sum(p.tip)"
			    " FROM appointment_payments p JOIN appointments a ON a.id = p.appointment_id"
			    " LEFT JOIN staff s ON s.id = a.staff_id"
			    " WHERE p.status = 'succeeded' AND p.tip > 0"
			    " AND p.updated_at >= ?1 AND p.updated_at < ?2"
			    " GROUP BY 1, 2 ORDER BY 1, 2",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct staff_tips *t = &out[(*n)++];
		snprintf(t->staff, sizeof t->staff, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(t->currency, sizeof t->currency, "%s",
			 (const char *)sqlite3_column_text(st, 1));
		t->count = sqlite3_column_int64(st, 2);
		t->tips = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? PD_OK : db_fail(db, "reading tips", err);
}
