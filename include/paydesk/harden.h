/* Process hardening for while a secret is in memory. */
#ifndef PAYDESK_HARDEN_H
#define PAYDESK_HARDEN_H

#include <stdbool.h>

/* Turn core dumps off (RLIMIT_CORE 0) and make the process non-dumpable
 * (PR_SET_DUMPABLE 0, which also refuses ptrace by the same user).
 * Idempotent. Returns 0, or -1 when the kernel refused either. */
int harden_no_core_dumps(void);

/* The first thing main does: no core dumps, not dumpable, and the secrets
 * that may come by environment (PAYDESK_PASSPHRASE, PAYDESK_NEW_PASSPHRASE,
 * PAYDESK_PIN) moved into
 * guarded memory, their bytes in the environment block zeroed and the
 * variables unset. Returns 0, or -1 when any step failed. */
int harden_start(void);

/* The value of a secret environment variable (one harden_start takes), in
 * guarded memory that the caller frees with vault_secret_free; NULL when it
 * was not set or was already claimed. Each value is given out once. Without
 * harden_start (unit tests), it is taken from the environment now. */
char *harden_env_secret_claim(const char *name);

/* Whether harden_env_secret_claim(name) would give a value now. */
bool harden_env_secret_waiting(const char *name);

#endif
