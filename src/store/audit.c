#include "paydesk/audit.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "audit_internal.h"
#include "paydesk/db.h"
#include "paydesk/log.h"

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

/* One stored entry as the chain and the MACs see it. */
struct chain_row {
	int64_t id, at;
	struct audit_entry e;
	const unsigned char *prev_hash, *hash, *mac; /* NULL when not HASH_BYTES long */
	int keyed;
};

#define CHAIN_COLUMNS                                                                          \
	"SELECT id, at, actor, action, detail, amount, currency, object_id, prev_hash, hash,"  \
	" mac, keyed FROM audit_log"

static const unsigned char *blob32(sqlite3_stmt *st, int col)
{
	return sqlite3_column_bytes(st, col) == HASH_BYTES ? sqlite3_column_blob(st, col) : NULL;
}

static void chain_row_read(sqlite3_stmt *st, struct chain_row *r)
{
	*r = (struct chain_row){
		.id = sqlite3_column_int64(st, 0),
		.at = sqlite3_column_int64(st, 1),
		.e = {.actor = (const char *)sqlite3_column_text(st, 2),
		      .action = (const char *)sqlite3_column_text(st, 3),
		      .detail = (const char *)sqlite3_column_text(st, 4),
		      .has_amount = sqlite3_column_type(st, 5) != SQLITE_NULL,
		      .amount = sqlite3_column_int64(st, 5),
		      .currency = (const char *)sqlite3_column_text(st, 6),
		      .object_id = (const char *)sqlite3_column_text(st, 7)},
		.prev_hash = blob32(st, 8),
		.hash = blob32(st, 9),
		.mac = blob32(st, 10),
		.keyed = sqlite3_column_int(st, 11),
	};
}

/* Why r does not follow an entry whose hash is prev, or NULL. */
static const char *chain_row_check(const struct chain_row *r, int64_t expect_id,
				   const unsigned char *prev)
{
	unsigned char hash[HASH_BYTES];
	entry_hash(hash, prev, r->id, r->at, &r->e);
	if (r->id != expect_id)
		return r->id > expect_id ? "it is missing" : "the entries are out of order";
	if (!r->prev_hash || memcmp(r->prev_hash, prev, HASH_BYTES) != 0)
		return "its link to the previous entry does not match";
	if (!r->hash || memcmp(r->hash, hash, HASH_BYTES) != 0)
		return "its content was changed";
	return NULL;
}

/* The MAC that links to the entry after the head's last one. */
static const unsigned char *head_prev_mac(const struct audit_head *h)
{
	static const unsigned char zeros[AUDIT_MAC_BYTES];
	return h->count >= h->epoch_start ? h->last_mac : zeros;
}

/* Seal the entries written while the vault was locked (after the head), each
 * checked against the chain first; the caller holds the transaction and the
 * key. *current is true when the head then covers the whole log, so the next
 * entry can be keyed; a pending entry that fails its check stays unsealed
 * (verify names it) and so does everything after it. */
static int seal_pending(sqlite3 *db, struct audit_head *h, bool *current, struct pd_error *err)
{
	*current = false;
	sqlite3_stmt *st;
	int rc = db_prepare(db, CHAIN_COLUMNS " WHERE id >= ? ORDER BY id", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, h->count);
	unsigned char prev[HASH_BYTES] = {0};
	struct {
		int64_t id;
		unsigned char mac[AUDIT_MAC_BYTES];
	} *seal = NULL;
	size_t n = 0, cap = 0;
	bool ok = true;
	int step = SQLITE_DONE;
	while (ok && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct chain_row r;
		chain_row_read(st, &r);
		if (r.id == h->count) { /* the head's own entry: its hash is the link */
			if (!r.hash)
				ok = false;
			else
				memcpy(prev, r.hash, HASH_BYTES);
			continue;
		}
		if (chain_row_check(&r, h->count + (int64_t)n + 1, prev) || r.mac) {
			ok = false;
			break;
		}
		if (n == cap) {
			void *grown = realloc(seal, (cap = cap ? 2 * cap : 8) * sizeof *seal);
			if (!grown) {
				rc = pd_error_set(err, PD_ERR, "out of memory");
				break;
			}
			seal = grown;
		}
		seal[n].id = r.id;
		audit_key_mac_entry(db, n ? seal[n - 1].mac : head_prev_mac(h), r.hash, r.id, 0,
				    seal[n].mac);
		memcpy(prev, r.hash, HASH_BYTES);
		n++;
	}
	if (!rc && ok && step != SQLITE_DONE)
		rc = db_fail(db, "reading the audit log", err);
	sqlite3_finalize(st);
	if (!rc && n)
		rc = db_prepare(db, "UPDATE audit_log SET mac = ? WHERE id = ?", &st, err);
	for (size_t i = 0; !rc && i < n; i++) {
		sqlite3_bind_blob(st, 1, seal[i].mac, AUDIT_MAC_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, seal[i].id);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(db, "sealing the audit log", err);
		sqlite3_reset(st);
		if (!rc && i + 1 == n) {
			h->count = seal[i].id;
			memcpy(h->last_mac, seal[i].mac, AUDIT_MAC_BYTES);
		}
	}
	if (n)
		sqlite3_finalize(st);
	free(seal);
	if (!rc && n)
		rc = audit_head_write(db, h, err);
	if (!rc)
		*current = ok;
	if (!ok)
		log_msg(LOG_ERROR, "audit: an entry after %lld does not match the chain; it and "
				   "later ones stay unsealed (run paydesk audit verify)",
			(long long)h->count);
	return rc;
}

