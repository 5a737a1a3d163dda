/* One checked parser for the numbers people type (as curl's str2num):
 * whole string, decimal, range-checked, with a message naming the option. */
#include "paydesk/number.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define NUMBER_SHOWN_MAX 40 /* how much of the typed text a message quotes */

static int refuse(const char *text, const char *what, int64_t min, int64_t max,
		  struct pd_error *err)
{
	if (min == max)
		return pd_error_set(err, PD_ERR_USAGE, "%s takes %lld, not '%.*s'", what,
				    (long long)min, NUMBER_SHOWN_MAX, text);
	return pd_error_set(err, PD_ERR_USAGE,
			    "%s takes a whole number from %lld to %lld, not '%.*s'", what,
			    (long long)min, (long long)max, NUMBER_SHOWN_MAX, text);
}

int number_parse(const char *text, const char *what, int64_t min, int64_t max, int64_t *out,
		 struct pd_error *err)
{
	const char *s = text ? text : "";
	bool neg = false;
	if (*s == '-' && min < 0) {
		neg = true;
		s++;
	}
	if (!*s)
		return refuse(text ? text : "", what, min, max, err);
	/* Accumulate as a negative number: its range holds INT64_MIN too. */
	int64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return refuse(text, what, min, max, err);
		int d = *s - '0';
		if (v < (INT64_MIN + d) / 10)
			return refuse(text, what, min, max, err); /* beyond int64: out of range */
		v = v * 10 - d;
	}
	if (!neg) {
		if (v == INT64_MIN)
			return refuse(text, what, min, max, err);
		v = -v;
	}
	if (v < min || v > max)
		return refuse(text, what, min, max, err);
	*out = v;
	return PD_OK;
}

char *number_grouped(int64_t v, char *out, size_t len)
{
	char raw[32];
	/* the magnitude as unsigned: INT64_MIN has no positive twin */
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	snprintf(raw, sizeof raw, "%llu", (unsigned long long)m);
	size_t n = strlen(raw), o = 0;
	if (len == 0)
		return out;
	if (v < 0 && o + 1 < len)
		out[o++] = '-';
	for (size_t i = 0; i < n; i++) {
		bool comma = i && (n - i) % 3 == 0;
		if (o + 1 + comma >= len)
			break;
		if (comma)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = '\0';
	return out;
}
