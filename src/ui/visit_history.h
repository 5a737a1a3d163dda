/* The visit history panel (not in the tab bar): one client's visits, past
 * and future, with what happened and their money, reached with H from the
 * client (Clients tab, its row or its detail) and from an appointment
 * (Appointments tab). Esc goes back where it came from. */
#ifndef PAYDESK_UI_VISIT_HISTORY_H
#define PAYDESK_UI_VISIT_HISTORY_H

#include <stdint.h>

#include "ui.h"

/* Show client_id's visits, the selection on appointment_id (0: the next
 * upcoming visit, else the newest). */
void ui_visits_open(struct ui *ui, int64_t client_id, int64_t appointment_id);

#endif
