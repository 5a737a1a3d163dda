/* The confirm dialog at 80x24: a body longer than the box has room for is
 * never cut ("…"): it scrolls with j / k and says there is more; a third
 * choice has its own key, so n only ever means no. A notice longer than is
 * kept is cut at a whole word. */
#include "testutil.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ui/ui.h"
#include "../../src/ui/widgets.h"

/* The whole screen as text, rows joined by '\n'. */
static void screen_text(char *out, size_t len)
{
	size_t n = 0;
	for (int y = 0; y < LINES && n + (size_t)COLS + 2 < len; y++) {
		char row[512];
		mvinnstr(y, 0, row, COLS < 500 ? COLS : 500);
		n += (size_t)snprintf(out + n, len - n, "%s\n", row);
	}
}

static int others;
static void on_other(struct ui *ui, void *ctx)
{
	(void)ui;
	others++;
	free(ctx);
}

static void test_long_body_scrolls_never_cut(void **state)
{
	(void)state;
	struct ui ui = {0};
	char body[2000] = "";
	for (int i = 1; i <= 30; i++) {
		char line[64];
		snprintf(line, sizeof line, "%sline %02d of the body", i > 1 ? "\n" : "", i);
		strcat(body, line);
	}
	ui_dialog_open(&ui, &(struct ui_dialog_spec){.title = "Long", .body = body, .money = true,
						     .amount = 3000, .currency = "usd",
						     .confirm_label = "go"});
	char shown[16000];
	erase();
	ui_dialog_draw(&ui);
	screen_text(shown, sizeof shown);
	assert_non_null(strstr(shown, "line 01 of the body"));
	assert_null(strstr(shown, "line 30 of the body"));
	assert_null(strstr(shown, "\u2026"));
	assert_non_null(strstr(shown, "j/k: more below"));
	for (int i = 0; i < 40; i++) /* past the end: stops at the last row */
		ui_dialog_key(&ui, 'j');
	erase();
	ui_dialog_draw(&ui);
	screen_text(shown, sizeof shown);
	assert_non_null(strstr(shown, "line 30 of the body"));
	assert_null(strstr(shown, "line 01 of the body"));
	assert_non_null(strstr(shown, "j/k: more above"));
	assert_non_null(ui.dialog); /* scrolling is not an answer */
	ui_dialog_close(&ui);
}

static void test_other_key_is_its_own(void **state)
{
	(void)state;
	struct ui ui = {0};
	others = 0;
	ui_dialog_open(&ui, &(struct ui_dialog_spec){
				    .title = "Refund by the policy and cancel?", .body = "short",
				    .money = true, .amount = 4000, .currency = "usd",
				    .confirm_label = "refund", .other_key = 'd',
				    .other_label = "decide otherwise", .on_other = on_other,
				    .ctx = calloc(1, 8), .free_ctx = free});
	char shown[16000];
	erase();
	ui_dialog_draw(&ui);
	screen_text(shown, sizeof shown);
	assert_non_null(strstr(shown, "y: refund    d: decide otherwise    n / Esc: cancel"));
	ui_dialog_key(&ui, 'd');
	assert_int_equal(others, 1);
	assert_null(ui.dialog);
}

/* A message longer than a notice keeps is cut at a whole word, and says so. */
static void test_long_notice_cut_at_a_word(void **state)
{
	(void)state;
	static struct ui ui;
	char text[2000] = "";
	for (int i = 0; i < 150; i++) {
		char word[16];
		snprintf(word, sizeof word, "%sword%04d", i ? " " : "", i);
		strcat(text, word);
	}
	ui_notify(&ui, UI_NOTICE_ERROR, "%s", text);
	size_t n = strlen(ui.notice);
	assert_true(n < sizeof ui.notice);
	assert_string_equal(ui.notice + n - 3, "\u2026");
	const char *last = strrchr(ui.notice, ' ');
	assert_non_null(last);
	assert_int_equal(strlen(last + 1), 8 + 3); /* "word0123" then "…": never part of one */
	assert_string_equal(ui.messages[0].text, ui.notice); /* M keeps the same words */
}

int main(void)
{
	setenv("TERM", "xterm", 0);
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = newterm("xterm", out, in);
	if (!scr) {
		fprintf(stderr, "no terminfo for xterm\n");
		return 1;
	}
	resizeterm(24, 80);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_long_body_scrolls_never_cut),
	    cmocka_unit_test(test_other_key_is_its_own),
	    cmocka_unit_test(test_long_notice_cut_at_a_word),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	return rc;
}
