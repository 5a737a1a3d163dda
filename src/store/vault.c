#include "paydesk/vault.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/harden.h"
#include "paydesk/kdf.h"
#include "paydesk/log.h"
#include "vault_internal.h"

/* Argon2id at libsodium's "moderate" limits (3 passes, 256 MiB): the vault is
 * unlocked once per session, so ~0.7 s of one core (measured here) is affordable,
 * and 256 MiB per guess makes a stolen database expensive to brute-force on
 * GPUs. "interactive" (2 passes, 64 MiB) is the floor we accept. */
const struct vault_kdf VAULT_KDF_DEFAULT = {crypto_pwhash_OPSLIMIT_MODERATE,
					    crypto_pwhash_MEMLIMIT_MODERATE};
const struct vault_kdf VAULT_KDF_INTERACTIVE = {crypto_pwhash_OPSLIMIT_INTERACTIVE,
						crypto_pwhash_MEMLIMIT_INTERACTIVE};

#define VAULT_FORMAT 1
#define KEY_BYTES VAULT_KEY_BYTES
#define NONCE_BYTES VAULT_NONCE_BYTES
#define TAG_BYTES VAULT_TAG_BYTES
#define SALT_BYTES crypto_pwhash_SALTBYTES
/* Refuse absurd stored limits rather than allocate them: a damaged record. */
#define MEMLIMIT_MAX ((size_t)4 << 30)
#define SECRET_MAX (64 * 1024)

static const unsigned char WRAP_AD[] = "paydesk-vault-v1";

static atomic_ulong kdf_runs;

unsigned long vault_kdf_count(void)
{
	return atomic_load(&kdf_runs);
}

int vault_init(struct pd_error *err)
{
	if (sodium_init() < 0)
		return pd_error_set(err, PD_ERR, "libsodium could not be initialised");
	return PD_OK;
}

static int check_kdf(const struct vault_kdf *kdf, struct pd_error *err)
{
	if (kdf->opslimit < crypto_pwhash_OPSLIMIT_INTERACTIVE ||
	    kdf->memlimit < crypto_pwhash_MEMLIMIT_INTERACTIVE)
		return pd_error_set(err, PD_ERR_USAGE,
				    "vault KDF limits below libsodium's interactive minimum");
	return PD_OK;
}

static int check_passphrase(const char *pass, struct pd_error *err)
{
	if (!pass || strlen(pass) < VAULT_PASSPHRASE_MIN)
		return pd_error_set(err, PD_ERR_USAGE,
				    "the passphrase must be at least %d characters long",
				    VAULT_PASSPHRASE_MIN);
	return PD_OK;
}

/* kek: sodium_malloc'd KEY_BYTES. */
static int derive_kek(unsigned char *kek, const char *pass, const unsigned char *salt,
		      unsigned long long ops, size_t mem, struct pd_error *err)
{
	atomic_fetch_add(&kdf_runs, 1);
	/* In a helper process when paydesk enabled one (sys/kdf.c): its 256 MiB
	 * never become paydesk's. */
	if (kdf_derive(kek, KEY_BYTES, pass, salt, ops, mem) != 0)
		return pd_error_set(err, PD_ERR, "not enough memory to derive the vault key");
	return PD_OK;
}

struct vault *vault_alloc(void)
{
	struct vault *v = sodium_malloc(sizeof *v);
	if (!v)
		return NULL;
	v->key = sodium_malloc(KEY_BYTES);
	if (!v->key) {
		sodium_free(v);
		return NULL;
	}
	return v;
}

void vault_lock(struct vault **v)
{
	if (v && *v) {
		audit_key_detach(*v);
		sodium_free((*v)->key); /* zeroes before freeing */
		sodium_free(*v);
		*v = NULL;
	}
}

int vault_exists(sqlite3 *db, bool *exists, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "SELECT 1 FROM vault WHERE id = 1", &st, err);
	if (rc)
		return rc;
	int step = sqlite3_step(st);
	*exists = step == SQLITE_ROW;
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = db_fail(db, "reading the vault", err);
	sqlite3_finalize(st);
	return rc;
}

/* Wrap the data key under a KEK derived from pass with a fresh salt, and
 * write the passphrase slot (insert when creating, update otherwise). The
 * caller holds the transaction. */
