/* A history filter's SQL (one module for the screen and `paydesk export`)
 * and keyset-paged views; the filter's checks and description are
 * history_filter.c's, the totals history_totals.c's. */
#include "paydesk/history.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <time.h>

#include "history_internal.h"
#include "paydesk/db.h"

/* ---- SQL from a filter ---------------------------------------------------- */

#define MATCH_MAX 2500 /* a MATCH expression (history_sql's text binds hold 2,600) */
#define NUMBERS_MAX 1200
#define NUMBERS_ROWS_MAX 1024
/* f's numbers as terms of the search index beside match, its words
 * (history_search_numbers_fts); false when there are none, or they do not
 * fit beside the words (a number in 40-odd currencies held): the amount
 * index is asked instead. */
static bool numbers_terms(sqlite3 *db, const struct history_filter *f, const char *match,
                          char numbers[NUMBERS_MAX], char rows[NUMBERS_ROWS_MAX])
{
	return f->search[0] &&
	       history_search_numbers_fts(db, f->search, match[0] != '\0', numbers, NUMBERS_MAX,
	                                  rows, NUMBERS_ROWS_MAX) &&
	       strlen(match) + strlen(numbers) + 8 < MATCH_MAX;
}

enum { FROM_HISTORY, FROM_FTS, FROM_IDS, FROM_REVIEWS, FROM_NUMBERS };

/* FROM and WHERE (no ORDER BY) for f. amount_sort: keep the status
 * condition off its index so the amount index drives. */
static int build_where(sqlite3 *db, const struct history_filter *f, struct history_sql *q,
                       bool amount_sort, bool unreviewed_only, struct history_walk *walk,
                       enum history_numbers_by numbers_by);

int history_build_where(sqlite3 *db, const struct history_filter *f, struct history_sql *q,
                        bool amount_sort, bool unreviewed_only)
{
	return build_where(db, f, q, amount_sort, unreviewed_only, NULL, HISTORY_NUMBERS_INDEX);
}

/* walk: the search's rows are tested one by one as the amount indexes are
 * walked (history_walk.c), instead of driven by the search index; a walk
 * of rows only (history_walk_rows) counts the rows read against its
 * budget, whichever drives. numbers_by: how amounts and card digits are
 * asked (HISTORY_NUMBERS_FTS: as terms of the search index, by date;
 * HISTORY_NUMBERS_IDS: beside words, a price rare among their matches). */
