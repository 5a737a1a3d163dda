/* json_scan: what it accepts and refuses (rule by rule, and the same as
 * jansson on a set of tricky texts), where it says it went wrong, members
 * and duplicates, nested skipping, arrays, string decoding and integers. */
#include "testutil.h"

#include <jansson.h>

#include "paydesk/json_scan.h"

struct text {
	const char *s;
	size_t len; /* NULs may be part of the text */
	const char *why;
};
#define T(s, why) {s, sizeof(s) - 1, why}

static const struct text valid[] = {
	T("0", "zero"),
	T("-0", "negative zero is an integer"),
	T("123", "integer"),
	T("-1.5e-3", "fraction and signed exponent"),
	T("1E5", "capital E"),
	T("1e+5", "explicit plus in the exponent"),
	T("0.0", "zero fraction"),
	T("0e0", "zero with exponent"),
	T("1e-400", "underflow is fine (jansson only refuses overflow)"),
	T("-1e-99999999999999999999", "huge negative exponent underflows"),
	T("0e99999999999999999999", "zero with a huge exponent is zero"),
	T("1.7976931348623157e308", "DBL_MAX"),
	T("1.7976931348623158e308", "rounds to DBL_MAX"),
	T("1e308", "in the threshold's decade, below it"),
	T("9223372036854775807", "INT64_MAX"),
	T("-9223372036854775808", "INT64_MIN"),
	T("0.00000000000000000000000000000000000000001e349", "1e308 spelt with leading zeros"),
	T("\"\"", "empty string"),
	T("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "every short escape"),
	T("\"\\u0041\\u00e9\\u20AC\\uFFFF\"", "\\u escapes, either case"),
	T("\"\\ud83d\\ude00\"", "surrogate pair"),
	T("\"\\uDBFF\\uDFFF\"", "highest surrogate pair"),
	T("\"\x7f\"", "DEL is not a control character for JSON"),
	T("\"Zo\xc3\xab \xe6\x97\xa5 \xf0\x9f\x98\x80\"", "raw UTF-8 of 2, 3 and 4 bytes"),
	T("\"\xc2\x80\"", "lowest 2-byte sequence"),
	T("\"\xe0\xa0\x80\"", "lowest 3-byte sequence"),
	T("\"\xed\x9f\xbf\"", "U+D7FF, just below the surrogates"),
	T("\"\xee\x80\x80\"", "U+E000, just above them"),
	T("\"\xf0\x90\x80\x80\"", "lowest 4-byte sequence"),
	T("\"\xf4\x8f\xbf\xbf\"", "U+10FFFF"),
	T("\"[{]}\\\"\"", "brackets and an escaped quote in a string"),
	T("true", "true"),
	T("false", "false"),
	T("null", "null"),
	T(" \t\r\n[ ] \n", "the four whitespace bytes around and inside"),
	T("{}", "empty object"),
	T("[1,\"a\",true,false,null,{},[]]", "every kind in an array"),
	T("{\"a\":{\"b\":[1,{\"c\":null}]}}", "nesting"),
	T("{\"a\":1,\"a\":2}", "duplicate keys (the last wins)"),
	T("{\"\":0}", "empty key"),
	T("{ \"a\" : 1 , \"b\" : [ 2 , 3 ] }", "whitespace everywhere allowed"),
};

static const struct text invalid[] = {
	T("", "empty text"),
	T(" \n", "only whitespace"),
	T("[1,]", "trailing comma in an array"),
	T("[,1]", "leading comma"),
	T("{\"a\":1,}", "trailing comma in an object"),
	T("{\"a\" 1}", "missing colon"),
	T("{a:1}", "unquoted key"),
	T("{1:1}", "number as key"),
	T("['a']", "single quotes"),
	T("[1 2]", "missing comma"),
	T("[", "unclosed array"),
	T("{\"a\":1", "unclosed object"),
	T("[1}", "mismatched bracket"),
	T("]", "closing bracket alone"),
	T("[1]]", "trailing garbage"),
	T("{} {}", "two values"),
	T("tru", "truncated literal"),
	T("True", "literals are lowercase"),
	T("truex", "literal followed by letters"),
	T("NaN", "no NaN"),
	T("-Infinity", "no infinities"),
	T("\v1", "vertical tab is not whitespace"),
	T("\f1", "form feed is not whitespace"),
	T("\xc2\xa0" "1", "no-break space is not whitespace"),
	T("\xef\xbb\xbf{}", "no byte-order mark"),
	T("/**/1", "no comments"),
	T("01", "leading zero"),
	T("-01", "leading zero after minus"),
	T("00", "double zero"),
	T("+1", "leading plus"),
	T(".5", "bare fraction"),
	T("1.", "dot without digits"),
	T("1.e5", "dot without digits before the exponent"),
	T("-", "minus alone"),
	T("- 1", "minus then space"),
	T("1e", "exponent without digits"),
	T("1e+", "exponent sign without digits"),
	T("0x10", "no hex"),
	T("9223372036854775808", "INT64_MAX + 1 (jansson: too big integer)"),
	T("-9223372036854775809", "INT64_MIN - 1 (jansson: too big negative integer)"),
	T("99999999999999999999", "20 digits"),
	T("1e400", "real overflow"),
	T("-1e400", "negative real overflow"),
	T("1.7976931348623159e308", "rounds past DBL_MAX"),
	T("2e308", "in the threshold's decade, above it"),
	T("0.1e99999999999999999999", "overflow with a huge exponent"),
	T("\"abc", "unterminated string"),
	T("\"a\tb\"", "raw tab in a string"),
	T("\"a\nb\"", "raw newline in a string"),
	T("\"\x1f\"", "control character"),
	T("\"a\0b\"", "raw NUL in a string is a control character"),
	T("\"\\x41\"", "unknown escape"),
	T("\"\\'\"", "escaped single quote"),
	T("\"\\U0041\"", "capital U escape"),
	T("\"\\u12\"", "short \\u"),
	T("\"\\u12G4\"", "non-hex digit in \\u"),
	T("\"\\", "backslash at the end"),
	T("\"\\u0000\"", "\\u0000 (jansson without JSON_ALLOW_NUL)"),
	T("{\"\\u0000\":1}", "\\u0000 in a key"),
	T("\"\\ud800\"", "lone high surrogate"),
	T("\"\\udc00\"", "lone low surrogate"),
	T("\"\\ud800\\ud800\"", "high surrogate twice"),
	T("\"\\udc00\\ud800\"", "pair the wrong way round"),
	T("\"\\ud800x\"", "high surrogate then a letter"),
	T("\"\\ud800\\u0041\"", "high surrogate then a non-surrogate"),
	T("\"\\ud800\\\\udc00\"", "high surrogate then an escaped backslash"),
	T("\"\x80\"", "lone continuation byte"),
	T("\"\xc0\xaf\"", "overlong 2-byte"),
	T("\"\xc1\xbf\"", "overlong 2-byte (C1)"),
	T("\"\xe0\x80\xaf\"", "overlong 3-byte"),
	T("\"\xf0\x80\x80\xaf\"", "overlong 4-byte"),
	T("\"\xed\xa0\x80\"", "UTF-8 encoded surrogate U+D800"),
	T("\"\xed\xbf\xbf\"", "UTF-8 encoded surrogate U+DFFF"),
	T("\"\xf4\x90\x80\x80\"", "past U+10FFFF"),
	T("\"\xf5\x80\x80\x80\"", "lead byte F5"),
	T("\"\xff\"", "byte FF"),
	T("\"\xe2\x82\"", "truncated 3-byte sequence"),
	T("\"\xc3\"", "truncated 2-byte sequence before the quote"),
	T("\"\xc3", "truncated at the end of the text"),
	T("\"\xe2\x28\xa1\"", "bad continuation byte"),
	T("[\xc3\xa9]", "UTF-8 outside a string"),
	T("\0", "NUL alone"),
	T("\0[]", "NUL before a value"),
	T("[]\0", "NUL after a container"),
	T("\"a\"\0", "NUL after a string"),
	T("[1,\0 2]", "NUL where a value should be"),
	T("1\0\0", "two NULs after a number"),
};

/* jansson 2.14 accepts these, jscan does not (documented in json_scan.h):
 * its lexer loses a NUL byte it puts back after a number or a literal. */
static const struct text nul_after_token[] = {
	T("1\0", "NUL after a number"),
	T("[1.5\0]", "NUL after a real in an array"),
	T("[true\0,false]", "NUL after true"),
	T("{\"a\":null\0}", "NUL after null in an object"),
};

/* Texts made at run time: nesting, long numbers, the overflow threshold. */
#define MAX_MADE 8
static char made[MAX_MADE][1200];
static struct text made_valid[MAX_MADE], made_invalid[MAX_MADE];
static size_t n_made_valid, n_made_invalid;

/* 2^1024 - 2^970: the smallest value strtod takes to infinity. */
#define OVERFLOW_DIGITS                                                                     \
	"17976931348623158079372897140530341507993413271003782693617377898044496829276475094" \
	"66490179775872070963302864166928879109465555478519404026306574886715058206819089020" \
	"00708383676273854845817711531764475730270069855571366959622842914819860834936475292" \
	"719074168444365510704342711559699508093042880177904174497792"

static void add_made(bool ok, const char *why, const char *fmt, ...)
{
	size_t i = n_made_valid + n_made_invalid;
	assert_true(i < MAX_MADE);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(made[i], sizeof made[i], fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof made[i]);
	struct text t = {made[i], (size_t)n, why};
	if (ok)
		made_valid[n_made_valid++] = t;
	else
		made_invalid[n_made_invalid++] = t;
}

static char *repeat(char *dst, char c, size_t n)
{
	memset(dst, c, n);
	dst[n] = '\0';
	return dst;
}

static int setup_made(void **state)
{
	(void)state;
	char open[128], close[128], digits[600], limit[400];
	n_made_valid = n_made_invalid = 0;
	add_made(true, "64 nested arrays (JSCAN_MAX_DEPTH)", "%s%s", repeat(open, '[', 64),
		 repeat(close, ']', 64));
	add_made(true, "1e308 as 309 digits", "1%s.5", repeat(digits, '0', 308));
	add_made(true, "600 digits of fraction, scaled into range", "0.%s1e600",
		 repeat(digits, '0', 599));
	snprintf(limit, sizeof limit, "%s", OVERFLOW_DIGITS);
	limit[strlen(limit) - 1]--; /* one below the threshold: DBL_MAX */
	add_made(true, "one below the overflow threshold", "%s.%s", limit,
		 repeat(digits, '9', 500));
	add_made(false, "65 nested arrays", "%s%s", repeat(open, '[', 65),
		 repeat(close, ']', 65));
	add_made(false, "the overflow threshold itself (ties to even: infinity)",
		 "%s.0", OVERFLOW_DIGITS);
	add_made(false, "the threshold plus a far tail", "0.%s%s1e309", OVERFLOW_DIGITS,
		 repeat(digits, '0', 300));
	add_made(false, "1e309 spelt out", "1%s.0", repeat(digits, '0', 309));
	return 0;
}

static void check_valid(const struct text *t)
{
	struct jscan_val v;
	size_t at = 12345;
	if (jscan_parse(t->s, t->len, &v, &at) != 0)
		fail_msg("refused (at %zu) but valid: %s", at, t->why);
	assert_int_equal(at, 12345); /* untouched */
	assert_true(v.start >= t->s && v.start + v.len <= t->s + t->len);
}

static void check_invalid(const struct text *t)
{
	struct jscan_val v = {JSCAN_NONE, NULL, 0};
	size_t at = (size_t)-1;
	if (jscan_parse(t->s, t->len, &v, &at) == 0)
		fail_msg("accepted but invalid: %s", t->why);
	assert_true(at <= t->len);
	assert_int_equal(v.type, JSCAN_NONE); /* untouched */
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_valid_texts(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(valid); i++)
		check_valid(&valid[i]);
	for (size_t i = 0; i < n_made_valid; i++)
		check_valid(&made_valid[i]);
}

static void test_invalid_texts(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(invalid); i++)
		check_invalid(&invalid[i]);
	for (size_t i = 0; i < N(nul_after_token); i++)
		check_invalid(&nul_after_token[i]);
	for (size_t i = 0; i < n_made_invalid; i++)
		check_invalid(&made_invalid[i]);
}

