/* History search: what a person types in the search box, read as words
 * for the full-text index, Stripe ids looked up through the b-tree indexes,
 * and amounts or card last-4 digits; history_query.c puts the pieces into
 * a filter's SQL (history_internal.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_internal.h"
#include "paydesk/money.h"


/* A word shaped like a Stripe id ("pi_3N…", "cus_…"): searched through the
 * b-tree indexes (exact or prefix), not the full-text index. */
static bool is_stripe_id(const char *w, size_t len)
{
	size_t i = 0;
	while (i < len && w[i] >= 'a' && w[i] <= 'z')
		i++;
	if (i < 2 || i > 6 || i + 1 >= len || w[i] != '_')
		return false;
	for (i++; i < len; i++)
		if (!isalnum((unsigned char)w[i]))
			return false;
	return true;
}

/* The word being typed (w, n bytes) as an FTS5 OR of exact terms: its
 * last token expanded to the index's terms that begin with it, from
 * history_terms (history_terms.c); a word the index cuts in several
 * ("O'Brien": "o" "brien") is an OR of exact phrases ("o brien" OR ...).
 * FTS5 reads every doclist of a prefix query whole before its first match
 * ("haircut"* 152 ms at 1M records, "haircut" 0.05 ms; "O'Brien"* 21 ms at
 * 10M), while an OR of exact terms or phrases is merged as it goes. The
 * word is cut by the index's own tokenizer, so "Brontë" is "bronte".
 * false: keep the prefix (no term, more than PREFIX_TERMS_MAX, a last
 * token of digits alone, which the table does not hold, or no room). */
#define PREFIX_TERMS_MAX 16
static bool prefix_terms(sqlite3 *db, const char *w, size_t n, char *out, size_t len)
{
	char tok[8][HISTORY_TERM_MAX];
	int k = db && n >= 2 && n <= 80 ? history_terms_cut(db, w, n, tok, 8) : -1;
	if (k < 1)
		return false;
	const char *last = tok[k - 1];
	size_t ln = strlen(last);
	if (strspn(last, "0123456789") == ln)
		return false;
	char hi[HISTORY_TERM_MAX];
	memcpy(hi, last, ln + 1);
	hi[ln - 1]++; /* the prefix's end, byte-wise as the index sorts (UTF-8 has no 0xff) */
	char lead[8 * HISTORY_TERM_MAX] = ""; /* the phrase's tokens before the last */
	for (int i = 0; i < k - 1; i++)
		history_cat(lead, sizeof lead, "%s ", tok[i]);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
	                       "SELECT term FROM history_terms WHERE term >= ? AND term < ?"
	                       " LIMIT ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, last, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, PREFIX_TERMS_MAX + 1);
	int terms = 0;
	bool ok = !strchr(lead, '"');
	size_t used = 0;
	out[0] = '\0';
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (++terms > PREFIX_TERMS_MAX || !t || strchr(t, '"')) {
			ok = false;
			break;
		}
		int m = snprintf(out + used, len - used, "%s\"%s%s\"", terms > 1 ? " OR " : "(",
		                 lead, t);
		if (m < 0 || (size_t)m >= len - used - 2)
			ok = false;
		else
			used += (size_t)m;
	}
	sqlite3_finalize(st);
	if (!ok || terms == 0)
		return false;
	snprintf(out + used, len - used, ")");
	return true;
}

/* User words → an FTS5 query: every word required, the last one also as a
 * prefix (what is being typed), the others exact; quotes are data. Id-shaped
 * words are skipped (see id_rowids). A last word of one letter after
 * others ("Zoë M") would make FTS5 merge every term beginning with it (476
 * ms at 10M records): it goes to *letter instead, for a filter on the rows
 * the other words found (history_word_start, history_terms.c). Alone, it
 * is the index's prefix. Returns false when no word is left. */
/* The word before [w, e) in text, and the word after it: [*bs, *be),
 * [*as, *ae) (empty when none). */