static int build_where(sqlite3 *db, const struct history_filter *f, struct history_sql *q,
                       bool amount_sort, bool unreviewed_only, struct history_walk *walk,
                       enum history_numbers_by numbers_by)
{
	char match[MATCH_MAX], ids[4][HISTORY_ID_WORD_MAX], letters[2][HISTORY_TERM_MAX];
	history_search_fts(db, f, match, sizeof match, letters);
	/* numbers as terms of the search index, beside its words (schema 41);
	 * what does not fit there is asked of the amount index */
	char numbers[NUMBERS_MAX], numbers_rows[NUMBERS_ROWS_MAX];
	if (numbers_by == HISTORY_NUMBERS_FTS && !numbers_terms(db, f, match, numbers, numbers_rows))
		numbers_by = HISTORY_NUMBERS_INDEX;
	if (numbers_by == HISTORY_NUMBERS_FTS && numbers[0])
		history_cat(match, sizeof match, "%s%s", match[0] ? " AND " : "", numbers);
	int nids = f->search[0] ? history_search_id_words(f->search, ids, 4) : 0;
	int from = FROM_HISTORY;
	if (!match[0] && nids > 0) {
		/* an id search: the matching rowids drive, from the id indexes */
		from = FROM_IDS;
		history_sql_add(q, " FROM (");
		history_search_id_rowids(q, ids[0]);
		history_sql_add(q, ") m CROSS JOIN history h ON h.id = m.id"
		                   " LEFT JOIN reviews r ON r.stripe_id = h.stripe_id WHERE 1");
	} else if (match[0] && walk && !history_walk_rows_only(walk)) {
		from = FROM_FTS;
		history_sql_add(q,
		                " FROM history h LEFT JOIN reviews r ON r.stripe_id = h.stripe_id"
		                " WHERE 1");
		history_walk_check(walk, q, true);
	} else if (match[0]) {
		from = FROM_FTS;
		history_sql_add(q, " FROM history_fts f CROSS JOIN history h"
		                   " ON h.id = f.rowid & " HISTORY_FTS_ID_MASK
		                   " LEFT JOIN reviews r ON r.stripe_id = h.stripe_id"
		                   " WHERE history_fts MATCH ?");
		history_sql_text(q, match);
		if (walk) /* each match read counts */
			history_walk_check(walk, q, true);
	} else if (f->search[0] &&
	           history_search_numbers(db, NULL, f->search, NULL, HISTORY_NUMBERS_INDEX)) {
		/* amounts and card digits alone: one pass over the rows, gathered once */
		from = FROM_NUMBERS;
		history_sql_add(
		    q, " FROM history h LEFT JOIN reviews r ON r.stripe_id = h.stripe_id WHERE 1");
		if (walk) /* each row read counts */
			history_walk_check(walk, q, true);
	} else if (f->review == HISTORY_REVIEW_REVIEWED || f->review == HISTORY_REVIEW_FLAGGED) {
		from = FROM_REVIEWS;
		history_sql_add(
		    q, " FROM reviews r CROSS JOIN history h ON h.id = r.hid WHERE 1");
	} else {
		history_sql_add(
		    q, " FROM history h LEFT JOIN reviews r ON r.stripe_id = h.stripe_id WHERE 1");
	}
	for (int i = from == FROM_IDS ? 1 : 0; i < nids; i++) {
		history_sql_add(q, " AND h.id IN (");
		history_search_id_rowids(q, ids[i]);
		history_sql_add(q, ")");
	}
	if (match[0])
		history_search_letters(q, letters);
	if (numbers_by == HISTORY_NUMBERS_FTS)
		history_sql_add(q, numbers_rows);
	else if (f->search[0])
		history_search_numbers(db, q, f->search, match,
		                       numbers_by == HISTORY_NUMBERS_IDS &&
		                               (from != FROM_FTS || (walk && !history_walk_rows_only(walk)))
		                           ? HISTORY_NUMBERS_INDEX
		                           : numbers_by);
	/* amounts and card digits gathered: their own index terms drive, not
	 * a date range or a currency (a "since" read the currency's rows from
	 * that date: 3 s at 10M records) */
	bool numbers_drive = from == FROM_NUMBERS;
	const char *plus = amount_sort || numbers_drive ? "+" : "";
	const char *dplus = numbers_drive ? "+" : "";
	if (f->since) {
		history_cat(q->text, sizeof q->text, " AND %sh.created >= ?", dplus);
		history_sql_int(q, f->since);
	}
	if (f->until) {
		history_cat(q->text, sizeof q->text, " AND %sh.created < ?", dplus);
		history_sql_int(q, f->until);
	}
	if (f->status[0]) {
		history_cat(q->text, sizeof q->text, " AND %sh.status = ?", plus);
		history_sql_text(q, f->status);
	}
	if (f->type[0]) {
		history_sql_add(q, " AND h.type = ?");
		history_sql_text(q, f->type);
	}
	if (f->currency[0]) {
		/* the amount indexes begin with lower(currency) (schema 38): by
		 * amount, the currency leads the walk down them, unless other
		 * rows drive (the search's, the ids', the marks'); by date it
		 * is history_currency's, in created order */
		bool lead = amount_sort && (from == FROM_HISTORY || (from == FROM_FTS && walk &&
		                                                     !history_walk_gathers(walk)));
		history_cat(q->text, sizeof q->text, " AND %s = ?",
		            lead ? HISTORY_AMOUNT_CUR : plus[0] ? "+h.currency" : "h.currency");
		history_sql_text(q, f->currency);
	}
	if (f->client[0] && history_search_is_customer_id(f->client)) {
		history_sql_add(q, " AND h.customer_id = ?");
		history_sql_text(q, f->client);
	}
	history_filter_amount_sql(q, f);
	if (f->review == HISTORY_REVIEW_REVIEWED)
		history_sql_add(q, " AND r.reviewed = 1");
	else if (f->review == HISTORY_REVIEW_FLAGGED)
		history_sql_add(q, " AND r.flagged = 1");
	if (f->review == HISTORY_REVIEW_UNREVIEWED || unreviewed_only)
		history_sql_add(q, " AND ifnull(r.reviewed, 0) = 0");
	if (match[0] && walk)
		history_walk_check(walk, q, false);
	return from;
}

/* ---- views ----------------------------------------------------------------- */

static int materialize(struct history_view *v, struct pd_error *err);
static bool negative_money_in(sqlite3 *db);
#define ROW_COLUMNS HISTORY_ROW_COLUMNS

/* Statement slots: direction × (from a key or from an end) × unreviewed only. */
enum { V_FWD = 1, V_KEY = 2, V_UNREV = 4, V_SLOTS = 8 };

