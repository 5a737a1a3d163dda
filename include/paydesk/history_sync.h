/* Pulling billing history from Stripe into the store: payment intents (with
 * their charge and balance transaction), refunds, invoices and balance
 * transactions, page by page. Each page is ingested with its cursor in one
 * transaction, so a crash or Ctrl-C at any page resumes there with nothing
 * duplicated; later passes ask only for what was created since the last. */
#ifndef PAYDESK_HISTORY_SYNC_H
#define PAYDESK_HISTORY_SYNC_H

#include <sqlite3.h>
#include <stdatomic.h>

#include "paydesk/history.h"
#include "paydesk/stripe_client.h"

struct history_sync_stats {
	long pages;
	long records;                      /* objects fetched */
	struct history_ingest_stats ingest; /* what they did to the store */
};

/* Called after every page: object type and records fetched so far. */
typedef void (*history_sync_progress_fn)(void *ctx, const char *object, long records);

/* Run one pass over every object type. account: the connected account
 * (Stripe-Account) or NULL. full: ignore the cursors (a first sync again).
 * Stops early, resumable, when *cancel becomes true (PD_ERR, "interrupted"). */
int history_sync_run(sqlite3 *db, struct stripe_client *client, const char *key,
		     const char *account, bool full, history_sync_progress_fn progress, void *ctx,
		     const atomic_bool *cancel, struct history_sync_stats *stats,
		     struct pd_error *err);

#endif
