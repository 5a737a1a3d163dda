/* The audit key of this process: a copy, in guarded memory, of the key the
 * vault keeps sealed as "audit_mac_key". vault.c attaches it when a vault is
 * created or unlocked and detaches it when that vault locks, so every module
 * that appends to the log (on any thread, any connection to the same file)
 * keys its entries without carrying the vault around. */
#include "audit_internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/db.h"

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *key;  /* sodium_malloc'd AUDIT_KEY_BYTES, or NULL */
static char *key_file;      /* the database file it belongs to */
static const void *key_owner;

static const char *file_of(sqlite3 *db)
{
	const char *f = sqlite3_db_filename(db, "main");
	return f ? f : "";
}

int audit_key_attach(sqlite3 *db, const unsigned char k[AUDIT_KEY_BYTES], const void *owner,
		     struct pd_error *err)
{
	unsigned char *copy = sodium_malloc(AUDIT_KEY_BYTES);
	char *file = strdup(file_of(db));
	if (!copy || !file) {
		sodium_free(copy);
		free(file);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	memcpy(copy, k, AUDIT_KEY_BYTES);
	sodium_mprotect_readonly(copy);
	pthread_mutex_lock(&key_lock);
	sodium_free(key);
	free(key_file);
	key = copy;
	key_file = file;
	key_owner = owner;
	pthread_mutex_unlock(&key_lock);
	return PD_OK;
}

void audit_key_detach(const void *owner)
{
	pthread_mutex_lock(&key_lock);
	if (key && (!owner || owner == key_owner)) {
		sodium_free(key); /* zeroes before freeing */
		free(key_file);
		key = NULL;
		key_file = NULL;
		key_owner = NULL;
	}
	pthread_mutex_unlock(&key_lock);
}

/* Caller holds key_lock. */
static bool held_locked(sqlite3 *db)
{
	return key && strcmp(key_file, file_of(db)) == 0;
}

bool audit_key_held(sqlite3 *db)
{
	pthread_mutex_lock(&key_lock);
	bool held = held_locked(db);
	pthread_mutex_unlock(&key_lock);
	return held;
}

static void put_int(crypto_generichash_state *h, int64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)v >> (8 * i));
	crypto_generichash_update(h, b, sizeof b);
}

bool audit_key_mac_entry(sqlite3 *db, const unsigned char prev_mac[AUDIT_MAC_BYTES],
			 const unsigned char hash[AUDIT_MAC_BYTES], int64_t id, int keyed,
			 unsigned char out[AUDIT_MAC_BYTES])
{
	static const char tag[] = "paydesk-audit-mac-v1";
	pthread_mutex_lock(&key_lock);
	bool held = held_locked(db);
	if (held) {
		crypto_generichash_state h;
		crypto_generichash_init(&h, key, AUDIT_KEY_BYTES, AUDIT_MAC_BYTES);
		crypto_generichash_update(&h, (const unsigned char *)tag, sizeof tag);
		crypto_generichash_update(&h, prev_mac, AUDIT_MAC_BYTES);
		crypto_generichash_update(&h, hash, AUDIT_MAC_BYTES);
		put_int(&h, id);
		put_int(&h, keyed);
		crypto_generichash_final(&h, out, AUDIT_MAC_BYTES);
	}
	pthread_mutex_unlock(&key_lock);
	return held;
}

bool audit_key_mac_head(sqlite3 *db, const struct audit_head *hd,
			unsigned char out[AUDIT_MAC_BYTES])
{
	static const char tag[] = "paydesk-audit-head-v1";
	pthread_mutex_lock(&key_lock);
	bool held = held_locked(db);
	if (held) {
		crypto_generichash_state h;
		crypto_generichash_init(&h, key, AUDIT_KEY_BYTES, AUDIT_MAC_BYTES);
		crypto_generichash_update(&h, (const unsigned char *)tag, sizeof tag);
		put_int(&h, hd->epoch_start);
		put_int(&h, hd->count);
		crypto_generichash_update(&h, hd->last_mac, AUDIT_MAC_BYTES);
		crypto_generichash_final(&h, out, AUDIT_MAC_BYTES);
	}
	pthread_mutex_unlock(&key_lock);
	return held;
}

int audit_head_read(sqlite3 *db, struct audit_head *h, struct pd_error *err)
{
	memset(h, 0, sizeof *h);
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT epoch_start, count, last_mac, tag FROM audit_head"
				" WHERE id = 1",
			    &st, err);
	if (rc)
		return rc;
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		h->present = true;
		h->epoch_start = sqlite3_column_int64(st, 0);
		h->count = sqlite3_column_int64(st, 1);
		/* A wrong length reads as zeros: the tag check then fails. */
		if (sqlite3_column_bytes(st, 2) == AUDIT_MAC_BYTES)
			memcpy(h->last_mac, sqlite3_column_blob(st, 2), AUDIT_MAC_BYTES);
		if (sqlite3_column_bytes(st, 3) == AUDIT_MAC_BYTES)
			memcpy(h->tag, sqlite3_column_blob(st, 3), AUDIT_MAC_BYTES);
	} else if (step != SQLITE_DONE) {
		rc = db_fail(db, "reading the audit head", err);
	}
	sqlite3_finalize(st);
	return rc;
}

int audit_head_write(sqlite3 *db, struct audit_head *h, struct pd_error *err)
{
	if (!audit_key_mac_head(db, h, h->tag))
		return pd_error_set(err, PD_ERR_LOCKED, "the audit key is not available");
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT OR REPLACE INTO audit_head (id, epoch_start, count, last_mac, tag)"
			    " VALUES (1, ?, ?, ?, ?)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, h->epoch_start);
	sqlite3_bind_int64(st, 2, h->count);
	sqlite3_bind_blob(st, 3, h->last_mac, AUDIT_MAC_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, h->tag, AUDIT_MAC_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "writing the audit head", err);
	sqlite3_finalize(st);
	h->present = !rc;
	return rc;
}
