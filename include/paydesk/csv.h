/* RFC 4180 CSV, pure: a reader over a buffer and a writer into a buffer.
 * Quoted fields may hold commas, doubled quotes and line breaks; lines end
 * in CRLF or LF; a UTF-8 byte-order mark at the start is skipped. */
#ifndef PAYDESK_CSV_H
#define PAYDESK_CSV_H

#include <stdbool.h>
#include <stddef.h>

/* One record. Fields belong to the reader until the next read. */
struct csv_record {
	char **fields;
	size_t n;
	long line;        /* line number where the record starts (1-based) */
	char error[200];  /* non-empty: the record is malformed (the reason) */
};

struct csv_reader;

/* A reader over data[0..len) (not copied: keep it alive). NULL when out of memory. */
struct csv_reader *csv_reader_new(const char *data, size_t len);
void csv_reader_free(struct csv_reader **r);

/* Read the next record into rec: 1 when read (check rec->error: invalid
 * UTF-8, a stray quote or an unclosed quoted field make it malformed, and
 * reading goes on after it), 0 at the end, -1 when out of memory. */
int csv_read(struct csv_reader *r, struct csv_record *rec);

/* A growing output buffer (data is NUL-terminated). */
struct csv_buf {
	char *data;
	size_t len, cap;
};

/* Append one record ending in CRLF; fields with a comma, quote, CR or LF
 * (or leading/trailing spaces) are quoted, quotes doubled. A text cell a
 * spreadsheet would evaluate (starting with = + - @ tab or CR, OWASP's CSV
 * injection rule) is written quoted with an apostrophe before it; a plain
 * decimal such as -12.50 stays a number. A cell already starting with
 * apostrophes before such a character gets one more, and csv_read takes one
 * away, so text reads back exactly. -1 when out of memory. */
int csv_write(struct csv_buf *b, const char *const *fields, size_t n);
void csv_buf_free(struct csv_buf *b);

/* Whether s[0..len) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool csv_utf8_valid(const char *s, size_t len);

#endif
