/* Table subscriptions (schema 7): the local copy of client subscriptions. */
#include "paydesk/subscriptions_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"

const char *const subs_statuses[] = {"trialing", "active",   "past_due",
				     "unpaid",   "canceled", "incomplete",
				     "incomplete_expired", "paused", NULL};

static char *dup_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return strdup(t ? (const char *)t : "");
}

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

void subscription_free(struct subscription *s)
{
	if (!s)
		return;
	free(s->stripe_id);
	free(s->customer_id);
	free(s->product_id);
	free(s->price_id);
	free(s->item_id);
	free(s->client_name);
	free(s->plan_name);
	free(s->invoice_id);
	free(s->last_failure);
	memset(s, 0, sizeof *s);
}

void subs_free_list(struct subscription **list, size_t n)
{
	if (!list || !*list)
		return;
	for (size_t i = 0; i < n; i++)
		subscription_free(&(*list)[i]);
	free(*list);
	*list = NULL;
}

enum subs_attention subs_attention(const struct subscription *s, int64_t now)
{
	if (!strcmp(s->status, "past_due") || !strcmp(s->status, "unpaid"))
		return SUBS_ATTN_FAILED;
	if ((!strcmp(s->status, "active") || !strcmp(s->status, "incomplete")) &&
	    !strcmp(s->invoice_status, "open") && s->invoice_attempts > 0 &&
	    !strcmp(s->collection, "charge_automatically"))
		return SUBS_ATTN_FAILED;
	if (!strcmp(s->status, "trialing") && s->trial_end > 0 && s->trial_end - now <= SUBS_TRIAL_SOON)
		return SUBS_ATTN_TRIAL_SOON;
	return SUBS_ATTN_NONE;
}

#define SUB_COLS                                                                             \
	"s.id, s.stripe_id, s.customer_id, s.product_id, s.price_id, s.item_id, s.client_id,"  \
	" COALESCE(c.name, s.customer_id), COALESCE(p.name, s.product_id), s.status,"        \
	" s.quantity, s.amount, s.currency, s.interval, s.interval_count, s.collection,"     \
	" s.current_period_end, s.trial_end, s.cancel_at, s.canceled_at, s.created,"         \
	" s.cancel_at_period_end, s.paused, s.invoice_id, s.last_failure, s.invoice_status," \
	" s.payment_status, s.invoice_attempts, s.invoice_amount, s.synced_at, s.version"
#define SUB_FROM                                                                             \
	" FROM subscriptions s LEFT JOIN clients c ON c.id = s.client_id"                     \
	" LEFT JOIN plans p ON p.product_id = s.product_id"

static void read_row(sqlite3_stmt *st, struct subscription *s)
{
	s->id = sqlite3_column_int64(st, 0);
	s->stripe_id = dup_text(st, 1);
	s->customer_id = dup_text(st, 2);
	s->product_id = dup_text(st, 3);
	s->price_id = dup_text(st, 4);
	s->item_id = dup_text(st, 5);
	s->client_id = sqlite3_column_int64(st, 6);
	s->client_name = dup_text(st, 7);
	s->plan_name = dup_text(st, 8);
	copy_col(st, 9, s->status, sizeof s->status);
	s->quantity = sqlite3_column_int(st, 10);
	s->amount = sqlite3_column_int64(st, 11);
	copy_col(st, 12, s->currency, sizeof s->currency);
	copy_col(st, 13, s->interval, sizeof s->interval);
	s->interval_count = sqlite3_column_int(st, 14);
	copy_col(st, 15, s->collection, sizeof s->collection);
	s->current_period_end = sqlite3_column_int64(st, 16);
	s->trial_end = sqlite3_column_int64(st, 17);
	s->cancel_at = sqlite3_column_int64(st, 18);
	s->canceled_at = sqlite3_column_int64(st, 19);
	s->created = sqlite3_column_int64(st, 20);
	s->cancel_at_period_end = sqlite3_column_int(st, 21) != 0;
	s->paused = sqlite3_column_int(st, 22) != 0;
	s->invoice_id = dup_text(st, 23);
	s->last_failure = dup_text(st, 24);
	copy_col(st, 25, s->invoice_status, sizeof s->invoice_status);
	copy_col(st, 26, s->payment_status, sizeof s->payment_status);
	s->invoice_attempts = sqlite3_column_int(st, 27);
	s->invoice_amount = sqlite3_column_int64(st, 28);
	s->synced_at = sqlite3_column_int64(st, 29);
	s->version = sqlite3_column_int64(st, 30);
}

