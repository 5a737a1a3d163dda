/* Ingest of Stripe list pages into the history tables: one transaction per
 * page, idempotent upserts, balance transactions folded into their source. */
#include "paydesk/history.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

/* ---- reading Stripe objects --------------------------------------------- */

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* An expandable field: the id whether it came as a string or an object. */
static const char *jid(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_object(v))
		return jstr(v, "id");
	return NULL;
}

/* An expanded object, or NULL when the field is an id or absent. */
static json_t *jobj(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_object(v) ? v : NULL;
}

static bool jint(const json_t *o, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return false;
	*out = (int64_t)json_integer_value(v);
	return true;
}

static bool jbool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* ---- one history record --------------------------------------------------- */

/* Field values point into the page's JSON (or into copies kept in the page
 * context), valid while the page is being ingested. */
struct rec {
	const char *stripe_id, *type, *currency, *status;
	int64_t created, amount, amount_refunded;
	const char *customer_id, *client, *email, *description;
	const char *brand, *last4;
	bool has_fee;
	int64_t fee, net;
	const char *charge_id, *payment_intent, *invoice_id, *subscription_id, *appointment_id;
	const char *balance_txn, *payment_method;
	bool disputed, livemode;
	bool has_succeeded;
	int64_t succeeded_at;
};

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
	ST_ROLLUP_DAY,
	ST_ROLLUP_MONTH,
	ST_FTS_DELETE,
	ST_FTS_ONE,
	ST_FTS_RANGE,
	ST_COUNT
};

/* The record's columns in bind order 1..24 (request_id 25, synced_at 26,
 * stripe_id 27). */
#define REC_COLS                                                                              \
	"type, created, amount, currency, status, customer_id, client_name, email, description," \
	" card_brand, card_last4, fee, net, amount_refunded, charge_id, payment_intent,"        \
	" invoice_id, subscription_id, appointment_id, balance_txn, payment_method, disputed,"  \
	" livemode, succeeded_at"
/* The same values for an update: a record fetched without its balance
 * transaction keeps the fee (and balance transaction) it had. */
