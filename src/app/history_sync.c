#include "paydesk/history_sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/db.h"
#include "paydesk/log.h"
#include "paydesk/strset.h"

/* What is pulled, in this order: customers first, so that payments whose
 * customer comes as a bare id get a name; balance transactions, refunds and
 * disputes after the payments they belong to, so fee/net, refunds and a
 * dispute's state fold into a row. */
static const struct sync_object {
	const char *name;
	const char *path;
	const char *expand; /* or NULL */
	const char *permission; /* not NULL: a key without it skips this type, and says so */
	bool bulk; /* ingest never looks up by amount, customer or charge (history_writer_bulk) */
} objects[] = {
	{"customers", "/v1/customers", NULL, NULL, false},
	{"payment_intents", "/v1/payment_intents", "data.latest_charge.balance_transaction", NULL,
	 true},
	{"refunds", "/v1/refunds", NULL, NULL, true},
	{"invoices", "/v1/invoices", NULL, NULL, true},
	{"balance_transactions", "/v1/balance_transactions", NULL, NULL, false},
	{"disputes", "/v1/disputes", NULL, "Disputes: Read", false},
};

/* Changes to objects created before the last sync (a refund or dispute on
 * an old payment, an invoice paid late, a customer renamed). At most 20
 * types a request. */
static const char *const event_types[] = {
	"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
	"payment_intent.processing", "charge.refunded", "charge.refund.updated",
	"charge.dispute.created", "charge.dispute.closed", "charge.dispute.funds_withdrawn",
	"charge.dispute.funds_reinstated", "refund.created", "refund.updated", "refund.failed",
	"invoice.paid", "invoice.payment_failed", "invoice.voided", "invoice.marked_uncollectible",
	"invoice.updated", "customer.created", "customer.updated",
};

#define EVENTS "events"
/* Stripe keeps events for 30 days; an hour of margin for clocks and the run itself. */
#define EVENTS_KEPT (30 * 86400 - 3600)

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

struct run {
	sqlite3 *db;
	struct stripe_client *client;
	const char *key, *account;
	history_sync_progress_fn progress;
	void *ctx;
	const atomic_bool *cancel;
	struct history_sync_stats *stats;
	struct pd_error *err;
	int step, steps;  /* for the progress: the object type being pulled, of how many */
	long http_status; /* of the last request */
	bool no_feed;     /* the key may not read events */
};

static bool cancelled(struct run *r)
{
	return r->cancel && atomic_load(r->cancel);
}

static int interrupted(struct run *r)
{
	return pd_error_set(r->err, PD_ERR, "sync interrupted; the next sync resumes where this "
					    "one stopped");
}

static int get_as(struct run *r, const char *path, struct stripe_params *p, bool raw_body,
		  struct stripe_response *resp)
{
	struct stripe_request req = {.method = STRIPE_GET, .path = path, .params = p,
				     .key = r->key, .account = r->account, .cancel = r->cancel,
				     .raw_body = raw_body};
	int rc = stripe_client_send(r->client, &req, resp, r->err);
	r->http_status = resp->http_status;
	if (rc)
		stripe_response_clear(resp);
	return rc;
}

static int get(struct run *r, const char *path, struct stripe_params *p,
	       struct stripe_response *resp)
{
	return get_as(r, path, p, false, resp);
}

/* A restricted key without Events: Read (made before paydesk followed the
 * feed): the sync goes on without it, and says what to change. */
static bool feed_forbidden(struct run *r)
{
	if (r->http_status != 403)
		return false;
	r->no_feed = true;
	snprintf(r->stats->note, sizeof r->stats->note,
		 "the Stripe key may not read events (give it Events: Read), so changes to older "
		 "payments are only seen by paydesk sync --full");
	return true;
}

/* One object type, page by page: fetched and parsed here while the writer
 * thread stores the page before. */
