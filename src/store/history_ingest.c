/* Ingest of Stripe list pages (read by history_page.c) into the history
 * tables: idempotent upserts, balance transactions folded into their
 * source; search index and roll-ups brought up to date once a transaction. */
#include "paydesk/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"
#include "history_internal.h"

/* A record being written: the page's object, plus what the store adds. */
#define rec history_obj

enum {
	ST_FIND,
	ST_INSERT,
	ST_UPDATE,
	ST_BT_UPSERT,
	ST_BT_FIND,
	ST_FOLD_CHARGE,
	ST_FOLD_ID,
	ST_PAYMENT_OF,
	ST_CLIENT_OF,
	ST_CUSTOMER_UPSERT,
	ST_CUSTOMER_ROWS,
	ST_CUSTOMER_FILL,
	ST_CURSOR,
	ST_NUMBERS,
	ST_FTS_DELETE,
	ST_FTS_ONE,
	ST_FTS_RANGE,
	ST_DISPUTE,
	ST_DISPUTE_OF,
	ST_COUNT
};

/* The record's columns in bind order 1..24 and 28..30 (request_id 25,
 * synced_at 26, stripe_id 27). */
#define REC_COLS                                                                              \
	"type, created, amount, currency, status, customer_id, client_name, email, description," \
	" card_brand, card_last4, fee, net, amount_refunded, charge_id, payment_intent,"        \
	" invoice_id, subscription_id, appointment_id, balance_txn, payment_method, disputed,"  \
	" livemode, succeeded_at, failure_code, decline_code, plan"
/* The same values for an update: a record fetched without its balance
 * transaction keeps the fee (and balance transaction) it had. */
#define REC_VALS_UPDATE                                                                       \
	"?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, coalesce(?12, fee), coalesce(?13, net),"   \
	" ?14, ?15, ?16, ?17, ?18, ?19,"                                                          \
	" CASE WHEN ?12 IS NULL AND fee IS NOT NULL THEN coalesce(?20, balance_txn) ELSE ?20 END," \
	" ?21, ?22, ?23, ?24, ?28, ?29, ?30"

/* A payment's status once its dispute (?3) is known: lost, the money went
 * back to the cardholder; won, or an inquiry closed without a dispute
 * (warning_closed), it stayed (the status its refunds give); otherwise open. */
#define DISPUTED_STATUS                                                                       \
	"(CASE WHEN ?3 = 'lost' THEN 'dispute_lost' WHEN ?3 IN ('won', 'warning_closed') THEN"    \
	" CASE WHEN amount_refunded > 0 AND amount_refunded >= amount THEN 'refunded'"            \
	" WHEN amount_refunded > 0 THEN 'partially_refunded' ELSE 'succeeded' END"                \
	" ELSE 'disputed' END)"

/* The row holding the id param in column col (cond: a type may follow),
 * bucket by bucket from the one of ?N's date down: what a record names
 * (its payment, its charge) is at or before its own date. The walk starts
 * a day later (a source stamped a second after the record, across a
 * bucket's edge) and never above the newest record (a date far in the
 * future would walk for ever); a missing date (0) starts there too. As a
 * scalar subquery. */
#define NEWEST_CREATED "(SELECT max(created) FROM history)"
#define NAMED_ROW(created, col, param, cond)                                                  \
	"(" HISTORY_BUCKET_WALK("min(coalesce(nullif(" created ", 0) + 86400, " NEWEST_CREATED  \
				"), " NEWEST_CREATED ")")                                      \
	" SELECT h.id FROM b CROSS JOIN history h ON h.created_bucket = b.x AND h." col " = "    \
	param cond " LIMIT 1)"

