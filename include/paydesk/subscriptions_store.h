/* Storage of client subscriptions (table subscriptions, schema 7): the local
 * copy, with each one's latest invoice, that the Subscriptions screen shows
 * instantly and offline, and the billing rows paydesk sync keeps. The use
 * cases are in subscriptions.h, their worker jobs in subscriptions_job.h. */
#ifndef PAYDESK_SUBSCRIPTIONS_STORE_H
#define PAYDESK_SUBSCRIPTIONS_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

/* Trials ending within this many seconds stand out. */
#define SUBS_TRIAL_SOON (3 * 86400)

struct subscription {
	int64_t id;
	char *stripe_id, *customer_id, *product_id, *price_id, *item_id;
	int64_t client_id; /* 0 when no client has this customer */
	char *client_name; /* from clients (or the customer id); read only */
	char *plan_name;   /* from plans (or the product id); read only */
	char status[24];   /* trialing active past_due unpaid canceled incomplete
			      incomplete_expired paused */
	int quantity;
	int64_t amount; /* per period: unit amount × quantity */
	char currency[4];
	char interval[8];
	int interval_count;
	char collection[24]; /* charge_automatically | send_invoice */
	int64_t current_period_end, trial_end, cancel_at, canceled_at, created;
	bool cancel_at_period_end;
	bool paused; /* pause_collection set */
	/* The latest invoice. */
	char *invoice_id, *last_failure;
	char invoice_status[16]; /* draft open paid uncollectible void, or "" */
	char payment_status[24]; /* its PaymentIntent's status, or "" */
	int invoice_attempts;
	int64_t invoice_amount;
	int64_t synced_at, version;
};

void subscription_free(struct subscription *s);
void subs_free_list(struct subscription **list, size_t n);

/* What stands out on the screen. */
enum subs_attention {
	SUBS_ATTN_NONE,
	SUBS_ATTN_FAILED,      /* past_due / unpaid, or the latest invoice failed to charge */
	SUBS_ATTN_TRIAL_SOON,  /* trialing, ending within SUBS_TRIAL_SOON of now */
};
enum subs_attention subs_attention(const struct subscription *s, int64_t now);

/* ---- store -------------------------------------------------------------- */

/* Insert or update by s->stripe_id (id, names and version ignored). */
int subs_store_put(sqlite3 *db, const struct subscription *s, struct pd_error *err);

struct subs_filter {
	const char *status;     /* NULL or "": any; "attention": failed or trial soon */
	const char *product_id; /* NULL or "": any plan */
	int64_t client_id;      /* 0: any client */
	bool with_ended;        /* canceled and incomplete_expired too */
	int64_t now;            /* for "attention" (0: time(NULL)) */
};
/* Matching subscriptions: those needing attention first, then by next
 * billing date. *out heap. */
int subs_store_list(sqlite3 *db, const struct subs_filter *f, struct subscription **out, size_t *n,
		    struct pd_error *err);
int subs_store_get(sqlite3 *db, int64_t id, struct subscription *out, struct pd_error *err);
int subs_store_find(sqlite3 *db, const char *stripe_id, struct subscription *out,
		    struct pd_error *err);

/* Stripe customer ids of clients that have one (*ids heap array of heap
 * strings, free each and the array). */
int subs_store_customers(sqlite3 *db, char ***ids, size_t *n, struct pd_error *err);

/* A subscription invoice, or the payment of one, as the billing history
 * (paydesk sync) holds it. */
struct subs_billing_row {
	char stripe_id[64];
	char type[8]; /* invoice | payment */
	int64_t created, amount;
	char currency[4];
	char status[24];
	char subscription_id[64]; /* "" for a payment whose invoice was not expanded */
};

/* The newest max subscription invoices and their payments of one Stripe
 * customer, newest first (history table). *out heap. */
int subs_store_client_billing(sqlite3 *db, const char *customer_id, size_t max,
			      struct subs_billing_row **out, size_t *n, struct pd_error *err);

/* Every status Stripe uses, NULL-terminated (filters, validation). */
extern const char *const subs_statuses[];

#endif