int audit_append(sqlite3 *db, const struct audit_entry *e, struct pd_error *err)
{
	/* Own the transaction when the caller has none: the read of the last
	 * hash and head and the writes must not interleave with another writer. */
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
	/* Keyed only when this process holds the key and the head covers
	 * everything before (entries written while locked are sealed first). */
	struct audit_head head;
	bool keyed = false;
	if (!rc && audit_key_held(db)) {
		rc = audit_head_read(db, &head, err);
		if (!rc && head.present)
			rc = seal_pending(db, &head, &keyed, err);
		else if (!rc)
			log_msg(LOG_ERROR, "audit: the key is held but the head is missing; "
					   "entry %lld is written unsealed",
				(long long)id);
	}
	int64_t at = now_ms();
	unsigned char hash[HASH_BYTES], mac[AUDIT_MAC_BYTES];
	entry_hash(hash, prev, id, at, e);
	if (keyed)
		keyed = audit_key_mac_entry(db, head_prev_mac(&head), hash, id, 1, mac);
	if (!rc)
		rc = db_prepare(db,
				"INSERT INTO audit_log (id, at, actor, action, detail, amount,"
				" currency, object_id, prev_hash, hash, mac, keyed)"
				" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
		if (keyed)
			sqlite3_bind_blob(st, 11, mac, AUDIT_MAC_BYTES, SQLITE_STATIC);
		sqlite3_bind_int(st, 12, keyed);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(db, "writing the audit log", err);
		sqlite3_finalize(st);
	}
	if (!rc && keyed) {
		head.count = id;
		memcpy(head.last_mac, mac, AUDIT_MAC_BYTES);
		rc = audit_head_write(db, &head, err);
	}
	if (own_tx) {
		if (!rc)
			rc = db_commit(db, err);
		if (rc)
			db_rollback(db);
	}
	return rc;
}

int audit_key_begin(sqlite3 *db, struct pd_error *err)
{
	int64_t last = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT ifnull(max(id), 0) FROM audit_log", &st, err);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		last = sqlite3_column_int64(st, 0);
	else
		rc = db_fail(db, "reading the audit log", err);
	sqlite3_finalize(st);
	struct audit_head h = {.epoch_start = last + 1, .count = last};
	if (!rc)
		rc = audit_head_write(db, &h, err);
	char detail[160];
	if (last)
		snprintf(detail, sizeof detail,
			 "keyed audit starts here; entries 1-%lld were written before it",
			 (long long)last);
	else
		snprintf(detail, sizeof detail, "keyed audit starts here");
	struct audit_entry e = {.actor = "system", .action = "audit.keyed", .detail = detail};
	if (!rc)
		rc = audit_append(db, &e, err);
	return rc;
}

