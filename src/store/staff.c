#include "paydesk/staff.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"
#include "paydesk/textcheck.h"

static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static int day_index(const char *s, size_t n)
{
	for (int i = 0; i < 7; i++)
		if (n >= 3 && strncasecmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

/* "HH:MM" (or "24:00" as an end) at s; minutes, or -1. */
static int parse_hm(const char *s, size_t n)
{
	if (n == 4 && s[1] == ':') {
		char buf[6] = {'0', s[0], ':', s[2], s[3], 0};
		return parse_hm(buf, 5);
	}
	if (n != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m))
		return -1;
	return h * 60 + m;
}

int staff_hours_parse(const char *text, struct staff_hours *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	const char *p = text ? text : "";
	static const char *const how =
		" (type e.g. \"mon-fri 09:00-17:00, sat 10:00-14:00\")";
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *days = p;
		while (*p && *p != ' ')
			p++;
		size_t dn = (size_t)(p - days);
		while (*p == ' ')
			p++;
		const char *times = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		size_t tn = (size_t)(p - times);
		const char *dash = memchr(days, '-', dn);
		int d1 = day_index(days, dash ? (size_t)(dash - days) : dn);
		int d2 = dash ? day_index(dash + 1, dn - (size_t)(dash - days) - 1) : d1;
		if (d1 < 0 || d2 < 0 || (dash ? (size_t)(dash - days) : dn) != 3 ||
		    (dash && dn != 7))
			return pd_error_set(err, PD_ERR_USAGE, "'%.*s' is not a day or day range%s",
					    (int)dn, days, how);
		const char *tdash = memchr(times, '-', tn);
		int start = tdash ? parse_hm(times, (size_t)(tdash - times)) : -1;
		int end = tdash ? parse_hm(tdash + 1, tn - (size_t)(tdash - times) - 1) : -1;
		if (start < 0 || end < 0 || end <= start)
			return pd_error_set(err, PD_ERR_USAGE, "'%.*s' is not a time range%s",
					    (int)tn, times, how);
		for (int d = d1;; d = (d + 1) % 7) {
			out->start[d] = start;
			out->end[d] = end;
			if (d == d2)
				break;
		}
	}
	return PD_OK;
}

static void fmt_hm(int m, char *out)
{
	unsigned u = (unsigned)m;
	snprintf(out, 6, "%02u:%02u", (u / 60) % 100, u % 60);
}

void staff_hours_format(const struct staff_hours *h, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (int d = 0; d < 7;) {
		if (h->end[d] <= h->start[d]) {
			d++;
			continue;
		}
		int e = d;
		while (e + 1 < 7 && h->start[e + 1] == h->start[d] && h->end[e + 1] == h->end[d])
			e++;
		char a[6], b[6];
		fmt_hm(h->start[d], a);
		fmt_hm(h->end[d], b);
		int n = e > d ? snprintf(out + used, len - used, "%s%s-%s %s-%s", used ? ", " : "",
					 day_names[d], day_names[e], a, b)
			      : snprintf(out + used, len - used, "%s%s %s-%s", used ? ", " : "",
					 day_names[d], a, b);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
		d = e + 1;
	}
}

