/* The connected Stripe account as paydesk remembers it (the key itself is
 * in the vault, never here). */
#ifndef PAYDESK_STRIPE_ACCOUNT_H
#define PAYDESK_STRIPE_ACCOUNT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/error.h"

struct stripe_account_row {
	char account_id[64];        /* acct_… */
	char mode[8];               /* "test" | "live" */
	char display_name[128];     /* business name from Stripe, may be "" */
	char publishable_key[160];
	char connected_account[64]; /* acting for this Express account, or "" */
	char key_hint[64];          /* the masked key, "rk_live_…9f3a" */
	int64_t verified_at;        /* unix seconds, 0 when never verified */
};

/* PD_ERR_NOT_FOUND when no account is connected. */
int stripe_account_get(sqlite3 *db, struct stripe_account_row *out, struct pd_error *err);

/* Insert or replace the one account row. */
int stripe_account_save(sqlite3 *db, const struct stripe_account_row *row, struct pd_error *err);

/* Act for connected (an Express account id), or for the platform itself
 * when connected is NULL or "". PD_ERR_NOT_FOUND when no account is saved. */
int stripe_account_set_connected(sqlite3 *db, const char *connected, struct pd_error *err);

/* Forget the account row (the vault secret is wiped separately). */
int stripe_account_delete(sqlite3 *db, struct pd_error *err);

#endif