struct history_view {
	sqlite3 *db;
	struct history_filter f;
	enum history_sort sort;
	bool desc;
	sqlite3_stmt *st[V_SLOTS];
	struct history_sql where[2]; /* [unreviewed_only] */
	/* Search, id and review filters: the matching rows are gathered once into
	 * this temp table (id and what sorting and totals need), then every page
	 * and the totals read it instead of repeating the search. "" otherwise. */
	char temp[32];
	/* A search by date: pages come straight from the search index in its
	 * key order (created * 2^30 + id); totals a chunk at a time (tkey_done:
	 * keys below it are added up already). */
	bool fts_date;
	/* A review filter (reviewed / flagged) by date: pages come from the
	 * reviews' own (created, hid) index (schema 31), totals a chunk of
	 * reviews at a time (by their rowid, tkey_done: those up to it). */
	bool review_date;
	/* A prefix FTS5 would expand itself and a price by date ("client 79"),
	 * or a price whose terms do not fit the MATCH: the search index's
	 * matches tested for the price as they are read, within a budget
	 * (walk_where); past it, gathered by the ids the price's indexes find
	 * instead (HISTORY_NUMBERS_IDS). */
	bool numbers_words;
	/* A prefix FTS5 would expand itself by date ("client", "e": 25k terms,
	 * 2.8 s a page at 10M records, as long again for every key while the
	 * count went on): pages from the date index, each row tested for the
	 * words (walk_where, a budget); totals a window of ids at a time. */
	bool words_date;
	/* A search's numbers are terms of the search index (schema 41), paged
	 * by date from it with its words (numbers_in_index). */
	bool numbers_fts;
	/* A search sorted by amount, walked down the amount indexes (walk_where:
	 * its rows tested one by one); NULL when gathered. */
	struct history_walk *walk;
	struct history_sql walk_where[2];
	bool negative_in; /* money in below zero (or out above): the parts are merged */
	bool totals_started;
	int64_t tkey_done;
	int64_t tkey_last; /* words_date: the last id, read when the totals start */
};

static void copy_text(char *dst, size_t len, const unsigned char *src)
{
	snprintf(dst, len, "%s", src ? (const char *)src : "");
}

void history_row_from_stmt(sqlite3_stmt *st, struct history_row *row)
{
	row->id = sqlite3_column_int64(st, 0);
	copy_text(row->stripe_id, sizeof row->stripe_id, sqlite3_column_text(st, 1));
	copy_text(row->type, sizeof row->type, sqlite3_column_text(st, 2));
	row->created = sqlite3_column_int64(st, 3);
	row->amount = sqlite3_column_int64(st, 4);
	copy_text(row->currency, sizeof row->currency, sqlite3_column_text(st, 5));
	copy_text(row->status, sizeof row->status, sqlite3_column_text(st, 6));
	copy_text(row->customer_id, sizeof row->customer_id, sqlite3_column_text(st, 7));
	copy_text(row->client, sizeof row->client, sqlite3_column_text(st, 8));
	copy_text(row->email, sizeof row->email, sqlite3_column_text(st, 9));
	copy_text(row->description, sizeof row->description, sqlite3_column_text(st, 10));
	copy_text(row->brand, sizeof row->brand, sqlite3_column_text(st, 11));
	copy_text(row->last4, sizeof row->last4, sqlite3_column_text(st, 12));
	row->has_fee = sqlite3_column_type(st, 13) != SQLITE_NULL;
	row->fee = sqlite3_column_int64(st, 13);
	row->net = sqlite3_column_int64(st, 14);
	row->amount_refunded = sqlite3_column_int64(st, 15);
	row->marks = (sqlite3_column_int(st, 16) ? HISTORY_MARK_REVIEWED : 0) |
	             (sqlite3_column_int(st, 17) ? HISTORY_MARK_FLAGGED : 0) |
	             (sqlite3_column_int(st, 18) ? HISTORY_MARK_NOTE : 0);
	/* a payment's own id is no link */
	const unsigned char *pi = sqlite3_column_text(st, 19);
	copy_text(row->payment, sizeof row->payment,
	          pi && strcmp((const char *)pi, row->stripe_id) != 0 ? pi : NULL);
	copy_text(row->subscription, sizeof row->subscription, sqlite3_column_text(st, 20));
	copy_text(row->plan, sizeof row->plan, sqlite3_column_text(st, 21));
	copy_text(row->failure_code, sizeof row->failure_code, sqlite3_column_text(st, 22));
	copy_text(row->decline_code, sizeof row->decline_code, sqlite3_column_text(st, 23));
	copy_text(row->dispute_status, sizeof row->dispute_status, sqlite3_column_text(st, 24));
	row->dispute_due_by = sqlite3_column_int64(st, 25);
}

/* The view's rows as its walk tests them (walk_where, both slots). */
static void walk_wheres(struct history_view *v, bool amount_sort, enum history_numbers_by by)
{
	for (int u = 0; u < 2; u++)
		build_where(v->db, &v->f, &v->walk_where[u], amount_sort, u == 1, v->walk, by);
}

/* By date, a search's numbers are asked of the search index with its
 * words, unless the words hold a prefix FTS5 would expand itself ("client
 * 1300": every term beginning "client" read first): that one is walked
 * (date_walk). */
static bool numbers_in_index(sqlite3 *db, const struct history_filter *f)
{
	char match[MATCH_MAX], letters[2][HISTORY_TERM_MAX];
	char numbers[NUMBERS_MAX], rows[NUMBERS_ROWS_MAX];
	history_search_fts(db, f, match, sizeof match, letters);
	return !history_search_scans_prefix(match) && numbers_terms(db, f, match, numbers, rows);
}

