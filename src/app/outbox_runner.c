#include "paydesk/outbox_runner.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/instances.h"
#include "paydesk/log.h"
#include "paydesk/stripe_objects.h"

/* What the row must say after a send. The rule that matters: anything that
 * may have run at Stripe without us reading the result stays open (unknown)
 * for a re-send with the same key; only a definite answer closes it. before
 * is the row's state ahead of this send: a row that was ever sent stays open
 * when this send did not reach Stripe, since an earlier one may have. */
static enum outbox_state state_after(const struct stripe_response *resp, enum outbox_state before)
{
	bool never_sent = before == OUTBOX_PENDING;
	switch (resp->outcome) {
	case STRIPE_OUTCOME_OK:
		return OUTBOX_DONE;
	case STRIPE_OUTCOME_API_ERROR: {
		long s = resp->http_status;
		/* 409/429: not run yet; 5xx: Stripe's own failure, state unclear. */
		if (s == 409 || s == 429 || s >= 500)
			return OUTBOX_UNKNOWN;
		return OUTBOX_FAILED;
	}
	case STRIPE_OUTCOME_NETWORK:
	case STRIPE_OUTCOME_CANCELLED:
		return resp->maybe_executed || !never_sent ? OUTBOX_UNKNOWN : OUTBOX_FAILED;
	case STRIPE_OUTCOME_BAD_BODY:
		return OUTBOX_UNKNOWN;
	case STRIPE_OUTCOME_REFUSED:
		break;
	}
	return never_sent ? OUTBOX_FAILED : OUTBOX_UNKNOWN;
}

static int record(sqlite3 *db, int64_t id, const struct stripe_response *resp,
                  enum outbox_state state, struct pd_error *err)
{
	struct stripe_object_ref ref = {0};
	if (resp->outcome == STRIPE_OUTCOME_OK)
		stripe_object_ref_read(resp->json, &ref, NULL);
	const struct stripe_error *e = &resp->error;
	struct outbox_result r = {
	    .state = state,
	    .attempts = resp->attempts,
	    .http_status = resp->http_status,
	    .request_id = resp->request_id,
	    .object_id = ref.id,
	    .object_status = ref.status,
	    .error_type = state == OUTBOX_DONE ? NULL : e->type,
	    .error_code = state == OUTBOX_DONE ? NULL : e->code,
	    .decline_code = state == OUTBOX_DONE ? NULL : e->decline_code,
	    .error_message = state == OUTBOX_DONE ? NULL : e->message,
	};
	int rc = outbox_record(db, id, &r, err);
	log_msg(state == OUTBOX_DONE ? LOG_INFO : LOG_WARN,
	        "outbox %lld: %s after %d attempt(s), HTTP %ld, %s %s", (long long)id,
	        outbox_state_name(state), resp->attempts, resp->http_status,
	        resp->request_id ? resp->request_id : "-", ref.id ? ref.id : "");
	stripe_object_ref_clear(&ref);
	return rc;
}

/* Send what row describes and record the outcome; the row is already committed. */
static int send_row(sqlite3 *db, struct stripe_client *c, const char *key,
                    const struct outbox_row *row, const atomic_bool *cancel,
                    enum outbox_state *state, struct stripe_response *resp, struct pd_error *err)
{
	enum stripe_method method;
	if (stripe_method_parse(row->method, &method))
		return pd_error_set(err, PD_ERR_USAGE, "outbox row %lld has method %s",
		                    (long long)row->id, row->method);
	int rc = outbox_mark_sent(db, row->id, err);
	if (rc)
		return rc; /* not sent: the row stays as it was */
	struct stripe_request req = {
	    .method = method,
	    .path = row->path,
	    .body = row->params,
	    .key = key,
	    .account = row->stripe_account,
	    .idempotency_key = row->idempotency_key,
	    .via_outbox = true,
	    .cancel = cancel,
	};
	struct pd_error send_err;
	int send_rc = stripe_client_send(c, &req, resp, &send_err);
	*state = state_after(resp, row->state);
	rc = record(db, row->id, resp, *state, err);
	if (rc)
		return rc; /* still "sent" in the store: recovery will finish it */
	if (send_rc && *state == OUTBOX_UNKNOWN) /* said first: a long reason may be cut */
		return pd_error_set(err, send_rc, OUTBOX_UNKNOWN_WORDS " (%s)", send_err.msg);
	if (send_rc)
		return pd_error_set(err, send_rc, "%s", send_err.msg);
	return PD_OK;
}

