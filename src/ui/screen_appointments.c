/* The Appointments tab. Its content arrives with its feature; until then it says so. */
#include "screen_info.h"

static const char *const lines[] = {
	"Day and week agenda per staff member: booking, rescheduling and taking",
	"payment through Stripe arrive with the appointments feature.",
	NULL,
};

static const struct screen_info_page page = {"Appointments", lines};

static void draw(void *state, struct ui *ui, struct ui_rect area)
{
	(void)state;
	(void)ui;
	screen_info_draw_page(&page, area);
}

const struct ui_screen screen_appointments = {
	.name = "appointments",
	.title = "Appointments",
	.keys = NULL,
	.nkeys = 0,
	.open = screen_info_open,
	.close = screen_info_close,
	.draw = draw,
};
