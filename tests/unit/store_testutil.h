/* Helpers for the unit tests of the store (header-only, as testutil.h). */
#ifndef PAYDESK_STORE_TESTUTIL_H
#define PAYDESK_STORE_TESTUTIL_H

#include <sqlite3.h>

#include "testutil.h"

#include "../../src/store/migrations.h"

/* A progress handler counting its calls into a long: how much a statement
 * read, for "one lookup, not a pass over the history" tests. */
static inline int tu_count_steps(void *ctx)
{
	++*(long *)ctx;
	return 0;
}

/* A database at path as the paydesk of schema `version` left it (later
 * migrations cannot be undone): open with sqlite3 directly, to add rows an
 * older paydesk wrote, then close and db_open it. */
static inline sqlite3 *tu_schema_at(const char *path, int version)
{
	sqlite3 *raw;
	struct pd_error err = {0};
	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	for (int i = 0; i < store_migrations_count && store_migrations[i].version <= version; i++) {
		assert_int_equal(sqlite3_exec(raw, store_migrations[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
		if (store_migrations[i].apply)
			assert_int_equal(store_migrations[i].apply(raw, &err), 0);
	}
	char pragmas[96];
	snprintf(pragmas, sizeof pragmas,
		 "PRAGMA user_version = %d; PRAGMA application_id = 1346655051;", version);
	assert_int_equal(sqlite3_exec(raw, pragmas, NULL, NULL, NULL), SQLITE_OK);
	return raw;
}

#endif