static void neighbours(const char *text, const char *w, const char *e, const char **bs,
                       const char **be, const char **as, const char **ae)
{
	const char *p = w;
	while (p > text && isspace((unsigned char)p[-1]))
		p--;
	*be = p;
	while (p > text && !isspace((unsigned char)p[-1]))
		p--;
	*bs = p;
	p = e;
	while (*p && isspace((unsigned char)*p))
		p++;
	*as = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	*ae = p;
}

/* A text word ends just before w (not an amount, a sign or nothing). */
static bool text_word_before(const char *text, const char *w)
{
	const char *bs, *be, *as, *ae;
	neighbours(text, w, w, &bs, &be, &as, &ae);
	return be > bs && !history_number_word(bs, (size_t)(be - bs), NULL) &&
	       !history_number_sign(bs, (size_t)(be - bs));
}

/* The next word of text at *pp (NULL at its end), *pp moved past it: words
 * are split at blanks, except an amount's digit groups written apart with
 * single spaces ("1 250,00", "1 250 000 円"): a bare number of 1 to 3
 * digits, then groups of exactly three (an accountant's "1 250,00" found
 * nothing: two amounts). Not after a word: "Massage 60 700" and "Massage
 * 60 700.00" are the service and a price, not 60,700 (a reviewer's search
 * found nothing). */
static const char *next_word(const char *text, const char **pp)
{
	const char *p = *pp;
	while (*p && isspace((unsigned char)*p))
		p++;
	if (!*p) {
		*pp = p;
		return NULL;
	}
	const char *w = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	const char *end = p, *seg = w;
	bool after_word = text_word_before(text, w);
	for (;;) {
		size_t run = 0; /* the segment's digits, after a sign */
		const char *d = seg;
		while (d < end && !isdigit((unsigned char)*d) && !isalpha((unsigned char)*d) &&
		       *d != ',' && *d != '.')
			d++;
		while (d + run < end && isdigit((unsigned char)d[run]))
			run++;
		bool grouped = run >= 1 && d + run == end && (seg == w ? run <= 3 : run == 3);
		if (!grouped || end[0] != ' ' || !isdigit((unsigned char)end[1]) ||
		    !isdigit((unsigned char)end[2]) || !isdigit((unsigned char)end[3]) ||
		    isalnum((unsigned char)end[4]))
			break;
		if (after_word)
			break;
		const char *q = end + 4; /* the next group's end: decimals, a sign */
		while (*q && !isspace((unsigned char)*q))
			q++;
		seg = end + 1;
		end = q;
		p = q;
	}
	*pp = p;
	return w;
}

/* A 3-letter word that is the code of a currency the history holds. */
static bool currency_word(sqlite3 *db, const char *w, size_t len, char lower[4])
{
	while (len > 3 && strchr(".,;:!?", w[len - 1])) /* "79 eur." */
		len--;
	if (!db || len != 3)
		return false;
	for (size_t i = 0; i < 3; i++) {
		if (!isalpha((unsigned char)w[i]))
			return false;
		lower[i] = (char)tolower((unsigned char)w[i]);
	}
	lower[3] = '\0';
	sqlite3_stmt *st;
	bool found = false;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM history_month WHERE currency = ? LIMIT 1", -1,
	                       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, lower, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	return found;
}

/* Each word of text in turn: fn(w, len, ctx) until it returns true. */
static bool any_word(const char *text, bool (*fn)(const char *, size_t, void *), void *ctx)
{
	const char *p = text, *w;
	while ((w = next_word(text, &p)))
		if (fn(w, (size_t)(p - w), ctx))
			return true;
	return false;
}

static bool amount_word(const char *w, size_t len, void *ctx)
{
	(void)ctx;
	return history_number_word(w, len, NULL);
}

struct code_probe {
	sqlite3 *db;
	char *code;
};

static bool code_word(const char *w, size_t len, void *ctx)
{
	struct code_probe *c = ctx;
	return currency_word(c->db, w, len, c->code);
}

bool history_search_currency(sqlite3 *db, const char *text, char code[4])
{
	struct code_probe c = {db, code};
	return any_word(text, amount_word, NULL) && any_word(text, code_word, &c);
}


