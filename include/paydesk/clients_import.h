/* Moving clients in and out: CSV import (name, email, phone, notes under a
 * header row, any order) and export in the same format. */
#ifndef PAYDESK_CLIENTS_IMPORT_H
#define PAYDESK_CLIENTS_IMPORT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "paydesk/csv.h"
#include "paydesk/error.h"

struct clients_import_report {
	int imported, updated, rejected;
	bool aborted;  /* atomic and something was rejected: nothing saved */
};

/* Called for each rejected row ("missing name") and each column that is
 * not imported, with its line number. */
typedef void (*clients_import_note_fn)(void *ctx, long line, const char *message);

/* Import CSV text. A row whose email (case-insensitively) matches a client
 * updates that client (empty cells keep what was there); others are added.
 * Bad rows are rejected with their line and reason, the rest saved — or,
 * when atomic, nothing is saved if any row is rejected. dry_run saves
 * nothing but reports the same. Fails (nothing saved) when the header has
 * no name column or repeats one. */
int clients_import_csv(sqlite3 *db, const char *data, size_t len, bool atomic, bool dry_run,
		       clients_import_note_fn note, void *ctx, struct clients_import_report *rep,
		       struct pd_error *err);

/* Every client as CSV (header name,email,phone,notes; CRLF) into out. */
int clients_export_csv(sqlite3 *db, struct csv_buf *out, struct pd_error *err);

#endif
