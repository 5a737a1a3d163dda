/* textedit under random operation sequences: the text stays valid UTF-8
 * without control characters, within max, NUL-terminated at len, and the
 * cursor stays on a character boundary. */
#include "fuzz.h"

#include "paydesk/textedit.h"

static void te_check(const struct textedit *t)
{
	FUZZ_CHECK(t->text);
	FUZZ_CHECK(strlen(t->text) == t->len);
	FUZZ_CHECK(t->len <= t->max && t->len < t->cap);
	FUZZ_CHECK(t->cursor <= t->len);
	FUZZ_CHECK(t->cursor == t->len || ((unsigned char)t->text[t->cursor] & 0xc0) != 0x80);
	FUZZ_CHECK(fuzz_utf8_valid(t->text, t->len));
	FUZZ_CHECK(!fuzz_has_control(t->text, t->len));
	size_t chars = 0;
	for (size_t i = 0; i < t->cursor; i++)
		chars += ((unsigned char)t->text[i] & 0xc0) != 0x80;
	FUZZ_CHECK(textedit_cursor_chars(t) == chars);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t head = fuzz_byte(&in);
	struct textedit t;
	textedit_init(&t, head & 0x7f, head & 0x80); /* max 0 means the default */
	te_check(&t);
	int ops = 0;
	while (in.n && ops++ < 400) {
		uint8_t op = fuzz_byte(&in);
		size_t before = t.len;
		switch (op % 13) {
		case 0: {
			uint32_t cp = fuzz_u32(&in);
			if (op & 0x80)
				cp &= 0x7ff; /* mostly small code points */
			int rc = textedit_insert(&t, cp);
			if (rc == 0)
				FUZZ_CHECK(t.len > before);
			else
				FUZZ_CHECK(t.len == before);
			break;
		}
		case 1: {
			uint8_t c = fuzz_byte(&in);
			textedit_insert(&t, c);
			break;
		}
		case 2: {
			char *s = fuzz_chunk(&in);
			textedit_paste(&t, s);
			free(s);
			break;
		}
		case 3: {
			char *s = fuzz_chunk(&in);
			char *copy = strdup(s);
			int rc = textedit_set(&t, s);
			if (rc == 0)
				FUZZ_CHECK(strcmp(t.text, copy) == 0 && t.cursor == t.len);
			free(copy);
			free(s);
			break;
		}
		case 4: textedit_backspace(&t); FUZZ_CHECK(t.len <= before); break;
		case 5: textedit_delete(&t); FUZZ_CHECK(t.len <= before); break;
		case 6: textedit_left(&t); break;
		case 7: textedit_right(&t); break;
		case 8: textedit_home(&t); FUZZ_CHECK(t.cursor == 0); break;
		case 9: textedit_end(&t); FUZZ_CHECK(t.cursor == t.len); break;
		case 10: textedit_kill_to_start(&t); FUZZ_CHECK(t.cursor == 0); break;
		case 11: textedit_kill_word(&t); FUZZ_CHECK(t.len <= before); break;
		case 12: textedit_insert(&t, ' '); break;
		}
		te_check(&t);
	}
	textedit_free(&t);
	return 0;
}