/* A currency named in words ("yen") beside an amount: its currency, not
 * a word to search ("3500 yen" found nothing). */
static const char *currency_name_beside_number(const char *text, const char *w, const char *e)
{
	const char *named = history_number_currency_name(w, (size_t)(e - w));
	const char *bs, *be, *as, *ae;
	if (!named)
		return NULL;
	neighbours(text, w, e, &bs, &be, &as, &ae);
	if ((ae > as && history_number_word(as, (size_t)(ae - as), NULL)) ||
	    (be > bs && history_number_word(bs, (size_t)(be - bs), NULL)))
		return named;
	return NULL;
}

int history_search_words(sqlite3 *db, const char *text, const char *start[32], const char *end[32],
                         char letter[HISTORY_TERM_MAX])
{
	char code[4];
	bool coded = history_search_currency(db, text, code); /* "1,250.00 usd" */
	letter[0] = '\0';
	int n = 0;
	const char *p = text, *w;
	while (n < 32 && (w = next_word(text, &p))) {
		bool useful = false, wide = false;
		for (const char *c = w; c < p; c++) {
			useful = useful || isalnum((unsigned char)*c);
			wide = wide || (unsigned char)*c >= 0x80;
		}
		size_t len = (size_t)(p - w);
		/* beyond ASCII, a word counts when the index finds a token in it:
		 * a dash or a quote mark alone is a separator to it ("Haircut —
		 * Hiro", pasted, found nothing) */
		char one[1][HISTORY_TERM_MAX];
		if (!useful && wide)
			useful = !db || history_terms_cut(db, w, len, one, 1) != 0;
		char lower[4];
		if (useful && !is_stripe_id(w, len) && !history_number_word(w, len, NULL) &&
		    !history_number_sign(w, len) && !currency_name_beside_number(text, w, p) &&
		    !(coded && currency_word(db, w, len, lower) &&
		      !strcmp(lower, code))) {
			start[n] = w;
			end[n++] = p;
		}
	}
	char tok[2][HISTORY_TERM_MAX];
	if (db && n > 1 &&
	    history_terms_cut(db, start[n - 1], (size_t)(end[n - 1] - start[n - 1]), tok, 2) == 1 &&
	    strlen(tok[0]) == 1) {
		memcpy(letter, tok[0], 2);
		n--;
	}
	return n;
}

static bool fts_words(sqlite3 *db, const char *text, char *out, size_t len,
                      char letter[HISTORY_TERM_MAX])
{
	out[0] = '\0';
	const char *start[32], *end[32];
	int n = history_search_words(db, text, start, end, letter);
	for (int i = 0; i < n; i++) {
		char terms[512];
		bool last = i == n - 1 && !letter[0];
		if (last && end[i] - start[i] >= 2 &&
		    prefix_terms(db, start[i], (size_t)(end[i] - start[i]), terms, sizeof terms)) {
			history_cat(out, len, "%s%s", i ? " AND " : "", terms);
			continue;
		}
		history_cat(out, len, "%s\"", i ? " AND " : "");
		for (const char *c = start[i]; c < end[i]; c++)
			history_cat(out, len, "%s%c", *c == '"' ? "\"" : "", *c);
		history_cat(out, len, "\"%s", last ? "*" : "");
	}
	return n > 0;
}

bool history_search_scans_prefix(const char *match)
{
	return strstr(match, "\"*") != NULL; /* fts_words' raw prefix: "word"* */
}

bool history_search_is_customer_id(const char *s)
{
	return strncmp(s, "cus_", 4) == 0 && is_stripe_id(s, strlen(s));
}

/* The FTS MATCH expression for search and client words, "" when none;
 * the last letters typed alone after other words (fts_words), "" when none. */
