/* A price or a card's digits searched by date (issue 21): "Haircut 99" at
 * 10M records read every one of 930,000 haircuts to learn that none was sold
 * at 99.00 (0.2 s before the first screen). The records' amounts and card
 * digits are in the search index too (schema 41), so a search by date pages
 * straight from it; these tests hold it to the rows the export finds
 * through the amount and card indexes, after re-syncs that change an
 * amount or a card, desk records, deletions and the upgrade. */
#include "testutil.h"
#include "history_testutil.h"
#include "store_testutil.h"

#include <jansson.h>

#include "../../src/store/history_internal.h"
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

/* A PaymentIntent paid by card (last4), as a sync stores it. */
static json_t *payment(const char *id, json_int_t amount, const char *cur, json_int_t created,
                       const char *name, const char *what, const char *last4)
{
	char ch[40];
	snprintf(ch, sizeof ch, "ch_%s", id + 3);
	return json_pack("{s:s, s:s, s:I, s:s, s:I, s:{s:s, s:s, s:s}, s:s, s:s,"
	                 " s:{s:s, s:s, s:{s:s, s:{s:s, s:s}}}}",
	                 "id", id, "object", "payment_intent", "amount", amount, "currency", cur,
	                 "created", created, "customer", "id", "cus_1", "object", "customer",
	                 "name", name, "description", what, "status", "succeeded", "latest_charge",
	                 "id", ch, "object", "charge", "payment_method_details", "type", "card",
	                 "card", "brand", "visa", "last4", last4);
}

static void ingest(sqlite3 *db, json_t *data)
{
	struct pd_error err = {0};
	if (history_ingest_page(db, data, NULL, NULL, NULL, NULL, &err))
		fail_msg("ingest: %s", err.msg);
	json_decref(data);
}

/* A salon's year: haircuts at 50.00, "Massage 60 min" at 99.00, dollars. */
static void salon(sqlite3 *db, int n)
{
	for (int page = 0; page < n / 100; page++) {
		json_t *data = json_array();
		for (int k = 0; k < 100; k++) {
			int i = page * 100 + k;
			char id[32];
			snprintf(id, sizeof id, "pi_s%05d", i);
			bool cut = i % 2 == 0;
			json_array_append_new(data, payment(id, cut ? 5000 : 9900, "usd",
			                                    1767225600 - (json_int_t)i * 600,
			                                    i % 3 ? "Anna Smith" : "Ben Jones",
			                                    cut ? "Haircut" : "Massage 60 min",
			                                    i % 4 ? "4242" : "1881"));
		}
		ingest(db, data);
	}
}

/* The first screen of search (sorted by amount in currency, else by date)
 * shows `want` rows and reads little: fewer than 5,000 SQLite steps. */
static void first_screen(sqlite3 *db, const char *search, const char *currency, int want)
{
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "%s", search);
	snprintf(f.currency, sizeof f.currency, "%s", currency);
	struct history_view *v = NULL;
	struct pd_error err = {0};
	struct history_row rows[22];
	int got = -1;
	long steps = 0;
	sqlite3_progress_handler(db, 100, tu_count_steps, &steps);
	assert_int_equal(history_view_new(db, &f,
	                                  currency[0] ? HISTORY_SORT_AMOUNT : HISTORY_SORT_DATE,
	                                  true, &v, &err),
	                 0);
	assert_int_equal(history_view_page(v, NULL, true, rows, 22, &got, &err), 0);
	sqlite3_progress_handler(db, 0, NULL, NULL);
	history_view_free(&v);
	assert_int_equal(got, want);
	if (steps >= 50)
		fail_msg("the first screen of \"%s\"%s took %ld00 steps", search,
		         currency[0] ? " by amount" : "", steps);
}

/* "Haircut 99": many haircuts, many records at 99.00, none both. The
 * first screen says so without reading the haircuts one by one. */
