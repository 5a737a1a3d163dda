/* The tabs, in order. */
#include "ui.h"

extern const struct ui_screen screen_appointments, screen_clients, screen_subscriptions,
	screen_history, screen_setup_ops;

const struct ui_screen *const ui_screens[UI_TABS] = {
	&screen_appointments, &screen_clients, &screen_subscriptions, &screen_history,
	&screen_setup_ops,
};
