/* A desk's key file: the random key of this desk's vault slot, kept outside
 * the database (by default $XDG_CONFIG_HOME/paydesk/desk.key), with the id
 * of the vault and the slot it opens, so a file for another database is
 * recognised and not tried. Like ssh with a private key, a file that others
 * could read (mode wider than 0600) or that another user owns is refused. */
#ifndef PAYDESK_DESK_KEY_H
#define PAYDESK_DESK_KEY_H

#include <stdint.h>

#include "paydesk/error.h"

#define DESK_KEY_VAULT_ID_BYTES 16
#define DESK_KEY_BYTES 32

struct desk_key {
	unsigned char vault_id[DESK_KEY_VAULT_ID_BYTES];
	int64_t slot;
	unsigned char *key; /* DESK_KEY_BYTES of guarded memory (desk_key_clear frees) */
};

/* Guarded memory for k->key; PD_ERR when out of memory. */
int desk_key_init(struct desk_key *k, struct pd_error *err);

/* Zero and free k->key. */
void desk_key_clear(struct desk_key *k);

/* Read path into k (desk_key_init'ed here; clear it whatever this returns).
 * PD_ERR_NOT_FOUND when there is no file; PD_ERR_FORBIDDEN when its mode
 * lets others read it or another user owns it (the message says the chmod to
 * run); PD_ERR_TAMPERED when it is not a desk key file. */
int desk_key_read(const char *path, struct desk_key *k, struct pd_error *err);

/* Write k to path, mode 0600, through a temporary file renamed into place
 * (the parent directory is created 0700 when missing). */
int desk_key_write(const char *path, const struct desk_key *k, struct pd_error *err);

/* Remove the file at path (no error when it is already gone). */
int desk_key_remove(const char *path, struct pd_error *err);

#endif