/* By date, the views that page down an index testing each row, within a
 * budget (history_view_page gathers past it): a prefix FTS5 would expand
 * itself (words_date), and such a prefix with a price (numbers_words). */
static int date_walk(struct history_view *v, struct pd_error *err)
{
	sqlite3 *db = v->db;
	const struct history_filter *f = &v->f;
	int rc;
	if (!v->fts_date)
		return PD_OK;
	char match[MATCH_MAX], letters[2][HISTORY_TERM_MAX];
	history_search_fts(db, f, match, sizeof match, letters);
	/* with a price, the price's ids gather the rows past the budget
	 * (numbers_words), not the prefix FTS5 expands ("e 1300": 745 ms at
	 * 1M records by the date walk, a reviewer found) */
	bool priced = !v->numbers_fts &&
	              history_search_numbers(db, NULL, f->search, NULL, HISTORY_NUMBERS_INDEX) > 0;
	if (!priced && history_search_scans_prefix(match)) {
		if ((rc = history_walk_words_new(db, f, &v->walk, err)))
			return rc;
		if (v->walk) {
			v->fts_date = false;
			v->words_date = true;
			walk_wheres(v, false, HISTORY_NUMBERS_INDEX);
			return PD_OK;
		}
	}
	if (priced) {
		if ((rc = history_walk_rows(&v->walk, err)))
			return rc;
		v->numbers_words = true;
		walk_wheres(v, false, HISTORY_NUMBERS_INDEX);
	}
	return PD_OK;
}

int history_view_new(sqlite3 *db, const struct history_filter *f, enum history_sort sort,
                     bool descending, struct history_view **out, struct pd_error *err)
{
	*out = NULL;
	int rc = history_filter_check(f, err);
	if (rc)
		return rc;
	struct history_view *v = calloc(1, sizeof *v);
	if (!v)
		return pd_error_set(err, PD_ERR, "out of memory");
	v->db = db;
	v->f = *f;
	v->sort = sort;
	v->desc = descending;
	int from = FROM_HISTORY;
	v->numbers_fts = sort == HISTORY_SORT_DATE && numbers_in_index(db, f);
	for (int u = 0; u < 2; u++)
		from = build_where(db, f, &v->where[u], sort == HISTORY_SORT_AMOUNT, u == 1, NULL,
		                   v->numbers_fts ? HISTORY_NUMBERS_FTS : HISTORY_NUMBERS_INDEX);
	/* a search sorted by date pages from the search index's own order */
	v->fts_date = from == FROM_FTS && sort == HISTORY_SORT_DATE;
	v->review_date = from == FROM_REVIEWS && sort == HISTORY_SORT_DATE;
	if (sort == HISTORY_SORT_DATE && (rc = date_walk(v, err))) {
		history_view_free(&v);
		return rc;
	}
	if (from == FROM_FTS && sort == HISTORY_SORT_AMOUNT) {
		if ((rc = history_walk_new(db, f, &v->walk, err))) {
			history_view_free(&v);
			return rc;
		}
		if (v->walk && history_walk_gathers(v->walk)) {
			/* few: gathered by the ids the walk found */
			for (int u = 0; u < 2; u++) {
				memset(&v->where[u], 0, sizeof v->where[u]);
				build_where(db, f, &v->where[u], true, u == 1, v->walk,
				            HISTORY_NUMBERS_INDEX);
			}
			rc = materialize(v, err);
			history_walk_free(&v->walk);
			if (rc) {
				history_view_free(&v);
				return rc;
			}
		}
		if (v->walk)
			walk_wheres(v, true, HISTORY_NUMBERS_INDEX);
	}
	for (int u = 0; u < 2; u++)
		if (history_sql_overflow(&v->where[u]) || history_sql_overflow(&v->walk_where[u])) {
			history_view_free(&v);
			return pd_error_set(err, PD_ERR_USAGE, HISTORY_SQL_TOO_LONG);
		}
	v->negative_in = sort == HISTORY_SORT_AMOUNT && negative_money_in(db);
	if (from != FROM_HISTORY && !v->fts_date && !v->review_date &&
	    !v->walk && !v->temp[0] && (rc = materialize(v, err))) {
		history_view_free(&v);
		return rc;
	}
	*out = v;
	return PD_OK;
}