static int sync_object(struct run *r, const struct sync_object *o)
{
	char *text = NULL;
	int64_t synced_at = 0;
	int rc = history_sync_get(r->db, o->name, &text, &synced_at, r->err);
	if (rc)
		return rc;
	struct cursor c;
	cursor_parse(text, &c);
	free(text);
	struct history_writer *w = NULL;
	if ((rc = history_writer_start(r->db, HISTORY_SYNC_PAGES_PER_COMMIT, &w, r->err)))
		return rc;
	/* the records themselves, looked up by Stripe id only: a first sync
	 * loads them without the random-order indexes (history_bulk.c) */
	if (o->bulk && (rc = history_writer_bulk(w, r->err))) {
		struct pd_error werr = {0};
		history_writer_finish(&w, NULL, &werr);
		return rc;
	}
	long records = 0;
	int64_t newest = 0, reached = 0;
	bool more = true;
	r->step++;
	while (more && !rc) {
		if (cancelled(r)) {
			rc = interrupted(r);
			break;
		}
		struct stripe_params *p = stripe_params_new();
		if (!p) {
			rc = pd_error_set(r->err, PD_ERR, "out of memory");
			break;
		}
		stripe_params_add_int(p, "limit", 100);
		if (c.since > 0)
			stripe_params_add_int(p, "created[gte]", c.since);
		if (strcmp(c.after, "-") != 0)
			stripe_params_add(p, "starting_after", c.after);
		if (o->expand)
			stripe_params_add(p, "expand[]", o->expand);
		struct stripe_response resp;
		/* the page's body is read without a JSON tree: a tenth of the cost */
		rc = get_as(r, o->path, p, true, &resp);
		stripe_params_free(&p);
		if (rc && o->permission && r->http_status == 403) {
			/* a key made before paydesk read this type: the rest still syncs */
			size_t used = strlen(r->stats->note);
			snprintf(r->stats->note + used, sizeof r->stats->note - used,
				 "%sthe Stripe key may not read %s (give it %s), so their state is "
				 "not shown",
				 used ? "; " : "", o->name, o->permission);
			struct pd_error werr = {0};
			int wrc = history_writer_finish(&w, &r->stats->ingest, &werr);
			if (wrc)
				*r->err = werr;
			return wrc;
		}
		if (rc)
			break;
		struct history_page page;
		rc = history_page_from_text(resp.body, resp.body_len, &page, r->err);
		if (rc && resp.request_id) {
			char said[sizeof r->err->msg];
			snprintf(said, sizeof said, "%s", r->err->msg);
			pd_error_set(r->err, rc, "%s (Request-Id %s)", said, resp.request_id);
		}
		if (rc) {
			stripe_response_clear(&resp);
			break;
		}
		more = page.has_more && page.n > 0;
		size_t n = page.n;
		for (size_t i = 0; i < n; i++)
			if (page.objs[i].created > c.high)
				c.high = page.objs[i].created;
		if (n > 0) {
			const char *last = page.objs[n - 1].stripe_id;
			snprintf(c.after, sizeof c.after, "%s", last ? last : "-");
			/* the page goes to the writer below: read what the progress needs first */
			int64_t oldest = page.objs[n - 1].created;
			if (!newest)
				newest = c.high;
			if (oldest > 0 && (!reached || oldest < reached))
				reached = oldest;
		}
		char next[256];
		cursor_format(&c, next, sizeof next);
		rc = history_writer_push(w, &page, resp.request_id, o->name, next, r->err);
		stripe_response_clear(&resp);
		if (rc)
			break;
		r->stats->pages++;
		r->stats->records += (long)n;
		records += (long)n;
		if (r->progress) {
			struct history_sync_step step = {o->name, r->step, r->steps, records,
							 newest, reached, c.since};
			r->progress(r->ctx, &step);
		}
	}
	struct pd_error werr = {0};
	int wrc = history_writer_finish(&w, &r->stats->ingest, &werr);
	if (wrc && !rc) {
		*r->err = werr;
		rc = wrc;
	}
	if (rc)
		return rc;
	/* The pass is complete: the next one asks only for what came since
	 * (the same second again: ingest is idempotent, and Stripe orders
	 * objects of one second arbitrarily). */
	struct cursor done = {.since = c.high > 0 ? c.high : c.since, .high = 0};
	strcpy(done.after, "-");
	char final[256];
	cursor_format(&done, final, sizeof final);
	return history_sync_done(r->db, o->name, final, r->err);
}

