/* core text handling: terminal sanitising, line editing, money, themes. */
#include "testutil.h"

#include "paydesk/money.h"
#include "paydesk/sanitize.h"
#include "paydesk/textedit.h"
#include "paydesk/theme.h"

static void expect_clean(const char *in, const char *want)
{
	char out[256];
	sanitize_text(in, out, sizeof out);
	if (strcmp(out, want) != 0)
		fail_msg("sanitize(%s) = '%s', want '%s'", in, out, want);
}

static void test_sanitize(void **state)
{
	(void)state;
	expect_clean("Zoë Müller", "Zoë Müller");
	expect_clean("evil\x1b[2J\x1b[31mred", "evilred");               /* CSI dropped whole */
	expect_clean("title\x1b]0;pwned\x07 after", "title after");      /* OSC to BEL */
	expect_clean("osc\x1b]8;;http://x\x1b\\link", "osclink");         /* OSC to ST */
	expect_clean("bell\x07 nul-ish\x01 del\x7f", "bell? nul-ish? del?");
	expect_clean("tab\there\nnew", "tab here new");
	expect_clean("c1 \xc2\x9b" "31m", "c1 ?31m");                     /* 8-bit CSI */
	expect_clean("bad \xff\xfe utf8", "bad \xef\xbf\xbd\xef\xbf\xbd utf8");
	expect_clean("overlong \xc0\xaf", "overlong \xef\xbf\xbd\xef\xbf\xbd");
	expect_clean("surrogate \xed\xa0\x80", "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_clean("trailing esc \x1b", "trailing esc ");
	expect_clean(NULL, "");
	/* Never cuts a character in half at the buffer's end. */
	char small[6];
	sanitize_text("ab€€", small, sizeof small);
	assert_string_equal(small, "ab€");
	char *dup = sanitize_dup("x\x1b[1my");
	assert_string_equal(dup, "xy");
	free(dup);
}

static void test_textedit(void **state)
{
	(void)state;
	struct textedit t;
	textedit_init(&t, 12, false);
	const char *word = "Zoë";
	assert_int_equal(textedit_paste(&t, word), 3);
	assert_string_equal(t.text, "Zoë");
	assert_int_equal(textedit_cursor_chars(&t), 3);
	textedit_left(&t);
	textedit_backspace(&t); /* removes 'o' */
	assert_string_equal(t.text, "Zë");
	textedit_insert(&t, 'o');
	textedit_end(&t);
	textedit_insert(&t, ' ');
	textedit_paste(&t, "Müller\nignored");
	assert_string_equal(t.text, "Zoë Müller");
	assert_int_equal(textedit_insert(&t, 0x1b), -1); /* control chars refused */
	assert_int_equal(textedit_insert(&t, 'x'), -1);  /* 12 bytes is the max */
	assert_string_equal(t.text, "Zoë Müller");
	textedit_kill_word(&t);
	assert_string_equal(t.text, "Zoë ");
	textedit_home(&t);
	textedit_delete(&t);
	assert_string_equal(t.text, "oë ");
	textedit_end(&t);
	textedit_kill_to_start(&t);
	assert_string_equal(t.text, "");
	assert_int_equal(textedit_set(&t, "ok"), 0);
	assert_int_equal(textedit_set(&t, "no\x1b[2J"), -1);
	assert_string_equal(t.text, "ok");
	textedit_free(&t);

	textedit_init(&t, 0, true); /* secret: same behaviour, wiped memory */
	textedit_paste(&t, "rk_test_abc");
	textedit_backspace(&t);
	assert_string_equal(t.text, "rk_test_ab");
	assert_int_equal(t.text[t.len + 1], 0); /* the removed byte was wiped */
	textedit_free(&t);
}

static void test_money(void **state)
{
	(void)state;
	struct pd_error err;
	int64_t v;
	assert_int_equal(money_parse("45", "usd", &v, &err), 0);
	assert_int_equal(v, 4500);
	assert_int_equal(money_parse(" 1,234.5 ", "eur", &v, &err), 0);
	assert_int_equal(v, 123450);
	assert_int_equal(money_parse("1200", "jpy", &v, &err), 0);
	assert_int_equal(v, 1200);
	assert_int_equal(money_parse("12.5", "jpy", &v, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "no decimal places"));
	assert_int_equal(money_parse("5.12", "kwd", &v, &err), 0);
	assert_int_equal(v, 5120);
	assert_int_equal(money_parse("5.124", "kwd", &v, &err), PD_ERR_USAGE);
	assert_int_equal(money_parse("1.234", "usd", &v, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "at most 2 decimal places"));
	assert_int_equal(money_parse("-5", "usd", &v, &err), PD_ERR_USAGE);
	assert_int_equal(money_parse("abc", "usd", &v, &err), PD_ERR_USAGE);
	assert_int_equal(money_parse("", "usd", &v, &err), PD_ERR_USAGE);
	assert_int_equal(money_parse("1.2.3", "usd", &v, &err), PD_ERR_USAGE);
	assert_int_equal(money_parse("999999.99", "usd", &v, &err), 0);
	assert_int_equal(v, 99999999);
	assert_int_equal(money_parse("1000000", "usd", &v, &err), PD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "999,999.99 USD"));
	assert_int_equal(money_parse("99999999999999999999999", "usd", &v, &err), PD_ERR_USAGE);

	char buf[48];
	assert_string_equal(money_format(123450, "eur", buf, sizeof buf), "1,234.50 EUR");
	assert_string_equal(money_format(5, "usd", buf, sizeof buf), "0.05 USD");
	assert_string_equal(money_format(-2500, "gbp", buf, sizeof buf), "-25.00 GBP");
	assert_string_equal(money_format(1200, "jpy", buf, sizeof buf), "1,200 JPY");
	assert_string_equal(money_format(5120, "kwd", buf, sizeof buf), "5.120 KWD");
	assert_string_equal(money_format(INT64_MIN, "usd", buf, sizeof buf),
			    "-92,233,720,368,547,758.08 USD");
}