static void test_a_service_word_and_a_price_it_is_never_sold_at(void **state)
{
	struct t *t = *state;
	salon(t->db, 3000);
	/* 1,500 haircuts read and tested for the price were 27,200 steps; the
	 * refunds of 99.00, none, from the index too (at 10M records every
	 * 99.00 payment was read for them, 0.3 s) */
	first_screen(t->db, "Haircut 99", "", 0);
	first_screen(t->db, "-99", "", 0);
	/* sorted by amount (in dollars, as the screen sorts): the haircuts that
	 * hold the price counted from the index, none, not each tested */
	first_screen(t->db, "Haircut 99", "usd", 0);
	/* the price a service is sold at, a price alone, card digits: each
	 * one's first screen from the index too */
	static const char *const quick[] = {"Haircut 50", "99", "$99.00", "1881", "Haircut 1881"};
	for (size_t k = 0; k < sizeof quick / sizeof *quick; k++)
		first_screen(t->db, quick[k], "", 22);
	/* a card seen once, exported: looked up, not every record read for it
	 * (its b-tree index is gone: schema 41) */
	ingest(t->db, json_pack("[o]", payment("pi_once", 4000, "usd", 1767000000, "Ben Jones",
	                                       "Nails", "7777")));
	int64_t ids[4];
	long steps = 0;
	sqlite3_progress_handler(t->db, 100, tu_count_steps, &steps);
	assert_int_equal(tu_export_ids(t->db, "7777", ids, 4), 1);
	sqlite3_progress_handler(t->db, 0, NULL, NULL);
	if (steps >= 20)
		fail_msg("exporting \"7777\" took %ld00 steps", steps);
	tu_lists_as_exported(t->db, "Haircut 99", 0);
	tu_lists_as_exported(t->db, "Haircut 50", 1500);
	tu_lists_as_exported(t->db, "Massage 99", 1500);
	tu_lists_as_exported(t->db, "Massage 60", 1500); /* the service's word */
	tu_lists_as_exported(t->db, "1881", 750);
	tu_lists_as_exported(t->db, "Haircut 1881", 750);
}

/* Money as people type it, in the currencies a desk sees: the list shows
 * what the export writes, whatever the decimals, sign or currency named. */
static void test_every_way_of_typing_an_amount_lists_what_the_export_writes(void **state)
{
	struct t *t = *state;
	json_t *data = json_array();
	static const struct {
		json_int_t amount;
		const char *cur, *what, *last4;
	} recs[] = {
	    {9900, "usd", "Haircut", "4242"},         {9900, "eur", "Haircut", "9900"},
	    {99, "jpy", "Massage 60 min", "4242"},    {3500, "jpy", "Haircut", "1234"},
	    {12500, "bhd", "Massage 60 min", "4242"}, {1250, "usd", "Haircut", "1250"},
	    {125000, "usd", "Colour 60", "4242"},     {6000, "eur", "Massage 60 min", "0060"},
	    {1250, "jpy", "Nails", "4242"},           {4242, "usd", "Nails", "4243"},
	};
	for (size_t i = 0; i < sizeof recs / sizeof *recs; i++)
		for (int r = 0; r < 3; r++) {
			char id[32];
			snprintf(id, sizeof id, "pi_m%02zu%d", i, r);
			json_array_append_new(data,
			                      payment(id, recs[i].amount, recs[i].cur,
			                              1767225600 - (json_int_t)(i * 3 + r) * 3600,
			                              "Anna Smith", recs[i].what, recs[i].last4));
		}
	ingest(t->db, data);
	/* refunds of two of them, money out */
	ingest(t->db, json_pack("[{s:s, s:s, s:i, s:s, s:i, s:s, s:s}, {s:s, s:s, s:i, s:s, s:i,"
	                        " s:s, s:s}]",
	                        "id", "re_m1", "object", "refund", "amount", 9900, "currency",
	                        "usd", "created", 1767230000, "status", "succeeded",
	                        "payment_intent", "pi_m000", "id", "re_m2", "object", "refund",
	                        "amount", 6000, "currency", "eur", "created", 1767230100, "status",
	                        "succeeded", "payment_intent", "pi_m070"));
	static const struct {
		const char *search;
		int want;
	} searches[] = {
	    {"99", 10}, /* 99.00 dollars and euros, 99 yen, a refund */
	    {"99.00", 10},
	    {"$99", 4},
	    {"99 eur", 3},
	    {"€99", 3},
	    {"-99", 1},
	    {"+99.00", 9},
	    {"99 yen", 3},
	    {"3500", 3},
	    {"3.500", 3},
	    {"12.5", 6},  /* 12.500 dinars, 12.50 dollars */
	    {"1.250", 6}, /* 1,250 (dollars, yen) or 1.250 dinars: none */
	    {"1,250.00", 6},
	    {"4242", 16}, /* the cards, a refund of one */
	    {"Haircut 4242", 4},
	    {"Massage 60", 10}, /* a word of the service, or 60.00 */
	    {"massage 60 eur", 4},
	    {"Colour 60", 3},
	    {"Nails 12.50", 0}, /* 1,250 yen */
	    {"60", 4},          /* alone a number is an amount: 60.00 euros and a refund */
	    {"0060", 4},
	    {"Haircut 99 12.50", 0},
	};
	for (size_t k = 0; k < sizeof searches / sizeof *searches; k++)
		tu_lists_as_exported(t->db, searches[k].search, searches[k].want);
}

