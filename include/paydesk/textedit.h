/* A one-line UTF-8 text buffer with a cursor: the editing logic of form
 * fields and search prompts, kept free of curses so it can be tested. */
#ifndef PAYDESK_TEXTEDIT_H
#define PAYDESK_TEXTEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct textedit {
	char *text;      /* always NUL-terminated, valid UTF-8 */
	size_t len;      /* bytes */
	size_t cap;
	size_t cursor;   /* byte offset, always on a character boundary */
	size_t max;      /* most bytes accepted (0: 4096) */
	bool secret;     /* buffer is zeroed when it shrinks or is freed */
};

void textedit_init(struct textedit *t, size_t max, bool secret);
void textedit_free(struct textedit *t);

/* Replace the whole text (cursor to the end). Invalid UTF-8 is refused (-1). */
int textedit_set(struct textedit *t, const char *text);

/* Insert one Unicode code point at the cursor. Control characters are
 * refused (-1), and so is anything past max (-1, text unchanged). */
int textedit_insert(struct textedit *t, uint32_t cp);

/* Insert a UTF-8 string (pasted text): control characters become spaces,
 * newlines end the paste. Returns the characters inserted. */
size_t textedit_paste(struct textedit *t, const char *utf8);

void textedit_backspace(struct textedit *t);
void textedit_delete(struct textedit *t);
void textedit_left(struct textedit *t);
void textedit_right(struct textedit *t);
void textedit_home(struct textedit *t);
void textedit_end(struct textedit *t);
void textedit_kill_to_start(struct textedit *t);   /* Ctrl-U */
void textedit_kill_word(struct textedit *t);       /* Ctrl-W */

/* Characters (code points) before the cursor. */
size_t textedit_cursor_chars(const struct textedit *t);

#endif