void history_search_fts(sqlite3 *db, const struct history_filter *f, char *out, size_t len,
                        char letters[2][HISTORY_TERM_MAX])
{
	char words[1200]; /* <= 512 of the typed word's terms + 32 words of the 128 typed */
	out[0] = '\0';
	letters[0][0] = letters[1][0] = '\0';
	/* not in the numbers column (schema 41): "usd99" typed is a word */
	if (f->search[0] && fts_words(db, f->search, words, sizeof words, letters[0]))
		history_cat(out, len, HISTORY_FTS_WORD_COLUMNS " : (%s)", words);
	if (f->client[0] && !history_search_is_customer_id(f->client) &&
	    fts_words(db, f->client, words, sizeof words, letters[1]))
		history_cat(out, len, "%s{client_name email} : (%s)", out[0] ? " AND " : "", words);
}

bool history_search_searchable(sqlite3 *db, const char *text)
{
	struct history_filter f = {0};
	snprintf(f.search, sizeof f.search, "%s", text);
	char match[2500], letters[2][HISTORY_TERM_MAX], ids[4][HISTORY_ID_WORD_MAX];
	history_search_fts(db, &f, match, sizeof match, letters);
	return match[0] || letters[0][0] || history_search_id_words(f.search, ids, 4) > 0 ||
	       history_search_numbers(db, NULL, f.search, NULL, HISTORY_NUMBERS_INDEX) > 0;
}

/* The rows' filter for those letters: a word of the searched columns
 * begins with it. */
void history_search_letters(struct history_sql *q, char letters[2][HISTORY_TERM_MAX])
{
	if (letters[0][0]) {
		history_sql_add(
		    q, " AND history_word_start(?, h.client_name, h.email, h.description)");
		history_sql_text(q, letters[0]);
	}
	if (letters[1][0]) {
		history_sql_add(q, " AND history_word_start(?, h.client_name, h.email, NULL)");
		history_sql_text(q, letters[1]);
	}
}

/* The indexed columns an id with this prefix can be in. */
static const char *const *id_columns(const char *w)
{
	static const char *const pi[] = {"stripe_id", "payment_intent", NULL};
	static const char *const ch[] = {"charge_id", NULL};
	static const char *const cus[] = {"customer_id", NULL};
	static const char *const sub[] = {"subscription_id", NULL};
	static const char *const other[] = {"stripe_id", NULL};
	if (!strncmp(w, "pi_", 3))
		return pi;
	if (!strncmp(w, "ch_", 3) || !strncmp(w, "py_", 3))
		return ch;
	if (!strncmp(w, "cus_", 4))
		return cus;
	if (!strncmp(w, "sub_", 4))
		return sub;
	return other;
}

/* Rowids of records holding an id starting with w: "SELECT id … UNION …". */
void history_search_id_rowids(struct history_sql *q, const char *w)
{
	char hi[80];
	snprintf(hi, sizeof hi, "%s", w);
	hi[strlen(hi) - 1]++; /* ids are ASCII letters and digits: the prefix's end */
	const char *const *cols = id_columns(w);
	for (int i = 0; cols[i]; i++) {
		/* refunds name their payment: the partial index covers type = 'refund' */
		history_cat(q->text, sizeof q->text,
		            "%sSELECT id FROM history WHERE %s >= ? AND %s < ?%s",
		            i ? " UNION " : "", cols[i], cols[i],
		            strcmp(cols[i], "payment_intent") == 0 ? " AND type = 'refund'" : "");
		history_sql_text(q, w);
		history_sql_text(q, hi);
	}
}

/* The id-shaped words of a search (up to max, each < 72 bytes). */
int history_search_id_words(const char *text, char words[][HISTORY_ID_WORD_MAX], int max)
{
	int n = 0;
	const char *p = text, *w;
	while (n < max && (w = next_word(text, &p))) {
		size_t len = (size_t)(p - w);
		if (len && len < HISTORY_ID_WORD_MAX && is_stripe_id(w, len)) {
			memcpy(words[n], w, len);
			words[n++][len] = '\0';
		}
	}
	return n;
}

/* [a, ae) and [b, be) written together ("79,00" "€" as "79,00€") read as
 * one amount into nw; false (nw untouched) when they are not one. */