static bool jansson_accepts(const struct text *t)
{
	json_error_t err;
	json_t *j = json_loadb(t->s, t->len, JSON_DECODE_ANY, &err);
	json_decref(j);
	return j != NULL;
}

/* Every text above through both: the same verdict, but for the two
 * documented differences (deeper than 64, a NUL after a number/literal). */
static void test_agrees_with_jansson(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(valid); i++)
		if (!jansson_accepts(&valid[i]))
			fail_msg("jansson refuses: %s", valid[i].why);
	for (size_t i = 0; i < N(invalid); i++)
		if (jansson_accepts(&invalid[i]))
			fail_msg("jansson accepts: %s", invalid[i].why);
	for (size_t i = 0; i < n_made_valid; i++)
		if (!jansson_accepts(&made_valid[i]))
			fail_msg("jansson refuses: %s", made_valid[i].why);
	for (size_t i = 0; i < n_made_invalid; i++)
		if (jansson_accepts(&made_invalid[i]) != (strstr(made_invalid[i].why, "nested") != NULL))
			fail_msg("jansson differs: %s", made_invalid[i].why);
	for (size_t i = 0; i < N(nul_after_token); i++)
		if (!jansson_accepts(&nul_after_token[i]))
			fail_msg("jansson refuses now (the difference is gone?): %s",
				 nul_after_token[i].why);
}

