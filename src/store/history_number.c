/* A search word that is an amount, as people write one or copy it off the
 * screen: "12.34", "12,34", "1200", a currency sign before or after
 * ("$80", "120,00€"), thousands grouped in threes ("1,250.00",
 * "1.250,00", "1'250.00", "¥1,250,000"; a sign names its currencies), money
 * out as the list shows it ("-120.00", U+2212 too) or as accounts write it
 * ("(120.00)", "120.00-"), and "+" for money in only. Decimals past the
 * currency's that are zeros are no obstacle ("12,000.00" yen). One separator before three
 * digits ("1,250", "12.345") groups thousands in a currency of 0 or 2
 * decimals and is the decimal point in one of 3 (as those are written). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "history_internal.h"

/* The currency signs a word may begin or end with (UTF-8), and the
 * currencies each stands for (an SQL list). */
static const struct {
	const char *sign, *currencies;
} signs[] = {
    {"$", "('usd', 'cad', 'aud', 'nzd', 'sgd', 'hkd', 'mxn', 'twd', 'clp', 'cop', 'ars')"},
    {"\u20ac", "('eur')"},
    {"\u00a3", "('gbp')"},
    {"\u00a5", "('jpy', 'cny')"},
    {"\uffe5", "('jpy', 'cny')"}, /* fullwidth, as Japanese input writes it */
    {"\u5186", "('jpy')"},        /* 円, written after the amount */
    {"\u20b9", "('inr')"},
    {"\u20a9", "('krw')"},
    {"\u20bd", "('rub')"},
    {"\u20ba", "('try')"},
    {"\u20aa", "('ils')"},
    {"\u20ab", "('vnd')"},
    {"\u20b1", "('php')"},
    {"\u20a6", "('ngn')"},
    {"\u20b4", "('uah')"},
    {"\u20b2", "('pyg')"},
    {"\u20a1", "('crc')"},
    {"\u20b5", "('ghs')"},
    {"\u20b8", "('kzt')"},
};
#define NSIGNS     (sizeof signs / sizeof signs[0])
#define DOLLARS    0 /* signs[0]: "$" */

/* Currencies written in words beside an amount ("3500 yen", "79 euros"),
 * as English speakers and keyboards without the sign write them. */
static const struct {
	const char *name;
	size_t sign; /* the signs[] entry it stands for */
} names[] = {
    {"dollar", DOLLARS}, {"dollars", DOLLARS}, {"euro", 1}, {"euros", 1},
    {"pound", 2},        {"pounds", 2},        {"yen", 5},
};
#define MINUS_SIGN "\u2212"

/* The sign at p, or before e (index, or -1), and its length. */
static int sign_at(const char *p, const char *e, bool at_end, size_t *len)
{
	for (size_t i = 0; i < NSIGNS; i++) {
		size_t n = strlen(signs[i].sign);
		if ((size_t)(e - p) >= n && !memcmp(at_end ? e - n : p, signs[i].sign, n)) {
			*len = n;
			return (int)i;
		}
	}
	return -1;
}

static bool is_sep(char c)
{
	return c == '.' || c == ',' || c == '\'';
}

/* Spaces between digit groups ("1 250,00", with a no-break, narrow or
 * thin space as French and Swiss write it) as the apostrophe: thousands
 * only, never the decimal point. n: bytes of w; false when it does not fit. */
static bool spaces_as_apostrophes(const char *w, size_t n, char *out, size_t cap, size_t *len)
{
	static const char *const spaces[] = {" ", "\u00a0", "\u202f", "\u2009"};
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t k = 0, sl = 0;
		for (; k < sizeof spaces / sizeof *spaces; k++) {
			sl = strlen(spaces[k]);
			if (i > 0 && i + sl < n && !memcmp(w + i, spaces[k], sl) && w[i - 1] >= '0' &&
			    w[i - 1] <= '9' && w[i + sl] >= '0' && w[i + sl] <= '9')
				break;
		}
		if (o + 1 >= cap)
			return false;
		if (k < sizeof spaces / sizeof *spaces) {
			out[o++] = '\'';
			i += sl;
		} else {
			out[o++] = w[i++];
		}
	}
	out[o] = '\0';
	*len = o;
	return true;
}

