/* The vault: secrets (the Stripe restricted key) sealed with libsodium in the
 * database, under an admin passphrase.
 *
 * Envelope: Argon2id turns the passphrase into a key-encryption key (KEK)
 * that wraps one random data key; every secret is sealed under the data key
 * with XChaCha20-Poly1305, a random nonce per record, and (name, account) as
 * associated data so a record cannot be moved to another name. Unlocking costs
 * one KDF whatever the number of secrets; changing the passphrase re-wraps only
 * the data key. While a vault is unlocked, core dumps are off. The passphrase
 * is one key slot; enrolled desks have their own (below). */
#ifndef PAYDESK_VAULT_H
#define PAYDESK_VAULT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

struct vault; /* an unlocked vault: holds the data key in guarded memory */

/* Argon2id cost. Anything below libsodium's "interactive" limits is refused. */
struct vault_kdf {
	unsigned long long opslimit;
	size_t memlimit;
};

/* The cost paydesk uses for real vaults: see vault.c for why. */
extern const struct vault_kdf VAULT_KDF_DEFAULT;
/* libsodium's interactive limits: the floor, used by tests to stay quick. */
extern const struct vault_kdf VAULT_KDF_INTERACTIVE;

/* Shortest passphrase vault_create and vault_change_passphrase accept. */
#define VAULT_PASSPHRASE_MIN 10

/* Must run once before any other vault call (initialises libsodium). */
int vault_init(struct pd_error *err);

/* Whether this database has a vault. */
int vault_exists(sqlite3 *db, bool *exists, struct pd_error *err);

/* Create the vault (PD_ERR_EXISTS when there is one) and return it unlocked. */
int vault_create(sqlite3 *db, const char *passphrase, const struct vault_kdf *kdf,
		 struct vault **out, struct pd_error *err);

/* Unlock with the passphrase: PD_ERR_WRONG_PASS when it does not open the
 * vault, PD_ERR_NOT_FOUND when there is no vault. */
int vault_unlock(sqlite3 *db, const char *passphrase, struct vault **out, struct pd_error *err);

/* Zero and free the data key; *v becomes NULL. */
void vault_lock(struct vault **v);

/* Seal len bytes of plain under (name, account), replacing any earlier one. */
int vault_seal(struct vault *v, sqlite3 *db, const char *name, const char *account,
	       const void *plain, size_t len, struct pd_error *err);

/* Open the secret (name, account) into guarded memory (*out, NUL-terminated,
 * *len bytes; len may be NULL); free it with vault_secret_free().
 * PD_ERR_NOT_FOUND when absent, PD_ERR_TAMPERED when any byte was altered. */
int vault_open_secret(struct vault *v, sqlite3 *db, const char *name, const char *account,
		      char **out, size_t *len, struct pd_error *err);

/* A copy of text in guarded memory (free with vault_secret_free), or NULL. */
char *vault_secret_dup(const char *text);

/* Zero and free a secret returned by vault_open_secret; *secret becomes NULL. */
void vault_secret_free(char **secret);

/* Delete one sealed secret (no error when absent). */
int vault_delete_secret(sqlite3 *db, const char *name, const char *account,
			struct pd_error *err);

/* Re-wrap the data key under a new passphrase (new salt), in one transaction.
 * Needs the old passphrase: PD_ERR_WRONG_PASS when it is wrong. */
int vault_change_passphrase(sqlite3 *db, const char *old_pass, const char *new_pass,
			    const struct vault_kdf *kdf, struct pd_error *err);

/* The same, audited under actor (the signed-in admin; NULL: "vault
 * passphrase"). Only the passphrase slot changes: desk slots keep opening. */
int vault_change_passphrase_as(sqlite3 *db, const char *old_pass, const char *new_pass,
			       const struct vault_kdf *kdf, const char *actor,
			       struct pd_error *err);

/* Remove the vault and every sealed secret, then checkpoint the WAL so the
 * old pages do not linger in it. */
int vault_wipe(sqlite3 *db, struct pd_error *err);

/* Key slots, as disk encryption has them: the data key is wrapped once per
 * slot. The passphrase slot is always there (the recovery path); each
 * enrolled desk has one, wrapping the data key under a random desk key that
 * lives in a file on that desk (sys/desk_key.c), never in the database: a
 * copy of the database opens with the passphrase only. The wrap's associated
 * data names the vault id and the slot, so a slot moved or copied into
 * another vault does not open. PINs never unlock the vault: a 4-digit PIN
 * falls to offline guessing from a copy of the database. */
#define VAULT_ID_BYTES 16
#define VAULT_DESK_KEY_BYTES 32
#define VAULT_DESK_NAME_MAX 64

struct vault_desk {
	int64_t slot;
	char name[VAULT_DESK_NAME_MAX + 1];
	char created_by[80];
	int64_t created_at;
	int64_t last_used_at; /* 0: never unlocked since enrolment */
};

/* This vault's random id (what a desk key file names). PD_ERR_NOT_FOUND
 * when there is no vault. */
int vault_id_get(sqlite3 *db, unsigned char id[VAULT_ID_BYTES], struct pd_error *err);

/* Add a desk slot named name (1-64 printable bytes, unique) enrolled by
 * `by`: a fresh random desk key, written into desk_key (VAULT_DESK_KEY_BYTES,
 * the caller's guarded memory), wraps v's data key. *slot gets the slot id.
 * Runs in the caller's transaction. PD_ERR_EXISTS when the name is taken. */
int vault_desk_add(struct vault *v, sqlite3 *db, const char *name, const char *by,
		   unsigned char *desk_key, int64_t *slot, struct pd_error *err);

/* Unlock with a desk key: no KDF (the key is random). PD_ERR_NOT_FOUND when
 * that slot is gone (revoked) or there is no vault; PD_ERR_WRONG_PASS when
 * the key does not open it. The audit key is attached as by vault_unlock. */
int vault_unlock_desk(sqlite3 *db, int64_t slot, const unsigned char *desk_key,
		      struct vault **out, struct pd_error *err);

/* Record that slot was just used (at most once a minute; best effort). */
void vault_desk_touch(sqlite3 *db, int64_t slot);

/* The enrolled desks, oldest first (*out: free()). */
int vault_desk_list(sqlite3 *db, struct vault_desk **out, size_t *n, struct pd_error *err);

/* The desk in slot (PD_ERR_NOT_FOUND when revoked). */
int vault_desk_get(sqlite3 *db, int64_t slot, struct vault_desk *out, struct pd_error *err);

/* Remove the desk slot named name (never the passphrase slot), in the
 * caller's transaction; *slot gets its id. PD_ERR_NOT_FOUND when no desk
 * has that name. */
int vault_desk_remove(sqlite3 *db, const char *name, int64_t *slot, struct pd_error *err);

/* How many Argon2id derivations this process has run (tests check that
 * unlocking costs one). */
unsigned long vault_kdf_count(void);

#endif
