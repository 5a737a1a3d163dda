/* Stripe list pages read into history objects, on the fetching thread.
 *
 * Everything that needs only the JSON happens here (json_scan: no tree, no
 * allocation but the page's strings); what needs the store (a client's
 * name from the clients table, a refund's payment, a fee fetched earlier)
 * is left to the writer, history_ingest.c. */
#include "paydesk/history.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/json_scan.h"

/* Members read per object: Stripe's largest objects here (invoices) have
 * about 90. An object with more is refused with its page, never read
 * in part. */
#define MEMBERS_MAX 256

struct history_page_chunk {
	struct history_page_chunk *next;
	size_t used, cap;
	char data[];
};

struct view {
	int n;
	struct jscan_member m[MEMBERS_MAX];
};

static char *page_alloc(struct history_page *pg, size_t n, size_t hint)
{
	struct history_page_chunk *c = pg->strings;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > hint ? n : hint;
		struct history_page_chunk *grown = malloc(sizeof *grown + cap);
		if (!grown)
			return NULL;
		grown->next = c;
		grown->used = 0;
		grown->cap = cap;
		pg->strings = c = grown;
	}
	char *p = c->data + c->used;
	c->used += n;
	return p;
}

struct reader {
	struct history_page *pg;
	size_t hint; /* size of a new string chunk */
	bool oom, too_wide;
};

static bool view_of(struct reader *rd, struct jscan_val v, struct view *o)
{
	int n = jscan_members(v, o->m, MEMBERS_MAX);
	if (n > MEMBERS_MAX)
		rd->too_wide = true;
	o->n = n < 0 ? 0 : n > MEMBERS_MAX ? MEMBERS_MAX : n;
	return n >= 0;
}

static bool nested(struct reader *rd, const struct view *o, const char *key, struct view *out)
{
	return view_of(rd, jscan_get(o->m, o->n, key), out);
}

/* A string member, decoded into the page; NULL when absent, not a string or
 * empty (an empty name is no name: the next source of one is tried). */
static char *str(struct reader *rd, const struct view *o, const char *key)
{
	struct jscan_val v = jscan_get(o->m, o->n, key);
	if (v.type != JSCAN_STRING || v.len <= 2)
		return NULL;
	char *dst = page_alloc(rd->pg, v.len, rd->hint);
	if (!dst) {
		rd->oom = true;
		return NULL;
	}
	return jscan_string(v, dst) > 0 ? dst : NULL;
}

/* A currency code in lower case, as Stripe writes them: one written in
 * capitals is the same currency (the search's amount terms and the amount
 * index compare codes as stored; "GBP" records were missed by one and
 * found by the other). */
