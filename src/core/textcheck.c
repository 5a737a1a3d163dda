#include "paydesk/textcheck.h"

#include <stdlib.h>
#include <string.h>

#include "paydesk/csv.h"

int text_check(const char *label, const char *s, size_t max, bool required, bool multiline,
	       struct pd_error *err)
{
	if (!s || !*s)
		return required ? pd_error_set(err, PD_ERR_USAGE, "%s is required", label) : PD_OK;
	size_t len = strlen(s);
	if (!csv_utf8_valid(s, len))
		return pd_error_set(err, PD_ERR_USAGE, "%s is not valid UTF-8 text", label);
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xc0) != 0x80)
			chars++;
		bool nl = *p == '\n' || (*p == '\r' && p[1] == '\n');
		if ((*p < 0x20 && !(multiline && nl)) || *p == 0x7f)
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s contains a control character (byte %zu); remove it",
					    label, (size_t)(p - (const unsigned char *)s) + 1);
		/* C1 controls U+0080-U+009F: C2 80..C2 9F */
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s contains a control character (byte %zu); remove it",
					    label, (size_t)(p - (const unsigned char *)s) + 1);
	}
	if (chars > max)
		return pd_error_set(err, PD_ERR_USAGE, "%s is too long: %zu characters (at most %zu)",
				    label, chars, max);
	return PD_OK;
}

int text_check_email(const char *s, struct pd_error *err)
{
	if (!s || !*s)
		return PD_OK;
	int rc = text_check("email", s, 254, false, false, err);
	if (rc)
		return rc;
	const char *at = strchr(s, '@');
	const char *dot = at ? strrchr(at, '.') : NULL;
	bool ok = at && at != s && !strchr(at + 1, '@') && dot && dot > at + 1 && dot[1] &&
		  !strpbrk(s, " ,;<>()[]\\\"");
	if (!ok)
		return pd_error_set(err, PD_ERR_USAGE,
				    "email '%s' does not look like an address (name@example.com)", s);
	return PD_OK;
}

int text_check_phone(const char *s, struct pd_error *err)
{
	if (!s || !*s)
		return PD_OK;
	size_t n = strlen(s), digits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (!strchr(" +()-.", s[i]))
			return pd_error_set(err, PD_ERR_USAGE,
					    "phone may hold digits, spaces and + ( ) - . only");
	}
	if (n > 32 || digits < 3)
		return pd_error_set(err, PD_ERR_USAGE,
				    "phone needs 3 to 32 characters with at least 3 digits");
	return PD_OK;
}

char *text_trim_dup(const char *s)
{
	if (!s)
		s = "";
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}