/* A create that recovery can look up by its marker once Stripe has
 * forgotten the Idempotency-Key: what it lists by (the parameter the
 * create names and the list filters on) and the list's fixed filters. */
struct lookup_rule {
	const char *path;     /* the create */
	const char *by;       /* its parameter naming the parent */
	const char *list_fmt; /* the GET's filters, %s the parent */
};

static const struct lookup_rule lookup_rules[] = {
	{"/v1/refunds", "payment_intent", "payment_intent=%s&limit=100"},
	{"/v1/subscriptions", "customer", "customer=%s&status=all&limit=100"},
};

static const struct lookup_rule *lookup_rule_for(const char *method, const char *path)
{
	for (size_t i = 0; i < sizeof lookup_rules / sizeof lookup_rules[0]; i++)
		if (!strcmp(method, "POST") && !strcmp(path, lookup_rules[i].path))
			return &lookup_rules[i];
	return NULL;
}

/* The call's parameters, encoded; a create recovery may have to look up
 * carries its own Idempotency-Key in its metadata (OUTBOX_MARKER). */
static char *with_marker(const struct outbox_call *call, const char *idem)
{
	char *params = stripe_params_encode(call->params);
	if (!params || !lookup_rule_for(stripe_method_name(call->method), call->path))
		return params;
	char *out = NULL;
	if (asprintf(&out, "%s%s" OUTBOX_MARKER "=%s", params, *params ? "&" : "", idem) < 0)
		out = NULL;
	free(params);
	return out;
}

int outbox_send(sqlite3 *db, struct stripe_client *c, const char *key,
                const struct outbox_call *call, const atomic_bool *cancel, int64_t *id,
                enum outbox_state *state, struct stripe_response *resp, struct pd_error *err)
{
	*id = 0;
	*state = OUTBOX_PENDING;
	memset(resp, 0, sizeof *resp);
	if (call->method == STRIPE_GET)
		return pd_error_set(err, PD_ERR_USAGE, "a GET moves no money: send it directly");
	struct outbox_row row = {
	    .method = (char *)stripe_method_name(call->method),
	    .path = (char *)call->path,
	    .stripe_account = (char *)call->account,
	};
	char idem[STRIPE_IDEMPOTENCY_KEY_SIZE];
	stripe_idempotency_key_new(idem);
	row.idempotency_key = idem;
	row.params = with_marker(call, idem);
	if (!row.params)
		return pd_error_set(err, PD_ERR, "out of memory");
	int rc = outbox_insert(db, idem, row.method, row.path, row.params, row.stripe_account,
	                       &row.id, err);
	if (!rc) {
		*id = row.id;
		rc = send_row(db, c, key, &row, cancel, state, resp, err);
	}
	free(row.params);
	return rc;
}

/* The object in a list page whose metadata carries marker, or NULL. */
static json_t *find_marked(json_t *page, const char *marker)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(page, "data"), i, o)
	{
		json_t *m = json_object_get(json_object_get(o, "metadata"), OUTBOX_MARKER_KEY);
		if (json_is_string(m) && !strcmp(json_string_value(m), marker))
			return o;
	}
	return NULL;
}

