/* CSV (src/core/csv.c): the reader on any bytes; every record it accepts
 * written back with csv_write and read again gives the same fields; and
 * fields made from the input survive write -> read unchanged. */
#include "fuzz.h"

#include "paydesk/csv.h"

/* Write the records (a header first, so a leading BOM-looking field is
 * not the first thing in the buffer), read them back, compare. */
static void cv_round_trip(char ***recs, size_t *counts, size_t nrec)
{
	struct csv_buf b = {0};
	const char *header[] = {"h"};
	FUZZ_CHECK(csv_write(&b, header, 1) == 0);
	for (size_t i = 0; i < nrec; i++)
		FUZZ_CHECK(csv_write(&b, (const char *const *)recs[i], counts[i]) == 0);
	FUZZ_CHECK(b.data && strlen(b.data) == b.len);
	struct csv_reader *r = csv_reader_new(b.data, b.len);
	FUZZ_CHECK(r);
	struct csv_record rec;
	FUZZ_CHECK(csv_read(r, &rec) == 1 && rec.n == 1 && strcmp(rec.fields[0], "h") == 0);
	for (size_t i = 0; i < nrec; i++) {
		FUZZ_CHECK(csv_read(r, &rec) == 1);
		if (rec.error[0])
			fprintf(stderr, "record %zu: %s\n", i, rec.error);
		FUZZ_CHECK(rec.error[0] == '\0');
		FUZZ_CHECK(rec.n == counts[i]);
		for (size_t f = 0; f < rec.n; f++)
			FUZZ_CHECK(strcmp(rec.fields[f], recs[i][f]) == 0);
	}
	FUZZ_CHECK(csv_read(r, &rec) == 0);
	csv_reader_free(&r);
	csv_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 1. Read everything; keep the good records for the round trip. */
	struct csv_reader *r = csv_reader_new((const char *)data, size);
	FUZZ_CHECK(r);
	struct csv_record rec;
	char **recs[32];
	size_t counts[32], nrec = 0;
	long last_line = 0;
	int rc, guard = 0;
	while ((rc = csv_read(r, &rec)) == 1) {
		FUZZ_CHECK(++guard <= (int)size + 1); /* always progresses */
		FUZZ_CHECK(rec.n >= 1 && rec.line > last_line);
		last_line = rec.line;
		FUZZ_CHECK(strlen(rec.error) < sizeof rec.error);
		if (rec.error[0] || nrec == 32)
			continue;
		recs[nrec] = calloc(rec.n, sizeof(char *));
		FUZZ_CHECK(recs[nrec]);
		for (size_t f = 0; f < rec.n; f++) {
			FUZZ_CHECK(fuzz_utf8_valid(rec.fields[f], strlen(rec.fields[f])));
			recs[nrec][f] = strdup(rec.fields[f]);
		}
		counts[nrec++] = rec.n;
	}
	FUZZ_CHECK(rc == 0);
	csv_reader_free(&r);
	FUZZ_CHECK(r == NULL);
	cv_round_trip(recs, counts, nrec);
	for (size_t i = 0; i < nrec; i++) {
		for (size_t f = 0; f < counts[i]; f++)
			free(recs[i][f]);
		free(recs[i]);
	}

	/* 2. Fields from the input (0xff separates fields, 0xfe records). */
	char *fields[64];
	size_t nf = 0;
	struct fuzz_in in = {data, size};
	while (in.n && nf < 64) {
		char *f = fuzz_chunk(&in);
		for (char *c = f; *c; c++)
			if ((unsigned char)*c == 0xfe)
				*c = '\n';
		if (!fuzz_utf8_valid(f, strlen(f))) { /* the reader refuses these by design */
			free(f);
			continue;
		}
		fields[nf++] = f;
	}
	if (nf) {
		char **one[1] = {fields};
		size_t cnt[1] = {nf};
		cv_round_trip(one, cnt, 1);
	}
	for (size_t i = 0; i < nf; i++)
		free(fields[i]);
	return 0;
}
