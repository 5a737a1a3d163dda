/* Packages and credit on the visit history (H on a client): what the client
 * bought and has left (or expired), selling one (b: a form, then the money
 * dialog; desk tenders recorded here, the saved card as a worker job) and
 * refunding what is unused (R: the money dialog). UI thread only. */
#ifndef PAYDESK_UI_PACKAGES_PANEL_H
#define PAYDESK_UI_PACKAGES_PANEL_H

#include <stdint.h>

#include "paydesk/jobs.h"
#include "ui.h"

struct pkg_panel;

struct pkg_panel *pkg_panel_new(struct ui *ui);
void pkg_panel_free(struct pkg_panel **p);
/* Re-read client_id's sales and what is sold (the screen's reload). */
void pkg_panel_reload(struct pkg_panel *p, int64_t client_id);
/* The client's sales, one a line from row y, at most max: rows used. */
int pkg_panel_draw_lines(const struct pkg_panel *p, int y, int x, int w, int max);
/* Whether the sell form is open (it then takes every key and the area). */
bool pkg_panel_form_open(const struct pkg_panel *p);
void pkg_panel_draw_form(struct pkg_panel *p, struct ui_rect area);
enum ui_result pkg_panel_key(struct pkg_panel *p, int key);
/* b: open the sell form; R: ask to refund the newest sale with something unused. */
void pkg_panel_sell(struct pkg_panel *p);
void pkg_panel_refund(struct pkg_panel *p);
void pkg_panel_job_done(struct pkg_panel *p, const struct jobs_completion *c);
/* A link sale waiting for the client: its URL (Q / C on the history), or NULL. */
const char *pkg_panel_open_link(const struct pkg_panel *p);
/* Whether a sale waits on the reader; K stops it (a job, then read back). */
bool pkg_panel_on_reader(const struct pkg_panel *p);
void pkg_panel_stop(struct pkg_panel *p);
/* Training: t hands the simulated reader a test card for that sale (a job). */
void pkg_panel_tap(struct pkg_panel *p);

#endif
