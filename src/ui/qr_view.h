/* A link shown as URL + QR code for a phone (pay links, save-a-card links),
 * shared by the payment panel and the Subscriptions forms. UI thread only. */
#ifndef PAYDESK_UI_QR_VIEW_H
#define PAYDESK_UI_QR_VIEW_H

#include <sqlite3.h>
#include <stdint.h>

#include "paydesk/qr_text.h"
#include "ui.h"

/* Draw url as a QR code centred in a, from row y (x: where a "too small"
 * note goes), dark modules on a fixed light background (ui->qr_attr).
 * When it does not fit, a line says Q shows it on the whole screen.
 * Returns the next free row. */
int ui_qr_draw(const char *url, int y, int x, struct ui_rect a);

/* url whole, cut by width w into rows from (y, x), no further than last_row.
 * Returns the next free row. */
int ui_link_url_draw(const char *url, int y, int x, int w, int last_row, enum theme_role role);

/* Q gives url's QR code the whole screen (titled title); C copies url to the
 * terminal's clipboard (OSC 52). UI_UNHANDLED for other keys or no url. */
enum ui_result ui_link_key(struct ui *ui, const char *url, const char *title, int key);

/* Copy url with OSC 52 and say so (the terminal may not allow it). */
void ui_link_copy(struct ui *ui, const char *url);

/* The whole-screen QR code (an overlay the shell draws instead of the tabs):
 * open with a copy of url, draw, keys (C copies, any other key closes), close. */
void ui_qr_screen_open(struct ui *ui, const char *url, const char *title);
void ui_qr_screen_draw(struct ui *ui);
enum ui_result ui_qr_screen_key(struct ui *ui, int key);
void ui_qr_screen_close(struct ui *ui);

/* The newest save-a-card link of a client from row y: its status, and
 * while it is open the URL and its QR code. Returns the next free row. */
int ui_card_link_draw(sqlite3 *db, int64_t client_id, int y, struct ui_rect a);
/* The QR code of url as qr_text_render_ink draws it, kept until the URL
 * changes (encoding costs ~1.2 ms): owned here, valid until the next call
 * (another code may take its place); NULL when it cannot be encoded. */
const char *ui_qr_text(const char *url, enum qr_text_ink ink, int quiet, int *cols, int *rows);
/* Free the encoded codes kept for drawing (at exit). */
void ui_qr_forget(void);
/* The same from a link already read (NULL: none yet); reads nothing. */
struct card_setup;
int ui_card_setup_draw(const struct card_setup *s, int y, struct ui_rect a);

/* Q and C (see ui_link_key) on a client's open save-a-card link. */
enum ui_result ui_card_link_key(struct ui *ui, int64_t client_id, int key);

#endif
