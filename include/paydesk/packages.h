/* Packages and prepaid credit: the admin defines what is sold (N visits of
 * a service, or an amount of credit; a price; how many days it lasts), the
 * desk sells one to a client as one payment, and later appointments of that
 * client are paid from it (tenders "package" / "credit" on the
 * appointment's money trail: no money moves, the package goes down). A
 * draw is given back when the appointment's payment is undone; what was
 * not used can be refunded (pro rata) once.
 *
 * Every change is one transaction with its audit entry; a sale by card is a
 * PaymentIntent through the outbox (metadata package, client_id,
 * client_package_id), a refund of one a Refund through the outbox; desk
 * tenders are recorded like an appointment's (a history record of type
 * desk / desk_refund, "pkg_<sale>"), so the takings count the sale once. */
#ifndef PAYDESK_PACKAGES_H
#define PAYDESK_PACKAGES_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "paydesk/auth.h"
#include "paydesk/error.h"
#include "paydesk/packages_store.h"
#include "paydesk/payments.h"
#include "paydesk/payments_store.h"

/* Longest validity, in days (ten years). */
#define PACKAGES_DAYS_MAX 3650
#define PACKAGES_VISITS_MAX 1000

/* Admins only; name, visits (1-1000) of an active service or credit > 0,
 * price > 0, currency (the service's for visits), days 0-3650. Audited
 * (package.define). */
int packages_define(sqlite3 *db, const struct session *who, const struct package_input *in,
		    int64_t *id, struct pd_error *err);
/* Stop (or resume) selling one; sales already made are kept. Audited. */
int packages_archive(sqlite3 *db, const struct session *who, int64_t id, bool archive,
		     struct pd_error *err);

/* What is left of a sale: visits or credit (minor units). */
int64_t cpkg_left(const struct client_package *c);
/* Paid, not refunded, not expired at now, something left. */
bool cpkg_usable(const struct client_package *c, int64_t now);
/* "3 of 5 visits left · until 2027-03-01", "credit 45.00 USD left",
 * "expired 2026-11-30 · 2 of 5 visits unused", "refunded 18.00 USD",
 * "awaiting payment", "not paid". */
void cpkg_describe(const struct client_package *c, int64_t now, char *out, size_t len);
/* The refund of what is unused: price × unused visits / visits, or
 * price × unused credit / credit (the unused amount when credit = price). */
int64_t cpkg_refund_due(const struct client_package *c);
/* Why nothing of c can be refunded ("1 haircut is used up", "… was refunded
 * already"), as the refund itself says it: true with why filled, so an
 * offer of 0.00 is never made; false when cpkg_refund_due is above 0. */
bool cpkg_nothing_to_refund(const struct client_package *c, char *why, size_t len);

/* One line for the booking and pay forms: the client's usable packages,
 * and those expired with something left ("package: 3 of 5 visits left ·
 * credit 45.00 USD · package: 2 of 5 visits (expired)"), "" when none. */
int packages_client_line(sqlite3 *db, int64_t client_id, int64_t now, char *out, size_t len);

/* Sell package_id to client_id, paid by a desk tender (cash, cheque,
 * voucher, terminal): one transaction — the sale (active), its history
 * record, the audit entry (package.sell). *sale the new row. */
int packages_sell_desk(sqlite3 *db, const struct session *who, int64_t package_id,
		       int64_t client_id, enum payrow_method tender, const char *note,
		       int64_t *sale, char *msg, size_t len, struct pd_error *err);

/* The same by the client's saved card (e->key needed): the sale recorded as
 * pending first, then a PaymentIntent created and confirmed off-session
 * through the outbox. A decline leaves it failed with the reason in msg
 * (PD_OK); no answer leaves it unknown. */
int packages_sell_card(const struct pay_env *e, int64_t package_id, int64_t client_id,
		       int64_t *sale, char *msg, size_t len, struct pd_error *err);

