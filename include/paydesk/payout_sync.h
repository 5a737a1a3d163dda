/* Pulling payouts and balance transactions from Stripe into the store
 * (payouts.h), after the billing history: every balance transaction created
 * since the last pass, payouts created since, payouts still on their way
 * (their status may have changed), then for each automatic payout the
 * transactions Stripe says it paid out, and for each manual one paydesk's
 * attribution. Every page is stored with its position in one transaction,
 * so an interrupted sync resumes there. */
#ifndef PAYDESK_PAYOUT_SYNC_H
#define PAYDESK_PAYOUT_SYNC_H

#include <sqlite3.h>
#include <stdatomic.h>

#include "paydesk/error.h"
#include "paydesk/stripe_client.h"

struct payout_sync_stats {
	long payouts;       /* payouts fetched (new or changed) */
	long txns;          /* balance transactions fetched */
	long attributed;    /* payouts whose transactions became known */
	char note[256];     /* for the user ("" when nothing to say) */
};

/* account: the connected account (Stripe-Account) or NULL. Stops early,
 * resumable, when *cancel becomes true (PD_ERR, "interrupted"). A key that
 * may not read payouts: PD_OK, and stats->note says what to change. */
int payout_sync_run(sqlite3 *db, struct stripe_client *client, const char *key,
		    const char *account, const atomic_bool *cancel, struct payout_sync_stats *stats,
		    struct pd_error *err);

#endif
