/* QR codes for a terminal (libqrencode), so a client or an admin can open a
 * pay link or an onboarding link on a phone: two modules per character cell
 * with Unicode half blocks, dark on light, with the quiet zone. */
#ifndef PAYDESK_QR_TEXT_H
#define PAYDESK_QR_TEXT_H

#include <stddef.h>

/* The QR code of text as lines of UTF-8 (each line '\n'-terminated), in a
 * heap string the caller frees; NULL when the text cannot be encoded.
 * *cols and *rows (may be NULL) get its size in character cells. */
char *qr_text_render(const char *text, int *cols, int *rows);

#endif