/* Gather the rows of a search / id / review filter into a temp table. */
static int materialize(struct history_view *v, struct pd_error *err)
{
	if (history_sql_overflow(&v->where[0]))
		return pd_error_set(err, PD_ERR_USAGE, HISTORY_SQL_TOO_LONG);
	/* unique per connection is enough; atomic, as an export's view may be
	 * made on a worker thread while the screen makes its own */
	static atomic_uint counter;
	snprintf(v->temp, sizeof v->temp, "history_m%u", atomic_fetch_add(&counter, 1) + 1);
	/* In a temp file behind SQLite's bounded cache, not in memory: a
	 * broad search sorted by amount gathers hundreds of thousands of rows
	 * at 10M records (RSS 18 -> 37 MB in memory; as fast here: 64 vs 67
	 * ms at 1M, the file stays in the OS cache). */
	if (sqlite3_get_autocommit(v->db))
		sqlite3_exec(v->db, "PRAGMA temp_store = FILE", NULL, NULL, NULL);
	char *sql = NULL;
	if (asprintf(&sql,
	             "CREATE TEMP TABLE %s AS SELECT h.id AS id, h.created AS created,"
	             " h.amount AS amount, h.currency AS currency, h.type AS type,"
	             " h.status AS status, h.fee AS fee, h.net AS net%s",
	             v->temp, v->where[0].text) < 0)
		return pd_error_set(err, PD_ERR, "out of memory");
	sqlite3_stmt *st;
	int rc = db_prepare(v->db, sql, &st, err);
	free(sql);
	if (rc) {
		v->temp[0] = '\0';
		return rc;
	}
	history_sql_bind(&v->where[0], st, 1);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		v->temp[0] = '\0';
		return db_fail(v->db, "searching history", err);
	}
	/* the view's own order only: a view has one (the other index cost 74
	 * to 127 ms for a first name's 316k matches at 10M records) */
	if (asprintf(&sql, "CREATE INDEX temp.%1$s_k ON %1$s(%2$s, id)", v->temp,
	             v->sort == HISTORY_SORT_AMOUNT ? "amount" : "created") < 0)
		return pd_error_set(err, PD_ERR, "out of memory");
	rc = db_exec(v->db, sql, err);
	free(sql);
	if (rc)
		return rc;
	for (int u = 0; u < 2; u++) {
		memset(&v->where[u], 0, sizeof v->where[u]);
		snprintf(v->where[u].text, sizeof v->where[u].text,
		         " FROM %s m CROSS JOIN history h ON h.id = m.id"
		         " LEFT JOIN reviews r ON r.stripe_id = h.stripe_id WHERE 1%s",
		         v->temp, u ? " AND ifnull(r.reviewed, 0) = 0" : "");
	}
	return PD_OK;
}

int history_view_totals(struct history_view *v, struct history_total *out, int max, int *n,
                        struct pd_error *err)
{
	if (!v->temp[0])
		return history_totals(v->db, &v->f, out, max, n, err);
	*n = 0;
	char sql[1024];
	snprintf(sql, sizeof sql, "%s FROM %s GROUP BY currency", SUMS("", "count(*)", "1"),
	         v->temp);
	int rc = history_run_totals(v->db, sql, NULL, out, max, n, 1, err);
	if (!rc)
		qsort(out, (size_t)*n, sizeof *out, history_cmp_total);
	return rc;
}

bool history_view_totals_deferred(const struct history_view *v)
{
	return v->fts_date || v->review_date || v->walk;
}

void history_view_totals_reset(struct history_view *v)
{
	v->totals_started = false;
}

/* A chunk's statement (sql, freed here; NULL: out of memory) prepared,
 * the view's own values bound; *next: the first value left to bind. */
static int chunk_stmt(struct history_view *v, const struct history_sql *w, char *sql,
                      sqlite3_stmt **st, int *next, struct pd_error *err)
{
	if (!sql)
		return pd_error_set(err, PD_ERR, "out of memory");
	int rc = db_prepare(v->db, sql, st, err);
	free(sql);
	if (!rc)
		*next = history_sql_bind(w, *st, 1);
	return rc;
}

/* The matches among the next `ids` ids (w: the view's rows, as a walk
 * tests them or through the amount and card indexes), added to out. */
static int ids_totals_step(struct history_view *v, const struct history_sql *w, int64_t ids,
                           struct history_total *out, int max, int *n, bool *done,
                           struct pd_error *err)
{
	int rc;
	if (!v->totals_started) {
		sqlite3_stmt *last;
		if ((rc = db_prepare(v->db, "SELECT ifnull(max(id), 0) FROM history", &last, err)))
			return rc;
		v->tkey_last = sqlite3_step(last) == SQLITE_ROW ? sqlite3_column_int64(last, 0) : 0;
		sqlite3_finalize(last);
		v->totals_started = true;
		v->tkey_done = 0;
		*n = 0;
	}
	char *sql = NULL;
	if (asprintf(&sql,
	             "%s FROM (SELECT h.currency AS currency, h.type AS type, h.status AS status,"
	             " h.amount AS amount, h.fee AS fee, h.net AS net%s AND h.id > ? AND h.id <= ?)"
	             " GROUP BY currency",
	             SUMS("", "count(*)", "1"), w->text) < 0)
		sql = NULL;
	sqlite3_stmt *st;
	int i;
	if ((rc = chunk_stmt(v, w, sql, &st, &i, err)))
		return rc;
	int64_t upto = v->tkey_done + ids;
	sqlite3_bind_int64(st, i++, v->tkey_done);
	sqlite3_bind_int64(st, i, upto);
	if (v->walk) /* every row of the window is read: no page's budget */
		history_walk_spend_freely(v->walk, true);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		history_total_add_row(st, out, max, n, 1);
	sqlite3_finalize(st);
	if (v->walk)
		history_walk_spend_freely(v->walk, false);
	if (rc != SQLITE_DONE)
		return db_fail(v->db, "adding up history", err);
	v->tkey_done = upto;
	*done = upto >= v->tkey_last;
	/* in the order of the finished totals as they grow: the most used
	 * currency first (a tester saw USD, 70 % of the records, hidden under
	 * "+2 more" while a count went on) */
	qsort(out, (size_t)*n, sizeof *out, history_cmp_total);
	return PD_OK;
}

