/* A screen that shows a titled page of text lines: the empty state of a
 * screen whose feature has not landed yet, said plainly. */
#ifndef PAYDESK_UI_SCREEN_INFO_H
#define PAYDESK_UI_SCREEN_INFO_H

#include "widgets.h"

struct screen_info_page {
	const char *heading;
	const char *const *lines; /* NULL-terminated */
};

void *screen_info_open(struct ui *ui);
void screen_info_close(void *state);
/* Draw the page pointed to by the screen's own table entry. */
void screen_info_draw_page(const struct screen_info_page *page, struct ui_rect area);

#endif
