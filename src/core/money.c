#include "paydesk/money.h"

#include <ctype.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Stripe's lists: amounts in these are whole units (zero-decimal) or
 * thousandths (three-decimal). */
static const char *const zero_decimal[] = {"bif", "clp", "djf", "gnf", "jpy", "kmf",
					   "krw", "mga", "pyg", "rwf", "ugx", "vnd",
					   "vuv", "xaf", "xof", "xpf"};
static const char *const three_decimal[] = {"bhd", "jod", "kwd", "omr", "tnd"};

static bool in_list(const char *cur, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(cur, list[i]) == 0)
			return true;
	return false;
}

/* ISO 4217 codes of money in use (no funds, metals or test codes), and the
 * retired ones Stripe still names in old records (hrk, mro, std, vef): a
 * typo such as "usb" is caught before it is stored or sent. Sorted. */
static const char known[][4] = {
	"aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd",
	"bdt", "bgn", "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "btn", "bwp", "byn",
	"bzd", "cad", "cdf", "chf", "clp", "cny", "cop", "crc", "cuc", "cup", "cve", "czk",
	"djf", "dkk", "dop", "dzd", "egp", "ern", "etb", "eur", "fjd", "fkp", "gbp", "gel",
	"ghs", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl", "hrk", "htg", "huf", "idr",
	"ils", "inr", "iqd", "irr", "isk", "jmd", "jod", "jpy", "kes", "kgs", "khr", "kmf",
	"kpw", "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "lyd", "mad",
	"mdl", "mga", "mkd", "mmk", "mnt", "mop", "mro", "mru", "mur", "mvr", "mwk", "mxn",
	"myr", "mzn", "nad", "ngn", "nio", "nok", "npr", "nzd", "omr", "pab", "pen", "pgk",
	"php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub", "rwf", "sar", "sbd", "scr",
	"sdg", "sek", "sgd", "shp", "sle", "sll", "sos", "srd", "ssp", "std", "stn", "svc",
	"syp", "szl", "thb", "tjs", "tmt", "tnd", "top", "try", "ttd", "twd", "tzs", "uah",
	"ugx", "usd", "uyu", "uzs", "ved", "vef", "ves", "vnd", "vuv", "wst", "xaf", "xcd",
	"xof", "xpf", "yer", "zar", "zmw", "zwg", "zwl"};

static int cmp_code(const void *a, const void *b)
{
	return strcmp(a, b);
}

int money_currency_check(const char *text, char lower[4], struct pd_error *err)
{
	char t[4] = "";
	size_t n = text ? strlen(text) : 0;
	for (size_t i = 0; i < n && i < 3; i++)
		t[i] = (char)tolower((unsigned char)text[i]);
	if (n != 3 || !bsearch(t, known, sizeof known / sizeof known[0], sizeof known[0],
			       cmp_code))
		return pd_error_set(err, PD_ERR_USAGE,
				    "'%.16s' is not a currency code: type three letters such as usd, "
				    "eur or gbp",
				    text ? text : "");
	if (lower)
		memcpy(lower, t, 4);
	return PD_OK;
}

int money_exponent(const char *currency)
{
	if (!currency)
		return 2;
	if (in_list(currency, zero_decimal, sizeof zero_decimal / sizeof zero_decimal[0]))
		return 0;
	if (in_list(currency, three_decimal, sizeof three_decimal / sizeof three_decimal[0]))
		return 3;
	return 2;
}

/* ---- Reading what a person typed ------------------------------------------
 *
 * A desk types amounts the way its country writes them: 12.50 or 12,50,
 * 1,234.56 or 1.234,56 or 1 234,56. An amount is never read as something
 * the person did not mean, so the text is first reduced to digit groups and
 * marks, then:
 *   - the decimal mark is the last '.' or ',' when both appear (the other
 *     one groups thousands), or the only one when spaces group thousands;
 *   - a single '.' or ',' is the decimal mark unless exactly three digits
 *     follow it: "1,234" is 1234 to one desk and 1.234 to another, so it is
 *     read as thousands only where decimals are impossible (zero-decimal
 *     currencies), as decimals where it is how paydesk itself shows amounts
 *     ("5.120" KWD), and refused with both readings otherwise;
 *   - a thousands mark sits only between groups of three digits;
 *   - more decimals than the currency has are refused, never rounded. */

#define MONEY_SHOWN_MAX 80 /* how much of the typed text a message quotes */