int subs_store_put(sqlite3 *db, const struct subscription *s, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(
		db,
		"INSERT INTO subscriptions (stripe_id, client_id, customer_id, product_id, price_id,"
		" item_id, status, quantity, amount, currency, interval, interval_count, collection,"
		" current_period_end, trial_end, cancel_at_period_end, cancel_at, canceled_at, paused,"
		" invoice_id, invoice_status, invoice_attempts, invoice_amount, payment_status,"
		" last_failure, created, synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
		" ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)"
		" ON CONFLICT(stripe_id) DO UPDATE SET client_id = ?2, customer_id = ?3,"
		" product_id = ?4, price_id = ?5, item_id = ?6, status = ?7, quantity = ?8,"
		" amount = ?9, currency = ?10, interval = ?11, interval_count = ?12,"
		" collection = ?13, current_period_end = ?14, trial_end = ?15,"
		" cancel_at_period_end = ?16, cancel_at = ?17, canceled_at = ?18, paused = ?19,"
		" invoice_id = ?20, invoice_status = ?21, invoice_attempts = ?22,"
		" invoice_amount = ?23, payment_status = ?24, last_failure = ?25, created = ?26,"
		" synced_at = ?27, version = version + 1",
		&st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, nz(s->stripe_id), -1, SQLITE_TRANSIENT);
	if (s->client_id > 0)
		sqlite3_bind_int64(st, 2, s->client_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, nz(s->customer_id), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, nz(s->product_id), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, nz(s->price_id), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, nz(s->item_id), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, s->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 8, s->quantity);
	sqlite3_bind_int64(st, 9, s->amount);
	sqlite3_bind_text(st, 10, s->currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, s->interval, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 12, s->interval_count);
	sqlite3_bind_text(st, 13, s->collection[0] ? s->collection : "charge_automatically", -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 14, s->current_period_end);
	sqlite3_bind_int64(st, 15, s->trial_end);
	sqlite3_bind_int(st, 16, s->cancel_at_period_end);
	sqlite3_bind_int64(st, 17, s->cancel_at);
	sqlite3_bind_int64(st, 18, s->canceled_at);
	sqlite3_bind_int(st, 19, s->paused);
	sqlite3_bind_text(st, 20, nz(s->invoice_id), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 21, s->invoice_status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 22, s->invoice_attempts);
	sqlite3_bind_int64(st, 23, s->invoice_amount);
	sqlite3_bind_text(st, 24, s->payment_status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 25, nz(s->last_failure), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 26, s->created);
	sqlite3_bind_int64(st, 27, s->synced_at ? s->synced_at : (int64_t)time(NULL));
	rc = sqlite3_step(st) == SQLITE_DONE ? PD_OK : db_fail(db, "saving a subscription", err);
	sqlite3_finalize(st);
	return rc;
}

static int cmp_rows(const void *a, const void *b, int64_t now)
{
	const struct subscription *x = a, *y = b;
	int ax = subs_attention(x, now) != SUBS_ATTN_NONE, ay = subs_attention(y, now) != SUBS_ATTN_NONE;
	if (ax != ay)
		return ay - ax;
	int64_t nx = x->current_period_end ? x->current_period_end : INT64_MAX;
	int64_t ny = y->current_period_end ? y->current_period_end : INT64_MAX;
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void sort_rows(struct subscription *v, size_t n, int64_t now)
{
	/* Insertion sort: lists are small, and qsort has no context argument. */
	for (size_t i = 1; i < n; i++) {
		struct subscription t = v[i];
		size_t j = i;
		while (j > 0 && cmp_rows(&v[j - 1], &t, now) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
}

int subs_store_list(sqlite3 *db, const struct subs_filter *f, struct subscription **out, size_t *n,
		    struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	const char *status = f && f->status ? f->status : "";
	bool attention = strcmp(status, "attention") == 0;
	int64_t now = f && f->now ? f->now : (int64_t)time(NULL);
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT " SUB_COLS SUB_FROM
			    " WHERE (?1 = '' OR ?1 = 'attention' OR s.status = ?1)"
			    " AND (?2 = '' OR s.product_id = ?2) AND (?3 = 0 OR s.client_id = ?3)"
			    " AND (?4 OR ?1 <> '' OR s.status NOT IN ('canceled', 'incomplete_expired'))",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, f && f->product_id ? f->product_id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, f ? f->client_id : 0);
	sqlite3_bind_int(st, 4, f && f->with_ended);
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			struct subscription *grown = realloc(*out, cap * sizeof **out);
			if (!grown) {
				sqlite3_finalize(st);
				subs_free_list(out, *n);
				*n = 0;
				return pd_error_set(err, PD_ERR, "out of memory");
			}
			*out = grown;
		}
		struct subscription *s = &(*out)[*n];
		read_row(st, s);
		if (attention && subs_attention(s, now) == SUBS_ATTN_NONE)
			subscription_free(s);
		else
			(*n)++;
	}
	rc = rc == SQLITE_DONE ? PD_OK : db_fail(db, "listing subscriptions", err);
	sqlite3_finalize(st);
	if (!rc)
		sort_rows(*out, *n, now);
	return rc;
}

