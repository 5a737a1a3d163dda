/* Billing history from Stripe's JSON to the export: any list page goes
 * through history_ingest_page into a real (temporary) database, then the
 * history is exported as CSV and as JSON Lines. The CSV must read back
 * with src/core/csv.c as well-formed records of 27 valid UTF-8 fields, and
 * every JSON line must parse. Also history_date_parse on any text. */
#include "fuzz.h"

#include <jansson.h>
#include <unistd.h>

#include "paydesk/csv.h"
#include "paydesk/db.h"
#include "paydesk/error.h"
#include "paydesk/history.h"
#include "paydesk/history_export.h"

static sqlite3 *hi_db;
static char hi_dir[256];

static void hi_cleanup(void)
{
	db_close(&hi_db);
	if (!hi_dir[0])
		return;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", hi_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", hi_dir);
}

static sqlite3 *hi_open(void)
{
	if (hi_db)
		return hi_db;
	const char *tmp = getenv("TMPDIR");
	snprintf(hi_dir, sizeof hi_dir, "%s/paydesk-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(hi_dir));
	char path[300];
	snprintf(path, sizeof path, "%s/fuzz.db", hi_dir);
	struct pd_error err;
	if (db_open(path, &hi_db, &err)) {
		fprintf(stderr, "db_open: %s\n", err.msg);
		abort();
	}
	sqlite3_exec(hi_db, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	atexit(hi_cleanup);
	return hi_db;
}

static void hi_check_csv(const char *buf, size_t len, long rows)
{
	struct csv_reader *r = csv_reader_new(buf, len);
	FUZZ_CHECK(r);
	struct csv_record rec;
	long n = 0;
	while (csv_read(r, &rec) == 1) {
		if (rec.error[0] || rec.n != 28)
			fprintf(stderr, "export line %ld: %s (%zu fields)\n", rec.line, rec.error,
				rec.n);
		FUZZ_CHECK(rec.error[0] == '\0');
		FUZZ_CHECK(rec.n == 28);
		n++;
	}
	csv_reader_free(&r);
	FUZZ_CHECK(n == rows + 1); /* the header line */
}

static void hi_check_jsonl(const char *buf, size_t len, long rows)
{
	long n = 0;
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		FUZZ_CHECK(nl);
		json_error_t jerr;
		json_t *j = json_loadb(p, (size_t)(nl - p), 0, &jerr);
		if (!j)
			fprintf(stderr, "jsonl line %ld: %s\n", n + 1, jerr.text);
		FUZZ_CHECK(json_is_object(j));
		json_decref(j);
		n++;
		p = nl + 1;
	}
	FUZZ_CHECK(n == rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	int64_t day;
	struct pd_error err = {0};
	if (history_date_parse(text, &day, &err) == PD_OK)
		FUZZ_CHECK(strlen(text) == 10);
	free(text);

	json_error_t jerr;
	json_t *page = json_loadb((const char *)data, size, 0, &jerr);
	if (!page)
		return 0;
	sqlite3 *db = hi_open();
	struct history_ingest_stats st = {0};
	int rc = history_ingest_page(db, page, "req_fuzz", NULL, NULL, &st, &err);
	json_decref(page);
	if (rc == PD_OK) {
		struct history_filter f;
		memset(&f, 0, sizeof f);
		for (int fmt = 0; fmt < 2; fmt++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *out = open_memstream(&buf, &len);
			FUZZ_CHECK(out);
			long rows = -1;
			rc = history_export(db, &f, fmt ? HISTORY_JSONL : HISTORY_CSV, out, &rows,
					    &err);
			if (rc)
				fprintf(stderr, "export: %s\n", err.msg);
			FUZZ_CHECK(rc == PD_OK);
			fclose(out);
			if (fmt)
				hi_check_jsonl(buf, len, rows);
			else
				hi_check_csv(buf, len, rows);
			free(buf);
		}
	} else {
		FUZZ_CHECK(err.msg[0]);
		FUZZ_CHECK(sqlite3_get_autocommit(db)); /* rolled back, not left open */
	}
	/* Start the next input from an empty history. */
	FUZZ_CHECK(sqlite3_exec(db,
				"DELETE FROM history; DELETE FROM history_balance;"
				"DELETE FROM history_day; DELETE FROM history_month;"
				"DELETE FROM reviews; DELETE FROM sync_state; DELETE FROM history_customers;",
				NULL, NULL, NULL) == SQLITE_OK);
	return 0;
}
