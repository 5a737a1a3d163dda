/* Terminal readers: list, register, choose for this desk, and (training)
 * tap a test card on a simulated one. See readers.h. */
#include "paydesk/readers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paydesk/audit.h"
#include "paydesk/customers.h"
#include "paydesk/db.h"
#include "paydesk/packages.h"
#include "paydesk/packages_store.h"
#include "paydesk/reader_holds.h"
#include "paydesk/settings.h"
#include "paydesk/stripe_account.h"
#include "payments_internal.h"

void readers_desk_name(char *out, size_t len)
{
	const char *env = getenv("PAYDESK_DESK");
	char host[256] = "";
	if (!env || !*env) {
		if (gethostname(host, sizeof host - 1) != 0 || !host[0])
			snprintf(host, sizeof host, "this desk");
		env = host;
	}
	/* a settings key and a line of text: printable ASCII and UTF-8 only */
	size_t j = 0;
	for (const unsigned char *s = (const unsigned char *)env; *s && j + 1 < len && j < 63; s++)
		out[j++] = *s < 0x20 || *s == 0x7f ? '_' : (char)*s;
	out[j] = '\0';
}

/* settings keys of this desk's reader */
static void desk_keys(char id_key[128], char label_key[128])
{
	char desk[64];
	readers_desk_name(desk, sizeof desk);
	snprintf(id_key, 128, "terminal_reader.%s", desk);
	snprintf(label_key, 128, "terminal_reader_label.%s", desk);
}

void readers_desk_reader(sqlite3 *db, char id[64], char label[128])
{
	char id_key[128], label_key[128];
	desk_keys(id_key, label_key);
	id[0] = label[0] = '\0';
	char *v = NULL;
	if (settings_get(db, id_key, &v, NULL) == PD_OK && v)
		pay_copy(id, 64, v);
	free(v);
	v = NULL;
	if (id[0] && settings_get(db, label_key, &v, NULL) == PD_OK && v)
		pay_copy(label, 128, v);
	free(v);
}

static void reader_from(json_t *o, struct reader_info *r)
{
	memset(r, 0, sizeof *r);
	pay_copy(r->id, sizeof r->id, pay_json_str(o, "id"));
	pay_copy(r->label, sizeof r->label, pay_json_str(o, "label"));
	pay_copy(r->status, sizeof r->status, pay_json_str(o, "status"));
	pay_copy(r->device_type, sizeof r->device_type, pay_json_str(o, "device_type"));
	pay_copy(r->location, sizeof r->location, pay_json_str(o, "location"));
	if (!r->label[0])
		pay_copy(r->label, sizeof r->label, r->id);
}

int readers_list(const struct pay_env *e, struct reader_info **out, size_t *n,
		 struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_int(p, "limit", READERS_MAX);
	struct stripe_response resp;
	int rc = pay_send(e, STRIPE_GET, "/v1/terminal/readers", p, &resp, err);
	stripe_params_free(&p);
	json_t *data = rc ? NULL : json_object_get(resp.json, "data");
	size_t count = json_array_size(data);
	if (count) {
		*out = calloc(count, sizeof **out);
		if (!*out)
			rc = pd_error_set(err, PD_ERR, "out of memory");
	}
	/* Stripe lists newest first: the desk reads them in the order registered */
	for (size_t i = 0; !rc && i < count; i++)
		reader_from(json_array_get(data, count - 1 - i), &(*out)[(*n)++]);
	stripe_response_clear(&resp);
	if (!rc) /* for the Setup tab; a failed copy does not fail the listing */
		terminal_readers_replace(e->db, *out, *n, NULL);
	return rc;
}

int readers_locations(const struct pay_env *e, struct reader_location **out, size_t *n,
		      struct pd_error *err)
{
	*out = NULL;
	*n = 0;
	struct stripe_params *p = stripe_params_new();
	stripe_params_add_int(p, "limit", READERS_MAX);
	struct stripe_response resp;
	int rc = pay_send(e, STRIPE_GET, "/v1/terminal/locations", p, &resp, err);
	stripe_params_free(&p);
	json_t *data = rc ? NULL : json_object_get(resp.json, "data");
	size_t count = json_array_size(data);
	if (count && !(*out = calloc(count, sizeof **out)))
		rc = pd_error_set(err, PD_ERR, "out of memory");
	for (size_t i = 0; !rc && i < count; i++) {
		json_t *o = json_array_get(data, i);
		pay_copy((*out)[i].id, sizeof (*out)[i].id, pay_json_str(o, "id"));
		pay_copy((*out)[i].name, sizeof (*out)[i].name, pay_json_str(o, "display_name"));
		(*n)++;
	}
	stripe_response_clear(&resp);
	return rc;
}

