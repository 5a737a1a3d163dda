/* Shared by the history store modules (src/store/history*.c) only. */
#ifndef PAYDESK_STORE_HISTORY_INTERNAL_H
#define PAYDESK_STORE_HISTORY_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "paydesk/history.h"

/* A record's key in the search index (schema 24): created * 2^30 + id, so
 * the index's own order is the list's date order and a search pages by
 * date straight from it (ORDER BY rowid DESC LIMIT n), however many records
 * match; the row is history.id = key & HISTORY_FTS_ID_MASK (ids stay below
 * 2^30, a billion records). */
#define HISTORY_FTS_SHIFT "1073741824"
#define HISTORY_FTS_ID_MASK "1073741823"
#define HISTORY_FTS_KEY(created, id) "(" created " * " HISTORY_FTS_SHIFT " + " id ")"
#define HISTORY_FTS_ID_MAX 1073741823LL
/* A record's amount and card digits as terms of the search index's
 * numbers column (schema 41): its currency and minor units ("usd9900";
 * "usdn9900" below zero; "ousd9900" money out, a refund, as "-99" asks)
 * and "c" and its card's last 4 digits ("c4242").
 * A search's numbers become the same terms (history_search_numbers_fts),
 * so a price pages by date straight from the index, and beside words FTS5
 * intersects the two lists itself ("Haircut 99": 930k haircuts were read
 * and tested for the price at 10M records, 0.2 s; 28 ms now). An SQL
 * expression of the row's columns, the same wherever a row is indexed or
 * taken out (contentless FTS5 needs the very terms it was given). Schema
 * 41 wrote it into the history_ad trigger: changing it needs a migration
 * that rebuilds the index and the trigger with it. */
#define HISTORY_FTS_NUMBERS(type, amount, currency, last4)                                 \
	"(iif(" type " IN ('refund', 'desk_refund'), 'o', '') || lower(" currency ")"         \
	" || iif(" amount " < 0, 'n' || -(" amount "), " amount ")"                           \
	" || ifnull(' c' || nullif(" last4 ", ''), ''))"
/* Index history rows (a WHERE on history follows). */
#define HISTORY_FTS_INDEX_ROWS                                                              \
	"INSERT INTO history_fts (rowid, client_name, email, description, numbers) SELECT " \
	HISTORY_FTS_KEY("created", "id") ", client_name, email, description, "             \
	HISTORY_FTS_NUMBERS("type", "amount", "currency", "card_last4") " FROM history"
/* The columns a search's words are looked for in: not the numbers. */
#define HISTORY_FTS_WORD_COLUMNS "{client_name email description}"
static inline int64_t history_fts_key(int64_t created, int64_t id)
{
	return created * (HISTORY_FTS_ID_MAX + 1) + id;
}

/* The width of history's created_bucket (schema 39, history_buckets.c):
 * 30 days. Stripe ids are indexed as (bucket, id), so a sync's new records
 * go to the newest bucket's pages instead of random ones. */
#define HISTORY_BUCKET_S "2592000"
/* Buckets from the one of created (an SQL expression) down to the oldest
 * held, newest first, as b(x): a refund's payment, a dispute's, a balance
 * transaction's source are at or before their own date, most often in the
 * same bucket. Join history ON created_bucket = b.x ... LIMIT 1. */
#define HISTORY_BUCKET_WALK(created)                                                   \
	"WITH RECURSIVE b(x) AS (SELECT (" created ") / " HISTORY_BUCKET_S " UNION ALL"      \
	" SELECT x - 1 FROM b WHERE x > (SELECT min(created) FROM history) / " HISTORY_BUCKET_S \
	")"
/* The history row whose column col holds the id (SQL expressions), for a
 * balance transaction made at created: looked for in that date's bucket
 * and the one before (a charge is captured within days, a refund's is
 * made with it), else in every bucket (a skip-scan: a source that is no
 * record, a payout's own). A scalar subquery; NULL when none. */
#define HISTORY_ROW_NEAR(col, id, created, cond)                                            \
	"(CASE WHEN " id " IS NOT NULL THEN coalesce((SELECT n.id FROM history n WHERE"        \
	" n.created_bucket IN ((" created ") / " HISTORY_BUCKET_S ", (" created ") / "           \
	HISTORY_BUCKET_S " - 1) AND n." col " = " id cond " LIMIT 1), (SELECT n.id FROM"       \
	" history n WHERE n." col " = " id cond " LIMIT 1)) END)"
