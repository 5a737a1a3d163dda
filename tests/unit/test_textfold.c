/* text_fold: what a desk types on an ASCII keyboard finds the names as
 * they are written, and nothing is lost or cut. */
#include "testutil.h"

#include <string.h>

#include "paydesk/textfold.h"

static void test_folds_case_and_accents(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(text_fold("Łukasz Wiśniewski", out, sizeof out), 17);
	assert_string_equal(out, "lukasz wisniewski");
	text_fold("ZOË Lefèvre", out, sizeof out);
	assert_string_equal(out, "zoe lefevre");
	text_fold("Ærøskøbing Straße Œuvre", out, sizeof out);
	assert_string_equal(out, "aeroskobing strasse oeuvre");
	/* text outside the Latin letters is kept as written */
	text_fold("Ολγα 王 2×3", out, sizeof out);
	assert_string_equal(out, "Ολγα 王 2×3");
}

static void test_cut_like_snprintf(void **state)
{
	(void)state;
	char out[4];
	assert_int_equal(text_fold("Ærø", out, sizeof out), 4);
	assert_string_equal(out, "aer");
	assert_int_equal(text_fold(NULL, out, sizeof out), 0);
	assert_string_equal(out, "");
	/* a stray byte of broken UTF-8 is kept, not read past */
	char bad[] = {'A', (char)0xC3, '\0'};
	text_fold(bad, out, sizeof out);
	assert_int_equal(out[0], 'a');
	assert_int_equal((unsigned char)out[1], 0xC3);
}

static void test_contains(void **state)
{
	(void)state;
	assert_true(text_fold_contains("Zoë Martin", "zoe"));
	assert_true(text_fold_contains("Zoë Martin", "ZOË M"));
	assert_true(text_fold_contains("Łukasz", "lukasz"));
	assert_true(text_fold_contains("anyone", ""));
	assert_false(text_fold_contains("Zoë Martin", "zoey"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_folds_case_and_accents),
	    cmocka_unit_test(test_cut_like_snprintf),
	    cmocka_unit_test(test_contains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
