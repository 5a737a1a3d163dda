/* The full-screen terminal interface. */
#ifndef PAYDESK_TUI_H
#define PAYDESK_TUI_H

#include "paydesk/app.h"

/* Run the interface until the user quits. The terminal is restored on every
 * way out, fatal signals included. Returns 0, or an error status with err set. */
int tui_run(struct app *app, struct pd_error *err);

#endif