bool history_number_word(const char *word, size_t wlen, struct history_number *out)
{
	char w[96];
	size_t len;
	if (!spaces_as_apostrophes(word, wlen, w, sizeof w, &len))
		return false;
	const char *p = w, *e = w + len;
	bool minus = false, plus = false;
	int sign = -1, at;
	size_t n;
	/* a sentence's end after the amount or its sign ("80.00 $.", "€120!") */
	while (e > p && (e[-1] == ';' || e[-1] == ':' || e[-1] == '!' || e[-1] == '?'))
		e--;
	if (e - p >= 2 && (e[-1] == '.' || e[-1] == ',') && !(e[-2] >= '0' && e[-2] <= '9') &&
	    e[-2] != '-')
		e--;
	if (e - p >= 2 && *p == '(' && e[-1] == ')') { /* accounting's money out */
		minus = true;
		p++;
		e--;
	}
	for (;;) { /* "-$120", "$-120", "−120", "+80" */
		if (p < e && (*p == '-' || *p == '+') && !minus && !plus) {
			minus = *p == '-';
			plus = *p == '+';
			p++;
		} else if ((size_t)(e - p) >= 3 && !memcmp(p, MINUS_SIGN, 3) && !minus && !plus) {
			minus = true;
			p += 3;
		} else if ((at = sign_at(p, e, false, &n)) >= 0 && (sign < 0 || at == sign)) {
			sign = at; /* "$$80": a sign typed twice is one */
			p += n;
		} else {
			break;
		}
	}
	bool tagged = false;
	for (int pass = 0; pass < 2; pass++) { /* before a sign at the end, or after it */
		if (e - p >= 3 && e[-1] == '-' && (e[-2] == ',' || e[-2] == '.') &&
		    e[-3] >= '0' && e[-3] <= '9' && !tagged) {
			e -= 2; /* "79,-": 79 and no cents, as a price tag writes it */
			tagged = true;
		} else if (e > p && e[-1] == '-' && !minus && !plus && !tagged) {
			minus = true; /* "1,250.00-" */
			e--;
		}
		while ((at = sign_at(p, e, true, &n)) >= 0 && (sign < 0 || at == sign)) {
			sign = at;
			e -= n;
		}
	}
	if (e - p >= 2 && (e[-1] == '.' || e[-1] == ',') && e[-2] >= '0' && e[-2] <= '9')
		e--; /* "1250." */
	/* digit groups between separators */
	enum { GROUPS = 8 };
	const char *g[GROUPS];
	int glen[GROUPS], ng = 0, digits = 0;
	char sep[GROUPS];
	for (const char *c = p; c < e; c++) {
		if (*c >= '0' && *c <= '9') {
			if (c == p || is_sep(c[-1])) {
				if (ng == GROUPS)
					return false;
				g[ng] = c;
				glen[ng++] = 0;
			}
			glen[ng - 1]++;
			if (++digits > 15)
				return false;
		} else if (is_sep(*c) && c > p && c + 1 < e && !is_sep(c[-1])) {
			sep[ng] = *c; /* the separator before group ng */
		} else {
			return false;
		}
	}
	if (ng == 0)
		return false;
	/* which separator is the decimal point, if any */
	int decimals_group = -1; /* the group after the point */
	bool ambiguous = false;  /* "1,250": thousands, or 1.250 of a 3-decimal currency */
	if (ng == 2) {
		if (sep[1] == '\'' && glen[1] != 3)
			return false;
		if (glen[1] == 3 && glen[0] <= 3)
			ambiguous = sep[1] != '\'';
		else if (glen[1] <= 3 && sep[1] != '\'')
			decimals_group = 1;
		else if (sep[1] != '\'' || glen[0] > 3)
			return false;
	} else if (ng > 2) {
		/* grouped in threes by one separator, the last one maybe a point */
		bool point = sep[ng - 1] != sep[1];
		int last_grouped = point ? ng - 2 : ng - 1;
		if (glen[0] > 3)
			return false;
		for (int i = 1; i <= last_grouped; i++)
			if (glen[i] != 3 || sep[i] != sep[1])
				return false;
		if (point) {
			if (sep[ng - 1] == '\'' || glen[ng - 1] > 3)
				return false;
			decimals_group = ng - 1;
		}
	}
	int64_t whole = 0, frac = 0;
	int decimals = 0;
	for (int i = 0; i < ng; i++)
		for (int k = 0; k < glen[i]; k++) {
			if (i == decimals_group) {
				frac = frac * 10 + (g[i][k] - '0');
				decimals++;
			} else {
				whole = whole * 10 + (g[i][k] - '0');
			}
		}
	if (!out)
		return true;
	static const int exps[3] = {0, 2, 3};
	for (int k = 0; k < 3; k++) {
		int64_t scale = exps[k] == 0 ? 1 : exps[k] == 2 ? 100 : 1000;
		int64_t f = frac;
		int d = decimals;
		int64_t wh = whole;
		if (ambiguous && exps[k] == 3) { /* 1.250 of a dinar */
			wh = 0;
			for (int c = 0; c < glen[0]; c++)
				wh = wh * 10 + (g[0][c] - '0');
			f = 0;
			for (int c = 0; c < glen[1]; c++)
				f = f * 10 + (g[1][c] - '0');
			d = 3;
		}
		for (; d > exps[k] && f % 10 == 0; d--) /* "12,000.00" yen */
			f /= 10;
		for (int x = d; x < exps[k]; x++)
			f *= 10;
		out->minor[k] = d > exps[k] ? -1 : wh * scale + f;
	}
	out->point_thousands = ambiguous && sep[1] == '.';
	if (out->point_thousands) {
		snprintf(out->whole, sizeof out->whole, "%.*s", glen[0], g[0]);
		snprintf(out->group, sizeof out->group, "%.3s", g[1]);
	}
	out->out = minus;
	out->in = plus;
	out->currencies = sign >= 0 ? signs[sign].currencies : NULL;
	out->last4[0] = '\0';
	if (!minus && !plus && !tagged && sign < 0 && ng == 1 && glen[0] == 4 && e - p == 4) {
		memcpy(out->last4, p, 4);
		out->last4[4] = '\0';
	}
	return true;
}

