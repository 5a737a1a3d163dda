#include "paydesk/stripe_error.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void stripe_error_clear(struct stripe_error *e)
{
	if (!e)
		return;
	free(e->type);
	free(e->code);
	free(e->decline_code);
	free(e->param);
	free(e->message);
	free(e->request_id);
	memset(e, 0, sizeof *e);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* A string member of obj, copied; NULL for absent, null or non-string. */
static char *member_string(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

void stripe_error_set_local(struct stripe_error *e, const char *request_id, const char *message)
{
	stripe_error_clear(e);
	e->request_id = dup_or_null(request_id);
	e->message = strdup(message);
}

int stripe_error_parse(struct stripe_error *e, long http_status, const char *body, size_t len,
                       const char *request_id)
{
	stripe_error_clear(e);
	e->http_status = http_status;
	e->request_id = dup_or_null(request_id);
	json_error_t jerr;
	json_t *root = body ? json_loadb(body, len, 0, &jerr) : NULL;
	char what[200];
	if (!root) {
		snprintf(what, sizeof what,
		         "Stripe answered HTTP %ld with a body that is not valid JSON",
		         http_status);
		e->message = strdup(what);
		return PD_ERR;
	}
	json_t *err = json_object_get(root, "error");
	int rc = PD_OK;
	if (json_is_object(err)) {
		e->type = member_string(err, "type");
		e->code = member_string(err, "code");
		e->decline_code = member_string(err, "decline_code");
		e->param = member_string(err, "param");
		e->message = member_string(err, "message");
		if (!e->message) {
			snprintf(what, sizeof what,
			         "Stripe answered HTTP %ld (%s) without a message", http_status,
			         e->type ? e->type : "no error type");
			e->message = strdup(what);
		}
	} else if (json_is_string(err)) {
		/* OAuth endpoints answer {"error": "invalid_grant", "error_description": …}. */
		e->code = strdup(json_string_value(err));
		e->message = member_string(root, "error_description");
		if (!e->message)
			e->message = strdup(json_string_value(err));
	} else {
		snprintf(what, sizeof what, "Stripe answered HTTP %ld without an error object",
		         http_status);
		e->message = strdup(what);
		rc = PD_ERR;
	}
	json_decref(root);
	return rc;
}

void stripe_error_format(const struct stripe_error *e, char *buf, size_t size)
{
	char where[96] = "";
	if (e->http_status && e->request_id)
		snprintf(where, sizeof where, " [HTTP %ld, %s]", e->http_status, e->request_id);
	else if (e->http_status)
		snprintf(where, sizeof where, " [HTTP %ld]", e->http_status);
	else if (e->request_id)
		snprintf(where, sizeof where, " [%s]", e->request_id);
	const char *what = e->code ? e->code : e->type;
	if (what && e->decline_code && strcmp(e->decline_code, what) != 0)
		snprintf(buf, size, "%s (%s): %s%s", what, e->decline_code,
		         e->message ? e->message : "", where);
	else if (what)
		snprintf(buf, size, "%s: %s%s", what, e->message ? e->message : "", where);
	else
		snprintf(buf, size, "%s%s", e->message ? e->message : "unknown error", where);
}
