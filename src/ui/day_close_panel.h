/* The day close panel (not in the tab bar), reached with Z from the
 * Appointments tab: the day's takings at this desk by tender, the cash the
 * till should hold, the counted cash and a comment when they differ; Ctrl-S
 * asks, then closes the day (app/day_close.c). A closed day shows its close.
 * Esc goes back to the agenda. */
#ifndef PAYDESK_UI_DAY_CLOSE_PANEL_H
#define PAYDESK_UI_DAY_CLOSE_PANEL_H

#include "ui.h"

/* Show the close of the day y-m-d at this desk. */
void ui_day_close_open(struct ui *ui, int y, int m, int d);

#endif