/* Remember r as this desk's reader and audit it, in one transaction. */
static int choose(const struct pay_env *e, const struct reader_info *r, struct pd_error *err)
{
	char id_key[128], label_key[128], desk[64], detail[300];
	desk_keys(id_key, label_key);
	readers_desk_name(desk, sizeof desk);
	int rc = db_begin(e->db, err);
	if (!rc)
		rc = settings_set(e->db, id_key, r->id, err);
	if (!rc)
		rc = settings_set(e->db, label_key, r->label, err);
	snprintf(detail, sizeof detail, "%.120s uses %.120s", desk, r->label);
	struct audit_entry en = {.actor = pay_actor(e->who), .action = "reader.use",
				 .detail = detail, .object_id = r->id};
	if (!rc)
		rc = audit_append(e->db, &en, err);
	if (rc) {
		db_rollback(e->db);
		return rc;
	}
	return db_commit(e->db, err);
}

int readers_register(const struct pay_env *e, const char *code, const char *label,
		     const char *location, struct reader_info *out, bool *chosen,
		     struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	*chosen = false;
	int rc = auth_allow_now(e->db, e->who, AUTH_SETUP, err);
	if (rc)
		return rc;
	if (!code || !*code)
		return pd_error_set(err, PD_ERR_USAGE,
				    "give the registration code the reader shows (Settings > "
				    "Generate pairing code on the reader; simulated-wpe in training)");
	struct stripe_params *p = stripe_params_new();
	stripe_params_add(p, "registration_code", code);
	if (label && *label)
		stripe_params_add(p, "label", label);
	if (location && *location)
		stripe_params_add(p, "location", location);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	rc = pay_send(e, STRIPE_POST, "/v1/terminal/readers", p, &resp, &send_err);
	stripe_params_free(&p);
	if (rc) {
		const char *param = resp.error.param;
		rc = pd_error_set(err, rc, "Stripe did not register the reader: %.300s%s", send_err.msg,
				  param && strcmp(param, "registration_code") == 0
					  ? " Generate a new code on the reader and try again."
					  : "");
		stripe_response_clear(&resp);
		return rc;
	}
	reader_from(resp.json, out);
	stripe_response_clear(&resp);
	char detail[300];
	snprintf(detail, sizeof detail, "%.120s%s%.60s", out->label, out->location[0] ? " at " : "",
		 out->location);
	struct audit_entry en = {.actor = pay_actor(e->who), .action = "reader.register",
				 .detail = detail, .object_id = out->id};
	audit_append(e->db, &en, NULL);
	struct reader_info *all = NULL; /* the Setup tab's copy, with the new one */
	size_t n = 0;
	readers_list(e, &all, &n, NULL);
	free(all);
	char id[64], have[128];
	readers_desk_reader(e->db, id, have);
	if (!id[0]) {
		rc = choose(e, out, err);
		*chosen = rc == PD_OK;
	}
	return rc;
}

int readers_use(const struct pay_env *e, const char *which, struct reader_info *out,
		struct pd_error *err)
{
	memset(out, 0, sizeof *out);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	struct reader_info *list = NULL;
	size_t n = 0;
	rc = readers_list(e, &list, &n, err);
	if (rc)
		return rc;
	size_t found = n, matches = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].id, which) == 0 || strcmp(list[i].label, which) == 0) {
			found = found == n ? i : found;
			matches++;
		}
	if (matches == 1)
		*out = list[found];
	free(list);
	if (matches == 0)
		return pd_error_set(err, PD_ERR_NOT_FOUND,
				    "no card reader is called '%.100s' at Stripe: paydesk readers list "
				    "shows their labels",
				    which);
	if (matches > 1)
		return pd_error_set(err, PD_ERR_USAGE,
				    "%zu readers are labelled '%.100s': give its id (tmr_…) instead, "
				    "as paydesk readers list shows it",
				    matches, which);
	return choose(e, out, err);
}