/* ---- the events feed ------------------------------------------------------------ */

/* The newest event's time, where the events feed of the next sync starts
 * (taken before a full pass, so that nothing changed during it is missed). */
static int events_mark(struct run *r, int64_t *mark)
{
	struct stripe_params *p = stripe_params_new();
	if (!p)
		return pd_error_set(r->err, PD_ERR, "out of memory");
	stripe_params_add_int(p, "limit", 1);
	struct stripe_response resp;
	int rc = get(r, "/v1/events", p, &resp);
	stripe_params_free(&p);
	if (rc && feed_forbidden(r)) {
		*mark = 0;
		return PD_OK;
	}
	if (rc)
		return rc;
	json_t *first = json_array_get(json_object_get(resp.json, "data"), 0);
	*mark = first ? (int64_t)json_integer_value(json_object_get(first, "created"))
		      : (int64_t)time(NULL) - 3600;
	stripe_response_clear(&resp);
	return PD_OK;
}

/* Ids seen in this pass (a strset): the feed is newest first, so the
 * first event of an object carries its latest state and older ones are
 * skipped. */
static bool idset_add(struct strset *s, const char *id)
{
	bool added = false;
	strset_add(s, id, &added);
	return added;
}

/* The PaymentIntent an event is about, for payment, charge and dispute events. */
static const char *event_payment_intent(const char *type, json_t *obj)
{
	if (strncmp(type, "payment_intent.", 15) == 0)
		return json_string_value(json_object_get(obj, "id"));
	json_t *pi = json_object_get(obj, "payment_intent");
	if (json_is_object(pi))
		pi = json_object_get(pi, "id");
	return json_string_value(pi);
}

/* Re-fetch a changed payment with its charge and balance transaction (an
 * event carries the PaymentIntent alone, or only its charge). */
static int refetch_payment(struct run *r, struct history_writer *w, const char *id)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/payment_intents/%s", id);
	struct stripe_params *p = stripe_params_new();
	if (!p)
		return pd_error_set(r->err, PD_ERR, "out of memory");
	stripe_params_add(p, "expand[]", "latest_charge.balance_transaction");
	struct stripe_response resp;
	int rc = get(r, path, p, &resp);
	stripe_params_free(&p);
	if (rc)
		return rc;
	json_t *one = json_array();
	json_array_append(one, resp.json);
	struct history_page page;
	rc = history_page_from_json(one, &page, r->err);
	json_decref(one);
	if (!rc)
		rc = history_writer_push(w, &page, resp.request_id, NULL, NULL, r->err);
	stripe_response_clear(&resp);
	return rc;
}

/* An event's data.object is in the API version the account had when the
 * event was created (the event's api_version), not in the one paydesk pins:
 * on an account opened since 2025 an invoice there has no payment_intent,
 * charge or subscription. Only an object in the pinned shape is read as it
 * came; any other is fetched by id, in the pinned version. */
static bool event_trusted(json_t *evt)
{
	const char *v = json_string_value(json_object_get(evt, "api_version"));
	return v && strcmp(v, STRIPE_API_VERSION) == 0;
}

#define REFETCH "paydesk_refetch" /* marks a stand-in for an object to fetch by id */

/* A stand-in for an object whose event came in another API version. */
static json_t *refetch_mark(const char *kind, const char *id)
{
	return json_pack("{s:s, s:s, s:b}", "object", kind, "id", id, REFETCH, 1);
}

/* The object a stand-in names, as GET /v1/<kind>s/<id> gives it (pinned
 * version); NULL and no error when Stripe no longer has it (a deleted
 * draft invoice). */
