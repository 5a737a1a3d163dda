/* The Clients tab. Its content arrives with its feature; until then it says so. */
#include "screen_info.h"

static const char *const lines[] = {
	"Clients with their saved cards (brand, last 4, expiry) and Stripe billing",
	"arrive with the appointments feature.",
	NULL,
};

static const struct screen_info_page page = {"Clients", lines};

static void draw(void *state, struct ui *ui, struct ui_rect area)
{
	(void)state;
	(void)ui;
	screen_info_draw_page(&page, area);
}

const struct ui_screen screen_clients = {
	.name = "clients",
	.title = "Clients",
	.keys = NULL,
	.nkeys = 0,
	.open = screen_info_open,
	.close = screen_info_close,
	.draw = draw,
};
