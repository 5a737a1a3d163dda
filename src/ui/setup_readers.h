/* The card readers panel of the Setup tab (r): Stripe Terminal readers by
 * label, the one this desk uses marked, Enter to choose another, n to
 * register one (registration code, label, location). Stripe is asked on a
 * worker; the panel shows the store's copy (terminal_readers.h). */
#ifndef PAYDESK_UI_SETUP_READERS_H
#define PAYDESK_UI_SETUP_READERS_H

#include "widgets.h"

struct setup_readers;

struct setup_readers *setup_readers_new(void);
void setup_readers_free(struct setup_readers *r);
/* Entering the panel: the store's copy now, Stripe's list asked for. */
void setup_readers_open(struct setup_readers *r, struct ui *ui);
void setup_readers_draw(struct setup_readers *r, struct ui *ui, struct ui_rect area);
/* The register form's keys, while it is open (else UI_UNHANDLED). */
enum ui_result setup_readers_key(struct setup_readers *r, struct ui *ui, int key);
/* The list's keymap (Enter uses, n registers, g re-reads, j/k), unless
 * the form is open. Esc is the Setup tab's. */
void setup_readers_keymaps(struct setup_readers *r, struct ui_keymaps *s);
/* A job finished: ours are told and the copy re-read. */
void setup_readers_job_done(struct setup_readers *r, struct ui *ui,
			    const struct jobs_completion *c);
/* While the register form is open, the cursor is its. */
bool setup_readers_editing(const struct setup_readers *r);

#endif
