#include "paydesk/payout_sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paydesk/db.h"
#include "paydesk/history.h"
#include "paydesk/log.h"
#include "paydesk/payouts.h"

#define TXNS "payout_txns"
#define PAYOUTS "payouts"

struct prun {
	sqlite3 *db;
	struct stripe_client *client;
	const char *key, *account;
	const atomic_bool *cancel;
	struct payout_sync_stats *stats;
	struct pd_error *err;
	long http_status;
};

static bool cancelled(struct prun *r)
{
	return r->cancel && atomic_load(r->cancel);
}

static int interrupted(struct prun *r)
{
	return pd_error_set(r->err, PD_ERR, "sync interrupted; the next sync resumes where this "
					    "one stopped");
}

static int get(struct prun *r, const char *path, struct stripe_params *p,
	       struct stripe_response *resp)
{
	struct stripe_request req = {.method = STRIPE_GET, .path = path, .params = p,
				     .key = r->key, .account = r->account, .cancel = r->cancel};
	int rc = stripe_client_send(r->client, &req, resp, r->err);
	r->http_status = resp->http_status;
	if (rc)
		stripe_response_clear(resp);
	if (rc && cancelled(r)) /* said as the history sync says it */
		rc = interrupted(r);
	return rc;
}

/* A list's position: "since high after", as the history sync keeps its own. */
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

enum what { BALANCE_TXNS, PAYOUT_LIST, PAYOUT_TXNS };

/* One page's objects stored, with where to go on, in one transaction. */
static int store_page(struct prun *r, enum what w, json_t *data, const char *payout_id,
		      const char *name, const char *position, bool last)
{
	int rc = db_begin(r->db, r->err);
	size_t i;
	json_t *o;
	json_array_foreach(data, i, o)
	{
		if (rc)
			break;
		if (w == PAYOUT_LIST) {
			rc = payouts_put(r->db, o, r->err);
			r->stats->payouts++;
		} else {
			rc = payout_txn_put(r->db, o, payout_id, r->err);
			r->stats->txns++;
		}
	}
	if (!rc && w == PAYOUT_TXNS)
		rc = payout_txns_progress(r->db, payout_id, last ? NULL : position, last, r->err);
	else if (!rc)
		rc = history_sync_pending_set(r->db, name, position, r->err);
	if (rc) {
		db_rollback(r->db);
		return rc;
	}
	return db_commit(r->db, r->err);
}

/* Page through a list. For BALANCE_TXNS and PAYOUT_LIST, from the stored
 * cursor of name (created since the last pass); for PAYOUT_TXNS, the
 * transactions of payout_id from after. */
static int list_pass(struct prun *r, enum what w, const char *name, const char *payout_id,
		     const char *after)
{
	struct cursor c;
	int rc = PD_OK;
	if (w == PAYOUT_TXNS) {
		cursor_parse(NULL, &c);
		if (after && after[0])
			snprintf(c.after, sizeof c.after, "%s", after);
	} else {
		char *text = NULL;
		int64_t at = 0;
		if ((rc = history_sync_get(r->db, name, &text, &at, r->err)))
			return rc;
		cursor_parse(text, &c);
		free(text);
	}
	bool more = true;
	while (more && !rc) {
		if (cancelled(r))
			return interrupted(r);
		struct stripe_params *p = stripe_params_new();
		if (!p)
			return pd_error_set(r->err, PD_ERR, "out of memory");
		stripe_params_add_int(p, "limit", 100);
		if (w != PAYOUT_TXNS && c.since > 0)
			stripe_params_add_int(p, "created[gte]", c.since);
		if (w == PAYOUT_TXNS)
			stripe_params_add(p, "payout", payout_id);
		if (strcmp(c.after, "-") != 0)
			stripe_params_add(p, "starting_after", c.after);
		if (w != PAYOUT_LIST) /* what is behind each: payment, refund, dispute */
			stripe_params_add(p, "expand[]", "data.source");
		struct stripe_response resp;
		rc = get(r, w == PAYOUT_LIST ? "/v1/payouts" : "/v1/balance_transactions", p, &resp);
		stripe_params_free(&p);
		if (rc)
			return rc;
		json_t *data = json_object_get(resp.json, "data");
		size_t n = json_array_size(data);
		more = json_is_true(json_object_get(resp.json, "has_more")) && n > 0;
		for (size_t i = 0; i < n; i++) {
			int64_t created = (int64_t)json_integer_value(
				json_object_get(json_array_get(data, i), "created"));
			if (created > c.high)
				c.high = created;
		}
		if (n > 0) {
			const char *last = json_string_value(
				json_object_get(json_array_get(data, n - 1), "id"));
			snprintf(c.after, sizeof c.after, "%s", last ? last : "-");
		}
		char position[256];
		if (w == PAYOUT_TXNS)
			snprintf(position, sizeof position, "%s", c.after);
		else
			cursor_format(&c, position, sizeof position);
		rc = store_page(r, w, data, payout_id, name, position, !more);
		stripe_response_clear(&resp);
	}
	if (rc || w == PAYOUT_TXNS)
		return rc;
	/* complete: the next pass asks for what came since (the same second
	 * again; storing is idempotent) */
	struct cursor done = {.since = c.high > 0 ? c.high : c.since};
	strcpy(done.after, "-");
	char text[256];
	cursor_format(&done, text, sizeof text);
	return history_sync_done(r->db, name, text, r->err);
}

