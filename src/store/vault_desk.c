/* Desk key slots: the vault's data key wrapped under a random desk key kept
 * on that desk (never in the database), so an enrolled desk unlocks without
 * the admin's passphrase. No KDF: the key is 32 random bytes, nothing to
 * guess. See vault.h. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"
#include "paydesk/harden.h"
#include "paydesk/log.h"
#include "paydesk/vault.h"
#include "vault_internal.h"

#define WRAPPED_BYTES (VAULT_KEY_BYTES + VAULT_TAG_BYTES)

/* "paydesk-desk-v1" ∥ vault id ∥ slot id (8 bytes, big-endian): a wrap
 * copied into another vault or another slot does not open. */
#define DESK_TAG "paydesk-desk-v1"
#define DESK_AD_BYTES (sizeof DESK_TAG - 1 + VAULT_ID_BYTES + 8)

static void desk_ad(unsigned char ad[DESK_AD_BYTES], const unsigned char *vault_id,
		    int64_t slot)
{
	memcpy(ad, DESK_TAG, sizeof DESK_TAG - 1);
	memcpy(ad + sizeof DESK_TAG - 1, vault_id, VAULT_ID_BYTES);
	for (int i = 0; i < 8; i++)
		ad[DESK_AD_BYTES - 1 - i] = (unsigned char)((uint64_t)slot >> (8 * i));
}

int vault_id_get(sqlite3 *db, unsigned char id[VAULT_ID_BYTES], struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT vault_id FROM vault WHERE id = 1", &st, err);
	if (rc)
		return rc;
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_bytes(st, 0) == VAULT_ID_BYTES)
		memcpy(id, sqlite3_column_blob(st, 0), VAULT_ID_BYTES);
	else if (step == SQLITE_ROW)
		rc = pd_error_set(err, PD_ERR_TAMPERED, "the vault record is damaged or was altered");
	else if (step == SQLITE_DONE)
		rc = pd_error_set(err, PD_ERR_NOT_FOUND,
				  "there is no vault yet: connect a Stripe account in Setup");
	else
		rc = db_fail(db, "reading the vault", err);
	sqlite3_finalize(st);
	return rc;
}

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > VAULT_DESK_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	return true;
}

int vault_desk_add(struct vault *v, sqlite3 *db, const char *name, const char *by,
		   unsigned char *desk_key, int64_t *slot, struct pd_error *err)
{
	if (!v)
		return pd_error_set(err, PD_ERR_LOCKED, "the vault is locked");
	if (!name_ok(name))
		return pd_error_set(err, PD_ERR_USAGE,
				    "a desk name is 1 to %d characters, without control characters",
				    VAULT_DESK_NAME_MAX);
	unsigned char vid[VAULT_ID_BYTES];
	int rc = vault_id_get(db, vid, err);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	/* The row first, for its id (the wrap names it); the wrap replaces the
	 * placeholder in the same transaction. */
	rc = db_prepare(db,
			"INSERT INTO vault_slot (kind, name, wrap_nonce, wrapped_key, created_at,"
			" created_by, updated_at) SELECT 'desk', ?1, x'', x'', ?2, ?3, ?2"
			" WHERE NOT EXISTS (SELECT 1 FROM vault_slot WHERE name = ?1)",
			&st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 3, by ? by : "?", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "adding a desk", err);
	else if (sqlite3_changes(db) != 1)
		rc = pd_error_set(err, PD_ERR_EXISTS,
				  strcmp(name, "passphrase") == 0
					  ? "'%s' is the admin passphrase's slot: choose another desk name"
					  : "a desk named '%s' is already enrolled: revoke it first, or "
					    "choose another name",
				  name);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	*slot = (int64_t)sqlite3_last_insert_rowid(db);

	unsigned char ad[DESK_AD_BYTES], nonce[VAULT_NONCE_BYTES], wrapped[WRAPPED_BYTES];
	desk_ad(ad, vid, *slot);
	crypto_aead_xchacha20poly1305_ietf_keygen(desk_key);
	randombytes_buf(nonce, sizeof nonce);
	crypto_aead_xchacha20poly1305_ietf_encrypt(wrapped, NULL, v->key, VAULT_KEY_BYTES, ad,
						   sizeof ad, NULL, nonce, desk_key);
	rc = db_prepare(db, "UPDATE vault_slot SET wrap_nonce = ?1, wrapped_key = ?2 WHERE id = ?3",
			&st, err);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, nonce, sizeof nonce, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 2, wrapped, sizeof wrapped, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, *slot);
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db) != 1)
		rc = db_fail(db, "adding a desk", err);
	sqlite3_finalize(st);
	if (!rc)
		log_msg(LOG_INFO, "vault: desk slot %lld added", (long long)*slot);
	return rc;
}

