/* Is the database whole? SQLite's checks, told as the table or index that
 * is damaged, and the guard that keeps first-run setup off a damaged
 * database: a damaged users table reads as "no users yet", and the
 * first-run screen would then hand an admin account to whoever is at the
 * desk. */
#include "paydesk/db_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/db.h"

/* Every real table, without SQLite's own and the shadow tables of a
 * virtual one. */
#define USER_TABLES_SQL                                                                          \
	"SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND m.rootpage > 0"           \
	" AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND NOT EXISTS (SELECT 1 FROM"            \
	" sqlite_master v WHERE v.type = 'table' AND v.rootpage = 0 AND m.name LIKE"             \
	" v.name || '\\_%' ESCAPE '\\') ORDER BY m.name"

/* 1 when the query's single value is non-zero, 0 when zero, -1 (with the
 * error in err) when it cannot be read. */
static int query_flag(sqlite3 *db, const char *sql, struct pd_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		pd_error_set(err, PD_ERR_IO, "%s", sqlite3_errmsg(db));
		return -1;
	}
	int rc = sqlite3_step(st), v = -1;
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0) != 0;
	else
		pd_error_set(err, PD_ERR_IO, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return v;
}

static const char first_run_advice[] =
	"paydesk will not create a new admin on it. Run `paydesk doctor` to check the "
	"database, and restore a backup if it reports damage; if it is whole, the holder of "
	"the vault passphrase can add an admin with `paydesk users add`";

/* A first run is refused on evidence of damage: a table that cannot be
 * read, or an audit log that records users being added when none read
 * back. Data alone is not evidence: `paydesk setup`, headless commands
 * proven with the vault passphrase and `clients import` all come before
 * the first admin on a new desk. */
int db_first_run_check(sqlite3 *db, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, USER_TABLES_SQL, &st, err);
	if (rc)
		return rc;
	int step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(st, 0);
		char *sql = sqlite3_mprintf("SELECT EXISTS (SELECT 1 FROM \"%w\")", table);
		struct pd_error why = {0};
		int readable = sql ? query_flag(db, sql, &why) : -1;
		sqlite3_free(sql);
		if (readable < 0)
			rc = pd_error_set(err, PD_ERR_NOT_PAYDESK,
					  "the %s table of this database cannot be read (%s): it may be "
					  "damaged, and %s",
					  table, why.msg, first_run_advice);
	}
	if (!rc && step != SQLITE_DONE)
		rc = pd_error_set(err, PD_ERR_NOT_PAYDESK,
				  "the list of tables of this database cannot be read (%s): it may be "
				  "damaged, and %s",
				  sqlite3_errmsg(db), first_run_advice);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	struct pd_error why = {0};
	int had_users = query_flag(db,
				   "SELECT EXISTS (SELECT 1 FROM audit_log WHERE action LIKE "
				   "'user.%')",
				   &why);
	if (had_users != 0)
		rc = pd_error_set(err, PD_ERR_NOT_PAYDESK,
				  had_users > 0 ? "this database had users (its audit log records them "
						  "being added) but none can be read: its users table "
						  "may be damaged, and %s"
						: "its audit log cannot be read: the database may be "
						  "damaged, and %s",
				  first_run_advice);
	return rc;
}

#define CHECK_LINES 8

/* What a check pragma said: up to CHECK_LINES lines that were not "ok". */
struct check_result {
	int problems;
	int n;
	char lines[CHECK_LINES][256];
};

/* Run a check pragma. Returns SQLITE_OK when it ran, or SQLite's error
 * (kept as the last line) when the checker itself could not walk the file. */
static int run_check(sqlite3 *db, const char *sql, struct check_result *r)
{
	sqlite3_stmt *st;
	memset(r, 0, sizeof *r);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(r->lines[r->n++], sizeof r->lines[0], "%s", sqlite3_errmsg(db));
		return sqlite3_errcode(db);
	}
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);
		if (!line || strcmp(line, "ok") == 0)
			continue;
		r->problems++;
		const char *nl = strchr(line, '\n'); /* "*** in database main ***\n…" */
		if (strncmp(line, "***", 3) == 0 && nl)
			line = nl + 1;
		if (r->n < CHECK_LINES - 1)
			snprintf(r->lines[r->n++], sizeof r->lines[0], "%s", line);
	}
	if (rc != SQLITE_DONE)
		snprintf(r->lines[r->n++], sizeof r->lines[0], "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Read every row of a table through its own b-tree, no index. */
static int read_whole_table(sqlite3 *db, const char *table, char *why, size_t size)
{
	char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\" NOT INDEXED", table);
	struct pd_error e = {0};
	int v = sql ? query_flag(db, sql, &e) : -1;
	sqlite3_free(sql);
	if (v < 0)
		snprintf(why, size, "%s", e.msg);
	return v < 0 ? -1 : 0;
}

/* The table or index a check line is about: "… index NAME" names it,
 * "Tree N" gives its root page, "Page N" any of its pages (found through
 * dbstat when the build has it). False when nothing names one. */
