/* Billing history at size: a search sorted by date pages straight from the
 * search index (keyed by date, schema 24) in the list's order, whatever
 * order the records arrived in, its totals added up a chunk at a time equal
 * the whole; a first sync's bulk load drops the random-order indexes and
 * the finish (or the next sync, after a crash) builds them again. */
#include "testutil.h"

#include <jansson.h>

#include "paydesk/db.h"
#include "paydesk/history.h"
#include "paydesk/history_desk.h"

struct t {
	char *dir, *path;
	sqlite3 *db;
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof *t);
	t->dir = tu_tempdir();
	t->path = tu_path(t->dir, "paydesk.db");
	struct pd_error err = {0};
	if (db_open(t->path, &t->db, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	db_close(&t->db);
	tu_rm_rf(t->dir);
	free(t->dir);
	free(t->path);
	free(t);
	return 0;
}

/* n PaymentIntents (ids pi_<tag><i>), created base - i * step seconds: a
 * sync's pages, newest first, so ids run against dates; every third a
 * "Haircut" of Anna's, the rest "Massage" of Ben's; several a second. */
static void ingest_payments(sqlite3 *db, const char *tag, int n, int64_t base, int step)
{
	static const char *const curs[] = {"usd", "eur", "jpy"};
	json_t *data = json_array();
	for (int i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "pi_%s%04d", tag, i);
		bool anna = i % 3 == 0;
		json_t *pi = json_pack(
			"{s:s, s:s, s:I, s:s, s:I, s:{s:s, s:s, s:s}, s:s, s:s, s:b}", "id", id,
			"object", "payment_intent", "amount", (json_int_t)(1000 + i * 7),
			"currency", curs[i % 3], "created", (json_int_t)(base - (int64_t)(i / 2) * step),
			"customer", "id", anna ? "cus_A" : "cus_B", "object", "customer", "name",
			anna ? "Anna Smith" : "Ben Jones", "description", anna ? "Haircut" : "Massage",
			"status", i % 5 == 4 ? "canceled" : "succeeded", "livemode", 0);
		json_array_append_new(data, pi);
	}
	struct pd_error err = {0};
	if (history_ingest_page(db, data, NULL, NULL, NULL, NULL, &err))
		fail_msg("ingest: %s", err.msg);
	json_decref(data);
}