/* Space-like thousands separators: ' ', apostrophe (Swiss), no-break space,
 * narrow no-break space, thin space. Returns the byte length, 0 if none. */
static size_t group_space_len(const char *s)
{
	if (*s == ' ' || *s == '\'')
		return 1;
	if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
		return 2;
	if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 &&
	    ((unsigned char)s[2] == 0xaf || (unsigned char)s[2] == 0x89))
		return 3;
	return 0;
}

char *money_currency_code(const char *currency, char code[4])
{
	code[0] = '\0';
	for (int i = 0; currency && i < 3 && currency[i]; i++)
		code[i] = (char)toupper((unsigned char)currency[i]), code[i + 1] = '\0';
	return code;
}

/* The largest amount Stripe takes in currency (three-decimal ones end in 0). */
static int64_t money_max(int exp)
{
	return exp == 3 ? MONEY_MAX_MINOR - MONEY_MAX_MINOR % 10 : MONEY_MAX_MINOR;
}

/* The typed text as marks and digits: digits kept, '.' and ',' kept, every
 * space-like separator as ' ', surrounding blanks dropped, into *reduced
 * (caller frees); refused for any other character. */
static int money_reduce(const char *text, const char *shown, char **reduced,
			struct pd_error *err)
{
	*reduced = NULL;
	const char *s = text;
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	char *out = malloc(n + 1);
	if (!out)
		return pd_error_set(err, PD_ERR, "out of memory");
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t sp = group_space_len(s + i);
		if (sp) {
			out[o++] = ' ';
			i += sp;
		} else if (isdigit((unsigned char)s[i]) || s[i] == '.' || s[i] == ',') {
			out[o++] = s[i++];
		} else if (s[i] == '-' && o == 0) {
			free(out);
			return pd_error_set(err, PD_ERR_USAGE, "the amount cannot be negative");
		} else {
			free(out);
			return pd_error_set(err, PD_ERR_USAGE,
					    "'%s' is not an amount: type digits with one decimal "
					    "mark, such as 45, 45.50 or 45,50",
					    shown);
		}
	}
	out[o] = '\0';
	*reduced = out;
	return PD_OK;
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

/* Whether digits [p, end) separated by grp form thousands groups: the
 * first 1-3 digits not starting with 0, every other exactly 3. */
static bool groups_ok(const char *p, const char *end, char grp)
{
	size_t len = 0, groups = 0;
	const char *start = p;
	for (const char *q = p; q <= end; q++) {
		if (q < end && *q != grp) {
			len++;
			continue;
		}
		if (groups == 0 ? (len < 1 || len > 3 || *start == '0') : len != 3)
			return false;
		groups++;
		len = 0;
		start = q + 1;
	}
	return true;
}

/* The value of the digits in [p, end), skipping any other byte, capped just
 * above limit so that long inputs cannot overflow. */
static int64_t digits_value(const char *p, const char *end, int64_t limit)
{
	int64_t v = 0;
	for (; p < end; p++)
		if (isdigit((unsigned char)*p) && v <= limit)
			v = v * 10 + (*p - '0');
	return v;
}

static int64_t pow10_i(int exp)
{
	int64_t scale = 1;
	for (int i = 0; i < exp; i++)
		scale *= 10;
	return scale;
}

/* "1,234" with one mark before three digits: both readings, or the one
 * that exists. Decides *dec (the mark is decimal) or refuses. */
static int single_mark_before_three(const char *r, char mark, int exp, const char *currency,
				    const char *shown, bool *dec, struct pd_error *err)
{
	const char *m = strchr(r, mark);
	size_t before = (size_t)(m - r);
	/* Nothing or a leading zero before it, or more than three digits: no
	 * thousands group looks like that, so it is a decimal mark. */
	bool can_group = before >= 1 && before <= 3 && r[0] != '0';
	if (!can_group || exp == 0 || (exp == 3 && mark == '.')) {
		/* no decimals to mistake it for; or how paydesk shows 5.120 KWD */
		*dec = !can_group || exp == 3;
		return PD_OK;
	}
	char code[4], whole[48], frac[48] = "";
	money_currency_code(currency, code);
	int64_t units = digits_value(r, r + strlen(r), MONEY_MAX_MINOR);
	money_format(units * pow10_i(exp), currency, whole, sizeof whole);
	if (exp == 3 && units % 10 == 0) {
		char alt[48];
		snprintf(frac, sizeof frac, " or %.*s.%s for %s", (int)before, r, m + 1,
			 money_format(units, currency, alt, sizeof alt));
	} else if (exp == 3) {
		snprintf(frac, sizeof frac, " (%s goes in steps of 0.010)", code);
	} else {
		snprintf(frac, sizeof frac, " (%s has at most %d decimal places)", code, exp);
	}
	return pd_error_set(err, PD_ERR_USAGE, "'%s' is ambiguous: type %lld for %s%s", shown,
			    (long long)units, whole, frac);
}

