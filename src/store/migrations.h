/* Ordered schema migrations, private to the store. Each is applied once, in
 * its own transaction, and never drops data. Append; never edit a shipped one. */
#ifndef PAYDESK_STORE_MIGRATIONS_H
#define PAYDESK_STORE_MIGRATIONS_H

#include <sqlite3.h>

#include "paydesk/error.h"

struct migration {
	int version;      /* user_version after it is applied */
	const char *what; /* for the log */
	const char *sql;
	/* Then, in the same transaction, what SQL text cannot say (NULL: nothing). */
	int (*apply)(sqlite3 *db, struct pd_error *err);
};

extern const struct migration store_migrations[];

/* A step's time for each billing-history record, as measured at 10M
 * records (0: next to nothing), for the upgrade notice's estimate. */
int store_migration_us_per_record(int version);
extern const int store_migrations_count;

#endif