/* Codes as a record may carry them ("GBP"), an amount no currency can
 * hold ("12.5" yen) beside a record of -1, and a history in more
 * currencies than a search's terms can name: the list is still what the
 * export writes (a reviewer found the export missed the "GBP" records and
 * listed the -1 yen for "12.5", the list missed currencies past the 64th). */
static void test_odd_currencies_list_what_the_export_writes(void **state)
{
	struct t *t = *state;
	ingest(t->db,
	       json_pack("[o, o, o, o]",
	                 payment("pi_g1", 9900, "GBP", 1767225600, "Anna Smith", "Haircut", "4242"),
	                 payment("pi_g2", 99, "JPY", 1767225500, "Anna Smith", "Haircut", "4242"),
	                 payment("pi_g3", 9900, "usd", 1767225400, "Ben Jones", "Nails", "1111"),
	                 payment("pi_g4", -1, "jpy", 1767225300, "Ben Jones", "Nails", "1111")));
	tu_lists_as_exported(t->db, "99", 3);
	tu_lists_as_exported(t->db, "9900", 0);
	tu_lists_as_exported(t->db, "99 gbp", 1);
	tu_lists_as_exported(t->db, "3.500 jpy", 0);
	tu_lists_as_exported(t->db, "+99", 3); /* before the 70 */
	tu_lists_as_exported(t->db, "12.5", 0);
	tu_lists_as_exported(t->db, "Nails 0.01", 0);
	/* 70 currencies: every one of them still searched */
	json_t *many = json_array();
	for (int i = 0; i < 70; i++) {
		char id[16], cur[4] = {'q', (char)('a' + i / 26), (char)('a' + i % 26), '\0'};
		snprintf(id, sizeof id, "pi_q%02d", i);
		json_array_append_new(many, payment(id, 9900, cur, 1767220000 - i * 60,
		                                    "Zoë Martin", "Colour", "2020"));
	}
	ingest(t->db, many);
	tu_lists_as_exported(t->db, "+99", 73);
	tu_lists_as_exported(t->db, "$99", 1);
	tu_lists_as_exported(t->db, "Colour 99", 70);
	tu_lists_as_exported(t->db, "-99", 0);
}

static int64_t id_of(sqlite3 *db, const char *stripe_id)
{
	sqlite3_stmt *st;
	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT id FROM history WHERE stripe_id = ?", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, stripe_id, -1, SQLITE_STATIC);
	int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return id;
}