static const char *const stmt_sql[ST_COUNT] = {
	/* Stripe's created never changes: a record is looked up in its own
	 * bucket (schema 39, history_buckets.c). */
	[ST_FIND] = "SELECT id, client_name, email, description, created, "
		    HISTORY_FTS_NUMBERS("type", "amount", "currency", "card_last4") " FROM history"
		    " WHERE created_bucket = ?2 / " HISTORY_BUCKET_S " AND stripe_id = ?1",
	/* a row's numbers terms as indexed now (after an update) */
	[ST_NUMBERS] = "SELECT " HISTORY_FTS_NUMBERS("type", "amount", "currency", "card_last4")
		       " FROM history WHERE id = ?",
	[ST_INSERT] = "INSERT INTO history (" REC_COLS ", request_id, synced_at, stripe_id)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		      " ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?28, ?29, ?30, ?25, ?26, ?27)"
		      " ON CONFLICT (created_bucket, stripe_id) DO NOTHING",
	/* Only when something a reviewer sees changed: re-fetching an unchanged
	 * page writes nothing (request_id and synced_at are not compared). */
	[ST_UPDATE] = "UPDATE history SET (" REC_COLS ", request_id, synced_at) = (" REC_VALS_UPDATE
		      ", ?25, ?26) WHERE id = ?31 AND (" REC_COLS ") IS NOT (" REC_VALS_UPDATE
		      ")",
	/* keyed by its date's bucket too (schema 40) */
	[ST_BT_UPSERT] = "INSERT INTO history_balance (id, source, type, amount, fee, net, currency,"
			 " status, created) VALUES (?,?,?,?,?,?,?,?,ifnull(?, 0))"
			 " ON CONFLICT (created_bucket, id) DO UPDATE SET source = excluded.source,"
			 " type = excluded.type, amount = excluded.amount, fee = excluded.fee,"
			 " net = excluded.net, currency = excluded.currency,"
			 " status = excluded.status, created = excluded.created",
	/* a payment's (?3 its date): its transaction is made with it or a few
	 * days after (a capture), so looked for in that bucket and the next,
	 * else in every one */
	[ST_BT_FIND] = "SELECT fee, net, id FROM history_balance WHERE rowid = coalesce("
		       "(SELECT rowid FROM history_balance WHERE created_bucket IN (?3 / "
		       HISTORY_BUCKET_S ", ?3 / " HISTORY_BUCKET_S " + 1) AND (id = ?1 OR source = ?2)"
		       " ORDER BY id = ?1 DESC LIMIT 1),"
		       " (SELECT rowid FROM history_balance WHERE id = ?1 OR source = ?2"
		       " ORDER BY id = ?1 DESC LIMIT 1))",
	/* ?1 the source (a charge, or a refund's id), ?5 the transaction's date */
	[ST_FOLD_CHARGE] = "UPDATE history SET fee = ?2, net = ?3, balance_txn = ?4"
			   " WHERE id = " NAMED_ROW("?5", "charge_id", "?1", " AND h.type = 'payment'")
			   " AND (fee IS NOT ?2 OR net IS NOT ?3 OR balance_txn IS NOT ?4)",
	[ST_FOLD_ID] = "UPDATE history SET fee = ?2, net = ?3, balance_txn = ?4"
		       " WHERE id = " NAMED_ROW("?5", "stripe_id", "?1", "")
		       " AND (fee IS NOT ?2 OR net IS NOT ?3 OR balance_txn IS NOT ?4)",
	[ST_PAYMENT_OF] = "SELECT customer_id, client_name, email, description, card_brand,"
			  " card_last4, appointment_id, subscription_id, invoice_id"
			  " FROM history WHERE id = " NAMED_ROW("?2", "stripe_id", "?1", ""),
	/* The business's own client record first (the name reviewers know), then
	 * the Stripe customer fetched by the sync. */
	[ST_CLIENT_OF] = "SELECT name, nullif(email, '') FROM clients WHERE stripe_customer_id = ?1"
			 " UNION ALL SELECT name, email FROM history_customers WHERE id = ?1"
			 " LIMIT 1",
	[ST_CUSTOMER_UPSERT] = "INSERT INTO history_customers (id, name, email, created)"
			       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO UPDATE SET"
			       " name = excluded.name, email = excluded.email,"
			       " created = excluded.created"
			       " WHERE (name, email) IS NOT (excluded.name, excluded.email)",
	[ST_CUSTOMER_ROWS] = "SELECT id, client_name, email, description, created, "
			     HISTORY_FTS_NUMBERS("type", "amount", "currency", "card_last4")
			     " FROM history WHERE customer_id = ?1 AND client_name IS NULL",
	[ST_CUSTOMER_FILL] = "UPDATE history SET client_name = ?2, email = coalesce(email, ?3)"
			     " WHERE id = ?1",
	[ST_FTS_DELETE] = "INSERT INTO history_fts (history_fts, rowid, client_name, email,"
			  " description, numbers) VALUES ('delete', ?, ?, ?, ?, ?)",
	[ST_FTS_ONE] = HISTORY_FTS_INDEX_ROWS " WHERE id = ?",
	/* In search-key order: FTS5 writes out what it holds whenever a rowid
	 * is not above the last one, and a sync stores newest first (Stripe's
	 * order), so in id order every row became a segment to merge (40 ->
	 * 25 us a record of the writer's CPU, 200k records). */
	[ST_FTS_RANGE] = HISTORY_FTS_INDEX_ROWS " WHERE id BETWEEN ? AND ? ORDER BY 1",
	/* A dispute's state on its payment (DISPUTED_STATUS); payments only,
	 * and only while the money was taken. */
	[ST_DISPUTE] = "UPDATE history SET dispute_status = ?3, dispute_due_by = ?4,"
		       " status = " DISPUTED_STATUS
		       " WHERE id = (CASE WHEN ?1 IS NOT NULL THEN"
		       " " NAMED_ROW("?5", "stripe_id", "?1", " AND h.type = 'payment'") " ELSE"
		       " " NAMED_ROW("?5", "charge_id", "?2", " AND h.type = 'payment'") " END)"
		       " AND status IN ('succeeded', 'partially_refunded', 'refunded', 'disputed',"
		       " 'dispute_lost')"
		       " AND (dispute_status, dispute_due_by, status) IS NOT (?3, ?4, " DISPUTED_STATUS
		       ")",
	[ST_DISPUTE_OF] = "SELECT dispute_status FROM history"
			  " WHERE created_bucket = ?2 / " HISTORY_BUCKET_S " AND stripe_id = ?1",
	[ST_CURSOR] = "INSERT INTO sync_state (object, resume_after) VALUES (?, ?)"
		      " ON CONFLICT (object) DO UPDATE SET resume_after = excluded.resume_after",
};

