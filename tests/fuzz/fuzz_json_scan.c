/* json_scan against jansson on any input: both accept or both refuse it
 * (but for the two documented differences below), and when both accept,
 * the two walked side by side agree on every value: types, object members
 * (last duplicate wins), array lengths, decoded string bytes, integers and
 * reals. Every span handed out also parses on its own to itself. */
#include "fuzz.h"

#include <jansson.h>

#include "paydesk/json_scan.h"

/* Nesting of arrays and objects (a scalar alone is 0). */
static int js_depth(json_t *j)
{
	int d = 0;
	const char *k;
	json_t *m;
	size_t i;
	if (json_is_object(j)) {
		json_object_foreach(j, k, m) {
			int e = js_depth(m);
			d = e > d ? e : d;
		}
		return d + 1;
	}
	if (json_is_array(j)) {
		json_array_foreach(j, i, m) {
			int e = js_depth(m);
			d = e > d ? e : d;
		}
		return d + 1;
	}
	return 0;
}

static void js_same(json_t *j, struct jscan_val v);

static void js_same_object(json_t *j, struct jscan_val v)
{
	int n = jscan_members(v, NULL, 0);
	FUZZ_CHECK(n >= (int)json_object_size(j));
	struct jscan_member *m = malloc(((size_t)n + 1) * sizeof *m);
	char *keys = malloc(v.len + 1); /* every key decoded, one after the other */
	size_t *klen = malloc(((size_t)n + 1) * sizeof *klen), used = 0;
	FUZZ_CHECK(m && keys && klen);
	FUZZ_CHECK(jscan_members(v, m, n) == n);
	bool escaped = false;
	for (int i = 0; i < n; i++) {
		struct jscan_val k = {JSCAN_STRING, m[i].key - 1, m[i].key_len + 2};
		FUZZ_CHECK(m[i].key[-1] == '"' && m[i].key[m[i].key_len] == '"');
		long kl = jscan_string(k, keys + used);
		FUZZ_CHECK(kl >= 0 && (size_t)kl <= m[i].key_len);
		klen[i] = (size_t)kl;
		/* every key of the text is one of jansson's */
		FUZZ_CHECK(json_object_getn(j, keys + used, klen[i]) != NULL);
		used += klen[i] + 1;
		escaped |= memchr(m[i].key, '\\', m[i].key_len) != NULL;
	}
	/* and every one of jansson's is in the text: its last occurrence has
	 * the same value */
	const char *key;
	size_t key_len;
	json_t *val;
	json_object_keylen_foreach(j, key, key_len, val) {
		int last = -1;
		size_t off = 0;
		for (int i = 0; i < n; off += klen[i] + 1, i++)
			if (klen[i] == key_len && memcmp(keys + off, key, key_len) == 0)
				last = i;
		FUZZ_CHECK(last >= 0);
		if (!escaped) { /* raw keys are the decoded ones */
			struct jscan_val g = jscan_get(m, n, key);
			FUZZ_CHECK(g.start == m[last].val.start && g.len == m[last].val.len);
		}
		js_same(val, m[last].val);
	}
	FUZZ_CHECK(jscan_get(m, n, "\x01 not a key").type == JSCAN_NONE);
	if (n > 1) /* counting goes on past max */
		FUZZ_CHECK(jscan_members(v, m, 1) == n);
	free(klen);
	free(keys);
	free(m);
}

