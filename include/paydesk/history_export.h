/* Exporting a filtered history: CSV (RFC 4180) or JSON Lines, and the date
 * ranges reviewers pick (today, this week, …) — shared by the History
 * screen and `paydesk export`, so both give the same rows for one filter. */
#ifndef PAYDESK_HISTORY_EXPORT_H
#define PAYDESK_HISTORY_EXPORT_H

#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "paydesk/history.h"

enum history_format { HISTORY_CSV, HISTORY_JSONL };

/* Write every record of f, newest first, to out as CSV (header line, CRLF,
 * fields quoted when needed, amounts in major units) or JSON Lines (amounts
 * in minor units), paging by key so memory stays flat. *rows = lines written.
 * Money out (refunds, desk refunds) is negative, as the list shows it. */
int history_export(sqlite3 *db, const struct history_filter *f, enum history_format fmt,
		   FILE *out, long *rows, struct pd_error *err);

/* Export to a file: written beside it then renamed, 0600; never half-written.
 * An existing file is kept and PD_ERR_EXISTS returned unless replace. */
int history_export_file(sqlite3 *db, const struct history_filter *f, enum history_format fmt,
			const char *path, bool replace, long *rows, struct pd_error *err);

/* For an export run as a job: stop when *cancel is set (checked between
 * pages; PD_ERR_CONFLICT "export stopped", and no file is left), and tell
 * on_rows(ctx, rows written so far, rows in all) after each page. The
 * records are in the order of sort and descending, the list's ("export
 * what is shown"). */
struct history_export_watch {
	const atomic_bool *cancel;
	void (*on_rows)(void *ctx, long rows, long total);
	void *ctx;
	enum history_sort sort;
	bool descending;
};
int history_export_file_watched(sqlite3 *db, const struct history_filter *f,
				enum history_format fmt, const char *path, bool replace,
				const struct history_export_watch *watch, long *rows,
				struct pd_error *err);

/* Parse "csv" or "jsonl" (PD_ERR_USAGE otherwise). */
int history_format_parse(const char *s, enum history_format *fmt, struct pd_error *err);

enum history_range {
	HISTORY_RANGE_ALL,
	HISTORY_RANGE_TODAY,
	HISTORY_RANGE_THIS_WEEK,  /* from Monday */
	HISTORY_RANGE_THIS_MONTH,
	HISTORY_RANGE_LAST_MONTH,
	HISTORY_RANGE_CUSTOM,
};

/* Names for forms, NULL-terminated, in enum order ("all", "today", …). */
extern const char *const history_range_names[];

/* [since, until) of a preset in local time around now (ALL, CUSTOM: 0, 0). */
void history_range_bounds(enum history_range r, time_t now, int64_t *since, int64_t *until);

/* "YYYY-MM-DD" (local time) → the unix time its day starts. PD_ERR_USAGE
 * with what to type otherwise. */
int history_date_parse(const char *text, int64_t *day_start, struct pd_error *err);

/* The start of the local day after the one that contains t. */
int64_t history_next_day(int64_t t);

#endif