void staff_hours_encode(const struct staff_hours *h, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (int d = 0; d < 7; d++) {
		char a[6], b[6];
		int n;
		if (h->end[d] <= h->start[d]) {
			n = snprintf(out + used, len - used, "%s-", d ? " " : "");
		} else {
			fmt_hm(h->start[d], a);
			fmt_hm(h->end[d], b);
			n = snprintf(out + used, len - used, "%s%s-%s", d ? " " : "", a, b);
		}
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

int staff_hours_decode(const char *text, struct staff_hours *out)
{
	memset(out, 0, sizeof *out);
	const char *p = text ? text : "";
	for (int d = 0; d < 7; d++) {
		while (*p == ' ')
			p++;
		const char *tok = p;
		while (*p && *p != ' ')
			p++;
		size_t n = (size_t)(p - tok);
		if (n == 1 && *tok == '-')
			continue;
		if (n != 11 || tok[5] != '-')
			return -1;
		int s = parse_hm(tok, 5), e = parse_hm(tok + 6, 5);
		if (s < 0 || e < 0)
			return -1;
		out->start[d] = s;
		out->end[d] = e;
	}
	return 0;
}

int staff_check(const struct staff_input *in, struct pd_error *err)
{
	int rc = text_check("name", in->name, STAFF_NAME_MAX, true, false, err);
	if (!rc && (in->name[0] == ' ' || in->name[strlen(in->name) - 1] == ' '))
		rc = pd_error_set(err, PD_ERR_USAGE, "name starts or ends with a space");
	bool any = false;
	for (int d = 0; d < 7; d++)
		any |= in->hours.end[d] > in->hours.start[d];
	if (!rc && !any)
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "working hours: give at least one day, e.g. mon-fri 09:00-17:00");
	return rc;
}

static int write_row(sqlite3 *db, const char *sql, const struct staff_input *in, int64_t id,
		     int64_t version, struct pd_error *err)
{
	int rc = staff_check(in, err);
	sqlite3_stmt *st;
	if (!rc)
		rc = db_prepare(db, sql, &st, err);
	if (rc)
		return rc;
	char hours[128];
	staff_hours_encode(&in->hours, hours, sizeof hours);
	sqlite3_bind_text(st, 1, in->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, hours, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, in->active);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	if (id) {
		sqlite3_bind_int64(st, 5, id);
		sqlite3_bind_int64(st, 6, version);
	}
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step == SQLITE_CONSTRAINT)
		return pd_error_set(err, PD_ERR_EXISTS, "another staff member is called %s", in->name);
	if (step != SQLITE_DONE)
		return db_fail(db, "saving a staff member", err);
	if (id && sqlite3_changes(db) == 0)
		return pd_error_set(err, PD_ERR_CONFLICT,
				    "someone else changed this staff member since you opened it; "
				    "nothing was saved — reopen it and edit again");
	return PD_OK;
}

int staff_insert(sqlite3 *db, const struct staff_input *in, int64_t *id, struct pd_error *err)
{
	int rc = write_row(db,
			   "INSERT INTO staff (name, hours, active, created_at, updated_at)"
			   " VALUES (?1, ?2, ?3, ?4, ?4)",
			   in, 0, 0, err);
	if (!rc)
		*id = sqlite3_last_insert_rowid(db);
	return rc;
}

int staff_update(sqlite3 *db, int64_t id, int64_t version, const struct staff_input *in,
		 struct pd_error *err)
{
	return write_row(db,
			 "UPDATE staff SET name = ?1, hours = ?2, active = ?3, updated_at = ?4,"
			 " version = version + 1 WHERE id = ?5 AND version = ?6",
			 in, id, version, err);
}

#define STAFF_COLS "id, name, hours, active, version"

static void read_row(sqlite3_stmt *st, struct staff *s)
{
	memset(s, 0, sizeof *s);
	s->id = sqlite3_column_int64(st, 0);
	snprintf(s->name, sizeof s->name, "%s", (const char *)sqlite3_column_text(st, 1));
	staff_hours_decode((const char *)sqlite3_column_text(st, 2), &s->hours);
	s->active = sqlite3_column_int(st, 3) != 0;
	s->version = sqlite3_column_int64(st, 4);
}

/* For db_read_rows and db_read_one, which see rows as void *. */
static int read_any(sqlite3_stmt *st, void *p)
{
	read_row(st, p);
	return 0;
}

int staff_get(sqlite3 *db, int64_t id, struct staff *out, struct pd_error *err)
{
	return db_read_one(db, "SELECT " STAFF_COLS " FROM staff WHERE id = ?", id, NULL, read_any,
			   NULL, out, "reading staff", err, "no staff member %lld", (long long)id);
}

int staff_find_name(sqlite3 *db, const char *name, struct staff *out, struct pd_error *err)
{
	return db_read_one(db, "SELECT " STAFF_COLS " FROM staff WHERE name = ? COLLATE NOCASE", 0,
			   name, read_any, NULL, out, "reading staff", err,
			   "no staff member is called %s", name);
}

int staff_list(sqlite3 *db, bool active_only, struct staff **out, size_t *n, struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    active_only ? "SELECT " STAFF_COLS " FROM staff WHERE active = 1"
					  " ORDER BY fold(name), name, id"
					: "SELECT " STAFF_COLS " FROM staff ORDER BY fold(name), name, id",
			    &st, err);
	if (rc)
		return rc;
	void *rows;
	rc = db_read_rows(db, st, sizeof **out, read_any, NULL, &rows, n, "reading staff", err);
	*out = rows;
	return rc;
}