static int write_passphrase_slot(sqlite3 *db, const unsigned char *data_key, const char *pass,
				 const struct vault_kdf *kdf, bool create, struct pd_error *err)
{
	unsigned char salt[SALT_BYTES], nonce[NONCE_BYTES], wrapped[KEY_BYTES + TAG_BYTES];
	randombytes_buf(salt, sizeof salt);
	randombytes_buf(nonce, sizeof nonce);
	unsigned char *kek = sodium_malloc(KEY_BYTES);
	if (!kek)
		return pd_error_set(err, PD_ERR, "out of memory");
	int rc = derive_kek(kek, pass, salt, kdf->opslimit, kdf->memlimit, err);
	if (!rc)
		crypto_aead_xchacha20poly1305_ietf_encrypt(wrapped, NULL, data_key, KEY_BYTES,
							   WRAP_AD, sizeof WRAP_AD - 1, NULL,
							   nonce, kek);
	sodium_free(kek);
	if (rc)
		return rc;

	sqlite3_stmt *st;
	rc = db_prepare(db,
			create ? "INSERT INTO vault_slot (kdf_salt, kdf_opslimit, kdf_memlimit,"
				 " wrap_nonce, wrapped_key, created_at, updated_at, kind, name,"
				 " created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 'passphrase',"
				 " 'passphrase', 'vault passphrase')"
			       : "UPDATE vault_slot SET kdf_salt = ?1, kdf_opslimit = ?2,"
				 " kdf_memlimit = ?3, wrap_nonce = ?4, wrapped_key = ?5,"
				 " updated_at = ?6 WHERE kind = 'passphrase'",
			&st, err);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, salt, sizeof salt, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)kdf->opslimit);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)kdf->memlimit);
	sqlite3_bind_blob(st, 4, nonce, sizeof nonce, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 5, wrapped, sizeof wrapped, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db) != 1)
		rc = db_fail(db, "writing the vault", err);
	sqlite3_finalize(st);
	return rc;
}

/* The vault row itself: its format and the random id desk key files name. */
static int write_vault_row(sqlite3 *db, struct pd_error *err)
{
	unsigned char id[VAULT_ID_BYTES];
	randombytes_buf(id, sizeof id);
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO vault (id, format, vault_id, created_at, updated_at)"
			    " VALUES (1, ?1, ?2, ?3, ?3)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int(st, 1, VAULT_FORMAT);
	sqlite3_bind_blob(st, 2, id, sizeof id, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "writing the vault", err);
	sqlite3_finalize(st);
	return rc;
}

/* Read the passphrase slot and unwrap the data key into data_key (KEY_BYTES). */
static int unwrap_data_key(sqlite3 *db, const char *pass, unsigned char *data_key,
			   struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT v.format, s.kdf_salt, s.kdf_opslimit, s.kdf_memlimit,"
			    " s.wrap_nonce, s.wrapped_key, s.id FROM vault v LEFT JOIN vault_slot s"
			    " ON s.kind = 'passphrase' WHERE v.id = 1",
			    &st, err);
	if (rc)
		return rc;
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE
			     ? pd_error_set(err, PD_ERR_NOT_FOUND,
					    "there is no vault yet: connect a Stripe account in Setup")
			     : db_fail(db, "reading the vault", err);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_int64 ops = sqlite3_column_int64(st, 2), mem = sqlite3_column_int64(st, 3);
	if (sqlite3_column_type(st, 6) == SQLITE_NULL || /* the recovery slot is gone */
	    sqlite3_column_int(st, 0) != VAULT_FORMAT ||
	    sqlite3_column_bytes(st, 1) != SALT_BYTES ||
	    sqlite3_column_bytes(st, 4) != NONCE_BYTES ||
	    sqlite3_column_bytes(st, 5) != KEY_BYTES + TAG_BYTES ||
	    ops < (sqlite3_int64)crypto_pwhash_OPSLIMIT_INTERACTIVE || ops > 64 ||
	    mem < (sqlite3_int64)crypto_pwhash_MEMLIMIT_INTERACTIVE ||
	    (size_t)mem > MEMLIMIT_MAX) {
		sqlite3_finalize(st);
		return pd_error_set(err, PD_ERR_TAMPERED,
				    "the vault record is damaged or was altered; restore the "
				    "database from a backup or disconnect and set up Stripe again");
	}
	unsigned char *kek = sodium_malloc(KEY_BYTES);
	if (!kek) {
		sqlite3_finalize(st);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	rc = derive_kek(kek, pass, sqlite3_column_blob(st, 1), (unsigned long long)ops,
			(size_t)mem, err);
	if (!rc && crypto_aead_xchacha20poly1305_ietf_decrypt(
			   data_key, NULL, NULL, sqlite3_column_blob(st, 5), KEY_BYTES + TAG_BYTES,
			   WRAP_AD, sizeof WRAP_AD - 1, sqlite3_column_blob(st, 4), kek) != 0)
		rc = pd_error_set(err, PD_ERR_WRONG_PASS, "wrong passphrase");
	sodium_free(kek);
	sqlite3_finalize(st);
	return rc;
}

