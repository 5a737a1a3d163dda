/* Helpers for the unit tests of the history's search (header-only, as
 * testutil.h): what the screen lists of a search, against what the export
 * writes of it. */
#ifndef PAYDESK_HISTORY_TESTUTIL_H
#define PAYDESK_HISTORY_TESTUTIL_H

#include <sqlite3.h>

#include "testutil.h"

#include "../../src/store/history_internal.h"
#include "paydesk/history.h"

/* Every id the date view of search lists, newest first, paged as the
 * screen pages (7 a page). */
static inline int tu_view_ids(sqlite3 *db, const char *search, int64_t *ids, int max)
{
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "%s", search);
	struct history_view *v = NULL;
	struct pd_error err = {0};
	if (history_view_new(db, &f, HISTORY_SORT_DATE, true, &v, &err))
		fail_msg("%s: %s", search, err.msg);
	struct history_row rows[7];
	struct history_key key, *from = NULL;
	int n = 0, got;
	do {
		assert_int_equal(history_view_page(v, from, true, rows, 7, &got, &err), 0);
		for (int i = 0; i < got && n < max; i++)
			ids[n++] = rows[i].id;
		if (got)
			key = history_view_key(v, &rows[got - 1]);
		from = &key;
	} while (got == 7);
	history_view_free(&v);
	return n;
}

/* The same search's ids as the export reads them (the amount and card
 * indexes, each row's words tested), newest first. */
static inline int tu_export_ids(sqlite3 *db, const char *search, int64_t *ids, int max)
{
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "%s", search);
	static struct history_sql q;
	memset(&q, 0, sizeof q);
	history_build_where(db, &f, &q, false, false);
	char sql[sizeof q.text + 64];
	snprintf(sql, sizeof sql, "SELECT h.id%s ORDER BY h.created DESC, h.id DESC", q.text);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", search, sqlite3_errmsg(db));
	history_sql_bind(&q, st, 1);
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW && n < max)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The screen lists what the export writes: n rows (-1: any number). */
static inline void tu_lists_as_exported(sqlite3 *db, const char *search, int want)
{
	static int64_t a[4096], b[4096];
	int na = tu_view_ids(db, search, a, 4096), nb = tu_export_ids(db, search, b, 4096);
	if (want >= 0 && na != want)
		fail_msg("\"%s\": the list shows %d records, want %d", search, na, want);
	if (na != nb)
		fail_msg("\"%s\": the list shows %d records, the export %d", search, na, nb);
	for (int i = 0; i < na; i++)
		if (a[i] != b[i])
			fail_msg("\"%s\": row %d is id %lld on screen, %lld in the export", search,
			         i, (long long)a[i], (long long)b[i]);
}

#endif
