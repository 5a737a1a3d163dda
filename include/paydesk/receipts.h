/* Receipts. Card payments: Stripe emails its own receipt when the
 * PaymentIntent carries receipt_email — the client's email, while the
 * business setting receipts.email is on (the default; "off" stops it). A
 * receipt is sent again by updating the charge's receipt_email (Stripe: "if
 * this field is updated, a new email receipt will be sent"), from the
 * appointment or from a History row. Cash and other desk tenders: a text
 * receipt the desk prints (paydesk receipt ID). */
#ifndef PAYDESK_RECEIPTS_H
#define PAYDESK_RECEIPTS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/payments.h"

/* Settings key and whether Stripe is asked to email receipts. */
#define RECEIPTS_EMAIL_SETTING "receipts.email"
bool receipts_email_on(sqlite3 *db);

/* The address to put on a new PaymentIntent of the appointment's client, or
 * "" (setting off, no email). */
void receipts_email_for(sqlite3 *db, int64_t client_id, char *out, size_t size);

/* Email Stripe's receipt again for the appointment's newest card payment
 * (card on file, pay link or reader): its charge's receipt_email is set to
 * the client's email. Audited (receipt.email). Refused with what to do: no
 * card payment, no email on the client. Network: run on a worker. */
int receipts_resend(const struct pay_env *e, int64_t appointment_id, struct pay_result *r,
		    struct pd_error *err);

/* The same for a charge (ch_…) or PaymentIntent (pi_…) from History, to
 * email (the history row's email). */
int receipts_resend_payment(const struct pay_env *e, const char *payment_id, const char *email,
			    struct pay_result *r, struct pd_error *err);

/* A printable text receipt of the appointment: business, date, client,
 * service, price (and discount), each payment with its tender, tips, and
 * what is still due. *out heap (free it). */
int receipts_text(sqlite3 *db, int64_t appointment_id, char **out, struct pd_error *err);

#endif
