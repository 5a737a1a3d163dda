/* Payments as worker jobs: the screens submit a request and re-read the
 * store when its completion arrives. Pay links, save-a-card links and
 * reader actions are then watched by background jobs that poll Stripe every
 * PAYMENTS_POLL_SECONDS and queue themselves again until the payment is
 * done, expired or cancelled (at most PAYMENTS_POLL_MAX polls). */
#ifndef PAYDESK_PAYMENTS_JOB_H
#define PAYDESK_PAYMENTS_JOB_H

#include <stdint.h>

#include "paydesk/auth.h"
#include "paydesk/jobs.h"

enum pay_op {
	PAY_OP_CARD,          /* payments_charge_card */
	PAY_OP_LINK,          /* payments_link_create, then watch it */
	PAY_OP_LINK_WATCH,    /* payments_link_check until done */
	PAY_OP_READER,        /* payments_reader_start, then watch it */
	PAY_OP_READER_WATCH,  /* payments_reader_check until done */
	PAY_OP_READER_CANCEL, /* payments_reader_cancel */
	PAY_OP_REFUND,        /* payments_refund */
	PAY_OP_CANCEL,        /* payments_cancel_appointment */
	PAY_OP_RECHECK,       /* payments_recheck: an unknown payment read back */
	PAY_OP_CUSTOMER_SYNC, /* customers_sync (id: client) */
	PAY_OP_CARDS,         /* customers_cards_refresh (id: client) */
	PAY_OP_SAVE_CARD,     /* customers_save_card_link, then watch it (id: client) */
	PAY_OP_SAVE_CARD_WATCH,
	PAY_OP_READER_TAP,    /* readers_tap: training, a test card on the simulated reader */
	PAY_OP_READERS_LIST,  /* readers_list: the store's copy refreshed (Setup tab) */
	PAY_OP_READER_REGISTER, /* readers_register (reader: the code; label, location) */
	PAY_OP_READER_USE,    /* readers_use (reader: its id) for this desk */
	PAY_OP_PACKAGE_SELL,  /* packages_sell_card (id: client, package: what is sold) */
	PAY_OP_PACKAGE_REFUND, /* packages_refund (id: the sale) */
	PAY_OP_RECEIPT,       /* receipts_resend: Stripe's receipt emailed again (id: appointment) */
	PAY_OP_RECEIPT_PAYMENT, /* receipts_resend_payment (payment: ch_/py_/pi_, email) */
	PAY_OP_HOLD_READER,   /* customers_reader_hold_start (id: client; appointment), then watch */
	PAY_OP_HOLD_READER_WATCH,  /* customers_reader_hold_check until done */
	PAY_OP_HOLD_READER_CANCEL, /* customers_reader_hold_cancel */
	PAY_OP_HOLD_READER_TAP,    /* readers_tap_hold: training, a test card for the hold */
	PAY_OP_PACKAGE_WATCH, /* packages_sale_check until done (id: the sale) */
	PAY_OP_PACKAGE_CANCEL, /* packages_sale_cancel (id: the sale) */
	PAY_OP_PACKAGE_TAP,    /* readers_tap_sale: training, a test card for a package sale */
};

struct pay_job_request {
	enum pay_op op;
	int64_t id;      /* the appointment (or the client) */
	int64_t version; /* PAY_OP_CANCEL: the version the desk read; save-card watches: the link's generation */
	int64_t amount;  /* 0: all that is due / refundable */
	char payment_method[64]; /* PAY_OP_READER_TAP: the test card number ("": Stripe's default) */
	char reader[64];
	char reason[32];
	char label[128];   /* PAY_OP_READER_REGISTER */
	char location[64]; /* PAY_OP_READER_REGISTER: tml_… or "" */
	double poll_seconds; /* watches: 0 for PAYMENTS_POLL_SECONDS */
	int poll_max;        /* watches: 0 for PAYMENTS_POLL_MAX */
	int64_t queued;      /* PAY_OP_CARD: send this queued charge (charge_queue_send), or 0 */
	int64_t package;     /* PAY_OP_PACKAGE_SELL: the package sold */
	int64_t tip;         /* PAY_OP_CARD / LINK / READER: a tip typed at the desk, or 0 */
	char payment[80];    /* PAY_OP_RECEIPT_PAYMENT: the charge or PaymentIntent */
	char email[256];     /* PAY_OP_RECEIPT_PAYMENT: where the receipt goes */
	int64_t appointment; /* PAY_OP_HOLD_READER: the booking the card is held for, or 0 */
	char collect[8];     /* PAY_OP_PACKAGE_SELL: "" saved card, "link" or "reader" */
};

/* Queue req (interactive lane; watches on the background lane). key (may be
 * NULL for local-only work) is copied into guarded memory the job owns; the
 * session is copied. The completion's result line is the message for the
 * desk ("paid 40.00 USD …", or why not, with the next step). Returns the job
 * id, 0 when it could not be queued. */
/* The desk left the save-a-card link of client_id (its view closed, or the
 * card is held on the reader instead): its watch stops at its next turn,
 * without asking Stripe. A new PAY_OP_SAVE_CARD for the client (the link
 * shown again) watches it again. */
void payments_job_unwatch_card(int64_t client_id);

uint64_t payments_job_submit(struct jobs *jobs, const struct pay_job_request *req,
			     const char *key, const struct session *who);

#endif