/* A row already indexed for search whose words or numbers changed in this
 * page: its old terms leave the index (contentless FTS needs them) at the
 * end. old: client name, email, description, numbers (HISTORY_FTS_NUMBERS). */
#define FTS_COLUMNS 4
struct reindex {
	int64_t id, created; /* created as indexed: part of its search key */
	char *old[FTS_COLUMNS];
};

struct history_ingester {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	/* per page */
	const char *request_id;
	int64_t now;
	struct history_ingest_stats *stats;
	struct pd_error *err;
	/* rows inserted by the open transaction (rowids are consecutive):
	 * indexed for search and added up when it is flushed */
	int64_t first_new, last_new;
	struct history_sums *sums; /* of the new rows, not yet written */
	struct history_terms *terms; /* their words, for the typed word's expansion */
	struct reindex *re;
	size_t nre, capre;
	/* copies read back from the store (a refund borrows its payment's client) */
	char *borrowed[11];
};

/* Statements are prepared once per ingester and reused for every page. */
static int stmt(struct history_ingester *in, int which, sqlite3_stmt **out)
{
	if (!in->st[which] && db_prepare(in->db, stmt_sql[which], &in->st[which], in->err))
		return PD_ERR_IO;
	sqlite3_reset(in->st[which]);
	*out = in->st[which];
	return PD_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void free_borrowed(struct history_ingester *in)
{
	for (size_t i = 0; i < sizeof in->borrowed / sizeof in->borrowed[0]; i++) {
		free(in->borrowed[i]);
		in->borrowed[i] = NULL;
	}
}

/* ---- what the store adds to a record ------------------------------------- */

/* Fee and net of a balance transaction fetched earlier (by its id, or by
 * source), when the page did not expand it. */
static int fee_from_store(struct history_ingester *in, struct rec *r)
{
	if (!r->lookup_fee)
		return PD_OK;
	sqlite3_stmt *st;
	if (stmt(in, ST_BT_FIND, &st))
		return PD_ERR_IO;
	bind_text(st, 1, r->balance_txn);
	bind_text(st, 2, r->fee_source);
	sqlite3_bind_int64(st, 3, r->created);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->has_fee = true;
		r->fee = sqlite3_column_int64(st, 0);
		r->net = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		return db_fail(in->db, "reading balance transactions", in->err);
	}
	sqlite3_reset(st);
	return PD_OK;
}

