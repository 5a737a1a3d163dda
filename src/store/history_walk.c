/* A search sorted by amount, walked down the amount indexes (issue 21).
 *
 * Sorted by date, a search pages straight from the search index, whose
 * keys run by date. By amount there is no such order: the view gathered
 * every match into a temp table first, 845 ms for a first name's 321k
 * matches at 10M records. Walking the amount indexes instead and keeping
 * the rows that match costs what lies between two matches on screen:
 *
 *  - few matches (< gather_max): gathering is cheap, and walking would read
 *    most of the index to find them: gathered, as before, but by the ids
 *    the count found (the search index read once, not twice);
 *  - some (< bits_max): their ids go into a bitmap (the search index read
 *    once: 6 ms for 100k matches at 10M); the walk tests each index entry's
 *    id against it before reading the row (0.07 us an entry);
 *  - many: the bitmap would cost more than the walk; each row the walk
 *    reads is tested against the words themselves, cut as the index cuts
 *    them (history_walk_words: a word's tokens are a phrase in a column, the
 *    last word's last token a prefix, the client's words in name and email
 *    only: what the MATCH expression history_search_fts makes asks).
 *
 * A walk that must read far (a search that matches no refund still reads
 * every refund to know it) stops at a budget of entries and the view
 * gathers instead (history_walk_over). */
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "history_internal.h"
#include "paydesk/db.h"

/* Budgets: 60-70 ms of entries (0.07 us each by bitmap, 3 us a row by words
 * at 10M records) before a walk gives up and gathers, which costs far more
 * (845 ms for 321k matches): a first name in yen, 5 % of the rows, reads
 * about 12k rows for a screen. Past bits_max matches, whether to read the
 * rest of them is guessed (bits_cheaper): counting ids costs 0.13 us each,
 * 13 ms for 100k at 10M records, more than a broad search's whole walk. */
static const struct history_walk_tuning defaults = {
    .gather_max = 5000,
    .bits_max = 20000,
    .bits_budget = 1000000,
    .words_budget = 20000,
    .bits_guess = true,
};
static struct history_walk_tuning tuning = defaults;

void history_walk_tune(const struct history_walk_tuning *t)
{
	tuning = t ? *t : defaults;
}

/* PAYDESK_HISTORY_WALK=gather_max,bits_max[,bits_budget,words_budget]: the
 * thresholds for the end-to-end tests, whose small histories would
 * otherwise always be gathered. */
static void tune_from_env(void)
{
	static bool done;
	const char *e = getenv("PAYDESK_HISTORY_WALK");
	if (done || !e)
		return;
	done = true;
	struct history_walk_tuning t = tuning;
	t.bits_guess = false; /* the thresholds as given */
	if (sscanf(e, "%ld,%ld,%ld,%ld", &t.gather_max, &t.bits_max, &t.bits_budget,
	           &t.words_budget) >= 2)
		tuning = t;
}

#define WORDS_MAX 32
#define WORD_TOKS 8

struct walk_word {
	char tok[WORD_TOKS][HISTORY_TERM_MAX];
	int ntok;
	bool prefix;      /* the last token begins a row's token */
	bool client_only; /* in the name and email columns only */
};

/* A column's tokens: their bytes one after another, where each starts
 * and how long it is; grown as a longer text needs (kept for the next row). */
struct col_tokens {
	char *bytes;
	int *off, *len;
	int n, used, cap_toks, cap_bytes;
	bool failed; /* out of memory */
};

struct history_walk {
	sqlite3 *db;
	int64_t *ids; /* few found: their ids, to gather the rows by (ids_json) */
	long nids, cap_ids;
	char *ids_json;
	uint64_t *bits; /* ids found, when walking by bitmap */
	int64_t nbits;
	struct walk_word words[WORDS_MAX]; /* otherwise */
	int nwords;
	long budget, spent;
	bool over;
	bool rows_only; /* history_walk_rows: a budget, whichever rows drive */
	bool free_spend; /* a totals window: every row read, no budget */
	fts5_tokenizer api;
	Fts5Tokenizer *tok;
	struct col_tokens cols[3]; /* a row's columns, cut */
};

/* ---- the words, cut as the index cuts them --------------------------------- */