/* The audit log's MAC key, a normal sealed secret (store/audit.c): opened
 * and handed to the audit module for as long as v is unlocked; created (with
 * the head that anchors the log) the first time a vault is created or
 * unlocked without one. Inside a transaction the caller holds, or its own. */
#define AUDIT_KEY_SECRET "audit_mac_key"

static int attach_audit_key(struct vault *v, sqlite3 *db, bool creating, struct pd_error *err)
{
	char *key = NULL;
	size_t len = 0;
	int rc = vault_open_secret(v, db, AUDIT_KEY_SECRET, "", &key, &len, err);
	if (!rc) {
		rc = len == AUDIT_KEY_BYTES
			     ? audit_key_attach(db, (const unsigned char *)key, v, err)
			     : pd_error_set(err, PD_ERR_TAMPERED, "the audit key is damaged");
		vault_secret_free(&key);
		return rc;
	}
	if (rc != PD_ERR_NOT_FOUND)
		return rc;
	if (!creating) {
		/* A head without its key: the log was keyed under this vault and
		 * the key was removed. A new key would hide whatever was done. */
		sqlite3_stmt *st;
		bool keyed_before = false;
		rc = db_prepare(db, "SELECT 1 FROM audit_head", &st, err);
		if (rc)
			return rc;
		keyed_before = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (keyed_before)
			return pd_error_set(err, PD_ERR_TAMPERED,
					    "the audit key was removed from the vault");
	}
	unsigned char *fresh = sodium_malloc(AUDIT_KEY_BYTES);
	if (!fresh)
		return pd_error_set(err, PD_ERR, "out of memory");
	randombytes_buf(fresh, AUDIT_KEY_BYTES);
	bool own_tx = sqlite3_get_autocommit(db);
	rc = own_tx ? db_begin(db, err) : PD_OK;
	if (!rc)
		rc = vault_seal(v, db, AUDIT_KEY_SECRET, "", fresh, AUDIT_KEY_BYTES, err);
	if (!rc)
		rc = audit_key_attach(db, fresh, v, err);
	if (!rc)
		rc = audit_key_begin(db, err);
	if (own_tx && !rc)
		rc = db_commit(db, err);
	if (rc) {
		if (own_tx)
			db_rollback(db);
		audit_key_detach(v);
	}
	sodium_free(fresh);
	return rc;
}

int vault_create(sqlite3 *db, const char *passphrase, const struct vault_kdf *kdf,
		 struct vault **out, struct pd_error *err)
{
	*out = NULL;
	int rc = check_passphrase(passphrase, err);
	if (!rc)
		rc = check_kdf(kdf, err);
	if (rc)
		return rc;
	harden_no_core_dumps();
	struct vault *v = vault_alloc();
	if (!v)
		return pd_error_set(err, PD_ERR, "out of memory");
	crypto_aead_xchacha20poly1305_ietf_keygen(v->key);

	rc = db_begin(db, err);
	bool exists = false;
	if (!rc)
		rc = vault_exists(db, &exists, err);
	if (!rc && exists)
		rc = pd_error_set(err, PD_ERR_EXISTS,
				  "a vault already exists: unlock it, or wipe it to start again");
	if (!rc)
		rc = write_vault_row(db, err);
	if (!rc)
		rc = write_passphrase_slot(db, v->key, passphrase, kdf, true, err);
	sodium_mprotect_readonly(v->key);
	if (!rc)
		rc = attach_audit_key(v, db, true, err);
	if (!rc)
		rc = db_commit(db, err);
	if (rc) {
		db_rollback(db);
		vault_lock(&v);
		return rc;
	}
	log_msg(LOG_INFO, "vault created");
	*out = v;
	return PD_OK;
}

