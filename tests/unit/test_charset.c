/* A terminal that takes no UTF-8 (over SSH, LANG=C): every mark paydesk's
 * screens draw shows as some ASCII, never as "?", which reads as "unknown"
 * (a tester saw the reviewed mark drawn as "?" in the History list). */
#include "testutil.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../../src/ui/charset.h"

static void test_every_mark_drawn_has_an_ascii_stand_in(void **state)
{
	(void)state;
	setlocale(LC_ALL, "C");
	setenv("PAYDESK_CHARSET", "ascii", 1);
	ui_charset_setup();
	assert_true(ui_charset_ascii());
	/* the glyphs in the screens' own strings (src/ui, src/app) */
	static const wchar_t marks[] = L"\u00b7\u00d7\u2014\u2016\u201c\u201d\u2022\u2026\u2190"
				       L"\u2191\u2192\u2193\u2713";
	for (size_t i = 0; marks[i]; i++) {
		char out[16];
		assert_true(ui_ascii_fold(marks[i], out, sizeof out) > 0);
		if (strchr(out, '?'))
			fail_msg("U+%04X is drawn as \"%s\"", (unsigned)marks[i], out);
	}
	char out[16];
	ui_ascii_fold(L'\u2713', out, sizeof out);
	assert_string_equal(out, "+"); /* reviewed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_mark_drawn_has_an_ascii_stand_in),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