/* A balance transaction's source that is a charge (its record is the
 * payment holding it as charge_id); any other source is a record's own id. */
static inline bool history_source_is_charge(const char *source)
{
	return strncmp(source, "ch_", 3) == 0 || strncmp(source, "py_", 3) == 0;
}
#define HISTORY_SOURCE_IS_CHARGE(source) \
	"(" source " GLOB 'ch_*' OR " source " GLOB 'py_*')"
int history_buckets_migrate(sqlite3 *db, struct pd_error *err);
int history_buckets_stats(sqlite3 *db, struct pd_error *err);

/* The currencies the history holds (the view history_currencies, schema
 * 38: a seek from one to the next), as a subquery missing its closing
 * parenthesis (a condition on c may follow). */
#define HISTORY_CURRENCIES "(SELECT c FROM history_currencies WHERE 1"
/* The amount indexes' first column (schema 38: lower(currency)): a query
 * that names it walks or probes them; "h.currency" alone never does. */
#define HISTORY_AMOUNT_CUR "lower(h.currency)"

/* The columns of ROW_COLUMNS (see history_query.c), in order, into row. */
void history_row_from_stmt(sqlite3_stmt *st, struct history_row *row);

#define HISTORY_ROW_COLUMNS                                                                  \
	"SELECT h.id, h.stripe_id, h.type, h.created, h.amount, h.currency, h.status,"       \
	" h.customer_id, h.client_name, h.email, h.description, h.card_brand, h.card_last4," \
	" h.fee, h.net, h.amount_refunded, ifnull(r.reviewed, 0), ifnull(r.flagged, 0),"     \
	" ifnull(r.note, '') <> '', h.payment_intent, h.subscription_id, h.plan,"            \
	" h.failure_code, h.decline_code, h.dispute_status, h.dispute_due_by"

/* Roll-ups of an ingest's new records, summed in memory (history_sums.c):
 * written to history_day and history_month by history_sums_write (which
 * empties them), forgotten by history_sums_drop after a rollback. */
struct history_sums;
int history_sums_new(sqlite3 *db, struct history_sums **out, struct pd_error *err);
int history_sums_add(struct history_sums *s, int64_t created, const char *type,
		     const char *status, const char *currency, int64_t amount, int64_t fee,
		     int64_t net, struct pd_error *err);
int history_sums_write(struct history_sums *s, struct pd_error *err);
void history_sums_drop(struct history_sums *s);
void history_sums_free(struct history_sums **s);

/* The search index's words in a table of their own (history_terms.c), for
 * expanding the word being typed: add those of history rows first..last
 * (ids) after indexing them; forget what was noted as written after a
 * rollback (the table lost it). */
struct history_terms;
int history_terms_new(sqlite3 *db, struct history_terms **out, struct pd_error *err);
int history_terms_add_rows(struct history_terms *t, int64_t first, int64_t last,
			   struct pd_error *err);
void history_terms_forget(struct history_terms *t);
/* text cut into the index's terms as a search is ("O'Brien": "o", "brien";
 * "Brontë": "bronte"); the count, -1 when more than max or one too long. */
#define HISTORY_TERM_MAX 48
int history_terms_cut(sqlite3 *db, const char *text, size_t len, char out[][HISTORY_TERM_MAX],
		      int max);
/* FTS5's unicode61 tokenizer with the search index's arguments, from db's
 * FTS5; false when it cannot be had. Free with api->xDelete(*tok). */
bool history_tokenizer_open(sqlite3 *db, fts5_tokenizer *api, Fts5Tokenizer **tok);
/* SQL history_word_start(p, a, b, c) on db: 1 when a word of a, b or c,
 * cut as the index cuts, begins with p (a term as history_terms_cut gives);
 * history_word_is(p, a, b, c): is p. */
int history_terms_register(sqlite3 *db);
void history_terms_free(struct history_terms **t);

/* The currencies of 0 and 3 decimals, as SQL lists (src/core/money.c's). */
#define ZERO_DECIMAL                                                                               \
	"('bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd',"     \
	" 'vuv', 'xaf', 'xof', 'xpf')"
#define THREE_DECIMAL "('bhd', 'jod', 'kwd', 'omr', 'tnd')"

/* ---- a filter's SQL, built piece by piece (history_query.c, history_search.c) */

#define HISTORY_SQL_MAX_BINDS 40