static int wanted(sqlite3 *db, const char *where, bool desc, int64_t *ids, int max)
{
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT id FROM history WHERE %s ORDER BY created %s, id %s",
		 where, desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW && n < max)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void check_search_paging(sqlite3 *db, const char *search, const char *where, bool desc)
{
	int64_t want[512];
	int nwant = wanted(db, where, desc, want, 512);
	assert_true(nwant > 20);
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "%s", search);
	struct history_view *v = NULL;
	struct pd_error err = {0};
	assert_int_equal(history_view_new(db, &f, HISTORY_SORT_DATE, desc, &v, &err), 0);
	assert_true(history_view_totals_deferred(v));
	struct history_row rows[7];
	struct history_key key, *from = NULL;
	int seen = 0, got;
	do {
		assert_int_equal(history_view_page(v, from, true, rows, 7, &got, &err), 0);
		for (int i = 0; i < got; i++)
			if (rows[i].id != want[seen++])
				fail_msg("%s: row %d is id %lld, want %lld", search, seen - 1,
					 (long long)rows[i].id, (long long)want[seen - 1]);
		if (got)
			key = history_view_key(v, &rows[got - 1]);
		from = &key;
	} while (got == 7);
	assert_int_equal(seen, nwant);
	from = NULL;
	do {
		assert_int_equal(history_view_page(v, from, false, rows, 7, &got, &err), 0);
		for (int i = 0; i < got; i++)
			assert_int_equal(rows[i].id, want[--seen]);
		if (got)
			key = history_view_key(v, &rows[got - 1]);
		from = &key;
	} while (got == 7);
	assert_int_equal(seen, 0);
	/* a jump to a date: the first record of that day or before */
	int64_t day = 1767225600 - 86400 * 3;
	struct history_key at = {day + 86400, INT64_MAX};
	assert_int_equal(history_view_page(v, desc ? &at : NULL, true, rows, 1, &got, &err), 0);
	if (desc) {
		int64_t first[512];
		char w2[300];
		snprintf(w2, sizeof w2, "%s AND created <= %lld", where, (long long)(day + 86400));
		assert_int_equal(wanted(db, w2, true, first, 512) > 0, 1);
		assert_int_equal(rows[0].id, first[0]);
	}

	/* totals a chunk at a time: the same as all at once */
	struct history_total all[HISTORY_MAX_CURRENCIES], steps[HISTORY_MAX_CURRENCIES];
	int nall = 0, nsteps = 0, calls = 0;
	assert_int_equal(history_totals(db, &f, all, HISTORY_MAX_CURRENCIES, &nall, &err), 0);
	bool done = false;
	while (!done) {
		assert_int_equal(history_view_totals_step(v, 5, steps, HISTORY_MAX_CURRENCIES,
							  &nsteps, &done, &err),
				 0);
		calls++;
	}
	assert_true(calls > nwant / 5);
	assert_int_equal(nsteps, nall);
	long counted = 0;
	for (int i = 0; i < nall; i++) {
		assert_string_equal(steps[i].currency, all[i].currency);
		assert_int_equal(steps[i].count, all[i].count);
		assert_int_equal(steps[i].gross, all[i].gross);
		assert_int_equal(steps[i].net, all[i].net);
		counted += (long)steps[i].count;
	}
	assert_int_equal(counted, nwant);
	/* again from the start (the store changed): not added twice */
	history_view_totals_reset(v);
	nsteps = 0;
	done = false;
	while (!done)
		assert_int_equal(history_view_totals_step(v, 64, steps, HISTORY_MAX_CURRENCIES,
							  &nsteps, &done, &err),
				 0);
	assert_int_equal(steps[0].count, all[0].count);
	history_view_free(&v);
}

static int64_t search_count(sqlite3 *db, const char *q)
{
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "%s", q);
	struct history_view *v = NULL;
	struct pd_error err = {0};
	assert_int_equal(history_view_new(db, &f, HISTORY_SORT_DATE, true, &v, &err), 0);
	struct history_total tot[HISTORY_MAX_CURRENCIES];
	int n = 0;
	bool done = false;
	while (!done)
		assert_int_equal(history_view_totals_step(v, 50, tot, HISTORY_MAX_CURRENCIES, &n,
							  &done, &err),
				 0);
	int64_t c = 0;
	for (int i = 0; i < n; i++)
		c += tot[i].count;
	history_view_free(&v);
	return c;
}

static void check_terms_cover_the_index(sqlite3 *db);

