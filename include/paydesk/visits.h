/* A client's visit history: every appointment, past and future, with what
 * happened (completed, no-show, cancelled) and its money — paid (a deposit
 * when less than the price), due, refunded, by tender — and the totals.
 * Read from the local store only (appointments and their payment attempts),
 * for the visit history view reached from the client and the appointment. */
#ifndef PAYDESK_VISITS_H
#define PAYDESK_VISITS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paydesk/appointments.h"
#include "paydesk/error.h"
#include "paydesk/payments_store.h"

/* What one tender brought to one visit (succeeded attempts only). */
struct visit_tender {
	enum payrow_method method;
	int64_t paid, refunded;
};

struct visit {
	int64_t appointment_id, starts_at, ends_at;
	enum appt_state state;
	enum appt_payment payment;
	int64_t price;    /* the appointment's amount */
	int64_t paid;     /* succeeded attempts, before refunds */
	int64_t refunded; /* of those, handed back */
	int64_t due;      /* price − paid while the visit is on or done; 0 cancelled / no-show */
	int failed;       /* declined or failed attempts */
	char currency[4];
	char service[128], staff[128];
	bool upcoming; /* starts at or after now */
	struct visit_tender tenders[PAYROW_METHOD_COUNT];
	int ntenders; /* in the order the tenders were first used */
	/* a no-show / late-cancellation fee charged for it (apart from the
	 * price's money: paid, due and the totals leave it out); 0: none */
	int64_t fee_charged, fee_refunded;
	bool fee_late; /* the fee is a late cancellation's, else a no-show's */
};

#define VISITS_CURRENCIES 4

struct visit_summary {
	int visits, upcoming, completed, no_shows, cancelled;
	int not_closed; /* past, still booked / awaiting payment / confirmed */
	/* money per currency (a client rarely has more than one) */
	struct {
		char currency[4];
		int64_t paid, refunded, due;
		int64_t fees, fees_refunded; /* no-show / late-cancel fees charged, apart */
	} money[VISITS_CURRENCIES];
	int ncurrencies;
	bool more_currencies; /* some were left out of money[] */
};

/* The visits of client_id, newest first (future ones on top), as of now
 * (UTC seconds), with their summary. *out heap (free()), NULL when *n is 0. */
int visits_for_client(sqlite3 *db, int64_t client_id, int64_t now, struct visit **out,
		      size_t *n, struct visit_summary *sum, struct pd_error *err);

#endif
