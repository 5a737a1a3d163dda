/* The tabs, in order, then the panels. */
#include "ui.h"

extern const struct ui_screen screen_appointments, screen_clients, screen_subscriptions,
	screen_history, screen_setup_ops, screen_audit, screen_visits, screen_payouts;

const struct ui_screen *const ui_screens[UI_SCREENS] = {
	&screen_appointments, &screen_clients, &screen_subscriptions, &screen_history,
	&screen_setup_ops,    &screen_audit,	    &screen_visits,
	&screen_payouts,
};