static size_t err_at(const char *s, size_t len)
{
	size_t at = (size_t)-1;
	assert_int_equal(jscan_parse(s, len, NULL, &at), -1);
	return at;
}
#define ERR_AT(s) err_at(s, sizeof(s) - 1)

static void test_error_offsets(void **state)
{
	(void)state;
	assert_int_equal(ERR_AT(""), 0);
	assert_int_equal(ERR_AT("[1,]"), 3);
	assert_int_equal(ERR_AT("[01]"), 2);
	assert_int_equal(ERR_AT("1 x"), 2);
	assert_int_equal(ERR_AT("{\"a\" 1}"), 5);
	assert_int_equal(ERR_AT("[\"ok\", \"\\ud800\"]"), 8);
	assert_int_equal(ERR_AT("\"ab\xed\xa0\x80\""), 3);
	assert_int_equal(ERR_AT("[9223372036854775808]"), 1);
	assert_int_equal(ERR_AT("[1\0]"), 2);
	assert_int_equal(err_at(made_invalid[0].s, made_invalid[0].len), 64); /* 65th '[' */
	/* NULL for what is not wanted */
	assert_int_equal(jscan_parse("[]", 2, NULL, NULL), 0);
	assert_int_equal(jscan_parse("[", 1, NULL, NULL), -1);
}

