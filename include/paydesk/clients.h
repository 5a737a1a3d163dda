/* Clients of the business (table clients). Every text is checked before it
 * is stored; updates name the version they read (optimistic concurrency). */
#ifndef PAYDESK_CLIENTS_H
#define PAYDESK_CLIENTS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/error.h"

#define CLIENT_NAME_MAX 120
#define CLIENT_NOTES_MAX 2000

struct client {
	int64_t id;
	char *name, *email, *phone, *notes; /* heap; "" when empty */
	bool bill_with_stripe;
	char *stripe_customer_id;           /* NULL until a Stripe customer exists */
	int64_t created_at, updated_at, version;
};

/* What a person or an import supplies. */
struct client_input {
	const char *name, *email, *phone, *notes;
	bool bill_with_stripe;
};

/* Check every field (name required, email and phone shapes, lengths, no
 * control characters). err names the field. */
int clients_check(const struct client_input *in, struct pd_error *err);

/* Insert; *id is the new row. An email already used by another client is
 * PD_ERR_EXISTS naming that client. */
int clients_insert(sqlite3 *db, const struct client_input *in, int64_t *id, struct pd_error *err);

/* Update client id if it is still at version (else PD_ERR_CONFLICT);
 * the version goes up by one. */
int clients_update(sqlite3 *db, int64_t id, int64_t version, const struct client_input *in,
		   struct pd_error *err);

/* Delete client id (at version). Refused (PD_ERR_EXISTS) while appointments name it. */
int clients_delete(sqlite3 *db, int64_t id, int64_t version, struct pd_error *err);

/* Read one client (free with client_free). PD_ERR_NOT_FOUND when absent. */
int clients_get(sqlite3 *db, int64_t id, struct client *out, struct pd_error *err);

/* The client whose email matches (case-insensitively), 0 in *id when none. */
int clients_find_email(sqlite3 *db, const char *email, int64_t *id, struct pd_error *err);

/* Ids of the clients called name (case-insensitive, accents as typed),
 * oldest first: 0, 1 or more (*ids heap, caller frees). */
int clients_find_name(sqlite3 *db, const char *name, int64_t **ids, size_t *n,
		      struct pd_error *err);

/* Ids of clients whose name, email or phone contains query (case-insensitive
 * for ASCII; "" matches all), ordered by name. *ids is heap (caller frees). */
int clients_search(sqlite3 *db, const char *query, int64_t **ids, size_t *n,
		   struct pd_error *err);

/* Call fn for every client, ordered by name; a non-zero return stops. */
int clients_foreach(sqlite3 *db, int (*fn)(void *ctx, const struct client *c), void *ctx,
		    struct pd_error *err);

void client_free(struct client *c);

#endif