int vault_unlock_desk(sqlite3 *db, int64_t slot, const unsigned char *desk_key,
		      struct vault **out, struct pd_error *err)
{
	*out = NULL;
	unsigned char vid[VAULT_ID_BYTES];
	int rc = vault_id_get(db, vid, err);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	rc = db_prepare(db,
			"SELECT wrap_nonce, wrapped_key FROM vault_slot WHERE id = ?1 AND kind = 'desk'",
			&st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, slot);
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? pd_error_set(err, PD_ERR_NOT_FOUND,
							"this desk was revoked (its key slot is gone)")
					 : db_fail(db, "reading the vault", err);
		sqlite3_finalize(st);
		return rc;
	}
	if (sqlite3_column_bytes(st, 0) != VAULT_NONCE_BYTES ||
	    sqlite3_column_bytes(st, 1) != WRAPPED_BYTES) {
		sqlite3_finalize(st);
		return pd_error_set(err, PD_ERR_TAMPERED, "this desk's key slot is damaged or was "
							  "altered: revoke it and enrol the desk again");
	}
	harden_no_core_dumps();
	struct vault *v = vault_alloc();
	if (!v) {
		sqlite3_finalize(st);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	unsigned char ad[DESK_AD_BYTES];
	desk_ad(ad, vid, slot);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(v->key, NULL, NULL,
						       sqlite3_column_blob(st, 1), WRAPPED_BYTES,
						       ad, sizeof ad, sqlite3_column_blob(st, 0),
						       desk_key) != 0)
		rc = pd_error_set(err, PD_ERR_WRONG_PASS,
				  "the desk key does not open this vault's desk slot");
	sqlite3_finalize(st);
	if (rc) {
		log_msg(LOG_WARN, "vault: desk key for slot %lld refused", (long long)slot);
		vault_lock(&v);
		return rc;
	}
	vault_opened(v, db);
	*out = v;
	return PD_OK;
}

void vault_desk_touch(sqlite3 *db, int64_t slot)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "UPDATE vault_slot SET last_used_at = ?1 WHERE id = ?2 AND"
			       " ifnull(last_used_at, 0) < ?1 - 60",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 2, slot);
	if (sqlite3_step(st) != SQLITE_DONE)
		log_msg(LOG_WARN, "vault: could not note the desk's last use: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
}

#define DESK_COLUMNS "id, name, created_by, created_at, ifnull(last_used_at, 0)"

static int read_desk(sqlite3_stmt *st, void *elem)
{
	struct vault_desk *d = elem;
	d->slot = sqlite3_column_int64(st, 0);
	snprintf(d->name, sizeof d->name, "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(d->created_by, sizeof d->created_by, "%s",
		 (const char *)sqlite3_column_text(st, 2));
	d->created_at = sqlite3_column_int64(st, 3);
	d->last_used_at = sqlite3_column_int64(st, 4);
	return 0;
}

int vault_desk_list(sqlite3 *db, struct vault_desk **out, size_t *n, struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT " DESK_COLUMNS " FROM vault_slot WHERE kind = 'desk'"
				" ORDER BY id",
			    &st, err);
	if (rc)
		return rc;
	void *rows = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_desk, NULL, &rows, n, "listing desks", err);
	*out = rows;
	return rc;
}

int vault_desk_get(sqlite3 *db, int64_t slot, struct vault_desk *out, struct pd_error *err)
{
	return db_read_one(db, "SELECT " DESK_COLUMNS " FROM vault_slot WHERE id = ?1 AND"
			       " kind = 'desk'",
			   slot, NULL, read_desk, NULL, out, "reading a desk", err,
			   "this desk was revoked");
}

int vault_desk_remove(sqlite3 *db, const char *name, int64_t *slot, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "DELETE FROM vault_slot WHERE kind = 'desk' AND name = ?1"
				" RETURNING id",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*slot = sqlite3_column_int64(st, 0);
	else if (step == SQLITE_DONE)
		rc = pd_error_set(err, PD_ERR_NOT_FOUND, "no desk named '%s' is enrolled "
							 "(paydesk desk list shows them)",
				  name);
	else
		rc = db_fail(db, "revoking a desk", err);
	if (step == SQLITE_ROW && sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "revoking a desk", err);
	sqlite3_finalize(st);
	if (!rc)
		log_msg(LOG_INFO, "vault: desk slot %lld removed", (long long)*slot);
	return rc;
}
