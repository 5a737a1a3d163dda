/* Packages and prepaid credit: defining them, what is left of a sale,
 * selling at the desk, paying appointments from them and giving that back.
 * Stripe's part (a sale by card, refunds) is packages_stripe.c. */
#include "paydesk/packages.h"
#include "paydesk/readers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paydesk/audit.h"
#include "paydesk/clients.h"
#include "paydesk/db.h"
#include "paydesk/history_desk.h"
#include "paydesk/money.h"
#include "paydesk/services.h"
#include "paydesk/textcheck.h"
#include "packages_internal.h"
#include "payments_internal.h"

int pkg_finish(sqlite3 *db, int rc, struct pd_error *err)
{
	if (!rc)
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	return rc;
}

int pkg_audit(sqlite3 *db, const struct session *who, const char *action, const char *detail,
	      int64_t amount, const char *currency, int64_t sale, struct pd_error *err)
{
	char obj[48];
	snprintf(obj, sizeof obj, "client_package:%lld", (long long)sale);
	struct audit_entry en = {.actor = pay_actor(who), .action = action, .detail = detail,
				 .has_amount = amount >= 0, .amount = amount < 0 ? 0 : amount,
				 .currency = amount >= 0 ? currency : NULL, .object_id = obj};
	return audit_append(db, &en, err);
}

void pkg_day(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%d", &tm);
}

/* "5 visits of Haircut for 200.00 USD, 180 days" */
static void terms(const struct package *p, char *out, size_t len)
{
	char price[64], credit[64], days[32] = "no expiry";
	money_format(p->price, p->currency, price, sizeof price);
	if (p->valid_days)
		snprintf(days, sizeof days, "%lld days", (long long)p->valid_days);
	if (p->kind == PACKAGE_VISITS)
		snprintf(out, len, "%s: %lld visits of %s for %s, %s", p->name,
			 (long long)p->visits, p->service, price, days);
	else
		snprintf(out, len, "%s: credit %s for %s, %s", p->name,
			 money_format(p->credit, p->currency, credit, sizeof credit), price, days);
}

int packages_define(sqlite3 *db, const struct session *who, const struct package_input *in,
		    int64_t *id, struct pd_error *err)
{
	int rc = auth_allow_now(db, who, AUTH_SETUP, err);
	if (rc)
		return rc;
	rc = text_check("Name", in->name, PACKAGE_NAME_MAX, true, false, err);
	if (rc)
		return rc;
	struct package_input v = *in;
	char cur[4] = "";
	if (in->kind == PACKAGE_VISITS) {
		struct service s;
		if (in->visits < 1 || in->visits > PACKAGES_VISITS_MAX)
			return pd_error_set(err, PD_ERR_USAGE,
					    "a package holds 1 to %d visits", PACKAGES_VISITS_MAX);
		rc = services_get(db, in->service_id, &s, err);
		if (rc)
			return rc;
		if (!s.active)
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s is no longer offered: choose an active service",
					    s.name);
		snprintf(cur, sizeof cur, "%s", s.currency);
		if (in->currency && *in->currency && strcmp(in->currency, cur) != 0)
			return pd_error_set(err, PD_ERR_USAGE,
					    "%s is priced in %s: the package is sold in %s too",
					    s.name, cur, cur);
		v.currency = cur;
		v.credit = 0;
	} else {
		if (!in->currency || money_exponent(in->currency) < 0)
			return pd_error_set(err, PD_ERR_USAGE,
					    "give the credit's currency (a three-letter code)");
		if (in->credit <= 0)
			return pd_error_set(err, PD_ERR_USAGE, "give the amount of credit it buys");
		v.visits = 0;
		v.service_id = 0;
	}
	if (in->price <= 0)
		return pd_error_set(err, PD_ERR_USAGE, "give the package's price");
	if (in->valid_days < 0 || in->valid_days > PACKAGES_DAYS_MAX)
		return pd_error_set(err, PD_ERR_USAGE,
				    "it lasts 0 (no expiry) to %d days", PACKAGES_DAYS_MAX);
	struct package dup;
	if (packages_find(db, in->name, &dup, NULL) == PD_OK && dup.active)
		return pd_error_set(err, PD_ERR_USAGE,
				    "a package called %s is already sold: choose another name",
				    dup.name);
	rc = db_begin(db, err);
	int64_t nid = 0;
	if (!rc)
		rc = packages_insert(db, &v, &nid, err);
	struct package p;
	if (!rc)
		rc = packages_get(db, nid, &p, err);
	if (!rc) {
		char detail[1200];
		terms(&p, detail, sizeof detail);
		struct audit_entry en = {.actor = pay_actor(who), .action = "package.define",
					 .detail = detail, .has_amount = true, .amount = p.price,
					 .currency = p.currency};
		char obj[32];
		snprintf(obj, sizeof obj, "package:%lld", (long long)nid);
		en.object_id = obj;
		rc = audit_append(db, &en, err);
	}
	rc = pkg_finish(db, rc, err);
	if (!rc && id)
		*id = nid;
	return rc;
}

