/* Audit entries that several front ends write the same way: exports, sign-ins
 * and user switches, and the name a passphrase-proven command acts under. */
#ifndef PAYDESK_AUDIT_EVENTS_H
#define PAYDESK_AUDIT_EVENTS_H

#include <sqlite3.h>
#include <stddef.h>

#include "paydesk/error.h"

/* Record that count items (noun: "records", "clients", "entries") of what
 * ("history", "clients", "audit") left paydesk for dest (a path, or NULL for
 * standard output). actor NULL: a command that proves nobody, recorded as
 * "command line" with the OS account that ran it. */
int audit_event_export(sqlite3 *db, const char *actor, const char *what, long count,
		       const char *noun, const char *dest, struct pd_error *err);

/* Record a sign-in attempt's outcome (rc from users_sign_in): success as
 * user.sign_in, or user.switch when previous names another user; refusals
 * the store does not record itself (an unknown name, a paused account) as
 * user.sign_in_refused (a wrong PIN is the store's user.sign_in_failed).
 * via: "desk" or "command line". Never records a PIN or a typed unknown name. */
void audit_event_sign_in(sqlite3 *db, const char *name, const char *previous, int rc,
			 const char *via);

struct outbox_resolution;

/* Record what a recovery finished: one entry per call it closed (done or
 * refused), named by what the call was (refund.recovered…), with the amount
 * and currency where the call and the store know them. actor: who ran it. */
int audit_event_recovered(sqlite3 *db, const char *actor, const struct outbox_resolution *list,
			  size_t n, struct pd_error *err);

/* The admin a command proven with the vault passphrase acts as: the one who
 * connected Stripe (the vault's holder), else the first enabled admin, else
 * "vault passphrase". */
void audit_event_vault_holder(sqlite3 *db, char *name, size_t len);

#endif
