/* Clients as Stripe customers: created or updated on a worker when Stripe
 * billing is on (settings bill_with_stripe and the client's own flag), their
 * saved cards listed from Stripe (brand, last4, expiry — never a number),
 * and "save a card for next time" as a Checkout link in setup mode. */
#ifndef PAYDESK_CUSTOMERS_H
#define PAYDESK_CUSTOMERS_H

#include <stdint.h>

#include "paydesk/payments.h"

/* Whether settings bill_with_stripe is on. */
bool customers_billing_on(sqlite3 *db);

/* Create the client's Stripe customer (name, email, phone, metadata
 * client_id) or update it, then refresh its saved cards. With billing off
 * (globally or for this client) nothing is sent and r->message says so. */
int customers_sync(const struct pay_env *e, int64_t client_id, struct pay_result *r,
		   struct pd_error *err);

/* The client into *c (client_free it), made a Stripe customer first when it
 * is none yet; with billing off it fails saying a card is <what> on the
 * client's Stripe customer ("held", "saved") and billing must be turned on. */
struct client;
int customers_client_on_stripe(const struct pay_env *e, int64_t client_id, const char *what,
			       struct client *c, struct pay_result *r, struct pd_error *err);

/* Re-list the customer's cards from Stripe into the store (client_cards). */
int customers_cards_refresh(const struct pay_env *e, int64_t client_id, struct pay_result *r,
			    struct pd_error *err);

/* (4) Save a card for next time: a Checkout Session in setup mode (the
 * client enters the card on Stripe's page); r->url to show as URL and QR.
 * An open link is shown again. The customer is created first if needed. */
int customers_save_card_link(const struct pay_env *e, int64_t client_id, struct pay_result *r,
			     struct pd_error *err);

/* Read the save-a-card link back once: complete → cards refreshed, r->done. */
int customers_save_card_check(const struct pay_env *e, int64_t client_id, struct pay_result *r,
			      struct pd_error *err);

/* (5) Hold a card on a reader: a SetupIntent (card_present, off_session,
 * metadata client, appointment — given, else the client's next booking
 * whose policy holds a card — and policy version) processed on the desk's
 * reader (pay_pick_reader) with customer_consent_collected: the desk asked
 * the client first. Recorded (reader_holds) and audited before anything is
 * sent; then watched with _check until the reader succeeds (the generated
 * card's brand and last4, cards refreshed: the booking reads "card held"),
 * fails (a decline, in plain words) or is cancelled with _cancel. */
int customers_reader_hold_start(const struct pay_env *e, int64_t client_id,
				int64_t appointment_id, const char *reader_id, struct pay_result *r,
				struct pd_error *err);
int customers_reader_hold_check(const struct pay_env *e, int64_t client_id, struct pay_result *r,
				struct pd_error *err);
int customers_reader_hold_cancel(const struct pay_env *e, int64_t client_id,
				 struct pay_result *r, struct pd_error *err);

#endif
