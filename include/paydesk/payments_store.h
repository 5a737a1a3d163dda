/* Storage behind payments (schema 6): one row per collection attempt of an
 * appointment (table appointment_payments), save-a-card links (card_setups),
 * and the saved cards Stripe last listed for a client (client_cards). The
 * rules live in payments.h / customers.h; this is storage only. */
#ifndef PAYDESK_PAYMENTS_STORE_H
#define PAYDESK_PAYMENTS_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/appointments.h"
#include "paydesk/error.h"

enum payrow_method {
	PAYROW_CARD,
	PAYROW_LINK,
	PAYROW_READER,
	/* desk tenders (schema 10): recorded at the desk, no Stripe call */
	PAYROW_CASH,
	PAYROW_CHEQUE,
	PAYROW_VOUCHER,
	PAYROW_TERMINAL, /* another card machine, not Stripe's */
	/* drawn from what the client bought before (schema 21, packages.h):
	 * no money moves, the package's visits or credit go down */
	PAYROW_PACKAGE,
	PAYROW_CREDIT,
};
#define PAYROW_METHOD_COUNT 9

enum payrow_status {
	PAYROW_STARTING,  /* committed, nothing answered by Stripe yet */
	PAYROW_OPEN,      /* waiting for the client (link) or the reader */
	PAYROW_SUCCEEDED, /* Stripe says the PaymentIntent succeeded */
	PAYROW_FAILED,    /* declined or refused; message says why */
	PAYROW_EXPIRED,   /* the pay link ran out unpaid */
	PAYROW_CANCELLED, /* cancelled from the desk (reader action, appointment) */
	PAYROW_UNKNOWN,   /* no answer: the outbox row will be resolved */
};

const char *payrow_method_key(enum payrow_method m);
const char *payrow_status_key(enum payrow_status s);
/* Taken at the desk without Stripe (cash, cheque, voucher, terminal). */
bool payrow_method_is_desk(enum payrow_method m);
/* Paid from a client's package or prepaid credit (no money moved). */
bool payrow_method_is_drawn(enum payrow_method m);
/* What the desk reads: "cash", "cheque", "gift voucher", "other card machine". */
const char *payrow_method_label(enum payrow_method m);
/* The method named by its key ("cash"); -1 when none is. */
int payrow_method_from_key(const char *key);

struct pay_attempt {
	int64_t id, appointment_id;
	enum payrow_method method;
	enum payrow_status status;
	int64_t amount, refunded; /* minor units */
	char currency[4];
	char *payment_intent_id, *checkout_session_id, *reader_id, *url; /* NULL when unset */
	char *message, *request_id, *actor;
	char *note; /* desk tenders: cheque number, voucher code, slip number (NULL: none) */
	int64_t expires_at, created_at, updated_at;
	char desk[64]; /* the desk it was started at (insert only; "" : not recorded) */
};

void pay_attempt_free(struct pay_attempt *p);
void pay_attempts_free_list(struct pay_attempt **list, size_t n);

/* Insert p (status, method, amount, currency, actor, ids); *id the new row. */
int payrows_insert(sqlite3 *db, const struct pay_attempt *p, int64_t *id, struct pd_error *err);
/* Rewrite status, refunded, ids, url, expires_at, message and request_id of p->id. */
int payrows_update(sqlite3 *db, const struct pay_attempt *p, struct pd_error *err);
int payrows_get(sqlite3 *db, int64_t id, struct pay_attempt *out, struct pd_error *err);
/* The attempts of one appointment, oldest first (*out heap). */
int payrows_list(sqlite3 *db, int64_t appointment_id, struct pay_attempt **out, size_t *n,
		 struct pd_error *err);
/* The newest attempt of an appointment (method < 0: any method);
 * PD_ERR_NOT_FOUND when there is none. */
int payrows_latest(sqlite3 *db, int64_t appointment_id, int method, struct pay_attempt *out,
		   struct pd_error *err);
/* Sum of succeeded amounts and of refunds of an appointment. */
int payrows_totals(sqlite3 *db, int64_t appointment_id, int64_t *paid, int64_t *refunded,
		   struct pd_error *err);
/* The same for desk tenders only (what a desk refund can hand back). */
int payrows_desk_totals(sqlite3 *db, int64_t appointment_id, int64_t *paid, int64_t *refunded,
			struct pd_error *err);
/* The same for what was drawn from packages and credit (given back to the
 * package, never refunded as money). */
int payrows_drawn_totals(sqlite3 *db, int64_t appointment_id, int64_t *paid, int64_t *refunded,
			 struct pd_error *err);

/* Write the payment columns of appointment a->id (state, payment_state,
 * deposit, payment_intent_id, checkout_session_id, last_request_id) whatever
 * its version — an outcome from Stripe is recorded, never refused — and
 * bump the version so an open form sees the change. */
int appointments_set_payment(sqlite3 *db, const struct appointment *a, struct pd_error *err);

/* Remember the Stripe customer of a client (bumps its version). */
int clients_set_customer(sqlite3 *db, int64_t client_id, const char *customer_id,
			 struct pd_error *err);

/* ---- save-a-card links ---- */

struct card_setup {
	int64_t id, client_id;
	char *checkout_session_id, *url, *status, *payment_method_id; /* status open|complete|expired */
	int64_t expires_at, created_at;
};

void card_setup_free(struct card_setup *s);
int card_setups_insert(sqlite3 *db, int64_t client_id, const char *session, const char *url,
		       int64_t expires_at, const char *actor, int64_t *id, struct pd_error *err);
/* The newest save-a-card link of a client; PD_ERR_NOT_FOUND when none. */
int card_setups_latest(sqlite3 *db, int64_t client_id, struct card_setup *out,
		       struct pd_error *err);
int card_setups_set_status(sqlite3 *db, int64_t id, const char *status,
			   const char *payment_method_id, struct pd_error *err);

/* ---- saved cards (display copy of Stripe's list) ---- */

struct client_card {
	char payment_method_id[64];
	char brand[24];
	char last4[8];
	int exp_month, exp_year;
};

/* Replace the cards of client_id with cards[0..n) (in Stripe's order). */
int client_cards_replace(sqlite3 *db, int64_t client_id, const struct client_card *cards,
			 size_t n, struct pd_error *err);
/* The saved cards of client_id (*out heap, may be NULL when *n is 0). */
int client_cards_list(sqlite3 *db, int64_t client_id, struct client_card **out, size_t *n,
		      struct pd_error *err);

#endif