/* A refund carries no client: borrow the payment's, when it is already here. */
static int borrow_payment(struct history_ingester *in, struct rec *r)
{
	if (!r->payment_intent)
		return PD_OK;
	sqlite3_stmt *st;
	if (stmt(in, ST_PAYMENT_OF, &st))
		return PD_ERR_IO;
	bind_text(st, 1, r->payment_intent);
	sqlite3_bind_int64(st, 2, r->created);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char **dst[9] = {&r->customer_id, &r->client, &r->email, &r->description,
				       &r->brand, &r->last4, &r->appointment_id,
				       &r->subscription_id, &r->invoice_id};
		for (int i = 0; i < 9; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			if (v && !*dst[i]) {
				in->borrowed[i] = strdup(v);
				*dst[i] = in->borrowed[i];
			}
		}
	} else if (rc != SQLITE_DONE) {
		return db_fail(in->db, "reading history", in->err);
	}
	sqlite3_reset(st);
	return PD_OK;
}

/* A payment or invoice whose customer came as a bare id: the client's name
 * (and email) from the local clients, else from the Stripe customer; then
 * what the payment itself says (receipt email, card's billing details). */
static int client_of(struct history_ingester *in, struct rec *r)
{
	if (r->customer_id && !r->client) {
		sqlite3_stmt *st;
		if (stmt(in, ST_CLIENT_OF, &st))
			return PD_ERR_IO;
		bind_text(st, 1, r->customer_id);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			const char *email = (const char *)sqlite3_column_text(st, 1);
			if (name && *name) {
				in->borrowed[9] = strdup(name);
				r->client = in->borrowed[9];
			}
			if (email && *email && !r->email) {
				in->borrowed[10] = strdup(email);
				r->email = in->borrowed[10];
			}
		} else if (rc != SQLITE_DONE) {
			return db_fail(in->db, "reading clients", in->err);
		}
		sqlite3_reset(st);
	}
	if (!r->email)
		r->email = r->receipt_email;
	if (!r->client)
		r->client = r->billing_name;
	if (!r->email)
		r->email = r->billing_email;
	return PD_OK;
}

/* ---- writing --------------------------------------------------------------- */

/* Bind the record's columns in ST_INSERT / ST_UPDATE order (1..27); every
 * parameter, as statements are reused without clearing their bindings. */
static void bind_rec(struct history_ingester *in, sqlite3_stmt *st, const struct rec *r)
{
	bind_text(st, 1, r->type);
	sqlite3_bind_int64(st, 2, r->created);
	sqlite3_bind_int64(st, 3, r->amount);
	bind_text(st, 4, r->currency);
	bind_text(st, 5, r->status);
	bind_text(st, 6, r->customer_id);
	bind_text(st, 7, r->client);
	bind_text(st, 8, r->email);
	bind_text(st, 9, r->description);
	bind_text(st, 10, r->brand);
	bind_text(st, 11, r->last4);
	if (r->has_fee) {
		sqlite3_bind_int64(st, 12, r->fee);
		sqlite3_bind_int64(st, 13, r->net);
	} else {
		sqlite3_bind_null(st, 12);
		sqlite3_bind_null(st, 13);
	}
	sqlite3_bind_int64(st, 14, r->amount_refunded);
	bind_text(st, 15, r->charge_id);
	bind_text(st, 16, r->payment_intent);
	bind_text(st, 17, r->invoice_id);
	bind_text(st, 18, r->subscription_id);
	bind_text(st, 19, r->appointment_id);
	bind_text(st, 20, r->balance_txn);
	bind_text(st, 21, r->payment_method);
	sqlite3_bind_int(st, 22, r->disputed);
	sqlite3_bind_int(st, 23, r->livemode);
	if (r->has_succeeded)
		sqlite3_bind_int64(st, 24, r->succeeded_at);
	else
		sqlite3_bind_null(st, 24);
	bind_text(st, 25, in->request_id);
	sqlite3_bind_int64(st, 26, in->now);
	bind_text(st, 27, r->stripe_id);
	bind_text(st, 28, r->failure_code);
	bind_text(st, 29, r->decline_code);
	bind_text(st, 30, r->plan);
}

