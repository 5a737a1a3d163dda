/* Shared by the history store modules (src/store/history*.c) only. */
#ifndef PAYDESK_STORE_HISTORY_INTERNAL_H
#define PAYDESK_STORE_HISTORY_INTERNAL_H

#include "paydesk/history.h"

/* The columns of ROW_COLUMNS (see history_query.c), in order, into row. */
void history_row_from_stmt(sqlite3_stmt *st, struct history_row *row);

#define HISTORY_ROW_COLUMNS                                                                  \
	"SELECT h.id, h.stripe_id, h.type, h.created, h.amount, h.currency, h.status,"       \
	" h.customer_id, h.client_name, h.email, h.description, h.card_brand, h.card_last4," \
	" h.fee, h.net, h.amount_refunded, ifnull(r.reviewed, 0), ifnull(r.flagged, 0),"     \
	" ifnull(r.note, '') <> ''"

#endif