/* money_parse, and whether a refusal was for Stripe's limit alone. */
static int money_read(const char *text, const char *currency, int64_t *minor, bool *over,
		      struct pd_error *err)
{
	*over = false;
	int exp = money_exponent(currency);
	char code[4], shown[MONEY_SHOWN_MAX + 1];
	money_currency_code(currency, code);
	snprintf(shown, sizeof shown, "%s", text ? text : "");
	char *r;
	int rc = money_reduce(text ? text : "", shown, &r, err);
	if (rc)
		return rc;
	size_t commas = count_char(r, ','), dots = count_char(r, '.'), spaces = count_char(r, ' ');
	char dec = 0, grp = 0;
	if (!*r) {
		rc = pd_error_set(err, PD_ERR_USAGE, "type an amount, such as 45 or 45.50");
		goto out;
	}
	if (spaces && commas && dots) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "'%s' is not an amount: it has three kinds of separator. Type it "
				  "with one decimal mark, such as 1234.50 or 1234,50",
				  shown);
		goto out;
	}
	if (spaces) {
		grp = ' ';
		dec = commas ? ',' : dots ? '.' : 0;
	} else if (commas && dots) {
		dec = strrchr(r, ',') > strrchr(r, '.') ? ',' : '.';
		grp = dec == ',' ? '.' : ',';
	} else if (commas + dots > 1) {
		grp = commas ? ',' : '.';
	} else if (commas + dots == 1) {
		char mark = commas ? ',' : '.';
		bool is_dec = true;
		if (strlen(strchr(r, mark) + 1) == 3) {
			rc = single_mark_before_three(r, mark, exp, currency, shown, &is_dec, err);
			if (rc)
				goto out;
		}
		if (is_dec)
			dec = mark;
		else
			grp = mark;
	}
	if (dec && count_char(r, dec) > 1) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "'%s' is not an amount: '%c' is read as the decimal mark and comes "
				  "more than once. Type it with one decimal mark, such as 1234.50",
				  shown, dec);
		goto out;
	}
	const char *end = dec ? strchr(r, dec) : r + strlen(r);
	const char *frac = dec ? end + 1 : end;
	if (end == r && !*frac) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "'%s' is not an amount: type digits, such as 45 or 45.50", shown);
		goto out;
	}
	if (dec && !*frac) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "'%s' has no digits after the decimal mark: type %.*s or %.*s%c50",
				  shown, (int)(end - r), r, (int)(end - r), r, dec);
		goto out;
	}
	if (dec && strspn(frac, "0123456789") != strlen(frac)) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "'%s' is not an amount: '%c' is read as the decimal mark, and a "
				  "thousands separator cannot follow it",
				  shown, dec);
		goto out;
	}
	/* "1.2.3", "30.5.0": points that are not groups of three were meant as
	 * decimal points, so that is what is said */
	if (grp == '.' && !dec && !groups_ok(r, end, grp)) {
		char cents[3] = "00"; /* the digits after the first point, as an example */
		for (size_t i = strcspn(r, ".") + 1, k = 0; r[i] && k < 2; i++)
			if (r[i] != '.')
				cents[k++] = r[i];
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "'%s' is not an amount: it has %zu decimal points: type one, "
				  "such as %.*s.%s",
				  shown, count_char(r, '.'), (int)strcspn(r, "."), r, cents);
		goto out;
	}
	if (grp && !groups_ok(r, end, grp)) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "'%s' is not an amount: thousands are grouped in threes "
				  "(1,234,567.50) or not at all (1234567.50)",
				  shown);
		goto out;
	}
	size_t decimals = strlen(frac);
	if ((int)decimals > exp) {
		rc = exp == 0 ? pd_error_set(err, PD_ERR_USAGE,
					     "'%s' has decimals and %s has none: type a whole "
					     "amount (no decimal places)",
					     shown, code)
			      : pd_error_set(err, PD_ERR_USAGE,
					     "'%s' has %zu decimal places: %s has at most %d "
					     "decimal places",
					     shown, decimals, code, exp);
		goto out;
	}
	int64_t scale = pow10_i(exp), max = money_max(exp);
	/* Read far enough past the limit to say how the amount was read. */
	const int64_t shown_max = 100000000000000LL; /* 10^14 units */
	int64_t whole = digits_value(r, end, shown_max);
	int64_t part = digits_value(frac, frac + decimals, MONEY_MAX_MINOR) * pow10_i(exp - (int)decimals);
	if (whole > MONEY_MAX_MINOR / scale || whole * scale + part > max) {
		char limit[48], read[64];
		money_format(max, currency, limit, sizeof limit);
		size_t digits = 0;
		for (const char *p = r; p < end; p++)
			digits += isdigit((unsigned char)*p) != 0;
		if (whole <= shown_max)
			rc = pd_error_set(err, PD_ERR_USAGE,
					  "'%s' is %s, above Stripe's limit of %s", shown,
					  money_format(whole * scale + part, currency, read, sizeof read),
					  limit);
		else
			rc = pd_error_set(err, PD_ERR_USAGE,
					  "'%s' has %zu digits before the decimal mark: above "
					  "Stripe's limit of %s",
					  shown, digits, limit);
		*over = true;
		goto out;
	}
	if (exp == 3 && part % 10 != 0) {
		rc = pd_error_set(err, PD_ERR_USAGE,
				  "Stripe takes %s amounts in steps of 0.010: round the last "
				  "decimal to 0",
				  code);
		goto out;
	}
	*minor = whole * scale + part;
