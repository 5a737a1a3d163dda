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
	ST_INSERT_RAW,
	ST_UPDATE,
	ST_UPDATE_RAW,
	ST_BT_UPSERT,
	ST_BT_FIND,
	ST_FOLD_CHARGE,
	ST_FOLD_ID,
	ST_PAYMENT_OF,
	ST_CURSOR,
	ST_FTS_DELETE,
	ST_FTS_ONE,
	ST_FTS_RANGE,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_FIND] = "SELECT h.id, h.type, h.created, h.amount, h.currency, h.status, h.customer_id,"
		    " h.client_name, h.email, h.description, h.card_brand, h.card_last4, h.fee,"
		    " h.net, h.amount_refunded, h.charge_id, h.payment_intent, h.invoice_id,"
		    " h.subscription_id, h.appointment_id, h.balance_txn, h.payment_method,"
		    " h.disputed, h.livemode, h.succeeded_at, r.json"
		    " FROM history h LEFT JOIN history_raw r ON r.id = h.id WHERE h.stripe_id = ?",
	[ST_INSERT] = "INSERT INTO history (type, created, amount, currency, status, customer_id,"
		      " client_name, email, description, card_brand, card_last4, fee, net,"
		      " amount_refunded, charge_id, payment_intent, invoice_id, subscription_id,"
		      " appointment_id, balance_txn, payment_method, disputed, livemode,"
		      " succeeded_at, request_id, synced_at, stripe_id)"
		      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_INSERT_RAW] = "INSERT OR REPLACE INTO history_raw (id, json) VALUES (?, ?)",
	[ST_UPDATE] = "UPDATE history SET type = ?, created = ?, amount = ?, currency = ?,"
		      " status = ?, customer_id = ?, client_name = ?, email = ?, description = ?,"
		      " card_brand = ?, card_last4 = ?, fee = ?, net = ?, amount_refunded = ?,"
		      " charge_id = ?, payment_intent = ?, invoice_id = ?, subscription_id = ?,"
		      " appointment_id = ?, balance_txn = ?, payment_method = ?, disputed = ?,"
		      " livemode = ?, succeeded_at = ?, request_id = ?, synced_at = ?"
		      " WHERE stripe_id = ?",
	[ST_UPDATE_RAW] = "INSERT OR REPLACE INTO history_raw (id, json) VALUES (?, ?)",
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

struct ingest {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	const char *request_id;
	int64_t now;
	struct history_ingest_stats *stats;
	struct pd_error *err;
	/* rows inserted by this page (rowids are consecutive): indexed for search at the end */
	int64_t first_new, last_new;
	/* copies read back from the store (a refund borrows its payment's client) */
	char *borrowed[9];
};