const char *history_number_currency_name(const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].name) == len && !strncasecmp(w, names[i].name, len))
			return signs[names[i].sign].currencies;
	return NULL;
}

bool history_number_sign(const char *w, size_t len)
{
	/* "$.", "€€": typed by someone tired, still the sign */
	while (len && strchr(".,;:!?", w[len - 1]))
		len--;
	if (len == 3 && !memcmp(w, MINUS_SIGN, 3))
		return true;
	size_t n = 0;
	int first = len ? sign_at(w, w + len, false, &n) : -1;
	if (first < 0)
		return false;
	for (size_t at = 0; at < len; at += n)
		if (sign_at(w + at, w + len, false, &n) != first)
			return false;
	return true;
}

/* The word [p, p + len) as typed, read as thousands ("79.000" -> "79,000",
 * sign and symbol kept), and as meant with the zero too many dropped
 * ("79.00"); false unless its three digits after the point end in 0 ("79.255"
 * is no tired 79.25). */
static bool thousands_hint(const char *p, size_t len, char *out, size_t out_len)
{
	struct history_number n;
	char typed[96], point[8], read_as[96], meant[96];
	if (len >= sizeof typed || !history_number_word(p, len, &n) || !n.point_thousands ||
	    n.group[2] != '0')
		return false;
	memcpy(typed, p, len);
	typed[len] = '\0';
	snprintf(point, sizeof point, "%s.%s", n.whole, n.group);
	const char *at = strstr(typed, point);
	if (!at)
		return false;
	size_t dot = (size_t)(at - typed) + strlen(n.whole), zero = dot + 3;
	snprintf(read_as, sizeof read_as, "%s", typed);
	read_as[dot] = ',';
	snprintf(meant, sizeof meant, "%.*s%s", (int)zero, typed, typed + zero + 1);
	snprintf(out, out_len, "%s is read as %s; for %s, type %s", typed, read_as, meant, meant);
	return true;
}

bool history_search_amount_hint(const char *text, char *out, size_t len)
{
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if (e > p && thousands_hint(p, (size_t)(e - p), out, len))
			return true;
		p = e;
	}
	return false;
}