static const char *currency_of(struct reader *rd, const struct view *o)
{
	char *c = str(rd, o, "currency");
	for (char *p = c; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return c;
}

/* An expandable field: the id whether it came as a string or an object. */
static const char *id_of(struct reader *rd, const struct view *o, const char *key)
{
	struct jscan_val v = jscan_get(o->m, o->n, key);
	if (v.type == JSCAN_STRING)
		return str(rd, o, key);
	struct view inner;
	if (v.type != JSCAN_OBJECT || !view_of(rd, v, &inner))
		return NULL;
	return str(rd, &inner, "id");
}

static bool integer(const struct view *o, const char *key, int64_t *out)
{
	return jscan_int(jscan_get(o->m, o->n, key), out);
}

static bool truth(const struct view *o, const char *key)
{
	return jscan_get(o->m, o->n, key).type == JSCAN_TRUE;
}

static bool same(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

/* An expanded balance transaction gives the fee; otherwise the writer
 * looks it up by the transaction's id or by source. */
static void fee_of(struct reader *rd, struct history_obj *r, const struct view *o,
		   const char *source)
{
	struct view bt;
	if (o && nested(rd, o, "balance_transaction", &bt)) {
		r->balance_txn = str(rd, &bt, "id");
		r->has_fee = integer(&bt, "fee", &r->fee) && integer(&bt, "net", &r->net);
		return;
	}
	r->balance_txn = o ? id_of(rd, o, "balance_transaction") : NULL;
	r->fee_source = source;
	r->lookup_fee = r->balance_txn || source;
}

static void card_of(struct reader *rd, struct history_obj *r, const struct view *charge)
{
	struct view pmd, card;
	if (!nested(rd, charge, "payment_method_details", &pmd))
		return;
	r->payment_method = str(rd, &pmd, "type");
	if (nested(rd, &pmd, "card", &card) || nested(rd, &pmd, "card_present", &card)) {
		r->brand = str(rd, &card, "brand");
		r->last4 = str(rd, &card, "last4");
	}
}

static void read_payment_intent(struct reader *rd, const struct view *pi, struct history_obj *r)
{
	r->kind = HISTORY_OBJ_PAYMENT;
	r->type = "payment";
	r->payment_intent = r->stripe_id;
	const char *pi_status = str(rd, pi, "status");
	r->status = pi_status ? pi_status : "unknown";
	r->description = str(rd, pi, "description");
	r->customer_id = id_of(rd, pi, "customer");
	struct view cus, inv, md, ch, bd;
	if (nested(rd, pi, "customer", &cus)) {
		r->client = str(rd, &cus, "name");
		r->email = str(rd, &cus, "email");
	}
	r->receipt_email = str(rd, pi, "receipt_email");
	r->invoice_id = id_of(rd, pi, "invoice");
	if (nested(rd, pi, "invoice", &inv))
		r->subscription_id = id_of(rd, &inv, "subscription");
	if (nested(rd, pi, "metadata", &md))
		r->appointment_id = str(rd, &md, "appointment_id");
	r->charge_id = id_of(rd, pi, "latest_charge");
	bool has_charge = nested(rd, pi, "latest_charge", &ch);
	if (has_charge) {
		integer(&ch, "amount_refunded", &r->amount_refunded);
		r->disputed = truth(&ch, "disputed");
		card_of(rd, r, &ch);
		if (nested(rd, &ch, "billing_details", &bd)) {
			r->billing_name = str(rd, &bd, "name");
			r->billing_email = str(rd, &bd, "email");
		}
		if (!r->invoice_id)
			r->invoice_id = id_of(rd, &ch, "invoice");
		if (same(pi_status, "succeeded") && same(str(rd, &ch, "status"), "succeeded"))
			r->has_succeeded = integer(&ch, "created", &r->succeeded_at);
		fee_of(rd, r, &ch, r->charge_id);
	} else if (r->charge_id) {
		/* charge not expanded: a balance transaction fetched earlier may name it */
		fee_of(rd, r, NULL, r->charge_id);
	}
	/* One status a reviewer can filter on: what happened to the money. A
	 * charge stays "disputed" after its dispute is decided: the writer
	 * settles it from the dispute's status (undisputed_status if won). */
	if (same(pi_status, "succeeded")) {
		if (has_charge && truth(&ch, "refunded"))
			r->status = "refunded";
		else if (r->amount_refunded > 0)
			r->status = "partially_refunded";
		r->undisputed_status = r->status;
		if (r->disputed)
			r->status = "disputed";
	} else if (same(pi_status, "requires_payment_method") &&
		   jscan_get(pi->m, pi->n, "last_payment_error").type == JSCAN_OBJECT) {
		r->status = "failed";
	}
	/* Why it failed (kept while the payment has not succeeded since). The
	 * metadata's view is reused: each view is 10 KB of stack, and a larger
	 * frame costs every object its stack probes. */
	if (!same(pi_status, "succeeded") && nested(rd, pi, "last_payment_error", &md)) {
		r->failure_code = str(rd, &md, "code");
		r->decline_code = str(rd, &md, "decline_code");
	}
}

static void read_refund(struct reader *rd, const struct view *re, struct history_obj *r)
{
	r->kind = HISTORY_OBJ_REFUND;
	r->type = "refund";
	const char *status = str(rd, re, "status");
	r->status = status ? status : "unknown";
	r->charge_id = id_of(rd, re, "charge");
	r->payment_intent = id_of(rd, re, "payment_intent");
	r->description = str(rd, re, "description");
	struct view ch;
	if (!r->payment_intent && nested(rd, re, "charge", &ch))
		r->payment_intent = id_of(rd, &ch, "payment_intent");
	if (same(status, "succeeded")) {
		r->has_succeeded = true;
		r->succeeded_at = r->created;
	}
	fee_of(rd, r, re, r->stripe_id);
}

/* The plan an invoice bills: its first subscription line's price nickname,
 * else the product named in the line ("1 × Monthly membership (at $49.00 /
 * month)" → "Monthly membership"); a one-off invoice has none. Not inlined:
 * its views (10 KB of stack each) would enlarge the frame every object is
 * read in, and stack probes made the parse of every record 10 % slower. */
static __attribute__((noinline)) const char *plan_of(struct reader *rd, const struct view *inv)
{
	struct view lines, line, price;
	struct jscan_iter it;
	struct jscan_val v;
	if (!nested(rd, inv, "lines", &lines) ||
	    !jscan_array_begin(jscan_get(lines.m, lines.n, "data"), &it))
		return NULL;
	while (jscan_array_next(&it, &v)) {
		if (!view_of(rd, v, &line) || !same(str(rd, &line, "type"), "subscription"))
			continue;
		const char *nick = nested(rd, &line, "price", &price) ? str(rd, &price, "nickname")
								      : NULL;
		if (nick)
			return nick;
		char *d = (char *)str(rd, &line, "description");
		if (!d)
			return NULL;
		/* "<quantity> × <product> (at <price>)", as Stripe writes it */
		const char *times = strstr(d, " \u00d7 ");
		char *at = strstr(d, " (at ");
		if (times && at && at > times) {
			*at = '\0';
			return times + strlen(" \u00d7 ");
		}
		return d;
	}
	return NULL;
}

static void read_invoice(struct reader *rd, const struct view *inv, struct history_obj *r)
{
	r->kind = HISTORY_OBJ_INVOICE;
	r->type = "invoice";
	const char *status = str(rd, inv, "status");
	r->status = status ? status : "unknown";
	int64_t v = 0;
	if (same(status, "paid") && integer(inv, "amount_paid", &v))
		r->amount = v;
	else if (integer(inv, "amount_due", &v) || integer(inv, "total", &v))
		r->amount = v;
	r->customer_id = id_of(rd, inv, "customer");
	r->client = str(rd, inv, "customer_name");
	r->email = str(rd, inv, "customer_email");
	struct view cus, parent, sd, st;
	if (nested(rd, inv, "customer", &cus)) {
		if (!r->client)
			r->client = str(rd, &cus, "name");
		if (!r->email)
			r->email = str(rd, &cus, "email");
	}
	r->description = str(rd, inv, "description");
	if (!r->description)
		r->description = str(rd, inv, "number");
	r->subscription_id = id_of(rd, inv, "subscription");
	/* newer API versions: parent.subscription_details */
	if (!r->subscription_id && nested(rd, inv, "parent", &parent) &&
	    nested(rd, &parent, "subscription_details", &sd))
		r->subscription_id = id_of(rd, &sd, "subscription");
	r->payment_intent = id_of(rd, inv, "payment_intent");
	r->charge_id = id_of(rd, inv, "charge");
	r->invoice_id = r->stripe_id;
	r->plan = plan_of(rd, inv);
	if (nested(rd, inv, "status_transitions", &st) && same(status, "paid"))
		r->has_succeeded = integer(&st, "paid_at", &r->succeeded_at);
}

/* A dispute: its status and evidence deadline go to its payment's row. */
static __attribute__((noinline)) void read_dispute(struct reader *rd, const struct view *dp,
						   struct history_obj *r)
{
	r->kind = HISTORY_OBJ_DISPUTE;
	r->status = str(rd, dp, "status");
	r->payment_intent = id_of(rd, dp, "payment_intent");
	r->charge_id = id_of(rd, dp, "charge");
	struct view ev;
	if (nested(rd, dp, "evidence_details", &ev))
		integer(&ev, "due_by", &r->dispute_due_by);
	if (!r->status || (!r->payment_intent && !r->charge_id))
		r->kind = HISTORY_OBJ_SKIP;
}

static void read_customer(struct reader *rd, const struct view *cus, struct history_obj *r)
{
	r->kind = HISTORY_OBJ_CUSTOMER;
	r->client = str(rd, cus, "name");
	r->email = str(rd, cus, "email");
	r->deleted = truth(cus, "deleted");
	if (!r->stripe_id || r->deleted)
		r->kind = HISTORY_OBJ_SKIP;
}

static void read_balance(struct reader *rd, const struct view *bt, struct history_obj *r)
{
	r->kind = HISTORY_OBJ_BALANCE;
	r->source = id_of(rd, bt, "source");
	r->type = str(rd, bt, "type");
	r->currency = currency_of(rd, bt);
	r->status = str(rd, bt, "status");
	integer(bt, "amount", &r->amount);
	r->has_fee = integer(bt, "fee", &r->fee) && integer(bt, "net", &r->net);
}

/* 9999-12-31 23:59:59 UTC: the roll-ups' months end there, as SQLite's dates do. */
#define CREATED_MAX INT64_C(253402300799)

/* Stripe's currencies are three ASCII letters; anything else is a
 * malformed record, skipped rather than cut into a 4-byte field. */
static bool currency_ok(const char *c)
{
	if (!c || strlen(c) != 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= 'A' && c[i] <= 'Z')))
			return false;
	return true;
}