/* A chunk of a search's totals: the next `chunk` matches below the last
 * chunk's last key, added to out. */
int history_view_totals_step(struct history_view *v, int chunk, struct history_total *out, int max,
                             int *n, bool *done, struct pd_error *err)
{
	*done = false;
	if (!history_view_totals_deferred(v)) {
		*done = true;
		return history_view_totals(v, out, max, n, err);
	}
	/* ids enough for about `chunk` matches: a prefix's words are tested
	 * on every row read, 3 us each */
	if (v->words_date)
		return ids_totals_step(v, &v->walk_where[0], (int64_t)chunk * 4, out, max, n, done,
		                       err);
	/* the search index's keys downward, or the reviews' rowids upward */
	bool up = v->review_date;
	if (!v->totals_started) {
		v->totals_started = true;
		v->tkey_done = up ? 0 : INT64_MAX;
		*n = 0;
	}
	const char *k = up ? "r.rowid" : "f.rowid";
	char *sql = NULL;
	if (asprintf(&sql,
	             "%s, %s(k) FROM (SELECT %s AS k, h.currency AS currency,"
	             " h.type AS type, h.status AS status, h.amount AS amount, h.fee AS fee,"
	             " h.net AS net%s AND %s %s ? ORDER BY %s %s LIMIT ?) GROUP BY currency",
	             SUMS("", "count(*)", "1"), up ? "max" : "min", k, v->where[0].text, k,
	             up ? ">" : "<", k, up ? "ASC" : "DESC") < 0)
		sql = NULL;
	sqlite3_stmt *st;
	int i, rc;
	if ((rc = chunk_stmt(v, &v->where[0], sql, &st, &i, err)))
		return rc;
	sqlite3_bind_int64(st, i++, v->tkey_done);
	sqlite3_bind_int(st, i, chunk);
	int64_t rows = 0, reached = v->tkey_done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		history_total_add_row(st, out, max, n, 1);
		rows += sqlite3_column_int64(st, 1);
		int64_t key = sqlite3_column_int64(st, 11);
		if (up ? key > reached : key < reached)
			reached = key;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(v->db, "adding up history", err);
	v->tkey_done = reached;
	*done = rows < chunk;
	qsort(out, (size_t)*n, sizeof *out, history_cmp_total); /* as ids_totals_step */
	return PD_OK;
}

void history_view_free(struct history_view **v)
{
	if (!v || !*v)
		return;
	for (int i = 0; i < V_SLOTS; i++)
		sqlite3_finalize((*v)->st[i]);
	history_walk_free(&(*v)->walk);
	if ((*v)->temp[0]) {
		char sql[64];
		snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.%s", (*v)->temp);
		sqlite3_exec((*v)->db, sql, NULL, NULL, NULL);
		/* A broad search's rows (27.8k at 1M records) stayed in the heap for
		 * the rest of the session: 21 MB at its end instead of 18 (issue 21). */
		sqlite3_db_release_memory((*v)->db);
		malloc_trim(0);
	}
	free(*v);
	*v = NULL;
}

/* Money out (refunds) sorts as negative: by amount is by signed amount. */
static bool is_out(const char *type)
{
	return strcmp(type, "refund") == 0 || strcmp(type, "desk_refund") == 0;
}

struct history_key history_view_key(const struct history_view *v, const struct history_row *row)
{
	struct history_key k = {v->sort == HISTORY_SORT_AMOUNT
	                            ? (is_out(row->type) ? -row->amount : row->amount)
	                            : row->created,
	                        row->id};
	return k;
}

#define OUT_TYPES "('refund', 'desk_refund')"

/* By signed amount: money in (amount) and money out (-amount) are two
 * ranges of the amount index, merged. Keys run (signed amount, id) in the
 * view's direction; a page is the first rows of each part past the key.
 * For money out, a larger signed amount is a smaller amount, so its part
 * walks the index the other way (ties by id stay in the view's order). */
/* One part of signed_amount_sql: money in (amount) or money out (-amount),
 * past key (its condition), walked in the amount index's order by. */
