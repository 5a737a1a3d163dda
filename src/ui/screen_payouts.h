/* The Payouts panel (not in the tab bar): P on History. Esc goes back. */
#ifndef PAYDESK_UI_SCREEN_PAYOUTS_H
#define PAYDESK_UI_SCREEN_PAYOUTS_H

#include "ui.h"

/* Show the payouts, newest first (the month summary and a payout's
 * transactions are a key away there). */
void ui_payouts_open(struct ui *ui);

#endif
