/* The audit log as admins browse and export it (the Audit view, `paydesk
 * audit list`): every read checks the role here, so a screen that forgot to
 * hide the view still shows staff nothing. */
#ifndef PAYDESK_AUDIT_VIEW_H
#define PAYDESK_AUDIT_VIEW_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/audit.h"
#include "paydesk/auth.h"
#include "paydesk/csv.h"
#include "paydesk/error.h"

/* Entries matching f (count, and keyset pages as audit_page): admins only. */
int audit_view_count(sqlite3 *db, const struct session *who, const struct audit_filter *f,
		     int64_t *count, struct pd_error *err);
int audit_view_page(sqlite3 *db, const struct session *who, const struct audit_filter *f,
		    bool newest_first, int64_t after, size_t max, struct audit_row **rows,
		    size_t *n, struct pd_error *err);

/* The chain check (audit_verify), admins only: PD_OK with *broken_id 0 when
 * intact; PD_ERR_TAMPERED with the entry and why in err. */
int audit_view_verify(sqlite3 *db, const struct session *who, int64_t *broken_id,
		      int64_t *entries, struct pd_error *err);

/* Export the entries of f, oldest first, as CSV to path: written beside it
 * then renamed, 0600, never half-written, never over an existing file
 * (PD_ERR_EXISTS). *rows = entries written. */
int audit_view_export_file(sqlite3 *db, const struct session *who, const struct audit_filter *f,
			   const char *path, long *rows, struct pd_error *err);

/* The CSV columns, shared by the export and `paydesk audit list --format csv`. */
int audit_csv_header(struct csv_buf *b);
int audit_csv_row(struct csv_buf *b, const struct audit_row *r);

/* "YYYY-MM-DD HH:MM:SS" in local time. */
void audit_format_when(int64_t at_ms, char *out, size_t len);

/* "YYYY-MM-DD" → [day start, next day start) in unix ms (local time);
 * end picks the bound after the day. PD_ERR_USAGE with what to type. */
int audit_parse_day(const char *s, bool end, int64_t *ms, struct pd_error *err);

#endif