/* A row older than Stripe's idempotency window: a re-send could run it a
 * second time, so the object is looked up by the marker its create carried.
 * Found: the row is done with it (resp->json the object). Not found in the
 * whole list: the create never ran, and 23 h on it is not run now either —
 * the row fails, for the desk to do again if still wanted. PD_ERR_NOT_FOUND
 * when the row cannot be looked up (not a create of lookup_rules, or from
 * before markers); PD_ERR (the row stays open) when Stripe could not say. */
static int settle_by_lookup(sqlite3 *db, struct stripe_client *c, const char *key,
                            const struct outbox_row *row, enum outbox_state *state,
                            struct stripe_response *resp, struct pd_error *err)
{
	const struct lookup_rule *rule = lookup_rule_for(row->method, row->path);
	char *marker = rule ? outbox_param(row->params, OUTBOX_MARKER) : NULL;
	char *parent = marker ? outbox_param(row->params, rule->by) : NULL;
	if (!parent) {
		free(marker);
		return PD_ERR_NOT_FOUND;
	}
	char filters[300], after[128] = "";
	snprintf(filters, sizeof filters, rule->list_fmt, parent);
	free(parent);
	json_t *found = NULL;
	int rc = PD_OK;
	bool more = true;
	for (int page = 0; !found && more && page < 50; page++) {
		char query[600];
		snprintf(query, sizeof query, "%s%s%s", filters, after[0] ? "&starting_after=" : "",
		         after);
		struct stripe_request req = {.method = STRIPE_GET, .path = row->path, .body = query,
		                             .key = key, .account = row->stripe_account};
		stripe_response_clear(resp);
		rc = stripe_client_send(c, &req, resp, err);
		if (rc)
			break;
		found = find_marked(resp->json, marker);
		json_t *data = json_object_get(resp->json, "data");
		more = json_is_true(json_object_get(resp->json, "has_more")) && json_array_size(data);
		const char *last = json_string_value(
		    json_object_get(json_array_get(data, json_array_size(data) - 1), "id"));
		snprintf(after, sizeof after, "%s", last ? last : "");
		more = more && after[0];
	}
	free(marker);
	if (rc || (!found && more)) { /* Stripe could not say, or the list is longer than read */
		char why[sizeof err->msg];
		snprintf(why, sizeof why, "%s", rc && err ? err->msg : "the list is too long to read");
		*state = row->state;
		return pd_error_set(err, PD_ERR,
		                    "%s %s: Stripe has forgotten its idempotency key and could not "
		                    "be asked whether it ran (%s); left open",
		                    row->method, row->path, why);
	}
	struct outbox_result r = {.attempts = 0, .http_status = resp->http_status,
	                          .request_id = resp->request_id};
	if (found) {
		json_incref(found);
		json_decref(resp->json);
		resp->json = found;
		r.state = OUTBOX_DONE;
		r.object_id = json_string_value(json_object_get(found, "id"));
		r.object_status = json_string_value(json_object_get(found, "status"));
	} else {
		json_decref(resp->json);
		resp->json = NULL;
		resp->outcome = STRIPE_OUTCOME_API_ERROR;
		r.state = OUTBOX_FAILED;
		r.error_message = "not made: Stripe holds no object from this call, which is over 23 "
		                  "hours old; do it again if it is still wanted";
	}
	log_msg(LOG_INFO, "outbox %lld: past the idempotency window, looked up: %s",
	        (long long)row->id, found ? r.object_id : "never ran");
	*state = r.state;
	rc = outbox_record(db, row->id, &r, err);
	if (!rc && !found)
		rc = pd_error_set(err, PD_ERR, "%s", r.error_message);
	return rc;
}

