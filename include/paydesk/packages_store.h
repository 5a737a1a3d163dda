/* Storage behind packages and prepaid credit (schema 21): what the admin
 * sells (packages), what each client bought (client_packages, the terms
 * copied as sold) and the appointments paid from them (package_draws).
 * The rules live in packages.h; this is storage only. */
#ifndef PAYDESK_PACKAGES_STORE_H
#define PAYDESK_PACKAGES_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

#define PACKAGE_NAME_MAX 60

enum package_kind { PACKAGE_VISITS, PACKAGE_CREDIT };

struct package {
	int64_t id;
	char name[PACKAGE_NAME_MAX * 4 + 1];
	enum package_kind kind;
	int64_t service_id;  /* visits: the service they are for; 0 for credit */
	char service[81 * 4]; /* its name, for showing */
	int64_t visits;      /* visits: how many */
	int64_t credit;      /* credit: how much, minor units */
	int64_t price;       /* what the client pays, minor units */
	char currency[4];
	int64_t valid_days;  /* from the sale; 0: no expiry */
	bool active;
	int64_t version;
};

struct package_input {
	const char *name;
	enum package_kind kind;
	int64_t service_id, visits, credit, price;
	const char *currency;
	int64_t valid_days;
};

int packages_insert(sqlite3 *db, const struct package_input *in, int64_t *id,
		    struct pd_error *err);
int packages_get(sqlite3 *db, int64_t id, struct package *out, struct pd_error *err);
/* By name (case-insensitive); PD_ERR_NOT_FOUND when none. */
int packages_find(sqlite3 *db, const char *name, struct package *out, struct pd_error *err);
/* Ordered by name; active_only: those still sold. *out heap. */
int packages_list(sqlite3 *db, bool active_only, struct package **out, size_t *n,
		  struct pd_error *err);
int packages_set_active(sqlite3 *db, int64_t id, bool active, struct pd_error *err);

/* ---- what clients bought ---- */

enum cpkg_state { CPKG_PENDING, CPKG_ACTIVE, CPKG_FAILED, CPKG_UNKNOWN, CPKG_REFUNDED };

struct client_package {
	int64_t id, client_id, package_id;
	char name[PACKAGE_NAME_MAX * 4 + 1];
	enum package_kind kind;
	int64_t service_id;
	char service[81 * 4];
	int64_t visits, credit, price;
	char currency[4];
	enum cpkg_state state;
	char method[12]; /* card, cash, cheque, voucher, terminal */
	char note[81 * 4];
	char payment_intent_id[64];
	char message[256];
	int64_t refunded;
	char refund_id[64];
	char sold_by[64];
	char desk[64]; /* where it was sold (PAYDESK_DESK or the host): the day close */
	int64_t bought_at, expires_at; /* expires_at 0: never */
	/* A card sale collected by pay link or on a reader (schema 29):
	 * collect "link" / "reader", "" for the saved card or a desk tender. */
	char collect[8];
	char checkout_session_id[80];
	char url[512];
	int64_t link_expires_at;
	char reader_id[64];
	int64_t version;
	/* from the draws still standing */
	int64_t visits_used, credit_used;
};

const char *cpkg_state_key(enum cpkg_state s);

/* Insert a sale (id, state, method… as given; terms from p). */
int cpkg_insert(sqlite3 *db, const struct client_package *c, int64_t *id, struct pd_error *err);
int cpkg_get(sqlite3 *db, int64_t id, struct client_package *out, struct pd_error *err);
/* A client's purchases, newest first (*out heap). */
int cpkg_list(sqlite3 *db, int64_t client_id, struct client_package **out, size_t *n,
	      struct pd_error *err);
/* The sales whose payment is not known yet (pending, unknown), oldest first. */
int cpkg_open_ids(sqlite3 *db, int64_t **ids, size_t *n, struct pd_error *err);
/* Rewrite state, payment_intent_id, message, refunded, refund_id and what
 * collects it (checkout_session_id, url, link_expires_at, reader_id), bought_at
 * and expires_at of c->id (a sale paid later counts from its payment). */
int cpkg_update(sqlite3 *db, const struct client_package *c, struct pd_error *err);

/* One refund of sale (schema 33): amount in its tender, Stripe's refund
 * id or the desk record's, at desk by actor, now; a desk tender's is also
 * noted in desk_refunds so the day close counts it where it was made. */
int cpkg_refund_note(sqlite3 *db, const struct client_package *c, int64_t amount,
		     const char *refund_id, const char *desk, const char *actor,
		     struct pd_error *err);

/* ---- draws ---- */

struct package_draw {
	int64_t id, client_package_id, appointment_id, payment_row;
	int64_t visits, amount;
	bool returned;
};

int draws_insert(sqlite3 *db, const struct package_draw *d, const char *who, int64_t *id,
		 struct pd_error *err);
/* The draws of an appointment still standing (*out heap). */
int draws_of_appointment(sqlite3 *db, int64_t appointment_id, struct package_draw **out,
			 size_t *n, struct pd_error *err);
int draws_set_returned(sqlite3 *db, int64_t id, const char *who, struct pd_error *err);

#endif