#define REC_VALS_UPDATE                                                                       \
	"?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, coalesce(?12, fee), coalesce(?13, net),"   \
	" ?14, ?15, ?16, ?17, ?18, ?19,"                                                          \
	" CASE WHEN ?12 IS NULL AND fee IS NOT NULL THEN coalesce(?20, balance_txn) ELSE ?20 END," \
	" ?21, ?22, ?23, ?24"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_FIND] = "SELECT id, client_name, email, description FROM history WHERE stripe_id = ?",
	[ST_INSERT] = "INSERT INTO history (" REC_COLS ", request_id, synced_at, stripe_id)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		      " ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)"
		      " ON CONFLICT (stripe_id) DO NOTHING",
	/* Only when something a reviewer sees changed: re-fetching an unchanged
	 * page writes nothing (request_id and synced_at are not compared). */
	[ST_UPDATE] = "UPDATE history SET (" REC_COLS ", request_id, synced_at) = (" REC_VALS_UPDATE
		      ", ?25, ?26) WHERE stripe_id = ?27 AND (" REC_COLS ") IS NOT (" REC_VALS_UPDATE
		      ")",
	[ST_BT_UPSERT] = "INSERT INTO history_balance (id, source, type, amount, fee, net, currency,"
			 " status, created) VALUES (?,?,?,?,?,?,?,?,?)"
			 " ON CONFLICT (id) DO UPDATE SET source = excluded.source,"
			 " type = excluded.type, amount = excluded.amount, fee = excluded.fee,"
			 " net = excluded.net, currency = excluded.currency,"
			 " status = excluded.status, created = excluded.created",
	[ST_BT_FIND] = "SELECT fee, net, id FROM history_balance WHERE id = ?1 OR source = ?2"
		       " ORDER BY id = ?1 DESC LIMIT 1",
	[ST_FOLD_CHARGE] = "UPDATE history SET fee = ?2, net = ?3, balance_txn = ?4"
			   " WHERE charge_id = ?1 AND type = 'payment'"
			   " AND (fee IS NOT ?2 OR net IS NOT ?3 OR balance_txn IS NOT ?4)",
	[ST_FOLD_ID] = "UPDATE history SET fee = ?2, net = ?3, balance_txn = ?4"
		       " WHERE stripe_id = ?1"
		       " AND (fee IS NOT ?2 OR net IS NOT ?3 OR balance_txn IS NOT ?4)",
	[ST_PAYMENT_OF] = "SELECT customer_id, client_name, email, description, card_brand,"
			  " card_last4, appointment_id, subscription_id, invoice_id"
			  " FROM history WHERE stripe_id = ?",
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
	[ST_CUSTOMER_ROWS] = "SELECT id, client_name, email, description FROM history"
			     " WHERE customer_id = ?1 AND client_name IS NULL",
	[ST_CUSTOMER_FILL] = "UPDATE history SET client_name = ?2, email = coalesce(email, ?3)"
			     " WHERE id = ?1",
	/* Roll-ups of rows inserted by the ingest, a run of rowids at a time
	 * (updates keep their trigger): one statement instead of two per row. */
	[ST_ROLLUP_DAY] = "INSERT INTO history_day (day, type, status, currency, n, amount, fee, net)"
			  " SELECT created / 86400, type, status, currency, count(*), sum(amount),"
			  " sum(ifnull(fee, 0)), sum(ifnull(net, 0)) FROM history"
			  " WHERE id BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3, 4"
			  " ON CONFLICT DO UPDATE SET n = n + excluded.n,"
			  " amount = amount + excluded.amount, fee = fee + excluded.fee,"
			  " net = net + excluded.net",
	[ST_ROLLUP_MONTH] = "INSERT INTO history_month (month, type, status, currency, n, amount,"
			    " fee, net)"
			    " SELECT CAST(strftime('%Y', day * 86400, 'unixepoch') AS INTEGER) * 12"
			    " + CAST(strftime('%m', day * 86400, 'unixepoch') AS INTEGER) - 1,"
			    " type, status, currency, sum(n), sum(amount), sum(fee), sum(net)"
			    " FROM (SELECT created / 86400 AS day, type, status, currency,"
			    " count(*) AS n, sum(amount) AS amount, sum(ifnull(fee, 0)) AS fee,"
			    " sum(ifnull(net, 0)) AS net FROM history WHERE id BETWEEN ?1 AND ?2"
			    " GROUP BY 1, 2, 3, 4) WHERE true GROUP BY 1, 2, 3, 4"
			    " ON CONFLICT DO UPDATE SET n = n + excluded.n,"
			    " amount = amount + excluded.amount, fee = fee + excluded.fee,"
			    " net = net + excluded.net",
	[ST_FTS_DELETE] = "INSERT INTO history_fts (history_fts, rowid, client_name, email,"
			  " description) VALUES ('delete', ?, ?, ?, ?)",
	[ST_FTS_ONE] = "INSERT INTO history_fts (rowid, client_name, email, description)"
		       " SELECT id, client_name, email, description FROM history WHERE id = ?",
	[ST_FTS_RANGE] = "INSERT INTO history_fts (rowid, client_name, email, description)"
			 " SELECT id, client_name, email, description FROM history"
			 " WHERE id BETWEEN ? AND ?",
	[ST_CURSOR] = "INSERT INTO sync_state (object, resume_after) VALUES (?, ?)"
		      " ON CONFLICT (object) DO UPDATE SET resume_after = excluded.resume_after",
};

/* A row already indexed for search whose words changed in this page: its
 * old words leave the index (contentless FTS needs them) at the end. */
struct reindex {
	int64_t id;
	char *old[3];
};

