/* Billing history in the store: one row per money record (payment, refund,
 * invoice; balance-transaction fee and net folded in), review marks kept
 * apart so they survive re-syncs, per-object sync cursors, and the one
 * filter module that both the History screen and `paydesk export` use.
 * Paging is keyset only (sort key + rowid): no query ever uses OFFSET. */
#ifndef PAYDESK_HISTORY_H
#define PAYDESK_HISTORY_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "paydesk/error.h"

/* ---- filter ----------------------------------------------------------- */

enum history_review_filter {
	HISTORY_REVIEW_ANY,
	HISTORY_REVIEW_REVIEWED,
	HISTORY_REVIEW_UNREVIEWED,
	HISTORY_REVIEW_FLAGGED,
};

enum history_sort { HISTORY_SORT_DATE, HISTORY_SORT_AMOUNT };

/* What a reviewer narrows the history to. Zero-initialised = everything. */
struct history_filter {
	int64_t since;      /* created >= since (unix seconds); 0: open */
	int64_t until;      /* created < until; 0: open */
	char status[32];    /* exact status ("succeeded", "refunded", …); "": any */
	char type[16];      /* "payment", "refund", "invoice", "desk", "desk_refund"; "": any */
	char currency[4];   /* lowercase ISO code; "": any */
	char client[128];   /* customer id, or words matched in client name / email */
	bool amount_min_set, amount_max_set;
	int64_t amount_min, amount_max; /* minor units, inclusive */
	char amount_currency[4]; /* what they were read in, to show them ("": currency's) */
	enum history_review_filter review;
	char search[128];   /* full-text words (name, email, description, ids); "": none */
};

/* Known values, NULL-terminated, for filter forms and validation. */
extern const char *const history_statuses[];
extern const char *const history_types[];

/* Check f for values the store cannot use; PD_ERR_USAGE with a message. */
int history_filter_check(const struct history_filter *f, struct pd_error *err);

/* Whether f narrows nothing (every record). */
bool history_filter_is_empty(const struct history_filter *f);

/* One line describing f for the filter bar ("status refunded · usd · …"),
 * "all records" when f is empty. Returns out. */
char *history_filter_describe(const struct history_filter *f, char *out, size_t len);

/* ---- rows ------------------------------------------------------------- */

enum history_mark { HISTORY_MARK_REVIEWED = 1, HISTORY_MARK_FLAGGED = 2, HISTORY_MARK_NOTE = 4 };

/* One list row as the screen and exports show it (display copies; the
 * untruncated record is history_detail). */
struct history_row {
	int64_t id;           /* rowid, the keyset tie-breaker */
	char stripe_id[72];
	char type[12];
	int64_t created;
	int64_t amount;       /* minor units */
	char currency[4];
	char status[24];
	char customer_id[40];
	char client[96];
	char email[96];
	char description[160];
	char brand[16];
	char last4[8];
	bool has_fee;
	int64_t fee, net;
	int64_t amount_refunded;
	unsigned marks;       /* enum history_mark bits */
	/* what the record is about (schema 17): a refund's payment, an invoice's
	 * subscription and plan, why a payment failed, a dispute's state */
	char payment[72];        /* refunds: the PaymentIntent (desk refunds: the desk record) */
	char subscription[40];
	char plan[64];           /* invoices: the plan billed */
	char failure_code[32];   /* Stripe's error code ("card_declined", "expired_card") */
	char decline_code[32];   /* the bank's reason ("insufficient_funds") */
	char dispute_status[24]; /* "" undisputed; needs_response, under_review, won, lost, … */
	int64_t dispute_due_by;  /* evidence due by (unix seconds); 0: unknown */
};

/* A position in a sorted view: the sort key's value and the rowid. */
struct history_key {
	int64_t value;
	int64_t id;
};

/* True when text holds something a search looks for: a word, an amount,
 * a Stripe id or card digits. Punctuation alone ("." or "--", a lone "$")
 * holds none, and searching it would list every record as if it matched. */
bool history_search_searchable(sqlite3 *db, const char *text);

/* The one currency the amounts of a search name, among those the history
 * holds ("29 eur", "€29", "£ 808.20"; "$79" when the history holds one
 * dollar currency), into code; false when they name none, or several. */
bool history_search_named_currency(sqlite3 *db, const char *text, char code[4]);