int packages_archive(sqlite3 *db, const struct session *who, int64_t id, bool archive,
		     struct pd_error *err)
{
	int rc = auth_allow_now(db, who, AUTH_SETUP, err);
	struct package p;
	if (!rc)
		rc = packages_get(db, id, &p, err);
	if (!rc)
		rc = db_begin(db, err);
	if (rc)
		return rc;
	rc = packages_set_active(db, id, !archive, err);
	if (!rc) {
		char obj[32];
		snprintf(obj, sizeof obj, "package:%lld", (long long)id);
		struct audit_entry en = {.actor = pay_actor(who),
					 .action = archive ? "package.archive" : "package.restore",
					 .detail = p.name, .object_id = obj};
		rc = audit_append(db, &en, err);
	}
	return pkg_finish(db, rc, err);
}

/* ---- what is left ---------------------------------------------------------- */

int64_t cpkg_left(const struct client_package *c)
{
	int64_t left = c->kind == PACKAGE_VISITS ? c->visits - c->visits_used
						 : c->credit - c->credit_used;
	return left > 0 ? left : 0;
}

static bool expired(const struct client_package *c, int64_t now)
{
	return c->expires_at > 0 && now >= c->expires_at;
}

bool cpkg_usable(const struct client_package *c, int64_t now)
{
	return c->state == CPKG_ACTIVE && !expired(c, now) && cpkg_left(c) > 0;
}

int64_t cpkg_refund_due(const struct client_package *c)
{
	if (c->state != CPKG_ACTIVE)
		return 0;
	int64_t total = c->kind == PACKAGE_VISITS ? c->visits : c->credit;
	if (total <= 0)
		return 0;
	/* price × unused / total without overflow: price ≤ 99,999,999 and
	 * unused ≤ total ≤ 99,999,999 fit in 64 bits. */
	return c->price * cpkg_left(c) / total;
}

bool cpkg_nothing_to_refund(const struct client_package *c, char *why, size_t len)
{
	char money[64];
	if (c->state == CPKG_REFUNDED)
		snprintf(why, len, "%s was refunded already (%s)", c->name,
			 money_format(c->refunded, c->currency, money, sizeof money));
	else if (c->state != CPKG_ACTIVE)
		snprintf(why, len, "%s was not paid for", c->name);
	else if (cpkg_refund_due(c) <= 0)
		snprintf(why, len, "%s is used up", c->name);
	else
		return false;
	return true;
}

/* "3 of 5 visits" / "credit 45.00 USD" */
static void left_words(const struct client_package *c, char *out, size_t len)
{
	if (c->kind == PACKAGE_VISITS) {
		snprintf(out, len, "%lld of %lld visit%s", (long long)cpkg_left(c),
			 (long long)c->visits, c->visits == 1 ? "" : "s");
	} else {
		char m[64];
		snprintf(out, len, "credit %s", money_format(cpkg_left(c), c->currency, m, sizeof m));
	}
}

void cpkg_describe(const struct client_package *c, int64_t now, char *out, size_t len)
{
	char left[96], day[16], money[64];
	left_words(c, left, sizeof left);
	switch (c->state) {
	case CPKG_PENDING: snprintf(out, len, "awaiting payment"); return;
	case CPKG_FAILED: snprintf(out, len, "not paid"); return;
	case CPKG_UNKNOWN: snprintf(out, len, "payment not known yet (paydesk recover)"); return;
	case CPKG_REFUNDED:
		snprintf(out, len, "refunded %s",
			 money_format(c->refunded, c->currency, money, sizeof money));
		return;
	case CPKG_ACTIVE: break;
	}
	if (expired(c, now)) {
		pkg_day(c->expires_at, day, sizeof day);
		snprintf(out, len, "expired %s · %s unused", day, left);
	} else if (cpkg_left(c) == 0) {
		snprintf(out, len, "used up");
	} else if (c->expires_at) {
		pkg_day(c->expires_at, day, sizeof day);
		snprintf(out, len, "%s left · until %s", left, day);
	} else {
		snprintf(out, len, "%s left", left);
	}
}

int packages_client_line(sqlite3 *db, int64_t client_id, int64_t now, char *out, size_t len)
{
	struct client_package *list = NULL;
	size_t n = 0;
	*out = '\0';
	int rc = cpkg_list(db, client_id, &list, &n, NULL);
	size_t used = 0;
	int shown = 0;
	for (size_t i = 0; !rc && i < n && used + 1 < len; i++) {
		if (!cpkg_usable(&list[i], now) && !(list[i].state == CPKG_ACTIVE &&
						      expired(&list[i], now) && cpkg_left(&list[i])))
			continue;
		char what[128];
		left_words(&list[i], what, sizeof what);
		const char *tail = expired(&list[i], now) ? " (expired)" : "";
		if (list[i].kind == PACKAGE_VISITS)
			used += (size_t)snprintf(out + used, len - used, "%spackage: %s%s",
						 shown ? " · " : "", what, *tail ? tail : " left");
		else
			used += (size_t)snprintf(out + used, len - used, "%s%s%s",
						 shown ? " · " : "", what, tail);
		shown++;
	}
	free(list);
	return rc;
}

