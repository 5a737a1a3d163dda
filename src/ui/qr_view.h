/* A link shown as URL + QR code for a phone (pay links, save-a-card links),
 * shared by the payment panel and the Subscriptions forms. UI thread only. */
#ifndef PAYDESK_UI_QR_VIEW_H
#define PAYDESK_UI_QR_VIEW_H

#include <sqlite3.h>
#include <stdint.h>

#include "ui.h"

/* Draw url as a QR code centred in a, from row y (x: where a "too small"
 * note goes). Returns the next free row. */
int ui_qr_draw(const char *url, int y, int x, struct ui_rect a);

/* The newest save-a-card link of a client from row y: its status, and
 * while it is open the URL and its QR code. Returns the next free row. */
int ui_card_link_draw(sqlite3 *db, int64_t client_id, int y, struct ui_rect a);

#endif
