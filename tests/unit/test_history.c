/* Billing history: ingest of Stripe list pages (fixtures in
 * tests/fixtures/history/), idempotence, in-place updates, folding of
 * balance transactions, review marks across re-syncs, keyset paging,
 * filters and per-currency totals against brute force, search, export
 * round trips (CSV RFC 4180, JSON Lines), date ranges. No network. */
#include "testutil.h"

#include "../../src/store/history_internal.h"
#include "store_testutil.h"

#include <jansson.h>
#include <sys/stat.h>
#include <time.h>

#include "paydesk/accounting_store.h"
#include "paydesk/db.h"
#include "paydesk/history.h"
#include "paydesk/history_export.h"
#include "paydesk/history_review.h"

#define FIXTURES "tests/fixtures/history/"

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

static json_t *fixture(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, FIXTURES "%s", name);
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	if (!j)
		fail_msg("%s: %s", path, jerr.text);
	return j;
}

static void ingest(sqlite3 *db, const char *name, struct history_ingest_stats *stats)
{
	json_t *page = fixture(name);
	struct pd_error err = {0};
	struct history_ingest_stats local = {0};
	int rc = history_ingest_page(db, page, "req_test", NULL, NULL, stats ? stats : &local, &err);
	if (rc)
		fail_msg("ingest %s: %s", name, err.msg);
	json_decref(page);
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

static char *q_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	const unsigned char *s = sqlite3_column_text(st, 0);
	char *v = strdup(s ? (const char *)s : "(null)");
	sqlite3_finalize(st);
	return v;
}

static void assert_q_text(sqlite3 *db, const char *sql, const char *want)
{
	char *got = q_text(db, sql);
	assert_string_equal(got, want);
	free(got);
}

/* ---- ingest -------------------------------------------------------------------- */

static void test_ingest_maps_fields(void **state)
{
	struct t *t = *state;
	struct history_ingest_stats s = {0};
	ingest(t->db, "payment_intents.json", &s);
	assert_int_equal(s.inserted, 4);
	assert_q_text(t->db, "SELECT client_name || '|' || email || '|' || card_brand || card_last4 ||"
			     " '|' || status || '|' || fee || '|' || net || '|' || appointment_id"
			     " FROM history WHERE stripe_id = 'pi_A1'",
		      "Zoë \"Zed\" Brontë|zoe@example.com|visa4242|succeeded|378|11622|apt_7");
	assert_q_text(t->db, "SELECT status || '|' || client_name || '|' || ifnull(fee, 'none')"
			     " FROM history WHERE stripe_id = 'pi_B2'",
		      "failed|Ben Okafor|none");
	assert_q_text(t->db, "SELECT status || '|' || ifnull(client_name, '-') FROM history"
			     " WHERE stripe_id = 'pi_C3'",
		      "canceled|-");
	/* card_present, balance transaction not expanded: no fee yet */
	assert_q_text(t->db, "SELECT card_brand || card_last4 || '|' || ifnull(fee, 'none') || '|' ||"
			     " livemode FROM history WHERE stripe_id = 'pi_D4'",
		      "amex8431|none|1");
	assert_q_text(t->db, "SELECT request_id FROM history WHERE stripe_id = 'pi_A1'", "req_test");
}

static void test_ingest_idempotent(void **state)
{
	struct t *t = *state;
	ingest(t->db, "payment_intents.json", NULL);
	ingest(t->db, "refunds.json", NULL);
	ingest(t->db, "invoices.json", NULL);
	ingest(t->db, "balance_transactions.json", NULL);
	int before = sqlite3_total_changes(t->db);
	struct history_ingest_stats s = {0};
	ingest(t->db, "payment_intents.json", &s);
	ingest(t->db, "refunds.json", &s);
	ingest(t->db, "invoices.json", &s);
	ingest(t->db, "balance_transactions.json", &s);
	assert_int_equal(s.inserted, 0);
	assert_int_equal(s.updated, 0);
	/* only the balance_transaction upserts write (same values) */
	int bt_rows = 2;
	assert_int_equal(sqlite3_total_changes(t->db) - before, bt_rows);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history"), 6);
	assert_int_equal(q_int(t->db, "SELECT sum(n) FROM history_day"), 6);
}

static void test_ingest_updates_in_place(void **state)
{
	struct t *t = *state;
	ingest(t->db, "payment_intents.json", NULL);
	int64_t id = q_int(t->db, "SELECT id FROM history WHERE stripe_id = 'pi_A1'");
	struct pd_error err = {0};
	assert_int_equal(history_mark_set(t->db, "pi_A1", HISTORY_MARK_REVIEWED, true, "alice", &err), 0);
	assert_int_equal(history_note_set(t->db, "pi_A1", "called the client", "alice", &err), 0);
	struct history_ingest_stats s = {0};
	ingest(t->db, "payment_intents_refunded.json", &s);
	assert_int_equal(s.updated, 1);
	assert_int_equal(q_int(t->db, "SELECT id FROM history WHERE stripe_id = 'pi_A1'"), id);
	assert_q_text(t->db, "SELECT status || '|' || amount_refunded FROM history WHERE id = "
			     "(SELECT id FROM history WHERE stripe_id = 'pi_A1')",
		      "refunded|12000");
	/* the roll-up moved the record from succeeded to refunded */
	assert_int_equal(q_int(t->db, "SELECT ifnull(sum(n), 0) FROM history_day WHERE status ="
				      " 'succeeded' AND currency = 'eur'"),
			 0);
	assert_int_equal(q_int(t->db, "SELECT sum(n) FROM history_day WHERE status = 'refunded'"), 1);
	/* marks survive the re-sync */
	struct history_row row;
	assert_int_equal(history_row_get(t->db, id, &row, &err), 0);
	assert_int_equal(row.marks, HISTORY_MARK_REVIEWED | HISTORY_MARK_NOTE);
	struct history_detail d;
	assert_int_equal(history_detail_get(t->db, id, &d, &err), 0);
	assert_string_equal(d.reviewed_by, "alice");
	assert_string_equal(d.note, "called the client");
	assert_true(d.reviewed_at > 0);
	history_detail_free(&d);
}

static void test_refund_and_balance_fold(void **state)
{
	struct t *t = *state;
	ingest(t->db, "payment_intents.json", NULL);
	ingest(t->db, "refunds.json", NULL);
	assert_q_text(t->db, "SELECT type || '|' || client_name || '|' || net || '|' || payment_intent"
			     " FROM history WHERE stripe_id = 're_R1'",
		      "refund|Zoë \"Zed\" Brontë|-12000|pi_A1");
	ingest(t->db, "balance_transactions.json", NULL);
	assert_q_text(t->db, "SELECT fee || '|' || net || '|' || balance_txn FROM history"
			     " WHERE stripe_id = 'pi_D4'",
		      "262|7738|txn_D4");
	/* a PaymentIntent re-fetched without its balance transaction keeps the fee */
	struct history_ingest_stats s = {0};
	ingest(t->db, "payment_intents.json", &s);
	assert_q_text(t->db, "SELECT fee FROM history WHERE stripe_id = 'pi_D4'", "262");
	assert_int_equal(s.updated, 0);
	/* detail: refunds listed, timeline, dashboard url */
	struct pd_error err = {0};
	int64_t id = q_int(t->db, "SELECT id FROM history WHERE stripe_id = 'pi_A1'");
	struct history_detail d;
	assert_int_equal(history_detail_get(t->db, id, &d, &err), 0);
	assert_non_null(strstr(d.refunds, "re_R1 120.00 EUR succeeded"));
	assert_int_equal(d.refunded_at, 1767348000);
	assert_int_equal(d.succeeded_at, 1767261605);
	assert_string_equal(d.appointment_id, "apt_7");
	char url[200];
	assert_string_equal(history_dashboard_url(d.row.type, d.row.stripe_id, d.livemode, url,
						  sizeof url),
			    "https://dashboard.stripe.com/test/payments/pi_A1");
	history_detail_free(&d);
	ingest(t->db, "invoices.json", NULL);
	assert_q_text(t->db, "SELECT status || '|' || amount || '|' || subscription_id || '|' ||"
			     " client_name FROM history WHERE stripe_id = 'in_I1'",
		      "paid|2900|sub_S1|Ben Okafor");
}

static void test_failed_page_rolls_back(void **state)
{
	struct t *t = *state;
	ingest(t->db, "invoices.json", NULL);
	assert_int_equal(sqlite3_exec(t->db,
				      "CREATE TEMP TRIGGER boom BEFORE INSERT ON history WHEN"
				      " new.stripe_id = 'pi_C3' BEGIN SELECT RAISE(ABORT, 'boom'); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	json_t *page = fixture("payment_intents.json");
	struct pd_error err = {0};
	assert_int_not_equal(history_ingest_page(t->db, page, NULL, "payment_intent", "pi_D4", NULL,
						 &err),
			     0);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history"), 1);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM sync_state"), 0);
	sqlite3_exec(t->db, "DROP TRIGGER boom", NULL, NULL, NULL);
	assert_int_equal(history_ingest_page(t->db, page, NULL, "payment_intent", "pi_D4", NULL, &err),
			 0);
	json_decref(page);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history"), 5);
	assert_q_text(t->db, "SELECT resume_after FROM sync_state WHERE object = 'payment_intent'",
		      "pi_D4");
	int64_t at = 1;
	assert_int_equal(history_last_synced(t->db, &at, &err), 0);
	assert_int_equal(at, 0); /* a pass that never finished is not "synced" */
	assert_int_equal(history_sync_done(t->db, "payment_intent", "1767272400", &err), 0);
	assert_int_equal(history_last_synced(t->db, &at, &err), 0);
	assert_true(at > 0);
	char *cursor = NULL;
	assert_int_equal(history_sync_get(t->db, "payment_intent", &cursor, &at, &err), 0);
	assert_string_equal(cursor, "1767272400");
	free(cursor);
}

/* ---- a known data set -------------------------------------------------------------- */

static const char *const names[] = {"Anna Smith", "Zoë Brontë", "José Álvarez", "山田 太郎",
				    "O'Brien, Pat"};
static const char *const curs[] = {"usd", "eur", "gbp", "jpy"};
static const char *const pi_status[] = {"succeeded", "succeeded", "succeeded", "canceled",
					"processing"};

/* n PaymentIntents, one every 5h from 2026-01-01, deterministic. */
static void load_known(sqlite3 *db, int n)
{
	json_t *data = json_array();
	for (int i = 0; i < n; i++) {
		char id[32], ch[32], cus[32], txn[32], desc[64];
		snprintf(id, sizeof id, "pi_K%04d", i);
		snprintf(ch, sizeof ch, "ch_K%04d", i);
		snprintf(txn, sizeof txn, "txn_K%04d", i);
		snprintf(cus, sizeof cus, "cus_N%d", i % 5);
		snprintf(desc, sizeof desc, "%s %d", i % 7 == 0 ? "Massage" : "Haircut", i);
		const char *cur = curs[i % 4];
		const char *st = pi_status[i % 5];
		int64_t amount = 1000 + (i * 37) % 9000;
		json_t *customer = json_pack("{s:s, s:s, s:s, s:s}", "id", cus, "object", "customer",
					     "name", names[i % 5], "email", "c@example.com");
		json_t *pi = json_pack("{s:s, s:s, s:I, s:s, s:I, s:o, s:s, s:s, s:b}", "id", id,
				       "object", "payment_intent", "amount", (json_int_t)amount,
				       "currency", cur, "created", (json_int_t)(1767225600 + i * 18000),
				       "customer", customer, "description", desc, "status", st,
				       "livemode", 0);
		if (strcmp(st, "succeeded") == 0) {
			int64_t refunded = i % 11 == 0 ? amount : 0;
			int64_t fee = amount * 3 / 100;
			json_t *bt = json_pack("{s:s, s:s, s:I, s:I, s:s}", "id", txn, "object",
					       "balance_transaction", "fee", (json_int_t)fee, "net",
					       (json_int_t)(amount - fee), "source", ch);
			json_t *charge = json_pack(
				"{s:s, s:s, s:s, s:I, s:b, s:b, s:I, s:o, s:{s:s, s:{s:s, s:s}}}", "id", ch,
				"object", "charge", "status", "succeeded", "amount_refunded",
				(json_int_t)refunded, "refunded", refunded == amount, "disputed", 0,
				"created", (json_int_t)(1767225600 + i * 18000), "balance_transaction",
				bt, "payment_method_details", "type", "card", "card", "brand", "visa",
				"last4", "4242");
			json_object_set_new(pi, "latest_charge", charge);
		}
		json_array_append_new(data, pi);
	}
	struct pd_error err = {0};
	assert_int_equal(history_ingest_page(db, data, NULL, NULL, NULL, NULL, &err), 0);
	json_decref(data);
	/* every 3rd reviewed, every 10th flagged */
	sqlite3_exec(db,
		     "INSERT INTO reviews (stripe_id, reviewed, flagged) SELECT stripe_id,"
		     " id % 3 = 0, id % 10 = 0 FROM history WHERE id % 3 = 0 OR id % 10 = 0",
		     NULL, NULL, NULL);
}

