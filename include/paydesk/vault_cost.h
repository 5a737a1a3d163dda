/* What the stored vault costs to unlock: the Argon2id limits kept with the
 * passphrase slot, for `paydesk doctor` to warn when a vault was made below
 * paydesk's default (PAYDESK_VAULT_KDF=interactive, meant for test suites).
 * Read-only; unlocking (vault.c) uses the same stored limits. */
#ifndef PAYDESK_VAULT_COST_H
#define PAYDESK_VAULT_COST_H

#include <sqlite3.h>
#include <stdbool.h>

#include "paydesk/error.h"
#include "paydesk/vault.h"

/* The stored limits; PD_ERR_NOT_FOUND when there is no vault. */
int vault_cost_get(sqlite3 *db, struct vault_kdf *out, struct pd_error *err);

/* True when either limit is below VAULT_KDF_DEFAULT's. */
bool vault_cost_below_default(const struct vault_kdf *kdf);

#endif
