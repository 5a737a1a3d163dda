#include "clipboard.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ui_clipboard_copy(const char *text)
{
	size_t n = strlen(text);
	size_t b64 = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	size_t total = b64 + 16;
	char *seq = malloc(total);
	if (!seq)
		return -1;
	memcpy(seq, "\033]52;c;", 7);
	sodium_bin2base64(seq + 7, b64, (const unsigned char *)text, n,
			  sodium_base64_VARIANT_ORIGINAL);
	size_t len = strlen(seq);
	seq[len++] = '\a';
	/* Straight to the terminal between two frames: curses has flushed its
	 * output by now (doupdate), and the sequence moves no cursor. */
	fflush(stdout);
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(STDOUT_FILENO, seq + done, len - done);
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	free(seq);
	return done == len ? 0 : -1;
}