int outbox_resend(sqlite3 *db, struct stripe_client *c, const char *key, int64_t id,
                  const atomic_bool *cancel, enum outbox_state *state, struct stripe_response *resp,
                  struct pd_error *err)
{
	memset(resp, 0, sizeof *resp);
	struct outbox_row row;
	int rc = outbox_get(db, id, &row, err);
	if (rc)
		return rc;
	*state = row.state;
	if (row.state == OUTBOX_DONE || row.state == OUTBOX_FAILED) {
		outbox_row_clear(&row);
		return PD_OK;
	}
	if ((int64_t)time(NULL) - row.created_at > OUTBOX_RESEND_MAX_AGE) {
		rc = settle_by_lookup(db, c, key, &row, state, resp, err);
		if (rc != PD_ERR_NOT_FOUND) {
			outbox_row_clear(&row);
			return rc;
		}
	}
	if ((int64_t)time(NULL) - row.created_at > OUTBOX_RESEND_MAX_AGE) {
		rc = pd_error_set(
		    err, PD_ERR_USAGE,
		    "%s %s was started over 23 hours ago and Stripe may have forgotten "
		    "its idempotency key; check the Stripe Dashboard before retrying it",
		    row.method, row.path);
		if (row.state != OUTBOX_UNKNOWN) {
			struct outbox_result r = {.state = OUTBOX_UNKNOWN,
			                          .error_message = err ? err->msg : NULL};
			outbox_record(db, id, &r, NULL);
			*state = OUTBOX_UNKNOWN;
		}
		outbox_row_clear(&row);
		return rc;
	}
	rc = send_row(db, c, key, &row, cancel, state, resp, err);
	outbox_row_clear(&row);
	return rc;
}

int outbox_recover(sqlite3 *db, struct stripe_client *c, const char *key, const atomic_bool *cancel,
                   struct outbox_resolution **list, size_t *n, struct pd_error *err)
{
	*list = NULL;
	*n = 0;
	if (!db_instance_alone(db))
		return pd_error_set(err, PD_ERR_CONFLICT, RECOVER_NOT_ALONE);
	struct outbox_row *rows;
	size_t nrows;
	int rc = outbox_list_unresolved(db, &rows, &nrows, err);
	if (rc || nrows == 0)
		return rc;
	*list = calloc(nrows, sizeof **list);
	if (!*list) {
		outbox_rows_free(&rows, nrows);
		return pd_error_set(err, PD_ERR, "out of memory");
	}
	for (size_t i = 0; i < nrows && !(cancel && atomic_load(cancel)); i++) {
		struct outbox_resolution *res = &(*list)[(*n)++];
		res->id = rows[i].id;
		res->method = strdup(rows[i].method);
		res->path = strdup(rows[i].path);
		res->before = rows[i].state;
		struct stripe_response resp;
		struct pd_error one;
		pd_error_clear(&one);
		int one_rc =
		    outbox_resend(db, c, key, rows[i].id, cancel, &res->after, &resp, &one);
		char line[600];
		if (res->after == OUTBOX_DONE) {
			struct stripe_object_ref ref = {0};
			if (resp.json && stripe_object_ref_read(resp.json, &ref, NULL) == PD_OK) {
				res->object_id = ref.id;
				ref.id = NULL;
			}
			snprintf(line, sizeof line, "%s %s resolved: %s%s%s", res->method,
			         res->path, res->object_id ? res->object_id : "done",
			         ref.status ? " " : "", ref.status ? ref.status : "");
			stripe_object_ref_clear(&ref);
		} else {
			snprintf(line, sizeof line, "%s %s is %s: %s", res->method, res->path,
			         outbox_state_name(res->after), one_rc ? one.msg : "no detail");
		}
		res->message = strdup(line);
		stripe_response_clear(&resp);
		/* A store failure stops recovery: later rows would fail the same way. */
		if (one_rc && one.code == PD_ERR_IO) {
			rc = pd_error_set(err, PD_ERR_IO, "%s", one.msg);
			break;
		}
	}
	outbox_rows_free(&rows, nrows);
	return rc;
}

void outbox_resolutions_free(struct outbox_resolution **list, size_t n)
{
	if (!list || !*list)
		return;
	for (size_t i = 0; i < n; i++) {
		free((*list)[i].method);
		free((*list)[i].path);
		free((*list)[i].object_id);
		free((*list)[i].message);
	}
	free(*list);
	*list = NULL;
}