/* For a search that found nothing: an amount in it written "79.000" is
 * read as 79,000 (as "1.250" is where the point groups thousands), and a
 * tired "79.00" with a zero too many found nothing. Into out, what it was
 * read as and how to type the other ("79.000 is read as 79,000; for
 * 79.00, type 79.00"); false when the text holds no such amount. */
bool history_search_amount_hint(const char *text, char *out, size_t len);

/* A filtered, sorted view of the history with its statements prepared. */
struct history_view;

/* Build a view over db (which must outlive it). descending: newest / largest first. */
int history_view_new(sqlite3 *db, const struct history_filter *f, enum history_sort sort,
		     bool descending, struct history_view **out, struct pd_error *err);
void history_view_free(struct history_view **v);

/* The key of row in v's sort order. */
struct history_key history_view_key(const struct history_view *v, const struct history_row *row);

/* Up to max rows after `from` in the view's order (toward the end when
 * forward, toward the start otherwise; rows come nearest first). from NULL:
 * from the very start (forward) or the very end (backward). *got is set. */
int history_view_page(struct history_view *v, const struct history_key *from, bool forward,
		      struct history_row *rows, int max, int *got, struct pd_error *err);

/* Like history_view_page with max 1, only rows without a "reviewed" mark.
 * PD_ERR_NOT_FOUND when there is none. */
int history_view_next_unreviewed(struct history_view *v, const struct history_key *from,
				 bool forward, struct history_row *row, struct pd_error *err);

/* Re-read one row by rowid (after a mark changed). */
int history_row_get(sqlite3 *db, int64_t id, struct history_row *row, struct pd_error *err);

/* ---- totals ----------------------------------------------------------- */

/* Per currency, for a filter: records, gross (captured payments not in
 * dispute: money earned), disputed (payments in an open dispute) and
 * dispute_lost (disputes lost: the money went back to the cardholder),
 * refunds (refund records), fees and net (balance transactions) — Stripe's money;
 * desk tenders (history_desk.h) apart: desk taken, desk refunds, and how
 * many of the records they are. */
struct history_total {
	char currency[4];
	int64_t count, gross, refunds, fees, net;
	int64_t disputed, dispute_lost;
	int64_t desk, desk_refunds, desk_count;
};

#define HISTORY_MAX_CURRENCIES 16

/* Totals of a view's filter (cheaper than history_totals after a search:
 * the view has already gathered its rows). */
int history_view_totals(struct history_view *v, struct history_total *out, int max, int *n,
			struct pd_error *err);
/* True when the view's totals cost a pass over every match (a search by
 * date, paged from the search index): then the screen draws the first rows
 * and adds the totals up a chunk at a time between keys. */
bool history_view_totals_deferred(const struct history_view *v);
/* Start adding up again (the store changed): the next step is the first. */
void history_view_totals_reset(struct history_view *v);
/* The next chunk (up to `chunk` matches, newest first) added to out / *n
 * (*n = 0 before the first call); *done once all are in, out then sorted as
 * history_totals sorts. For a view not deferred: its totals, done at once. */
int history_view_totals_step(struct history_view *v, int chunk, struct history_total *out,
			     int max, int *n, bool *done, struct pd_error *err);

/* Totals for f, one entry per currency (sorted by count, largest first).
 * Served from the daily roll-up for date/status/type/currency filters. */
int history_totals(sqlite3 *db, const struct history_filter *f, struct history_total *out,
		   int max, int *n, struct pd_error *err);

/* ---- detail ----------------------------------------------------------- */

/* The whole record for the detail pane; every string is a heap copy
 * ("" when absent). Free with history_detail_free. */
struct history_detail {
	struct history_row row;
	char *client, *email, *description;
	char *charge_id, *payment_intent, *invoice_id, *subscription_id, *appointment_id;
	char *balance_txn, *request_id, *created_request_id, *payment_method;
	int64_t succeeded_at, refunded_at, synced_at;
	bool disputed, livemode;
	/* review */
	char *reviewed_by, *flagged_by, *note, *note_by;
	int64_t reviewed_at, flagged_at, note_at;
	/* refunds of a payment: "re_… 12.00 USD succeeded 2026-01-02" lines */
	char *refunds;
};

int history_detail_get(sqlite3 *db, int64_t id, struct history_detail *d, struct pd_error *err);
void history_detail_free(struct history_detail *d);