static bool joined_number(const char *a, const char *ae, const char *b, const char *be,
                          struct history_number *nw)
{
	char joined[96];
	struct history_number read;
	if ((size_t)(ae - a + be - b) >= sizeof joined)
		return false;
	int n = snprintf(joined, sizeof joined, "%.*s%.*s", (int)(ae - a), a, (int)(be - b), b);
	if (!history_number_word(joined, (size_t)n, &read))
		return false;
	*nw = read;
	return true;
}

/* A number word, with a currency or minus sign written apart beside it:
 * "79,00 €", "€ 79", "$ 80", "3 500 円" (a tester's "79,00 €" was searched
 * as 79.00 in every currency). */
static bool number_with_sign(const char *text, const char *w, const char *e,
                             struct history_number *nw)
{
	if (!history_number_word(w, (size_t)(e - w), nw))
		return false;
	if (nw->currencies)
		return true;
	const char *bs, *be, *as, *ae;
	neighbours(text, w, e, &bs, &be, &as, &ae);
	if ((ae > as && history_number_sign(as, (size_t)(ae - as)) &&
	     joined_number(w, e, as, ae, nw)) ||
	    (be > bs && history_number_sign(bs, (size_t)(be - bs)) &&
	     joined_number(bs, be, w, e, nw)))
		return true;
	/* "3500 yen", "euros 79" */
	const char *named = ae > as ? currency_name_beside_number(text, as, ae) : NULL;
	if (!named && be > bs)
		named = currency_name_beside_number(text, bs, be);
	if (named)
		nw->currencies = named;
	return true;
}

/* A number of digits alone among words may be a word of the rows: by ids
 * (HISTORY_NUMBERS_IDS), the words' matches holding it too, from the search
 * index (no row read); otherwise tested on the row. */
static void number_as_word(struct history_sql *q, const char *w, size_t len, const char *words,
                           enum history_numbers_by by)
{
	char digits[40];
	memcpy(digits, w, len);
	digits[len] = '\0';
	char both[sizeof q->bind[0].t];
	int n = by == HISTORY_NUMBERS_IDS
	            ? snprintf(both, sizeof both, "(%s) AND \"%s\"", words, digits)
	            : -1;
	if (n > 0 && (size_t)n < sizeof both) {
		history_sql_add(q, " OR f.rowid IN (SELECT rowid FROM history_fts"
		                   " WHERE history_fts MATCH ?)");
		history_sql_text(q, both);
		return;
	}
	history_sql_add(q, " OR history_word_is(?, h.client_name, h.email, h.description)");
	history_sql_text(q, digits);
}

/* The amount / last-4 condition of every number word of a search
 * (currencies' decimals as in src/core/money.c), added to q (NULL: only
 * counted). With words the index finds rows by, a number of digits alone
 * may also be a word of those rows ("Massage 60" is the "Massage 60 min"
 * service, whatever its price; a tester found it gave nothing); a whole
 * word, not the start of one ("Hiro 79" listed his invoice INV-790123:
 * "INV-79" is how to ask for that). Alone, a number stays an amount or
 * card digits: testing every row's words would read the whole history.
 * Returns how many. */