/* ---- selling at the desk ------------------------------------------------ */

int pkg_new_sale(sqlite3 *db, const struct session *who, int64_t package_id, int64_t client_id,
		 const char *method, const char *note, struct client_package *c,
		 struct pd_error *err)
{
	struct package p;
	struct client cl;
	int rc = packages_get(db, package_id, &p, err);
	if (!rc && !p.active)
		rc = pd_error_set(err, PD_ERR_USAGE, "%s is no longer sold", p.name);
	if (!rc)
		rc = clients_get(db, client_id, &cl, err);
	if (rc)
		return rc;
	memset(c, 0, sizeof *c);
	c->client_id = client_id;
	c->package_id = p.id;
	snprintf(c->name, sizeof c->name, "%s", p.name);
	c->kind = p.kind;
	c->service_id = p.service_id;
	snprintf(c->service, sizeof c->service, "%s", p.service);
	c->visits = p.visits;
	c->credit = p.credit;
	c->price = p.price;
	memcpy(c->currency, p.currency, sizeof c->currency);
	snprintf(c->method, sizeof c->method, "%s", method);
	snprintf(c->note, sizeof c->note, "%s", note ? note : "");
	snprintf(c->sold_by, sizeof c->sold_by, "%s", pay_actor(who));
	readers_desk_name(c->desk, sizeof c->desk);
	c->bought_at = (int64_t)time(NULL);
	c->expires_at = p.valid_days ? c->bought_at + p.valid_days * 86400 : 0;
	client_free(&cl);
	return PD_OK;
}

void pkg_sale_detail(sqlite3 *db, const struct client_package *c, char *out, size_t len)
{
	struct client cl;
	bool named = clients_get(db, c->client_id, &cl, NULL) == PD_OK;
	char what[400];
	left_words(c, what, sizeof what);
	if (c->kind == PACKAGE_VISITS)
		snprintf(what, sizeof what, "%lld visits of %s", (long long)c->visits, c->service);
	snprintf(out, len, "%s · %s · %s · %s%s%s", named ? cl.name : "?", c->name, what, c->method,
		 *c->note ? " · " : "", c->note);
	if (named)
		client_free(&cl);
}

int packages_sell_desk(sqlite3 *db, const struct session *who, int64_t package_id,
		       int64_t client_id, enum payrow_method tender, const char *note,
		       int64_t *sale, char *msg, size_t len, struct pd_error *err)
{
	if (!payrow_method_is_desk(tender))
		return pd_error_set(err, PD_ERR_USAGE,
				    "choose cash, cheque, gift voucher or other card machine");
	int rc = auth_allow_now(db, who, AUTH_TAKE_PAYMENT, err);
	if (!rc && note && *note)
		rc = text_check("Note", note, 80, false, false, err);
	struct client_package c;
	if (!rc)
		rc = pkg_new_sale(db, who, package_id, client_id, payrow_method_key(tender), note, &c,
				  err);
	if (!rc)
		rc = db_begin(db, err);
	if (rc)
		return rc;
	c.state = CPKG_ACTIVE;
	snprintf(c.message, sizeof c.message, "paid %s at the desk", payrow_method_label(tender));
	rc = cpkg_insert(db, &c, &c.id, err);
	char hid[48], detail[1400];
	snprintf(hid, sizeof hid, "pkg_%lld", (long long)c.id);
	pkg_sale_detail(db, &c, detail, sizeof detail);
	if (!rc) {
		struct client cl;
		bool named = clients_get(db, client_id, &cl, NULL) == PD_OK;
		char desc[1000];
		snprintf(desc, sizeof desc, "package %s · by %s%s%s", c.name, pay_actor(who),
			 *c.note ? " · " : "", c.note);
		struct history_desk_record rec = {
			.id = hid, .type = "desk", .created = c.bought_at, .amount = c.price,
			.currency = c.currency, .tender = c.method, .client = named ? cl.name : NULL,
			.email = named ? cl.email : NULL,
			.customer_id = named ? cl.stripe_customer_id : NULL, .description = desc,
			.appointment_id = NULL, .payment_of = NULL};
		rc = history_desk_add(db, &rec, err);
		if (named)
			client_free(&cl);
	}
	if (!rc)
		rc = pkg_audit(db, who, "package.sell", detail, c.price, c.currency, c.id, err);
	rc = pkg_finish(db, rc, err);
	if (!rc) {
		char money[64], left[160];
		cpkg_describe(&c, c.bought_at, left, sizeof left);
		snprintf(msg, len, "Sold %s for %s %s (%s).", c.name,
			 money_format(c.price, c.currency, money, sizeof money),
			 tender == PAYROW_CASH ? "in cash" : payrow_method_label(tender), left);
		if (sale)
			*sale = c.id;
	}
	return rc;
}
