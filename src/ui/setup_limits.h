/* The staff refund limits panel of the Setup tab: one limit a currency,
 * of one payment and each a day, set by the admin (app/auth.c checks). */
#ifndef PAYDESK_UI_SETUP_LIMITS_H
#define PAYDESK_UI_SETUP_LIMITS_H

#include "widgets.h"

struct setup_limits;

struct setup_limits *setup_limits_new(void);
void setup_limits_free(struct setup_limits *l);
/* Read the limits from the store (on entering the panel, after a save). */
void setup_limits_load(struct setup_limits *l, struct ui *ui);
void setup_limits_draw(struct setup_limits *l, struct ui_rect area);
/* UI_UNHANDLED for keys it does not use (Esc leaves the panel). */
enum ui_result setup_limits_key(struct setup_limits *l, struct ui *ui, int key);

#endif