struct history_ingester {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	/* per page */
	const char *request_id;
	int64_t now;
	struct history_ingest_stats *stats;
	struct pd_error *err;
	/* rows inserted by this page (rowids are consecutive): indexed for search at the end */
	int64_t first_new, last_new;
	int64_t rolled_up; /* new rows up to this rowid are in the roll-ups */
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

static int client_of(struct history_ingester *in, struct rec *r);

/* ---- mapping objects to records -------------------------------------------- */

/* Fee and net from a balance transaction: expanded in obj[bt_key], or one
 * fetched earlier (by its id, or by source). obj may be NULL. */
static int fold_fee(struct history_ingester *in, struct rec *r, const json_t *obj, const char *bt_key,
		    const char *source)
{
	json_t *bt = obj ? jobj(obj, bt_key) : NULL;
	if (bt) {
		r->balance_txn = jstr(bt, "id");
		r->has_fee = jint(bt, "fee", &r->fee) && jint(bt, "net", &r->net);
		return PD_OK;
	}
	r->balance_txn = obj ? jid(obj, bt_key) : NULL;
	if (!r->balance_txn && !source)
		return PD_OK;
	sqlite3_stmt *st;
	if (stmt(in, ST_BT_FIND, &st))
		return PD_ERR_IO;
	bind_text(st, 1, r->balance_txn);
	bind_text(st, 2, source);
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

static void card_of(struct rec *r, const json_t *charge)
{
	const json_t *pmd = jobj(charge, "payment_method_details");
	if (!pmd)
		return;
	r->payment_method = jstr(pmd, "type");
	const json_t *card = jobj(pmd, "card");
	if (!card)
		card = jobj(pmd, "card_present");
	if (card) {
		r->brand = jstr(card, "brand");
		r->last4 = jstr(card, "last4");
	}
}

static int map_payment_intent(struct history_ingester *in, json_t *pi, struct rec *r)
{
	r->type = "payment";
	r->payment_intent = r->stripe_id;
	const char *pi_status = jstr(pi, "status");
	r->status = pi_status ? pi_status : "unknown";
	r->description = jstr(pi, "description");
	r->customer_id = jid(pi, "customer");
	const json_t *cus = jobj(pi, "customer");
	if (cus) {
		r->client = jstr(cus, "name");
		r->email = jstr(cus, "email");
	}
	if (client_of(in, r))
		return PD_ERR_IO;
	if (!r->email)
		r->email = jstr(pi, "receipt_email");
	r->invoice_id = jid(pi, "invoice");
	const json_t *inv = jobj(pi, "invoice");
	if (inv)
		r->subscription_id = jid(inv, "subscription");
	const json_t *md = jobj(pi, "metadata");
	if (md)
		r->appointment_id = jstr(md, "appointment_id");
	r->charge_id = jid(pi, "latest_charge");
	json_t *ch = jobj(pi, "latest_charge");
	if (ch) {
		jint(ch, "amount_refunded", &r->amount_refunded);
		r->disputed = jbool(ch, "disputed");
		card_of(r, ch);
		const json_t *bd = jobj(ch, "billing_details");
		if (bd && !r->client)
			r->client = jstr(bd, "name");
		if (bd && !r->email)
			r->email = jstr(bd, "email");
		if (!r->invoice_id)
			r->invoice_id = jid(ch, "invoice");
		if (pi_status && strcmp(pi_status, "succeeded") == 0 &&
		    strcmp(jstr(ch, "status") ? jstr(ch, "status") : "", "succeeded") == 0)
			r->has_succeeded = jint(ch, "created", &r->succeeded_at);
		if (fold_fee(in, r, ch, "balance_transaction", r->charge_id))
			return PD_ERR_IO;
	} else if (r->charge_id && fold_fee(in, r, NULL, NULL, r->charge_id)) {
		/* charge not expanded: a balance transaction fetched earlier may name it */
		return PD_ERR_IO;
	}
	/* One status a reviewer can filter on: what happened to the money. */
	if (pi_status && strcmp(pi_status, "succeeded") == 0) {
		if (r->disputed)
			r->status = "disputed";
		else if (ch && jbool(ch, "refunded"))
			r->status = "refunded";
		else if (r->amount_refunded > 0)
			r->status = "partially_refunded";
	} else if (pi_status && strcmp(pi_status, "requires_payment_method") == 0 &&
		   json_is_object(json_object_get(pi, "last_payment_error"))) {
		r->status = "failed";
	}
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

static int map_refund(struct history_ingester *in, json_t *re, struct rec *r)
{
	r->type = "refund";
	r->status = jstr(re, "status") ? jstr(re, "status") : "unknown";
	r->charge_id = jid(re, "charge");
	r->payment_intent = jid(re, "payment_intent");
	r->description = jstr(re, "description");
	if (!r->payment_intent) {
		const json_t *ch = jobj(re, "charge");
		if (ch)
			r->payment_intent = jid(ch, "payment_intent");
	}
	if (borrow_payment(in, r))
		return PD_ERR_IO;
	if (r->status && strcmp(r->status, "succeeded") == 0) {
		r->has_succeeded = true;
		r->succeeded_at = r->created;
	}
	return fold_fee(in, r, re, "balance_transaction", r->stripe_id);
}

static void map_invoice(json_t *inv, struct rec *r)
{
	r->type = "invoice";
	r->status = jstr(inv, "status") ? jstr(inv, "status") : "unknown";
	int64_t v = 0;
	if (strcmp(r->status, "paid") == 0 && jint(inv, "amount_paid", &v))
		r->amount = v;
	else if (jint(inv, "amount_due", &v) || jint(inv, "total", &v))
		r->amount = v;
	r->customer_id = jid(inv, "customer");
	r->client = jstr(inv, "customer_name");
	r->email = jstr(inv, "customer_email");
	const json_t *cus = jobj(inv, "customer");
	if (cus && !r->client)
		r->client = jstr(cus, "name");
	if (cus && !r->email)
		r->email = jstr(cus, "email");
	r->description = jstr(inv, "description");
	if (!r->description)
		r->description = jstr(inv, "number");
	r->subscription_id = jid(inv, "subscription");
	if (!r->subscription_id) { /* newer API versions: parent.subscription_details */
		const json_t *parent = jobj(inv, "parent");
		const json_t *sd = parent ? jobj(parent, "subscription_details") : NULL;
		if (sd)
			r->subscription_id = jid(sd, "subscription");
	}
	r->payment_intent = jid(inv, "payment_intent");
	r->charge_id = jid(inv, "charge");
	r->invoice_id = r->stripe_id;
	const json_t *st = jobj(inv, "status_transitions");
	if (st && strcmp(r->status, "paid") == 0)
		r->has_succeeded = jint(st, "paid_at", &r->succeeded_at);
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
 * once per page: later changes in the same page were never indexed. */
static int reindex_later(struct history_ingester *in, int64_t id, const char *const old[3])
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
	for (int c = 0; c < 3; c++)
		x->old[c] = old[c] ? strdup(old[c]) : NULL;
	return PD_OK;
}

/* Add this page's new rows not yet counted to the daily and monthly
 * roll-ups. Run before any update of history in the page too: the update
 * trigger moves a row's amounts from its old roll-up entry, which must
 * then hold them already. */
static int roll_up(struct history_ingester *in)
{
	if (!in->first_new || in->rolled_up >= in->last_new)
		return PD_OK;
	int64_t from = in->rolled_up >= in->first_new ? in->rolled_up + 1 : in->first_new;
	for (int which = ST_ROLLUP_DAY; which <= ST_ROLLUP_MONTH; which++) {
		sqlite3_stmt *st;
		int rc = stmt(in, which, &st);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, in->last_new);
		if ((rc = step_done(in, st, "adding up history")))
			return rc;
	}
	in->rolled_up = in->last_new;
	return PD_OK;
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
		return PD_OK;
	}
	if ((rc = stmt(in, ST_FIND, &f)))
		return rc;
	bind_text(f, 1, r->stripe_id);
	if (sqlite3_step(f) != SQLITE_ROW) {
		sqlite3_reset(f);
		return db_fail(in->db, "reading history", in->err);
	}
	int64_t id = sqlite3_column_int64(f, 0);
	const char *old[3];
	for (int c = 0; c < 3; c++)
		old[c] = (const char *)sqlite3_column_text(f, 1 + c);
	if (!(rc = roll_up(in)) && !(rc = stmt(in, ST_UPDATE, &w))) {
		bind_rec(in, w, r);
		rc = step_done(in, w, "updating history");
	}
	if (!rc && sqlite3_changes(in->db) > 0) {
		in->stats->updated++;
		if (!(same_text(old[0], r->client) && same_text(old[1], r->email) &&
		      same_text(old[2], r->description)))
			rc = reindex_later(in, id, old);
	} else if (!rc) {
		in->stats->unchanged++;
	}
	sqlite3_reset(f);
	return rc;
}

/* A Stripe customer (fetched by the sync so that payments without an
 * expanded customer still show a name): kept in history_customers, and
 * its name given to the records of that customer that had none. */
static int ingest_customer(struct history_ingester *in, const json_t *cus)
{
	const char *id = jstr(cus, "id");
	if (!id || jbool(cus, "deleted")) {
		in->stats->skipped++;
		return PD_OK;
	}
	const char *name = jstr(cus, "name"), *email = jstr(cus, "email");
	int64_t created = 0;
	jint(cus, "created", &created);
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
		const char *old[3];
		for (int c = 0; c < 3; c++)
			old[c] = (const char *)sqlite3_column_text(rows, 1 + c);
		if ((rc = reindex_later(in, hid, old)))
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

static int ingest_balance(struct history_ingester *in, json_t *bt)
{
	const char *id = jstr(bt, "id");
	const char *source = jid(bt, "source");
	int64_t amount = 0, fee = 0, net = 0, created = 0;
	jint(bt, "amount", &amount);
	bool has = jint(bt, "fee", &fee) && jint(bt, "net", &net);
	jint(bt, "created", &created);
	sqlite3_stmt *st;
	if (stmt(in, ST_BT_UPSERT, &st))
		return PD_ERR_IO;
	bind_text(st, 1, id);
	bind_text(st, 2, source);
	bind_text(st, 3, jstr(bt, "type"));
	sqlite3_bind_int64(st, 4, amount);
	sqlite3_bind_int64(st, 5, fee);
	sqlite3_bind_int64(st, 6, net);
	bind_text(st, 7, jstr(bt, "currency"));
	bind_text(st, 8, jstr(bt, "status"));
	sqlite3_bind_int64(st, 9, created);
	int rc = step_done(in, st, "storing a balance transaction");
	if (rc || !source || !has)
		return rc;
	long changed = 0;
	if ((rc = roll_up(in)))
		return rc;
	for (int which = ST_FOLD_CHARGE; which <= ST_FOLD_ID; which++) {
		if (stmt(in, which, &st))
			return PD_ERR_IO;
		bind_text(st, 1, source);
		sqlite3_bind_int64(st, 2, fee);
		sqlite3_bind_int64(st, 3, net);
		bind_text(st, 4, id);
		if ((rc = step_done(in, st, "folding a balance transaction")))
			return rc;
		changed += sqlite3_changes(in->db);
	}
	if (changed)
		in->stats->updated += changed;
	else
		in->stats->unchanged++;
	return PD_OK;
}

/* A payment or invoice whose customer came as a bare id: the client's name
 * (and email) from the local clients, else from the Stripe customer. */
static int client_of(struct history_ingester *in, struct rec *r)
{
	if (!r->customer_id || (r->client && *r->client))
		return PD_OK;
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
		if (email && *email && !(r->email && *r->email)) {
			in->borrowed[10] = strdup(email);
			r->email = in->borrowed[10];
		}
	} else if (rc != SQLITE_DONE) {
		return db_fail(in->db, "reading clients", in->err);
	}
	sqlite3_reset(st);
	return PD_OK;
}

static int ingest_object(struct history_ingester *in, json_t *obj)
{
	const char *kind = jstr(obj, "object");
	if (kind && strcmp(kind, "balance_transaction") == 0)
		return ingest_balance(in, obj);
	if (kind && strcmp(kind, "customer") == 0)
		return ingest_customer(in, obj);
	struct rec r = {0};
	r.stripe_id = jstr(obj, "id");
	r.currency = jstr(obj, "currency");
	/* Stripe's currencies are three ASCII letters; anything else is a
	 * malformed record, skipped rather than cut into a 4-byte field. */
	bool currency_ok = r.currency && strlen(r.currency) == 3;
	for (int i = 0; currency_ok && i < 3; i++)
		currency_ok = isalpha((unsigned char)r.currency[i]) && !((unsigned char)r.currency[i] & 0x80);
	if (!kind || !r.stripe_id || !currency_ok || !jint(obj, "created", &r.created)) {
		in->stats->skipped++;
		return PD_OK;
	}
	jint(obj, "amount", &r.amount);
	r.livemode = jbool(obj, "livemode");
	int rc = PD_OK;
	if (strcmp(kind, "payment_intent") == 0) {
		rc = map_payment_intent(in, obj, &r);
	} else if (strcmp(kind, "refund") == 0) {
		rc = map_refund(in, obj, &r);
	} else if (strcmp(kind, "invoice") == 0) {
		map_invoice(obj, &r);
		rc = client_of(in, &r);
	} else {
		in->stats->skipped++; /* charges come inside their PaymentIntent */
		return PD_OK;
	}
	if (!rc)
		rc = upsert(in, &r);
	free_borrowed(in);
	return rc;
}

/* ---- pages ------------------------------------------------------------------------ */

int history_page_from_json(json_t *list, struct history_page *pg, struct pd_error *err)
{
	memset(pg, 0, sizeof *pg);
	json_t *data = json_is_array(list) ? list : json_object_get(list, "data");
	if (!json_is_array(data))
		return pd_error_set(err, PD_ERR, "not a Stripe list: no \"data\" array");
	pg->has_more = json_is_true(json_object_get(list, "has_more"));
	size_t n = json_array_size(data);
	if (n && !(pg->objs = calloc(n, sizeof *pg->objs)))
		return pd_error_set(err, PD_ERR, "out of memory");
	size_t i;
	json_t *obj;
	json_array_foreach(data, i, obj)
		pg->objs[pg->n++] = json_incref(obj);
	return PD_OK;
}

void history_page_clear(struct history_page *pg)
{
	for (size_t i = 0; i < pg->n; i++)
		json_decref(pg->objs[i]);
	free(pg->objs);
	memset(pg, 0, sizeof *pg);
}

/* ---- the ingester -------------------------------------------------------------- */

int history_ingester_new(sqlite3 *db, struct history_ingester **out, struct pd_error *err)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return pd_error_set(err, PD_ERR, "out of memory");
	(*out)->db = db;
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
	free(in->re);
	free(in);
	*ing = NULL;
}