static struct jscan_val parse(const char *s)
{
	struct jscan_val v;
	size_t at;
	assert_int_equal(jscan_parse(s, strlen(s), &v, &at), 0);
	return v;
}

static void assert_span(struct jscan_val v, enum jscan_type type, const char *text)
{
	assert_int_equal(v.type, type);
	assert_int_equal(v.len, strlen(text));
	assert_memory_equal(v.start, text, v.len);
}

static void test_top_level_span(void **state)
{
	(void)state;
	const char *s = " \n {\"a\": [1, 2]} \t\r\n";
	struct jscan_val v = parse(s);
	assert_ptr_equal(v.start, s + 3); /* a span of the text itself */
	assert_span(v, JSCAN_OBJECT, "{\"a\": [1, 2]}");
	assert_span(parse(" \"x\" "), JSCAN_STRING, "\"x\"");
	assert_span(parse("-12.5e3\n"), JSCAN_NUMBER, "-12.5e3");
	assert_span(parse("null"), JSCAN_NULL, "null");
	assert_span(parse("false "), JSCAN_FALSE, "false");
	assert_span(parse(" true"), JSCAN_TRUE, "true");
	assert_span(parse("[ ]"), JSCAN_ARRAY, "[ ]");
}

static void test_members_and_get(void **state)
{
	(void)state;
	const char *s = "{\n  \"id\": \"pi_1\",\n  \"nested\": {\"x\": \"}]\\\"{[\", \"y\": [[], {}, "
			"\"\\\\\"]},\n  \"amount\": -2000,\n  \"id\": \"pi_2\",\n  \"list\": [1, "
			"{\"id\": 3}],\n  \"ok\": true, \"no\": false, \"none\": null, \"r\": 1.5e3\n}";
	struct jscan_val v = parse(s);
	struct jscan_member m[16];
	int n = jscan_members(v, m, 16);
	assert_int_equal(n, 9);
	assert_int_equal(m[0].key_len, 2);
	assert_memory_equal(m[0].key, "id", 2);
	assert_span(m[0].val, JSCAN_STRING, "\"pi_1\"");
	/* nested skipping: brackets and escaped quotes inside strings */
	assert_span(m[1].val, JSCAN_OBJECT, "{\"x\": \"}]\\\"{[\", \"y\": [[], {}, \"\\\\\"]}");
	assert_span(jscan_get(m, n, "amount"), JSCAN_NUMBER, "-2000");
	assert_span(jscan_get(m, n, "id"), JSCAN_STRING, "\"pi_2\""); /* the last one */
	assert_span(jscan_get(m, n, "list"), JSCAN_ARRAY, "[1, {\"id\": 3}]");
	assert_span(jscan_get(m, n, "ok"), JSCAN_TRUE, "true");
	assert_span(jscan_get(m, n, "no"), JSCAN_FALSE, "false");
	assert_span(jscan_get(m, n, "none"), JSCAN_NULL, "null");
	assert_span(jscan_get(m, n, "r"), JSCAN_NUMBER, "1.5e3");
	assert_int_equal(jscan_get(m, n, "missing").type, JSCAN_NONE);
	assert_int_equal(jscan_get(m, n, "i").type, JSCAN_NONE); /* a prefix is not the key */
	assert_int_equal(jscan_get(m, n, "ids").type, JSCAN_NONE);
	assert_int_equal(jscan_get(m, n, "").type, JSCAN_NONE);
	assert_true(jscan_is(jscan_get(m, 1, "id"), JSCAN_STRING)); /* only the first member */
	assert_span(jscan_get(m, 1, "id"), JSCAN_STRING, "\"pi_1\"");

	/* the nested object, its members in turn */
	struct jscan_member in[4];
	assert_int_equal(jscan_members(m[1].val, in, 4), 2);
	assert_span(jscan_get(in, 2, "x"), JSCAN_STRING, "\"}]\\\"{[\"");

	/* fewer slots than members: the count still comes back, the rest untouched */
	struct jscan_member few[3];
	memset(few, 0, sizeof few);
	assert_int_equal(jscan_members(v, few, 2), 9);
	assert_memory_equal(few[1].key, "nested", 6);
	assert_null(few[2].key);
	assert_int_equal(jscan_members(v, NULL, 0), 9);

	/* empty objects, keys as written, not an object */
	assert_int_equal(jscan_members(parse("{ }"), m, 16), 0);
	assert_int_equal(jscan_members(parse("{\"\":{}}"), m, 16), 1);
	assert_int_equal(m[0].key_len, 0);
	assert_span(jscan_get(m, 1, ""), JSCAN_OBJECT, "{}");
	assert_int_equal(jscan_members(parse("{\"a\\u0062\":1}"), m, 16), 1);
	assert_int_equal(m[0].key_len, 7); /* escapes are not decoded in keys */
	assert_int_equal(jscan_members(parse("[1]"), m, 16), -1);
	assert_int_equal(jscan_members(parse("\"{}\""), m, 16), -1);
	assert_int_equal(jscan_get(m, 0, "a").type, JSCAN_NONE);
}

