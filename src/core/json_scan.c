/* json_scan: one validating pass (jscan_parse) that refuses what jansson
 * refuses, then passes over the validated text that only track quotes,
 * escapes and brackets. See include/paydesk/json_scan.h. */
#include "paydesk/json_scan.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef const unsigned char *bytes;

struct scan {
	bytes end;
	bytes err; /* where it went wrong */
};

static bytes fail(struct scan *s, bytes p)
{
	s->err = p;
	return NULL;
}

#define ONES  (~(uint64_t)0 / 255)
#define HIGHS (ONES * 0x80)

/* 8 bytes at once, the first in the low byte whatever the byte order. */
static inline uint64_t load8(bytes p)
{
	uint64_t x;
	memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

/* Bit 7 of each byte of x that is c; above a byte that is, a borrow may
 * flag bytes that are not, so only the lowest flag is sure. */
static inline uint64_t has_byte(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (ONES * c);
	return (y - ONES) & ~y & HIGHS;
}

/* The offset of the first byte flagged in m (not 0). */
static inline unsigned first(uint64_t m)
{
	return (unsigned)__builtin_ctzll(m) / 8;
}

/* The bytes a string's validation stops at: a quote, a backslash, a
 * control character, a byte from 0x80 (first flag sure, as above). */
static inline uint64_t string_special(uint64_t x)
{
	return has_byte(x, '"') | has_byte(x, '\\') | (((x - ONES * 0x20) | x) & HIGHS);
}

static inline bool is_digit(unsigned c)
{
	return c - '0' < 10;
}

/* A value's type from its first byte; anything else is tried as a number. */
static const unsigned char types[256] = {
    ['"'] = JSCAN_STRING, ['{'] = JSCAN_OBJECT, ['['] = JSCAN_ARRAY,
    ['t'] = JSCAN_TRUE,   ['f'] = JSCAN_FALSE,  ['n'] = JSCAN_NULL,
};
static const char *const words[] = {
    [JSCAN_NULL] = "null", [JSCAN_FALSE] = "false", [JSCAN_TRUE] = "true"};

static inline enum jscan_type type_of(unsigned c)
{
	return types[c] ? (enum jscan_type)types[c] : JSCAN_NUMBER;
}

/* What a short escape stands for; 0: not one. */
static const char unescape[256] = {
    ['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
    ['f'] = '\f', ['n'] = '\n',  ['r'] = '\r', ['t'] = '\t',
};

static inline bytes skip_ws(bytes p, bytes end)
{
	while (p < end && *p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

static int hex4(bytes p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i], d;
		if (is_digit(c))
			d = c - '0';
		else if ((c | 0x20) - 'a' < 6)
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | (int)d;
	}
	return v;
}

/* The length of the UTF-8 sequence at p (lead byte from 0x80), 0 when it is
 * not one jansson's utf.c accepts: Unicode's table 3-7 (no overlongs, no
 * surrogates, nothing past U+10FFFF). */
static size_t utf8_len(bytes p, bytes end)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* p at the opening quote; returns past the closing one. */
static bytes scan_string(struct scan *s, bytes p)
{
	bytes end = s->end;
	p++;
	for (;;) {
		uint64_t m = 0;
		while (end - p >= 8 && !(m = string_special(load8(p))))
			p += 8;
		if (m)
			p += first(m);
		else
			while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
				p++;
		if (p == end || *p < 0x20)
			return fail(s, p);
		if (*p == '"')
			return p + 1;
		if (*p >= 0x80) {
			size_t n = utf8_len(p, end);
			if (!n)
				return fail(s, p);
			p += n;
			continue;
		}
		if (end - p < 2)
			return fail(s, p);
		if (unescape[p[1]]) {
			p += 2;
			continue;
		}
		/* \uXXXX: no \u0000 (jansson's default) and surrogates only in pairs */
		int u = p[1] == 'u' && end - p >= 6 ? hex4(p + 2) : -1;
		if (u <= 0 || (u >= 0xdc00 && u <= 0xdfff))
			return fail(s, p);
		if (u >= 0xd800 && u <= 0xdbff) {
			int lo = end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? hex4(p + 8) : -1;
			if (lo < 0xdc00 || lo > 0xdfff)
				return fail(s, p);
			p += 6;
		}
		p += 6;
	}
}

/* The integer of [p, end) (optional '-', then digits only) when it fits. */
static bool int_value(bytes p, bytes end, int64_t *out)
{
	bool neg = p < end && *p == '-';
	uint64_t u = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	p += neg;
	if (p == end)
		return false;
	for (; p < end; p++) {
		if (!is_digit(*p) || u > (limit - (*p - '0')) / 10)
			return false;
		u = u * 10 + (*p - '0');
	}
	*out = neg && u ? -(int64_t)(u - 1) - 1 : (int64_t)u;
	return true;
}

/* Whether strtod would overflow on the real [p, end), as jansson checks.
 * The threshold 2^1024 - 2^970 lies in [1e308, 1e309): below that decade
 * never, above it always, inside it strtod decides on a copy with no
 * decimal point (no locale) cut to 400 significant digits (the threshold
 * has 309, so the cut cannot take a value across it). Underflow is fine. */
static bool real_overflows(bytes p, bytes end)
{
	char buf[448];
	int n = 0;
	long long e10 = 0, exp = 0;
	bool dot = false;
	p += *p == '-';
	for (; p < end && (is_digit(*p) || *p == '.'); p++) {
		if (*p == '.') {
			dot = true;
			continue;
		}
		e10 -= dot;
		if (n == 0 && *p == '0')
			continue;
		if (n < 400)
			buf[n++] = (char)*p;
		else
			e10++;
	}
	if (p < end) { /* the exponent, saturated */
		bool neg = *++p == '-';
		p += *p == '-' || *p == '+';
		for (; p < end; p++)
			if (exp < 1000000000)
				exp = exp * 10 + (*p - '0');
		exp = neg ? -exp : exp;
	}
	if (n == 0 || n + e10 + exp < 309)
		return false;
	if (n + e10 + exp > 309)
		return true;
	snprintf(buf + n, sizeof buf - (size_t)n, "e%lld", e10 + exp);
	errno = 0;
	double d = strtod(buf, NULL);
	return d == HUGE_VAL && errno == ERANGE;
}

static bytes scan_number(struct scan *s, bytes p)
{
	bytes start = p, end = s->end;
	bool real = false;
	p += *p == '-';
	if (p == end || !is_digit(*p))
		return fail(s, p);
	if (*p == '0' && ++p < end && is_digit(*p))
		return fail(s, p); /* a leading zero */
	while (p < end && is_digit(*p))
		p++;
	size_t ndig = (size_t)(p - start) - (*start == '-');
	if (p < end && *p == '.') {
		real = true;
		if (++p == end || !is_digit(*p))
			return fail(s, p);
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p | 0x20) == 'e') {
		real = true;
		p++;
		p += p < end && (*p == '+' || *p == '-');
		if (p == end || !is_digit(*p))
			return fail(s, p);
		while (p < end && is_digit(*p))
			p++;
	}
	int64_t i;
	/* up to 18 digits always fit an int64_t */
	if (real ? real_overflows(start, p) : ndig > 18 && !int_value(start, p, &i))
		return fail(s, start);
	return p;
}

static bytes scan_value(struct scan *s, bytes p, int depth);

/* p at '[' or '{'. */
static bytes scan_container(struct scan *s, bytes p, int depth)
{
	bytes end = s->end;
	bool obj = *p == '{';
	if (depth > JSCAN_MAX_DEPTH)
		return fail(s, p);
	p = skip_ws(p + 1, end);
	if (p < end && *p == (obj ? '}' : ']'))
		return p + 1;
	for (;;) {
		if (obj) {
			if (p == end || *p != '"')
				return fail(s, p);
			if (!(p = scan_string(s, p)))
				return NULL;
			p = skip_ws(p, end);
			if (p == end || *p != ':')
				return fail(s, p);
			p = skip_ws(p + 1, end);
		}
		if (!(p = scan_value(s, p, depth)))
			return NULL;
		p = skip_ws(p, end);
		if (p < end && *p == (obj ? '}' : ']'))
			return p + 1;
		if (p == end || *p != ',')
			return fail(s, p);
		p = skip_ws(p + 1, end);
	}
}

static bytes scan_value(struct scan *s, bytes p, int depth)
{
	if (p == s->end)
		return fail(s, p);
	enum jscan_type t = type_of(*p);
	if (t == JSCAN_STRING)
		return scan_string(s, p);
	if (t == JSCAN_OBJECT || t == JSCAN_ARRAY)
		return scan_container(s, p, depth + 1);
	if (t == JSCAN_NUMBER)
		return scan_number(s, p);
	size_t n = 4 + (t == JSCAN_FALSE);
	if ((size_t)(s->end - p) < n || memcmp(p, words[t], n) != 0)
		return fail(s, p);
	return p + n;
}

int jscan_parse(const char *text, size_t len, struct jscan_val *out, size_t *err_at)
{
	bytes t = (bytes)text;
	struct scan s = {t + len, NULL};
	bytes p = skip_ws(t, s.end), q = scan_value(&s, p, 0);
	if (q && skip_ws(q, s.end) != s.end)
		q = fail(&s, skip_ws(q, s.end)); /* trailing bytes */
	if (!q) {
		if (err_at)
			*err_at = (size_t)(s.err - t);
		return -1;
	}
	if (out)
		*out = (struct jscan_val){type_of(*p), text + (p - t), (size_t)(q - p)};
	return 0;
}

/* The skipping passes below rely on the text being valid: a closing quote
 * or bracket is always ahead. Plain byte loops: between Stripe's short
 * strings, the 8-byte tricks above measured slower here (each find made
 * the next load wait on it). */

static bytes skip_string(bytes p)
{
	for (p++;; p += 2) {
		while (*p != '"' && *p != '\\')
			p++;
		if (*p == '"')
			return p + 1;
	}
}

/* c | 0x20 is '{' for '[' and '{' only, '}' for ']' and '}' only. */
static inline bool is_bracket(unsigned c)
{
	return (c | 0x20) == '{' || (c | 0x20) == '}';
}

static bytes skip_value(bytes p, bytes end)
{
	int depth = 0;
	switch (type_of(*p)) {
	case JSCAN_STRING:
		return skip_string(p);
	case JSCAN_TRUE:
	case JSCAN_NULL:
		return p + 4;
	case JSCAN_FALSE:
		return p + 5;
	case JSCAN_OBJECT:
	case JSCAN_ARRAY:
		for (;;) {
			while (*p != '"' && !is_bracket(*p))
				p++;
			if (*p == '"')
				p = skip_string(p);
			else if ((*p++ | 0x20) == '{')
				depth++;
			else if (--depth == 0)
				return p;
		}
	default:
		while (p < end &&
		       (is_digit(*p) || *p == '-' || *p == '+' || *p == '.' || (*p | 0x20) == 'e'))
			p++;
		return p;
	}
}

static struct jscan_val val_at(bytes p, bytes end)
{
	bytes q = skip_value(p, end);
	return (struct jscan_val){type_of(*p), (const char *)p, (size_t)(q - p)};
}

int jscan_members(struct jscan_val v, struct jscan_member *m, int max)
{
	if (v.type != JSCAN_OBJECT)
		return -1;
	bytes end = (bytes)v.start + v.len, p = skip_ws((bytes)v.start + 1, end);
	int n = 0;
	while (*p == '"') {
		bytes key = p + 1;
		p = skip_string(p);
		size_t key_len = (size_t)(p - 1 - key);
		p = skip_ws(skip_ws(p, end) + 1, end); /* past the colon */
		struct jscan_val val = val_at(p, end);
		if (n < max)
			m[n] = (struct jscan_member){(const char *)key, key_len, val};
		n++;
		p = skip_ws((bytes)val.start + val.len, end);
		if (*p == ',')
			p = skip_ws(p + 1, end);
	}
	return n;
}

struct jscan_val jscan_get(const struct jscan_member *m, int n, const char *key)
{
	size_t len = strlen(key);
	for (int i = n - 1; i >= 0; i--)
		if (m[i].key_len == len && memcmp(m[i].key, key, len) == 0)
			return m[i].val;
	return (struct jscan_val){JSCAN_NONE, NULL, 0};
}

bool jscan_array_begin(struct jscan_val v, struct jscan_iter *it)
{
	if (v.type != JSCAN_ARRAY) {
		it->p = it->end = NULL;
		return false;
	}
	it->end = v.start + v.len;
	it->p = (const char *)skip_ws((bytes)v.start + 1, (bytes)it->end);
	if (*it->p == ']')
		it->p = it->end;
	return true;
}

bool jscan_array_next(struct jscan_iter *it, struct jscan_val *out)
{
	if (it->p == it->end)
		return false;
	bytes end = (bytes)it->end;
	*out = val_at((bytes)it->p, end);
	bytes p = skip_ws((bytes)out->start + out->len, end);
	it->p = *p == ',' ? (const char *)skip_ws(p + 1, end) : it->end;
	return true;
}

/* Code point u as UTF-8 at d; returns past it. */
static char *put_utf8(char *d, unsigned u)
{
	static const unsigned char lead[5] = {0, 0, 0xc0, 0xe0, 0xf0};
	int n = u < 0x80 ? 1 : u < 0x800 ? 2 : u < 0x10000 ? 3 : 4;
	for (int i = n - 1; i > 0; i--, u >>= 6)
		d[i] = (char)(0x80 | (u & 0x3f));
	d[0] = (char)(lead[n] | u);
	return d + n;
}

long jscan_string(struct jscan_val v, char *dst)
{
	if (v.type != JSCAN_STRING)
		return -1;
	const char *p = v.start + 1, *end = v.start + v.len - 1; /* the closing quote */
	char *d = dst;
	for (;;) {
		const char *bs = memchr(p, '\\', (size_t)(end - p));
		size_t run = (size_t)((bs ? bs : end) - p);
		memcpy(d, p, run);
		d += run;
		if (!bs)
			break;
		p = bs + 2;
		if (bs[1] != 'u') {
			*d++ = unescape[(unsigned char)bs[1]];
			continue;
		}
		unsigned u = (unsigned)hex4((bytes)p);
		p += 4;
		if (u >= 0xd800 && u <= 0xdbff) { /* validated: a low surrogate follows */
			u = 0x10000 + ((u - 0xd800) << 10) +
			    ((unsigned)hex4((bytes)p + 2) - 0xdc00);
			p += 6;
		}
		d = put_utf8(d, u);
	}
	*d = '\0';
	return (long)(d - dst);
}

bool jscan_int(struct jscan_val v, int64_t *out)
{
	return v.type == JSCAN_NUMBER && int_value((bytes)v.start, (bytes)v.start + v.len, out);
}