/* The search index for this page's new rows (one statement: FTS5 flushes
 * at every statement savepoint) and for rows whose words changed. */
static int index_page(struct history_ingester *in)
{
	int rc = PD_OK;
	sqlite3_stmt *st;
	for (size_t i = 0; i < in->nre && !rc; i++) {
		struct reindex *x = &in->re[i];
		if (!(rc = stmt(in, ST_FTS_DELETE, &st))) {
			sqlite3_bind_int64(st, 1, x->id);
			for (int c = 0; c < 3; c++)
				bind_text(st, 2 + c, x->old[c]);
			rc = step_done(in, st, "updating the search index");
		}
		if (!rc && !(rc = stmt(in, ST_FTS_ONE, &st))) {
			sqlite3_bind_int64(st, 1, x->id);
			rc = step_done(in, st, "updating the search index");
		}
	}
	if (!rc && in->first_new && !(rc = stmt(in, ST_FTS_RANGE, &st))) {
		sqlite3_bind_int64(st, 1, in->first_new);
		sqlite3_bind_int64(st, 2, in->last_new);
		rc = step_done(in, st, "updating the search index");
	}
	return rc;
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
	in->first_new = in->last_new = in->rolled_up = 0;
	bool own_txn = sqlite3_get_autocommit(in->db);
	int rc = own_txn ? db_begin(in->db, err) : PD_OK;
	if (rc)
		return rc;
	for (size_t i = 0; i < pg->n && !rc; i++) {
		if (!json_is_object(pg->objs[i])) {
			in->stats->skipped++;
			continue;
		}
		rc = ingest_object(in, pg->objs[i]);
	}
	if (!rc)
		rc = roll_up(in);
	if (!rc)
		rc = index_page(in);
	for (size_t i = 0; i < in->nre; i++)
		for (int c = 0; c < 3; c++)
			free(in->re[i].old[c]);
	in->nre = 0;
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
		return rc; /* the caller's transaction: it commits or rolls back */
	if (!rc)
		rc = db_commit(in->db, err);
	if (rc)
		db_rollback(in->db);
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
		history_ingester_free(&in);
	}
	history_page_clear(&pg);
	return rc;
}