/* The Stripe Dashboard URL of a record ("…/test/payments/pi_…"). Returns out. */
char *history_dashboard_url(const char *type, const char *stripe_id, bool livemode, char *out,
			    size_t len);

/* ---- review marks ----------------------------------------------------- */

/* Set or clear a mark (REVIEWED or FLAGGED) on stripe_id, recording who and when. */
int history_mark_set(sqlite3 *db, const char *stripe_id, enum history_mark mark, bool on,
		     const char *who, struct pd_error *err);
/* How many records of f have no "reviewed" mark. */
int history_count_unreviewed(sqlite3 *db, const struct history_filter *f, long *n,
			     struct pd_error *err);
/* Mark every record of f reviewed (who, now), in one statement; *marked
 * is how many were not before. The caller holds the transaction. */
int history_mark_filter(sqlite3 *db, const struct history_filter *f, const char *who,
			long *marked, struct pd_error *err);
/* Set the note ("" clears it), recording who and when. */
int history_note_set(sqlite3 *db, const char *stripe_id, const char *note, const char *who,
		     struct pd_error *err);

/* ---- ingest (sync) ---------------------------------------------------- */

struct history_ingest_stats {
	long inserted, updated, unchanged, skipped;
};

/* Upsert every object of a Stripe list page ({"object":"list","data":[…]})
 * or of a bare array, in one transaction: payment_intents (best with
 * expand[]=data.latest_charge.balance_transaction and data.customer),
 * charges, refunds, invoices, customers (names for records whose customer
 * came as a bare id) and balance transactions (folded into the row of their
 * source). Idempotent: the same page twice changes nothing; a changed
 * record (refunded, disputed) is updated in place. request_id (the page's
 * Request-Id, may be NULL) is kept on the rows it changed. When
 * sync_object is not NULL, sync_state's cursor for it is set to cursor in
 * the same transaction, so a crash leaves page and cursor consistent.
 * A convenience over history_ingester_page for one page. */
int history_ingest_page(sqlite3 *db, json_t *page, const char *request_id,
			const char *sync_object, const char *cursor,
			struct history_ingest_stats *stats, struct pd_error *err);

/* A Stripe object of a list page, read into what the store keeps (parsed
 * on the fetching thread, so the writer thread only writes). Strings point
 * into the page's own storage; NULL when absent or empty. */
enum history_obj_kind {
	HISTORY_OBJ_SKIP, /* not kept: a charge, or malformed (counted as skipped) */
	HISTORY_OBJ_PAYMENT,
	HISTORY_OBJ_REFUND,
	HISTORY_OBJ_INVOICE,
	HISTORY_OBJ_CUSTOMER, /* stripe_id, client (name), email, created, deleted */
	HISTORY_OBJ_BALANCE,  /* stripe_id, source, type, amount, fee, net, currency, status, created */
	HISTORY_OBJ_DISPUTE,  /* stripe_id, status, payment_intent, charge_id, dispute_due_by */
};

struct history_obj {
	enum history_obj_kind kind;
	const char *stripe_id;
	int64_t created;
	const char *type, *currency, *status;
	int64_t amount, amount_refunded;
	const char *customer_id, *client, *email, *description;
	const char *brand, *last4, *payment_method;
	const char *charge_id, *payment_intent, *invoice_id, *subscription_id, *appointment_id;
	const char *balance_txn;
	bool has_fee;
	int64_t fee, net;
	/* the balance transaction not expanded: the writer looks the fee up
	 * among stored ones, by balance_txn or else by fee_source (the charge
	 * or refund it came from) */
	bool lookup_fee;
	const char *fee_source;
	/* a payment's client when neither its customer nor the store names one */
	const char *receipt_email, *billing_name, *billing_email;
	const char *source; /* balance transactions */
	bool disputed, livemode, has_succeeded, deleted;
	int64_t succeeded_at;
	/* schema 17: a failed payment's codes (last_payment_error), an invoice's plan */
	const char *failure_code, *decline_code, *plan;
	/* a disputed payment's status were it not disputed (a won dispute gives it back) */
	const char *undisputed_status;
	int64_t dispute_due_by; /* disputes: evidence_details.due_by (0: none) */
};

struct history_page_chunk;

struct history_page {
	size_t n;
	struct history_obj *objs;
	bool has_more;
	struct history_page_chunk *strings; /* where the objects' strings live */
};