/* The words of text (history_search_words) into w; false when one cannot
 * be matched row by row as the index would (too many tokens, none). */
static bool add_words(struct history_walk *w, sqlite3 *db, const char *text, bool client_only)
{
	const char *start[32], *end[32];
	char letter[HISTORY_TERM_MAX];
	int n = history_search_words(db, text, start, end, letter);
	for (int i = 0; i < n; i++) {
		if (w->nwords == WORDS_MAX)
			return false;
		struct walk_word *ww = &w->words[w->nwords++];
		ww->ntok = history_terms_cut(db, start[i], (size_t)(end[i] - start[i]), ww->tok,
		                             WORD_TOKS);
		if (ww->ntok < 1)
			return false;
		/* the last word is being typed; after it a letter alone is
		 * history_word_start's (history_search_letters) */
		ww->prefix = i == n - 1 && !letter[0];
		ww->client_only = client_only;
	}
	return true;
}

/* ---- the row test ------------------------------------------------------------ */

static int on_token(void *ctx, int flags, const char *s, int n, int start, int end)
{
	(void)flags, (void)start, (void)end;
	struct col_tokens *c = ctx;
	if (c->n == c->cap_toks) {
		int cap = c->cap_toks ? c->cap_toks * 2 : 64;
		int *off = realloc(c->off, (size_t)cap * sizeof *off);
		if (off)
			c->off = off;
		int *len = off ? realloc(c->len, (size_t)cap * sizeof *len) : NULL;
		if (len)
			c->len = len;
		if (!off || !len) {
			c->failed = true;
			return SQLITE_NOMEM;
		}
		c->cap_toks = cap;
	}
	if (c->used + n > c->cap_bytes) {
		int cap = c->cap_bytes ? c->cap_bytes : 1024;
		while (cap < c->used + n)
			cap *= 2;
		char *bytes = realloc(c->bytes, (size_t)cap);
		if (!bytes) {
			c->failed = true;
			return SQLITE_NOMEM;
		}
		c->bytes = bytes;
		c->cap_bytes = cap;
	}
	memcpy(c->bytes + c->used, s, (size_t)n);
	c->off[c->n] = c->used;
	c->len[c->n++] = n;
	c->used += n;
	return SQLITE_OK;
}

/* The word's tokens in a row, one after another, from token at. */
static bool phrase_at(const struct col_tokens *c, const struct walk_word *ww, int at)
{
	for (int k = 0; k < ww->ntok; k++) {
		const char *t = ww->tok[k];
		int tl = (int)strlen(t), cl = c->len[at + k];
		const char *cb = c->bytes + c->off[at + k];
		bool last_prefix = ww->prefix && k == ww->ntok - 1;
		if (last_prefix ? cl < tl || memcmp(cb, t, (size_t)tl) != 0
		                : cl != tl || memcmp(cb, t, (size_t)tl) != 0)
			return false;
	}
	return true;
}

static bool phrase_in(const struct col_tokens *c, const struct walk_word *ww)
{
	for (int at = 0; at + ww->ntok <= c->n; at++)
		if (phrase_at(c, ww, at))
			return true;
	return false;
}

/* Spend one of the walk's entries; false (and an error for the statement)
 * past its budget. */
static bool spend(sqlite3_context *cx, struct history_walk *w)
{
	if (w->free_spend || ++w->spent <= w->budget)
		return true;
	w->over = true;
	sqlite3_result_error(cx, "history walk: over its budget", -1);
	return false;
}

/* history_walk_found(walk, id): the id is among the search's matches. */
static void sql_found(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct history_walk *w = sqlite3_value_pointer(argv[0], HISTORY_WALK_PTR);
	if (!w || !w->bits) {
		sqlite3_result_error(cx, "history walk: no bitmap", -1);
		return;
	}
	if (!spend(cx, w))
		return;
	int64_t id = sqlite3_value_int64(argv[1]);
	sqlite3_result_int(cx, id >= 0 && id < w->nbits && (w->bits[id >> 6] >> (id & 63)) & 1);
}

/* history_walk_words(walk, client_name, email, description): every word of
 * the search is in the row as the search index would find it. */