static int refetch_object(struct run *r, json_t *mark, json_t **out)
{
	*out = NULL;
	const char *id = json_string_value(json_object_get(mark, "id"));
	/* an id goes into the URL's path: Stripe's are letters, digits and _ */
	size_t len = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	if (len == 0 || id[len] || len > 128) {
		log_msg(LOG_WARN, "history sync: an event named an object id that is not Stripe's; "
				  "skipped");
		return PD_OK;
	}
	char path[192];
	snprintf(path, sizeof path, "/v1/%ss/%s",
		 json_string_value(json_object_get(mark, "object")), id);
	struct stripe_response resp;
	int rc = get(r, path, NULL, &resp);
	if (rc && r->http_status == 404) {
		log_msg(LOG_INFO, "history sync: %s is gone from Stripe; not updated", path);
		return PD_OK;
	}
	if (rc)
		return rc;
	*out = json_incref(resp.json);
	r->stats->refetched++;
	stripe_response_clear(&resp);
	return PD_OK;
}

/* Everything that changed since the events cursor: refunds, invoices and
 * customers as the events carry them (when in the pinned version; fetched
 * by id otherwise), payments re-fetched whole. */
static int sync_events(struct run *r, int64_t since)
{
	struct history_writer *w = NULL;
	int rc = history_writer_start(r->db, HISTORY_SYNC_PAGES_PER_COMMIT, &w, r->err);
	if (rc)
		return rc;
	struct strset seen = {0};
	json_t *objs = json_array(); /* refunds, invoices, customers, disputes: latest state */
	struct strset payments = {0};
	char after[128] = "";
	int64_t newest = since;
	bool more = true;
	while (more && !rc) {
		if (cancelled(r)) {
			rc = interrupted(r);
			break;
		}
		struct stripe_params *p = stripe_params_new();
		if (!p) {
			rc = pd_error_set(r->err, PD_ERR, "out of memory");
			break;
		}
		stripe_params_add_int(p, "limit", 100);
		stripe_params_add_int(p, "created[gte]", since);
		for (size_t i = 0; i < sizeof event_types / sizeof event_types[0]; i++)
			stripe_params_add(p, "types[]", event_types[i]);
		if (after[0])
			stripe_params_add(p, "starting_after", after);
		struct stripe_response resp;
		rc = get(r, "/v1/events", p, &resp);
		stripe_params_free(&p);
		if (rc && feed_forbidden(r)) {
			rc = PD_OK;
			break;
		}
		if (rc)
			break;
		json_t *data = json_object_get(resp.json, "data");
		more = json_is_true(json_object_get(resp.json, "has_more")) && json_array_size(data);
		size_t i;
		json_t *evt;
		json_array_foreach(data, i, evt)
		{
			const char *type = json_string_value(json_object_get(evt, "type"));
			json_t *obj = json_object_get(json_object_get(evt, "data"), "object");
			int64_t created = (int64_t)json_integer_value(json_object_get(evt, "created"));
			const char *eid = json_string_value(json_object_get(evt, "id"));
			if (eid)
				snprintf(after, sizeof after, "%s", eid);
			if (created > newest)
				newest = created;
			if (!type || !json_is_object(obj))
				continue;
			r->stats->events++;
			const char *pi = event_payment_intent(type, obj);
			const char *kind = json_string_value(json_object_get(obj, "object"));
			const char *id = json_string_value(json_object_get(obj, "id"));
			bool dispute = kind && strcmp(kind, "dispute") == 0;
			bool payment = pi && (strncmp(type, "payment_intent.", 15) == 0 ||
					      strncmp(type, "charge.", 7) == 0);
			if (payment)
				idset_add(&payments, pi);
			if (dispute && id && idset_add(&seen, id)) {
				/* its status and evidence deadline, before its payment is fetched */
				if (event_trusted(evt))
					json_array_append(objs, obj);
				else
					json_array_append_new(objs, refetch_mark(kind, id));
			} else if (!dispute && !payment && kind && id &&
				   (strcmp(kind, "refund") == 0 || strcmp(kind, "invoice") == 0 ||
				    strcmp(kind, "customer") == 0) &&
				   idset_add(&seen, id)) {
				if (event_trusted(evt))
					json_array_append(objs, obj);
				else
					json_array_append_new(objs, refetch_mark(kind, id));
			}
		}
		stripe_response_clear(&resp);
		if (r->progress) {
			struct history_sync_step step = {EVENTS, r->steps, r->steps, r->stats->events,
							 0, 0, 0};
			r->progress(r->ctx, &step);
		}
	}
	if (!rc && json_array_size(objs)) {
		/* oldest first: customers before the records that take their names */
		json_t *ordered = json_array();
		for (size_t k = json_array_size(objs); k-- > 0 && !rc;) {
			json_t *o = json_array_get(objs, k), *fetched = NULL;
			if (!json_is_true(json_object_get(o, REFETCH)))
				json_array_append(ordered, o);
			else if (cancelled(r))
				rc = interrupted(r);
			else if (!(rc = refetch_object(r, o, &fetched)) && fetched)
				json_array_append_new(ordered, fetched);
		}
		struct history_page page;
		if (!rc)
			rc = history_page_from_json(ordered, &page, r->err);
		json_decref(ordered);
		if (!rc)
			rc = history_writer_push(w, &page, NULL, NULL, NULL, r->err);
		r->stats->records += (long)json_array_size(objs);
	}
	for (size_t k = 0; k < payments.n && !rc; k++) {
		if (cancelled(r)) {
			rc = interrupted(r);
			break;
		}
		rc = refetch_payment(r, w, payments.items[k]);
		r->stats->records++;
	}
	json_decref(objs);
	strset_free(&seen);
	strset_free(&payments);
	struct pd_error werr = {0};
	int wrc = history_writer_finish(&w, &r->stats->ingest, &werr);
	if (wrc && !rc) {
		*r->err = werr;
		rc = wrc;
	}
	if (rc || r->no_feed)
		return rc;
	char cursor[64];
	snprintf(cursor, sizeof cursor, "%" PRId64, newest);
	return history_sync_done(r->db, EVENTS, cursor, r->err);
}