static int stmt(struct ingest *in, int which, sqlite3_stmt **out)
{
	if (!in->st[which] && db_prepare(in->db, stmt_sql[which], &in->st[which], in->err))
		return PD_ERR_IO;
	sqlite3_reset(in->st[which]);
	sqlite3_clear_bindings(in->st[which]);
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

static void free_borrowed(struct ingest *in)
{
	for (size_t i = 0; i < sizeof in->borrowed / sizeof in->borrowed[0]; i++) {
		free(in->borrowed[i]);
		in->borrowed[i] = NULL;
	}
}

/* ---- mapping objects to records -------------------------------------------- */

/* Fee and net from a balance transaction: expanded in obj[bt_key], or one
 * fetched earlier (by its id, or by source). obj may be NULL. */
static int fold_fee(struct ingest *in, struct rec *r, const json_t *obj, const char *bt_key,
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

static int map_payment_intent(struct ingest *in, json_t *pi, struct rec *r)
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
static int borrow_payment(struct ingest *in, struct rec *r)
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

static int map_refund(struct ingest *in, json_t *re, struct rec *r)
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

static bool same_text(const unsigned char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp((const char *)a, b) == 0;
}

static bool same_int(sqlite3_stmt *st, int col, bool has, int64_t v)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return !has;
	return has && sqlite3_column_int64(st, col) == v;
}

/* The stored row equals r (and its raw JSON): nothing to write. */
static bool unchanged(sqlite3_stmt *f, const struct rec *r, const char *json)
{
	return same_text(sqlite3_column_text(f, 1), r->type) &&
	       sqlite3_column_int64(f, 2) == r->created && sqlite3_column_int64(f, 3) == r->amount &&
	       same_text(sqlite3_column_text(f, 4), r->currency) &&
	       same_text(sqlite3_column_text(f, 5), r->status) &&
	       same_text(sqlite3_column_text(f, 6), r->customer_id) &&
	       same_text(sqlite3_column_text(f, 7), r->client) &&
	       same_text(sqlite3_column_text(f, 8), r->email) &&
	       same_text(sqlite3_column_text(f, 9), r->description) &&
	       same_text(sqlite3_column_text(f, 10), r->brand) &&
	       same_text(sqlite3_column_text(f, 11), r->last4) && same_int(f, 12, r->has_fee, r->fee) &&
	       same_int(f, 13, r->has_fee, r->net) &&
	       sqlite3_column_int64(f, 14) == r->amount_refunded &&
	       same_text(sqlite3_column_text(f, 15), r->charge_id) &&
	       same_text(sqlite3_column_text(f, 16), r->payment_intent) &&
	       same_text(sqlite3_column_text(f, 17), r->invoice_id) &&
	       same_text(sqlite3_column_text(f, 18), r->subscription_id) &&
	       same_text(sqlite3_column_text(f, 19), r->appointment_id) &&
	       same_text(sqlite3_column_text(f, 20), r->balance_txn) &&
	       same_text(sqlite3_column_text(f, 21), r->payment_method) &&
	       sqlite3_column_int(f, 22) == r->disputed && sqlite3_column_int(f, 23) == r->livemode &&
	       same_int(f, 24, r->has_succeeded, r->succeeded_at) &&
	       same_text(sqlite3_column_text(f, 25), json);
}

/* Bind the record's columns in ST_INSERT / ST_UPDATE order (1..27). */
static void bind_rec(struct ingest *in, sqlite3_stmt *st, const struct rec *r)
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
	bind_text(st, 25, in->request_id);
	sqlite3_bind_int64(st, 26, in->now);
	bind_text(st, 27, r->stripe_id);
}

static int step_done(struct ingest *in, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PD_OK : db_fail(in->db, what, in->err);
}

static int upsert(struct ingest *in, json_t *obj, const struct rec *r)
{
	char *json = json_dumps(obj, JSON_COMPACT);
	if (!json)
		return pd_error_set(in->err, PD_ERR, "out of memory");
	sqlite3_stmt *f, *w, *raw;
	int rc = stmt(in, ST_FIND, &f);
	if (rc)
		goto out;
	bind_text(f, 1, r->stripe_id);
	int step = sqlite3_step(f);
	int64_t id = 0;
	if (step == SQLITE_ROW) {
		id = sqlite3_column_int64(f, 0);
		struct rec keep = *r;
		/* A record fetched without its balance transaction keeps the fee it had. */
		if (!keep.has_fee && sqlite3_column_type(f, 12) != SQLITE_NULL) {
			keep.has_fee = true;
			keep.fee = sqlite3_column_int64(f, 12);
			keep.net = sqlite3_column_int64(f, 13);
			if (!keep.balance_txn)
				keep.balance_txn = (const char *)sqlite3_column_text(f, 20);
		}
		bool same = unchanged(f, &keep, json);
		if (same) {
			sqlite3_reset(f);
			in->stats->unchanged++;
			goto out;
		}
		/* searchable text changed: take the old words out of the index first */
		bool reindex = (in->first_new == 0 || id < in->first_new) &&
			       !(same_text(sqlite3_column_text(f, 7), keep.client) &&
				 same_text(sqlite3_column_text(f, 8), keep.email) &&
				 same_text(sqlite3_column_text(f, 9), keep.description));
		if (reindex) {
			sqlite3_stmt *del;
			if ((rc = stmt(in, ST_FTS_DELETE, &del))) {
				sqlite3_reset(f);
				goto out;
			}
			sqlite3_bind_int64(del, 1, id);
			for (int c = 0; c < 3; c++)
				sqlite3_bind_text(del, 2 + c, (const char *)sqlite3_column_text(f, 7 + c),
						  -1, SQLITE_STATIC);
			if ((rc = step_done(in, del, "updating the search index"))) {
				sqlite3_reset(f);
				goto out;
			}
		}
		if ((rc = stmt(in, ST_UPDATE, &w))) {
			sqlite3_reset(f);
			goto out;
		}
		bind_rec(in, w, &keep);
		/* keep's borrowed text lives in f's row: step the update before resetting f */
		rc = step_done(in, w, "updating history");
		sqlite3_reset(f);
		if (rc)
			goto out;
		if (reindex) {
			sqlite3_stmt *add;
			if ((rc = stmt(in, ST_FTS_ONE, &add)))
				goto out;
			sqlite3_bind_int64(add, 1, id);
			if ((rc = step_done(in, add, "updating the search index")))
				goto out;
		}
		in->stats->updated++;
	} else if (step == SQLITE_DONE) {
		sqlite3_reset(f);
		if ((rc = stmt(in, ST_INSERT, &w)))
			goto out;
		bind_rec(in, w, r);
		if ((rc = step_done(in, w, "adding to history")))
			goto out;
		id = sqlite3_last_insert_rowid(in->db);
		if (!in->first_new)
			in->first_new = id;
		in->last_new = id;
		in->stats->inserted++;
	} else {
		sqlite3_reset(f);
		rc = db_fail(in->db, "reading history", in->err);
		goto out;
	}
	if ((rc = stmt(in, ST_INSERT_RAW, &raw)))
		goto out;
	sqlite3_bind_int64(raw, 1, id);
	sqlite3_bind_text(raw, 2, json, -1, SQLITE_STATIC);
	rc = step_done(in, raw, "storing the raw record");
out:
	free(json);
	return rc;
}

