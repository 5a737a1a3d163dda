#include "paydesk/audit.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "paydesk/db.h"

#define HASH_BYTES crypto_generichash_BYTES

/* Length-prefixed fields, so "ab"+"c" and "a"+"bc" hash differently. */
static void hash_field(crypto_generichash_state *h, const void *data, size_t len)
{
	unsigned char prefix[8];
	for (int i = 0; i < 8; i++)
		prefix[i] = (unsigned char)(len >> (8 * i));
	crypto_generichash_update(h, prefix, sizeof prefix);
	if (len)
		crypto_generichash_update(h, data, len);
}

static void hash_text(crypto_generichash_state *h, const char *s)
{
	if (s)
		hash_field(h, s, strlen(s));
	else
		hash_field(h, "\xff", 1); /* NULL differs from "" */
}

static void hash_int(crypto_generichash_state *h, int64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)v >> (8 * i));
	hash_field(h, b, sizeof b);
}

static void entry_hash(unsigned char out[HASH_BYTES], const unsigned char *prev, int64_t id,
		       int64_t at, const struct audit_entry *e)
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, HASH_BYTES);
	hash_field(&h, prev, HASH_BYTES);
	hash_int(&h, id);
	hash_int(&h, at);
	hash_text(&h, e->actor);
	hash_text(&h, e->action);
	hash_text(&h, e->detail ? e->detail : "");
	if (e->has_amount)
		hash_int(&h, e->amount);
	else
		hash_text(&h, NULL);
	hash_text(&h, e->currency);
	hash_text(&h, e->object_id);
	crypto_generichash_final(&h, out, HASH_BYTES);
}

static int64_t now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int audit_append(sqlite3 *db, const struct audit_entry *e, struct pd_error *err)
{
	/* Own the transaction when the caller has none: the read of the last
	 * hash and the insert must not interleave with another writer. */
	bool own_tx = sqlite3_get_autocommit(db);
	int rc = own_tx ? db_begin(db, err) : PD_OK;
	if (rc)
		return rc;
	unsigned char prev[HASH_BYTES] = {0};
	int64_t id = 1;
	sqlite3_stmt *st;
	rc = db_prepare(db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", &st, err);
	if (!rc) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			id = sqlite3_column_int64(st, 0) + 1;
			if (sqlite3_column_bytes(st, 1) == HASH_BYTES)
				memcpy(prev, sqlite3_column_blob(st, 1), HASH_BYTES);
		}
		sqlite3_finalize(st);
	}
	int64_t at = now_ms();
	unsigned char hash[HASH_BYTES];
	entry_hash(hash, prev, id, at, e);
	if (!rc)
		rc = db_prepare(db,
				"INSERT INTO audit_log (id, at, actor, action, detail, amount,"
				" currency, object_id, prev_hash, hash)"
				" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				&st, err);
	if (!rc) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, at);
		sqlite3_bind_text(st, 3, e->actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, e->action, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, e->detail ? e->detail : "", -1, SQLITE_STATIC);
		if (e->has_amount)
			sqlite3_bind_int64(st, 6, e->amount);
		sqlite3_bind_text(st, 7, e->currency, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, e->object_id, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 9, prev, HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 10, hash, HASH_BYTES, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(db, "writing the audit log", err);
		sqlite3_finalize(st);
	}
	if (own_tx) {
		if (!rc)
			rc = db_commit(db, err);
		if (rc)
			db_rollback(db);
	}
	return rc;
}

int audit_verify(sqlite3 *db, int64_t *broken_id, int64_t *entries, struct pd_error *err)
{
	*broken_id = 0;
	*entries = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT id, at, actor, action, detail, amount, currency, object_id,"
			    " prev_hash, hash FROM audit_log ORDER BY id",
			    &st, err);
	if (rc)
		return rc;
	unsigned char prev[HASH_BYTES] = {0};
	int64_t expect_id = 1;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		struct audit_entry e = {
			.actor = (const char *)sqlite3_column_text(st, 2),
			.action = (const char *)sqlite3_column_text(st, 3),
			.detail = (const char *)sqlite3_column_text(st, 4),
			.has_amount = sqlite3_column_type(st, 5) != SQLITE_NULL,
			.amount = sqlite3_column_int64(st, 5),
			.currency = (const char *)sqlite3_column_text(st, 6),
			.object_id = (const char *)sqlite3_column_text(st, 7),
		};
		unsigned char hash[HASH_BYTES];
		entry_hash(hash, prev, id, sqlite3_column_int64(st, 1), &e);
		const char *why = NULL;
		if (id != expect_id)
			why = "an entry before it is missing";
		else if (sqlite3_column_bytes(st, 8) != HASH_BYTES ||
			 memcmp(sqlite3_column_blob(st, 8), prev, HASH_BYTES) != 0)
			why = "its link to the previous entry does not match";
		else if (sqlite3_column_bytes(st, 9) != HASH_BYTES ||
			 memcmp(sqlite3_column_blob(st, 9), hash, HASH_BYTES) != 0)
			why = "its content was changed";
		if (why) {
			*broken_id = id;
			rc = pd_error_set(err, PD_ERR_TAMPERED, "audit log broken at entry %lld: %s",
					  (long long)id, why);
			break;
		}
		memcpy(prev, hash, HASH_BYTES);
		expect_id = id + 1;
		(*entries)++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_fail(db, "reading the audit log", err);
	sqlite3_finalize(st);
	return rc;
}