/* The objects of a list page ({"data":[…]}) or bare array, from its JSON
 * text (validated here: a malformed page is refused whole). */
int history_page_from_text(const char *text, size_t len, struct history_page *page,
			   struct pd_error *err);
/* The same from a parsed value (tests, the events feed, single objects). */
int history_page_from_json(json_t *list, struct history_page *page, struct pd_error *err);
void history_page_clear(struct history_page *page);

/* Ingest for many pages: statements prepared once. Pages are ingested as
 * by history_ingest_page; inside a transaction the caller opened, several
 * pages share it, and the caller calls history_ingester_flush (search
 * index, roll-ups) before it commits, or history_ingester_discard after a
 * rollback. */
struct history_ingester;
int history_ingester_new(sqlite3 *db, struct history_ingester **out, struct pd_error *err);
int history_ingester_page(struct history_ingester *ing, const struct history_page *page,
			  const char *request_id, const char *sync_object, const char *cursor,
			  struct history_ingest_stats *stats, struct pd_error *err);
int history_ingester_flush(struct history_ingester *ing, struct pd_error *err);
void history_ingester_discard(struct history_ingester *ing);
void history_ingester_free(struct history_ingester **ing);

/* A thread that ingests pages while its caller fetches and parses the next
 * ones (parse and store then take a core each). Pages are written in order,
 * pages_per_commit to a transaction, each with its cursor; db belongs to
 * the writer until history_writer_finish. */
struct history_writer;
int history_writer_start(sqlite3 *db, int pages_per_commit, struct history_writer **out,
			 struct pd_error *err);
/* Queue a page (taken over: *page is emptied) for the writer; blocks while
 * the queue is full. Fails with the writer's error once it has one. */
int history_writer_push(struct history_writer *w, struct history_page *page,
			const char *request_id, const char *sync_object, const char *cursor,
			struct pd_error *err);
/* Wait until every queued page is written and committed. */
int history_writer_flush(struct history_writer *w, struct pd_error *err);
/* Flush, stop the thread and free it; adds what the pages did to *stats. */
int history_writer_finish(struct history_writer **w, struct history_ingest_stats *stats,
			  struct pd_error *err);
/* A bulk load (call before the first push): when history holds fewer than
 * HISTORY_BULK_MAX_ROWS records, the indexes on random-order keys
 * (amount, customer, charge) are dropped until history_writer_finish builds
 * them again, from sorted keys. Not for pages whose ingest looks records up
 * by those keys (customers, balance transactions, disputes). */
#define HISTORY_BULK_MAX_ROWS 20000
#define HISTORY_BULK_MAX_ROWS_S "20000"
int history_writer_bulk(struct history_writer *w, struct pd_error *err);
/* The same on a connection of one's own (history_gen, tests). */
int history_bulk_begin(sqlite3 *db, bool *dropped, struct pd_error *err);
/* Builds whichever of those indexes is missing (after a bulk load, or a
 * sync that crashed during one). */
int history_indexes_ensure(sqlite3 *db, struct pd_error *err);

/* ---- sync state ------------------------------------------------------- */

/* When any object type was last synced completely (0: never). */
int history_last_synced(sqlite3 *db, int64_t *at, struct pd_error *err);

/* Where the next pass of one object type starts (heap string or NULL): the
 * unfinished pass's position, else the last finished one's; and its last
 * sync time. */
int history_sync_get(sqlite3 *db, const char *object, char **cursor, int64_t *synced_at,
		     struct pd_error *err);
/* Record a finished pass of object (synced_at = now) with its cursor. */
int history_sync_done(sqlite3 *db, const char *object, const char *cursor, struct pd_error *err);
/* Both positions of object: cursor (its last finished pass) and resume
 * (an unfinished one's), heap strings or NULL, and its last sync time. */
int history_sync_state(sqlite3 *db, const char *object, char **cursor, char **resume,
		       int64_t *synced_at, struct pd_error *err);
/* Set the unfinished pass's position of object (kept by history_sync_done's caller). */
int history_sync_pending_set(sqlite3 *db, const char *object, const char *resume,
			     struct pd_error *err);
/* Forget every object type's cursors (not the events feed's): a full pass. */
int history_sync_reset(sqlite3 *db, struct pd_error *err);

#endif