static int step_done(struct history_ingester *in, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PD_OK : db_fail(in->db, what, in->err);
}

static bool same_text(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp(a, b) == 0;
}

/* Remember that row id's search words change (old: its indexed words),
 * once per transaction: later changes in the same one were never indexed. */
static int reindex_later(struct history_ingester *in, int64_t id, int64_t created,
			 const char *const old[FTS_COLUMNS])
{
	if (in->first_new && id >= in->first_new)
		return PD_OK; /* new in this page: indexed at the end anyway */
	for (size_t i = 0; i < in->nre; i++)
		if (in->re[i].id == id)
			return PD_OK;
	if (in->nre == in->capre) {
		size_t cap = in->capre ? in->capre * 2 : 16;
		struct reindex *grown = realloc(in->re, cap * sizeof *grown);
		if (!grown)
			return pd_error_set(in->err, PD_ERR, "out of memory");
		in->re = grown;
		in->capre = cap;
	}
	struct reindex *x = &in->re[in->nre++];
	x->id = id;
	x->created = created;
	for (int c = 0; c < FTS_COLUMNS; c++)
		x->old[c] = old[c] ? strdup(old[c]) : NULL;
	return PD_OK;
}

/* Whether row id's numbers terms are still old (HISTORY_FTS_NUMBERS as
 * indexed): an update may bring another amount or card. */