static void test_theme(void **state)
{
	(void)state;
	struct theme t;
	struct pd_error err = {0};
	theme_mono(&t);
	assert_false(t.uses_color);
	assert_int_equal(theme_parse(&t, theme_default_text, "default.theme", &err), 0);
	assert_true(t.uses_color);
	assert_int_equal(t.role[ROLE_BADGE_LIVE].bg, 1); /* red */
	assert_int_equal(theme_parse(&t, "selection brightblue color200 bold underline\n", "x", &err), 0);
	assert_int_equal(t.role[ROLE_SELECTION].fg, 12);
	assert_int_equal(t.role[ROLE_SELECTION].bg, 200);
	assert_int_equal(t.role[ROLE_SELECTION].attrs, THEME_BOLD | THEME_UNDERLINE);

	static const struct {
		const char *text, *want;
	} bad[] = {
		{"# ok\nnormal default\n", "t:2: expected 'role fg bg [attr...]', found 2 words"},
		{"sparkle red blue\n", "t:1: unknown role 'sparkle' (allowed: normal, tab,"},
		{"\n\ntab purpel blue\n", "t:3: unknown colour 'purpel'"},
		{"tab red color256\n", "t:1: unknown colour 'color256'"},
		{"tab red blue shiny\n", "t:1: unknown attribute 'shiny'"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct theme x;
		theme_mono(&x);
		int rc = theme_parse(&x, bad[i].text, "t", &err);
		if (rc != PD_ERR_USAGE || strncmp(err.msg, bad[i].want, strlen(bad[i].want)) != 0)
			fail_msg("case %zu: '%s'", i, err.msg);
	}
}

/* Every bundled theme parses and names every role exactly once. */
static void test_bundled_themes(void **state)
{
	(void)state;
	const char *names[] = {"default", "dark", "light", "mono", "high-contrast"};
	for (size_t i = 0; i < 5; i++) {
		char path[128];
		snprintf(path, sizeof path, "themes/%s.theme", names[i]);
		size_t len;
		char *text = (char *)tu_read_file(path, &len);
		if (!text)
			fail_msg("cannot read %s (run from the repository root)", path);
		struct theme t;
		struct pd_error err = {0};
		theme_mono(&t);
		if (theme_parse(&t, text, path, &err))
			fail_msg("%s", err.msg);
		for (int r = 0; r < ROLE_COUNT; r++) {
			char needle[64];
			snprintf(needle, sizeof needle, "\n%s ", theme_role_name((enum theme_role)r));
			if (!strstr(text, needle))
				fail_msg("%s does not set role %s", path, theme_role_name((enum theme_role)r));
		}
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize), cmocka_unit_test(test_textedit),
		cmocka_unit_test(test_money),    cmocka_unit_test(test_theme),
		cmocka_unit_test(test_bundled_themes),
	};
	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