#define AUDIT_COLUMNS "id, at, actor, action, detail, amount, currency, object_id"
/* ?1..?4: the filter; every query below adds its own order and bounds. */
#define AUDIT_WHERE                                                                            \
	" FROM audit_log WHERE (?1 = 0 OR at >= ?1) AND (?2 = 0 OR at < ?2)"                   \
	" AND (?3 IS NULL OR actor = ?3)"                                                      \
	" AND (?4 IS NULL OR substr(action, 1, length(?4)) = ?4)"

static void bind_filter(sqlite3_stmt *st, const struct audit_filter *f)
{
	sqlite3_bind_int64(st, 1, f ? f->since_ms : 0);
	sqlite3_bind_int64(st, 2, f ? f->until_ms : 0);
	if (f && f->actor && *f->actor)
		sqlite3_bind_text(st, 3, f->actor, -1, SQLITE_TRANSIENT);
	if (f && f->action && *f->action)
		sqlite3_bind_text(st, 4, f->action, -1, SQLITE_TRANSIENT);
}

static void read_row(sqlite3_stmt *st, struct audit_row *r)
{
	*r = (struct audit_row){
		.id = sqlite3_column_int64(st, 0),
		.at_ms = sqlite3_column_int64(st, 1),
		.e = {.actor = (const char *)sqlite3_column_text(st, 2),
		      .action = (const char *)sqlite3_column_text(st, 3),
		      .detail = (const char *)sqlite3_column_text(st, 4),
		      .has_amount = sqlite3_column_type(st, 5) != SQLITE_NULL,
		      .amount = sqlite3_column_int64(st, 5),
		      .currency = (const char *)sqlite3_column_text(st, 6),
		      .object_id = (const char *)sqlite3_column_text(st, 7)},
	};
}

int audit_each(sqlite3 *db, const struct audit_filter *f,
	       void (*fn)(void *ctx, const struct audit_row *row), void *ctx,
	       struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT " AUDIT_COLUMNS AUDIT_WHERE " ORDER BY id", &st, err);
	if (rc)
		return rc;
	bind_filter(st, f);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_row r;
		read_row(st, &r);
		fn(ctx, &r);
	}
	if (step != SQLITE_DONE)
		rc = db_fail(db, "reading the audit log", err);
	sqlite3_finalize(st);
	return rc;
}

int audit_count(sqlite3 *db, const struct audit_filter *f, int64_t *count, struct pd_error *err)
{
	*count = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT count(*)" AUDIT_WHERE, &st, err);
	if (rc)
		return rc;
	bind_filter(st, f);
	if (sqlite3_step(st) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	else
		rc = db_fail(db, "reading the audit log", err);
	sqlite3_finalize(st);
	return rc;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int audit_page(sqlite3 *db, const struct audit_filter *f, bool newest_first, int64_t after,
	       size_t max, struct audit_row **rows, size_t *n, struct pd_error *err)
{
	*rows = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    newest_first ? "SELECT " AUDIT_COLUMNS AUDIT_WHERE
					   " AND (?5 = 0 OR id < ?5) ORDER BY id DESC LIMIT ?6"
					 : "SELECT " AUDIT_COLUMNS AUDIT_WHERE
					   " AND id > ?5 ORDER BY id LIMIT ?6",
			    &st, err);
	if (rc)
		return rc;
	bind_filter(st, f);
	sqlite3_bind_int64(st, 5, after);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)max);
	*rows = calloc(max ? max : 1, sizeof **rows);
	if (!*rows) {
		sqlite3_finalize(st);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	int step = SQLITE_DONE;
	while (*n < max && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_row r, *c = &(*rows)[*n];
		read_row(st, &r);
		*c = r;
		c->e.actor = dup_or_null(r.e.actor);
		c->e.action = dup_or_null(r.e.action);
		c->e.detail = dup_or_null(r.e.detail);
		c->e.currency = dup_or_null(r.e.currency);
		c->e.object_id = dup_or_null(r.e.object_id);
		(*n)++;
	}
	if (*n < max && step != SQLITE_DONE)
		rc = db_fail(db, "reading the audit log", err);
	sqlite3_finalize(st);
	if (rc)
		audit_rows_free(rows, *n);
	return rc;
}

void audit_rows_free(struct audit_row **rows, size_t n)
{
	if (!rows || !*rows)
		return;
	for (size_t i = 0; i < n; i++) {
		struct audit_entry *e = &(*rows)[i].e;
		free((char *)e->actor);
		free((char *)e->action);
		free((char *)e->detail);
		free((char *)e->currency);
		free((char *)e->object_id);
	}
	free(*rows);
	*rows = NULL;
}
