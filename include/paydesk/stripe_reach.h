/* Whether Stripe answers: one record for the whole process, written by
 * every Stripe call (stripe_client_send notes each call's last attempt) and
 * read by the desk's tab bar. A call that got no answer (connection
 * refused, timeout, reset) or only 5xx after its retries marks Stripe
 * unreachable from that moment; the next answer of any kind (2xx, 4xx,
 * 429: Stripe is there, even if it said no) clears it. Thread-safe. */
#ifndef PAYDESK_STRIPE_REACH_H
#define PAYDESK_STRIPE_REACH_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* What a finished call learnt: an HTTP status (0: no answer at all). */
void stripe_reach_note(long http_status, time_t now);

/* True while Stripe is unreachable; *since (may be NULL) is when the first
 * failed call of this outage ended (wall clock). */
bool stripe_reach_down(time_t *since);

/* Bumped at every change down → up or up → down, so a reader can tell an
 * outage that came and went since it last looked. */
uint64_t stripe_reach_generation(void);

/* A call starts waiting on Stripe (its first attempt to its last answer):
 * returns a slot for stripe_reach_end (-1 when every slot is taken: that
 * call is simply not watched). */
int stripe_reach_begin(time_t now);
void stripe_reach_end(int slot);

/* How long (seconds) the call waiting longest has waited at now; 0 when
 * none waits. An answer that is slow to come is no outage yet, but the
 * desk should not read "online" while it waits a minute. */
long stripe_reach_waiting(time_t now);

/* Forget everything (tests). */
void stripe_reach_reset(void);

/* Whether a call's last answer means Stripe is unreachable: none at all,
 * or a 5xx. */
bool stripe_reach_status_is_down(long http_status);

#endif
