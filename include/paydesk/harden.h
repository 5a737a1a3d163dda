/* Process hardening for while a secret is in memory. */
#ifndef PAYDESK_HARDEN_H
#define PAYDESK_HARDEN_H

/* Turn core dumps off (RLIMIT_CORE 0) and make the process non-dumpable
 * (PR_SET_DUMPABLE 0, which also refuses ptrace by the same user).
 * Idempotent. Returns 0, or -1 when the kernel refused either. */
int harden_no_core_dumps(void);

#endif