static int numbers_same(struct history_ingester *in, int64_t id, const char *old, bool *same)
{
	sqlite3_stmt *st;
	int rc = stmt(in, ST_NUMBERS, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(in->db, "reading history", in->err);
	}
	*same = same_text(old, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return PD_OK;
}

/* Write the roll-ups of the new rows summed so far. Run before any update
 * of history too: the update trigger moves a row's amounts from its old
 * roll-up entry, which must then hold them already. */
static int roll_up(struct history_ingester *in)
{
	return history_sums_write(in->sums, in->err);
}

/* Write one record: most records of a sync are new, so insert first and
 * look the row up only when it is already there. */
static int upsert(struct history_ingester *in, const struct rec *r)
{
	sqlite3_stmt *f, *w;
	int rc = stmt(in, ST_INSERT, &w);
	if (rc)
		return rc;
	bind_rec(in, w, r);
	if ((rc = step_done(in, w, "adding to history")))
		return rc;
	if (sqlite3_changes(in->db) > 0) {
		int64_t id = sqlite3_last_insert_rowid(in->db);
		if (!in->first_new)
			in->first_new = id;
		in->last_new = id;
		in->stats->inserted++;
		return history_sums_add(in->sums, r->created, r->type, r->status, r->currency,
					r->amount, r->has_fee ? r->fee : 0, r->has_fee ? r->net : 0,
					in->err);
	}
	if ((rc = stmt(in, ST_FIND, &f)))
		return rc;
	bind_text(f, 1, r->stripe_id);
	sqlite3_bind_int64(f, 2, r->created);
	if (sqlite3_step(f) != SQLITE_ROW) {
		sqlite3_reset(f);
		return db_fail(in->db, "reading history", in->err);
	}
	int64_t id = sqlite3_column_int64(f, 0), old_created = sqlite3_column_int64(f, 4);
	const char *old[FTS_COLUMNS];
	for (int c = 0; c < 3; c++)
		old[c] = (const char *)sqlite3_column_text(f, 1 + c);
	old[3] = (const char *)sqlite3_column_text(f, 5);
	if (!(rc = roll_up(in)) && !(rc = stmt(in, ST_UPDATE, &w))) {
		bind_rec(in, w, r);
		sqlite3_bind_int64(w, 31, id);
		rc = step_done(in, w, "updating history");
	}
	if (!rc && sqlite3_changes(in->db) > 0) {
		in->stats->updated++;
		/* new words, a new date (the search key holds it), or a new
		 * amount or card */
		bool same = same_text(old[0], r->client) && same_text(old[1], r->email) &&
			    same_text(old[2], r->description) && old_created == r->created;
		if (same)
			rc = numbers_same(in, id, old[3], &same);
		if (!rc && !same)
			rc = reindex_later(in, id, old_created, old);
	} else if (!rc) {
		in->stats->unchanged++;
	}
	sqlite3_reset(f);
	return rc;
}

/* A Stripe customer (fetched by the sync so that payments without an
 * expanded customer still show a name): kept in history_customers, and
 * its name given to the records of that customer that had none. */
static int ingest_customer(struct history_ingester *in, const struct history_obj *cus)
{
	const char *id = cus->stripe_id, *name = cus->client, *email = cus->email;
	int64_t created = cus->created;
	sqlite3_stmt *st;
	int rc = stmt(in, ST_CUSTOMER_UPSERT, &st);
	if (rc)
		return rc;
	bind_text(st, 1, id);
	bind_text(st, 2, name);
	bind_text(st, 3, email);
	sqlite3_bind_int64(st, 4, created);
	if ((rc = step_done(in, st, "storing a customer")))
		return rc;
	if (sqlite3_changes(in->db) == 0 || !name || !*name) {
		in->stats->unchanged++;
		return PD_OK;
	}
	in->stats->updated++;
	/* records synced before their customer was known (earlier syncs, or a
	 * customer created after its first payment was fetched) */
	sqlite3_stmt *rows, *fill;
	if ((rc = stmt(in, ST_CUSTOMER_ROWS, &rows)))
		return rc;
	bind_text(rows, 1, id);
	int step;
	while ((step = sqlite3_step(rows)) == SQLITE_ROW) {
		int64_t hid = sqlite3_column_int64(rows, 0);
		const char *old[FTS_COLUMNS];
		for (int c = 0; c < 3; c++)
			old[c] = (const char *)sqlite3_column_text(rows, 1 + c);
		old[3] = (const char *)sqlite3_column_text(rows, 5);
		if ((rc = reindex_later(in, hid, sqlite3_column_int64(rows, 4), old)))
			break;
		if ((rc = stmt(in, ST_CUSTOMER_FILL, &fill)))
			break;
		sqlite3_bind_int64(fill, 1, hid);
		bind_text(fill, 2, name);
		bind_text(fill, 3, email);
		if ((rc = step_done(in, fill, "naming history records")))
			break;
	}
	if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = db_fail(in->db, "reading history", in->err);
	sqlite3_reset(rows);
	return rc;
}

static int ingest_balance(struct history_ingester *in, const struct history_obj *bt)
{
	const char *id = bt->stripe_id, *source = bt->source;
	int64_t fee = bt->fee, net = bt->net;
	bool has = bt->has_fee;
	sqlite3_stmt *st;
	if (stmt(in, ST_BT_UPSERT, &st))
		return PD_ERR_IO;
	bind_text(st, 1, id);
	bind_text(st, 2, source);
	bind_text(st, 3, bt->type);
	sqlite3_bind_int64(st, 4, bt->amount);
	sqlite3_bind_int64(st, 5, fee);
	sqlite3_bind_int64(st, 6, net);
	bind_text(st, 7, bt->currency);
	bind_text(st, 8, bt->status);
	sqlite3_bind_int64(st, 9, bt->created);
	int rc = step_done(in, st, "storing a balance transaction");
	if (rc || !source || !has)
		return rc;
	if ((rc = roll_up(in)))
		return rc;
	/* a charge's goes to its payment, anything else's (a refund's) to the
	 * record it is: one walk, not two that miss down to the oldest bucket */
	if (stmt(in, history_source_is_charge(source) ? ST_FOLD_CHARGE : ST_FOLD_ID, &st))
		return PD_ERR_IO;
	bind_text(st, 1, source);
	sqlite3_bind_int64(st, 2, fee);
	sqlite3_bind_int64(st, 3, net);
	bind_text(st, 4, id);
	sqlite3_bind_int64(st, 5, bt->created);
	if ((rc = step_done(in, st, "folding a balance transaction")))
		return rc;
	long changed = sqlite3_changes(in->db);
	if (changed)
		in->stats->updated += changed;
	else
		in->stats->unchanged++;
	return PD_OK;
}

/* A dispute (from the events feed or the disputes list): its state on the
 * payment's row, which the payment's own fetch cannot give (the charge
 * says only that it was disputed, and still does once it is decided). */
static int ingest_dispute(struct history_ingester *in, const struct history_obj *dp)
{
	sqlite3_stmt *st;
	int rc = roll_up(in); /* the update trigger moves roll-ups: they must be written */
	if (!rc)
		rc = stmt(in, ST_DISPUTE, &st);
	if (rc)
		return rc;
	bind_text(st, 1, dp->payment_intent);
	bind_text(st, 2, dp->charge_id);
	bind_text(st, 3, dp->status);
	if (dp->dispute_due_by > 0)
		sqlite3_bind_int64(st, 4, dp->dispute_due_by);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_int64(st, 5, dp->created);
	if ((rc = step_done(in, st, "recording a dispute")))
		return rc;
	if (sqlite3_changes(in->db) > 0)
		in->stats->updated++;
	else
		in->stats->unchanged++;
	return PD_OK;
}

/* A disputed payment fetched again: its charge still says disputed after
 * the dispute is decided; the decision recorded earlier stands. Read only
 * for disputed payments (rare): no cost to the ingest of the rest. */
static int settle_dispute(struct history_ingester *in, struct rec *r)
{
	if (!r->disputed || !r->undisputed_status)
		return PD_OK;
	sqlite3_stmt *st;
	if (stmt(in, ST_DISPUTE_OF, &st))
		return PD_ERR_IO;
	bind_text(st, 1, r->stripe_id);
	sqlite3_bind_int64(st, 2, r->created);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		if (s && strcmp(s, "lost") == 0)
			r->status = "dispute_lost";
		else if (s && (strcmp(s, "won") == 0 || strcmp(s, "warning_closed") == 0))
			r->status = r->undisputed_status;
	} else if (rc != SQLITE_DONE) {
		return db_fail(in->db, "reading history", in->err);
	}
	sqlite3_reset(st);
	return PD_OK;
}

