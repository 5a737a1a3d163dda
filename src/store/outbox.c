#include "paydesk/outbox.h"

#include <stdbool.h>
#include <stdio.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"
#include "paydesk/secret_mask.h"

static const char *const state_names[] = {"pending", "sent", "done", "failed", "unknown"};

const char *outbox_state_name(enum outbox_state s)
{
	return (unsigned)s <= OUTBOX_UNKNOWN ? state_names[s] : "?";
}

int outbox_state_parse(const char *name, enum outbox_state *out)
{
	for (int i = 0; name && i <= OUTBOX_UNKNOWN; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum outbox_state)i;
			return 0;
		}
	}
	return -1;
}

/* The log's redactor doubles as the detector: if it would change the text,
 * the text holds something shaped like a Stripe secret. */
static bool holds_secret(const char *s)
{
	if (!s)
		return false;
	char *copy = strdup(s);
	if (!copy)
		return true;
	secret_redact(copy);
	bool changed = strcmp(copy, s) != 0;
	free(copy);
	return changed;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, struct pd_error *err)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? PD_OK : db_fail(db, what, err);
}

int outbox_insert(sqlite3 *db, const char *idempotency_key, const char *method, const char *path,
                  const char *params, const char *stripe_account, int64_t *id, struct pd_error *err)
{
	if (holds_secret(params) || holds_secret(path))
		return pd_error_set(
		    err, PD_ERR_USAGE,
		    "refusing to store a Stripe call whose parameters hold a secret key");
	sqlite3_stmt *st;
	int rc =
	    db_prepare(db,
	               "INSERT INTO outbox (idempotency_key, method, path, params, stripe_account,"
	               " state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
	               &st, err);
	if (rc)
		return rc;
	int64_t now = (int64_t)time(NULL);
	sqlite3_bind_text(st, 1, idempotency_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, method, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, params ? params : "", -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 5, stripe_account);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step == SQLITE_CONSTRAINT && sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
		return pd_error_set(err, PD_ERR_EXISTS,
		                    "idempotency key %s is already in the outbox", idempotency_key);
	if (step != SQLITE_DONE)
		return db_fail(db, "adding to the outbox", err);
	*id = sqlite3_last_insert_rowid(db);
	return PD_OK;
}

int outbox_mark_sent(sqlite3 *db, int64_t id, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "UPDATE outbox SET state = 'sent', updated_at = ? WHERE id = ?",
	                    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, (int64_t)time(NULL));
	sqlite3_bind_int64(st, 2, id);
	rc = step_done(db, st, "marking an outbox call sent", err);
	if (!rc && sqlite3_changes(db) == 0)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "no outbox row %lld", (long long)id);
	return rc;
}

int outbox_record(sqlite3 *db, int64_t id, const struct outbox_result *r, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc =
	    db_prepare(db,
	               "UPDATE outbox SET state = ?, attempts = attempts + ?, http_status = ?,"
	               " request_id = coalesce(?, request_id), object_id = coalesce(?, object_id),"
	               " object_status = ?, error_type = ?, error_code = ?, decline_code = ?,"
	               " error_message = ?, updated_at = ? WHERE id = ?",
	               &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, outbox_state_name(r->state), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->attempts);
	if (r->http_status)
		sqlite3_bind_int64(st, 3, r->http_status);
	else
		sqlite3_bind_null(st, 3);
	bind_text_or_null(st, 4, r->request_id);
	bind_text_or_null(st, 5, r->object_id);
	bind_text_or_null(st, 6, r->object_status);
	bind_text_or_null(st, 7, r->error_type);
	bind_text_or_null(st, 8, r->error_code);
	bind_text_or_null(st, 9, r->decline_code);
	bind_text_or_null(st, 10, r->error_message);
	sqlite3_bind_int64(st, 11, (int64_t)time(NULL));
	sqlite3_bind_int64(st, 12, id);
	rc = step_done(db, st, "recording an outbox outcome", err);
	if (!rc && sqlite3_changes(db) == 0)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "no outbox row %lld", (long long)id);
	return rc;
}

#define ROW_COLUMNS                                                                                \
	"id, idempotency_key, method, path, params, stripe_account, state, attempts,"              \
	" http_status, request_id, object_id, object_status, error_type, error_code,"              \
	" decline_code, error_message, created_at, updated_at"

static char *column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? strdup((const char *)s) : NULL;
}

static void row_read(sqlite3_stmt *st, struct outbox_row *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	r->idempotency_key = column_dup(st, 1);
	r->method = column_dup(st, 2);
	r->path = column_dup(st, 3);
	r->params = column_dup(st, 4);
	r->stripe_account = column_dup(st, 5);
	if (outbox_state_parse((const char *)sqlite3_column_text(st, 6), &r->state) != 0)
		r->state = OUTBOX_UNKNOWN; /* CHECK constraint makes this unreachable */
	r->attempts = sqlite3_column_int(st, 7);
	r->http_status = (long)sqlite3_column_int64(st, 8);
	r->request_id = column_dup(st, 9);
	r->object_id = column_dup(st, 10);
	r->object_status = column_dup(st, 11);
	r->error_type = column_dup(st, 12);
	r->error_code = column_dup(st, 13);
	r->decline_code = column_dup(st, 14);
	r->error_message = column_dup(st, 15);
	r->created_at = sqlite3_column_int64(st, 16);
	r->updated_at = sqlite3_column_int64(st, 17);
}

/* For db_read_rows and db_read_one, which see rows as void *. */
static int read_any(sqlite3_stmt *st, void *p)
{
	row_read(st, p);
	return 0;
}

static void clear_any(void *p)
{
	outbox_row_clear(p);
}