/* Brute-force totals per currency for the WHERE clause w over history h / reviews r. */
static void brute_totals(sqlite3 *db, const char *w, struct history_total *out, int *n)
{
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT h.currency, count(*), ifnull(sum(CASE WHEN h.type = 'payment' AND h.status"
		 " IN ('succeeded','partially_refunded','refunded') THEN h.amount END),"
		 " 0), ifnull(sum(CASE WHEN h.type = 'refund' AND h.status IN ('succeeded',"
		 " 'pending') THEN h.amount END), 0), ifnull(sum(CASE WHEN h.type = 'payment' AND"
		 " h.status IN ('succeeded','partially_refunded','refunded') OR h.type = 'refund'"
		 " AND h.status IN ('succeeded', 'pending') THEN h.fee END), 0), ifnull(sum(CASE"
		 " WHEN h.type = 'payment' AND h.status IN ('succeeded','partially_refunded',"
		 "'refunded') OR h.type = 'refund' AND h.status IN ('succeeded', 'pending') THEN"
		 " h.net END), 0)"
		 " FROM history h LEFT JOIN reviews r ON r.stripe_id = h.stripe_id WHERE %s"
		 " GROUP BY h.currency ORDER BY count(*) DESC, h.currency",
		 w);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	*n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct history_total *t = &out[(*n)++];
		snprintf(t->currency, sizeof t->currency, "%s", sqlite3_column_text(st, 0));
		t->count = sqlite3_column_int64(st, 1);
		t->gross = sqlite3_column_int64(st, 2);
		t->refunds = sqlite3_column_int64(st, 3);
		t->fees = sqlite3_column_int64(st, 4);
		t->net = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
}

static void check_totals(sqlite3 *db, const struct history_filter *f, const char *where)
{
	struct history_total got[HISTORY_MAX_CURRENCIES], want[HISTORY_MAX_CURRENCIES];
	int ngot = 0, nwant = 0;
	struct pd_error err = {0};
	assert_int_equal(history_totals(db, f, got, HISTORY_MAX_CURRENCIES, &ngot, &err), 0);
	brute_totals(db, where, want, &nwant);
	if (ngot != nwant)
		fail_msg("%s: %d currencies, want %d", where, ngot, nwant);
	for (int i = 0; i < ngot; i++) {
		if (strcmp(got[i].currency, want[i].currency) || got[i].count != want[i].count ||
		    got[i].gross != want[i].gross || got[i].refunds != want[i].refunds ||
		    got[i].fees != want[i].fees || got[i].net != want[i].net)
			fail_msg("%s: %s %ld/%ld gross %ld/%ld net %ld/%ld", where, got[i].currency,
				 (long)got[i].count, (long)want[i].count, (long)got[i].gross,
				 (long)want[i].gross, (long)got[i].net, (long)want[i].net);
	}
	/* and the view lists exactly that many rows */
	long total = 0;
	for (int i = 0; i < nwant; i++)
		total += want[i].count;
	struct history_view *v = NULL;
	assert_int_equal(history_view_new(db, f, HISTORY_SORT_DATE, true, &v, &err), 0);
	struct history_row rows[64];
	struct history_key key, *from = NULL;
	long seen = 0;
	for (;;) {
		int got_n = 0;
		assert_int_equal(history_view_page(v, from, true, rows, 64, &got_n, &err), 0);
		seen += got_n;
		if (got_n < 64)
			break;
		key = history_view_key(v, &rows[got_n - 1]);
		from = &key;
	}
	history_view_free(&v);
	if (seen != total)
		fail_msg("%s: listed %ld rows, totals say %ld", where, seen, total);
}

static void test_filters_and_totals(void **state)
{
	struct t *t = *state;
	load_known(t->db, 600);
	ingest(t->db, "refunds.json", NULL); /* one refund, in eur */
	struct history_filter f = {0};
	check_totals(t->db, &f, "1");
	f.status[0] = '\0';
	snprintf(f.status, sizeof f.status, "refunded");
	check_totals(t->db, &f, "h.status = 'refunded'");
	memset(&f, 0, sizeof f);
	/* ragged ends: 2026-01-03 07:30 .. 2026-02-10 13:00 UTC */
	f.since = 1767425400;
	f.until = 1770728400;
	check_totals(t->db, &f, "h.created >= 1767425400 AND h.created < 1770728400");
	snprintf(f.currency, sizeof f.currency, "eur");
	check_totals(t->db, &f,
		     "h.created >= 1767425400 AND h.created < 1770728400 AND h.currency = 'eur'");
	/* whole months in the middle: 2026-01-03 07:30 .. 2026-04-10 13:00 */
	f.currency[0] = '\0';
	f.until = 1775826000;
	check_totals(t->db, &f, "h.created >= 1767425400 AND h.created < 1775826000");
	f.until = 0; /* open ends */
	check_totals(t->db, &f, "h.created >= 1767425400");
	f.since = 0;
	f.until = 1772323200; /* 2026-03-01, a month boundary */
	check_totals(t->db, &f, "h.created < 1772323200");
	f.since = 1769904000; /* exactly February */
	check_totals(t->db, &f, "h.created >= 1769904000 AND h.created < 1772323200");
	memset(&f, 0, sizeof f);
	f.since = 1767430000; /* less than a day */
	f.until = 1767470000;
	check_totals(t->db, &f, "h.created >= 1767430000 AND h.created < 1767470000");
	memset(&f, 0, sizeof f);
	snprintf(f.type, sizeof f.type, "refund");
	check_totals(t->db, &f, "h.type = 'refund'");
	memset(&f, 0, sizeof f);
	f.review = HISTORY_REVIEW_UNREVIEWED;
	snprintf(f.status, sizeof f.status, "succeeded");
	check_totals(t->db, &f, "ifnull(r.reviewed, 0) = 0 AND h.status = 'succeeded'");
	f.review = HISTORY_REVIEW_REVIEWED;
	check_totals(t->db, &f, "r.reviewed = 1 AND h.status = 'succeeded'");
	memset(&f, 0, sizeof f);
	f.review = HISTORY_REVIEW_FLAGGED;
	check_totals(t->db, &f, "r.flagged = 1");
	memset(&f, 0, sizeof f);
	f.amount_min_set = f.amount_max_set = true;
	f.amount_min = 2000;
	f.amount_max = 5000;
	check_totals(t->db, &f, "h.amount BETWEEN 2000 AND 5000");
	memset(&f, 0, sizeof f);
	snprintf(f.client, sizeof f.client, "cus_N2");
	check_totals(t->db, &f, "h.customer_id = 'cus_N2'");
	snprintf(f.client, sizeof f.client, "zoe");
	check_totals(t->db, &f, "h.client_name LIKE 'Zo%%'");
	memset(&f, 0, sizeof f);
	snprintf(f.search, sizeof f.search, "massage");
	snprintf(f.currency, sizeof f.currency, "usd");
	check_totals(t->db, &f, "h.description LIKE 'Massage%%' AND h.currency = 'usd'");
	/* a bad filter is refused with a message */
	memset(&f, 0, sizeof f);
	snprintf(f.status, sizeof f.status, "bogus");
	struct history_total out[4];
	int n;
	struct pd_error err = {0};
	assert_int_equal(history_totals(t->db, &f, out, 4, &n, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "unknown status 'bogus'"));
}

/* Page through a view both ways in small pages; compare with ORDER BY. */
static void check_paging(sqlite3 *db, enum history_sort sort, bool desc)
{
	char sql[512];
	/* by amount: signed, money out (refunds) negative */
	const char *col = sort == HISTORY_SORT_AMOUNT
				  ? "CASE WHEN type IN ('refund', 'desk_refund') THEN -amount ELSE amount END"
				  : "created";
	snprintf(sql, sizeof sql, "SELECT id FROM history ORDER BY %s %s, id %s", col,
		 desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	int64_t want[1024];
	int nwant = 0;
	while (sqlite3_step(st) == SQLITE_ROW && nwant < 1024)
		want[nwant++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);

	struct history_filter f = {0};
	struct history_view *v = NULL;
	struct pd_error err = {0};
	assert_int_equal(history_view_new(db, &f, sort, desc, &v, &err), 0);
	struct history_row rows[7];
	struct history_key key, *from = NULL;
	int seen = 0, got;
	do {
		assert_int_equal(history_view_page(v, from, true, rows, 7, &got, &err), 0);
		for (int i = 0; i < got; i++)
			assert_int_equal(rows[i].id, want[seen++]);
		if (got)
			key = history_view_key(v, &rows[got - 1]);
		from = &key;
	} while (got == 7);
	assert_int_equal(seen, nwant);
	/* backward from the end */
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
	history_view_free(&v);
}

static void test_keyset_paging(void **state)
{
	struct t *t = *state;
	load_known(t->db, 300);
	/* refunds of every seventh payment, some of the same amount as a payment
	 * (ties across the sign) and some of the same amount as each other */
	assert_int_equal(sqlite3_exec(t->db,
				      "INSERT INTO history (stripe_id, type, created, amount, currency,"
				      " status, payment_intent, synced_at) SELECT 're_' || stripe_id,"
				      " 'refund', created + 60, CASE WHEN id % 2 THEN amount ELSE 500 END,"
				      " currency, 'succeeded', stripe_id, 0 FROM history WHERE id % 7 = 0",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	check_paging(t->db, HISTORY_SORT_DATE, true);
	check_paging(t->db, HISTORY_SORT_DATE, false);
	check_paging(t->db, HISTORY_SORT_AMOUNT, true);
	check_paging(t->db, HISTORY_SORT_AMOUNT, false);
}

/* The rows of a search's first page (up to 8), newest first. */
static int search_rows(sqlite3 *db, const char *q)
{
	struct pd_error err = {0};
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "%s", q);
	struct history_view *v = NULL;
	assert_int_equal(history_view_new(db, &f, HISTORY_SORT_DATE, true, &v, &err), 0);
	struct history_row rows[8];
	int got = -1;
	assert_int_equal(history_view_page(v, NULL, true, rows, 8, &got, &err), 0);
	history_view_free(&v);
	return got;
}

static void test_search_and_unreviewed(void **state)
{
	struct t *t = *state;
	ingest(t->db, "payment_intents.json", NULL);
	ingest(t->db, "refunds.json", NULL);
	struct pd_error err = {0};
	struct {
		const char *q;
		int want;
	} cases[] = {
		{"zoe", 2},        /* diacritics folded; the refund borrowed the name */
		{"brontë", 2},     {"ZOE bron", 2}, /* prefix words, all required */
		{"zoe@example", 2}, {"pi_A1", 2},   /* ids, and the refund's payment_intent */
		{"ch_D4", 1},      {"haircut", 1},  {"nobody", 0},
		{"\"", 5},         /* no word to search: everything (and no broken query) */
		{"zoe\" OR x", 0}, /* quotes are data, not FTS syntax */
		{"120.00", 2},     /* an amount: the payment and its refund */
		{"120,00", 2},     {"120", 2}, {"120.001", 0}, {"50", 1},
		{"4242", 2},       /* a card's last 4: the payment, and its refund to that card */
		{"0341", 1},       {"0341 zoe", 0}, {"4242 zoe", 2}, /* with words: all required */
		{"1.2.3", 0},      /* not a number: a word, found nowhere */
		/* punctuation beyond ASCII is no word either: a pasted
		 * "zoe — bron" found nothing */
		{"zoe \u2014 bron", 2}, {"\u00ab zoe \u00bb", 2}, {"zoe \u2013", 2},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = search_rows(t->db, cases[i].q);
		if (got != cases[i].want)
			fail_msg("search %s: %d rows, want %d", cases[i].q, got, cases[i].want);
	}
	/* what holds nothing to search is told apart (the screen says so
	 * instead of listing every record as if it matched) */
	static const char *const empty[] = {".", "\"", "-", "$", "\u20ac", "\u2014", "& ,"};
	for (size_t i = 0; i < sizeof empty / sizeof *empty; i++)
		if (history_search_searchable(t->db, empty[i]))
			fail_msg("\"%s\" searchable", empty[i]);
	static const char *const some[] = {"zoe", "z", "4242", "12.50", "pi_A1", "\u00e9",
					   "zo\u00eb"};
	for (size_t i = 0; i < sizeof some / sizeof *some; i++)
		if (!history_search_searchable(t->db, some[i]))
			fail_msg("\"%s\" not searchable", some[i]);
	/* next unreviewed skips reviewed rows, in view order */
	assert_int_equal(history_mark_set(t->db, "pi_C3", HISTORY_MARK_REVIEWED, true, "a", &err), 0);
	struct history_filter f = {0};
	struct history_view *v = NULL;
	assert_int_equal(history_view_new(t->db, &f, HISTORY_SORT_DATE, true, &v, &err), 0);
	struct history_row rows[8], next;
	int got = 0;
	assert_int_equal(history_view_page(v, NULL, true, rows, 8, &got, &err), 0);
	assert_string_equal(rows[0].stripe_id, "re_R1");
	assert_string_equal(rows[1].stripe_id, "pi_D4");
	struct history_key k = history_view_key(v, &rows[1]);
	assert_int_equal(history_view_next_unreviewed(v, &k, true, &next, &err), 0);
	assert_string_equal(next.stripe_id, "pi_B2"); /* pi_C3 is reviewed */
	k = history_view_key(v, &rows[4]);
	assert_int_equal(history_view_next_unreviewed(v, &k, true, &next, &err), PD_ERR_NOT_FOUND);
	history_view_free(&v);
}

/* ---- export -------------------------------------------------------------------------- */

/* Parse one RFC 4180 record from *p into fields (heap strings); false at the end. */
static bool csv_record(const char **p, char **fields, int max, int *n)
{
	*n = 0;
	if (!**p)
		return false;
	for (;;) {
		char *buf = malloc(strlen(*p) + 1);
		size_t len = 0;
		if (**p == '"') {
			(*p)++;
			for (;;) {
				if (**p == '"' && (*p)[1] == '"') {
					buf[len++] = '"';
					*p += 2;
				} else if (**p == '"') {
					(*p)++;
					break;
				} else {
					assert_true(**p != '\0');
					buf[len++] = *(*p)++;
				}
			}
		} else {
			while (**p && **p != ',' && **p != '\r')
				buf[len++] = *(*p)++;
		}
		buf[len] = '\0';
		assert_true(*n < max);
		fields[(*n)++] = buf;
		if (**p == ',') {
			(*p)++;
			continue;
		}
		assert_true((*p)[0] == '\r' && (*p)[1] == '\n');
		*p += 2;
		return true;
	}
}

static void ingest_text(sqlite3 *db, const char *text, struct history_ingest_stats *s);

/* An amount typed as people write it, or copied off the screen: a currency
 * sign, grouped thousands, a decimal comma, and money out as the list shows
 * it (a refund of 120.00 is "-120.00"). Each used to find nothing. */
/* Every filter at once with a long search (ids, amounts, words, a letter):
 * the statement's text has a fixed room, and a cut one ran with a
 * condition lost ("no such column: h.cu" in a review's test, or worse, "R"
 * reviewing more than the filter). It finds what it asks, or is refused
 * with what to do (history_sql_overflow), never run cut. */
static void test_a_filter_too_long_is_refused_never_cut(void **state)
{
	struct t *t = *state;
	ingest(t->db, "payment_intents.json", NULL);
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "%s",
	         "zoe pi_1 ch_2 in_3 re_4 \u20ac1,234.56 $5,678.90 \u00a39,012.34 3456 b");
	snprintf(f.client, sizeof f.client, "%s", "Zo\u00eb Bront\u00eb Extra Name");
	snprintf(f.status, sizeof f.status, "%s", "succeeded");
	snprintf(f.type, sizeof f.type, "%s", "payment");
	snprintf(f.currency, sizeof f.currency, "%s", "eur");
	f.since = 1600000000;
	f.until = 1900000000;
	f.amount_min_set = f.amount_max_set = true;
	f.amount_min = 1;
	f.amount_max = 99999999;
	f.review = HISTORY_REVIEW_UNREVIEWED;
	struct pd_error err = {0};
	for (int sort = 0; sort < 2; sort++) {
		struct history_view *v = NULL;
		int rc = history_view_new(t->db, &f, sort ? HISTORY_SORT_AMOUNT : HISTORY_SORT_DATE,
		                          true, &v, &err);
		if (rc) {
			assert_int_equal(rc, PD_ERR_USAGE);
			assert_non_null(strstr(err.msg, "shorten the search"));
		} else {
			struct history_row rows[4];
			int got = -1;
			assert_int_equal(history_view_page(v, NULL, true, rows, 4, &got, &err), 0);
			assert_int_equal(got, 0);
			history_view_free(&v);
		}
	}
	long n = -1;
	int rc = history_count_unreviewed(t->db, &f, &n, &err);
	assert_true(rc == 0 ? n == 0 : rc == PD_ERR_USAGE);
	long marked = -1;
	rc = history_mark_filter(t->db, &f, "ana", &marked, &err);
	assert_true(rc == 0 ? marked == 0 : rc == PD_ERR_USAGE);
	assert_int_equal(
	    q_int(t->db, "SELECT count(*) FROM reviews WHERE reviewed = 1"), 0);
}

static void test_amounts_typed_as_people_write_them(void **state)
{
	struct t *t = *state;
	ingest(t->db, "payment_intents.json", NULL);
	ingest(t->db, "refunds.json", NULL);
	ingest_text(t->db,
		    "{\"object\": \"list\", \"data\": ["
		    "{\"id\": \"pi_K1\", \"object\": \"payment_intent\", \"amount\": 125000,"
		    " \"currency\": \"usd\", \"created\": 1767225600, \"status\": \"succeeded\"},"
		    "{\"id\": \"pi_Y1\", \"object\": \"payment_intent\", \"amount\": 1250000,"
		    " \"currency\": \"jpy\", \"created\": 1767225700, \"status\": \"succeeded\"}]}",
		    NULL);
	struct {
		const char *q;
		int want;
	} cases[] = {
		{"$80", 1},           {"$80.00", 1},      {"80.00$", 1},    {"€120,00", 2},
		{"120,00 €", 2},      {"$50", 1},         {"-120.00", 1},   /* the refund alone */
		{"\u2212120,00", 1},  {"-€120", 1},       {"€-120", 1},     {"-80", 0},
		{"1,250.00", 1},      {"1.250,00", 1},    {"$1,250", 1},    {"1,250", 1},
		{"1'250.00", 1},      {"¥1,250,000", 1},  {"1,250,000", 1}, {"1250", 1},
		{"1,25,0", 0},        {"12,50,00", 0},    /* not grouped in threes: no amount */
		{"-", 7},             {"$", 7},           /* no digits: no amount, no word */
		/* accounting's money out, a plus for money in, a point at the end */
		{"(120.00)", 1},      {"120.00-", 1},     {"+120", 1},      {"+80", 1},
		{"1250.", 1},         {"1,250,000.00", 1}, /* yen written with cents */
		/* a currency sign or code says which money: "$" is no euro */
		{"€80", 0},           {"£80", 0},         {"$120", 0},      {"€120", 2},
		{"120.00 eur", 2},    {"EUR 120", 2},     {"120.00 usd", 0}, {"usd 80", 1},
		{"80 eur", 0},        {"1,250.00 USD", 1}, {"jpy 1,250,000", 1},
		/* a sign written apart, before or after ("79,00 €" was searched in
		 * every currency), and yen as Japanese input writes it */
		{"80 \u20ac", 0},      {"\u20ac 80", 0},   {"$ 80", 1},      {"80 $", 1},
		{"120,00 \u20ac", 2},  {"\u20ac 120", 2},  {"120 \u00a3", 0}, {"1,250,000 \u5186", 1},
		{"\uffe51,250,000", 1}, {"1250000\u5186", 1},
		/* a currency named in words beside the amount ("3500 yen" found
		 * nothing: "yen" was a word no record holds) */
		{"1,250,000 yen", 1},  {"1250000 Yen", 1}, {"120 euros", 2},  {"euro 120", 2},
		{"80 euros", 0},       {"80 dollars", 1},  {"1,250 dollars", 1}, {"120 pounds", 0},
		{"yen", 0},            /* alone: a word */
		/* thousands apart, as French and Swiss write them ("1 250,00"
		 * found nothing: two amounts), with a no-break or narrow space
		 * too; a price tag's "80,-"; a named currency is no card digits */
		{"1 250,00", 1},       {"1 250.00 $", 1},  {"1 250 000", 1}, {"1 250 000 \u5186", 1},
		{"1\u00a0250,00", 1},  {"1\u202f250,00", 1}, {"\u20ac1 250", 0}, {"1 25", 0},
		{"$80,-", 1},          {"$80.-", 1},       {"80,- \u20ac", 0}, {"(80,-)", 0},
		{"4242", 2},           {"usd 4242", 0},    {"eur 4242", 0},  {"4242 euros", 0},
		/* typed by someone tired: a sign twice, a full stop after the
		 * currency ("79 eur." found nothing, "$$79" invoice numbers) */
		{"$$80", 1},           {"80 $$", 1},       {"120 \u20ac\u20ac", 2}, {"80.00 $.", 1},
		{"120 eur.", 2},       {"120 EUR,", 2},    {"80 usd.", 1},   {"\u20ac120!", 2},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = search_rows(t->db, cases[i].q);
		if (got != cases[i].want)
			fail_msg("search %s: %d rows, want %d", cases[i].q, got, cases[i].want);
	}
}

/* Whatever is typed, an amount word is read without reading past it (run
 * under ASan by `make asan`), and a number read is never negative. */
static void test_amount_words_of_any_text(void **state)
{
	(void)state;
	static const char *const parts[] = {"0", "1", "5", "9", "12", "250", ".", ",", "'",
					    "-", "$", "\u20ac", "\u2212", "\xe2", "\xe2\x82", " "};
	uint64_t x = 42;
	for (int i = 0; i < 200000; i++) {
		char w[64];
		size_t len = 0;
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		int n = (int)(x >> 60) + 1;
		for (int k = 0; k < n; k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			const char *part = parts[(x >> 33) % (sizeof parts / sizeof parts[0])];
			size_t pl = strlen(part);
			if (len + pl >= sizeof w)
				break;
			memcpy(w + len, part, pl);
			len += pl;
		}
		/* exactly len bytes, no terminator after them: a word inside a search */
		char *exact = malloc(len ? len : 1);
		memcpy(exact, w, len);
		struct history_number nw;
		if (history_number_word(exact, len, &nw))
			for (int k = 0; k < 3; k++)
				assert_true(nw.minor[k] >= -1);
		history_number_sign(exact, len);
		free(exact);
	}
}

static void test_export_csv_round_trip(void **state)
{
	struct t *t = *state;
	ingest(t->db, "payment_intents.json", NULL);
	struct pd_error err = {0};
	history_note_set(t->db, "pi_A1", "said: \"fine\", ok\nnext line", "admin", &err);
	history_mark_set(t->db, "pi_A1", HISTORY_MARK_FLAGGED, true, "admin", &err);
	history_mark_set(t->db, "pi_A1", HISTORY_MARK_REVIEWED, true, "Bea", &err);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct history_filter f = {0};
	long rows = 0;
	assert_int_equal(history_export(t->db, &f, HISTORY_CSV, out, &rows, &err), 0);
	fclose(out);
	assert_int_equal(rows, 4);
	const char *p = buf;
	char *fields[32] = {0};
	int n;
	assert_true(csv_record(&p, fields, 32, &n));
	assert_int_equal(n, 28);
	assert_string_equal(fields[0], "created");
	assert_string_equal(fields[21], "decline_code");
	assert_string_equal(fields[27], "payout");
	for (int i = 0; i < n; i++)
		free(fields[i]);
	int records = 0;
	bool found = false, declined = false;
	while (csv_record(&p, fields, 32, &n)) {
		assert_int_equal(n, 28);
		assert_string_equal(fields[27], ""); /* no payouts synced here */
		records++;
		if (strcmp(fields[2], "pi_B2") == 0) {
			declined = true;
			assert_string_equal(fields[5], "failed");
			assert_string_equal(fields[21], "card_declined");
			assert_string_equal(fields[25], ""); /* not reviewed */
			assert_string_equal(fields[22], "The card was declined");
		}
		if (strcmp(fields[2], "pi_A1") == 0) {
			found = true;
			assert_string_equal(fields[0], "2026-01-01T10:00:00Z");
			assert_string_equal(fields[3], "120.00");
			assert_string_equal(fields[4], "eur");
			assert_string_equal(fields[6], "Zoë \"Zed\" Brontë");
			assert_string_equal(fields[8], "Massage, 60 min\nwith oil");
			assert_string_equal(fields[11], "3.78");
			assert_string_equal(fields[12], "116.22");
			assert_string_equal(fields[16], "yes");
			assert_string_equal(fields[17], "said: \"fine\", ok\nnext line");
			assert_string_equal(fields[25], "Bea"); /* reviewer and when */
			assert_int_equal(strlen(fields[26]), 20);
			assert_true(fields[26][10] == 'T' && fields[26][19] == 'Z');
		}
		for (int i = 0; i < n; i++)
			free(fields[i]);
	}
	assert_int_equal(records, 4);
	assert_true(found && declined);
	free(buf);

	/* JSON Lines: one object per line, amounts in minor units */
	out = open_memstream(&buf, &len);
	assert_int_equal(history_export(t->db, &f, HISTORY_JSONL, out, &rows, &err), 0);
	fclose(out);
	int lines = 0;
	char *save = NULL;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *o = json_loads(l, 0, &jerr);
		assert_non_null(o);
		if (strcmp(json_string_value(json_object_get(o, "stripe_id")), "pi_A1") == 0) {
			assert_int_equal(json_integer_value(json_object_get(o, "amount")), 12000);
			assert_string_equal(json_string_value(json_object_get(o, "client")),
					    "Zoë \"Zed\" Brontë");
			assert_true(json_is_true(json_object_get(o, "flagged")));
		}
		json_decref(o);
		lines++;
	}
	assert_int_equal(lines, 4);
	free(buf);

	/* to a file: 0600, and a filter narrows it */
	char *path = tu_path(t->dir, "out.csv");
	snprintf(f.status, sizeof f.status, "failed");
	assert_int_equal(history_export_file(t->db, &f, HISTORY_CSV, path, false, &rows, &err), 0);
	assert_int_equal(rows, 1);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(tu_file_contains(path, "pi_B2", 5));
	free(path);
}

static void test_dates(void **state)
{
	(void)state;
	struct pd_error err = {0};
	int64_t t = 0;
	assert_int_equal(history_date_parse("2026-03-01", &t, &err), 0);
	assert_int_equal(t, 1772323200);
	assert_int_equal(history_next_day(t), 1772409600);
	assert_int_equal(history_date_parse("2026-02-30", &t, &err), PD_ERR_USAGE);
	assert_int_equal(history_date_parse("01/03/2026", &t, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "YYYY-MM-DD"));
	int64_t since, until;
	time_t now = 1773000000; /* 2026-03-08 20:00 UTC, a Sunday */
	history_range_bounds(HISTORY_RANGE_TODAY, now, &since, &until);
	assert_int_equal(since, 1772928000);
	assert_int_equal(until, 1773014400);
	history_range_bounds(HISTORY_RANGE_THIS_WEEK, now, &since, &until);
	assert_int_equal(since, 1772409600); /* Monday 2026-03-02 */
	assert_int_equal(until, 1773014400);
	history_range_bounds(HISTORY_RANGE_THIS_MONTH, now, &since, &until);
	assert_int_equal(since, 1772323200);
	assert_int_equal(until, 1775001600);
	history_range_bounds(HISTORY_RANGE_LAST_MONTH, now, &since, &until);
	assert_int_equal(since, 1769904000);
	assert_int_equal(until, 1772323200);
	enum history_format fmt;
	assert_int_equal(history_format_parse("jsonl", &fmt, &err), 0);
	assert_int_equal(fmt, HISTORY_JSONL);
	assert_int_equal(history_format_parse("xml", &fmt, &err), PD_ERR_USAGE);
}

static void test_mark_a_whole_filter(void **state)
{
	struct t *t = *state;
	ingest(t->db, "payment_intents.json", NULL);
	ingest(t->db, "refunds.json", NULL);
	struct pd_error err = {0};
	assert_int_equal(history_mark_set(t->db, "re_R1", HISTORY_MARK_REVIEWED, true, "a", &err), 0);
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "zoe"); /* pi_A1 and its refund re_R1 */
	long n = -1, marked = -1;
	assert_int_equal(history_count_unreviewed(t->db, &f, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(history_mark_filter(t->db, &f, "Bea", &marked, &err), 0);
	assert_int_equal(marked, 1);
	assert_q_text(t->db, "SELECT group_concat(stripe_id || ':' || reviewed_by, ' ') FROM"
			     " (SELECT * FROM reviews WHERE reviewed = 1 ORDER BY stripe_id)",
		      "pi_A1:Bea re_R1:a");
	assert_int_equal(history_count_unreviewed(t->db, &f, &n, &err), 0);
	assert_int_equal(n, 0);
	/* a plain filter: the usd payments */
	memset(&f, 0, sizeof f);
	snprintf(f.currency, sizeof f.currency, "usd");
	assert_int_equal(history_mark_filter(t->db, &f, "Bea", &marked, &err), 0);
	assert_int_equal(marked, 3);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM reviews WHERE reviewed = 1"), 5);
	/* every mark, however written, carries its record's date and id (schema 31),
	 * and the reviewed filter pages from them in the list's order, both ways */
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM reviews r JOIN history h"
				      " ON h.stripe_id = r.stripe_id"
				      " WHERE r.created IS NOT h.created OR r.hid IS NOT h.id"),
			 0);
	memset(&f, 0, sizeof f);
	f.review = HISTORY_REVIEW_REVIEWED;
	struct history_view *v = NULL;
	assert_int_equal(history_view_new(t->db, &f, HISTORY_SORT_DATE, true, &v, &err), 0);
	assert_true(history_view_totals_deferred(v));
	struct history_row rows[8];
	int got = 0;
	assert_int_equal(history_view_page(v, NULL, true, rows, 8, &got, &err), 0);
	char ids[200] = "";
	for (int i = 0; i < got; i++)
		snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%s", i ? " " : "",
			 rows[i].stripe_id);
	assert_q_text(t->db, "SELECT group_concat(stripe_id, ' ') FROM (SELECT h.stripe_id"
			     " FROM history h JOIN reviews r ON r.stripe_id = h.stripe_id"
			     " WHERE r.reviewed = 1 ORDER BY h.created DESC, h.id DESC)",
		      ids);
	/* the next page from the second row's key holds the rest */
	struct history_key k = history_view_key(v, &rows[1]);
	int more = 0;
	assert_int_equal(history_view_page(v, &k, true, rows + 2, 6, &more, &err), 0);
	assert_int_equal(more, got - 2);
	/* totals in chunks add up to the filter's own */
	struct history_total all[4], chunked[4];
	int na = 0, nc = 0;
	bool done = false;
	assert_int_equal(history_totals(t->db, &f, all, 4, &na, &err), 0);
	while (!done)
		assert_int_equal(history_view_totals_step(v, 2, chunked, 4, &nc, &done, &err), 0);
	assert_int_equal(nc, na);
	for (int i = 0; i < na; i++) {
		assert_int_equal(chunked[i].count, all[i].count);
		assert_int_equal(chunked[i].gross, all[i].gross);
	}
	history_view_free(&v);
	/* a record whose date changes keeps its mark's key */
	assert_int_equal(sqlite3_exec(t->db, "UPDATE history SET created = created + 5"
					     " WHERE stripe_id = 're_R1'", NULL, NULL, NULL), 0);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM reviews r JOIN history h"
				      " ON h.stripe_id = r.stripe_id WHERE r.created IS NOT h.created"),
			 0);
}