int history_search_numbers(sqlite3 *db, struct history_sql *q, const char *text,
                           const char *words, enum history_numbers_by by)
{
	int n = 0;
	char code[4];
	bool coded = history_search_currency(db, text, code);
	bool in_words = words && words[0];
	if (!in_words && by == HISTORY_NUMBERS_IDS)
		by = HISTORY_NUMBERS_INDEX;
	const char *p = text, *w;
	while (n < 4 && (w = next_word(text, &p))) {
		struct history_number nw;
		if (p == w || !number_with_sign(text, w, p, &nw))
			continue;
		n++;
		if (!q)
			continue;
		/* "-120.00": money out, as the list shows it; "+80" money in */
		if (nw.out || nw.in)
			history_cat(q->text, sizeof q->text,
			            " AND h.type %sIN ('refund', 'desk_refund')",
			            nw.in ? "NOT " : "");
		/* "$80" is no euro; "80 eur" neither dollars */
		if (coded) { /* off the index: the amount's own terms below drive */
			history_sql_add(q, " AND +h.currency = ?");
			history_sql_text(q, code);
		} else if (nw.currencies) {
			history_cat(q->text, sizeof q->text, " AND +h.currency IN %s",
			            nw.currencies);
		}
		/* by ids: each search index match (f) looked up among the ids the
		 * amount and card indexes find, before its row is read (the inner
		 * h is the subquery's own) */
		if (by == HISTORY_NUMBERS_IDS)
			history_sql_add(q, " AND ((f.rowid & " HISTORY_FTS_ID_MASK ") IN"
			                   " (SELECT h.id FROM history h WHERE 1");
		/* each currency's amount a probe of the amount index (schema 38),
		 * only in the currencies named ("$79": no euro row read to be
		 * refused) */
		static const char *const groups[3] = {
		    "c NOT IN " ZERO_DECIMAL " AND c NOT IN " THREE_DECIMAL, /* 2 decimals */
		    "c IN " ZERO_DECIMAL, "c IN " THREE_DECIMAL};
		static const int minor_of[3] = {1, 0, 2};
		for (int g = 0; g < 3; g++) {
			if (nw.minor[minor_of[g]] < 0) { /* "12.5" is no yen: none, not -1 yen */
				history_cat(q->text, sizeof q->text, "%s0", g ? " OR " : " AND (");
				continue;
			}
			history_cat(q->text, sizeof q->text,
			            "%sh.amount = ? AND " HISTORY_AMOUNT_CUR " IN " HISTORY_CURRENCIES
			            " AND %s",
			            g ? " OR " : " AND (", groups[g]);
			history_sql_int(q, nw.minor[minor_of[g]]);
			if (coded) /* three letters a record holds (history_search_currency):
				    * written in, not bound (binds are few: 40) */
				history_cat(q->text, sizeof q->text, " AND c = '%.3s'", code);
			else if (nw.currencies)
				history_cat(q->text, sizeof q->text, " AND c IN %s", nw.currencies);
			history_sql_add(q, ")");
		}
		/* a currency named ("eur 4242", "4242 euros"): money, not card digits */
		if (nw.last4[0] && !coded && !nw.currencies) {
			history_cat(q->text, sizeof q->text, " OR h.card_last4 = ?");
			history_sql_text(q, nw.last4);
		}
		if (by == HISTORY_NUMBERS_IDS)
			history_sql_add(q, "))");
		if (in_words && strspn(w, "0123456789") == (size_t)(p - w) && p - w < 40)
			number_as_word(q, w, (size_t)(p - w), words, by);
		history_sql_add(q, ")");
	}
	return n;
}

/* The currencies the history holds (as the sync stores them, lowercase)
 * into codes: how many, -1 when more than max or unreadable. */
