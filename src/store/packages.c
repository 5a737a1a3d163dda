/* Packages and prepaid credit: the three tables of schema 21. */
#include "paydesk/packages_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/day_close_store.h"
#include "paydesk/db.h"

static const char *const state_keys[] = {"pending", "active", "failed", "unknown", "refunded"};

const char *cpkg_state_key(enum cpkg_state s)
{
	return (unsigned)s < 5 ? state_keys[s] : "unknown";
}

static void text(char *dst, size_t n, sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	snprintf(dst, n, "%s", v ? (const char *)v : "");
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, struct pd_error *err)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? PD_OK : db_fail(db, what, err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- packages ---- */

#define PKG_SELECT                                                                          \
	"SELECT p.id, p.name, p.kind, ifnull(p.service_id, 0), ifnull(s.name, ''), p.visits,"  \
	" p.credit, p.price, p.currency, p.valid_days, p.active, p.version FROM packages p"     \
	" LEFT JOIN services s ON s.id = p.service_id"

static int read_pkg(sqlite3_stmt *st, void *out)
{
	struct package *p = out;
	memset(p, 0, sizeof *p);
	p->id = sqlite3_column_int64(st, 0);
	text(p->name, sizeof p->name, st, 1);
	p->kind = strcmp((const char *)sqlite3_column_text(st, 2), "credit") == 0 ? PACKAGE_CREDIT
										 : PACKAGE_VISITS;
	p->service_id = sqlite3_column_int64(st, 3);
	text(p->service, sizeof p->service, st, 4);
	p->visits = sqlite3_column_int64(st, 5);
	p->credit = sqlite3_column_int64(st, 6);
	p->price = sqlite3_column_int64(st, 7);
	text(p->currency, sizeof p->currency, st, 8);
	p->valid_days = sqlite3_column_int64(st, 9);
	p->active = sqlite3_column_int(st, 10) != 0;
	p->version = sqlite3_column_int64(st, 11);
	return 0;
}

int packages_insert(sqlite3 *db, const struct package_input *in, int64_t *id,
		    struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO packages (name, kind, service_id, visits, credit, price,"
			    " currency, valid_days, created_at, updated_at)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, in->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, in->kind == PACKAGE_CREDIT ? "credit" : "visits", -1,
			  SQLITE_STATIC);
	if (in->kind == PACKAGE_VISITS)
		sqlite3_bind_int64(st, 3, in->service_id);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, in->kind == PACKAGE_VISITS ? in->visits : 0);
	sqlite3_bind_int64(st, 5, in->kind == PACKAGE_CREDIT ? in->credit : 0);
	sqlite3_bind_int64(st, 6, in->price);
	sqlite3_bind_text(st, 7, in->currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 8, in->valid_days);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)time(NULL));
	rc = step_done(db, st, "saving the package", err);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(db);
	return rc;
}

int packages_get(sqlite3 *db, int64_t id, struct package *out, struct pd_error *err)
{
	return db_read_one(db, PKG_SELECT " WHERE p.id = ?1", id, NULL, read_pkg, NULL, out,
			   "reading the package", err, "there is no package %lld", (long long)id);
}

int packages_find(sqlite3 *db, const char *name, struct package *out, struct pd_error *err)
{
	return db_read_one(db, PKG_SELECT " WHERE p.name = ?1 COLLATE NOCASE ORDER BY p.id", 0,
			   name, read_pkg, NULL, out, "reading the package", err,
			   "there is no package called %s", name);
}

int packages_list(sqlite3 *db, bool active_only, struct package **out, size_t *n,
		  struct pd_error *err)
{
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	int rc = db_prepare(db,
			    active_only ? PKG_SELECT " WHERE p.active = 1 ORDER BY p.name, p.id"
					: PKG_SELECT " ORDER BY p.active DESC, p.name, p.id",
			    &st, err);
	if (rc)
		return rc;
	void *rows = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_pkg, NULL, &rows, n, "listing packages", err);
	*out = rows;
	return rc;
}

int packages_set_active(sqlite3 *db, int64_t id, bool active, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE packages SET active = ?1, version = version + 1, updated_at = ?2"
			    " WHERE id = ?3",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int(st, 1, active);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 3, id);
	rc = step_done(db, st, "saving the package", err);
	if (!rc && sqlite3_changes(db) == 0)
		rc = pd_error_set(err, PD_ERR_NOT_FOUND, "there is no package %lld", (long long)id);
	return rc;
}

/* ---- what clients bought ---- */