static void test_review_as_signed_in_user(void **state)
{
	struct t *t = *state;
	ingest(t->db, "invoices.json", NULL);
	struct app app;
	memset(&app, 0, sizeof app);
	app.db = t->db;
	struct pd_error err = {0};
	/* nobody signed in */
	assert_int_equal(history_review_mark(&app, "in_I1", HISTORY_MARK_FLAGGED, true, &err),
			 PD_ERR_FORBIDDEN);
	app.session.signed_in = true;
	app.session.role = ROLE_STAFF;
	snprintf(app.session.name, sizeof app.session.name, "Sam");
	assert_string_equal(history_actor(&app), "Sam");
	assert_int_equal(history_review_mark(&app, "in_I1", HISTORY_MARK_FLAGGED, true, &err), 0);
	assert_int_equal(history_review_note(&app, "in_I1", "late again", &err), 0);
	assert_q_text(t->db, "SELECT flagged || flagged_by || note_by || note FROM reviews"
			     " WHERE stripe_id = 'in_I1'",
		      "1SamSamlate again");
	assert_int_equal(history_review_note(&app, "in_I1", "", &err), 0);
	assert_q_text(t->db, "SELECT ifnull(note, 'cleared') FROM reviews WHERE stripe_id = 'in_I1'",
		      "cleared");
	/* Each mark and note is in the audit log, under the user, with the record. */
	assert_q_text(t->db, "SELECT group_concat(actor || ' ' || action || ' ' || object_id || ' '"
			     " || detail, '|') FROM (SELECT * FROM audit_log ORDER BY id)",
		      "Sam history.mark in_I1 flagged|Sam history.note in_I1 note: late again|"
		      "Sam history.note in_I1 note cleared");
}