static void test_search_pages_by_date_whatever_the_arrival(void **state)
{
	struct t *t = *state;
	/* a first sync walks back from the newest; a later one brings newer
	 * records; a third fills in older ones: ids out of date order */
	ingest_payments(t->db, "A", 300, 1767225600, 3600);
	ingest_payments(t->db, "B", 120, 1767225600 + 86400 * 20, 600);
	ingest_payments(t->db, "C", 90, 1767225600 - 86400 * 400, 7);
	check_search_paging(t->db, "haircut", "description = 'Haircut'", true);
	check_search_paging(t->db, "haircut", "description = 'Haircut'", false);
	check_search_paging(t->db, "Anna", "client_name = 'Anna Smith'", true);
	/* the word being typed is a prefix: its terms, exact (a fast OR) */
	check_search_paging(t->db, "Hairc", "description = 'Haircut'", true);
	check_search_paging(t->db, "anna smi", "client_name = 'Anna Smith'", false);

	/* a record whose words change, and one whose date changes, on a later
	 * page: each is found once, by its words of now, in its place. (Stripe
	 * never changes a record's created; the store looks a record up in its
	 * date's 30-day bucket, schema 39, so a date moves within it.) */
	int64_t haircuts = search_count(t->db, "haircut");
	struct pd_error err = {0};
	json_t *page = json_pack(
		"[{s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:b},"
		" {s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:b}]",
		"id", "pi_A0000", "object", "payment_intent", "amount", 1000, "currency", "usd",
		"created", 1767225600, "description", "Facial", "status", "succeeded", "livemode", 0,
		"id", "pi_A0003", "object", "payment_intent", "amount", 1021, "currency", "usd",
		"created", 1767225600 - 86400 * 20, "description", "Haircut", "status", "succeeded",
		"livemode", 0);
	assert_int_equal(history_ingest_page(t->db, page, NULL, NULL, NULL, NULL, &err), 0);
	json_decref(page);
	assert_int_equal(search_count(t->db, "haircut"), haircuts - 1);
	assert_int_equal(search_count(t->db, "facial"), 1);
	check_search_paging(t->db, "haircut", "description = 'Haircut'", true);
	/* a record deleted: gone from the search index too */
	assert_int_equal(sqlite3_exec(t->db, "DELETE FROM history WHERE stripe_id = 'pi_A0003'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(search_count(t->db, "haircut"), haircuts - 2);
	check_search_paging(t->db, "haircut", "description = 'Haircut'", true);
	check_terms_cover_the_index(t->db);
}

/* Every word of the search index a person can type (not digits alone,
 * not the amounts and card digits of its numbers column) is in
 * history_terms, from which the word being typed is expanded: a term
 * missing there is a record a prefix search would never find. */
static void check_terms_cover_the_index(sqlite3 *db)
{
	assert_int_equal(sqlite3_exec(db,
				      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING"
				      " fts5vocab(main, history_fts, col)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT term FROM temp.v WHERE col <> 'numbers'"
					    " AND term GLOB '*[^0-9]*'"
					    " AND term NOT IN (SELECT term FROM history_terms)",
					    -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		fail_msg("the index's word \"%s\" is not in history_terms",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static int64_t q_int(sqlite3 *db, const char *sql);

/* How many records a search and a client filter find together. */
static int64_t filter_count(sqlite3 *db, const char *search, const char *client,
			    enum history_sort sort)
{
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "%s", search);
	snprintf(f.client, sizeof f.client, "%s", client);
	struct history_view *v = NULL;
	struct pd_error err = {0};
	assert_int_equal(history_view_new(db, &f, sort, true, &v, &err), 0);
	struct history_total tot[HISTORY_MAX_CURRENCIES];
	int n = 0;
	assert_int_equal(history_view_totals(v, tot, HISTORY_MAX_CURRENCIES, &n, &err), 0);
	int64_t c = 0;
	for (int i = 0; i < n; i++)
		c += tot[i].count;
	history_view_free(&v);
	return c;
}

/* What a person types, a letter at a time, finds the client whose name has
 * an accent, a word that arrived with a later record, a desk payment's
 * words, and nothing that was never there. */
static void test_the_word_being_typed_finds_every_record_it_begins(void **state)
{
	struct t *t = *state;
	ingest_payments(t->db, "A", 60, 1767225600, 3600);
	struct pd_error err = {0};
	json_t *page = json_pack(
		"[{s:s, s:s, s:i, s:s, s:i, s:{s:s, s:s, s:s}, s:s, s:s, s:b}]", "id", "pi_Z1",
		"object", "payment_intent", "amount", 2500, "currency", "eur", "created",
		1767225600 + 60, "customer", "id", "cus_Z", "object", "customer", "name",
		"Zo\u00eb Lef\u00e8vre", "description", "Coloration 2024", "status", "succeeded",
		"livemode", 0);
	assert_int_equal(history_ingest_page(t->db, page, NULL, NULL, NULL, NULL, &err), 0);
	json_decref(page);
	assert_int_equal(search_count(t->db, "zo"), 1);
	assert_int_equal(search_count(t->db, "Zo"), 1);
	assert_int_equal(search_count(t->db, "lefe"), 1);
	assert_int_equal(search_count(t->db, "Zo\u00eb lef"), 1);
	assert_int_equal(search_count(t->db, "colo"), 1);
	assert_int_equal(search_count(t->db, "zz"), 0);
	/* names the index cuts in two, or folds: each way a person types them */
	static const char *const names[][2] = {{"pi_O1", "Hiro W. O'Brien"},
					       {"pi_O2", "Emily Bront\u00eb"},
					       {"pi_O3", "Ada O'Briennes"},
					       {"pi_O4", "Suite A-12 guest"}};
	for (int k = 0; k < 4; k++) {
		page = json_pack("[{s:s, s:s, s:i, s:s, s:i, s:{s:s, s:s, s:s}, s:s, s:b}]", "id",
				 names[k][0], "object", "payment_intent", "amount", 700 + k, "currency",
				 "eur", "created", 1767225600 + 100 + k, "customer", "id", names[k][0],
				 "object", "customer", "name", names[k][1], "status", "succeeded",
				 "livemode", 0);
		assert_int_equal(history_ingest_page(t->db, page, NULL, NULL, NULL, NULL, &err), 0);
		json_decref(page);
	}
	assert_int_equal(search_count(t->db, "O'Brien"), 2); /* "o brien"*: Briennes too */
	assert_int_equal(search_count(t->db, "o'bri"), 2);
	assert_int_equal(search_count(t->db, "hiro w. o'brien"), 1);
	assert_int_equal(search_count(t->db, "O\u2019Brien"), 2); /* a typographic apostrophe */
	assert_int_equal(search_count(t->db, "bront"), 1);
	assert_int_equal(search_count(t->db, "Bront\u00eb"), 1);
	assert_int_equal(search_count(t->db, "BRONTE"), 1);
	assert_int_equal(search_count(t->db, "a-1"), 1);  /* "a" "1"*: digits, a prefix */
	assert_int_equal(search_count(t->db, "a-12"), 1);
	assert_int_equal(search_count(t->db, "o'brian"), 0);
	/* a last word of one letter begins a word, as a person types a name
	 * ("Zoë M" found nothing: the letter was a whole word) */
	assert_int_equal(search_count(t->db, "Zo\u00eb L"), 1);
	assert_int_equal(search_count(t->db, "zoe l"), 1);
	assert_int_equal(search_count(t->db, "zoe c"), 1);  /* Coloration, the description */
	assert_int_equal(search_count(t->db, "zoe x"), 0);
	assert_int_equal(search_count(t->db, "Hiro B"), 1); /* O'Brien's second word */
	assert_int_equal(search_count(t->db, "Emily \u00d6"), 0); /* folded to "o" */
	assert_int_equal(search_count(t->db, "Emily B"), 1);
	assert_int_equal(search_count(t->db, "Q"), 0);      /* alone: a prefix of the index */
	assert_int_equal(search_count(t->db, "Z"), 1);
	/* a number with words: an amount, or a word of the rows the words find
	 * ("Massage 60" found nothing: the 60 was only ever an amount) */
	page = json_pack("[{s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:b}]", "id", "pi_M60", "object",
			 "payment_intent", "amount", 4500, "currency", "eur", "created",
			 1767225600 + 300, "description", "Massage 60 min", "status", "succeeded",
			 "livemode", 0);
	assert_int_equal(history_ingest_page(t->db, page, NULL, NULL, NULL, NULL, &err), 0);
	json_decref(page);
	assert_int_equal(search_count(t->db, "Massage 60"), 1);
	assert_int_equal(search_count(t->db, "60 min"), 1);
	assert_int_equal(search_count(t->db, "massage 45"), 1);    /* its price */
	assert_int_equal(search_count(t->db, "massage 45.00"), 1);
	assert_int_equal(search_count(t->db, "massage 90"), 0);
	/* a word, then two numbers: a word and a price, not one amount with
	 * its thousands apart (a reviewer's "Massage 60 700" found nothing,
	 * searched as 60,700) */
	page = json_pack("[{s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:b}]", "id", "pi_M700", "object",
			 "payment_intent", "amount", 70000, "currency", "eur", "created",
			 1767225600 + 301, "description", "Massage 60 min", "status", "succeeded",
			 "livemode", 0);
	assert_int_equal(history_ingest_page(t->db, page, NULL, NULL, NULL, NULL, &err), 0);
	json_decref(page);
	assert_int_equal(search_count(t->db, "Massage 60 700"), 1);
	assert_int_equal(search_count(t->db, "Massage 60 700.00"), 1);
	assert_int_equal(search_count(t->db, "Massage 60 45"), 1);
	assert_int_equal(search_count(t->db, "Massage 60"), 2);
	assert_int_equal(search_count(t->db, "INV-79 123"), 0); /* no phrase "inv 79 123" made */
	assert_int_equal(search_count(t->db, "massage 60 min 700"), 1);
	assert_int_equal(search_count(t->db, "60"), 0);            /* alone: an amount */
	/* ...a whole word, not the start of one: at month end "Hiro 79" listed
	 * Hiro's invoice INV-790123 of 50.00 beside his 79.00 payment */
	page = json_pack("[{s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:b},"
			 " {s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:b}]",
			 "id", "pi_S79", "object", "payment_intent", "amount", 7900, "currency", "eur",
			 "created", 1767225600 + 310, "description", "Hiro Sato", "status",
			 "succeeded", "livemode", 0, "id", "pi_S50", "object", "payment_intent",
			 "amount", 5000, "currency", "eur", "created", 1767225600 + 311,
			 "description", "Hiro Sato INV-790123", "status", "succeeded", "livemode", 0);
	assert_int_equal(history_ingest_page(t->db, page, NULL, NULL, NULL, NULL, &err), 0);
	json_decref(page);
	assert_int_equal(search_count(t->db, "Hiro Sato 79"), 1);
	assert_int_equal(search_count(t->db, "sato 79"), 1);
	assert_int_equal(search_count(t->db, "sato 790123"), 1); /* the whole number: a word */
	assert_int_equal(search_count(t->db, "sato INV-79"), 1); /* written as on the invoice */
	assert_int_equal(search_count(t->db, "INV-79"), 1);
	assert_int_equal(filter_count(t->db, "hairc", "anna s", HISTORY_SORT_DATE), 20);
	/* "h" of Haircut: not her name */
	assert_int_equal(filter_count(t->db, "hairc", "anna h", HISTORY_SORT_DATE), 0);
	/* a record's words changed by a later page: found by its new words */
	page = json_pack("[{s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:b}]", "id", "pi_A0001", "object",
			 "payment_intent", "amount", 1007, "currency", "eur", "created", 1767225600,
			 "description", "Hairdresser visit", "status", "succeeded", "livemode", 0);
	assert_int_equal(history_ingest_page(t->db, page, NULL, NULL, NULL, NULL, &err), 0);
	json_decref(page);
	assert_int_equal(search_count(t->db, "hairdr"), 1);
	assert_int_equal(search_count(t->db, "hair"), 21); /* 20 haircuts, one hairdresser */
	/* cash taken at the desk */
	struct history_desk_record r = {.id = "desk_1", .type = "desk", .created = 1767225600 + 90,
					.amount = 3000, .currency = "eur", .tender = "cash",
					.client = "Quentin Blake", .description = "Pedicure"};
	assert_int_equal(db_begin(t->db, &err), 0);
	assert_int_equal(history_desk_add(t->db, &r, &err), 0);
	assert_int_equal(db_commit(t->db, &err), 0);
	assert_int_equal(search_count(t->db, "quen"), 1);
	assert_int_equal(search_count(t->db, "pedi"), 1);
	/* many long names that begin alike: found whole, however long their
	 * expansion (past its room, the word is searched as a prefix) */
	for (int k = 0; k < 20; k++) {
		char id[16], name[80];
		snprintf(id, sizeof id, "pi_L%02d", k);
		snprintf(name, sizeof name, "Maximiliana%c%cwithaverylongdoublebarrelledname Ruiz",
			 'a' + k % 5, 'a' + k / 5);
		page = json_pack("[{s:s, s:s, s:i, s:s, s:i, s:{s:s, s:s, s:s}, s:s, s:b}]", "id",
				 id, "object", "payment_intent", "amount", 900 + k, "currency", "eur",
				 "created", 1767225600 + 200 + k, "customer", "id", id, "object",
				 "customer", "name", name, "status", "succeeded", "livemode", 0);
		assert_int_equal(history_ingest_page(t->db, page, NULL, NULL, NULL, NULL, &err), 0);
		json_decref(page);
	}
	assert_int_equal(search_count(t->db, "ruiz maximiliana"), 20); /* 20 terms: a prefix */
	assert_int_equal(search_count(t->db, "ruiz maximilianaa"), 4);  /* 4 terms */
	assert_int_equal(search_count(t->db, "maximilianaba"), 1);
	assert_int_equal(
		filter_count(t->db, "maximilianaa", "ruiz maximiliana", HISTORY_SORT_AMOUNT), 4);
	check_terms_cover_the_index(t->db);
	/* digits alone are searched as amounts, never kept as words */
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history_terms WHERE term = '2024'"), 0);

	/* a database from before the table (schema 36): filled when opened */
	db_close(&t->db);
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(t->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "DROP TABLE history_terms; PRAGMA user_version = 36",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(db_open(t->path, &t->db, &err), 0);
	check_terms_cover_the_index(t->db);
	assert_int_equal(search_count(t->db, "zo"), 1);
	assert_int_equal(search_count(t->db, "quen"), 1);
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#define RANDOM_KEY_INDEXES                                                                      \
	"SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN ('history_amount',"  \
	" 'history_customer')"

static void test_bulk_load_builds_the_indexes_again(void **state)
{
	struct t *t = *state;
	struct pd_error err = {0};
	struct history_writer *w = NULL;
	assert_int_equal(history_writer_start(t->db, 4, &w, &err), 0);
	assert_int_equal(history_writer_bulk(w, &err), 0);
	assert_int_equal(q_int(t->db, RANDOM_KEY_INDEXES), 0); /* dropped for the load */
	json_t *list = json_pack("{s:s, s:b, s:[{s:s, s:s, s:i, s:s, s:i, s:s, s:s, s:b}]}",
				 "object", "list", "has_more", 0, "data", "id", "pi_X1", "object",
				 "payment_intent", "amount", 4500, "currency", "usd", "created",
				 1767225600, "customer", "cus_X", "status", "succeeded", "livemode", 0);
	struct history_page pg;
	assert_int_equal(history_page_from_json(list, &pg, &err), 0);
	json_decref(list);
	assert_int_equal(history_writer_push(w, &pg, "req_b", "payment_intents", NULL, &err), 0);
	assert_int_equal(history_writer_finish(&w, NULL, &err), 0);
	assert_int_equal(q_int(t->db, RANDOM_KEY_INDEXES), 2);
	/* the amount search and the customer lookup use them again */
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history INDEXED BY history_amount"
				      " WHERE amount = 4500"),
			 1);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history INDEXED BY history_customer"
				      " WHERE customer_id = 'cus_X'"),
			 1);

	/* over a history already large, no drop */
	bool dropped = true;
	assert_int_equal(sqlite3_exec(t->db,
				      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
				      " WHERE i < 20000) INSERT INTO history (stripe_id, type,"
				      " created, amount, currency, status, synced_at) SELECT"
				      " 'pi_N' || i, 'payment', 1767225600 + i, i, 'usd',"
				      " 'succeeded', 0 FROM n",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(history_bulk_begin(t->db, &dropped, &err), 0);
	assert_false(dropped);
	assert_int_equal(q_int(t->db, RANDOM_KEY_INDEXES), 2);

	/* a sync that died during a bulk load: the next one builds them */
	assert_int_equal(sqlite3_exec(t->db, "DROP INDEX history_amount; DROP INDEX history_customer",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(history_indexes_ensure(t->db, &err), 0);
	assert_int_equal(q_int(t->db, RANDOM_KEY_INDEXES), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_search_pages_by_date_whatever_the_arrival, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bulk_load_builds_the_indexes_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_the_word_being_typed_finds_every_record_it_begins,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