/* SQL text and the values bound to its ?s, in order; what does not fit is
 * dropped (the text and bind sizes are far above what a filter makes). */
struct history_sql {
	char text[6144];
	int nbind;
	struct {
		bool is_text;
		int64_t i;
		void *ptr;       /* a walk's check (history_walk.c), bound as a pointer */
		const char *ref; /* text too long for t, bound as it is (outlives q's use) */
		char t[2600]; /* a search's MATCH: its words, the typed one expanded */
	} bind[HISTORY_SQL_MAX_BINDS];
};

/* Append printf-formatted text to the string in out (len bytes in all). */
static inline void history_cat(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void history_cat(char *out, size_t len, const char *fmt, ...)
{
	size_t n = strlen(out);
	if (n >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out + n, len - n, fmt, ap);
	va_end(ap);
}

/* The text or the binds ran out of room: what is there may be cut short
 * (a condition lost: a review of "the filter" would mark more), so it is
 * never run. */
static inline bool history_sql_overflow(const struct history_sql *q)
{
	return strlen(q->text) + 1 >= sizeof q->text || q->nbind >= HISTORY_SQL_MAX_BINDS;
}
#define HISTORY_SQL_TOO_LONG "the search and the filters are too long together: shorten the search"

static inline void history_sql_add(struct history_sql *q, const char *s)
{
	history_cat(q->text, sizeof q->text, "%s", s);
}

static inline void history_sql_int(struct history_sql *q, int64_t v)
{
	if (q->nbind < HISTORY_SQL_MAX_BINDS) {
		q->bind[q->nbind].is_text = false;
		q->bind[q->nbind].ptr = NULL;
		q->bind[q->nbind].ref = NULL;
		q->bind[q->nbind++].i = v;
	}
}

#define HISTORY_WALK_PTR "history_walk"

static inline void history_sql_pointer(struct history_sql *q, void *p)
{
	if (q->nbind < HISTORY_SQL_MAX_BINDS) {
		q->bind[q->nbind].is_text = false;
		q->bind[q->nbind].ref = NULL;
		q->bind[q->nbind++].ptr = p;
	}
}

static inline void history_sql_text_ref(struct history_sql *q, const char *s)
{
	if (q->nbind < HISTORY_SQL_MAX_BINDS) {
		q->bind[q->nbind].is_text = false;
		q->bind[q->nbind].ptr = NULL;
		q->bind[q->nbind++].ref = s;
	}
}

static inline void history_sql_text(struct history_sql *q, const char *s)
{
	if (q->nbind < HISTORY_SQL_MAX_BINDS) {
		q->bind[q->nbind].ptr = NULL;
		q->bind[q->nbind].ref = NULL;
		char *t = q->bind[q->nbind++].t;
		size_t n = strnlen(s, sizeof q->bind[0].t - 1); /* cut as snprintf would */
		q->bind[q->nbind - 1].is_text = true;
		memcpy(t, s, n);
		t[n] = '\0';
	}
}

/* Bind q's values to st from parameter first on; returns the next one. */
static inline int history_sql_bind(const struct history_sql *q, sqlite3_stmt *st, int first)
{
	for (int i = 0; i < q->nbind; i++) {
		if (q->bind[i].is_text)
			sqlite3_bind_text(st, first + i, q->bind[i].t, -1, SQLITE_TRANSIENT);
		else if (q->bind[i].ptr)
			sqlite3_bind_pointer(st, first + i, q->bind[i].ptr, HISTORY_WALK_PTR, NULL);
		else if (q->bind[i].ref)
			sqlite3_bind_text(st, first + i, q->bind[i].ref, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, first + i, q->bind[i].i);
	}
	return first + q->nbind;
}

/* ---- search words (history_search.c) ------------------------------------ */

/* A search word that is an amount (history_number.c): in minor units of a
 * currency of 0, 2 and 3 decimals (-1: cannot be one of those); with four
 * bare digits, a card's last 4 too; out: typed as money out ("-120.00"). */
struct history_number {
	int64_t minor[3];
	char last4[5];
	bool out, in;           /* money out / in only */
	const char *currencies; /* an SQL list the sign names ("('eur')"), or NULL */
	/* "79.250": read as 79,250 (or 79.250 of a 3-decimal currency); its
	 * groups ("79", "250") say what it was read as and how 79.25 is typed */
	bool point_thousands;
	char whole[4], group[4];
};
bool history_number_word(const char *w, size_t len, struct history_number *out);
/* The word is a currency sign alone ("120,00 €"): part of an amount, no word. */
bool history_number_sign(const char *w, size_t len);
/* The currencies a word names in words ("yen", "euros", "dollars": an SQL
 * list as a sign's), or NULL; beside an amount it is its currency. */
const char *history_number_currency_name(const char *w, size_t len);

#define HISTORY_ID_WORD_MAX 72

/* The words of a search text the index finds rows by (not ids, not
 * numbers), as [start[i], end[i]); a last word of one letter after others
 * goes to letter instead ("" otherwise: see fts_words). Returns how many. */
int history_search_words(sqlite3 *db, const char *text, const char *start[32],
			 const char *end[32], char letter[HISTORY_TERM_MAX]);
/* The FTS MATCH expression for f's search and client words, "" when none. */
void history_search_fts(sqlite3 *db, const struct history_filter *f, char *out, size_t len,
			char letters[2][HISTORY_TERM_MAX]);
void history_search_letters(struct history_sql *q, char letters[2][HISTORY_TERM_MAX]);
/* The id-shaped words of a search text (up to max, each shorter than
 * HISTORY_ID_WORD_MAX bytes) into words; returns how many. */
int history_search_id_words(const char *text, char words[][HISTORY_ID_WORD_MAX], int max);
/* Append "SELECT id … UNION …": the records holding an id starting with w. */
void history_search_id_rowids(struct history_sql *q, const char *w);
/* How a search's numbers are asked: of the amount and card indexes (the
 * rows they find drive, or are tested as other rows drive), or, beside
 * words, by the ids the indexes find, each search index match looked up
 * among them before its row is read (a price rare among the words'
 * matches: history_query.c), or of the search index itself. */
enum history_numbers_by {
	HISTORY_NUMBERS_INDEX,
	HISTORY_NUMBERS_IDS,
	HISTORY_NUMBERS_FTS, /* terms of the search index (history_search_numbers_fts) */
};
/* Append the amount / last-4 condition of each number word of text to q
 * (q NULL: only count them); words: the search index's MATCH of the
 * search's words ("" or NULL: none), and then a number may also be a word
 * of the rows. Returns how many. */
int history_search_numbers(sqlite3 *db, struct history_sql *q, const char *text,
                           const char *words, enum history_numbers_by by);
/* The number words of text as a MATCH of the search index's numbers
 * column (schema 41) into out, each ANDed: a number is its amount in each
 * currency the history holds that it can be (99: usd9900, jpy99, bhd99000),
 * card digits, and beside words (in_words) a word of the rows too
 * ("Massage 60"). What the index cannot hold (money out or in only, "-99")
 * goes into rows, row conditions to AND. false when there is no number,
 * or they do not fit in out. */
bool history_search_numbers_fts(sqlite3 *db, const char *text, bool in_words, char *out,
                                size_t len, char *rows, size_t rows_len);
/* The search has an amount and a word that is the code of a currency the
 * history holds ("1,250.00 usd", "EUR 69"): that currency, lowercase. */
bool history_search_currency(sqlite3 *db, const char *text, char code[4]);
/* The MATCH expression has a prefix FTS5 expands itself ("client"*: more
 * terms begin with it than are listed, or a letter alone): FTS5 reads
 * every doclist of its terms before the first match, each time. */
bool history_search_scans_prefix(const char *match);
/* s is a whole Stripe customer id ("cus_…"): matched exactly, not searched. */
bool history_search_is_customer_id(const char *s);

/* ---- totals (history_totals.c) -------------------------------------------- */

/* What counts as money earned, for "gross": taken and not in dispute.
 * Disputed money (open disputes) and lost disputes are summed apart. */
#define CAPTURED "('succeeded', 'partially_refunded', 'refunded')"
#define REFUNDED "('succeeded', 'pending')"

/* Per-currency sums over rows (t = "h." or "") with count expression count. */
/* Desk tenders (schema 10) are summed apart from Stripe's money. Fees and
 * net are those of the money in gross and refunds, so net is gross less
 * refunds and fees on every line: a failed refund's money never left, a
 * disputed payment is summed apart (a tester found net 1,091,250.00 off). */
#define SUMS_COUNTED(t)                                                                     \
	"(" t "type = 'payment' AND " t "status IN " CAPTURED " OR " t "type = 'refund' AND " t \
	"status IN " REFUNDED ")"
#define SUMS(t, count, one)                                                                 \
	"SELECT " t "currency, " count ", sum(CASE WHEN " t "type = 'payment' AND " t         \
	"status IN " CAPTURED " THEN " t "amount END), sum(CASE WHEN " t "type = 'refund' "   \
	"AND " t "status IN " REFUNDED " THEN " t "amount END), sum(CASE WHEN " SUMS_COUNTED(t) \
	" THEN " t "fee END), sum(CASE WHEN " SUMS_COUNTED(t) " THEN " t "net END),"           \
	" sum(CASE WHEN " t "type = 'desk' THEN " t "amount END), sum(CASE WHEN " t "type ="   \
	" 'desk_refund' THEN " t "amount END), sum(CASE WHEN " t "type IN ('desk',"          \
	" 'desk_refund') THEN " one " END), sum(CASE WHEN " t "type = 'payment' AND " t      \
	"status = 'disputed' THEN " t "amount END), sum(CASE WHEN " t "type = 'payment' AND " \
	t "status = 'dispute_lost' THEN " t "amount END)"

/* " AND <f's amount range>" into q (history_filter.c): in the filter's
 * currency as typed; without one, in each currency's own units. */
void history_filter_amount_sql(struct history_sql *q, const struct history_filter *f);

/* FROM and WHERE (no ORDER BY) of f's rows into q (history_query.c); which
 * table drives (a FROM_ value of history_query.c). */
int history_build_where(sqlite3 *db, const struct history_filter *f, struct history_sql *q,
			bool amount_sort, bool unreviewed_only);

/* ---- a search sorted by amount, walked (history_walk.c) -------------------- */

struct history_walk;
/* A walk for f's search: NULL when its matches are better gathered the
 * usual way (words the row test cannot follow); one that gathers (few
 * matches: history_walk_gathers) when they are to be gathered by the ids it
 * found. */
int history_walk_new(sqlite3 *db, const struct history_filter *f, struct history_walk **out,
		     struct pd_error *err);
void history_walk_free(struct history_walk **w);
/* A walk that only counts the rows it reads against its budget: a price
 * tested as the search index's matches are read. */
int history_walk_rows(struct history_walk **out, struct pd_error *err);
/* Append " AND <the row matches>" to q in place of the search index's
 * MATCH: the part that comes first (right after WHERE: what needs no more
 * than the row's id, and the budget's count), then the part that comes
 * last (the words, after the cheap tests of the row's columns). */
void history_walk_check(struct history_walk *w, struct history_sql *q, bool first);
/* Before each statement run: the budget of entries starts again. */
void history_walk_begin(struct history_walk *w);
/* The last run stopped at its budget (or a text too long): gather instead. */
bool history_walk_over(const struct history_walk *w);
bool history_walk_gathers(const struct history_walk *w);
/* A walk that tests each row for f's words (history_walk_words), whichever
 * index drives: NULL when the row test cannot follow them. */
int history_walk_words_new(sqlite3 *db, const struct history_filter *f,
                           struct history_walk **out, struct pd_error *err);
/* While freely: rows read cost nothing of the budget (a totals window). */
void history_walk_spend_freely(struct history_walk *w, bool freely);
/* A walk of history_walk_rows (a budget only). */
bool history_walk_rows_only(const struct history_walk *w);
/* SQL history_walk_found(walk, id) and history_walk_words(walk, name, email,
 * description) on db. */
int history_walk_register(sqlite3 *db);
/* Thresholds (tests set their own; NULL: the defaults). */
struct history_walk_tuning {
	long gather_max;   /* fewer matches than this: gathered */
	long bits_max;     /* up to this many: a bitmap of their ids */
	long bits_budget;  /* index entries one run may test by bitmap */
	long words_budget; /* rows one run may test by words */
	bool bits_guess;   /* past bits_max, a bitmap still when it costs less */
};
void history_walk_tune(const struct history_walk_tuning *t);
/* Add a SUMS row's currency sums (times sign) to out (*n of max). */
void history_total_add_row(sqlite3_stmt *st, struct history_total *out, int max, int *n,
			   int sign);
/* Run a SUMS query (binds: its values, or NULL) into out, times sign. */
int history_run_totals(sqlite3 *db, const char *text, const struct history_sql *binds,
		       struct history_total *out, int max, int *n, int sign, struct pd_error *err);
/* qsort order of totals: most records first, then by currency. */
int history_cmp_total(const void *a, const void *b);

#endif
