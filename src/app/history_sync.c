#include "paydesk/history_sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/log.h"

/* What is pulled, in this order: balance transactions and refunds after
 * the payments they belong to, so fee/net and refunds fold into a row. */
static const struct sync_object {
	const char *name;
	const char *path;
	const char *expand; /* or NULL */
} objects[] = {
	{"payment_intents", "/v1/payment_intents", "data.latest_charge.balance_transaction"},
	{"refunds", "/v1/refunds", NULL},
	{"invoices", "/v1/invoices", NULL},
	{"balance_transactions", "/v1/balance_transactions", NULL},
};

/* The cursor kept in sync_state: "since high after" — the lower created
 * bound of this pass, the newest created seen so far in it, and the id to
 * page on from ("-" at the start of a pass). */
struct cursor {
	int64_t since, high;
	char after[128];
};

static void cursor_parse(const char *text, struct cursor *c)
{
	memset(c, 0, sizeof *c);
	strcpy(c->after, "-");
	if (text)
		sscanf(text, "%" SCNd64 " %" SCNd64 " %127s", &c->since, &c->high, c->after);
}

static void cursor_format(const struct cursor *c, char *out, size_t len)
{
	snprintf(out, len, "%" PRId64 " %" PRId64 " %s", c->since, c->high,
		 c->after[0] ? c->after : "-");
}

static int sync_object(sqlite3 *db, struct stripe_client *client, const char *key,
		       const char *account, bool full, const struct sync_object *o,
		       history_sync_progress_fn progress, void *ctx, const atomic_bool *cancel,
		       struct history_sync_stats *stats, struct pd_error *err)
{
	char *text = NULL;
	int64_t synced_at = 0;
	int rc = history_sync_get(db, o->name, &text, &synced_at, err);
	if (rc)
		return rc;
	struct cursor c;
	cursor_parse(full ? NULL : text, &c);
	free(text);
	long records = 0;
	for (;;) {
		if (cancel && atomic_load(cancel))
			return pd_error_set(err, PD_ERR, "sync interrupted; the next sync resumes "
							 "where this one stopped");
		struct stripe_params *p = stripe_params_new();
		if (!p)
			return pd_error_set(err, PD_ERR, "out of memory");
		stripe_params_add_int(p, "limit", 100);
		if (c.since > 0)
			stripe_params_add_int(p, "created[gte]", c.since);
		if (strcmp(c.after, "-") != 0)
			stripe_params_add(p, "starting_after", c.after);
		if (o->expand)
			stripe_params_add(p, "expand[]", o->expand);
		struct stripe_request req = {.method = STRIPE_GET, .path = o->path, .params = p,
					     .key = key, .account = account, .cancel = cancel};
		struct stripe_response resp;
		rc = stripe_client_send(client, &req, &resp, err);
		stripe_params_free(&p);
		if (rc) {
			stripe_response_clear(&resp);
			return rc;
		}
		json_t *data = json_object_get(resp.json, "data");
		size_t n = json_array_size(data);
		bool more = json_is_true(json_object_get(resp.json, "has_more")) && n > 0;
		for (size_t i = 0; i < n; i++) {
			json_int_t created = json_integer_value(json_object_get(json_array_get(data, i),
										 "created"));
			if (created > c.high)
				c.high = created;
		}
		if (n > 0) {
			const char *last = json_string_value(
				json_object_get(json_array_get(data, n - 1), "id"));
			snprintf(c.after, sizeof c.after, "%s", last ? last : "-");
		}
		char next[256];
		cursor_format(&c, next, sizeof next);
		rc = history_ingest_page(db, resp.json, resp.request_id, o->name, next,
					 &stats->ingest, err);
		stripe_response_clear(&resp);
		if (rc)
			return rc;
		stats->pages++;
		stats->records += (long)n;
		records += (long)n;
		if (progress)
			progress(ctx, o->name, records);
		if (!more)
			break;
	}
	/* The pass is complete: the next one asks only for what came since
	 * (the same second again: ingest is idempotent, and Stripe orders
	 * objects of one second arbitrarily). */
	struct cursor done = {.since = c.high > 0 ? c.high : c.since, .high = 0};
	strcpy(done.after, "-");
	char final[256];
	cursor_format(&done, final, sizeof final);
	return history_sync_done(db, o->name, final, err);
}

int history_sync_run(sqlite3 *db, struct stripe_client *client, const char *key,
		     const char *account, bool full, history_sync_progress_fn progress, void *ctx,
		     const atomic_bool *cancel, struct history_sync_stats *stats,
		     struct pd_error *err)
{
	memset(stats, 0, sizeof *stats);
	for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
		int rc = sync_object(db, client, key, account, full, &objects[i], progress, ctx,
				     cancel, stats, err);
		if (rc)
			return rc;
	}
	log_msg(LOG_INFO, "history sync: %ld records in %ld pages (%ld new, %ld changed)",
		stats->records, stats->pages, stats->ingest.inserted, stats->ingest.updated);
	return PD_OK;
}