static void test_array_iteration(void **state)
{
	(void)state;
	struct jscan_iter it;
	struct jscan_val e;
	assert_true(jscan_array_begin(parse("[]"), &it));
	assert_false(jscan_array_next(&it, &e));
	assert_true(jscan_array_begin(parse("[ \n ]"), &it));
	assert_false(jscan_array_next(&it, &e));
	assert_false(jscan_array_next(&it, &e)); /* and stays done */

	assert_true(jscan_array_begin(parse("[ {} , [] ,\"],\", [1,[2]] ,-3 ,{\"a\":\"[\"}]"), &it));
	const char *want[] = {"{}", "[]", "\"],\"", "[1,[2]]", "-3", "{\"a\":\"[\"}"};
	enum jscan_type types[] = {JSCAN_OBJECT, JSCAN_ARRAY,  JSCAN_STRING,
				   JSCAN_ARRAY,  JSCAN_NUMBER, JSCAN_OBJECT};
	for (size_t i = 0; i < N(want); i++) {
		assert_true(jscan_array_next(&it, &e));
		assert_span(e, types[i], want[i]);
	}
	assert_false(jscan_array_next(&it, &e));
	assert_false(jscan_array_next(&it, &e));

	/* an empty object inside, then its members */
	assert_true(jscan_array_begin(parse("[{}]"), &it));
	assert_true(jscan_array_next(&it, &e));
	assert_int_equal(jscan_members(e, NULL, 0), 0);
	assert_false(jscan_array_next(&it, &e));

	assert_false(jscan_array_begin(parse("{}"), &it));
	assert_false(jscan_array_next(&it, &e));
	assert_false(jscan_array_begin(parse("\"[]\""), &it));
	assert_false(jscan_array_begin((struct jscan_val){JSCAN_NONE, NULL, 0}, &it));
}

