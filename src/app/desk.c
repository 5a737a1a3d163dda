#include "paydesk/desk.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paydesk/audit.h"
#include "paydesk/db.h"
#include "paydesk/desk_key.h"
#include "paydesk/log.h"
#include "paydesk/paths.h"

_Static_assert(DESK_KEY_BYTES == VAULT_DESK_KEY_BYTES, "desk key sizes agree");
_Static_assert(DESK_KEY_VAULT_ID_BYTES == VAULT_ID_BYTES, "vault id sizes agree");

char *desk_key_path(const struct config *cfg)
{
	if (cfg && cfg->desk_key_path)
		return strdup(cfg->desk_key_path);
	return paths_default_desk_key();
}

/* Read the file at path and check that it is for this vault: PD_ERR_NOT_FOUND
 * when absent or another database's. */
static int read_for_this_vault(sqlite3 *db, const char *path, struct desk_key *k,
			       struct pd_error *err)
{
	int rc = desk_key_read(path, k, err);
	if (rc)
		return rc;
	unsigned char vid[VAULT_ID_BYTES];
	rc = vault_id_get(db, vid, err);
	if (rc)
		return rc;
	if (sodium_memcmp(vid, k->vault_id, sizeof vid) != 0)
		return pd_error_set(err, PD_ERR_NOT_FOUND,
				    "%s is the desk key of another paydesk database: not tried", path);
	return PD_OK;
}

int desk_unlock(sqlite3 *db, const char *path, struct vault **out, struct pd_error *err)
{
	*out = NULL;
	if (!path)
		return pd_error_set(err, PD_ERR_NOT_FOUND, "no place for a desk key (no HOME)");
	struct desk_key k = {0};
	int rc = read_for_this_vault(db, path, &k, err);
	if (!rc) {
		rc = vault_unlock_desk(db, k.slot, k.key, out, err);
		if (rc == PD_ERR_NOT_FOUND)
			rc = pd_error_set(err, PD_ERR_LOCKED,
					  "this desk was revoked: enter the passphrase, and ask an admin "
					  "to enrol it again (its old key file, which opens nothing: %s)",
					  path);
		else if (rc == PD_ERR_WRONG_PASS)
			rc = pd_error_set(err, PD_ERR_TAMPERED,
					  "the desk key does not open this vault (damaged or replaced): "
					  "enter the passphrase, and enrol this desk again (%s)",
					  path);
	}
	if (!rc)
		vault_desk_touch(db, k.slot);
	if (rc && rc != PD_ERR_NOT_FOUND)
		log_msg(LOG_WARN, "desk key not used: %s", err->msg);
	desk_key_clear(&k);
	return rc;
}

/* Why path may not take a new key, or PD_OK: nothing there, or the file of a
 * desk of this vault that was revoked (useless now). */
static int check_free(sqlite3 *db, const char *path, struct pd_error *err)
{
	struct desk_key k = {0};
	struct pd_error why = {0};
	int rc = desk_key_read(path, &k, &why);
	unsigned char vid[VAULT_ID_BYTES];
	if (rc == PD_ERR_NOT_FOUND) {
		rc = PD_OK;
	} else if (rc == PD_OK && (rc = vault_id_get(db, vid, err)) == PD_OK) {
		struct vault_desk d;
		if (sodium_memcmp(vid, k.vault_id, sizeof vid) != 0)
			rc = pd_error_set(err, PD_ERR_EXISTS,
					  "%s holds the desk key of another paydesk database (or of "
					  "this one before Stripe was disconnected): remove it if that "
					  "database is gone, else set [vault] desk_key to another file",
					  path);
		else if (vault_desk_get(db, k.slot, &d, &why) == PD_OK)
			rc = pd_error_set(err, PD_ERR_EXISTS,
					  "this desk is already enrolled as '%s' (%s): revoke it first "
					  "to enrol it again",
					  d.name, path);
	} else if (rc == PD_ERR_TAMPERED) {
		rc = PD_OK; /* not a key: replaced */
	} else if (rc) {
		rc = pd_error_set(err, rc, "%s", why.msg);
	}
	desk_key_clear(&k);
	return rc;
}

