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
#include "paydesk/payout_sync.h"
#include "paydesk/stripe_client.h"

/* Pages of 100 records written per transaction, when pages come faster
 * than they are stored (else the writer commits whenever its queue is
 * empty): the random-order indexes (stripe id, charge, customer, amount)
 * dirty a page per record or so, and each commit writes every dirty page
 * to the WAL and later back; the more records a commit, the fewer times
 * each page is written (200k new records: 56k/s at 200 pages, 59k at 400;
 * a crash costs at most these pages' refetch). */
#define HISTORY_SYNC_PAGES_PER_COMMIT 400
/* Set on the sync's connection for the run (restored after): history is a
 * re-fetchable cache of Stripe, so WAL + NORMAL (consistent after a crash,
 * the last commits may be lost on power failure: the next sync fetches
 * them again); a 64 MB page cache to hold a commit's dirty pages; a WAL of
 * up to 256 MB between checkpoints, checkpointed when the run ends. Each
 * checkpoint waits for two fsyncs: 200k records at 400 pages a commit
 * ingested at 59k/s with 128 MB, 64-68k with 256 (~35k at 200 pages and the
 * former 40 MB). A payment committed meanwhile may have to checkpoint what
 * has piled up (0.87 s for 256 MB here), so a sync beside the screen,
 * where payments are taken, checkpoints every 16 MB instead
 * (HISTORY_SYNC_BESIDE_UI_PRAGMAS). */
#define HISTORY_SYNC_PRAGMAS                                                 \
	"PRAGMA synchronous = NORMAL; PRAGMA cache_size = -64000;"           \
	" PRAGMA wal_autocheckpoint = 65536; PRAGMA temp_store = MEMORY"
/* Then, for HISTORY_SYNC_BESIDE_UI: there the network sets the pace. */
#define HISTORY_SYNC_BESIDE_UI_PRAGMAS \
	"PRAGMA cache_size = -8000; PRAGMA wal_autocheckpoint = 4096"

struct history_sync_stats {
	long pages;
	long records;                      /* objects fetched */
	struct history_ingest_stats ingest; /* what they did to the store */
	long events;                       /* events read for changes to older objects */
	long refetched;                    /* objects of events in another API version, fetched */
	bool full_pass;                    /* a full pass was needed (see note) */
	char note[512];                    /* why, for the user; "" when nothing to say */
	struct payout_sync_stats payouts;  /* the payouts pulled after the history */
};

/* Where a sync is, after every page. Stripe lists newest first, so a pass
 * walks back in time from newest to since: (newest - reached) / (newest -
 * since) of it is done, when since is known. */
struct history_sync_step {
	const char *object; /* object type being pulled, or "events" */
	int index, steps;   /* its place among the steps of this run, from 1 */
	long records;       /* of this type so far in this run */
	int64_t newest;     /* created of the newest record of this pass (0: none yet) */
	int64_t reached;    /* created of the oldest record fetched so far */
	int64_t since;      /* the pass's lower bound (0: from the beginning) */
};

typedef void (*history_sync_progress_fn)(void *ctx, const struct history_sync_step *step);

/* Run one pass over every object type (customers, payment intents, refunds,
 * invoices, balance transactions: what was created since the last pass),
 * then the events feed for changes to older ones (refunds, disputes, late
 * payments, renamed customers). When the last sync is older than the 30
 * days of events Stripe keeps, a full pass instead (stats->full_pass,
 * stats->note says so). account: the connected account (Stripe-Account) or
 * NULL. flags: HISTORY_SYNC_* below. Pages are stored by
 * a writer thread on db while the next is fetched; db must not be used by
 * others meanwhile. Stops early, resumable, when *cancel becomes true
 * (PD_ERR, "interrupted"). */
enum {
	HISTORY_SYNC_FULL = 1, /* ignore the cursors: a first sync again */
	/* beside the screen a reviewer browses and payments are taken: an 8 MB
	 * page cache, not 64 (paydesk stays near its browsing footprint), and a
	 * checkpoint every 16 MB of WAL (a payment never waits long for one);
	 * there the network, not the store, sets the pace */
	HISTORY_SYNC_BESIDE_UI = 2,
};
int history_sync_run(sqlite3 *db, struct stripe_client *client, const char *key,
		     const char *account, unsigned flags, history_sync_progress_fn progress, void *ctx,
		     const atomic_bool *cancel, struct history_sync_stats *stats,
		     struct pd_error *err);

#endif
