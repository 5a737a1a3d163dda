/* The tabs, in order, then the panels. */
#include "ui.h"

extern const struct ui_screen screen_appointments, screen_clients, screen_subscriptions,
	screen_history, screen_setup_ops, screen_audit, screen_visits;

const struct ui_screen *const ui_screens[UI_SCREENS] = {
	&screen_appointments, &screen_clients, &screen_subscriptions, &screen_history,
	&screen_setup_ops,    &screen_audit,	    &screen_visits,
};

void ui_screens_drop(struct ui *ui)
{
	for (int i = 0; i < UI_SCREENS; i++)
		if (ui->state[i] && ui_screens[i]->drop)
			ui_screens[i]->drop(ui->state[i], ui);
}
