/* Verifying a Stripe connection: does the key authenticate, is it the
 * account the admin named, can the account take payments, and does the key
 * hold every permission paydesk needs? Permissions are probed without side
 * effects: an update of an object that does not exist answers 404 to a key
 * that may write there and 403 to one that may not. */
#ifndef PAYDESK_VERIFY_H
#define PAYDESK_VERIFY_H

#include <stdatomic.h>
#include <stdbool.h>

#include "paydesk/stripe_client.h"

enum verify_state {
	VERIFY_OK,
	VERIFY_FAIL,    /* paydesk cannot work until it is fixed */
	VERIFY_WARN,    /* works, with a limitation the admin should know */
	VERIFY_UNKNOWN, /* could not be checked (network, unexpected answer) */
	VERIFY_NOTE,    /* for the admin to know, nothing to check ("not needed: …") */
};

#define VERIFY_ROWS_MAX 48

struct verify_row {
	char label[64];   /* "Key authenticates", "Write on Payment Intents" */
	enum verify_state state;
	char detail[200]; /* what was found */
	char fix[200];    /* what to do when not OK, or "" */
};

struct verify_report {
	struct verify_row rows[VERIFY_ROWS_MAX];
	int n;
	int failures, warnings, unknown;
	bool key_ok;              /* the key authenticated */
	bool account_visible;     /* the key may read the account object */
	char account_id[64];      /* the key's account as Stripe reports it */
	char display_name[128];
	char country[8];
	char default_currency[8];
	bool livemode;
};

/* One permission paydesk needs: the table the checklist, the README and
 * the Setup screen all read. */
struct verify_permission {
	const char *resource; /* as Stripe's Dashboard names it: "Payment Intents" */
	bool write;           /* Write, else Read */
	const char *why;      /* the feature that needs it */
};
extern const struct verify_permission verify_permissions[];
extern const int verify_permission_count;

/* A permission some guides ask for that paydesk never uses, and why. */
struct verify_not_needed {
	const char *resource; /* "Sources", or "Write on Charges" when Read is needed */
	const char *why;
};
extern const struct verify_not_needed verify_not_needed[];
extern const int verify_not_needed_count;

/* Run the checklist with key against client. expected_account is the
 * Account ID the admin typed (NULL: not compared); connected, when set, is
 * the Express account acted for (Stripe-Account). row_cb, when set, is
 * called after each row so a screen can show the list growing. Returns 0
 * when the checklist ran (see report->failures), PD_ERR when it was cut
 * short (cancelled). */
int verify_run(struct stripe_client *client, const char *key, const char *expected_account,
	       const char *connected, struct verify_report *report,
	       void (*row_cb)(void *ctx, const struct verify_row *row), void *cb_ctx,
	       const atomic_bool *cancel, struct pd_error *err);

const char *verify_state_name(enum verify_state s); /* "ok", "FAIL", "warn", "?", "n/a" */

#endif