out:
	free(r);
	return rc;
}

int money_parse(const char *text, const char *currency, int64_t *minor, struct pd_error *err)
{
	bool over;
	return money_read(text, currency, minor, &over, err);
}

int money_check(const char *text, struct pd_error *err)
{
	/* One currency of each exponent: the text is an amount if any reads it. */
	static const char *const kinds[] = {"usd", "jpy", "kwd"};
	struct pd_error first = {0}, e;
	bool over = true, o;
	int64_t minor;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (money_read(text, kinds[i], &minor, &o, i ? &e : &first) == PD_OK)
			return PD_OK;
		over &= o;
	}
	if (over)
		return pd_error_set(err, PD_ERR_USAGE,
				    "'%.80s' is above Stripe's limit: at most 999,999.99, or "
				    "99,999,999 in a currency without decimals",
				    text);
	return pd_error_set(err, first.code, "%s", first.msg);
}

char *money_format(int64_t minor, const char *currency, char *out, size_t outlen)
{
	int exp = money_exponent(currency);
	bool neg = minor < 0;
	uint64_t v = neg ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	uint64_t scale = 1;
	for (int i = 0; i < exp; i++)
		scale *= 10;
	uint64_t whole = v / scale, frac = v % scale;
	/* Thousands separators, built from the right. */
	char digits[32], grouped[48];
	snprintf(digits, sizeof digits, "%llu", (unsigned long long)whole);
	size_t dl = strlen(digits), g = 0;
	for (size_t i = 0; i < dl; i++) {
		if (i > 0 && (dl - i) % 3 == 0)
			grouped[g++] = ',';
		grouped[g++] = digits[i];
	}
	grouped[g] = '\0';
	char code[4];
	money_currency_code(currency, code);
	if (exp)
		snprintf(out, outlen, "%s%s.%0*llu %s", neg ? "-" : "", grouped, exp,
			 (unsigned long long)frac, code);
	else
		snprintf(out, outlen, "%s%s %s", neg ? "-" : "", grouped, code);
	return out;
}

char *money_plain(int64_t minor, const char *currency, char *out, size_t outlen)
{
	int exp = money_exponent(currency);
	uint64_t div = exp == 0 ? 1 : exp == 3 ? 1000 : 100;
	uint64_t a = minor < 0 ? (uint64_t)(-(minor + 1)) + 1 : (uint64_t)minor;
	if (exp == 0)
		snprintf(out, outlen, "%s%" PRIu64, minor < 0 ? "-" : "", a);
	else
		snprintf(out, outlen, "%s%" PRIu64 ".%0*" PRIu64, minor < 0 ? "-" : "", a / div, exp,
			 a % div);
	return out;
}
