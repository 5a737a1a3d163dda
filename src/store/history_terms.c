/* The search index's words, in a b-tree of their own (history_terms,
 * schema 37), so the word being typed is expanded to the terms that begin
 * with it in microseconds: FTS5's own term list (fts5vocab) counts each
 * term's whole doclist on the way (33 ms for "haircut" at 10M records).
 * Words are cut exactly as the index cuts them (FTS5's unicode61 tokenizer,
 * the same arguments), so "zo" finds the "zoe" of "Zoë". Terms of digits
 * alone are left out: a number typed is searched as an amount or card
 * digits, never in the index (history_search.c). The table only grows: a
 * term no record holds any more matches nothing. */
#include <stdlib.h>

#include "history_internal.h"
#include "paydesk/db.h"

/* history_fts's tokenize= (migrations.c, schema 4) */
static const char *tokenizer_args[] = {"remove_diacritics", "2"};

/* Terms already written, so a client's name seen on every page is not
 * written again: direct-mapped, a collision forgets the older term. */
#define SEEN_SLOTS 2048
#define SEEN_LEN   32

struct history_terms {
	sqlite3 *db;
	fts5_tokenizer api;
	Fts5Tokenizer *tok;
	sqlite3_stmt *add, *rows;
	char seen[SEEN_SLOTS][SEEN_LEN];
};

/* FTS5's unicode61 tokenizer with the index's arguments, from db's FTS5;
 * false when it cannot be had. Free with api->xDelete(*tok). */
