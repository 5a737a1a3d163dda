/* The packages panel of the Setup tab (admins): what is sold ahead of
 * visits — N visits of a service, or an amount of credit — with its price
 * and validity, and the form that defines a new one (app/packages.c checks
 * the role and audits). Selling is on the client's visit history. */
#ifndef PAYDESK_UI_SETUP_PACKAGES_H
#define PAYDESK_UI_SETUP_PACKAGES_H

#include "widgets.h"

struct setup_packages;

struct setup_packages *setup_packages_new(void);
void setup_packages_free(struct setup_packages *p);
/* Read packages and services (on entering the panel, after a save). */
void setup_packages_load(struct setup_packages *p, struct ui *ui);
void setup_packages_draw(struct setup_packages *p, struct ui_rect area);
/* UI_UNHANDLED for keys it does not use (Esc leaves the panel). */
enum ui_result setup_packages_key(struct setup_packages *p, struct ui *ui, int key);

#endif
