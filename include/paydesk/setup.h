/* Connecting the business's Stripe account: checking what the admin typed,
 * saving it (the key sealed in the vault), opening the key for calls, and
 * disconnecting. Shared by the Setup screen and `paydesk setup`. */
#ifndef PAYDESK_SETUP_H
#define PAYDESK_SETUP_H

#include <sqlite3.h>
#include <stdbool.h>

#include "paydesk/auth.h"
#include "paydesk/error.h"
#include "paydesk/verify.h"

struct vault;
struct vault_kdf;

/* Name of the vault record holding the Stripe key (account id as AD). */
#define SETUP_SECRET_NAME "stripe_key"

enum setup_payment_at_booking { BOOKING_PAY_OFF, BOOKING_PAY_OPTIONAL, BOOKING_PAY_REQUIRED };

struct setup_input {
	const char *account_id;  /* acct_… */
	const char *publishable; /* pk_… (may be "") */
	const char *secret_key;  /* rk_… (or sk_… when allow_secret) */
	const char *connected;   /* Express account acted for, or NULL/"" */
	bool allow_secret;       /* the admin accepted the sk_ warning */
	bool live_secret_confirmed; /* …and, for sk_live_, confirmed a second time */
	const char *currency;    /* default currency, or NULL to keep */
	int payment_at_booking;  /* enum setup_payment_at_booking, or -1 to keep */
	int bill_with_stripe;    /* 0/1, or -1 to keep */
};

/* Every check that needs no network: prefixes, shapes, test/live mix, the
 * sk_ warning and its live confirmation. PD_ERR_USAGE with the message. */
int setup_check_input(const struct setup_input *in, struct pd_error *err);

/* Save after a verification with no failures: seal the key under the
 * account id, record the account (masked key hint, business name, mode)
 * and the settings, append to the audit log — one transaction. v must be
 * unlocked; who must be an admin (PD_ERR_FORBIDDEN otherwise). */
int setup_save(sqlite3 *db, struct vault *v, const struct setup_input *in,
	       const struct verify_report *report, const struct session *who,
	       struct pd_error *err);

/* Open the saved key into guarded memory (free with vault_secret_free).
 * PD_ERR_NOT_FOUND when no account is connected. */
int setup_open_key(sqlite3 *db, struct vault *v, char **key, struct pd_error *err);

/* Forget the account: the sealed key and the vault are wiped, the account
 * row deleted, the audit log told. Admins only. */
int setup_disconnect(sqlite3 *db, const struct session *who, struct pd_error *err);

/* Create the vault (vault_create) at the cost setup_vault_kdf picks. */
int setup_vault_create(sqlite3 *db, const char *passphrase, struct vault **out,
		       struct pd_error *err);

/* The Argon2id cost for a vault created now: VAULT_KDF_DEFAULT, or libsodium's
 * interactive floor when PAYDESK_VAULT_KDF=interactive (test suites, where the
 * KDF is not what they test: 64 MiB instead of 256 MiB per unlock). Read only
 * when a vault is created: an existing vault unlocks at the cost stored in it,
 * and `paydesk doctor` warns when that is below the default. PD_ERR_USAGE for
 * any other value. */
int setup_vault_kdf(const struct vault_kdf **out, struct pd_error *err);

/* A passphrase strength hint for the admin creating the vault ("" when fine). */
const char *setup_passphrase_hint(const char *passphrase);

#endif