int vault_unlock(sqlite3 *db, const char *passphrase, struct vault **out, struct pd_error *err)
{
	*out = NULL;
	harden_no_core_dumps();
	struct vault *v = vault_alloc();
	if (!v)
		return pd_error_set(err, PD_ERR, "out of memory");
	int rc = unwrap_data_key(db, passphrase ? passphrase : "", v->key, err);
	if (rc) {
		if (rc == PD_ERR_WRONG_PASS)
			log_msg(LOG_WARN, "vault unlock failed: wrong passphrase");
		vault_lock(&v);
		return rc;
	}
	vault_opened(v, db);
	*out = v;
	return PD_OK;
}

void vault_opened(struct vault *v, sqlite3 *db)
{
	sodium_mprotect_readonly(v->key);
	/* The vault opens even when the audit key cannot be attached (a
	 * read-only database, a damaged key): entries are then written
	 * unsealed, and `paydesk audit verify` says so. */
	struct pd_error aerr = {0};
	if (attach_audit_key(v, db, false, &aerr))
		log_msg(LOG_ERROR, "audit key not available: %s", aerr.msg);
}

/* "paydesk-secret-v1" NUL name NUL account: binds a record to its place. */
static unsigned char *secret_ad(const char *name, const char *account, size_t *len)
{
	static const char tag[] = "paydesk-secret-v1";
	size_t nl = strlen(name), al = strlen(account);
	*len = sizeof tag + nl + 1 + al;
	unsigned char *ad = malloc(*len);
	if (!ad)
		return NULL;
	memcpy(ad, tag, sizeof tag);
	memcpy(ad + sizeof tag, name, nl + 1);
	memcpy(ad + sizeof tag + nl + 1, account, al);
	return ad;
}

int vault_seal(struct vault *v, sqlite3 *db, const char *name, const char *account,
	       const void *plain, size_t len, struct pd_error *err)
{
	if (!v)
		return pd_error_set(err, PD_ERR_LOCKED, "the vault is locked");
	if (len > SECRET_MAX)
		return pd_error_set(err, PD_ERR_USAGE, "secret too long (%zu bytes)", len);
	account = account ? account : "";
	size_t adlen;
	unsigned char *ad = secret_ad(name, account, &adlen);
	unsigned char *ct = malloc(len + TAG_BYTES);
	if (!ad || !ct) {
		free(ad);
		free(ct);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	unsigned char nonce[NONCE_BYTES];
	randombytes_buf(nonce, sizeof nonce);
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, plain, len, ad, adlen, NULL, nonce,
						   v->key);
	free(ad);

	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO vault_secret (name, account, nonce, ciphertext, updated_at)"
			    " VALUES (?, ?, ?, ?, ?) ON CONFLICT(name, account) DO UPDATE SET"
			    " nonce = excluded.nonce, ciphertext = excluded.ciphertext,"
			    " updated_at = excluded.updated_at",
			    &st, err);
	if (!rc) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, account, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, nonce, sizeof nonce, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, ct, (int)(len + TAG_BYTES), SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(db, "sealing a secret", err);
		sqlite3_finalize(st);
	}
	free(ct);
	if (!rc)
		log_msg(LOG_INFO, "vault: sealed secret '%s'", name);
	return rc;
}