static void sql_words(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct history_walk *w = sqlite3_value_pointer(argv[0], HISTORY_WALK_PTR);
	if (!w || !w->tok) {
		sqlite3_result_error(cx, "history walk: no words", -1);
		return;
	}
	struct col_tokens *cols = w->cols;
	for (int c = 0; c < 3; c++) {
		cols[c].n = cols[c].used = 0;
		const char *text = (const char *)sqlite3_value_text(argv[1 + c]);
		if (text)
			w->api.xTokenize(w->tok, &cols[c], FTS5_TOKENIZE_DOCUMENT, text,
			                 sqlite3_value_bytes(argv[1 + c]), on_token);
		if (cols[c].failed) {
			sqlite3_result_error_nomem(cx);
			return;
		}
	}
	for (int i = 0; i < w->nwords; i++) {
		const struct walk_word *ww = &w->words[i];
		if (!phrase_in(&cols[0], ww) && !phrase_in(&cols[1], ww) &&
		    (ww->client_only || !phrase_in(&cols[2], ww))) {
			sqlite3_result_int(cx, 0);
			return;
		}
	}
	sqlite3_result_int(cx, 1);
}

/* history_walk_count(walk, id): one more entry read by the walk. */
static void sql_count(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	struct history_walk *w = sqlite3_value_pointer(argv[0], HISTORY_WALK_PTR);
	if (!w) {
		sqlite3_result_error(cx, "history walk: none", -1);
		return;
	}
	if (spend(cx, w))
		sqlite3_result_int(cx, 1);
}

int history_walk_register(sqlite3 *db)
{
	int rc = sqlite3_create_function_v2(db, "history_walk_count", 2, SQLITE_UTF8, NULL,
	                                    sql_count, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "history_walk_found", 2, SQLITE_UTF8, NULL,
		                                sql_found, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "history_walk_words", 4, SQLITE_UTF8, NULL,
		                                sql_words, NULL, NULL, NULL);
	return rc;
}

/* ---- a walk for a view -------------------------------------------------------- */

static bool set_bit(struct history_walk *w, int64_t id)
{
	if (id < 0)
		return true;
	if (id >= w->nbits) {
		int64_t n = w->nbits ? w->nbits : 1 << 16;
		while (n <= id)
			n *= 2;
		uint64_t *grown = realloc(w->bits, (size_t)(n / 64) * sizeof *grown);
		if (!grown)
			return false;
		memset(grown + w->nbits / 64, 0, (size_t)((n - w->nbits) / 64) * sizeof *grown);
		w->bits = grown;
		w->nbits = n;
	}
	w->bits[id >> 6] |= 1ULL << (id & 63);
	return true;
}

/* The few ids found, as a JSON array the view gathers its rows by
 * (json_each: no temp table to make and drop, one more temp file each). */
static int ids_json(struct history_walk *w, struct pd_error *err)
{
	size_t cap = (size_t)w->nids * 21 + 3, used = 0;
	char *j = malloc(cap);
	if (!j)
		return pd_error_set(err, PD_ERR, "out of memory");
	j[used++] = '[';
	for (long i = 0; i < w->nids; i++)
		used += (size_t)snprintf(j + used, cap - used, "%s%lld", i ? "," : "",
		                         (long long)w->ids[i]);
	j[used++] = ']';
	j[used] = '\0';
	w->ids_json = j;
	return PD_OK;
}

void history_walk_free(struct history_walk **wp)
{
	struct history_walk *w = *wp;
	if (!w)
		return;
	if (w->tok)
		w->api.xDelete(w->tok);
	for (int c = 0; c < 3; c++) {
		free(w->cols[c].bytes);
		free(w->cols[c].off);
		free(w->cols[c].len);
	}
	free(w->ids_json);
	free(w->ids);
	free(w->bits);
	free(w);
	*wp = NULL;
}

/* The n-th id the search index found: kept in a list while they are few,
 * in a bitmap past gather_max. */
static bool note_id(struct history_walk *w, long n, int64_t id)
{
	bool ok = true;
	if (n < tuning.gather_max) {
		if (n == w->cap_ids) {
			long cap = w->cap_ids ? w->cap_ids * 2 : 256;
			int64_t *grown = realloc(w->ids, (size_t)cap * sizeof *grown);
			if (!grown)
				return false;
			w->ids = grown;
			w->cap_ids = cap;
		}
		w->ids[n] = id;
		return true;
	}
	if (n == tuning.gather_max) /* more: a bitmap of them all */
		for (long i = 0; ok && i < n; i++)
			ok = set_bit(w, w->ids[i]);
	return ok && set_bit(w, id);
}