static void check_string(const char *json, const char *want, size_t want_len)
{
	struct jscan_val v = parse(json);
	char *dst = malloc(v.len); /* exactly the promised capacity */
	assert_non_null(dst);
	long n = jscan_string(v, dst);
	assert_int_equal(n, want_len);
	assert_memory_equal(dst, want, want_len);
	assert_int_equal(dst[n], '\0');
	free(dst);
}
#define CHECK_STRING(json, want) check_string(json, want, sizeof(want) - 1)

static void test_string_decoding(void **state)
{
	(void)state;
	CHECK_STRING("\"\"", "");
	CHECK_STRING("\"plain\"", "plain");
	CHECK_STRING("\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d");
	CHECK_STRING("\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t");
	CHECK_STRING("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac");
	CHECK_STRING("\"\\u007f\\u0080\\u07FF\\u0800\\uffff\"",
		     "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf");
	CHECK_STRING("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");       /* U+1F600 */
	CHECK_STRING("\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80");       /* U+10000 */
	CHECK_STRING("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf");       /* U+10FFFF */
	CHECK_STRING("\"x\\ud83d\\ude00y\"", "x\xf0\x9f\x98\x80y");
	CHECK_STRING("\"Zo\xc3\xab \xe6\x97\xa5 \xf0\x9f\x98\x80\"", /* raw UTF-8 passes through */
		     "Zo\xc3\xab \xe6\x97\xa5 \xf0\x9f\x98\x80");
	CHECK_STRING("\"\\\\u0041\"", "\\u0041"); /* an escaped backslash, then text */
	CHECK_STRING("\"\\\\\"", "\\");
	CHECK_STRING("\"[{\\\"}]\"", "[{\"}]");

	char buf[8];
	assert_int_equal(jscan_string(parse("1"), buf), -1);
	assert_int_equal(jscan_string(parse("null"), buf), -1);
	assert_int_equal(jscan_string(parse("[\"a\"]"), buf), -1);
	assert_int_equal(jscan_string((struct jscan_val){JSCAN_NONE, NULL, 0}, buf), -1);
}