int vault_open_secret(struct vault *v, sqlite3 *db, const char *name, const char *account,
		      char **out, size_t *len, struct pd_error *err)
{
	*out = NULL;
	if (!v)
		return pd_error_set(err, PD_ERR_LOCKED, "the vault is locked");
	account = account ? account : "";
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT nonce, ciphertext FROM vault_secret WHERE name = ? AND account = ?",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE
			     ? pd_error_set(err, PD_ERR_NOT_FOUND, "no secret '%s' in the vault", name)
			     : db_fail(db, "reading the vault", err);
		sqlite3_finalize(st);
		return rc;
	}
	const unsigned char *nonce = sqlite3_column_blob(st, 0);
	int nonce_len = sqlite3_column_bytes(st, 0);
	const unsigned char *ct = sqlite3_column_blob(st, 1);
	int ct_len = sqlite3_column_bytes(st, 1);
	size_t adlen;
	unsigned char *ad = secret_ad(name, account, &adlen);
	char *plain = NULL;
	if (!ad) {
		rc = pd_error_set(err, PD_ERR, "out of memory");
	} else if (nonce_len != NONCE_BYTES || ct_len < (int)TAG_BYTES) {
		rc = PD_ERR_TAMPERED;
	} else if (!(plain = sodium_malloc((size_t)ct_len - TAG_BYTES + 1))) {
		rc = pd_error_set(err, PD_ERR, "out of memory");
	} else {
		unsigned long long plen = 0;
		if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain, &plen, NULL,
							       ct, (unsigned long long)ct_len, ad,
							       adlen, nonce, v->key) != 0) {
			rc = PD_ERR_TAMPERED;
		} else {
			plain[plen] = '\0';
			if (len)
				*len = (size_t)plen;
		}
	}
	free(ad);
	sqlite3_finalize(st);
	if (rc == PD_ERR_TAMPERED) {
		sodium_free(plain);
		log_msg(LOG_ERROR, "vault: sealed secret '%s' failed authentication", name);
		return pd_error_set(err, PD_ERR_TAMPERED,
				    "the sealed secret '%s' was altered or damaged; enter it again "
				    "in Setup",
				    name);
	}
	if (rc) {
		sodium_free(plain);
		return rc;
	}
	*out = plain;
	return PD_OK;
}

char *vault_secret_dup(const char *text)
{
	size_t n = strlen(text);
	char *copy = sodium_malloc(n + 1);
	if (copy)
		memcpy(copy, text, n + 1);
	return copy;
}

void vault_secret_free(char **secret)
{
	if (secret && *secret) {
		sodium_free(*secret); /* zeroes before freeing */
		*secret = NULL;
	}
}

int vault_delete_secret(sqlite3 *db, const char *name, const char *account,
			struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, "DELETE FROM vault_secret WHERE name = ? AND account = ?", &st,
			    err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, account ? account : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(db, "deleting a secret", err);
	sqlite3_finalize(st);
	return rc;
}

int vault_change_passphrase(sqlite3 *db, const char *old_pass, const char *new_pass,
			    const struct vault_kdf *kdf, struct pd_error *err)
{
	return vault_change_passphrase_as(db, old_pass, new_pass, kdf, NULL, err);
}

int vault_change_passphrase_as(sqlite3 *db, const char *old_pass, const char *new_pass,
			       const struct vault_kdf *kdf, const char *actor,
			       struct pd_error *err)
{
	int rc = check_passphrase(new_pass, err);
	if (!rc)
		rc = check_kdf(kdf, err);
	if (rc)
		return rc;
	unsigned char *data_key = sodium_malloc(KEY_BYTES);
	if (!data_key)
		return pd_error_set(err, PD_ERR, "out of memory");
	rc = db_begin(db, err);
	if (!rc)
		rc = unwrap_data_key(db, old_pass ? old_pass : "", data_key, err);
	if (!rc)
		rc = write_passphrase_slot(db, data_key, new_pass, kdf, false, err);
	if (!rc) {
		/* Whoever knew the old passphrase, under the name the caller knows. */
		struct audit_entry e = {.actor = actor && *actor ? actor : "vault passphrase",
					.action = "vault.passphrase_change",
					.detail = "vault passphrase changed (its slot re-wrapped; desk "
						  "slots unchanged)"};
		rc = audit_append(db, &e, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	else
		log_msg(LOG_INFO, "vault passphrase changed");
	sodium_free(data_key);
	return rc;
}

int vault_wipe(sqlite3 *db, struct pd_error *err)
{
	int rc = db_begin(db, err);
	if (!rc)
		rc = db_exec(db,
			     "DELETE FROM vault_secret; DELETE FROM vault_slot; DELETE FROM vault;"
			     " DELETE FROM audit_head;",
			     err);
	if (!rc)
		rc = db_commit(db, err);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	audit_key_detach(NULL); /* its key went with the vault */
	/* Best effort: another reader may hold the WAL; secure_delete already
	 * zeroed the pages in the main file once they are checkpointed. */
	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	log_msg(LOG_INFO, "vault wiped");
	return PD_OK;
}
