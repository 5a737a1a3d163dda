#include "paydesk/services.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"
#include "paydesk/money.h"
#include "paydesk/textcheck.h"

int services_check(const struct service_input *in, struct pd_error *err)
{
	int rc = text_check("name", in->name, SERVICE_NAME_MAX, true, false, err);
	if (rc)
		return rc;
	if (in->duration_min < SERVICE_DURATION_MIN || in->duration_min > SERVICE_DURATION_MAX)
		return pd_error_set(err, PD_ERR_USAGE, "duration is %d to %d minutes",
				    SERVICE_DURATION_MIN, SERVICE_DURATION_MAX);
	if ((rc = money_currency_check(in->currency, NULL, err)))
		return rc;
	if (in->price < 0 || in->price > MONEY_MAX_MINOR)
		return pd_error_set(err, PD_ERR_USAGE, "price is out of range");
	return PD_OK;
}

static void bind_input(sqlite3_stmt *st, const struct service_input *in)
{
	char cur[4];
	for (int i = 0; i < 3; i++)
		cur[i] = (char)tolower((unsigned char)in->currency[i]);
	cur[3] = '\0';
	sqlite3_bind_text(st, 1, in->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, in->duration_min);
	sqlite3_bind_int64(st, 3, in->price);
	sqlite3_bind_text(st, 4, cur, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, in->active);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
}

int services_insert(sqlite3 *db, const struct service_input *in, int64_t *id, struct pd_error *err)
{
	int rc = services_check(in, err);
	sqlite3_stmt *st;
	if (!rc)
		rc = db_prepare(db,
				"INSERT INTO services (name, duration_min, price, currency, active,"
				" created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
				&st, err);
	if (rc)
		return rc;
	bind_input(st, in);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving a service", err);
	*id = sqlite3_last_insert_rowid(db);
	return PD_OK;
}

int services_update(sqlite3 *db, int64_t id, int64_t version, const struct service_input *in,
		    struct pd_error *err)
{
	int rc = services_check(in, err);
	sqlite3_stmt *st;
	if (!rc)
		rc = db_prepare(db,
				"UPDATE services SET name = ?1, duration_min = ?2, price = ?3,"
				" currency = ?4, active = ?5, updated_at = ?6, version = version + 1"
				" WHERE id = ?7 AND version = ?8",
				&st, err);
	if (rc)
		return rc;
	bind_input(st, in);
	sqlite3_bind_int64(st, 7, id);
	sqlite3_bind_int64(st, 8, version);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving a service", err);
	if (sqlite3_changes(db) == 0)
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "someone else changed or deleted this service since you opened "
				    "it; nothing was saved — reopen it and edit again");
	return PD_OK;
}

static void read_row(sqlite3_stmt *st, struct service *s)
{
	memset(s, 0, sizeof *s);
	s->id = sqlite3_column_int64(st, 0);
	snprintf(s->name, sizeof s->name, "%s", (const char *)sqlite3_column_text(st, 1));
	s->duration_min = sqlite3_column_int(st, 2);
	s->price = sqlite3_column_int64(st, 3);
	snprintf(s->currency, sizeof s->currency, "%s", (const char *)sqlite3_column_text(st, 4));
	s->active = sqlite3_column_int(st, 5) != 0;
	s->version = sqlite3_column_int64(st, 6);
}

#define SERVICE_COLS "id, name, duration_min, price, currency, active, version"

/* For db_read_rows and db_read_one, which see rows as void *. */
static int read_any(sqlite3_stmt *st, void *p)
{
	read_row(st, p);
	return 0;
}

int services_get(sqlite3 *db, int64_t id, struct service *out, struct pd_error *err)
{
	return db_read_one(db, "SELECT " SERVICE_COLS " FROM services WHERE id = ?", id, NULL,
			   read_any, NULL, out, "reading a service", err, "no service %lld",
			   (long long)id);
}

int services_list(sqlite3 *db, bool active_only, struct service **out, size_t *n,
		  struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    active_only ? "SELECT " SERVICE_COLS " FROM services WHERE active = 1"
					  " ORDER BY fold(name), name, id"
					: "SELECT " SERVICE_COLS " FROM services"
					  " ORDER BY fold(name), name, id",
			    &st, err);
	if (rc)
		return rc;
	void *rows;
	rc = db_read_rows(db, st, sizeof **out, read_any, NULL, &rows, n, "reading services", err);
	*out = rows;
	return rc;
}