int desk_enrol(sqlite3 *db, struct vault *v, const struct session *who, const char *path,
	       const char *name, char *enrolled, struct pd_error *err)
{
	int rc = auth_allow_now(db, who, AUTH_SETUP, err);
	if (rc)
		return rc;
	if (!v)
		return pd_error_set(err, PD_ERR_LOCKED,
				    "enrolling a desk needs the vault unlocked: give the passphrase");
	if (!path)
		return pd_error_set(err, PD_ERR_USAGE,
				    "no place for the desk key: set HOME, or [vault] desk_key");
	char host[HOST_NAME_MAX + 1] = "";
	if (!name || !*name) {
		if (gethostname(host, sizeof host) != 0 || !host[0])
			return pd_error_set(err, PD_ERR_USAGE,
					    "this host has no name: give one with --name NAME");
		host[sizeof host - 1] = '\0';
		name = host;
	}
	if ((rc = check_free(db, path, err)))
		return rc;
	struct desk_key k = {0};
	if ((rc = desk_key_init(&k, err)))
		return rc;
	bool written = false;
	rc = db_begin(db, err);
	if (!rc)
		rc = vault_id_get(db, k.vault_id, err);
	if (!rc)
		rc = vault_desk_add(v, db, name, who->name, k.key, &k.slot, err);
	if (!rc) {
		char detail[256];
		snprintf(detail, sizeof detail, "desk '%s' enrolled: it unlocks the vault with its key "
						"file (slot %lld)",
			 name, (long long)k.slot);
		struct audit_entry e = {.actor = who->name, .action = "vault.desk_enrol",
					.detail = detail};
		rc = audit_append(db, &e, err);
	}
	if (!rc)
		written = (rc = desk_key_write(path, &k, err)) == PD_OK;
	if (!rc)
		rc = db_commit(db, err);
	if (rc) {
		db_rollback(db);
		if (written) /* a key for a slot that was not kept */
			desk_key_remove(path, NULL);
	} else {
		snprintf(enrolled, VAULT_DESK_NAME_MAX + 1, "%s", name);
		log_msg(LOG_INFO, "desk '%s' enrolled (key file %s)", name, path);
	}
	desk_key_clear(&k);
	return rc;
}

/* The slot the file at path opens in this vault, or 0. */
static int64_t slot_here(sqlite3 *db, const char *path)
{
	struct desk_key k = {0};
	struct pd_error ignored = {0};
	int64_t slot = 0;
	if (path && read_for_this_vault(db, path, &k, &ignored) == PD_OK)
		slot = k.slot;
	desk_key_clear(&k);
	return slot;
}

int desk_revoke(sqlite3 *db, const struct session *who, const char *path, const char *name,
		bool *was_here, struct pd_error *err)
{
	*was_here = false;
	int rc = auth_allow_now(db, who, AUTH_SETUP, err);
	if (rc)
		return rc;
	int64_t slot = 0;
	rc = db_begin(db, err);
	if (!rc)
		rc = vault_desk_remove(db, name, &slot, err);
	if (!rc) {
		char detail[256];
		snprintf(detail, sizeof detail, "desk '%s' revoked (slot %lld): it asks for the "
						"passphrase from now on",
			 name, (long long)slot);
		struct audit_entry e = {.actor = who->name, .action = "vault.desk_revoke",
					.detail = detail};
		rc = audit_append(db, &e, err);
	}
	if (!rc)
		rc = db_commit(db, err);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	if (slot_here(db, path) == slot) {
		*was_here = true;
		struct pd_error ferr = {0};
		if (desk_key_remove(path, &ferr))
			log_msg(LOG_WARN, "%s", ferr.msg);
	}
	log_msg(LOG_INFO, "desk '%s' revoked", name);
	return PD_OK;
}

int desk_list(sqlite3 *db, const struct session *who, const char *path, struct vault_desk **out,
	      size_t *n, int64_t *here, struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	*here = 0;
	int rc = auth_allow_now(db, who, AUTH_SETUP, err);
	if (rc)
		return rc;
	*here = slot_here(db, path);
	return vault_desk_list(db, out, n, err);
}