static char *amount_part(const char *t, const struct history_sql *w, bool out, const char *key,
                         const char *by, const char *ids)
{
	char *text = NULL;
	if (asprintf(&text,
	             "SELECT * FROM (" ROW_COLUMNS
	             ", %s%s.amount AS skey%s AND %s.type %sIN " OUT_TYPES
	             "%s ORDER BY %s.amount %s, %s.id %s LIMIT ?)",
	             out ? "-" : "", t, w->text, t, out ? "" : "NOT ", key, t, by, t, ids) < 0)
		return NULL;
	return text;
}

static char *signed_amount_sql(const struct history_view *v, const struct history_sql *w,
                               bool smaller, bool keyed)
{
	const char *t = v->temp[0] ? "m" : "h";
	const char *dir = smaller ? "DESC" : "ASC", *rev = smaller ? "ASC" : "DESC";
	char kin[160] = "", kout[200] = "";
	if (keyed) {
		snprintf(kin, sizeof kin, " AND (%s.amount, %s.id) %s (?, ?)", t, t,
		         smaller ? "<" : ">");
		/* (-amount, id) < (k, i)  <=>  amount > -k, or amount = -k and id < i */
		snprintf(kout, sizeof kout,
		         " AND %s.amount %s -? AND (%s.amount %s -? OR %s.id %s ?)", t,
		         smaller ? ">=" : "<=", t, smaller ? ">" : "<", t, smaller ? "<" : ">");
	}
	char *text = NULL;
	char *in = amount_part(t, w, false, kin, dir, dir);
	char *out = amount_part(t, w, true, kout, rev, dir);
	int n = -1;
	if (in && out && !v->negative_in)
		/* money in is never below zero, money out always below it: one part
		 * after the other, the second read only when the first runs out (a
		 * merge reads the first row of each: every refund, when a search
		 * matches none) */
		n = asprintf(&text, "%s UNION ALL %s LIMIT ?", smaller ? in : out,
		             smaller ? out : in);
	else if (in && out)
		n = asprintf(&text, "%s UNION ALL %s ORDER BY skey %s, 1 %s LIMIT ?", in, out, dir,
		             dir);
	free(in);
	free(out);
	return n < 0 ? NULL : text;
}

/* Money in is never below zero nor money out zero or below (Stripe's
 * amounts; desk tenders), so by signed amount one part follows the other;
 * checked, not assumed: the amount index answers at once. */
