#include "paydesk/clients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"
#include "paydesk/textcheck.h"

static char *dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return strdup(t ? (const char *)t : "");
}

void client_free(struct client *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->email);
	free(c->phone);
	free(c->notes);
	free(c->stripe_customer_id);
	memset(c, 0, sizeof *c);
}

int clients_check(const struct client_input *in, struct pd_error *err)
{
	int rc = text_check("name", in->name, CLIENT_NAME_MAX, true, false, err);
	if (!rc && in->name[0] == ' ')
		rc = pd_error_set(err, PD_ERR_USAGE, "name starts with a space");
	if (!rc)
		rc = text_check_email(in->email, err);
	if (!rc)
		rc = text_check_phone(in->phone, err);
	if (!rc)
		rc = text_check("notes", in->notes, CLIENT_NOTES_MAX, false, true, err);
	return rc;
}

/* A friendly message when the unique email index refuses a write. */
static int email_taken(sqlite3 *db, const char *email, int64_t self, struct pd_error *err)
{
	int64_t other = 0;
	struct pd_error ignored;
	clients_find_email(db, email, &other, &ignored);
	struct client c = {0};
	if (other && other != self && clients_get(db, other, &c, &ignored) == PD_OK) {
		int rc = pd_error_set(err, PD_ERR_EXISTS, "email %s belongs to another client (%s)",
				      email, c.name);
		client_free(&c);
		return rc;
	}
	return pd_error_set(err, PD_ERR_EXISTS, "email %s belongs to another client", email);
}

static void bind_input(sqlite3_stmt *st, const struct client_input *in)
{
	sqlite3_bind_text(st, 1, in->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, in->email ? in->email : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, in->phone ? in->phone : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, in->notes ? in->notes : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, in->bill_with_stripe);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
}

int clients_insert(sqlite3 *db, const struct client_input *in, int64_t *id, struct pd_error *err)
{
	int rc = clients_check(in, err);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	rc = db_prepare(db,
			"INSERT INTO clients (name, email, phone, notes, bill_with_stripe, created_at,"
			" updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
			&st, err);
	if (rc)
		return rc;
	bind_input(st, in);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step == SQLITE_CONSTRAINT)
		return email_taken(db, in->email, 0, err);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving a client", err);
	*id = sqlite3_last_insert_rowid(db);
	return PD_OK;
}

static int conflict_or_missing(sqlite3 *db, const char *table, int64_t id, struct pd_error *err)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE id = ?", table);
	sqlite3_stmt *st;
	if (db_prepare(db, sql, &st, err))
		return PD_ERR_IO;
	sqlite3_bind_int64(st, 1, id);
	bool exists = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!exists)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "it was deleted meanwhile");
	return pd_error_set(err, PD_ERR_CONFLICT,
			    "someone else changed it since you opened it; nothing was saved — "
			    "reopen it to see their change, then edit again");
}

int clients_update(sqlite3 *db, int64_t id, int64_t version, const struct client_input *in,
		   struct pd_error *err)
{
	int rc = clients_check(in, err);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	rc = db_prepare(db,
			"UPDATE clients SET name = ?1, email = ?2, phone = ?3, notes = ?4,"
			" bill_with_stripe = ?5, updated_at = ?6, version = version + 1"
			" WHERE id = ?7 AND version = ?8",
			&st, err);
	if (rc)
		return rc;
	bind_input(st, in);
	sqlite3_bind_int64(st, 7, id);
	sqlite3_bind_int64(st, 8, version);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step == SQLITE_CONSTRAINT)
		return email_taken(db, in->email, id, err);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving a client", err);
	if (sqlite3_changes(db) == 0)
		return conflict_or_missing(db, "clients", id, err);
	return PD_OK;
}

int clients_delete(sqlite3 *db, int64_t id, int64_t version, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT count(*) FROM appointments WHERE client_id = ?", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (n > 0)
		return pd_error_set(err, PD_ERR_EXISTS,
				    "this client has %lld appointment%s, kept for the records; "
				    "the client cannot be deleted",
				    (long long)n, n == 1 ? "" : "s");
	rc = db_prepare(db, "DELETE FROM clients WHERE id = ? AND version = ?", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, version);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return db_fail(db, "deleting a client", err);
	if (sqlite3_changes(db) == 0)
		return conflict_or_missing(db, "clients", id, err);
	return PD_OK;
}