/* Records up to a date (the daily roll-ups), and in all. */
static void records_before(sqlite3 *db, int64_t created, double *before, double *all)
{
	sqlite3_stmt *st;
	*before = *all = 0;
	if (sqlite3_prepare_v2(db,
	                       "SELECT sum(CASE WHEN day <= ? THEN n END), sum(n) FROM history_day",
	                       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, created / 86400);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*before = (double)sqlite3_column_int64(st, 0);
		*all = (double)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
}

/* found matches up to key (the search index runs oldest first): is reading
 * the rest into a bitmap cheaper than the words' walk? The matches in all
 * are guessed from the share of the history they came from; the walk
 * reads two screens' rows (44) of the view's currency, whose amounts are
 * a range of their own (schema 38), so as densely as in all. */
static bool bits_cheaper(sqlite3 *db, long found, int64_t key)
{
	double before, all;
	records_before(db, key / (HISTORY_FTS_ID_MAX + 1), &before, &all);
	if (before <= 0 || all <= 0)
		return false;
	double matches = found * all / before;
	double density = matches / all;
	double rows = density > 0 ? 44 / density : 1e12; /* read for two screens */
	double words_us = rows * 3.0;                    /* 3 us a row */
	/* the rest of the ids counted (0.13 us each), then the walk's entries
	 * tested against them (0.07 us each) */
	double bits_us = (matches - found) * 0.13 + rows * 0.07;
	return bits_us < words_us;
}

/* The search's and the client's words into w, for the row test by words
 * (history_walk_words), with the words' budget; false when the row test
 * cannot follow them. */
static bool follow_words(struct history_walk *w, sqlite3 *db, const struct history_filter *f)
{
	w->budget = tuning.words_budget;
	return history_tokenizer_open(db, &w->api, &w->tok) &&
	       (!f->search[0] || add_words(w, db, f->search, false)) &&
	       (!f->client[0] || history_search_is_customer_id(f->client) ||
	        add_words(w, db, f->client, true));
}

int history_walk_new(sqlite3 *db, const struct history_filter *f, struct history_walk **out,
                     struct pd_error *err)
{
	*out = NULL;
	tune_from_env();
	char match[2500], letters[2][HISTORY_TERM_MAX];
	history_search_fts(db, f, match, sizeof match, letters);
	if (!match[0])
		return PD_OK;
	/* and the search's price or card digits (schema 41): the matches are
	 * those holding it too ("Haircut 99": none of 930k haircuts at 10M
	 * records, gathered at once, not its 61k records read for the word,
	 * 1.2 s); the rows are still tested for the numbers (build_where) */
	char numbers[1200], rows[1024];
	if (f->search[0] &&
	    history_search_numbers_fts(db, f->search, true, numbers, sizeof numbers, rows,
	                               sizeof rows) &&
	    strlen(match) + strlen(numbers) + 8 < sizeof match)
		history_cat(match, sizeof match, "%s%s", numbers[0] ? " AND " : "", numbers);
	struct history_walk *w = calloc(1, sizeof *w);
	if (!w)
		return pd_error_set(err, PD_ERR, "out of memory");
	/* the matches' ids, up to one more than a bitmap is worth */
	sqlite3_stmt *st;
	int rc =
	    db_prepare(db, "SELECT rowid FROM history_fts WHERE history_fts MATCH ?", &st, err);
	if (rc) {
		free(w);
		return rc;
	}
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	w->db = db;
	long found = 0;
	int64_t key = 0;
	bool ok = true;
	/* enough to tell few from some from many */
	long limit =
	    tuning.bits_max + 1 > tuning.gather_max ? tuning.bits_max + 1 : tuning.gather_max;
	while (ok && found < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		key = sqlite3_column_int64(st, 0);
		ok = note_id(w, found++, key & HISTORY_FTS_ID_MAX);
	}
	/* many: a bitmap of them all anyway, when the rest of the search
	 * index costs less than the words' walk would read */
	bool bitmap = found <= tuning.bits_max;
	if (ok && rc == SQLITE_ROW && found == limit && tuning.bits_guess &&
	    bits_cheaper(db, found, key)) {
		bitmap = true;
		while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW)
			ok = note_id(w, found++, sqlite3_column_int64(st, 0) & HISTORY_FTS_ID_MAX);
	} else if (rc == SQLITE_ROW) {
		rc = SQLITE_DONE; /* stopped at the limit: words */
	}
	sqlite3_finalize(st);
	if (!ok) {
		history_walk_free(&w);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	if (rc != SQLITE_DONE) {
		history_walk_free(&w);
		return db_fail(db, "searching history", err);
	}
	if (found < tuning.gather_max) {
		/* few: gathered, by the ids found (not a second pass of the index) */
		w->nids = found;
		if ((rc = ids_json(w, err)))
			history_walk_free(&w);
		*out = w;
		return rc;
	}
	free(w->ids);
	w->ids = NULL;
	w->budget = tuning.bits_budget;
	if (bitmap && !w->bits && !(w->bits = calloc(1, sizeof *w->bits))) {
		history_walk_free(&w); /* none found: an empty bitmap */
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	if (!bitmap) {
		free(w->bits);
		w->bits = NULL;
		w->nbits = 0;
		if (!follow_words(w, db, f)) {
			history_walk_free(&w); /* words the row test cannot follow: gather */
			return PD_OK;
		}
	}
	*out = w;
	return PD_OK;
}

int history_walk_words_new(sqlite3 *db, const struct history_filter *f,
                           struct history_walk **out, struct pd_error *err)
{
	*out = NULL;
	tune_from_env();
	struct history_walk *w = calloc(1, sizeof *w);
	if (!w)
		return pd_error_set(err, PD_ERR, "out of memory");
	w->db = db;
	if (!follow_words(w, db, f))
		history_walk_free(&w);
	*out = w;
	return PD_OK;
}

void history_walk_check(struct history_walk *w, struct history_sql *q, bool first)
{
	if (first && w->ids_json) {
		history_sql_add(q, " AND h.id IN (SELECT value FROM json_each(?))");
		history_sql_text_ref(q, w->ids_json);
	} else if (first) {
		/* every entry the walk reads counts against its budget, whatever
		 * test refuses it (a status or date test may refuse nearly every
		 * row: before schema 38 the currency test refused 9.5M rows of
		 * other currencies to reach yen, and the budget never saw them) */
		history_sql_add(q, w->bits ? " AND history_walk_found(?, h.id)"
		                           : " AND history_walk_count(?, h.id)");
		history_sql_pointer(q, w);
	} else if (!w->ids_json && !w->bits && w->nwords) {
		/* the words last, after the row's cheap tests (currency, dates) */
		history_sql_add(
		    q, " AND history_walk_words(?, h.client_name, h.email, h.description)");
		history_sql_pointer(q, w);
	}
}

void history_walk_spend_freely(struct history_walk *w, bool freely)
{
	w->free_spend = freely;
}

bool history_walk_rows_only(const struct history_walk *w)
{
	return w->rows_only;
}

bool history_walk_gathers(const struct history_walk *w)
{
	return w->ids_json != NULL;
}

int history_walk_rows(struct history_walk **out, struct pd_error *err)
{
	*out = NULL;
	tune_from_env();
	struct history_walk *w = calloc(1, sizeof *w);
	if (!w)
		return pd_error_set(err, PD_ERR, "out of memory");
	/* a row's columns compared, not cut into words: a third of the cost.
	 * Beside words, gathering reads only the search index's matches and
	 * the price's ids (0.3 us a match: 29 ms for 93k haircuts at 1M
	 * records, against 1-1.5 us a row read): a screen that needs more
	 * than 10,000 rows (10-15 ms) is a price too rare among them to page
	 * by (a first name and a price, 7,000 rows at 10M, pages). */
	w->budget = (tuning.words_budget + 1) / 2;
	w->rows_only = true;
	*out = w;
	return PD_OK;
}

void history_walk_begin(struct history_walk *w)
{
	w->spent = 0;
	w->over = false;
}

bool history_walk_over(const struct history_walk *w)
{
	return w->over;
}