static bool line_owner(sqlite3 *db, const char *table, const char *line, char *name,
		       size_t size, bool *is_index)
{
	sqlite3_stmt *st;
	bool found = false;
	if (sqlite3_prepare_v2(db,
			       "SELECT name, type FROM sqlite_master WHERE tbl_name = ?1 AND "
			       "type = 'index' AND instr(?2, 'index ' || name) > 0",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, line, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(name, size, "%s", (const char *)sqlite3_column_text(st, 0));
			*is_index = found = true;
		}
		sqlite3_finalize(st);
	}
	const char *tree = strstr(line, "Tree "), *page = strstr(line, "Page ");
	long n = tree ? strtol(tree + 5, NULL, 10) : page ? strtol(page + 5, NULL, 10) : 0;
	if (found || n <= 0)
		return found;
	const char *by_root = "SELECT name, type FROM sqlite_master WHERE rootpage = ?1";
	const char *by_page = "SELECT m.name, m.type FROM sqlite_master m WHERE m.rootpage = ?1"
			      " UNION ALL SELECT s.name, m.type FROM dbstat s JOIN sqlite_master m"
			      " ON m.name = s.name WHERE s.pageno = ?1 LIMIT 1";
	if (sqlite3_prepare_v2(db, tree ? by_root : by_page, -1, &st, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db, by_root, -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, n);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(name, size, "%s", (const char *)sqlite3_column_text(st, 0));
		*is_index = strcmp((const char *)sqlite3_column_text(st, 1), "index") == 0;
		found = true;
	}
	sqlite3_finalize(st);
	return found;
}

/* One table, after the whole-file check found something: whether its rows
 * can be read, and which of it and its indexes SQLite's words point at. */
static int check_table(sqlite3 *db, const char *table, bool full, db_damage_fn fn, void *ctx)
{
	struct check_result r;
	char why[512], reported[CHECK_LINES + 1][128];
	int damaged = 0;
	char *sql = sqlite3_mprintf("PRAGMA %s(\"%w\")", full ? "integrity_check" : "quick_check",
				    table);
	int rc = sql ? run_check(db, sql, &r) : SQLITE_NOMEM;
	sqlite3_free(sql);
	if (rc == SQLITE_OK && r.problems == 0)
		return 0;
	if (read_whole_table(db, table, why, sizeof why) < 0) {
		fn(ctx, &(struct db_damage){"table", table, table, why});
		snprintf(reported[damaged++], sizeof reported[0], "%s", table);
	}
	for (int i = 0; i < r.n; i++) {
		char name[128];
		bool is_index = false, seen = false;
		if (!line_owner(db, table, r.lines[i], name, sizeof name, &is_index))
			continue;
		for (int j = 0; j < damaged; j++)
			seen = seen || strcmp(reported[j], name) == 0;
		if (seen)
			continue;
		fn(ctx, &(struct db_damage){is_index ? "index" : "table", name, table, r.lines[i]});
		snprintf(reported[damaged++], sizeof reported[0], "%s", name);
	}
	if (!damaged) { /* SQLite found something it does not tie to one object */
		fn(ctx, &(struct db_damage){"table", table, table, r.n ? r.lines[0] : "damaged"});
		damaged++;
	}
	return damaged;
}

int db_integrity_check(sqlite3 *db, bool full, db_damage_fn fn, void *ctx, int *damaged,
		       struct pd_error *err)
{
	struct check_result r;
	*damaged = 0;
	int rc = run_check(db, full ? "PRAGMA integrity_check" : "PRAGMA quick_check", &r);
	if (rc == SQLITE_OK && r.problems == 0)
		return PD_OK;
	if (rc == SQLITE_NOMEM || rc == SQLITE_BUSY || rc == SQLITE_INTERRUPT)
		return pd_error_set(err, PD_ERR_IO, "the integrity check could not run: %s",
				    r.n ? r.lines[r.n - 1] : sqlite3_errstr(rc));
	sqlite3_stmt *st; /* every table with pages, SQLite's and shadow tables too */
	if (sqlite3_prepare_v2(db,
			       "SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0"
			       " ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK) {
		fn(ctx, &(struct db_damage){"table", "sqlite_master", "sqlite_master",
					    sqlite3_errmsg(db)});
		*damaged = 1;
		return PD_OK;
	}
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		*damaged += check_table(db, (const char *)sqlite3_column_text(st, 0), full, fn, ctx);
	if (step != SQLITE_DONE) {
		fn(ctx, &(struct db_damage){"table", "sqlite_master", "sqlite_master",
					    sqlite3_errmsg(db)});
		++*damaged;
	}
	sqlite3_finalize(st);
	if (*damaged == 0) { /* the whole-file check saw what no table's check sees */
		fn(ctx, &(struct db_damage){"page", "", "", r.n ? r.lines[0] : "damaged"});
		*damaged = 1;
	}
	return PD_OK;
}
