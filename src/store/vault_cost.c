#include "paydesk/vault_cost.h"

#include "paydesk/db.h"

int vault_cost_get(sqlite3 *db, struct vault_kdf *out, struct pd_error *err)
{
	sqlite3_stmt *st;
	/* The passphrase slot (schema 13): desk slots have no KDF. */
	int rc = db_prepare(db,
			    "SELECT kdf_opslimit, kdf_memlimit FROM vault_slot"
			    " WHERE kind = 'passphrase'",
			    &st, err);
	if (rc)
		return rc;
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		sqlite3_int64 ops = sqlite3_column_int64(st, 0), mem = sqlite3_column_int64(st, 1);
		out->opslimit = ops > 0 ? (unsigned long long)ops : 0;
		out->memlimit = mem > 0 ? (size_t)mem : 0;
	} else {
		rc = step == SQLITE_DONE ? pd_error_set(err, PD_ERR_NOT_FOUND, "there is no vault")
					 : db_fail(db, "reading the vault's cost", err);
	}
	sqlite3_finalize(st);
	return rc;
}

bool vault_cost_below_default(const struct vault_kdf *kdf)
{
	return kdf->opslimit < VAULT_KDF_DEFAULT.opslimit ||
	       kdf->memlimit < VAULT_KDF_DEFAULT.memlimit;
}