/* Stop at the first break: where and why. */
static int broken(struct audit_report *r, int64_t at, struct pd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int broken(struct audit_report *r, int64_t at, struct pd_error *err, const char *fmt, ...)
{
	char why[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	r->broken_id = at;
	return pd_error_set(err, PD_ERR_TAMPERED, "audit log broken at entry %lld: %s",
			    (long long)at, why);
}

/* The MAC checks of one entry under the current key. */
static int check_keyed(struct audit_report *r, sqlite3 *db, const struct audit_head *h,
		       const struct chain_row *row, unsigned char prev_mac[AUDIT_MAC_BYTES],
		       struct pd_error *err)
{
	if (!row->mac) {
		if (row->id <= h->count)
			return broken(r, row->id, err,
				      "its MAC is missing, but the head says it was sealed");
		if (!r->unsealed_count)
			r->unsealed_first = row->id;
		r->unsealed_count++;
		return PD_OK;
	}
	if (r->unsealed_count)
		return broken(r, row->id, err, "it is sealed after an entry that is not");
	if (row->id > h->count)
		return broken(r, row->id, err,
			      "it is beyond the head (%lld entries): added without the key",
			      (long long)h->count);
	unsigned char mac[AUDIT_MAC_BYTES];
	audit_key_mac_entry(db, prev_mac, row->hash, row->id, row->keyed ? 1 : 0, mac);
	if (sodium_memcmp(mac, row->mac, AUDIT_MAC_BYTES) != 0)
		return broken(r, row->id, err,
			      "its MAC does not match: changed, forged or moved without the key");
	if (row->id == h->count && sodium_memcmp(mac, h->last_mac, AUDIT_MAC_BYTES) != 0)
		return broken(r, row->id, err, "it is not the entry the head ends with");
	if (!row->keyed) {
		if (!r->late_count)
			r->late_first = row->id;
		r->late_count++;
	}
	memcpy(prev_mac, mac, AUDIT_MAC_BYTES);
	return PD_OK;
}

int audit_report(sqlite3 *db, struct audit_report *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	struct audit_head h;
	int rc = audit_head_read(db, &h, err);
	if (rc)
		return rc;
	r->key_checked = audit_key_held(db);
	r->has_head = h.present;
	r->epoch_start = h.present ? h.epoch_start : 0;
	r->head_count = h.count;
	memcpy(r->head_mac, h.last_mac, AUDIT_MAC_BYTES);
	if (r->key_checked) {
		unsigned char tag[AUDIT_MAC_BYTES];
		if (!h.present)
			return broken(r, 1, err,
				      "the head that anchors the keyed log is missing (deleted)");
		audit_key_mac_head(db, &h, tag);
		if (sodium_memcmp(tag, h.tag, AUDIT_MAC_BYTES) != 0)
			return broken(r, h.count ? h.count : 1, err,
				      "the head was altered without the key");
	}
	sqlite3_stmt *st;
	rc = db_prepare(db, CHAIN_COLUMNS " ORDER BY id", &st, err);
	if (rc)
		return rc;
	unsigned char prev[HASH_BYTES] = {0}, prev_mac[AUDIT_MAC_BYTES] = {0};
	int64_t expect_id = 1;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct chain_row row;
		chain_row_read(st, &row);
		const char *why = chain_row_check(&row, expect_id, prev);
		if (why) {
			rc = broken(r, row.id > expect_id ? expect_id : row.id, err, "%s", why);
			break;
		}
		if (r->key_checked && row.id >= h.epoch_start &&
		    (rc = check_keyed(r, db, &h, &row, prev_mac, err)))
			break;
		memcpy(prev, row.hash, HASH_BYTES);
		expect_id = row.id + 1;
		r->entries++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = db_fail(db, "reading the audit log", err);
	sqlite3_finalize(st);
	if (rc || !r->key_checked)
		return rc;
	/* The tail: the head says how far the sealed log goes and how it ends. */
	if (r->entries < h.count)
		return broken(r, r->entries + 1, err,
			      "entries %lld-%lld were deleted (the head says %lld)",
			      (long long)r->entries + 1, (long long)h.count, (long long)h.count);
	return rc;
}

int audit_verify(sqlite3 *db, int64_t *broken_id, int64_t *entries, struct pd_error *err)
{
	struct audit_report r;
	int rc = audit_report(db, &r, err);
	*broken_id = r.broken_id;
	*entries = r.entries;
	return rc;
}

void audit_head_fingerprint(const struct audit_report *r, char *out, size_t len)
{
	sodium_bin2hex(out, len, r->head_mac, len >= 17 ? 8 : (len - 1) / 2);
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
