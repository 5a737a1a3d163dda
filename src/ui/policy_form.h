/* The booking-policy form of the Clients tab's services list: P edits the
 * selected service's own policy, B the business default. Admins only (the
 * use case checks; the keys are hidden from staff). Ctrl-S shows the terms
 * and the text clients will be shown, y saves (policy_set: audited);
 * Ctrl-R removes the service's own policy (policy_remove). UI thread only. */
#ifndef PAYDESK_UI_POLICY_FORM_H
#define PAYDESK_UI_POLICY_FORM_H

#include <stdbool.h>

#include "paydesk/services.h"
#include "ui.h"

struct policy_form;

struct policy_form *policy_form_new(struct ui *ui);
void policy_form_free(struct policy_form **f);
/* Open for service s (NULL: the business default), filled with its own
 * policy, else blank (nothing asked). */
void policy_form_open(struct policy_form *f, const struct service *s);
bool policy_form_active(const struct policy_form *f);
bool policy_form_editing(const struct policy_form *f);
enum ui_result policy_form_key(struct policy_form *f, int key);
void policy_form_draw(struct policy_form *f, struct ui_rect a);

#endif