static int ingest_object(struct history_ingester *in, const struct history_obj *o)
{
	struct rec r = *o;
	int rc = PD_OK;
	switch (o->kind) {
	case HISTORY_OBJ_BALANCE:
		return ingest_balance(in, o);
	case HISTORY_OBJ_CUSTOMER:
		return ingest_customer(in, o);
	case HISTORY_OBJ_DISPUTE:
		return ingest_dispute(in, o);
	case HISTORY_OBJ_PAYMENT:
		rc = client_of(in, &r);
		if (!rc)
			rc = settle_dispute(in, &r);
		break;
	case HISTORY_OBJ_INVOICE:
		rc = client_of(in, &r);
		break;
	case HISTORY_OBJ_REFUND:
		rc = borrow_payment(in, &r);
		break;
	case HISTORY_OBJ_SKIP:
		in->stats->skipped++;
		return PD_OK;
	}
	if (!rc)
		rc = fee_from_store(in, &r);
	if (!rc)
		rc = upsert(in, &r);
	free_borrowed(in);
	return rc;
}

/* Forget what the open transaction had pending (after a rollback, or once
 * flushed). */
static void pending_reset(struct history_ingester *in)
{
	for (size_t i = 0; i < in->nre; i++)
		for (int c = 0; c < FTS_COLUMNS; c++)
			free(in->re[i].old[c]);
	in->nre = 0;
	in->first_new = in->last_new = 0;
	history_sums_drop(in->sums);
}

/* ---- the ingester -------------------------------------------------------------- */

int history_ingester_new(sqlite3 *db, struct history_ingester **out, struct pd_error *err)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return pd_error_set(err, PD_ERR, "out of memory");
	(*out)->db = db;
	int rc = history_sums_new(db, &(*out)->sums, err);
	if (rc) {
		free(*out);
		*out = NULL;
		return rc;
	}
	/* Statement journals (one per statement with triggers) in memory, not
	 * in temp files: on disk they cost ~25 writes per record. */
	sqlite3_exec(db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	return PD_OK;
}

void history_ingester_free(struct history_ingester **ing)
{
	struct history_ingester *in = *ing;
	if (!in)
		return;
	for (int k = 0; k < ST_COUNT; k++)
		sqlite3_finalize(in->st[k]);
	free_borrowed(in);
	pending_reset(in);
	history_sums_free(&in->sums);
	history_terms_free(&in->terms);
	free(in->re);
	free(in);
	*ing = NULL;
}