static bool negative_money_in(sqlite3 *db)
{
	sqlite3_stmt *st;
	bool found = true;
	if (sqlite3_prepare_v2(db,
	                       "SELECT 1 FROM history h WHERE " HISTORY_AMOUNT_CUR
	                       " IN " HISTORY_CURRENCIES
	                       ") AND amount <= 0"
	                       " AND (amount < 0 OR type IN " OUT_TYPES ") LIMIT 1",
	                       -1, &st, NULL) == SQLITE_OK) {
		found = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	return found;
}

/* The FROM and WHERE a statement slot pages with. */
static const struct history_sql *view_where(const struct history_view *v, int slot)
{
	int u = (slot & V_UNREV) ? 1 : 0;
	return v->walk ? &v->walk_where[u] : &v->where[u];
}

static int view_stmt(struct history_view *v, int slot, sqlite3_stmt **out, struct pd_error *err)
{
	if (!v->st[slot] && v->sort == HISTORY_SORT_AMOUNT) {
		bool smaller = (slot & V_FWD) ? v->desc : !v->desc;
		char *text = signed_amount_sql(v, view_where(v, slot), smaller, slot & V_KEY);
		if (!text)
			return pd_error_set(err, PD_ERR, "out of memory");
		int rc = db_prepare(v->db, text, &v->st[slot], err);
		free(text);
		if (rc)
			return rc;
	}
	if (!v->st[slot]) {
		const char *t = v->temp[0] ? "m" : "h";
		char col[16], idcol[16];
		snprintf(col, sizeof col, "%s.%s", t,
		         v->sort == HISTORY_SORT_AMOUNT ? "amount" : "created");
		snprintf(idcol, sizeof idcol, "%s.id", t);
		if (v->review_date) { /* the same values, from the reviews' index */
			snprintf(col, sizeof col, "r.created");
			snprintf(idcol, sizeof idcol, "r.hid");
		}
		/* Moving toward the end of a descending view means smaller keys. */
		bool smaller = (slot & V_FWD) ? v->desc : !v->desc;
		const struct history_sql *w = view_where(v, slot);
		char *text = NULL;
		char key[64] = "";
		int n;
		if (v->fts_date) {
			if (slot & V_KEY)
				snprintf(key, sizeof key, " AND f.rowid %s ?", smaller ? "<" : ">");
			n = asprintf(&text, ROW_COLUMNS "%s%s ORDER BY f.rowid %s LIMIT ?", w->text,
			             key, smaller ? "DESC" : "ASC");
		} else {
			if (slot & V_KEY)
				snprintf(key, sizeof key, " AND (%s, %s) %s (?, ?)", col, idcol,
				         smaller ? "<" : ">");
			n = asprintf(&text, ROW_COLUMNS "%s%s ORDER BY %s %s, %s %s LIMIT ?",
			             w->text, key, col, smaller ? "DESC" : "ASC", idcol,
			             smaller ? "DESC" : "ASC");
		}
		if (n < 0)
			return pd_error_set(err, PD_ERR, "out of memory");
		int rc = db_prepare(v->db, text, &v->st[slot], err);
		free(text);
		if (rc)
			return rc;
	}
	sqlite3_stmt *st = v->st[slot];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	*out = st;
	return PD_OK;
}

/* The values of signed_amount_sql's statement: the money-in part's, the
 * money-out part's (in the order the statement reads them), the limit. */
static void bind_amount_parts(const struct history_view *v, sqlite3_stmt *st,
                              const struct history_sql *w, bool smaller,
                              const struct history_key *from, int max)
{
	bool out_first = !v->negative_in && !smaller;
	int i = 1;
	for (int part = 0; part < 2; part++) {
		bool out = (part == 0) == out_first;
		i = history_sql_bind(w, st, i);
		if (from && !out) {
			sqlite3_bind_int64(st, i++, from->value);
			sqlite3_bind_int64(st, i++, from->id);
		} else if (from) {
			sqlite3_bind_int64(st, i++, from->value);
			sqlite3_bind_int64(st, i++, from->value);
			sqlite3_bind_int64(st, i++, from->id);
		}
		sqlite3_bind_int(st, i++, max);
	}
	sqlite3_bind_int(st, i, max);
}

static int view_fetch(struct history_view *v, int slot, const struct history_key *from,
                      struct history_row *rows, int max, int *got, struct pd_error *err)
{
	*got = 0;
	if (from)
		slot |= V_KEY;
	sqlite3_stmt *st = NULL;
	int rc = view_stmt(v, slot, &st, err);
	if (rc)
		return rc;
	const struct history_sql *w = view_where(v, slot);
	if (v->sort == HISTORY_SORT_AMOUNT) {
		bind_amount_parts(v, st, w, (slot & V_FWD) ? v->desc : !v->desc, from, max);
		goto step;
	}
	int i = history_sql_bind(w, st, 1);
	if (from && v->fts_date) {
		/* (created, id) < (value, id) is key < key: ids beyond the key's
		 * range (a jump's "whole day" bounds) are clamped to it */
		int64_t id = from->id < 0                    ? 0
		             : from->id > HISTORY_FTS_ID_MAX ? HISTORY_FTS_ID_MAX
		                                             : from->id;
		int64_t key = history_fts_key(from->value, id);
		if (from->id > HISTORY_FTS_ID_MAX)
			key++; /* still after every record of that second */
		else if (from->id < 0)
			key--;
		sqlite3_bind_int64(st, i++, key);
	} else if (from) {
		sqlite3_bind_int64(st, i++, from->value);
		sqlite3_bind_int64(st, i++, from->id);
	}
	sqlite3_bind_int(st, i++, max);
step:
	if (v->walk)
		history_walk_begin(v->walk);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *got < max)
		history_row_from_stmt(st, &rows[(*got)++]);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && v->walk && history_walk_over(v->walk)) {
		/* the walk would read too far for these rows: gather them after all */
		for (int k = 0; k < V_SLOTS; k++) {
			sqlite3_finalize(v->st[k]);
			v->st[k] = NULL;
		}
		history_walk_free(&v->walk);
		memset(v->walk_where, 0, sizeof v->walk_where); /* its binds named the walk */
		v->totals_started = false;
		v->words_date = false;
		if (v->numbers_words) { /* by the price's ids, not the rows */
			v->numbers_words = v->fts_date = false;
			for (int u = 0; u < 2; u++) {
				memset(&v->where[u], 0, sizeof v->where[u]);
				build_where(v->db, &v->f, &v->where[u], false, u == 1, NULL,
				            HISTORY_NUMBERS_IDS);
			}
		}
		if ((rc = materialize(v, err)))
			return rc;
		return view_fetch(v, slot & ~V_KEY, from, rows, max, got, err);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(v->db, "reading history", err);
	return PD_OK;
}

int history_view_page(struct history_view *v, const struct history_key *from, bool forward,
                      struct history_row *rows, int max, int *got, struct pd_error *err)
{
	return view_fetch(v, forward ? V_FWD : 0, from, rows, max, got, err);
}

int history_view_next_unreviewed(struct history_view *v, const struct history_key *from,
                                 bool forward, struct history_row *row, struct pd_error *err)
{
	int got = 0;
	int rc = view_fetch(v, V_UNREV | (forward ? V_FWD : 0), from, row, 1, &got, err);
	if (rc)
		return rc;
	return got ? PD_OK
	           : pd_error_set(err, PD_ERR_NOT_FOUND, "no unreviewed record %s",
	                          forward ? "below" : "above");
}