int outbox_get(sqlite3 *db, int64_t id, struct outbox_row *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	return db_read_one(db, "SELECT " ROW_COLUMNS " FROM outbox WHERE id = ?", id, NULL,
	                   read_any, clear_any, out, "reading the outbox", err,
	                   "no outbox row %lld", (long long)id);
}

int outbox_list_unresolved(sqlite3 *db, struct outbox_row **rows, size_t *n, struct pd_error *err)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT " ROW_COLUMNS " FROM outbox"
	                    " WHERE state IN ('pending', 'sent', 'unknown') ORDER BY id",
	                    &st, err);
	if (rc)
		return rc;
	void *got;
	rc = db_read_rows(db, st, sizeof **rows, read_any, clear_any, &got, n, "reading the outbox",
	                  err);
	*rows = got;
	if (rc == PD_ERR) /* out of memory: this list has always said where */
		rc = pd_error_set(err, PD_ERR, "out of memory reading the outbox");
	return rc;
}

void outbox_row_clear(struct outbox_row *r)
{
	if (!r)
		return;
	free(r->idempotency_key);
	free(r->method);
	free(r->path);
	free(r->params);
	free(r->stripe_account);
	free(r->request_id);
	free(r->object_id);
	free(r->object_status);
	free(r->error_type);
	free(r->error_code);
	free(r->decline_code);
	free(r->error_message);
	memset(r, 0, sizeof *r);
}

void outbox_rows_free(struct outbox_row **rows, size_t n)
{
	if (!rows || !*rows)
		return;
	for (size_t i = 0; i < n; i++)
		outbox_row_clear(&(*rows)[i]);
	free(*rows);
	*rows = NULL;
}

/* pair as a whole "key=value" of the form-encoded params, not a suffix of
 * another key ("payment_intent_data[metadata][…]" holds "metadata[…]"). */
static bool has_pair(const char *params, const char *pair)
{
	size_t n = strlen(pair);
	for (const char *p = params ? strstr(params, pair) : NULL; p; p = strstr(p + 1, pair))
		if ((p == params || p[-1] == '&') && (p[n] == '\0' || p[n] == '&'))
			return true;
	return false;
}

static bool has_pairs(const char *params, const char *const *pairs)
{
	for (size_t i = 0; pairs && pairs[i]; i++)
		if (!has_pair(params, pairs[i]))
			return false;
	return true;
}

int outbox_list_for(sqlite3 *db, const char *path_glob, const char *const *pairs, int64_t since,
                    struct outbox_row **rows, size_t *n, struct pd_error *err)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT " ROW_COLUMNS " FROM outbox WHERE path GLOB ?1"
	                    " AND updated_at >= ?2 ORDER BY id",
	                    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, path_glob, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, since);
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (!has_pairs((const char *)sqlite3_column_text(st, 4), pairs))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			struct outbox_row *g = realloc(*rows, cap * sizeof *g);
			if (!g) {
				sqlite3_finalize(st);
				outbox_rows_free(rows, *n);
				*n = 0;
				return pd_error_set(err, PD_ERR, "out of memory reading the outbox");
			}
			*rows = g;
		}
		row_read(st, &(*rows)[(*n)++]);
	}
	sqlite3_finalize(st);
	if (step == SQLITE_DONE)
		return PD_OK;
	outbox_rows_free(rows, *n);
	*n = 0;
	return db_fail(db, "reading the outbox", err);
}

char *outbox_param(const char *params, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = params; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1;
			return strndup(v, strcspn(v, "&"));
		}
	return NULL;
}

/* Whether params (form-encoded) hold key, whatever its value. */
static bool has_key(const char *params, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = params ? strstr(params, key) : NULL; p; p = strstr(p + 1, key))
		if ((p == params || p[-1] == '&') && p[n] == '=')
			return true;
	return false;
}

int outbox_find_latest(sqlite3 *db, const char *path, const char *pair, int64_t since,
                       struct outbox_row *out, struct pd_error *err)
{
	return outbox_find_latest_except(db, path, pair, NULL, since, out, err);
}

int outbox_find_latest_except(sqlite3 *db, const char *path, const char *pair,
                              const char *except_key, int64_t since, struct outbox_row *out,
                              struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT " ROW_COLUMNS " FROM outbox WHERE path = ?1 AND created_at >= ?2"
	                    " AND (?3 IS NULL OR instr(params, ?3) > 0) ORDER BY id DESC",
	                    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, since);
	if (pair)
		sqlite3_bind_text(st, 3, pair, -1, SQLITE_TRANSIENT);
	int step;
	bool found = false;
	while (!found && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (pair && !has_pair((const char *)sqlite3_column_text(st, 4), pair))
			continue;
		if (except_key && has_key((const char *)sqlite3_column_text(st, 4), except_key))
			continue;
		row_read(st, out);
		found = true;
	}
	sqlite3_finalize(st);
	if (found)
		return PD_OK;
	if (step == SQLITE_DONE)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "no outbox row for %s", path);
	return db_fail(db, "reading the outbox", err);
}

int outbox_sum_done(sqlite3 *db, const char *path, const char *pair, const char *key,
                    int64_t *sum, struct pd_error *err)
{
	*sum = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT params FROM outbox WHERE path = ?1 AND state = 'done'"
	                    " AND instr(params, ?2) > 0",
	                    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, pair, -1, SQLITE_TRANSIENT);
	char prefix[96];
	snprintf(prefix, sizeof prefix, "%s=", key);
	size_t plen = strlen(prefix);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *params = (const char *)sqlite3_column_text(st, 0);
		if (!has_pair(params, pair))
			continue;
		for (const char *p = params; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
			if (strncmp(p, prefix, plen) == 0) {
				*sum += strtoll(p + plen, NULL, 10);
				break;
			}
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? PD_OK : db_fail(db, "reading the outbox", err);
}
