/* QR codes for a terminal (libqrencode), so a client or an admin can open a
 * pay link or an onboarding link on a phone: two modules per character cell
 * with Unicode half blocks, dark on light, with the quiet zone (light blocks
 * for plain text; dark blocks where the screen paints a light background). */
#ifndef PAYDESK_QR_TEXT_H
#define PAYDESK_QR_TEXT_H

#include <stddef.h>

/* The QR code of text as lines of UTF-8 (each line '\n'-terminated), in a
 * heap string the caller frees; NULL when the text cannot be encoded.
 * *cols and *rows (may be NULL) get its size in character cells. */
char *qr_text_render(const char *text, int *cols, int *rows);

/* What the block characters stand for. */
enum qr_text_ink {
	QR_TEXT_LIGHT_BLOCKS, /* blocks are light modules: plain text on a dark terminal */
	QR_TEXT_DARK_BLOCKS,  /* blocks are dark modules: drawn dark on a fixed light background */
};

/* As qr_text_render, with the ink chosen and a quiet zone of quiet modules
 * (a small terminal may need 1; qr_text_render uses 2). */
char *qr_text_render_ink(const char *text, enum qr_text_ink ink, int quiet, int *cols,
			 int *rows);

#endif
