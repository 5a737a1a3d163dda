/* The Subscriptions tab. Its content arrives with its feature; until then it says so. */
#include "screen_info.h"

static const char *const lines[] = {
	"Plans, trial periods and recurring billing of clients arrive with the",
	"subscriptions feature.",
	NULL,
};

static const struct screen_info_page page = {"Subscriptions", lines};

static void draw(void *state, struct ui *ui, struct ui_rect area)
{
	(void)state;
	(void)ui;
	screen_info_draw_page(&page, area);
}

const struct ui_screen screen_subscriptions = {
	.name = "subscriptions",
	.title = "Subscriptions",
	.keys = NULL,
	.nkeys = 0,
	.open = screen_info_open,
	.close = screen_info_close,
	.draw = draw,
};