/* The search index for the transaction's new rows (one statement: FTS5
 * writes a segment at every statement savepoint, and merges them later)
 * and for rows whose words changed. */
static int index_page(struct history_ingester *in)
{
	int rc = PD_OK;
	sqlite3_stmt *st;
	if ((in->nre || in->first_new) && !in->terms)
		rc = history_terms_new(in->db, &in->terms, in->err);
	for (size_t i = 0; i < in->nre && !rc; i++) {
		struct reindex *x = &in->re[i];
		if (!(rc = stmt(in, ST_FTS_DELETE, &st))) {
			sqlite3_bind_int64(st, 1, history_fts_key(x->created, x->id));
			for (int c = 0; c < FTS_COLUMNS; c++)
				bind_text(st, 2 + c, x->old[c]);
			rc = step_done(in, st, "updating the search index");
		}
		if (!rc && !(rc = stmt(in, ST_FTS_ONE, &st))) {
			sqlite3_bind_int64(st, 1, x->id);
			rc = step_done(in, st, "updating the search index");
		}
		if (!rc && in->terms)
			rc = history_terms_add_rows(in->terms, x->id, x->id, in->err);
	}
	if (!rc && in->first_new && !(rc = stmt(in, ST_FTS_RANGE, &st))) {
		sqlite3_bind_int64(st, 1, in->first_new);
		sqlite3_bind_int64(st, 2, in->last_new);
		rc = step_done(in, st, "updating the search index");
		if (!rc)
			rc = history_terms_add_rows(in->terms, in->first_new, in->last_new, in->err);
	}
	return rc;
}

int history_ingester_flush(struct history_ingester *in, struct pd_error *err)
{
	in->err = err;
	int rc = roll_up(in);
	if (!rc)
		rc = index_page(in);
	pending_reset(in);
	return rc;
}

void history_ingester_discard(struct history_ingester *in)
{
	pending_reset(in);
	history_terms_forget(in->terms);
}

int history_ingester_page(struct history_ingester *in, const struct history_page *pg,
			  const char *request_id, const char *sync_object, const char *cursor,
			  struct history_ingest_stats *stats, struct pd_error *err)
{
	struct history_ingest_stats local = {0};
	in->request_id = request_id;
	in->now = (int64_t)time(NULL);
	in->stats = stats ? stats : &local;
	in->err = err;
	bool own_txn = sqlite3_get_autocommit(in->db);
	int rc = own_txn ? db_begin(in->db, err) : PD_OK;
	if (rc)
		return rc;
	for (size_t i = 0; i < pg->n && !rc; i++)
		rc = ingest_object(in, &pg->objs[i]);
	if (!rc && sync_object) {
		sqlite3_stmt *st;
		rc = stmt(in, ST_CURSOR, &st);
		if (!rc) {
			bind_text(st, 1, sync_object);
			bind_text(st, 2, cursor);
			rc = step_done(in, st, "saving the sync position");
		}
	}
	free_borrowed(in);
	if (!own_txn)
		return rc; /* the caller's transaction: it flushes, commits or rolls back */
	if (!rc)
		rc = history_ingester_flush(in, err);
	if (!rc)
		rc = db_commit(in->db, err);
	if (rc) {
		db_rollback(in->db);
		history_ingester_discard(in);
	}
	return rc;
}

int history_ingest_page(sqlite3 *db, json_t *page, const char *request_id,
			const char *sync_object, const char *cursor,
			struct history_ingest_stats *stats, struct pd_error *err)
{
	struct history_page pg;
	int rc = history_page_from_json(page, &pg, err);
	if (rc)
		return rc;
	struct history_ingester *in;
	if (!(rc = history_ingester_new(db, &in, err))) {
		rc = history_ingester_page(in, &pg, request_id, sync_object, cursor, stats, err);
		/* inside the caller's transaction: the page's search terms and
		 * roll-ups go with it (on its own, the page flushed already) */
		if (!rc)
			rc = history_ingester_flush(in, err);
		history_ingester_free(&in);
	}
	history_page_clear(&pg);
	return rc;
}