/* ---- one run ---------------------------------------------------------------------- */

/* The connection's settings, put back after the run. */
struct saved_pragmas {
	int synchronous, cache_size, autocheckpoint;
};

static int pragma_get(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

static void pragmas_restore(sqlite3 *db, const struct saved_pragmas *s)
{
	char sql[256];
	if (s->synchronous < 0 || s->cache_size == -1 || s->autocheckpoint < 0)
		return;
	snprintf(sql, sizeof sql,
		 "PRAGMA synchronous = %d; PRAGMA cache_size = %d; PRAGMA wal_autocheckpoint = %d",
		 s->synchronous, s->cache_size, s->autocheckpoint);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
}

int history_sync_run(sqlite3 *db, struct stripe_client *client, const char *key,
		     const char *account, unsigned flags, history_sync_progress_fn progress, void *ctx,
		     const atomic_bool *cancel, struct history_sync_stats *stats,
		     struct pd_error *err)
{
	memset(stats, 0, sizeof *stats);
	bool full = flags & HISTORY_SYNC_FULL;
	struct run r = {.db = db, .client = client, .key = key, .account = account,
			.progress = progress, .ctx = ctx, .cancel = cancel, .stats = stats, .err = err};
	char *events_cursor = NULL, *events_pending = NULL;
	int64_t events_at = 0, objects_at = 0;
	int rc = history_sync_state(db, EVENTS, &events_cursor, &events_pending, &events_at, err);
	if (!rc)
		rc = history_last_synced(db, &objects_at, err);
	if (rc)
		return rc;
	/* Changes to old objects come from the events feed while it reaches
	 * back to the last sync; beyond Stripe's 30 days, a full pass. */
	int64_t now = (int64_t)time(NULL);
	bool first = objects_at == 0 && !events_pending;
	if (!full && !first && !events_pending && events_cursor && now - events_at > EVENTS_KEPT) {
		full = true;
		stats->full_pass = true;
		snprintf(stats->note, sizeof stats->note,
			 "last synced %" PRId64 " days ago, beyond the 30 days of changes Stripe "
			 "keeps: a full pass instead",
			 (now - events_at) / 86400);
	} else if (!full && !first && !events_pending && !events_cursor) {
		/* synced before the events feed was followed: changes since then are unknown */
		full = true;
		stats->full_pass = true;
		snprintf(stats->note, sizeof stats->note,
			 "first sync with the events feed: a full pass to pick up earlier changes");
	}
	if (stats->note[0])
		log_msg(LOG_INFO, "history sync: %s", stats->note);
	struct saved_pragmas saved = {pragma_get(db, "PRAGMA synchronous"),
				      pragma_get(db, "PRAGMA cache_size"),
				      pragma_get(db, "PRAGMA wal_autocheckpoint")};
	sqlite3_exec(db, HISTORY_SYNC_PRAGMAS, NULL, NULL, NULL);
	/* a sync that stopped during a bulk load left indexes to build */
	if ((rc = history_indexes_ensure(db, err))) {
		pragmas_restore(db, &saved);
		return rc;
	}
	if (flags & HISTORY_SYNC_BESIDE_UI)
		sqlite3_exec(db, HISTORY_SYNC_BESIDE_UI_PRAGMAS, NULL, NULL, NULL);
	bool whole = full || first || events_pending;
	r.steps = (int)(sizeof objects / sizeof objects[0]) + (whole ? 0 : 1);
	/* A full pass forgets the created cursors: objects not reached when it
	 * is interrupted are still fetched whole when it resumes. */
	if (full)
		rc = history_sync_reset(db, err);
	if (!rc && whole && !events_pending) {
		/* where the feed starts next time, kept until the pass completes */
		int64_t mark = 0;
		rc = events_mark(&r, &mark);
		char text[32];
		snprintf(text, sizeof text, "%" PRId64, mark);
		if (!rc)
			rc = history_sync_pending_set(db, EVENTS, text, err);
	}
	for (size_t i = 0; !rc && i < sizeof objects / sizeof objects[0]; i++)
		rc = sync_object(&r, &objects[i]);
	if (!rc && whole) {
		char *pending = NULL, *cur = NULL;
		int64_t at = 0;
		rc = history_sync_state(db, EVENTS, &cur, &pending, &at, err);
		if (!rc)
			rc = history_sync_done(db, EVENTS, pending ? pending : cur, err);
		free(pending);
		free(cur);
	} else if (!rc) {
		rc = sync_events(&r, events_cursor ? strtoll(events_cursor, NULL, 10) : 0);
	}
	if (!rc) /* payouts and their transactions (payout_sync.c) */
		rc = payout_sync_run(db, client, key, account, cancel, &stats->payouts, err);
	if (!rc && stats->payouts.note[0]) {
		size_t used = strlen(stats->note);
		snprintf(stats->note + used, sizeof stats->note - used, "%s%s", used ? "; " : "",
			 stats->payouts.note);
	}
	pragmas_restore(db, &saved);
	/* The WAL a large run grew goes back to the database now, on this
	 * thread, rather than at the next payment's commit. Passive: it takes
	 * no lock a payment waits for, and stops at what readers still use;
	 * the file shrinks when the WAL is next reset (journal_size_limit). */
	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	free(events_cursor);
	free(events_pending);
	if (rc)
		return rc;
	log_msg(LOG_INFO,
		"history sync: %ld records in %ld pages, %ld events (%ld objects fetched: "
		"not in the pinned API version; %ld new, %ld changed)%s",
		stats->records, stats->pages, stats->events, stats->refetched, stats->ingest.inserted,
		stats->ingest.updated, stats->full_pass ? ", full pass" : "");
	return PD_OK;
}