static void js_same(json_t *j, struct jscan_val v)
{
	/* a value's span is a JSON text of its own */
	struct jscan_val again;
	size_t at;
	FUZZ_CHECK(jscan_parse(v.start, v.len, &again, &at) == 0);
	FUZZ_CHECK(again.type == v.type && again.start == v.start && again.len == v.len);

	int64_t i;
	struct jscan_iter it;
	FUZZ_CHECK(jscan_array_begin(v, &it) == json_is_array(j));
	FUZZ_CHECK((jscan_members(v, NULL, 0) >= 0) == json_is_object(j));
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		FUZZ_CHECK(v.type == JSCAN_OBJECT);
		js_same_object(j, v);
		break;
	case JSON_ARRAY: {
		FUZZ_CHECK(v.type == JSCAN_ARRAY);
		size_t n = 0;
		struct jscan_val e;
		while (jscan_array_next(&it, &e)) {
			FUZZ_CHECK(n < json_array_size(j));
			js_same(json_array_get(j, n++), e);
		}
		FUZZ_CHECK(n == json_array_size(j));
		FUZZ_CHECK(!jscan_array_next(&it, &e));
		break;
	}
	case JSON_STRING: {
		FUZZ_CHECK(v.type == JSCAN_STRING);
		char *s = malloc(v.len);
		FUZZ_CHECK(s);
		long n = jscan_string(v, s);
		FUZZ_CHECK(n >= 0 && (size_t)n == json_string_length(j));
		FUZZ_CHECK(memcmp(s, json_string_value(j), (size_t)n) == 0 && s[n] == '\0');
		free(s);
		FUZZ_CHECK(!jscan_int(v, &i));
		break;
	}
	case JSON_INTEGER:
		FUZZ_CHECK(v.type == JSCAN_NUMBER);
		FUZZ_CHECK(jscan_int(v, &i) && i == json_integer_value(j));
		break;
	case JSON_REAL: {
		FUZZ_CHECK(v.type == JSCAN_NUMBER && !jscan_int(v, &i));
		char *s = fuzz_cstr((const uint8_t *)v.start, v.len);
		FUZZ_CHECK(strtod(s, NULL) == json_real_value(j));
		free(s);
		break;
	}
	case JSON_TRUE:
		FUZZ_CHECK(v.type == JSCAN_TRUE);
		break;
	case JSON_FALSE:
		FUZZ_CHECK(v.type == JSCAN_FALSE);
		break;
	case JSON_NULL:
		FUZZ_CHECK(v.type == JSCAN_NULL);
		break;
	}
	if (v.type != JSCAN_STRING)
		FUZZ_CHECK(jscan_string(v, NULL) == -1);
}

static bool js_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One differential round on text[0..*len). True when text was changed
 * (a NUL cut out, see below) and wants another round. */
static bool js_round(char *text, size_t *len)
{
	size_t n = *len;
	json_error_t jerr;
	json_t *j = json_loadb(text, n, JSON_DECODE_ANY, &jerr);
	struct jscan_val v;
	size_t at = (size_t)-1;
	bool again = false;
	if (jscan_parse(text, n, &v, &at) == 0) {
		FUZZ_CHECK(j != NULL); /* never more lenient than jansson */
		FUZZ_CHECK(v.start >= text && v.len && v.start + v.len <= text + n);
		for (const char *p = text; p < v.start; p++)
			FUZZ_CHECK(js_ws(*p));
		for (const char *p = v.start + v.len; p < text + n; p++)
			FUZZ_CHECK(js_ws(*p));
		js_same(j, v);
	} else {
		FUZZ_CHECK(at <= n);
		/* jansson accepting it is fine in two cases only: nesting deeper
		 * than JSCAN_MAX_DEPTH, or a NUL byte right after a number or
		 * true/false/null, which jansson's lexer drops when it puts the
		 * byte back (jscan refuses any NUL outside strings); then the
		 * text without that NUL must give the same tree. */
		if (j && js_depth(j) <= JSCAN_MAX_DEPTH) {
			FUZZ_CHECK(at > 0 && at < n && text[at] == '\0');
			char c = text[at - 1];
			FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
			memmove(text + at, text + at + 1, n - at - 1);
			*len = n - 1;
			again = true;
		}
	}
	json_decref(j);
	return again;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so reading past the end is caught */
	char *text = malloc(size ? size : 1);
	FUZZ_CHECK(text);
	if (size)
		memcpy(text, data, size);
	while (js_round(text, &size))
		;
	free(text);
	return 0;
}
