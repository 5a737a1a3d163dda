/* What vault.c shares with vault_desk.c, private to the store: the unlocked
 * vault's layout, and the steps every way of unlocking ends with. */
#ifndef PAYDESK_STORE_VAULT_INTERNAL_H
#define PAYDESK_STORE_VAULT_INTERNAL_H

#include <sodium.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "paydesk/error.h"

#define VAULT_KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define VAULT_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define VAULT_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

struct vault {
	unsigned char *key; /* the data key: sodium_malloc, read-only once set */
};

/* A vault with room for its data key (guarded memory), or NULL. */
struct vault *vault_alloc(void);

/* After the data key is in v->key: make it read-only and attach the audit
 * log's key (a failure is logged, the vault still opens). */
void vault_opened(struct vault *v, sqlite3 *db);

#endif