static int ingest_balance(struct ingest *in, json_t *bt)
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

static int ingest_object(struct ingest *in, json_t *obj)
{
	const char *kind = jstr(obj, "object");
	if (kind && strcmp(kind, "balance_transaction") == 0)
		return ingest_balance(in, obj);
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
	if (strcmp(kind, "payment_intent") == 0)
		rc = map_payment_intent(in, obj, &r);
	else if (strcmp(kind, "refund") == 0)
		rc = map_refund(in, obj, &r);
	else if (strcmp(kind, "invoice") == 0)
		map_invoice(obj, &r);
	else {
		in->stats->skipped++; /* charges come inside their PaymentIntent */
		return PD_OK;
	}
	if (!rc)
		rc = upsert(in, obj, &r);
	free_borrowed(in);
	return rc;
}

int history_ingest_page(sqlite3 *db, json_t *page, const char *request_id,
			const char *sync_object, const char *cursor,
			struct history_ingest_stats *stats, struct pd_error *err)
{
	struct history_ingest_stats local = {0};
	json_t *data = json_is_array(page) ? page : json_object_get(page, "data");
	if (!json_is_array(data))
		return pd_error_set(err, PD_ERR, "not a Stripe list: no \"data\" array");
	struct ingest in = {.db = db, .request_id = request_id, .now = (int64_t)time(NULL),
			    .stats = stats ? stats : &local, .err = err};
	/* Statement journals (one per upsert with triggers) in memory, not in
	 * temp files: on disk they cost ~25 writes per record. */
	bool own_txn = sqlite3_get_autocommit(db);
	if (own_txn)
		sqlite3_exec(db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	int rc = own_txn ? db_begin(db, err) : PD_OK;
	if (rc)
		return rc;
	size_t i;
	json_t *obj;
	json_array_foreach(data, i, obj)
	{
		if (!json_is_object(obj)) {
			in.stats->skipped++;
			continue;
		}
		if ((rc = ingest_object(&in, obj)))
			break;
	}
	if (!rc && in.first_new) {
		sqlite3_stmt *st;
		rc = stmt(&in, ST_FTS_RANGE, &st);
		if (!rc) {
			sqlite3_bind_int64(st, 1, in.first_new);
			sqlite3_bind_int64(st, 2, in.last_new);
			rc = step_done(&in, st, "updating the search index");
		}
	}
	if (!rc && sync_object) {
		sqlite3_stmt *st;
		rc = stmt(&in, ST_CURSOR, &st);
		if (!rc) {
			bind_text(st, 1, sync_object);
			bind_text(st, 2, cursor);
			rc = step_done(&in, st, "saving the sync position");
		}
	}
	for (int k = 0; k < ST_COUNT; k++)
		sqlite3_finalize(in.st[k]);
	free_borrowed(&in);
	if (!own_txn)
		return rc; /* the caller's transaction: it commits or rolls back */
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	return rc;
}
