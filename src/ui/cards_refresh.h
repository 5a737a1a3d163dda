/* A client's saved cards as Stripe has them: listed again on a worker
 * (PAY_OP_CARDS) when the client is shown on the Clients tab — once per
 * opening (o), and for the selected row when its last listing is older
 * than CARDS_FRESH_SECONDS or the client changed since (an import, a match
 * to a Stripe customer: its version) or a history sync ran (paydesk sync,
 * the History tab); one listing in flight at a time, so moving through
 * the list never queues a burst. Silent: the card line is redrawn
 * from the store when the listing lands. UI thread. */
#ifndef PAYDESK_UI_CARDS_REFRESH_H
#define PAYDESK_UI_CARDS_REFRESH_H

#include <stdbool.h>
#include <stdint.h>

#include "paydesk/clients.h"
#include "paydesk/jobs.h"
#include "ui.h"

#define CARDS_FRESH_SECONDS 300

struct cards_refresh;

struct cards_refresh *cards_refresh_new(void);
void cards_refresh_free(struct cards_refresh **r);
/* The client is on screen: list its cards now unless that was done within
 * CARDS_FRESH_SECONDS (opened: regardless, once for this opening). */
void cards_refresh_shown(struct cards_refresh *r, struct ui *ui, int64_t client_id, bool opened);
/* Whether a completion was a listing of ours (then it is consumed). */
bool cards_refresh_job_done(struct cards_refresh *r, const struct jobs_completion *c);
/* "Stripe cus_… · visa ·4242 12/34", "… · asking Stripe for saved cards…",
 * or what the client lacks; hints: the keys that help (S, Y). */
/* The same from cards already read (have: the listing was read; a client
 * not at Stripe has none): reads nothing. */
struct client_card;
void cards_refresh_line_of(const struct cards_refresh *r, const struct client *c, bool have,
			   const struct client_card *cc, size_t n, bool hints, char *out,
			   size_t len);
void cards_refresh_line(struct ui *ui, const struct cards_refresh *r, const struct client *c,
			bool hints, char *out, size_t len);

#endif
