#include "paydesk/textedit.h"

#include <stdlib.h>
#include <string.h>

#include "paydesk/sanitize.h"

#define DEFAULT_MAX 4096

static void wipe(void *p, size_t n)
{
	/* Volatile stores survive the optimiser; core stays free of libsodium. */
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
}

void textedit_init(struct textedit *t, size_t max, bool secret)
{
	memset(t, 0, sizeof *t);
	t->max = max ? max : DEFAULT_MAX;
	t->secret = secret;
	t->cap = 32;
	t->text = calloc(1, t->cap);
}

void textedit_free(struct textedit *t)
{
	if (t->text && t->secret)
		wipe(t->text, t->cap);
	free(t->text);
	memset(t, 0, sizeof *t);
}

static bool reserve(struct textedit *t, size_t extra)
{
	if (!t->text)
		return false;
	if (t->len + extra + 1 <= t->cap)
		return true;
	size_t cap = (t->len + extra + 1) * 2;
	char *n = malloc(cap);
	if (!n)
		return false;
	memcpy(n, t->text, t->len + 1);
	if (t->secret) /* never leave a copy of a secret behind in freed memory */
		wipe(t->text, t->cap);
	free(t->text);
	t->text = n;
	t->cap = cap;
	return true;
}

static size_t encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int textedit_insert(struct textedit *t, uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	char buf[4];
	size_t n = encode(cp, buf);
	if (t->len + n > t->max || !reserve(t, n))
		return -1;
	memmove(t->text + t->cursor + n, t->text + t->cursor, t->len - t->cursor + 1);
	memcpy(t->text + t->cursor, buf, n);
	t->len += n;
	t->cursor += n;
	return 0;
}

static void remove_range(struct textedit *t, size_t from, size_t to)
{
	memmove(t->text + from, t->text + to, t->len - to + 1);
	t->len -= to - from;
	if (t->secret)
		wipe(t->text + t->len + 1, to - from);
	if (t->cursor > to)
		t->cursor -= to - from;
	else if (t->cursor > from)
		t->cursor = from;
}

static size_t prev_boundary(const struct textedit *t, size_t pos)
{
	if (pos == 0)
		return 0;
	pos--;
	while (pos > 0 && ((unsigned char)t->text[pos] & 0xc0) == 0x80)
		pos--;
	return pos;
}

static size_t next_boundary(const struct textedit *t, size_t pos)
{
	if (pos >= t->len)
		return t->len;
	pos++;
	while (pos < t->len && ((unsigned char)t->text[pos] & 0xc0) == 0x80)
		pos++;
	return pos;
}

int textedit_set(struct textedit *t, const char *text)
{
	char *clean = sanitize_dup(text);
	bool valid = clean && strcmp(clean, text ? text : "") == 0;
	if (clean && t->secret)
		wipe(clean, strlen(clean));
	free(clean);
	if (!valid)
		return -1;
	size_t n = strlen(text);
	if (n > t->max)
		return -1;
	remove_range(t, 0, t->len);
	if (!reserve(t, n))
		return -1;
	memcpy(t->text, text, n + 1);
	t->len = n;
	t->cursor = n;
	return 0;
}

size_t textedit_paste(struct textedit *t, const char *utf8)
{
	size_t inserted = 0;
	const unsigned char *s = (const unsigned char *)utf8;
	while (*s && *s != '\n' && *s != '\r') {
		uint32_t cp;
		size_t n = 1;
		if (s[0] < 0x80) {
			cp = s[0];
		} else if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
			cp = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
			n = 2;
		} else if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
			cp = ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) |
			     (s[2] & 0x3f);
			n = 3;
		} else if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 &&
			   (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80) {
			cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
			     ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
			n = 4;
		} else {
			cp = 0xfffd;
		}
		if (cp < 0x20 || cp == 0x7f)
			cp = ' ';
		if (textedit_insert(t, cp) == 0)
			inserted++;
		else if (t->len >= t->max)
			break;
		s += n;
	}
	return inserted;
}

void textedit_backspace(struct textedit *t)
{
	if (t->cursor > 0)
		remove_range(t, prev_boundary(t, t->cursor), t->cursor);
}

void textedit_delete(struct textedit *t)
{
	if (t->cursor < t->len)
		remove_range(t, t->cursor, next_boundary(t, t->cursor));
}

void textedit_left(struct textedit *t)
{
	t->cursor = prev_boundary(t, t->cursor);
}

void textedit_right(struct textedit *t)
{
	t->cursor = next_boundary(t, t->cursor);
}

void textedit_home(struct textedit *t)
{
	t->cursor = 0;
}

void textedit_end(struct textedit *t)
{
	t->cursor = t->len;
}

void textedit_kill_to_start(struct textedit *t)
{
	remove_range(t, 0, t->cursor);
}

void textedit_kill_word(struct textedit *t)
{
	size_t end = t->cursor, pos = end;
	while (pos > 0 && t->text[pos - 1] == ' ')
		pos--;
	while (pos > 0 && t->text[pos - 1] != ' ')
		pos = prev_boundary(t, pos);
	remove_range(t, pos, end);
}

size_t textedit_cursor_chars(const struct textedit *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->cursor; i++)
		if (((unsigned char)t->text[i] & 0xc0) != 0x80)
			n++;
	return n;
}
