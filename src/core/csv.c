#include "paydesk/csv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct csv_reader {
	const char *p, *end;
	long line;
	char *text;      /* the current record's field bytes, each NUL-terminated */
	size_t tlen, tcap;
	size_t *offs;    /* field start offsets into text */
	size_t nf, fcap;
	char **fields;
};

struct csv_reader *csv_reader_new(const char *data, size_t len)
{
	struct csv_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->p = data;
	r->end = data + len;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;
	r->line = 1;
	return r;
}

void csv_reader_free(struct csv_reader **r)
{
	if (!r || !*r)
		return;
	free((*r)->text);
	free((*r)->offs);
	free((*r)->fields);
	free(*r);
	*r = NULL;
}

static int put_byte(struct csv_reader *r, char c)
{
	if (r->tlen + 1 >= r->tcap) {
		size_t cap = r->tcap ? r->tcap * 2 : 256;
		char *t = realloc(r->text, cap);
		if (!t)
			return -1;
		r->text = t;
		r->tcap = cap;
	}
	r->text[r->tlen++] = c;
	return 0;
}

static int start_field(struct csv_reader *r)
{
	if (r->nf == r->fcap) {
		size_t cap = r->fcap ? r->fcap * 2 : 16;
		size_t *o = realloc(r->offs, cap * sizeof *o);
		if (!o)
			return -1;
		r->offs = o;
		r->fcap = cap;
	}
	r->offs[r->nf++] = r->tlen;
	return 0;
}

static int end_field(struct csv_reader *r)
{
	return put_byte(r, '\0');
}

bool csv_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	while (p < e) {
		unsigned c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		int n;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (e - p <= n)
			return false;
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

/* Characters a spreadsheet takes as the start of a formula (OWASP's CSV
 * injection list): = + - @, and tab or CR, which some strip before looking. */
static bool formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* A plain decimal such as 12, -12.50 or 0.001: a spreadsheet reads it as a
 * number and evaluates nothing, so it stays as it is. */
static bool plain_number(const char *s)
{
	if (*s == '-')
		s++;
	if (!(*s >= '0' && *s <= '9'))
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* Leading apostrophes, then a formula character: the cell is text a
 * spreadsheet would run (k == 0) or text that already looks neutralised
 * (k > 0). Either way the writer adds one apostrophe and the reader takes
 * one away, so text survives a round trip exactly. */
static bool needs_apostrophe(const char *s)
{
	size_t k = strspn(s, "'");
	return formula_start(s[k]) && !(k == 0 && plain_number(s));
}

/* After an error: skip to the end of the physical line. */
static void skip_line(struct csv_reader *r)
{
	while (r->p < r->end && *r->p != '\n')
		r->p++;
	if (r->p < r->end) {
		r->p++;
		r->line++;
	}
}

int csv_read(struct csv_reader *r, struct csv_record *rec)
{
	rec->fields = NULL;
	rec->n = 0;
	rec->error[0] = '\0';
	if (r->p >= r->end)
		return 0;
	rec->line = r->line;
	r->tlen = 0;
	r->nf = 0;
	if (start_field(r))
		return -1;
	bool quoted = false, after_quote = false;
	for (;;) {
		if (r->p >= r->end) {
			if (quoted) {
				snprintf(rec->error, sizeof rec->error,
					 "a quoted field opened on this line is never closed");
			}
			break;
		}
		char c = *r->p++;
		if (quoted) {
			if (c == '"') {
				if (r->p < r->end && *r->p == '"') {
					r->p++;
					if (put_byte(r, '"'))
						return -1;
				} else {
					quoted = false;
					after_quote = true;
				}
				continue;
			}
			if (c == '\n')
				r->line++;
			if (put_byte(r, c))
				return -1;
			continue;
		}
		if (c == ',') {
			if (end_field(r) || start_field(r))
				return -1;
			after_quote = false;
			continue;
		}
		if (c == '\r' && r->p < r->end && *r->p == '\n')
			continue; /* CRLF: the LF ends the record */
		if (c == '\n') {
			r->line++;
			break;
		}
		if (c == '"' && !after_quote && r->tlen == r->offs[r->nf - 1]) {
			quoted = true;
			continue;
		}
		if (c == '"' || after_quote) {
			snprintf(rec->error, sizeof rec->error,
				 c == '"' ? "a quote inside an unquoted field (quote the whole "
					    "field and double the quote)"
					  : "text after the closing quote of a field");
			skip_line(r);
			break;
		}
		if (put_byte(r, c))
			return -1;
	}
	if (end_field(r))
		return -1;
	free(r->fields);
	r->fields = malloc(r->nf * sizeof *r->fields);
	if (!r->fields)
		return -1;
	for (size_t i = 0; i < r->nf; i++) {
		r->fields[i] = r->text + r->offs[i];
		if (!rec->error[0] && !csv_utf8_valid(r->fields[i], strlen(r->fields[i])))
			snprintf(rec->error, sizeof rec->error, "field %zu is not valid UTF-8", i + 1);
	}
	/* A NUL byte inside a field would silently cut it. */
	if (!rec->error[0]) {
		size_t expect = 0;
		for (size_t i = 0; i < r->nf; i++)
			expect += strlen(r->fields[i]) + 1;
		if (expect != r->tlen)
			snprintf(rec->error, sizeof rec->error, "a NUL byte inside a field");
	}
	/* The text marker csv_write puts before a formula-like cell goes (one
	 * apostrophe, as a spreadsheet drops it too): exports read back exactly. */
	for (size_t i = 0; i < r->nf; i++)
		if (r->fields[i][0] == '\'' && needs_apostrophe(r->fields[i] + 1))
			r->fields[i]++;
	rec->fields = r->fields;
	rec->n = r->nf;
	return 1;
}

static int buf_put(struct csv_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int csv_write(struct csv_buf *b, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *f = fields[i] ? fields[i] : "";
		size_t len = strlen(f);
		/* A leading byte-order mark would be taken for the file's own by a
		 * reader (and dropped): quote it to keep it data. */
		bool bom = i == 0 && len >= 3 && memcmp(f, "\xef\xbb\xbf", 3) == 0;
		bool neutralise = needs_apostrophe(f);
		bool quote = len && (strpbrk(f, ",\"\r\n") || f[0] == ' ' || f[len - 1] == ' ' ||
				     bom || neutralise);
		if (i && buf_put(b, ",", 1))
			return -1;
		if (!quote) {
			if (buf_put(b, f, len))
				return -1;
			continue;
		}
		if (buf_put(b, neutralise ? "\"'" : "\"", neutralise ? 2 : 1))
			return -1;
		for (const char *q = f; *q; q++)
			if ((*q == '"' && buf_put(b, "\"\"", 2)) || (*q != '"' && buf_put(b, q, 1)))
				return -1;
		if (buf_put(b, "\"", 1))
			return -1;
	}
	return buf_put(b, "\r\n", 2);
}

void csv_buf_free(struct csv_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