/* ---- names, roll-ups and the writer thread ------------------------------------- */

static json_t *page_of(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	if (!j)
		fail_msg("bad test JSON: %s", jerr.text);
	return j;
}

static void ingest_text(sqlite3 *db, const char *text, struct history_ingest_stats *s)
{
	json_t *page = page_of(text);
	struct pd_error err = {0};
	struct history_ingest_stats local = {0};
	if (history_ingest_page(db, page, "req_t", NULL, NULL, s ? s : &local, &err))
		fail_msg("ingest: %s", err.msg);
	json_decref(page);
}

#define PI(id, cus, amount, created)                                                            \
	"{\"id\":\"" id "\",\"object\":\"payment_intent\",\"amount\":" #amount                     \
	",\"currency\":\"usd\",\"created\":" #created ",\"status\":\"succeeded\","                 \
	"\"customer\":\"" cus "\",\"description\":\"Haircut\",\"latest_charge\":null}"

static int64_t fts_count(sqlite3 *db, const char *words)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM history_fts WHERE history_fts"
						" MATCH ?",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, words, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_client_names_for_bare_customer_ids(void **state)
{
	struct t *t = *state;
	/* a local client billed through Stripe: the name reviewers know */
	assert_int_equal(sqlite3_exec(t->db,
				      "INSERT INTO clients (name, email, stripe_customer_id,"
				      " bill_with_stripe, created_at, updated_at) VALUES"
				      " ('Léa Localname', 'lea@example.com', 'cus_L', 1, 0, 0)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	ingest_text(t->db, "{\"object\":\"list\",\"data\":[" PI("pi_N1", "cus_L", 1000, 1767225600)
			   "," PI("pi_N2", "cus_R", 2000, 1767225700) "]}",
		    NULL);
	assert_q_text(t->db, "SELECT client_name || '|' || email FROM history WHERE stripe_id = 'pi_N1'",
		      "Léa Localname|lea@example.com");
	assert_q_text(t->db, "SELECT ifnull(client_name, '-') FROM history WHERE stripe_id = 'pi_N2'",
		      "-");
	assert_int_equal(fts_count(t->db, "localname"), 1);

	/* the sync's customers pass names what came before it, and what comes after */
	struct history_ingest_stats s = {0};
	ingest_text(t->db, "{\"object\":\"list\",\"data\":[{\"id\":\"cus_R\",\"object\":\"customer\","
			   "\"created\":1767000000,\"name\":\"Rémy Stripe\",\"email\":\"remy@example.com\"}]}",
		    &s);
	assert_int_equal(s.updated, 1);
	ingest_text(t->db, "{\"object\":\"list\",\"data\":[" PI("pi_N3", "cus_R", 3000, 1767225800) "]}",
		    NULL);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history WHERE client_name = 'Rémy Stripe'"
				      " AND email = 'remy@example.com'"),
			 2);
	assert_int_equal(fts_count(t->db, "remy"), 2); /* diacritics folded, as typed */
	assert_int_equal(fts_count(t->db, "stripe haircut"), 2);
	/* and it is what the History screen lists for a search */
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "Rémy");
	struct history_view *v = NULL;
	struct pd_error err = {0};
	assert_int_equal(history_view_new(t->db, &f, HISTORY_SORT_DATE, true, &v, &err), 0);
	struct history_row rows[4];
	int got = 0;
	assert_int_equal(history_view_page(v, NULL, true, rows, 4, &got, &err), 0);
	assert_int_equal(got, 2);
	assert_string_equal(rows[0].client, "Rémy Stripe");
	assert_string_equal(rows[0].stripe_id, "pi_N3");
	history_view_free(&v);
	/* the same customer again changes nothing */
	struct history_ingest_stats again = {0};
	ingest_text(t->db, "{\"object\":\"list\",\"data\":[{\"id\":\"cus_R\",\"object\":\"customer\","
			   "\"created\":1767000000,\"name\":\"Rémy Stripe\",\"email\":\"remy@example.com\"}]}",
		    &again);
	assert_int_equal(again.unchanged, 1);
}

