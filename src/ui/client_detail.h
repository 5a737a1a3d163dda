/* One client at a glance (Clients tab, o): contact, the Stripe customer
 * and saved cards, the client's subscriptions with their latest invoices,
 * and the recent subscription invoices and payments the billing history
 * holds. Read from the local store only. UI thread. */
#ifndef PAYDESK_UI_CLIENT_DETAIL_H
#define PAYDESK_UI_CLIENT_DETAIL_H

#include <stdint.h>

#include "cards_refresh.h"
#include "ui.h"

/* Draws what client_detail_reload read for client_id; reads nothing. */
void client_detail_draw(struct ui *ui, int64_t client_id, const struct cards_refresh *cards,
			struct ui_rect area);
/* Read what the detail of client_id shows (the Clients screen's reload: the
 * detail opened, a job finished, the tab opened); 0: forget it. */
void client_detail_reload(struct ui *ui, int64_t client_id);

#endif