/* What a re-sync changes (an amount confirmed lower, another card), a
 * customer named later, a desk record, a record deleted: the search finds
 * each by what it holds now, never by what it held. */
static void test_a_record_is_found_by_its_amount_and_card_now(void **state)
{
	struct t *t = *state;
	ingest(t->db,
	       json_pack("[o, o]",
	                 payment("pi_c1", 5000, "usd", 1767225600, "Anna Smith", "Haircut", "4242"),
	                 payment("pi_c2", 7000, "usd", 1767225000, "Ben Jones", "Nails", "5555")));
	int64_t c1 = id_of(t->db, "pi_c1");
	tu_lists_as_exported(t->db, "50", 1);
	/* the same payment again: 45.00 now, paid with another card */
	ingest(t->db, json_pack("[o]", payment("pi_c1", 4500, "usd", 1767225600, "Anna Smith",
	                                       "Haircut", "1111")));
	int64_t ids[8];
	tu_lists_as_exported(t->db, "50", 0);
	tu_lists_as_exported(t->db, "4242", 0);
	assert_int_equal(tu_view_ids(t->db, "45", ids, 8), 1);
	assert_int_equal(ids[0], c1);
	assert_int_equal(tu_view_ids(t->db, "Anna 1111", ids, 8), 1);
	/* its words changed too, in another page: one entry, not two */
	ingest(t->db, json_pack("[o]", payment("pi_c1", 4500, "usd", 1767225600, "Anna Smith",
	                                       "Haircut deluxe", "1111")));
	tu_lists_as_exported(t->db, "deluxe 45", 1);
	tu_lists_as_exported(t->db, "haircut 1111", 1);
	/* a desk record (cash at the desk) */
	struct pd_error err = {0};
	struct history_desk_record d = {.id = "desk_1",
	                                .type = "desk",
	                                .created = 1767226000,
	                                .amount = 1250,
	                                .currency = "eur",
	                                .tender = "cash",
	                                .client = "Zoë Martin",
	                                .description = "Nails · by Sam"};
	assert_int_equal(history_desk_add(t->db, &d, &err), 0);
	tu_lists_as_exported(t->db, "12,50 €", 1);
	tu_lists_as_exported(t->db, "zoe 12.50", 1);
	/* a record deleted leaves the index with it */
	assert_int_equal(
	    sqlite3_exec(t->db, "DELETE FROM history WHERE stripe_id = 'pi_c2'", NULL, NULL, NULL),
	    SQLITE_OK);
	tu_lists_as_exported(t->db, "70", 0);
	tu_lists_as_exported(t->db, "5555", 0);
	assert_int_equal(sqlite3_exec(t->db,
	                              "INSERT INTO history_fts (history_fts, rank)"
	                              " VALUES ('integrity-check', 0)",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
}

/* A history synced before amounts were in the search index: the upgrade
 * puts them there, and a price is found by date as for new records. */
static void test_a_history_from_before_is_searched_by_price_after_the_upgrade(void **state)
{
	struct t *t = *state;
	db_close(&t->db);
	tu_rm_rf(t->dir);
	free(t->dir);
	t->dir = tu_tempdir();
	free(t->path);
	t->path = tu_path(t->dir, "old.db");
	sqlite3 *raw = tu_schema_at(t->path, 40);
	for (int i = 0; i < 40; i++) {
		char sql[700];
		snprintf(sql, sizeof sql,
		         "INSERT INTO history (stripe_id, type, created, amount, currency, status,"
		         " client_name, description, card_last4, synced_at) VALUES ('pi_o%02d',"
		         " 'payment', %d, %d, '%s', 'succeeded', 'Anna Smith', '%s', '%s', 0);"
		         "INSERT INTO history_fts (rowid, client_name, email, description)"
		         " SELECT created * 1073741824 + id, client_name, email, description"
		         " FROM history WHERE id = last_insert_rowid();",
		         i, 1767225600 - i * 3600, i % 2 ? 9900 : 5000, i % 4 == 3 ? "eur" : "usd",
		         i % 2 ? "Massage" : "Haircut", i % 5 ? "4242" : "1881");
		if (sqlite3_exec(raw, sql, NULL, NULL, NULL) != SQLITE_OK)
			fail_msg("%s", sqlite3_errmsg(raw));
	}
	/* the roll-ups a sync of that schema wrote beside them */
	assert_int_equal(
	    sqlite3_exec(raw,
	                 "INSERT INTO history_month SELECT CAST(strftime('%Y', created,"
	                 " 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', created,"
	                 " 'unixepoch') AS INTEGER) - 1 AS m, type, status, currency,"
	                 " count(*), sum(amount), 0, 0 FROM history"
	                 " GROUP BY m, type, status, currency",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(raw);
	struct pd_error err = {0};
	if (db_open(t->path, &t->db, &err))
		fail_msg("upgrade: %s", err.msg);
	tu_lists_as_exported(t->db, "99", 20);
	tu_lists_as_exported(t->db, "99 eur", 10);
	tu_lists_as_exported(t->db, "Haircut 50", 20);
	tu_lists_as_exported(t->db, "1881", 8);
	tu_lists_as_exported(t->db, "Massage 50", 0);
	tu_lists_as_exported(t->db, "Anna", 40);
	/* the card's digits are no word of a client's name or a service */
	tu_lists_as_exported(t->db, "usd5000", 0);
}

/* A tired "79.000" for 79.00 is read as 79,000 (a point groups thousands
 * in much of Europe) and finds nothing: the empty list says how it was read
 * and how the other is typed. A comma's thousands and a plain price say
 * nothing. */
static void test_an_amount_read_as_thousands_says_how_to_type_the_other(void **state)
{
	(void)state;
	char hint[160];
	assert_true(history_search_amount_hint("Haircut 79.000", hint, sizeof hint));
	assert_string_equal(hint, "79.000 is read as 79,000; for 79.00, type 79.00");
	assert_true(history_search_amount_hint("1.250 \u20ac", hint, sizeof hint));
	assert_string_equal(hint, "1.250 is read as 1,250; for 1.25, type 1.25");
	assert_true(history_search_amount_hint("3.500 yen", hint, sizeof hint));
	assert_string_equal(hint, "3.500 is read as 3,500; for 3.50, type 3.50");
	assert_true(history_search_amount_hint("-79.000", hint, sizeof hint));
	assert_string_equal(hint, "-79.000 is read as -79,000; for -79.00, type -79.00");
	assert_true(history_search_amount_hint("\u20ac79.000", hint, sizeof hint));
	assert_string_equal(hint, "\u20ac79.000 is read as \u20ac79,000; for \u20ac79.00, type \u20ac79.00");
	assert_false(history_search_amount_hint("79.255", hint, sizeof hint)); /* no zero too many */
	assert_false(history_search_amount_hint("79.00", hint, sizeof hint));
	assert_false(history_search_amount_hint("1,250", hint, sizeof hint));
	assert_false(history_search_amount_hint("1.250.000", hint, sizeof hint));
	assert_false(history_search_amount_hint("Zo\u00eb 4242", hint, sizeof hint));
	assert_false(history_search_amount_hint("", hint, sizeof hint));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_an_amount_read_as_thousands_says_how_to_type_the_other),
	    cmocka_unit_test_setup_teardown(test_a_service_word_and_a_price_it_is_never_sold_at,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_every_way_of_typing_an_amount_lists_what_the_export_writes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_odd_currencies_list_what_the_export_writes, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_a_record_is_found_by_its_amount_and_card_now,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_a_history_from_before_is_searched_by_price_after_the_upgrade, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