/* Payouts on their way: their status may have changed since. */
static int refresh_unsettled(struct prun *r)
{
	struct payout_todo *todo = NULL;
	size_t n = 0;
	int rc = payouts_unsettled(r->db, &todo, &n, r->err);
	for (size_t i = 0; !rc && i < n; i++) {
		if (cancelled(r)) {
			rc = interrupted(r);
			break;
		}
		char path[128];
		snprintf(path, sizeof path, "/v1/payouts/%s", todo[i].id);
		struct stripe_response resp;
		if ((rc = get(r, path, NULL, &resp)))
			break;
		rc = payouts_put(r->db, resp.json, r->err);
		r->stats->payouts++;
		stripe_response_clear(&resp);
	}
	free(todo);
	return rc;
}

/* Each payout's transactions: Stripe's list for an automatic one, paydesk's
 * attribution for a manual one (Stripe lists only its own transaction). */
static int payout_transactions(struct prun *r)
{
	struct payout_todo *todo = NULL;
	size_t n = 0;
	int rc = payouts_todo(r->db, &todo, &n, r->err);
	for (size_t i = 0; !rc && i < n; i++) {
		if (cancelled(r)) {
			rc = interrupted(r);
			break;
		}
		if (todo[i].automatic) {
			rc = list_pass(r, PAYOUT_TXNS, NULL, todo[i].id, todo[i].after);
			if (!rc)
				r->stats->attributed++;
			continue;
		}
		bool done = false;
		if ((rc = db_begin(r->db, r->err)))
			break;
		rc = payouts_attribute_manual(r->db, todo[i].id, &done, r->err);
		if (rc)
			db_rollback(r->db);
		else
			rc = db_commit(r->db, r->err);
		if (!rc && done)
			r->stats->attributed++;
	}
	free(todo);
	return rc;
}

int payout_sync_run(sqlite3 *db, struct stripe_client *client, const char *key,
		    const char *account, const atomic_bool *cancel, struct payout_sync_stats *stats,
		    struct pd_error *err)
{
	memset(stats, 0, sizeof *stats);
	struct prun r = {.db = db, .client = client, .key = key, .account = account,
			 .cancel = cancel, .stats = stats, .err = err};
	/* transactions first: a manual payout is attributed from those known */
	int rc = list_pass(&r, BALANCE_TXNS, TXNS, NULL, NULL);
	if (!rc)
		rc = refresh_unsettled(&r);
	if (!rc)
		rc = list_pass(&r, PAYOUT_LIST, PAYOUTS, NULL, NULL);
	if (rc && r.http_status == 403) {
		/* a key made before paydesk read payouts: the history is still synced */
		snprintf(stats->note, sizeof stats->note,
			 "the Stripe key may not read payouts or balance transactions (give it "
			 "Payouts: Read and Balance: Read), so payouts are not shown");
		log_msg(LOG_WARN, "payout sync: %s", stats->note);
		memset(err, 0, sizeof *err);
		return PD_OK;
	}
	if (!rc)
		rc = payout_transactions(&r);
	if (!rc)
		log_msg(LOG_INFO,
			"payout sync: %ld payouts, %ld balance transactions fetched; %ld payouts "
			"reconciled",
			stats->payouts, stats->txns, stats->attributed);
	return rc;
}
