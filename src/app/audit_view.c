#include "paydesk/audit_view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit_events.h"
#include "paydesk/file_replace.h"
#include "paydesk/money.h"
#include "paydesk/tz.h"

int audit_view_count(sqlite3 *db, const struct session *who, const struct audit_filter *f,
		     int64_t *count, struct pd_error *err)
{
	*count = 0;
	int rc = auth_allow(who, AUTH_AUDIT, err);
	return rc ? rc : audit_count(db, f, count, err);
}

int audit_view_page(sqlite3 *db, const struct session *who, const struct audit_filter *f,
		    bool newest_first, int64_t after, size_t max, struct audit_row **rows,
		    size_t *n, struct pd_error *err)
{
	*rows = NULL;
	*n = 0;
	int rc = auth_allow(who, AUTH_AUDIT, err);
	return rc ? rc : audit_page(db, f, newest_first, after, max, rows, n, err);
}

int audit_view_verify(sqlite3 *db, const struct session *who, int64_t *broken_id,
		      int64_t *entries, struct pd_error *err)
{
	*broken_id = *entries = 0;
	int rc = auth_allow(who, AUTH_AUDIT, err);
	return rc ? rc : audit_verify(db, broken_id, entries, err);
}

void audit_format_when(int64_t at_ms, char *out, size_t len)
{
	time_t t = (time_t)(at_ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
}

int audit_csv_header(struct csv_buf *b)
{
	const char *head[] = {"id", "at", "actor", "action", "amount", "object", "detail"};
	return csv_write(b, head, 7);
}

int audit_csv_row(struct csv_buf *b, const struct audit_row *r)
{
	char when[32], amount[48] = "", id[24];
	audit_format_when(r->at_ms, when, sizeof when);
	if (r->e.has_amount)
		money_format(r->e.amount, r->e.currency, amount, sizeof amount);
	snprintf(id, sizeof id, "%lld", (long long)r->id);
	const char *fields[] = {id,
				when,
				r->e.actor ? r->e.actor : "",
				r->e.action ? r->e.action : "",
				amount,
				r->e.object_id ? r->e.object_id : "",
				r->e.detail ? r->e.detail : ""};
	return csv_write(b, fields, 7);
}

int audit_parse_day(const char *s, bool end, int64_t *ms, struct pd_error *err)
{
	int y, m, d;
	if (!s || tz_parse_date(s, &y, &m, &d) != 0)
		return pd_error_set(err, PD_ERR_USAGE, "type a date as YYYY-MM-DD, such as 2026-03-31");
	*ms = (tz_day_start(y, m, d) + (end ? 86400 : 0)) * (int64_t)1000;
	return PD_OK;
}

/* Pages of 500 by key, flushed as they come: memory stays flat. */
static int write_csv(sqlite3 *db, const struct audit_filter *f, FILE *out, long *rows,
		     struct pd_error *err)
{
	struct csv_buf buf = {0};
	int rc = audit_csv_header(&buf) ? pd_error_set(err, PD_ERR, "out of memory") : PD_OK;
	int64_t after = 0;
	for (;;) {
		struct audit_row *page = NULL;
		size_t n = 0;
		if (!rc)
			rc = audit_page(db, f, false, after, 500, &page, &n, err);
		for (size_t i = 0; !rc && i < n; i++) {
			if (audit_csv_row(&buf, &page[i]))
				rc = pd_error_set(err, PD_ERR, "out of memory");
			after = page[i].id;
			(*rows)++;
		}
		audit_rows_free(&page, n);
		if (!rc && buf.len && fwrite(buf.data, 1, buf.len, out) != buf.len)
			rc = pd_error_set(err, PD_ERR_IO, "cannot write the export: %s",
					  strerror(errno));
		buf.len = 0;
		if (rc || n < 500)
			break;
	}
	csv_buf_free(&buf);
	return rc;
}

struct csv_fill {
	sqlite3 *db;
	const struct audit_filter *f;
	long *rows;
};

static int fill_csv(FILE *out, void *ctx, struct pd_error *err)
{
	struct csv_fill *c = ctx;
	return write_csv(c->db, c->f, out, c->rows, err);
}

int audit_view_export_file(sqlite3 *db, const struct session *who, const struct audit_filter *f,
			   const char *path, long *rows, struct pd_error *err)
{
	*rows = 0;
	int rc = auth_allow(who, AUTH_AUDIT, err);
	if (rc)
		return rc;
	struct csv_fill c = {db, f, rows};
	rc = file_write_new(path, fill_csv, &c, err); /* never over an earlier export */
	return rc ? rc : audit_event_export(db, who->name, "audit", *rows, "entries", path, err);
}
