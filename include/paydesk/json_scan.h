/* Reading fields out of a JSON text without building a tree.
 *
 * jansson builds a tree: a malloc per value and per key, a hash table per
 * object, and a free of each afterwards. For a history sync page (100
 * Stripe objects of ~1.5 KB, of which ~30 fields are read) that was 35 µs
 * of a record's 50 µs budget. json_scan validates the text once (strict
 * RFC 8259, UTF-8 included: what jansson accepts, it accepts), then hands
 * out spans of the text itself; nothing is allocated, strings are decoded
 * only when asked for, into the caller's buffer.
 *
 * Spans point into the caller's text, which must outlive them. Only spans
 * of a text that jscan_parse accepted may be passed to the other calls. */
#ifndef PAYDESK_JSON_SCAN_H
#define PAYDESK_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jscan_type {
	JSCAN_NONE, /* absent (a missing member) */
	JSCAN_NULL,
	JSCAN_FALSE,
	JSCAN_TRUE,
	JSCAN_NUMBER,
	JSCAN_STRING,
	JSCAN_OBJECT,
	JSCAN_ARRAY,
};

/* A value: its type and its bytes in the text (a string's span includes
 * its quotes, an object's its braces). */
struct jscan_val {
	enum jscan_type type;
	const char *start;
	size_t len;
};

/* An object's member: the key as written between its quotes (escapes not
 * decoded: Stripe's keys have none) and its value. */
struct jscan_member {
	const char *key;
	size_t key_len;
	struct jscan_val val;
};

/* Validate text[0..len) as one JSON value (whitespace around it allowed,
 * nothing else; depth at most JSCAN_MAX_DEPTH). Refused as jansson refuses
 * them: invalid UTF-8, "\u0000", lone surrogates, an integer beyond
 * int64_t, a real beyond a double. 0 and *out set when valid; -1 when not,
 * with *err_at the byte offset where it went wrong (either pointer may be
 * NULL when not wanted; *out's span leaves the surrounding whitespace out).
 *
 * Any top-level value is accepted (jansson's JSON_DECODE_ANY). Two texts
 * jansson 2.14 (json_loadb) takes are refused here: nesting deeper than
 * JSCAN_MAX_DEPTH arrays/objects ("[[1]]" is 2 deep; jansson allows 2048),
 * and a NUL byte right after a number or true/false/null, as in "[1\0]"
 * (jansson's lexer drops such a byte when it puts it back; any NUL outside
 * a string is refused here, and inside one it is a control character). */
#define JSCAN_MAX_DEPTH 64
int jscan_parse(const char *text, size_t len, struct jscan_val *out, size_t *err_at);

/* The members of an object, in text order, up to max of them; returns the
 * number of members (which may exceed max: only the first max are stored),
 * or -1 when v is not an object. */
int jscan_members(struct jscan_val v, struct jscan_member *m, int max);

/* The value of key among m[0..n): the last one when a key repeats (as
 * jansson does); type JSCAN_NONE when absent. */
struct jscan_val jscan_get(const struct jscan_member *m, int n, const char *key);

/* Walking an array's elements. */
struct jscan_iter {
	const char *p, *end;
};
bool jscan_array_begin(struct jscan_val v, struct jscan_iter *it); /* false: not an array */
bool jscan_array_next(struct jscan_iter *it, struct jscan_val *out); /* false: no more */

/* A string's decoded bytes (escapes resolved, \u surrogate pairs joined to
 * UTF-8) into dst, NUL-terminated; dst must hold v.len bytes (the decoded
 * form is never longer than the quoted one). Returns the decoded length,
 * or -1 when v is not a string. */
long jscan_string(struct jscan_val v, char *dst);

/* An integer number (no fraction, no exponent, fits int64_t), as jansson's
 * json_is_integer sees it: true and *out set; false for anything else. */
bool jscan_int(struct jscan_val v, int64_t *out);

/* Shorthands for the common checks. */
static inline bool jscan_is(struct jscan_val v, enum jscan_type t)
{
	return v.type == t;
}

#endif