/* The same paid by the client themselves, one payment each, the sale
 * recorded pending (audited package.sell.start) before anything is sent
 * and made the client's only when Stripe says it was paid
 * (packages_sale_check): by pay link — a Checkout Session (r->url to show
 * as link and QR, metadata on the session and its PaymentIntent, expiring
 * in PAYMENTS_LINK_TTL) — or on the reader — a card_present PaymentIntent
 * handed to reader_id (NULL: this desk's) with process_payment_intent. */
int packages_sell_link(const struct pay_env *e, int64_t package_id, int64_t client_id,
		       int64_t *sale, struct pay_result *r, struct pd_error *err);
int packages_sell_reader(const struct pay_env *e, int64_t package_id, int64_t client_id,
			 const char *reader_id, int64_t *sale, struct pay_result *r,
			 struct pd_error *err);
/* Read a link or reader sale back from Stripe once: paid → active (counted
 * from now, package.sell), expired / declined / stopped → failed
 * (package.sell.failed), else still waiting (r->done false). Written only
 * if the sale is still pending, so it is recorded once whoever checks. */
int packages_sale_check(const struct pay_env *e, int64_t sale, struct pay_result *r,
			struct pd_error *err);
/* Stop it: the reader's action and PaymentIntent cancelled, or the link
 * expired; then read back (a card read meanwhile still sells it). */
int packages_sale_cancel(const struct pay_env *e, int64_t sale, struct pay_result *r,
			 struct pd_error *err);

/* Card sales left pending or unknown (a crash, a lost answer) get the
 * outcome Stripe holds, after the outbox finished its calls (paydesk
 * recover, the TUI at start): the PaymentIntent the create made is read
 * back (succeeded: the package is the client's; not charged: failed); a
 * create that never reached Stripe fails the sale. *settled: how many. */
int packages_recover(const struct pay_env *e, size_t *settled, struct pd_error *err);

/* The package or credit that would pay appointment_id now (the client's
 * oldest usable sale covering its service, else credit in its currency):
 * PD_ERR_NOT_FOUND with why in err when none. */
int packages_for_appointment(sqlite3 *db, int64_t appointment_id, struct client_package *out,
			     struct pd_error *err);

/* Pay what is due on appointment_id from sale (0: packages_for_appointment):
 * a visit pays all that is due; credit pays up to what is left, the rest
 * stays due. One transaction: the payment row (tender package / credit),
 * the draw, the appointment's payment state, audit (package.draw). */
int packages_draw(sqlite3 *db, const struct session *who, int64_t appointment_id, int64_t sale,
		  struct pay_result *r, struct pd_error *err);

/* Give back every draw still standing on appointment_id (its payment is
 * undone): the payment rows read refunded, the visits / credit return to
 * the package. Audited (package.return). PD_ERR_NOT_FOUND when none.
 * A package refunded already takes nothing back: the draw's share of its
 * price goes back as money in the sale's tender (package.refund) — at the
 * desk, or through Stripe for a card sale (e->key needed), once. */
int packages_return_draws(const struct pay_env *e, int64_t appointment_id,
			  struct pay_result *r, struct pd_error *err);
/* What giving back appointment_id's draws pays out, for the confirm: "2 cuts
 * was refunded: 35.00 USD goes back in cash at the desk"; 1 when money
 * moves, 0 (out "") when everything goes back into the packages. */
int packages_return_payout(sqlite3 *db, int64_t appointment_id, char *out, size_t len);

/* Refund what is unused of sale (cpkg_refund_due), once: by card through
 * Stripe (e->key needed), otherwise recorded as handed back at the desk
 * in its tender. Within the staff refund limits. The sale reads refunded
 * and nothing more can be drawn. Audited (package.refund). */
int packages_refund(const struct pay_env *e, int64_t sale, char *msg, size_t len,
		    struct pd_error *err);

/* What packages_refund would refuse for this user's limits, read only
 * (nothing reserved or audited): "" when nothing, so the desk is told
 * before it confirms. */
void packages_refund_check(sqlite3 *db, const struct session *who, int64_t sale, char *why,
			   size_t len);

#endif
