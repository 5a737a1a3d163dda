#include "paydesk/qr_text.h"

#include <qrencode.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 2 /* modules of light margin; scanners need some, terminals are small */

static bool dark(const QRcode *qr, int x, int y)
{
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return false;
	return qr->data[y * qr->width + x] & 1;
}

char *qr_text_render_ink(const char *text, enum qr_text_ink ink, int quiet, int *cols,
			int *rows)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (!qr)
		return NULL;
	int size = qr->width + 2 * quiet;
	int lines = (size + 1) / 2;
	/* Each cell is at most 3 bytes (a half block); plus a newline per line. */
	char *out = malloc((size_t)lines * ((size_t)size * 3 + 1) + 1);
	if (!out) {
		QRcode_free(qr);
		return NULL;
	}
	/* With light blocks the gap is dark: reads as dark-on-light on a dark
	 * background only. With dark blocks the caller draws on a fixed light
	 * background, which scans whatever the terminal's colours. */
	bool block_is_dark = ink == QR_TEXT_DARK_BLOCKS;
	char *w = out;
	for (int row = 0; row < lines; row++) {
		for (int col = 0; col < size; col++) {
			int x = col - quiet, y = 2 * row - quiet;
			bool top = dark(qr, x, y) == block_is_dark;
			bool bottom = dark(qr, x, y + 1) == block_is_dark;
			const char *cell = top && bottom ? "\xe2\x96\x88"  /* █ full */
					   : top	  ? "\xe2\x96\x80" /* ▀ upper half */
					   : bottom	  ? "\xe2\x96\x84" /* ▄ lower half */
							  : " ";
			size_t n = strlen(cell);
			memcpy(w, cell, n);
			w += n;
		}
		*w++ = '\n';
	}
	*w = '\0';
	if (cols)
		*cols = size;
	if (rows)
		*rows = lines;
	QRcode_free(qr);
	return out;
}

char *qr_text_render(const char *text, int *cols, int *rows)
{
	return qr_text_render_ink(text, QR_TEXT_LIGHT_BLOCKS, QUIET, cols, rows);
}
