/* Which paydesk processes are using a database. Each holds a shared flock
 * on "<database>-instances" from its first db_open until it exits (the
 * kernel drops it however the process ends, SIGKILL included). Finishing
 * work left in flight asks db_instance_alone first: a call or a payment in
 * flight may belong to another desk that is still running, not to a crash,
 * and settling it from here would record an outcome it has not had yet. */
#ifndef PAYDESK_INSTANCES_H
#define PAYDESK_INSTANCES_H

#include <sqlite3.h>
#include <stdbool.h>

/* Register this process as a user of the database file at path (once per
 * file; later calls do nothing). Never fails the caller: without the
 * sidecar file (a full disk, a read-only directory) nothing is known. */
void db_instance_register(const char *path);

/* What recovery says when it is not alone (PD_ERR_CONFLICT). */
#define RECOVER_NOT_ALONE                                                              \
	"another paydesk is using this database, and what is in flight may be its own: " \
	"close it, then run paydesk recover (or start paydesk) again"

/* True when no other process is registered on db's file. */
bool db_instance_alone(sqlite3 *db);

#endif