static void check_rollups(sqlite3 *db)
{
	/* the roll-ups equal a count over the rows, whatever the order of events */
	assert_int_equal(q_int(db, "SELECT count(*) FROM (SELECT created / 86400 AS d, type, status,"
				   " currency, count(*) AS n, sum(amount) AS a, sum(ifnull(fee, 0)) AS f"
				   " FROM history GROUP BY 1, 2, 3, 4) x LEFT JOIN history_day y"
				   " ON y.day = x.d AND y.type = x.type AND y.status = x.status"
				   " AND y.currency = x.currency"
				   " WHERE y.n IS NOT x.n OR y.amount IS NOT x.a OR y.fee IS NOT x.f"),
			 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM history_day WHERE n <> 0 AND NOT EXISTS"
				   " (SELECT 1 FROM history h WHERE h.created / 86400 = day"
				   " AND h.type = history_day.type AND h.status = history_day.status"
				   " AND h.currency = history_day.currency)"),
			 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM (SELECT CAST(strftime('%Y', created,"
				   " 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', created,"
				   " 'unixepoch') AS INTEGER) - 1 AS m, type, status, currency,"
				   " count(*) AS n, sum(amount) AS a, sum(ifnull(net, 0)) AS t"
				   " FROM history GROUP BY 1, 2, 3, 4) x LEFT JOIN history_month y"
				   " ON y.month = x.m AND y.type = x.type AND y.status = x.status"
				   " AND y.currency = x.currency"
				   " WHERE y.n IS NOT x.n OR y.amount IS NOT x.a OR y.net IS NOT x.t"),
			 0);
	assert_int_equal(q_int(db, "SELECT sum(n) FROM history_month"),
			 q_int(db, "SELECT count(*) FROM history"));
	assert_int_equal(q_int(db, "SELECT sum(amount) FROM history_month"),
			 q_int(db, "SELECT sum(amount) FROM history"));
}

static void push_text(struct history_writer *w, const char *text, const char *cursor)
{
	json_t *list = page_of(text);
	struct history_page pg;
	struct pd_error err = {0};
	assert_int_equal(history_page_from_json(list, &pg, &err), 0);
	json_decref(list);
	if (history_writer_push(w, &pg, "req_w", "payment_intents", cursor, &err))
		fail_msg("push: %s", err.msg);
	assert_int_equal(pg.n, 0); /* taken over */
}

static void test_writer_thread_pages_rollups_and_search(void **state)
{
	struct t *t = *state;
	struct history_writer *w = NULL;
	struct pd_error err = {0};
	assert_int_equal(history_writer_start(t->db, 2, &w, &err), 0);
	/* page 1: two payments; page 2: one of them again, renamed and refunded,
	 * twice in the same page, with a new one; page 3: a balance transaction
	 * for a payment of page 2 */
	push_text(w, "{\"data\":[" PI("pi_W1", "cus_X", 1500, 1767225600) "," PI("pi_W2", "cus_X",
		     2500, 1767312000) "]}", "c1");
	push_text(w, "{\"data\":[" PI("pi_W3", "cus_X", 700, 1767398400)
		     ",{\"id\":\"pi_W1\",\"object\":\"payment_intent\",\"amount\":1500,"
		     "\"currency\":\"usd\",\"created\":1767225600,\"status\":\"canceled\","
		     "\"customer\":{\"id\":\"cus_X\",\"object\":\"customer\",\"name\":\"Old Name\"}}"
		     ",{\"id\":\"pi_W1\",\"object\":\"payment_intent\",\"amount\":1500,"
		     "\"currency\":\"usd\",\"created\":1767225600,\"status\":\"canceled\","
		     "\"customer\":{\"id\":\"cus_X\",\"object\":\"customer\",\"name\":\"New Name\"}}]}",
		  "c2");
	push_text(w, "{\"data\":[{\"id\":\"txn_W3\",\"object\":\"balance_transaction\",\"amount\":700,"
		     "\"fee\":50,\"net\":650,\"currency\":\"usd\",\"created\":1767398400,"
		     "\"source\":\"pi_W3\",\"type\":\"charge\"}]}",
		  "c3");
	assert_int_equal(history_writer_flush(w, &err), 0);
	struct history_ingest_stats s = {0};
	assert_int_equal(history_writer_finish(&w, &s, &err), 0);
	assert_null(w);
	assert_int_equal(s.inserted, 3);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history"), 3);
	assert_q_text(t->db, "SELECT status || '|' || client_name FROM history WHERE stripe_id = 'pi_W1'",
		      "canceled|New Name");
	assert_int_equal(q_int(t->db, "SELECT fee FROM history WHERE stripe_id = 'pi_W3'"), 50);
	assert_q_text(t->db, "SELECT resume_after FROM sync_state WHERE object = 'payment_intents'",
		      "c3");
	assert_int_equal(fts_count(t->db, "\"new name\""), 1);
	assert_int_equal(fts_count(t->db, "old"), 0);
	check_rollups(t->db);
	/* the fixtures through updates and folds keep them right too */
	ingest(t->db, "payment_intents.json", NULL);
	ingest(t->db, "balance_transactions.json", NULL);
	ingest(t->db, "refunds.json", NULL);
	ingest(t->db, "payment_intents_refunded.json", NULL);
	check_rollups(t->db);
}

/* A page ingested inside the caller's transaction (a refund recorded with
 * its payment attempt) is searchable and added up once that commits. */
static void test_ingest_inside_callers_transaction(void **state)
{
	struct t *t = *state;
	struct pd_error err = {0};
	assert_int_equal(db_begin(t->db, &err), 0);
	ingest_text(t->db, "{\"data\":[" PI("pi_T1", "cus_X", 1200, 1767225600) "]}", NULL);
	assert_int_equal(db_commit(t->db, &err), 0);
	assert_int_equal(fts_count(t->db, "haircut"), 1);
	assert_int_equal(q_int(t->db, "SELECT sum(amount) FROM history_day"), 1200);
	check_rollups(t->db);
}

/* Sums beyond 64 bits fail the page, as SQL's sum() did: nothing half-added. */
static void test_rollup_overflow_fails_the_page(void **state)
{
	struct t *t = *state;
	json_t *page = page_of("{\"data\":[" PI("pi_O1", "cus_X", 9223372036854775807, 1767225600)
			       "," PI("pi_O2", "cus_X", 9223372036854775807, 1767225700) "]}");
	struct pd_error err = {0};
	assert_int_not_equal(history_ingest_page(t->db, page, NULL, NULL, NULL, NULL, &err), 0);
	json_decref(page);
	assert_non_null(strstr(err.msg, "overflow"));
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history"), 0);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history_day"), 0);
}

/* Month roll-ups summed in memory (history_sums.c) land in the month
 * strftime gives, at month, leap-day, year and century edges. */
static void test_rollups_at_month_edges(void **state)
{
	struct t *t = *state;
	struct history_writer *w = NULL;
	struct pd_error err = {0};
	assert_int_equal(history_writer_start(t->db, 3, &w, &err), 0);
	push_text(w, "{\"data\":[" PI("pi_E1", "cus_X", 100, 1738367999) "," PI("pi_E2", "cus_X", 200,
		     1738368000) "," PI("pi_E3", "cus_X", 300, 1709251199) "," PI("pi_E4", "cus_X",
		     400, 1709251200) "]}", "e1");
	push_text(w, "{\"data\":[" PI("pi_E5", "cus_X", 500, 946684799) "," PI("pi_E6", "cus_X", 600,
		     946684800) "," PI("pi_E7", "cus_X", 700, 4107542399) "," PI("pi_E8", "cus_X", 800,
		     4107542400) "," PI("pi_E9", "cus_X", 900, 0) "]}", "e2");
	assert_int_equal(history_writer_finish(&w, NULL, &err), 0);
	check_rollups(t->db);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history_month"), 9);
	assert_int_equal(q_int(t->db, "SELECT amount FROM history_month WHERE month = 2025 * 12 + 1"),
			 200);
	assert_int_equal(q_int(t->db, "SELECT amount FROM history_month WHERE month = 2024 * 12 + 1"),
			 300);
	/* 2100 is no leap year */
	assert_int_equal(q_int(t->db, "SELECT amount FROM history_month WHERE month = 2100 * 12 + 1"),
			 700);
	assert_int_equal(q_int(t->db, "SELECT amount FROM history_month WHERE month = 2100 * 12 + 2"),
			 800);
}