bool history_tokenizer_open(sqlite3 *db, fts5_tokenizer *api, Fts5Tokenizer **tok)
{
	fts5_api *fts = NULL;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_pointer(st, 1, (void *)&fts, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	void *user = NULL;
	*tok = NULL;
	return fts && fts->xFindTokenizer(fts, "unicode61", &user, api) == SQLITE_OK &&
	       api->xCreate(user, tokenizer_args, 2, tok) == SQLITE_OK;
}

int history_terms_new(sqlite3 *db, struct history_terms **out, struct pd_error *err)
{
	*out = NULL;
	struct history_terms *t = calloc(1, sizeof *t);
	if (!t)
		return pd_error_set(err, PD_ERR, "out of memory");
	t->db = db;
	if (!history_tokenizer_open(db, &t->api, &t->tok)) {
		free(t);
		return pd_error_set(err, PD_ERR, "the search index's tokenizer is missing");
	}
	int rc =
	    db_prepare(db, "INSERT OR IGNORE INTO history_terms (term) VALUES (?)", &t->add, err);
	if (!rc)
		rc = db_prepare(db,
		                "SELECT client_name, email, description FROM history"
		                " WHERE id BETWEEN ? AND ?",
		                &t->rows, err);
	if (rc) {
		history_terms_free(&t);
		return rc;
	}
	*out = t;
	return PD_OK;
}

void history_terms_free(struct history_terms **tp)
{
	struct history_terms *t = *tp;
	if (!t)
		return;
	sqlite3_finalize(t->add);
	sqlite3_finalize(t->rows);
	if (t->tok)
		t->api.xDelete(t->tok);
	free(t);
	*tp = NULL;
}

static uint32_t term_hash(const char *s, int n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (int i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int on_token(void *ctx, int flags, const char *s, int n, int start, int end)
{
	(void)flags, (void)start, (void)end;
	struct history_terms *t = ctx;
	int digits = 0;
	while (digits < n && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	if (n == 0 || digits == n)
		return SQLITE_OK;
	char *slot = t->seen[term_hash(s, n) % SEEN_SLOTS];
	if (n < SEEN_LEN && !memcmp(slot, s, (size_t)n) && slot[n] == '\0')
		return SQLITE_OK;
	sqlite3_reset(t->add);
	sqlite3_bind_text(t->add, 1, s, n, SQLITE_STATIC);
	int rc = sqlite3_step(t->add);
	sqlite3_reset(t->add);
	if (rc != SQLITE_DONE)
		return rc;
	if (n < SEEN_LEN) {
		memcpy(slot, s, (size_t)n);
		slot[n] = '\0';
	}
	return SQLITE_OK;
}

int history_terms_add_rows(struct history_terms *t, int64_t first, int64_t last,
                           struct pd_error *err)
{
	sqlite3_reset(t->rows);
	sqlite3_bind_int64(t->rows, 1, first);
	sqlite3_bind_int64(t->rows, 2, last);
	int step, rc = SQLITE_OK;
	while (rc == SQLITE_OK && (step = sqlite3_step(t->rows)) == SQLITE_ROW)
		for (int c = 0; c < 3 && rc == SQLITE_OK; c++) {
			const char *text = (const char *)sqlite3_column_text(t->rows, c);
			if (text)
				rc = t->api.xTokenize(t->tok, t, FTS5_TOKENIZE_DOCUMENT, text,
				                      sqlite3_column_bytes(t->rows, c), on_token);
		}
	sqlite3_reset(t->rows);
	if (rc != SQLITE_OK || step != SQLITE_DONE)
		return db_fail(t->db, "listing the search index's words", err);
	return PD_OK;
}

void history_terms_forget(struct history_terms *t)
{
	if (t)
		memset(t->seen, 0, sizeof t->seen);
}

struct cut {
	char (*out)[HISTORY_TERM_MAX];
	int max, n;
};

static int on_cut(void *ctx, int flags, const char *s, int n, int start, int end)
{
	(void)flags, (void)start, (void)end;
	struct cut *c = ctx;
	if (c->n >= c->max || n >= HISTORY_TERM_MAX)
		return SQLITE_DONE; /* too many or too long: the caller keeps the prefix */
	memcpy(c->out[c->n], s, (size_t)n);
	c->out[c->n++][n] = '\0';
	return SQLITE_OK;
}

int history_terms_cut(sqlite3 *db, const char *text, size_t len, char out[][HISTORY_TERM_MAX],
                      int max)
{
	fts5_tokenizer tk;
	Fts5Tokenizer *tok;
	if (!history_tokenizer_open(db, &tk, &tok))
		return -1;
	struct cut c = {out, max, 0};
	int rc = tk.xTokenize(tok, &c, FTS5_TOKENIZE_QUERY, text, (int)len, on_cut);
	tk.xDelete(tok);
	return rc == SQLITE_OK ? c.n : -1;
}

/* ---- history_word_start(p, a, b, c), history_word_is(p, a, b, c) ------------ */

/* The connection's tokenizer, made at the first call (the function is
 * registered before the connection can answer "SELECT fts5(?)"); whole:
 * history_word_is, a word equal to p, not beginning with it. */
struct word_start {
	fts5_tokenizer api;
	Fts5Tokenizer *tok;
	bool whole;
};

struct word_probe {
	const char *p;
	int n;
	bool whole, found;
};

static int on_word(void *ctx, int flags, const char *s, int n, int start, int end)
{
	(void)flags, (void)start, (void)end;
	struct word_probe *w = ctx;
	if ((w->whole ? n == w->n : n >= w->n) && !memcmp(s, w->p, (size_t)w->n)) {
		w->found = true;
		return SQLITE_DONE; /* stops the tokenizer */
	}
	return SQLITE_OK;
}

static void sql_word_start(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct word_start *ws = sqlite3_user_data(cx);
	if (!ws->tok && !history_tokenizer_open(sqlite3_context_db_handle(cx), &ws->api, &ws->tok)) {
		ws->tok = NULL;
		sqlite3_result_error(cx, "the search index's tokenizer is missing", -1);
		return;
	}
	struct word_probe w = {(const char *)sqlite3_value_text(argv[0]),
	                       sqlite3_value_bytes(argv[0]), ws->whole, false};
	for (int i = 1; i < argc && w.p && w.n && !w.found; i++) {
		const char *text = (const char *)sqlite3_value_text(argv[i]);
		if (text)
			ws->api.xTokenize(ws->tok, &w, FTS5_TOKENIZE_DOCUMENT, text,
			                  sqlite3_value_bytes(argv[i]), on_word);
	}
	sqlite3_result_int(cx, w.found);
}

static void word_start_free(void *p)
{
	struct word_start *ws = p;
	if (ws && ws->tok)
		ws->api.xDelete(ws->tok);
	free(ws);
}

static int register_word_fn(sqlite3 *db, const char *name, bool whole)
{
	struct word_start *ws = calloc(1, sizeof *ws);
	if (!ws)
		return SQLITE_NOMEM;
	ws->whole = whole;
	return sqlite3_create_function_v2(db, name, 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC, ws,
	                                  sql_word_start, NULL, NULL, word_start_free);
}

int history_terms_register(sqlite3 *db)
{
	int rc = register_word_fn(db, "history_word_start", false);
	return rc ? rc : register_word_fn(db, "history_word_is", true);
}