static void read_object(struct reader *rd, struct jscan_val v, struct history_obj *r)
{
	memset(r, 0, sizeof *r);
	struct view o;
	if (v.type != JSCAN_OBJECT || !view_of(rd, v, &o))
		return; /* HISTORY_OBJ_SKIP */
	const char *kind = str(rd, &o, "object");
	r->stripe_id = str(rd, &o, "id");
	bool has_created = integer(&o, "created", &r->created);
	if (same(kind, "balance_transaction")) {
		read_balance(rd, &o, r);
		return;
	}
	if (same(kind, "customer")) {
		read_customer(rd, &o, r);
		return;
	}
	r->currency = currency_of(rd, &o);
	if (!kind || !r->stripe_id || !currency_ok(r->currency) || !has_created ||
	    r->created < 0 || r->created > CREATED_MAX)
		return;
	integer(&o, "amount", &r->amount);
	r->livemode = truth(&o, "livemode");
	if (strcmp(kind, "payment_intent") == 0)
		read_payment_intent(rd, &o, r);
	else if (strcmp(kind, "refund") == 0)
		read_refund(rd, &o, r);
	else if (strcmp(kind, "invoice") == 0)
		read_invoice(rd, &o, r);
	else if (strcmp(kind, "dispute") == 0)
		read_dispute(rd, &o, r);
	/* anything else (charges come inside their PaymentIntent): skipped */
}

