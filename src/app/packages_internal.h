/* Shared by src/app/packages*.c. */
#ifndef PAYDESK_PACKAGES_INTERNAL_H
#define PAYDESK_PACKAGES_INTERNAL_H

#include "paydesk/outbox.h"
#include "paydesk/packages.h"
#include "paydesk/stripe_params.h"

/* Commit when rc is 0, else roll back; returns the outcome. */
int pkg_finish(sqlite3 *db, int rc, struct pd_error *err);
/* An audit entry about sale (object "client_package:<sale>"); amount < 0: none. */
int pkg_audit(sqlite3 *db, const struct session *who, const char *action, const char *detail,
	      int64_t amount, const char *currency, int64_t sale, struct pd_error *err);
/* YYYY-MM-DD, local time. */
void pkg_day(int64_t t, char *out, size_t len);
/* A new sale of package_id to client_id (not stored), paid by method. */
int pkg_new_sale(sqlite3 *db, const struct session *who, int64_t package_id, int64_t client_id,
		 const char *method, const char *note, struct client_package *c,
		 struct pd_error *err);
/* "Amy Pond · 5 haircuts · 5 visits of Haircut · cash" for the audit log. */
void pkg_sale_detail(sqlite3 *db, const struct client_package *c, char *out, size_t len);

/* Metadata of a card sale's Stripe objects under prefix ("metadata[",
 * "payment_intent_data[metadata]["): package, package_id,
 * client_package_id, client_id, source. */
void pkg_add_metadata(struct stripe_params *p, const char *prefix,
		      const struct client_package *c);
/* A create Stripe refused (failed, the reason in c->message) or whose
 * answer was lost (unknown, state neither done nor failed): written with
 * its audit entry. */
int pkg_sale_failed(const struct pay_env *e, struct client_package *c,
		    const struct stripe_response *resp, enum outbox_state state,
		    struct pd_error *err);

/* Money owed for a draw given back to a package refunded already
 * (packages_payout.c): its share of the price, card or desk. */
struct pkg_payout {
	int64_t amount; /* 0: the package takes the visit / credit back */
	bool card;	/* through Stripe (the sale's PaymentIntent), else at the desk */
	bool sent;
	bool unknown; /* sent, Stripe's answer lost: paydesk recover finishes it */
	size_t part;  /* its refund-limit reservation (packages_return_draws) */
	char refund_id[64];
};
/* out[i] for draws[i] (room for n). */
int pkg_payouts_plan(sqlite3 *db, const struct package_draw *draws, size_t n,
		     struct pkg_payout *out, struct pd_error *err);
/* The card payouts sent to Stripe (before the transaction); one already
 * made for a draw (found in the outbox) is not sent again. */
int pkg_payouts_send(const struct pay_env *e, const struct package_draw *draws, size_t n,
		     struct pkg_payout *pay, struct pd_error *err);
/* Inside the transaction: the sale's refunded total, the desk refund in the
 * takings (desk tender), the audit entry (package.refund). */
int pkg_payout_record(const struct pay_env *e, const struct package_draw *d,
		      const struct pkg_payout *pay, struct pd_error *err);

#endif