static void test_writer_failure_keeps_earlier_commits(void **state)
{
	struct t *t = *state;
	struct history_writer *w = NULL;
	struct pd_error err = {0};
	assert_int_equal(history_writer_start(t->db, 1, &w, &err), 0);
	push_text(w, "{\"data\":[" PI("pi_F1", "cus_X", 100, 1767225600) "]}", "f1");
	assert_int_equal(history_writer_flush(w, &err), 0);
	/* the store refuses the next page: a type the schema rejects */
	assert_int_equal(sqlite3_exec(t->db, "CREATE TRIGGER refuse BEFORE INSERT ON history"
					     " WHEN new.stripe_id = 'pi_F3'"
					     " BEGIN SELECT RAISE(ABORT, 'refused'); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	push_text(w, "{\"data\":[" PI("pi_F2", "cus_X", 100, 1767225700) "," PI("pi_F3", "cus_X",
		     100, 1767225800) "]}", "f2");
	int rc = history_writer_flush(w, &err);
	struct history_ingest_stats s = {0};
	int frc = history_writer_finish(&w, &s, &err);
	assert_int_not_equal(rc ? rc : frc, 0);
	assert_non_null(strstr(err.msg, "refused"));
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history"), 1);
	assert_q_text(t->db, "SELECT resume_after FROM sync_state WHERE object = 'payment_intents'",
		      "f1");
	check_rollups(t->db);
}


/* ---- what a reviewer needs to know about a record (schema 17) ------------------ */

#define DISPUTED_PI(id, amount)                                                                 \
	"{\"id\":\"" id "\",\"object\":\"payment_intent\",\"amount\":" #amount                     \
	",\"currency\":\"usd\",\"created\":1700000000,\"status\":\"succeeded\","                   \
	"\"latest_charge\":{\"id\":\"ch_" id "\",\"object\":\"charge\",\"status\":\"succeeded\","  \
	"\"disputed\":true,\"refunded\":false,\"amount_refunded\":0,\"created\":1700000000}}"
#define DISPUTE(id, pi, status, due)                                                            \
	"{\"id\":\"" id "\",\"object\":\"dispute\",\"amount\":1,\"currency\":\"usd\","             \
	"\"created\":1700000100,\"charge\":\"ch_" pi "\",\"payment_intent\":\"" pi "\","           \
	"\"status\":\"" status "\",\"reason\":\"fraudulent\","                                     \
	"\"evidence_details\":{\"due_by\":" #due ",\"has_evidence\":false}}"

static const char *const detail_page =
	"{\"data\":[" DISPUTED_PI("pi_D", 3000) "," DISPUTED_PI("pi_L", 2000) ","
	DISPUTED_PI("pi_W", 1000) "," DISPUTED_PI("pi_I", 700) ","
	"{\"id\":\"pi_F\",\"object\":\"payment_intent\",\"amount\":5000,\"currency\":\"usd\","
	"\"created\":1700000000,\"status\":\"requires_payment_method\",\"last_payment_error\":{"
	"\"type\":\"card_error\",\"code\":\"card_declined\",\"decline_code\":"
	"\"insufficient_funds\",\"message\":\"Your card has insufficient funds.\"}},"
	"{\"id\":\"pi_OK\",\"object\":\"payment_intent\",\"amount\":10000,\"currency\":\"usd\","
	"\"created\":1700000000,\"status\":\"succeeded\",\"latest_charge\":{\"id\":\"ch_OK\","
	"\"object\":\"charge\",\"status\":\"succeeded\",\"disputed\":false,\"refunded\":false,"
	"\"amount_refunded\":500,\"created\":1700000000}},"
	"{\"id\":\"re_1\",\"object\":\"refund\",\"amount\":500,\"currency\":\"usd\",\"created\":"
	"1700000200,\"status\":\"succeeded\",\"charge\":\"ch_OK\",\"payment_intent\":\"pi_OK\"},"
	"{\"id\":\"in_1\",\"object\":\"invoice\",\"amount_due\":4900,\"amount_paid\":4900,"
	"\"currency\":\"usd\",\"created\":1700000000,\"status\":\"paid\",\"subscription\":"
	"\"sub_1\",\"payment_intent\":\"pi_I\",\"lines\":{\"object\":\"list\",\"data\":["
	"{\"id\":\"il_1\",\"object\":\"line_item\",\"type\":\"subscription\",\"description\":"
	"\"1 \u00d7 Monthly membership (at $49.00 / month)\",\"price\":{\"id\":\"price_1\","
	"\"object\":\"price\",\"nickname\":null}}]}}]}";

static const char *const disputes_page =
	"{\"data\":[" DISPUTE("dp_D", "pi_D", "needs_response", 1700604900) ","
	DISPUTE("dp_L", "pi_L", "lost", 1700604900) "," DISPUTE("dp_W", "pi_W", "won", 1700604900)
	"," DISPUTE("dp_I", "pi_I", "warning_closed", 1700604900) "]}";

static void row_of(sqlite3 *db, const char *stripe_id, struct history_row *row)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT id FROM history WHERE stripe_id = '%s'", stripe_id);
	struct pd_error err = {0};
	assert_int_equal(history_row_get(db, q_int(db, sql), row, &err), 0);
}

static void test_decline_links_plan_and_disputes(void **state)
{
	struct t *t = *state;
	ingest_text(t->db, detail_page, NULL);
	ingest_text(t->db, disputes_page, NULL);
	struct history_row r;
	row_of(t->db, "pi_F", &r);
	assert_string_equal(r.status, "failed");
	assert_string_equal(r.failure_code, "card_declined");
	assert_string_equal(r.decline_code, "insufficient_funds");
	row_of(t->db, "re_1", &r);
	assert_string_equal(r.payment, "pi_OK");
	row_of(t->db, "in_1", &r);
	assert_string_equal(r.subscription, "sub_1");
	assert_string_equal(r.plan, "Monthly membership");
	row_of(t->db, "pi_D", &r);
	assert_string_equal(r.status, "disputed");
	assert_string_equal(r.dispute_status, "needs_response");
	assert_int_equal(r.dispute_due_by, 1700604900);
	row_of(t->db, "pi_L", &r);
	assert_string_equal(r.status, "dispute_lost");
	row_of(t->db, "pi_W", &r);
	assert_string_equal(r.status, "succeeded"); /* won: the money stayed */
	assert_string_equal(r.dispute_status, "won");
	row_of(t->db, "pi_I", &r); /* an inquiry closed without a dispute */
	assert_string_equal(r.status, "succeeded");

	/* the payments fetched again (charge.disputed stays true): outcomes kept */
	ingest_text(t->db, detail_page, NULL);
	row_of(t->db, "pi_L", &r);
	assert_string_equal(r.status, "dispute_lost");
	row_of(t->db, "pi_W", &r);
	assert_string_equal(r.status, "succeeded");
	row_of(t->db, "pi_I", &r);
	assert_string_equal(r.status, "succeeded");
	check_rollups(t->db);

	/* Disputed money is not earned: gross leaves it out, and says it apart. */
	struct history_total tot[4];
	int n = 0;
	struct pd_error err = {0};
	struct history_filter f = {0};
	assert_int_equal(history_totals(t->db, &f, tot, 4, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(tot[0].gross, 10000 + 1000 + 700);
	assert_int_equal(tot[0].disputed, 3000);
	assert_int_equal(tot[0].dispute_lost, 2000);
	assert_int_equal(tot[0].refunds, 500);
	f.since = 1600000000; /* not served from the roll-ups alone: the same */
	f.until = 1700000150;
	assert_int_equal(history_totals(t->db, &f, tot, 4, &n, &err), 0);
	assert_int_equal(tot[0].gross, 11700);
	assert_int_equal(tot[0].disputed, 3000);
	assert_int_equal(tot[0].dispute_lost, 2000);
	snprintf(f.search, sizeof f.search, "pi_L");
	f.since = f.until = 0;
	assert_int_equal(history_totals(t->db, &f, tot, 4, &n, &err), 0);
	assert_int_equal(tot[0].gross, 0);
	assert_int_equal(tot[0].dispute_lost, 2000);

	/* and the export says all of it */
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	memset(&f, 0, sizeof f);
	long rows = 0;
	assert_int_equal(history_export(t->db, &f, HISTORY_JSONL, out, &rows, &err), 0);
	fclose(out);
	assert_int_equal(rows, 8);
	json_t *seen[9] = {0};
	int k = 0;
	for (char *line = strtok(buf, "\n"); line && k < 9; line = strtok(NULL, "\n"))
		seen[k++] = json_loads(line, 0, NULL);
	bool refund = false, invoice = false, failed = false, lost = false;
	for (int i = 0; i < k; i++) {
		const char *id = json_string_value(json_object_get(seen[i], "stripe_id"));
		const char *s;
		if (!strcmp(id, "re_1")) {
			refund = true;
			assert_string_equal(json_string_value(json_object_get(seen[i], "payment")),
					    "pi_OK");
		} else if (!strcmp(id, "in_1")) {
			invoice = true;
			assert_string_equal(json_string_value(json_object_get(seen[i], "subscription")),
					    "sub_1");
			assert_string_equal(json_string_value(json_object_get(seen[i], "plan")),
					    "Monthly membership");
		} else if (!strcmp(id, "pi_F")) {
			failed = true;
			assert_string_equal(json_string_value(json_object_get(seen[i], "decline_code")),
					    "insufficient_funds");
			s = json_string_value(json_object_get(seen[i], "decline"));
			assert_non_null(s);
			assert_non_null(strstr(s, "insufficient funds"));
		} else if (!strcmp(id, "pi_L")) {
			lost = true;
			assert_string_equal(json_string_value(json_object_get(seen[i], "dispute_status")),
					    "lost");
			assert_string_equal(json_string_value(json_object_get(seen[i],
									      "dispute_due_by")),
					    "2023-11-21T22:15:00Z");
		}
		json_decref(seen[i]);
	}
	assert_true(refund && invoice && failed && lost);
	free(buf);
}

/* The filter bar shows an amount filter as money, as it was typed (an
 * accountant saw "amount 125000..130000" for 1,250.00..1,300.00 EUR). */
static void test_an_amount_filter_is_described_as_money(void **state)
{
	(void)state;
	char out[256];
	struct history_filter f = {.amount_min_set = true, .amount_max_set = true,
				   .amount_min = 125000, .amount_max = 130000, .currency = "eur"};
	history_filter_describe(&f, out, sizeof out);
	assert_string_equal(out, "eur · amount 1,250.00..1,300.00");
	/* no currency in the filter: the one the amounts were read in says */
	struct history_filter y = {.amount_min_set = true, .amount_min = 3500,
				   .amount_currency = "jpy"};
	history_filter_describe(&y, out, sizeof out);
	assert_string_equal(out, "amount 3,500.. in each currency");
	struct history_filter k = {.amount_max_set = true, .amount_max = 1500,
				   .amount_currency = "kwd"};
	history_filter_describe(&k, out, sizeof out);
	assert_string_equal(out, "amount ..1.500 in each currency");
}

/* Net is gross less refunds and fees, on every line an accountant reads:
 * a failed refund (its money never left) and a disputed payment (apart
 * from gross) are not in fees or net either. A tester found net 1,091,250
 * below gross - refunds - fees: the failed refunds were taken off it. */
static void test_net_is_gross_less_refunds_and_fees(void **state)
{
	struct t *t = *state;
	ingest_text(t->db,
		    "{\"object\": \"list\", \"data\": ["
		    "{\"id\": \"pi_N1\", \"object\": \"payment_intent\", \"amount\": 10000,"
		    " \"currency\": \"usd\", \"created\": 1767225600, \"status\": \"succeeded\","
		    " \"description\": \"Netcheck\", \"latest_charge\": {\"id\": \"ch_N1\","
		    " \"object\": \"charge\", \"status\": \"succeeded\", \"created\": 1767225600,"
		    " \"balance_transaction\": {\"id\": \"txn_N1\", \"object\":"
		    " \"balance_transaction\", \"amount\": 10000, \"fee\": 320, \"net\": 9680,"
		    " \"currency\": \"usd\", \"source\": \"ch_N1\", \"type\": \"charge\"}}},"
		    "{\"id\": \"pi_N2\", \"object\": \"payment_intent\", \"amount\": 5000,"
		    " \"currency\": \"usd\", \"created\": 1767225700, \"status\": \"succeeded\","
		    " \"description\": \"Netcheck\", \"latest_charge\": {\"id\": \"ch_N2\","
		    " \"object\": \"charge\", \"status\": \"succeeded\", \"disputed\": true,"
		    " \"created\": 1767225700, \"balance_transaction\": {\"id\": \"txn_N2\","
		    " \"object\": \"balance_transaction\", \"amount\": 5000, \"fee\": 175,"
		    " \"net\": 4825, \"currency\": \"usd\", \"source\": \"ch_N2\","
		    " \"type\": \"charge\"}}}]}",
		    NULL);
	ingest_text(t->db,
		    "{\"object\": \"list\", \"data\": ["
		    "{\"id\": \"re_N3\", \"object\": \"refund\", \"amount\": 2000, \"currency\":"
		    " \"usd\", \"created\": 1767312000, \"charge\": \"ch_N1\", \"payment_intent\":"
		    " \"pi_N1\", \"status\": \"failed\", \"balance_transaction\": {\"id\":"
		    " \"txn_N3\", \"object\": \"balance_transaction\", \"amount\": -2000,"
		    " \"fee\": 0, \"net\": -2000, \"currency\": \"usd\", \"source\": \"re_N3\","
		    " \"type\": \"refund\"}},"
		    "{\"id\": \"re_N4\", \"object\": \"refund\", \"amount\": 1000, \"currency\":"
		    " \"usd\", \"created\": 1767312100, \"charge\": \"ch_N1\", \"payment_intent\":"
		    " \"pi_N1\", \"status\": \"succeeded\", \"balance_transaction\": {\"id\":"
		    " \"txn_N4\", \"object\": \"balance_transaction\", \"amount\": -1000,"
		    " \"fee\": 0, \"net\": -1000, \"currency\": \"usd\", \"source\": \"re_N4\","
		    " \"type\": \"refund\"}}]}",
		    NULL);
	struct pd_error err = {0};
	struct history_total tot[HISTORY_MAX_CURRENCIES];
	int n = 0;
	/* the whole history (the roll-ups), and a search (its rows) */
	for (int k = 0; k < 2; k++) {
		struct history_filter f = {.currency = "usd"};
		if (k == 1)
			snprintf(f.search, sizeof f.search, "Netcheck");
		struct history_view *v = NULL;
		assert_int_equal(history_view_new(t->db, &f, HISTORY_SORT_DATE, true, &v, &err), 0);
		bool done = !history_view_totals_deferred(v);
		if (done)
			assert_int_equal(history_view_totals(v, tot, HISTORY_MAX_CURRENCIES, &n, &err), 0);
		while (!done)
			assert_int_equal(history_view_totals_step(v, 2, tot, HISTORY_MAX_CURRENCIES, &n,
			                                          &done, &err),
			                 0);
		history_view_free(&v);
		assert_int_equal(n, 1);
		if (k == 1) {
			assert_int_equal(tot[0].gross, 10000);  /* the disputed 50.00 apart */
			assert_int_equal(tot[0].refunds, 1000); /* the failed 20.00 never left */
			assert_int_equal(tot[0].fees, 320);
			assert_int_equal(tot[0].disputed, 5000);
		}
		if (tot[0].net != tot[0].gross - tot[0].refunds - tot[0].fees)
			fail_msg("%s: net %lld, gross %lld - refunds %lld - fees %lld", k ? "search" : "all",
			         (long long)tot[0].net, (long long)tot[0].gross,
			         (long long)tot[0].refunds, (long long)tot[0].fees);
	}
}

/* An amount range without a currency is in each currency's own units: an
 * accountant's "1250 to 1300" in the Filters form (read as dollars) said
 * "USD" and listed euros and pounds, and would have asked for 125,000 yen. */
static void test_an_amount_range_without_a_currency_is_each_currencys(void **state)
{
	struct t *t = *state;
	ingest_text(t->db,
		    "{\"object\": \"list\", \"data\": ["
		    "{\"id\": \"pi_AR1\", \"object\": \"payment_intent\", \"amount\": 125000,"
		    " \"currency\": \"usd\", \"created\": 1767225600, \"status\": \"succeeded\"},"
		    "{\"id\": \"pi_AR2\", \"object\": \"payment_intent\", \"amount\": 129000,"
		    " \"currency\": \"eur\", \"created\": 1767225601, \"status\": \"succeeded\"},"
		    "{\"id\": \"pi_AR3\", \"object\": \"payment_intent\", \"amount\": 1250,"
		    " \"currency\": \"jpy\", \"created\": 1767225602, \"status\": \"succeeded\"},"
		    "{\"id\": \"pi_AR4\", \"object\": \"payment_intent\", \"amount\": 125000,"
		    " \"currency\": \"jpy\", \"created\": 1767225603, \"status\": \"succeeded\"},"
		    "{\"id\": \"pi_AR5\", \"object\": \"payment_intent\", \"amount\": 1250500,"
		    " \"currency\": \"kwd\", \"created\": 1767225604, \"status\": \"succeeded\"},"
		    "{\"id\": \"pi_AR6\", \"object\": \"payment_intent\", \"amount\": 130001,"
		    " \"currency\": \"usd\", \"created\": 1767225605, \"status\": \"succeeded\"}]}",
		    NULL);
	struct history_filter f = {.amount_min_set = true, .amount_max_set = true,
				   .amount_min = 125000, .amount_max = 130000,
				   .amount_currency = "usd"};
	struct pd_error err = {0};
	struct history_view *v = NULL;
	assert_int_equal(history_view_new(t->db, &f, HISTORY_SORT_DATE, true, &v, &err), 0);
	struct history_row rows[16];
	int got = 0;
	assert_int_equal(history_view_page(v, NULL, true, rows, 16, &got, &err), 0);
	history_view_free(&v);
	char seen[256] = "";
	for (int i = 0; i < got; i++)
		if (!strncmp(rows[i].stripe_id, "pi_AR", 5))
			snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s ", rows[i].stripe_id);
	/* 1,250.00 dollars, 1,290.00 euros, 1,250 yen, 1,250.500 dinars */
	assert_string_equal(seen, "pi_AR5 pi_AR3 pi_AR2 pi_AR1 ");
	char out[128];
	history_filter_describe(&f, out, sizeof out);
	assert_string_equal(out, "amount 1,250.00..1,300.00 in each currency");
	/* a currency named: its own units, as typed */
	snprintf(f.currency, sizeof f.currency, "jpy");
	f.amount_min = 1250;
	f.amount_max = 1300;
	assert_int_equal(history_view_new(t->db, &f, HISTORY_SORT_DATE, true, &v, &err), 0);
	assert_int_equal(history_view_page(v, NULL, true, rows, 16, &got, &err), 0);
	history_view_free(&v);
	assert_int_equal(got, 1);
	assert_string_equal(rows[0].stripe_id, "pi_AR3");
}

/* ---- what a record names, months before it (schema 39) ------------------------- */

/* A January payment (2026-01-05), its charge not expanded (its fee comes
 * later, from the balance transactions list). */
#define JAN_PI(id, name)                                                                      \
	"{\"id\":\"" id "\",\"object\":\"payment_intent\",\"amount\":8000,\"currency\":\"usd\","  \
	"\"created\":1767600000,\"status\":\"succeeded\",\"description\":\"Colour\","             \
	"\"customer\":{\"id\":\"cus_" id "\",\"object\":\"customer\",\"name\":\"" name "\"},"     \
	"\"latest_charge\":{\"id\":\"ch_" id "\",\"object\":\"charge\",\"status\":\"succeeded\"," \
	"\"disputed\":false,\"refunded\":false,\"amount_refunded\":0,\"created\":1767600000,"    \
	"\"payment_method_details\":{\"type\":\"card\",\"card\":{\"brand\":\"visa\",\"last4\":"   \
	"\"4242\"}}}}"

static int add_client(void *ctx, const struct accounting_txn *txn)
{
	char *seen = ctx;
	size_t len = strlen(seen);
	snprintf(seen + len, 256 - len, "%s %s|", txn->id, txn->client);
	return 0;
}

/* A refund in June of a January payment, its balance transaction and
 * disputes in July: each finds the payment months back (the store looks
 * Stripe ids up by their date's 30-day bucket since schema 39). */
static void test_what_a_record_names_months_before_it(void **state)
{
	struct t *t = *state;
	ingest_text(t->db,
		    "{\"data\":[" JAN_PI("pi_J1", "Jan Kowalski") "," JAN_PI("pi_J2", "Ines Silva")
		    "," JAN_PI("pi_J3", "Aoife Walsh") "]}",
		    NULL);
	/* March's records in between */
	ingest_text(t->db,
		    "{\"data\":[" PI("pi_M1", "cus_M", 2500, 1772323200) "," PI("pi_M2", "cus_M", 2500,
		    1772409600) "]}",
		    NULL);
	ingest_text(t->db,
		    "{\"data\":[{\"id\":\"re_J1\",\"object\":\"refund\",\"amount\":8000,"
		    "\"currency\":\"usd\",\"created\":1780000000,\"status\":\"succeeded\","
		    "\"charge\":\"ch_pi_J1\",\"payment_intent\":\"pi_J1\"},"
		    /* part of pi_J3 given back in March: a row with its charge too */
		    "{\"id\":\"re_J3\",\"object\":\"refund\",\"amount\":1000,"
		    "\"currency\":\"usd\",\"created\":1772500000,\"status\":\"succeeded\","
		    "\"charge\":\"ch_pi_J3\",\"payment_intent\":\"pi_J3\"},"
		    /* a refund of a payment the history does not hold */
		    "{\"id\":\"re_X\",\"object\":\"refund\",\"amount\":100,\"currency\":\"usd\","
		    "\"created\":1780000100,\"status\":\"succeeded\",\"charge\":\"ch_X\","
		    "\"payment_intent\":\"pi_X\"}]}",
		    NULL);
	assert_q_text(t->db,
		      "SELECT client_name || '|' || card_last4 || '|' || description FROM history"
		      " WHERE stripe_id = 're_J1'",
		      "Jan Kowalski|4242|Colour");
	assert_q_text(t->db, "SELECT ifnull(client_name, '-') FROM history WHERE stripe_id = 're_X'",
		      "-");
	ingest_text(t->db,
		    "{\"data\":[{\"id\":\"txn_J2\",\"object\":\"balance_transaction\",\"amount\":8000,"
		    "\"fee\":262,\"net\":7738,\"currency\":\"usd\",\"source\":\"ch_pi_J2\","
		    "\"type\":\"charge\",\"status\":\"available\",\"created\":1767600001},"
		    "{\"id\":\"dp_J2\",\"object\":\"dispute\",\"amount\":8000,\"currency\":\"usd\","
		    "\"created\":1782000000,\"charge\":\"ch_pi_J2\",\"payment_intent\":\"pi_J2\","
		    "\"status\":\"needs_response\",\"evidence_details\":{\"due_by\":1782600000}},"
		    /* by its charge alone */
		    "{\"id\":\"dp_J3\",\"object\":\"dispute\",\"amount\":8000,\"currency\":\"usd\","
		    "\"created\":1782000100,\"charge\":\"ch_pi_J3\",\"status\":\"lost\"}]}",
		    NULL);
	assert_q_text(t->db,
		      "SELECT fee || '|' || net || '|' || balance_txn FROM history"
		      " WHERE stripe_id = 'pi_J2'",
		      "262|7738|txn_J2");
	assert_q_text(t->db,
		      "SELECT status || '|' || dispute_status || '|' || dispute_due_by FROM history"
		      " WHERE stripe_id = 'pi_J2'",
		      "disputed|needs_response|1782600000");
	assert_q_text(t->db, "SELECT status FROM history WHERE stripe_id = 'pi_J3'", "dispute_lost");
	/* the accountant's export of those months names each transaction's
	 * client: a January charge's, a June refund's, and none for a payout */
	ingest_text(t->db,
		    "{\"data\":[{\"id\":\"txn_R\",\"object\":\"balance_transaction\","
		    "\"amount\":-8000,\"fee\":0,\"net\":-8000,\"currency\":\"usd\",\"source\":"
		    "\"re_J1\",\"type\":\"refund\",\"status\":\"available\",\"created\":1780000000},"
		    /* captured months after its payment was made: found the long way */
		    "{\"id\":\"txn_J3\",\"object\":\"balance_transaction\",\"amount\":8000,"
		    "\"fee\":262,\"net\":7738,\"currency\":\"usd\",\"source\":\"ch_pi_J3\","
		    "\"type\":\"charge\",\"status\":\"available\",\"created\":1780000500},"
		    "{\"id\":\"txn_P\",\"object\":\"balance_transaction\",\"amount\":-50000,"
		    "\"fee\":0,\"net\":-50000,\"currency\":\"usd\",\"source\":\"po_1\",\"type\":"
		    "\"payout\",\"status\":\"available\",\"created\":1781000000}]}",
		    NULL);
	char seen[256] = "";
	assert_int_equal(accounting_txns_each(t->db, 1767225600, 1790000000, "", NULL,
					      add_client, seen, &(struct pd_error){0}),
			 0);
	assert_string_equal(seen, "txn_J2 Ines Silva|txn_R Jan Kowalski|txn_J3 Aoife Walsh|txn_P |");
	/* a refund's balance transaction stamped before it, across a bucket's
	 * edge (2026-09-04 00:00 UTC); one dated far in the future is no
	 * reason to walk for ever */
	ingest_text(t->db,
		    "{\"data\":[{\"id\":\"re_B\",\"object\":\"refund\",\"amount\":500,"
		    "\"currency\":\"usd\",\"created\":1788480010,\"status\":\"succeeded\","
		    "\"charge\":\"ch_pi_J2\",\"payment_intent\":\"pi_J2\"}]}",
		    NULL);
	long steps = 0;
	sqlite3_progress_handler(t->db, 1000, tu_count_steps, &steps);
	ingest_text(t->db,
		    "{\"data\":[{\"id\":\"txn_B\",\"object\":\"balance_transaction\","
		    "\"amount\":-500,\"fee\":-15,\"net\":-485,\"currency\":\"usd\",\"source\":"
		    "\"re_B\",\"type\":\"refund\",\"status\":\"available\",\"created\":1788479990},"
		    "{\"id\":\"txn_F\",\"object\":\"balance_transaction\",\"amount\":1,"
		    "\"fee\":0,\"net\":1,\"currency\":\"usd\",\"source\":\"ch_nowhere\","
		    "\"type\":\"charge\",\"status\":\"available\",\"created\":35184372088832}]}",
		    NULL);
	sqlite3_progress_handler(t->db, 0, NULL, NULL);
	assert_q_text(t->db, "SELECT fee || '|' || balance_txn FROM history WHERE stripe_id = 're_B'",
		      "-15|txn_B");
	assert_in_range(steps, 0, 200); /* 13.5M buckets to the future: millions */
	/* a transaction fetched before its payment (captured in February):
	 * the payment, when it comes, takes its fee */
	ingest_text(t->db,
		    "{\"data\":[{\"id\":\"txn_K\",\"object\":\"balance_transaction\","
		    "\"amount\":8000,\"fee\":77,\"net\":7923,\"currency\":\"usd\",\"source\":"
		    "\"ch_pi_K\",\"type\":\"charge\",\"status\":\"available\",\"created\":1770681600}]}",
		    NULL);
	ingest_text(t->db, "{\"data\":[" JAN_PI("pi_K", "Kofi Okafor") "]}", NULL);
	assert_q_text(t->db, "SELECT fee || '|' || net FROM history WHERE stripe_id = 'pi_K'",
		      "77|7923");
	/* a January payment fetched again, its client renamed: in place */
	struct history_ingest_stats s = {0};
	ingest_text(t->db, "{\"data\":[" JAN_PI("pi_J1", "Jan Kowalski-Nowak") "]}", &s);
	assert_int_equal(s.inserted, 0);
	assert_int_equal(s.updated, 1);
	assert_int_equal(q_int(t->db, "SELECT count(*) FROM history WHERE stripe_id LIKE 'pi_J%'"), 3);
	assert_q_text(t->db, "SELECT client_name FROM history WHERE stripe_id = 'pi_J1'",
		      "Jan Kowalski-Nowak");
	check_rollups(t->db);
}

/* A month's accounting export at month end reads that month's balance
 * transactions, not every one the store holds (a business with years of
 * them: each export, count and currency list read them all). */
static void test_a_months_export_reads_that_month(void **state)
{
	struct t *t = *state;
	assert_int_equal(sqlite3_exec(t->db,
				      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
				      " WHERE i < 20000) INSERT INTO history_balance (id, source, type,"
				      " amount, fee, net, currency, status, created) SELECT"
				      " 'txn_' || i, 'ch_' || i, 'charge', 1000, 59, 941, 'usd',"
				      " 'available', 1735689600 + i * 3600 FROM n",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	long steps = 0;
	sqlite3_progress_handler(t->db, 100, tu_count_steps, &steps);
	struct pd_error err = {0};
	int64_t txns = 0, with_fee = 0;
	/* November 2026: 720 of the 20,000 */
	assert_int_equal(accounting_txns_count(t->db, 1793491200, 1796083200, "", NULL, &txns,
					       &with_fee, &err),
			 0);
	char cur[4][4];
	int n = 0;
	assert_int_equal(accounting_currencies(t->db, 1793491200, 1796083200, NULL, cur, 4, &n,
					       &err),
			 0);
	sqlite3_progress_handler(t->db, 0, NULL, NULL);
	assert_int_equal(txns, 720);
	assert_int_equal(with_fee, 720);
	assert_int_equal(n, 1);
	/* reading 20,000 is over 1,000 hundreds of steps */
	assert_in_range(steps, 0, 300);
}

/* The plan SQLite picks for sql names index (no scan of history). */
static void assert_plan_uses(sqlite3 *db, const char *sql, const char *index)
{
	char explain[512];
	snprintf(explain, sizeof explain, "EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
	bool found = false;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);
		if (strstr(detail, index))
			found = true;
		else if (strstr(detail, "SCAN h"))
			fail_msg("%s: %s", sql, detail);
	}
	sqlite3_finalize(st);
	if (!found)
		fail_msg("%s does not use %s", sql, index);
}

/* A history from before schema 39 (ids indexed alone) is rebuilt with them
 * keyed by date: every record, id and mark kept, the triggers and views
 * on it working, and a lookup by id alone still served by an index. */
static void test_ids_keyed_by_date_after_the_upgrade(void **state)
{
	(void)state;
	char *dir = tu_tempdir(), *path = tu_path(dir, "v38.db");
	struct pd_error err = {0};
	sqlite3 *raw = tu_schema_at(path, 38);
	/* a mark made before its record came, a year of payments, a refund of
	 * the first, a mark */
	assert_int_equal(sqlite3_exec(raw,
				      "INSERT INTO reviews (stripe_id, flagged, flagged_by, flagged_at)"
				      "  VALUES ('pi_000000000000000000001500', 1, 'alice', 1);"
				      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
				      "  WHERE i < 2000)"
				      "INSERT INTO history (id, stripe_id, type, created, amount, currency,"
				      "  status, charge_id, payment_intent, client_name, synced_at)"
				      "  SELECT i * 7, printf('pi_%024d', i), 'payment',"
				      "  1735689600 + i * 15768, i, 'usd', 'succeeded',"
				      "  printf('ch_%024d', i), printf('pi_%024d', i), 'Client ' || i, 1"
				      "  FROM n;"
				      "INSERT INTO history (id, stripe_id, type, created, amount, currency,"
				      "  status, payment_intent, synced_at) VALUES (20000,"
				      "  're_000000000000000000000001', 'refund', 1767225600, -1, 'usd',"
				      "  'succeeded', 'pi_000000000000000000000001', 1);"
				      "INSERT INTO history_fts (rowid, client_name, email, description)"
				      "  SELECT " HISTORY_FTS_KEY("created", "id") ", client_name, email,"
				      "  description FROM history;"
				      "INSERT INTO history_day SELECT created / 86400, type, status,"
				      "  currency, count(*), sum(amount), 0, 0 FROM history"
				      "  GROUP BY 1, 2, 3, 4;"
				      "INSERT INTO reviews (stripe_id, reviewed, reviewed_by, reviewed_at)"
				      "  VALUES ('pi_000000000000000000000700', 1, 'alice', 1);"
				      "INSERT INTO history_balance (id, source, type, amount, fee, net,"
				      "  currency, status, created) VALUES ('txn_1',"
				      "  'ch_000000000000000000000001', 'charge', 1, 0, 1, 'usd',"
				      "  'available', 1735705368);",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);

	sqlite3 *db;
	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(q_int(db, "PRAGMA user_version"), db_schema_latest());
	assert_int_equal(q_int(db, "SELECT count(*) FROM history"), 2001);
	assert_int_equal(q_int(db, "SELECT sum(id) FROM history WHERE type = 'payment'"),
			 7 * 2000 * 2001 / 2);
	assert_int_equal(q_int(db, "SELECT count(DISTINCT created_bucket) FROM history"), 13);
	struct history_row row;
	assert_int_equal(history_row_get(db, 4900, &row, &err), 0);
	assert_string_equal(row.stripe_id, "pi_000000000000000000000700");
	assert_int_equal(row.marks, HISTORY_MARK_REVIEWED);
	/* the review filter pages from the marks */
	struct history_filter f = {.review = HISTORY_REVIEW_REVIEWED};
	struct history_total tot[HISTORY_MAX_CURRENCIES];
	int n = 0;
	assert_int_equal(history_totals(db, &f, tot, HISTORY_MAX_CURRENCIES, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(tot[0].count, 1);
	assert_int_equal(tot[0].gross, 700);
	/* a lookup by id alone: one probe a bucket, never a scan */
	assert_plan_uses(db, "SELECT id FROM history h WHERE stripe_id = 'pi_1'", "history_sid");
	assert_plan_uses(db, "SELECT id FROM history h WHERE charge_id = 'ch_1'", "history_charge");
	assert_plan_uses(db,
			 "SELECT id FROM history h WHERE payment_intent = 'pi_1' AND type = 'refund'",
			 "history_refunds_of");
	assert_plan_uses(db, "SELECT id FROM history h WHERE subscription_id = 'sub_1'",
			 "history_subscription");
	assert_plan_uses(db, "SELECT id FROM history h WHERE card_last4 = '4242'", "history_last4");
	assert_int_equal(q_int(db, "SELECT id FROM history WHERE stripe_id ="
				   " 'pi_000000000000000000001999'"),
			 7 * 1999);
	/* balance transactions kept (schema 40), still naming their record */
	char seen[256] = "";
	assert_int_equal(accounting_txns_each(db, 1735689600, 1736000000, "", NULL, add_client,
					      seen, &err),
			 0);
	assert_string_equal(seen, "txn_1 Client 1|");
	/* the detail pane lists the refund under its payment */
	struct history_detail d;
	assert_int_equal(history_detail_get(db, 7, &d, &err), 0);
	assert_non_null(strstr(d.refunds, "re_000000000000000000000001"));
	history_detail_free(&d);
	/* a mark made now finds its record's key (the reviews_key trigger) */
	assert_int_equal(history_mark_set(db, "pi_000000000000000000001999", HISTORY_MARK_FLAGGED,
					  true, "bob", &err),
			 0);
	assert_int_equal(q_int(db, "SELECT hid FROM reviews WHERE stripe_id ="
				   " 'pi_000000000000000000001999'"),
			 7 * 1999);
	/* and the one made before its record is listed by the flagged filter */
	f.review = HISTORY_REVIEW_FLAGGED;
	assert_int_equal(history_totals(db, &f, tot, HISTORY_MAX_CURRENCIES, &n, &err), 0);
	assert_int_equal(tot[0].count, 2);
	/* the roll-ups' triggers and the currencies' view came back */
	if (db_exec(db, "DELETE FROM history WHERE id = 14", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(q_int(db, "SELECT sum(n) FROM history_day"), 2000);
	assert_q_text(db, "SELECT group_concat(c) FROM history_currencies", "usd");
	/* a record fetched again: in place, not twice */
	ingest_text(db,
		    "{\"data\":[" PI("pi_000000000000000000001000", "cus_1", 1000, 1751457600) "]}",
		    NULL);
	assert_int_equal(q_int(db, "SELECT count(*) FROM history WHERE stripe_id ="
				   " 'pi_000000000000000000001000'"),
			 1);
	assert_int_not_equal(db_exec(db,
				     "INSERT INTO history (stripe_id, type, created, amount, currency,"
				     " status, synced_at) VALUES ('pi_000000000000000000001000',"
				     " 'payment', 1751457601, 1, 'usd', 'succeeded', 1)",
				     NULL),
			     0);
	db_close(&db);
	tu_rm_rf(dir);
	free(dir);
	free(path);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ingest_maps_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_updates_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refund_and_balance_fold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_page_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters_and_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyset_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_and_unreviewed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_filter_too_long_is_refused_never_cut, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_amounts_typed_as_people_write_them, setup,
						teardown),
		cmocka_unit_test(test_amount_words_of_any_text),
		cmocka_unit_test_setup_teardown(test_export_csv_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_as_signed_in_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mark_a_whole_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollups_at_month_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_inside_callers_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollup_overflow_fails_the_page, setup, teardown),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_an_amount_filter_is_described_as_money),
		cmocka_unit_test_setup_teardown(
		    test_an_amount_range_without_a_currency_is_each_currencys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net_is_gross_less_refunds_and_fees, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_names_for_bare_customer_ids, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_writer_thread_pages_rollups_and_search, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_writer_failure_keeps_earlier_commits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_decline_links_plan_and_disputes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_what_a_record_names_months_before_it, setup,
						teardown),
		cmocka_unit_test(test_ids_keyed_by_date_after_the_upgrade),
		cmocka_unit_test_setup_teardown(test_a_months_export_reads_that_month, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