#define CPKG_SELECT                                                                           \
	"SELECT c.id, c.client_id, c.package_id, c.name, c.kind, ifnull(c.service_id, 0),"       \
	" ifnull(s.name, ''), c.visits, c.credit, c.price, c.currency, c.state, c.method, c.note," \
	" ifnull(c.payment_intent_id, ''), c.message, c.refunded, ifnull(c.refund_id, ''),"      \
	" c.sold_by, c.bought_at, c.expires_at, c.version,"                                      \
	" (SELECT ifnull(sum(d.visits), 0) FROM package_draws d"                                 \
	"   WHERE d.client_package_id = c.id AND d.state = 'drawn'),"                            \
	" (SELECT ifnull(sum(d.amount), 0) FROM package_draws d"                                 \
	"   WHERE d.client_package_id = c.id AND d.state = 'drawn'),"                            \
	" c.collect, ifnull(c.checkout_session_id, ''), c.url, c.link_expires_at,"               \
	" ifnull(c.reader_id, '')"                                                               \
	" FROM client_packages c LEFT JOIN services s ON s.id = c.service_id"

static int read_cpkg(sqlite3_stmt *st, void *out)
{
	struct client_package *c = out;
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(st, 0);
	c->client_id = sqlite3_column_int64(st, 1);
	c->package_id = sqlite3_column_int64(st, 2);
	text(c->name, sizeof c->name, st, 3);
	c->kind = strcmp((const char *)sqlite3_column_text(st, 4), "credit") == 0 ? PACKAGE_CREDIT
										 : PACKAGE_VISITS;
	c->service_id = sqlite3_column_int64(st, 5);
	text(c->service, sizeof c->service, st, 6);
	c->visits = sqlite3_column_int64(st, 7);
	c->credit = sqlite3_column_int64(st, 8);
	c->price = sqlite3_column_int64(st, 9);
	text(c->currency, sizeof c->currency, st, 10);
	const char *state = (const char *)sqlite3_column_text(st, 11);
	c->state = CPKG_UNKNOWN;
	for (int i = 0; state && i < 5; i++)
		if (strcmp(state, state_keys[i]) == 0)
			c->state = (enum cpkg_state)i;
	text(c->method, sizeof c->method, st, 12);
	text(c->note, sizeof c->note, st, 13);
	text(c->payment_intent_id, sizeof c->payment_intent_id, st, 14);
	text(c->message, sizeof c->message, st, 15);
	c->refunded = sqlite3_column_int64(st, 16);
	text(c->refund_id, sizeof c->refund_id, st, 17);
	text(c->sold_by, sizeof c->sold_by, st, 18);
	c->bought_at = sqlite3_column_int64(st, 19);
	c->expires_at = sqlite3_column_int64(st, 20);
	c->version = sqlite3_column_int64(st, 21);
	c->visits_used = sqlite3_column_int64(st, 22);
	c->credit_used = sqlite3_column_int64(st, 23);
	text(c->collect, sizeof c->collect, st, 24);
	text(c->checkout_session_id, sizeof c->checkout_session_id, st, 25);
	text(c->url, sizeof c->url, st, 26);
	c->link_expires_at = sqlite3_column_int64(st, 27);
	text(c->reader_id, sizeof c->reader_id, st, 28);
	return 0;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int cpkg_insert(sqlite3 *db, const struct client_package *c, int64_t *id, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO client_packages (client_id, package_id, name, kind,"
			    " service_id, visits, credit, price, currency, state, method, note,"
			    " payment_intent_id, message, sold_by, bought_at, expires_at, desk,"
			    " collect)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
			    " ?15, ?16, ?17, nullif(?18, ''), ?19)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, c->client_id);
	sqlite3_bind_int64(st, 2, c->package_id);
	sqlite3_bind_text(st, 3, c->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, c->kind == PACKAGE_CREDIT ? "credit" : "visits", -1,
			  SQLITE_STATIC);
	if (c->kind == PACKAGE_VISITS)
		sqlite3_bind_int64(st, 5, c->service_id);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, c->visits);
	sqlite3_bind_int64(st, 7, c->credit);
	sqlite3_bind_int64(st, 8, c->price);
	sqlite3_bind_text(st, 9, c->currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, cpkg_state_key(c->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, c->method, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, c->note, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 13, c->payment_intent_id);
	sqlite3_bind_text(st, 14, c->message, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 15, c->sold_by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 16, c->bought_at);
	sqlite3_bind_int64(st, 17, c->expires_at);
	sqlite3_bind_text(st, 18, c->desk, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 19, c->collect, -1, SQLITE_TRANSIENT);
	rc = step_done(db, st, "recording the sale", err);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(db);
	return rc;
}

int cpkg_get(sqlite3 *db, int64_t id, struct client_package *out, struct pd_error *err)
{
	return db_read_one(db, CPKG_SELECT " WHERE c.id = ?1", id, NULL, read_cpkg, NULL, out,
			   "reading the client's package", err, "there is no sold package %lld",
			   (long long)id);
}

int cpkg_list(sqlite3 *db, int64_t client_id, struct client_package **out, size_t *n,
	      struct pd_error *err)
{
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	int rc = db_prepare(db, CPKG_SELECT " WHERE c.client_id = ?1 ORDER BY c.id DESC", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, client_id);
	void *rows = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_cpkg, NULL, &rows, n,
			  "listing the client's packages", err);
	*out = rows;
	return rc;
}

static int read_id(sqlite3_stmt *st, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(st, 0);
	return 0;
}

int cpkg_open_ids(sqlite3 *db, int64_t **ids, size_t *n, struct pd_error *err)
{
	sqlite3_stmt *st;
	*ids = NULL;
	*n = 0;
	int rc = db_prepare(db,
			    "SELECT id FROM client_packages WHERE state IN ('pending', 'unknown')"
			    " ORDER BY id",
			    &st, err);
	if (rc)
		return rc;
	void *rows = NULL;
	rc = db_read_rows(db, st, sizeof **ids, read_id, NULL, &rows, n, "listing open sales", err);
	*ids = rows;
	return rc;
}

int cpkg_update(sqlite3 *db, const struct client_package *c, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE client_packages SET state = ?1, payment_intent_id = ?2,"
			    " message = ?3, refunded = ?4, refund_id = ?5, version = version + 1,"
			    " checkout_session_id = ?7, url = ?8, link_expires_at = ?9, reader_id = ?10,"
			    " bought_at = ?11, expires_at = ?12"
			    " WHERE id = ?6",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, cpkg_state_key(c->state), -1, SQLITE_STATIC);
	bind_text_or_null(st, 2, c->payment_intent_id);
	sqlite3_bind_text(st, 3, c->message, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, c->refunded);
	bind_text_or_null(st, 5, c->refund_id);
	sqlite3_bind_int64(st, 6, c->id);
	bind_text_or_null(st, 7, c->checkout_session_id);
	sqlite3_bind_text(st, 8, c->url, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, c->link_expires_at);
	bind_text_or_null(st, 10, c->reader_id);
	sqlite3_bind_int64(st, 11, c->bought_at);
	sqlite3_bind_int64(st, 12, c->expires_at);
	return step_done(db, st, "saving the client's package", err);
}

