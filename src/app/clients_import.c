#include "paydesk/clients_import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/textcheck.h"

enum { COL_NAME, COL_EMAIL, COL_PHONE, COL_NOTES, COL_KNOWN };
static const char *const col_names[COL_KNOWN] = {"name", "email", "phone", "notes"};

static void notef(clients_import_note_fn note, void *ctx, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void notef(clients_import_note_fn note, void *ctx, long line, const char *fmt, ...)
{
	if (!note)
		return;
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	note(ctx, line, msg);
}

/* Header: which field holds each known column (-1: absent). */
static int map_header(const struct csv_record *h, int map[COL_KNOWN], clients_import_note_fn note,
		      void *ctx, struct pd_error *err)
{
	for (int k = 0; k < COL_KNOWN; k++)
		map[k] = -1;
	if (h->error[0])
		return pd_error_set(err, PD_ERR_USAGE, "line %ld (the header): %s", h->line, h->error);
	for (size_t i = 0; i < h->n; i++) {
		char *name = text_trim_dup(h->fields[i]);
		if (!name)
			return pd_error_set(err, PD_ERR, "out of memory");
		int k;
		for (k = 0; k < COL_KNOWN; k++)
			if (strcasecmp(name, col_names[k]) == 0)
				break;
		if (k < COL_KNOWN && map[k] >= 0) {
			int rc = pd_error_set(err, PD_ERR_USAGE,
					      "line %ld (the header): column '%s' appears twice",
					      h->line, col_names[k]);
			free(name);
			return rc;
		}
		if (k < COL_KNOWN)
			map[k] = (int)i;
		else
			notef(note, ctx, h->line, "column %zu '%.60s' is not imported (paydesk "
						  "reads name, email, phone, notes)",
			      i + 1, name);
		free(name);
	}
	if (map[COL_NAME] < 0)
		return pd_error_set(err, PD_ERR_USAGE,
				    "line %ld: the header row has no 'name' column (expected a "
				    "first row naming the columns: name, email, phone, notes)",
				    h->line);
	return PD_OK;
}

/* One data row: 1 imported, 2 updated, 0 rejected (noted), <0 fatal. */
static int import_row(sqlite3 *db, const struct csv_record *r, size_t ncols,
		      const int map[COL_KNOWN], clients_import_note_fn note, void *ctx,
		      struct pd_error *err)
{
	if (r->error[0]) {
		notef(note, ctx, r->line, "%s", r->error);
		return 0;
	}
	if (r->n != ncols) {
		notef(note, ctx, r->line, "%zu fields, but the header has %zu", r->n, ncols);
		return 0;
	}
	char *v[COL_KNOWN] = {0};
	int rc = 0;
	for (int k = 0; k < COL_KNOWN; k++) {
		/* Notes keep their inner layout; the others lose outer blanks. */
		const char *raw = map[k] >= 0 ? r->fields[map[k]] : "";
		v[k] = k == COL_NOTES ? strdup(raw) : text_trim_dup(raw);
		if (!v[k])
			rc = pd_error_set(err, PD_ERR, "out of memory");
	}
	struct client_input in = {v[COL_NAME], v[COL_EMAIL], v[COL_PHONE], v[COL_NOTES], false};
	struct pd_error why = {0};
	int64_t id = 0;
	if (!rc && !*in.name) {
		notef(note, ctx, r->line, "missing name");
	} else if (!rc && clients_check(&in, &why)) {
		notef(note, ctx, r->line, "%s", why.msg);
	} else if (!rc && (rc = clients_find_email(db, in.email, &id, err)) == 0) {
		if (id) {
			struct client cur;
			rc = clients_get(db, id, &cur, err);
			if (!rc) {
				struct client_input up = {
					in.name, cur.email, *in.phone ? in.phone : cur.phone,
					*in.notes ? in.notes : cur.notes, cur.bill_with_stripe};
				int urc = clients_update(db, id, cur.version, &up, &why);
				if (urc == PD_ERR_IO)
					rc = pd_error_set(err, urc, "%s", why.msg);
				else if (urc)
					notef(note, ctx, r->line, "%s", why.msg);
				else
					rc = 2;
				client_free(&cur);
			}
		} else {
			int irc = clients_insert(db, &in, &id, &why);
			if (irc == PD_ERR_IO)
				rc = pd_error_set(err, irc, "%s", why.msg);
			else if (irc)
				notef(note, ctx, r->line, "%s", why.msg);
			else
				rc = 1;
		}
	}
	for (int k = 0; k < COL_KNOWN; k++)
		free(v[k]);
	return rc;
}

/* Empty lines and rows of empty cells (spreadsheets leave them) are skipped. */
static bool blank_record(const struct csv_record *r)
{
	if (r->error[0])
		return false;
	for (size_t i = 0; i < r->n; i++)
		if (r->fields[i][strspn(r->fields[i], " \t")] != '\0')
			return false;
	return true;
}

int clients_import_csv(sqlite3 *db, const char *data, size_t len, bool atomic, bool dry_run,
		       clients_import_note_fn note, void *ctx, struct clients_import_report *rep,
		       struct pd_error *err)
{
	memset(rep, 0, sizeof *rep);
	struct csv_reader *rd = csv_reader_new(data, len);
	if (!rd)
		return pd_error_set(err, PD_ERR, "out of memory");
	struct csv_record rec;
	int got, rc = PD_OK;
	while ((got = csv_read(rd, &rec)) == 1 && blank_record(&rec))
		;
	if (got < 0)
		rc = pd_error_set(err, PD_ERR, "out of memory");
	else if (got == 0)
		rc = pd_error_set(err, PD_ERR_USAGE, "the file is empty (expected a header row: "
						     "name, email, phone, notes)");
	int map[COL_KNOWN];
	size_t ncols = rec.n;
	if (!rc)
		rc = map_header(&rec, map, note, ctx, err);
	if (!rc)
		rc = db_begin(db, err);
	if (rc) {
		csv_reader_free(&rd);
		return rc;
	}
	while ((got = csv_read(rd, &rec)) == 1) {
		if (blank_record(&rec))
			continue;
		int r = import_row(db, &rec, ncols, map, note, ctx, err);
		if (r < 0) {
			rc = r;
			break;
		}
		if (r == 1)
			rep->imported++;
		else if (r == 2)
			rep->updated++;
		else
			rep->rejected++;
	}
	if (got < 0)
		rc = pd_error_set(err, PD_ERR, "out of memory");
	csv_reader_free(&rd);
	if (!rc && atomic && rep->rejected > 0) {
		rep->aborted = true;
		rep->imported = rep->updated = 0;
	}
	if (rc || dry_run || rep->aborted)
		db_rollback(db);
	else if ((rc = db_commit(db, err)) != 0)
		db_rollback(db);
	return rc;
}

static int export_one(void *ctx, const struct client *c)
{
	const char *f[] = {c->name, c->email, c->phone, c->notes};
	return csv_write(ctx, f, 4);
}

int clients_export_csv(sqlite3 *db, struct csv_buf *out, struct pd_error *err)
{
	static const char *const head[] = {"name", "email", "phone", "notes"};
	if (csv_write(out, head, 4))
		return pd_error_set(err, PD_ERR, "out of memory");
	int rc = clients_foreach(db, export_one, out, err);
	return rc;
}