static int held_currencies(sqlite3 *db, char codes[][4], int max)
{
	sqlite3_stmt *st;
	int n = 0, rc;
	if (sqlite3_prepare_v2(db, "SELECT c FROM history_currencies", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *c = sqlite3_column_text(st, 0);
		if (n == max || !c || strlen((const char *)c) != 3) {
			n = -1; /* not a code a term can be made of */
			break;
		}
		for (int i = 0; i < 4; i++) /* one stored in capitals by an older paydesk */
			codes[n][i] = (char)tolower(c[i]);
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -1;
}

/* code is in the SQL list ("('eur', 'usd')"). */
static bool in_list(const char *list, const char *code)
{
	char quoted[8] = {'\''};
	memcpy(quoted + 1, code, 3);
	memcpy(quoted + 4, "'", 2);
	return strstr(list, quoted) != NULL;
}

bool history_search_numbers_fts(sqlite3 *db, const char *text, bool in_words, char *out,
                                size_t len, char *rows, size_t rows_len)
{
	out[0] = rows[0] = '\0';
	char code[4], held[64][4];
	bool coded = history_search_currency(db, text, code);
	int nheld = -1, n = 0;
	const char *p = text, *w;
	while (n < 4 && (w = next_word(text, &p))) {
		struct history_number nw;
		if (p == w || !number_with_sign(text, w, p, &nw))
			continue;
		if (nheld < 0 && (nheld = held_currencies(db, held, 64)) < 0)
			return false; /* the amount index's path */
		n++;
		/* "-120.00": money out, as the list shows it; "+80" money in */
		if (nw.out || nw.in)
			history_cat(rows, rows_len, " AND h.type %sIN ('refund', 'desk_refund')",
			            nw.in ? "NOT " : "");
		/* "$80" is no euro; "80 eur" neither dollars, nor the word 80 of
		 * a dollar record */
		if (coded)
			history_cat(rows, rows_len, " AND +h.currency = '%.3s'", code);
		else if (nw.currencies)
			history_cat(rows, rows_len, " AND +h.currency IN %s", nw.currencies);
		/* its amount in each currency it can be (as history_search_numbers
		 * asks the amount index), only those named ("$79", "79 eur") */
		char terms[1024] = "";
		for (int i = 0; i < nheld; i++) {
			const char *c = held[i];
			if ((coded && strcmp(c, code) != 0) ||
			    (!coded && nw.currencies && !in_list(nw.currencies, c)))
				continue;
			int exponent = money_exponent(c);
			int64_t minor = nw.minor[exponent == 0 ? 0 : exponent == 3 ? 2 : 1];
			if (minor < 0)
				continue;
			/* money in, money out ("o": a refund's), or either */
			if (!nw.out)
				history_cat(terms, sizeof terms, "%s%s%lld", terms[0] ? " OR " : "", c,
				            (long long)minor);
			if (!nw.in)
				history_cat(terms, sizeof terms, "%so%s%lld", terms[0] ? " OR " : "", c,
				            (long long)minor);
		}
		if (strlen(terms) + 16 >= sizeof terms)
			return false;
		/* a currency named ("eur 4242", "4242 euros"): money, not card digits */
		if (nw.last4[0] && !coded && !nw.currencies)
			history_cat(terms, sizeof terms, "%sc%s", terms[0] ? " OR " : "", nw.last4);
		char either[1200] = "";
		if (terms[0])
			history_cat(either, sizeof either, "numbers : (%s)", terms);
		/* beside words, digits alone may be a word of those rows too */
		size_t digits = strspn(w, "0123456789");
		if (in_words && digits == (size_t)(p - w) && digits < 40)
			history_cat(either, sizeof either, "%s" HISTORY_FTS_WORD_COLUMNS " : \"%.*s\"",
			            either[0] ? " OR " : "", (int)digits, w);
		if (!either[0]) { /* an amount no currency held can be ("12.345 yen") */
			history_cat(rows, rows_len, " AND 0");
			continue;
		}
		if (strlen(either) + 1 >= sizeof either)
			return false;
		history_cat(out, len, "%s(%s)", out[0] ? " AND " : "", either);
	}
	/* what did not fit: the caller searches the amount indexes instead */
	return n > 0 && strlen(out) + 1 < len && strlen(rows) + 1 < rows_len &&
	       (out[0] || strstr(rows, " AND 0"));
}

/* any_word's fn for history_search_named_currency: the currencies a
 * signed amount names, the same for every one ("$5 €5": none). */
struct named {
	const char *text, *list;
	bool mixed;
};

static bool named_word(const char *w, size_t len, void *ctx)
{
	struct named *nm = ctx;
	struct history_number nw;
	if (number_with_sign(nm->text, w, w + len, &nw) && nw.currencies) {
		nm->mixed = nm->list && strcmp(nm->list, nw.currencies);
		nm->list = nw.currencies;
	}
	return nm->mixed;
}

bool history_search_named_currency(sqlite3 *db, const char *text, char code[4])
{
	if (history_search_currency(db, text, code))
		return true;
	struct named nm = {text, NULL, false};
	any_word(text, named_word, &nm);
	if (nm.mixed)
		return false;
	const char *list = nm.list;
	if (!list)
		return false;
	char *sql = NULL;
	if (asprintf(&sql, "SELECT DISTINCT currency FROM history_month WHERE currency IN %s LIMIT 2",
	             list) < 0)
		return false;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return false;
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW && n < 2)
		if (n++ == 0)
			snprintf(code, 4, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return n == 1;
}