/* Training only: the test-mode account's simulated reader. */
static int training_only(const struct pay_env *e, struct pd_error *err)
{
	struct stripe_account_row acct;
	if (stripe_account_get(e->db, &acct, NULL) != PD_OK || strcmp(acct.mode, "test") != 0)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a test card can be tapped only in training (a test-mode "
				    "account): here the client taps their card on the reader");
	return PD_OK;
}

/* The simulated reader's test helper: the client taps card_number (NULL or
 * "": Stripe's default test card) on reader_id. */
static int present_card(const struct pay_env *e, const char *reader_id, const char *card_number,
			struct pd_error *err)
{
	char path[200];
	snprintf(path, sizeof path, "/v1/test_helpers/terminal/readers/%s/present_payment_method",
		 reader_id);
	struct stripe_params *p = stripe_params_new();
	if (card_number && *card_number)
		stripe_params_add(p, "card_present[number]", card_number);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	int rc = pay_send(e, STRIPE_POST, path, p, &resp, &send_err);
	stripe_params_free(&p);
	stripe_response_clear(&resp);
	if (rc)
		return pd_error_set(err, rc, "the simulated reader did not take the card: %.300s",
				    send_err.msg);
	return PD_OK;
}

int readers_tap_hold(const struct pay_env *e, int64_t client_id, const char *card_number,
		     struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (!rc)
		rc = training_only(e, err);
	if (rc)
		return rc;
	struct reader_hold h;
	if (reader_holds_latest(e->db, client_id, &h, NULL) != PD_OK || h.status != HOLD_OPEN)
		return pd_error_set(err, PD_ERR_USAGE, "no card is waiting on a reader");
	rc = present_card(e, h.reader_id, card_number, err);
	return rc ? rc : customers_reader_hold_check(e, client_id, r, err);
}

int readers_tap(const struct pay_env *e, int64_t appointment_id, const char *card_number,
		struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (rc)
		return rc;
	rc = training_only(e, err);
	if (rc)
		return rc;
	struct pay_attempt row;
	if (payrows_latest(e->db, appointment_id, PAYROW_READER, &row, NULL) != PD_OK)
		return pd_error_set(err, PD_ERR_USAGE, "no reader payment is waiting");
	char reader[160] = "";
	bool waiting = row.status == PAYROW_OPEN && row.reader_id;
	if (waiting)
		pay_copy(reader, sizeof reader, row.reader_id);
	pay_attempt_free(&row);
	if (!waiting)
		return pd_error_set(err, PD_ERR_USAGE, "no reader payment is waiting");
	rc = present_card(e, reader, card_number, err);
	return rc ? rc : payments_reader_check(e, appointment_id, r, err);
}

int readers_tap_sale(const struct pay_env *e, int64_t sale, const char *card_number,
		     struct pay_result *r, struct pd_error *err)
{
	memset(r, 0, sizeof *r);
	int rc = auth_allow_now(e->db, e->who, AUTH_TAKE_PAYMENT, err);
	if (!rc)
		rc = training_only(e, err);
	if (rc)
		return rc;
	struct client_package c;
	if (cpkg_get(e->db, sale, &c, NULL) != PD_OK || c.state != CPKG_PENDING ||
	    strcmp(c.collect, "reader") != 0 || !c.reader_id[0])
		return pd_error_set(err, PD_ERR_USAGE, "no package sale is waiting on a reader");
	char path[200];
	snprintf(path, sizeof path, "/v1/test_helpers/terminal/readers/%s/present_payment_method",
		 c.reader_id);
	struct stripe_params *p = stripe_params_new();
	if (card_number && *card_number)
		stripe_params_add(p, "card_present[number]", card_number);
	struct stripe_response resp;
	struct pd_error send_err = {0};
	rc = pay_send(e, STRIPE_POST, path, p, &resp, &send_err);
	stripe_params_free(&p);
	stripe_response_clear(&resp);
	if (rc)
		return pd_error_set(err, rc, "the simulated reader did not take the card: %.300s",
				    send_err.msg);
	return packages_sale_check(e, sale, r, err);
}