int history_page_from_text(const char *text, size_t len, struct history_page *pg,
			   struct pd_error *err)
{
	memset(pg, 0, sizeof *pg);
	struct jscan_val list, data = {.type = JSCAN_NONE};
	size_t at = 0;
	if (jscan_parse(text, len, &list, &at))
		return pd_error_set(err, PD_ERR, "Stripe sent a page that is not valid JSON (at byte %zu)",
				    at);
	/* decoded strings are never longer than their JSON: one chunk usually holds them all */
	struct reader rd = {.pg = pg, .hint = len + 64};
	struct view top;
	if (list.type == JSCAN_ARRAY) {
		data = list;
	} else if (view_of(&rd, list, &top)) {
		data = jscan_get(top.m, top.n, "data");
		pg->has_more = truth(&top, "has_more");
	}
	struct jscan_iter it;
	if (!jscan_array_begin(data, &it))
		return pd_error_set(err, PD_ERR, "not a Stripe list: no \"data\" array");
	size_t cap = 0;
	struct jscan_val v;
	while (jscan_array_next(&it, &v)) {
		if (pg->n == cap) {
			size_t grown_cap = cap ? cap * 2 : 128;
			struct history_obj *grown = realloc(pg->objs, grown_cap * sizeof *grown);
			if (!grown) {
				rd.oom = true;
				break;
			}
			pg->objs = grown;
			cap = grown_cap;
		}
		read_object(&rd, v, &pg->objs[pg->n++]);
	}
	if (rd.oom || rd.too_wide) {
		history_page_clear(pg);
		return pd_error_set(err, PD_ERR,
				    rd.oom ? "out of memory"
					   : "Stripe sent an object with more than %d fields; not read",
				    MEMBERS_MAX);
	}
	return PD_OK;
}

int history_page_from_json(json_t *list, struct history_page *pg, struct pd_error *err)
{
	memset(pg, 0, sizeof *pg);
	size_t len = json_dumpb(list, NULL, 0, JSON_COMPACT);
	char *text = len ? malloc(len) : NULL;
	if (!text || json_dumpb(list, text, len, JSON_COMPACT) != len) {
		free(text);
		return pd_error_set(err, PD_ERR, len ? "out of memory" : "not a Stripe list");
	}
	int rc = history_page_from_text(text, len, pg, err);
	free(text);
	return rc;
}

void history_page_clear(struct history_page *pg)
{
	while (pg->strings) {
		struct history_page_chunk *next = pg->strings->next;
		free(pg->strings);
		pg->strings = next;
	}
	free(pg->objs);
	memset(pg, 0, sizeof *pg);
}
