/* Desks that unlock themselves: this desk's vault key slot (a random key in
 * a file on this host, see desk_key.h and vault.h), and the admin's use
 * cases around it — enrol this desk, list the desks, revoke one — each
 * checked (AUTH_SETUP: admins) and audited. PINs never unlock the vault. */
#ifndef PAYDESK_DESK_H
#define PAYDESK_DESK_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/auth.h"
#include "paydesk/config.h"
#include "paydesk/error.h"
#include "paydesk/vault.h"

/* This desk's key file: [vault] desk_key, else $XDG_CONFIG_HOME/paydesk/
 * desk.key (a heap string; NULL when there is no home to put it in). */
char *desk_key_path(const struct config *cfg);

/* Unlock db's vault with the key file at path. PD_OK: *out is unlocked (and
 * the slot's last use noted). PD_ERR_NOT_FOUND: this desk is not enrolled
 * for this database (no file, or the file of another database): ask the
 * passphrase as usual. Any other code: the file is there but cannot be used
 * (readable by others, revoked, damaged); err says why and what to do, and
 * the caller asks for the passphrase instead. */
int desk_unlock(sqlite3 *db, const char *path, struct vault **out, struct pd_error *err);

/* Enrol this desk: who must be an admin, v the unlocked vault. name NULL or
 * "": this host's name. Adds the slot, writes the key file at path (0600)
 * and an audit entry, all or nothing; *enrolled (VAULT_DESK_NAME_MAX + 1)
 * gets the name used. Refused when path already holds this database's key
 * of a desk still enrolled, or another database's key. */
int desk_enrol(sqlite3 *db, struct vault *v, const struct session *who, const char *path,
	       const char *name, char *enrolled, struct pd_error *err);

/* Revoke the desk named name (an admin only; audited): its slot is removed,
 * so its key file opens nothing and that desk asks for the passphrase.
 * When it is this desk (the file at path names that slot), the file is
 * removed too and *was_here set. */
int desk_revoke(sqlite3 *db, const struct session *who, const char *path, const char *name,
		bool *was_here, struct pd_error *err);

/* The enrolled desks (an admin only; *out: free()), and which slot the file
 * at path opens (0: this desk is not enrolled). */
int desk_list(sqlite3 *db, const struct session *who, const char *path, struct vault_desk **out,
	      size_t *n, int64_t *here, struct pd_error *err);

#endif