#define CLIENT_COLS                                                                     \
	"id, name, email, phone, notes, bill_with_stripe, stripe_customer_id, created_at," \
	" updated_at, version"

static int read_row(sqlite3_stmt *st, struct client *c)
{
	c->id = sqlite3_column_int64(st, 0);
	c->name = dup_col(st, 1);
	c->email = dup_col(st, 2);
	c->phone = dup_col(st, 3);
	c->notes = dup_col(st, 4);
	c->bill_with_stripe = sqlite3_column_int(st, 5) != 0;
	c->stripe_customer_id =
		sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : dup_col(st, 6);
	c->created_at = sqlite3_column_int64(st, 7);
	c->updated_at = sqlite3_column_int64(st, 8);
	c->version = sqlite3_column_int64(st, 9);
	return c->name && c->email && c->phone && c->notes ? 0 : -1;
}

/* For db_read_one, which sees rows as void *. */
static int read_any(sqlite3_stmt *st, void *p)
{
	return read_row(st, p);
}

static void clear_any(void *p)
{
	client_free(p);
}

int clients_get(sqlite3 *db, int64_t id, struct client *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	return db_read_one(db, "SELECT " CLIENT_COLS " FROM clients WHERE id = ?", id, NULL,
			   read_any, clear_any, out, "reading a client", err, "no client %lld",
			   (long long)id);
}

int clients_find_email(sqlite3 *db, const char *email, int64_t *id, struct pd_error *err)
{
	*id = 0;
	if (!email || !*email)
		return PD_OK;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT id FROM clients WHERE lower(email) = lower(?) AND email <> ''",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else if (step != SQLITE_DONE)
		rc = db_fail(db, "finding a client", err);
	sqlite3_finalize(st);
	return rc;
}

/* LIKE pattern %query% with %, _ and \ escaped. */
static char *like_pattern(const char *q)
{
	size_t n = strlen(q);
	char *p = malloc(2 * n + 3), *o = p;
	if (!p)
		return NULL;
	*o++ = '%';
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*o++ = '\\';
		*o++ = *q;
	}
	*o++ = '%';
	*o = '\0';
	return p;
}

static int read_id(sqlite3_stmt *st, void *p)
{
	*(int64_t *)p = sqlite3_column_int64(st, 0);
	return 0;
}

int clients_find_name(sqlite3 *db, const char *name, int64_t **ids, size_t *n,
		      struct pd_error *err)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT id FROM clients WHERE fold(name) = fold(?1) ORDER BY id",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	void *rows;
	rc = db_read_rows(db, st, sizeof **ids, read_id, NULL, &rows, n, "finding the client", err);
	*ids = rows;
	return rc;
}

int clients_search(sqlite3 *db, const char *query, int64_t **ids, size_t *n, struct pd_error *err)
{
	*ids = NULL;
	*n = 0;
	char *pat = like_pattern(query ? query : "");
	if (!pat)
		return pd_error_set(err, PD_ERR, "out of memory");
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT id FROM clients WHERE fold(name) LIKE fold(?1) ESCAPE '\\'"
			    " OR email LIKE ?1 ESCAPE '\\' OR phone LIKE ?1 ESCAPE '\\'"
			    " ORDER BY fold(name), name, id",
			    &st, err);
	if (rc) {
		free(pat);
		return rc;
	}
	sqlite3_bind_text(st, 1, pat, -1, SQLITE_STATIC);
	void *rows;
	rc = db_read_rows(db, st, sizeof **ids, read_id, NULL, &rows, n, "searching clients", err);
	*ids = rows;
	free(pat);
	return rc;
}

int clients_foreach(sqlite3 *db, int (*fn)(void *ctx, const struct client *c), void *ctx,
		    struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT " CLIENT_COLS " FROM clients ORDER BY fold(name), name, id",
			    &st, err);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct client c = {0};
		if (read_row(st, &c)) {
			client_free(&c);
			rc = pd_error_set(err, PD_ERR, "out of memory");
			break;
		}
		int stop = fn(ctx, &c);
		client_free(&c);
		if (stop)
			break;
	}
	if (!rc && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = db_fail(db, "reading clients", err);
	sqlite3_finalize(st);
	return rc;
}
