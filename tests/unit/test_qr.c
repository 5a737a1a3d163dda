/* QR codes drawn with half blocks: size, quiet zone, and the finder pattern. */
#include "testutil.h"

#include "paydesk/qr_text.h"

/* The cell at (col, row) of the rendered text, as one of " ▄▀█". */
static const char *cell(const char *text, int cols, int col, int row)
{
	const char *line = text;
	for (int r = 0; r < row; r++)
		line = strchr(line, '\n') + 1;
	const char *p = line;
	for (int c = 0; c < col; c++)
		p += *p == ' ' ? 1 : 3;
	static char out[4];
	size_t n = *p == ' ' ? 1 : 3;
	memcpy(out, p, n);
	out[n] = '\0';
	(void)cols;
	return out;
}

static void test_render(void **state)
{
	(void)state;
	int cols = 0, rows = 0;
	char *qr = qr_text_render("https://connect.stripe.com/setup/e/acct_1Abc/xyz", &cols, &rows);
	assert_non_null(qr);
	/* Version 3 or 4 for a URL this long: 29 or 33 modules, plus 2+2 quiet. */
	assert_true(cols == 33 || cols == 37);
	assert_int_equal(rows, (cols + 1) / 2);
	int lines = 0;
	for (const char *p = qr; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, rows);
	/* The quiet zone is light (full blocks). Text row 1 holds module rows 2
	 * and 3; at module column 2 both belong to the finder pattern's dark
	 * outer ring, so the cell is a gap (" "). */
	assert_string_equal(cell(qr, cols, 0, 0), "\xe2\x96\x88");
	assert_string_equal(cell(qr, cols, 2, 1), " ");
	/* Same input, same picture. */
	char *again = qr_text_render("https://connect.stripe.com/setup/e/acct_1Abc/xyz", NULL, NULL);
	assert_string_equal(qr, again);
	free(again);
	free(qr);
}

/* Dark blocks (for a fixed light background): the same picture with the
 * ink swapped, and a quiet zone of 1 when asked for one. */
static void test_dark_blocks(void **state)
{
	(void)state;
	const char *url = "https://connect.stripe.com/setup/e/acct_1Abc/xyz";
	int cols = 0, rows = 0;
	char *qr = qr_text_render_ink(url, QR_TEXT_DARK_BLOCKS, 2, &cols, &rows);
	assert_non_null(qr);
	assert_string_equal(cell(qr, cols, 0, 0), " ");            /* quiet zone: light */
	assert_string_equal(cell(qr, cols, 2, 1), "\xe2\x96\x88"); /* finder ring: dark */
	/* Quiet zone 1: module row 0 is the bottom half of text row 0, so the
	 * finder's top edge at module column 0 is a lower half block. */
	int cols1 = 0, rows1 = 0;
	char *tight = qr_text_render_ink(url, QR_TEXT_DARK_BLOCKS, 1, &cols1, &rows1);
	assert_int_equal(cols1, cols - 2);
	assert_int_equal(rows1, (cols1 + 1) / 2);
	assert_string_equal(cell(tight, cols1, 1, 0), "\xe2\x96\x84");
	assert_string_equal(cell(tight, cols1, 0, 0), " ");
	free(tight);
	free(qr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_render),
					   cmocka_unit_test(test_dark_blocks)};
	return cmocka_run_group_tests_name("qr", tests, NULL, NULL);
}