int cpkg_refund_note(sqlite3 *db, const struct client_package *c, int64_t amount,
		     const char *refund_id, const char *desk, const char *actor,
		     struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO package_refunds (client_package_id, amount, currency, tender,"
			    " refund_id, desk, actor, refunded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
			    " ?7, ?8)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_int64(st, 2, amount);
	sqlite3_bind_text(st, 3, c->currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, c->method, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, refund_id ? refund_id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, desk, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)time(NULL));
	rc = step_done(db, st, "noting the package's refund", err);
	if (!rc && strcmp(c->method, "card") != 0)
		rc = day_close_note_desk_refund(db, refund_id, desk, actor, err);
	return rc;
}

/* ---- draws ---- */

int draws_insert(sqlite3 *db, const struct package_draw *d, const char *who, int64_t *id,
		 struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "INSERT INTO package_draws (client_package_id, appointment_id,"
			    " payment_row, visits, amount, drawn_by, drawn_at)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, d->client_package_id);
	sqlite3_bind_int64(st, 2, d->appointment_id);
	sqlite3_bind_int64(st, 3, d->payment_row);
	sqlite3_bind_int64(st, 4, d->visits);
	sqlite3_bind_int64(st, 5, d->amount);
	sqlite3_bind_text(st, 6, who, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
	rc = step_done(db, st, "recording the draw", err);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(db);
	return rc;
}

static int read_draw(sqlite3_stmt *st, void *out)
{
	struct package_draw *d = out;
	memset(d, 0, sizeof *d);
	d->id = sqlite3_column_int64(st, 0);
	d->client_package_id = sqlite3_column_int64(st, 1);
	d->appointment_id = sqlite3_column_int64(st, 2);
	d->payment_row = sqlite3_column_int64(st, 3);
	d->visits = sqlite3_column_int64(st, 4);
	d->amount = sqlite3_column_int64(st, 5);
	d->returned = strcmp((const char *)sqlite3_column_text(st, 6), "returned") == 0;
	return 0;
}

int draws_of_appointment(sqlite3 *db, int64_t appointment_id, struct package_draw **out,
			 size_t *n, struct pd_error *err)
{
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	int rc = db_prepare(db,
			    "SELECT id, client_package_id, appointment_id, payment_row, visits,"
			    " amount, state FROM package_draws WHERE appointment_id = ?1"
			    " AND state = 'drawn' ORDER BY id",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, appointment_id);
	void *rows = NULL;
	rc = db_read_rows(db, st, sizeof **out, read_draw, NULL, &rows, n, "reading the draws", err);
	*out = rows;
	return rc;
}

int draws_set_returned(sqlite3 *db, int64_t id, const char *who, struct pd_error *err)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db,
			    "UPDATE package_draws SET state = 'returned', returned_by = ?1,"
			    " returned_at = ?2 WHERE id = ?3 AND state = 'drawn'",
			    &st, err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, who, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 3, id);
	rc = step_done(db, st, "giving the draw back", err);
	if (!rc && sqlite3_changes(db) == 0)
		rc = pd_error_set(err, PD_ERR_CONFLICT,
				  "someone gave this back meanwhile: look at it again");
	return rc;
}