/* For db_read_one, which sees rows as void *. */
static int read_any(sqlite3_stmt *st, void *p)
{
	read_row(st, p);
	return 0;
}

/* Found neither by id nor by Stripe id: the local copy lags Stripe. */
#define NOT_SYNCED "no such subscription (sync from Stripe)"

int subs_store_get(sqlite3 *db, int64_t id, struct subscription *out, struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	return db_read_one(db, "SELECT " SUB_COLS SUB_FROM " WHERE s.id = ?", id, NULL, read_any,
			   NULL, out, "reading a subscription", err, NOT_SYNCED);
}

int subs_store_find(sqlite3 *db, const char *stripe_id, struct subscription *out,
		    struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	return db_read_one(db, "SELECT " SUB_COLS SUB_FROM " WHERE s.stripe_id = ?", 0, stripe_id,
			   read_any, NULL, out, "reading a subscription", err, NOT_SYNCED);
}

static int read_customer(sqlite3_stmt *st, void *p)
{
	char **id = p;
	*id = dup_text(st, 0);
	return *id ? 0 : -1;
}

static void free_customer(void *p)
{
	free(*(char **)p);
}

int subs_store_customers(sqlite3 *db, char ***ids, size_t *n, struct pd_error *err)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "SELECT stripe_customer_id FROM clients WHERE stripe_customer_id IS NOT"
			    " NULL AND stripe_customer_id <> '' ORDER BY id",
			    &st, err);
	if (rc)
		return rc;
	void *rows;
	rc = db_read_rows(db, st, sizeof **ids, read_customer, free_customer, &rows, n,
			  "listing Stripe customers", err);
	*ids = rows;
	return rc;
}

int subs_store_client_billing(sqlite3 *db, const char *customer_id, size_t max,
			      struct subs_billing_row **out, size_t *n, struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	if (!customer_id || !*customer_id || !max)
		return PD_OK;
	sqlite3_stmt *st;
	/* history_customer (customer_id, created) serves this; payments of
	 * invoices count too, since their invoice may not be expanded. */
	int rc = db_prepare(db,
			    "SELECT stripe_id, type, created, amount, currency, status,"
			    " COALESCE(subscription_id, '') FROM history"
			    " WHERE customer_id = ?1 AND (subscription_id IS NOT NULL"
			    "  OR (type = 'payment' AND invoice_id IS NOT NULL))"
			    " ORDER BY created DESC, id DESC LIMIT ?2",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, customer_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	*out = calloc(max, sizeof **out);
	if (!*out) {
		sqlite3_finalize(st);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct subs_billing_row *r = &(*out)[(*n)++];
		copy_col(st, 0, r->stripe_id, sizeof r->stripe_id);
		copy_col(st, 1, r->type, sizeof r->type);
		r->created = sqlite3_column_int64(st, 2);
		r->amount = sqlite3_column_int64(st, 3);
		copy_col(st, 4, r->currency, sizeof r->currency);
		copy_col(st, 5, r->status, sizeof r->status);
		copy_col(st, 6, r->subscription_id, sizeof r->subscription_id);
	}
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? PD_OK
						   : db_fail(db, "listing subscription invoices", err);
	sqlite3_finalize(st);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
