/* The History tab. Its content arrives with its feature; until then it says so. */
#include "screen_info.h"

static const char *const lines[] = {
	"Payments, refunds, invoices and fees synced from Stripe, with filters,",
	"search, totals and review marks, arrive with the history feature.",
	NULL,
};

static const struct screen_info_page page = {"Billing history", lines};

static void draw(void *state, struct ui *ui, struct ui_rect area)
{
	(void)state;
	(void)ui;
	screen_info_draw_page(&page, area);
}

const struct ui_screen screen_history = {
	.name = "history",
	.title = "History",
	.keys = NULL,
	.nkeys = 0,
	.open = screen_info_open,
	.close = screen_info_close,
	.draw = draw,
};
