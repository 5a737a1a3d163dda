/* Private to the shell: taking a bracketed paste. */
#ifndef PAYDESK_UI_PASTE_H
#define PAYDESK_UI_PASTE_H

#include <stdbool.h>

#include "ui.h"

typedef void (*ui_paste_key_fn)(struct ui *ui, int key);

/* Called on UI_KEY_PASTE_START: read the paste up to its end marker and,
 * when a text field has focus (into_field) and the text fits one line,
 * feed it to key() between UI_KEY_PASTE_START and UI_KEY_PASTE_END. */
void ui_paste(struct ui *ui, bool into_field, ui_paste_key_fn key);

#endif