static void test_integers(void **state)
{
	(void)state;
	int64_t i = 7;
	assert_true(jscan_int(parse("0"), &i));
	assert_int_equal(i, 0);
	assert_true(jscan_int(parse("-0"), &i));
	assert_int_equal(i, 0);
	assert_true(jscan_int(parse("-42"), &i));
	assert_int_equal(i, -42);
	assert_true(jscan_int(parse("9223372036854775807"), &i));
	assert_true(i == INT64_MAX);
	assert_true(jscan_int(parse("-9223372036854775808"), &i));
	assert_true(i == INT64_MIN);
	assert_true(jscan_int(parse("-9223372036854775807"), &i));
	assert_true(i == -INT64_MAX);
	assert_true(jscan_int(parse("123456789012345678"), &i));
	assert_true(i == 123456789012345678);

	i = 7;
	assert_false(jscan_int(parse("1.0"), &i)); /* a real, as jansson sees it */
	assert_false(jscan_int(parse("1e2"), &i));
	assert_false(jscan_int(parse("1E2"), &i));
	assert_false(jscan_int(parse("-0.0"), &i));
	assert_false(jscan_int(parse("\"1\""), &i));
	assert_false(jscan_int(parse("true"), &i));
	assert_false(jscan_int(parse("null"), &i));
	assert_false(jscan_int(parse("[1]"), &i));
	assert_int_equal(i, 7);
	/* beyond int64_t never passes jscan_parse; jscan_int says no all the same */
	const char *big = "9223372036854775808";
	assert_false(jscan_int((struct jscan_val){JSCAN_NUMBER, big, strlen(big)}, &i));
	const char *small = "-9223372036854775809";
	assert_false(jscan_int((struct jscan_val){JSCAN_NUMBER, small, strlen(small)}, &i));
	assert_int_equal(i, 7);
}

/* A Stripe list page as the history sync reads it. */
static void test_stripe_page(void **state)
{
	(void)state;
	size_t len = 0;
	char *text = (char *)tu_read_file("tests/fixtures/history/payment_intents.json", &len);
	assert_non_null(text); /* run from the repository root, as run_tests.py does */
	struct jscan_val page, data, pi;
	assert_int_equal(jscan_parse(text, len, &page, NULL), 0);
	struct jscan_member top[16], m[64];
	int n = jscan_members(page, top, 16);
	assert_true(n > 0 && n <= 16);
	data = jscan_get(top, n, "data");
	struct jscan_iter it;
	assert_true(jscan_array_begin(data, &it));
	json_error_t err;
	json_t *root = json_loadb(text, len, 0, &err), *arr = json_object_get(root, "data");
	assert_non_null(arr);
	size_t k = 0;
	while (jscan_array_next(&it, &pi)) {
		json_t *j = json_array_get(arr, k++);
		int nm = jscan_members(pi, m, 64);
		assert_int_equal(nm, json_object_size(j));
		int64_t amount;
		assert_true(jscan_int(jscan_get(m, nm, "amount"), &amount));
		assert_int_equal(amount, json_integer_value(json_object_get(j, "amount")));
		struct jscan_val id = jscan_get(m, nm, "id");
		char buf[64];
		assert_true(id.len <= sizeof buf);
		assert_int_equal(jscan_string(id, buf), strlen(json_string_value(json_object_get(j, "id"))));
		assert_string_equal(buf, json_string_value(json_object_get(j, "id")));
	}
	assert_int_equal(k, json_array_size(arr));
	assert_true(k > 0);
	json_decref(root);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_texts),
		cmocka_unit_test(test_invalid_texts),
		cmocka_unit_test(test_agrees_with_jansson),
		cmocka_unit_test(test_error_offsets),
		cmocka_unit_test(test_top_level_span),
		cmocka_unit_test(test_members_and_get),
		cmocka_unit_test(test_array_iteration),
		cmocka_unit_test(test_string_decoding),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_stripe_page),
	};
	return cmocka_run_group_tests(tests, setup_made, NULL);
}
