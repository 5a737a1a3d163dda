/* One client at a glance (Clients tab, o): contact, the Stripe customer
 * and saved cards, the client's subscriptions with their latest invoices,
 * and the recent subscription invoices and payments the billing history
 * holds. Read from the local store only. UI thread. */
#ifndef PAYDESK_UI_CLIENT_DETAIL_H
#define PAYDESK_UI_CLIENT_DETAIL_H

#include <stdint.h>

#include "cards_refresh.h"
#include "ui.h"

/* Draws what was read for client_id (read at its first frame, and again
 * after client_detail_reload): no store read per frame. */
void client_detail_draw(struct ui *ui, int64_t client_id, const struct cards_refresh *cards,
			struct ui_rect area);
/* Forget what was read (the Clients screen's reload: a job finished, the
 * tab opened, a change was saved). */
void client_detail_reload(void);

#endif
