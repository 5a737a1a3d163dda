#include "screen_info.h"

#include <stdlib.h>

void *screen_info_open(struct ui *ui)
{
	(void)ui;
	return NULL;
}

void screen_info_close(void *state)
{
	(void)state;
}

void screen_info_draw_page(const struct screen_info_page *page, struct ui_rect area)
{
	int y = area.y + 1;
	ui_put(y, area.x + 2, area.w - 4, ROLE_TITLE, page->heading, false);
	y += 2;
	for (const char *const *l = page->lines; *l && y < area.y + area.h; l++, y++)
		ui_put(y, area.x + 2, area.w - 4, ROLE_NORMAL, *l, false);
}
